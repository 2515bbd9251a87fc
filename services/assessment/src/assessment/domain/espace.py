"""A case's ESPACE (radicalisation) file: DPIP-only notes, in a stream of their own (`espace-<case id>`) so
that nothing a non-DPIP reads of the case — not even its version — moves when a note is recorded."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from assessment.domain.case import ensure_open
from assessment.domain.commands import Command, RecordEspaceNote
from assessment.domain.facts import CaseFacts
from contracts import Event
from contracts.assessment import EspaceNoteRecorded
from kernel.decider import Decider


class EspaceFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    notes: int = 0


initial_state = EspaceFile()


def stream_id(case_id: str) -> str:
    return f"espace-{case_id}"


def decide(command: Command, state: EspaceFile, facts: CaseFacts) -> list[Event]:
    """`facts`: the case the file belongs to."""
    match command:
        case RecordEspaceNote():
            ensure_open(facts)
            return [EspaceNoteRecorded(case_id=facts.case_id, note_id=command.note_id, text=command.text)]
    raise TypeError(f"the ESPACE file does not handle {type(command).__name__}")


def evolve(state: EspaceFile, event: Event) -> EspaceFile:
    match event:
        case EspaceNoteRecorded():
            return EspaceFile(notes=state.notes + 1)
    return state


espace = Decider(stream_type="espace", initial_state=initial_state, decide=decide, evolve=evolve)
