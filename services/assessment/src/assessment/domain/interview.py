"""An interview (entretien) with the person: when, what kind, by whom (the actor), and its notes, which
may be confidential (their author and DPIPs only)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from assessment.domain import errors
from assessment.domain.case import ensure_open
from assessment.domain.commands import Command, RecordInterview
from assessment.domain.facts import CaseFacts
from contracts import Event
from contracts.assessment import InterviewHeld, InterviewNotesRecorded, InterviewType
from kernel.decider import Decider
from kernel.wording import day


class Interview(BaseModel):
    model_config = ConfigDict(frozen=True)

    interview_id: str | None = None
    case_id: str | None = None
    held_on: date | None = None
    interview_type: InterviewType | None = None
    notes: str = ""
    confidential: bool = False


initial_state = Interview()


def decide(command: Command, state: Interview, facts: CaseFacts) -> list[Event]:
    """`facts`: the case the interview is recorded on."""
    match command:
        case RecordInterview():
            if state.interview_id is not None:
                raise errors.InterviewAlreadyRecorded(
                    f"the interview of {day(state.held_on)} with {facts.person} is already recorded",
                    interview_id=command.interview_id,
                )
            ensure_open(facts)
            if command.held_on > command.today:
                raise errors.DateInTheFuture(
                    f"an interview is recorded once it has taken place, not before {day(command.held_on)}"
                )
            if command.held_on < facts.admission_date:
                raise errors.DatesOutOfOrder(
                    f"the interview is dated {day(command.held_on)}, before the admission of {facts.person}, on "
                    f"{day(facts.admission_date)}"
                )
            held = InterviewHeld(
                interview_id=command.interview_id,
                case_id=facts.case_id,
                held_on=command.held_on,
                interview_type=command.interview_type,
            )
            notes = command.notes.strip()
            if not notes:
                return [held]
            return [
                held,
                InterviewNotesRecorded(
                    interview_id=command.interview_id, notes=notes, confidential=command.confidential
                ),
            ]
    raise TypeError(f"the interview aggregate does not handle {type(command).__name__}")


def evolve(state: Interview, event: Event) -> Interview:
    match event:
        case InterviewHeld():
            return Interview(**event.model_dump())
        case InterviewNotesRecorded():
            return state.model_copy(update={"notes": event.notes, "confidential": event.confidential})
    return state


interview = Decider(stream_type="interview", initial_state=initial_state, decide=decide, evolve=evolve)
