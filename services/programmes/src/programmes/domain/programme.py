"""A catalogue entry: a structured programme (PPR, ADERES…) or a thematic action. Created, revised (each
revision a new version; groups keep the version they were planned with), withdrawn."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.programmes import ProgrammeCreated, ProgrammeDefinition, ProgrammeRevised, ProgrammeWithdrawn
from kernel.decider import Decider
from programmes.domain import errors, names
from programmes.domain.commands import Command, CreateProgramme, ReviseProgramme, WithdrawProgramme
from programmes.domain.facts import ProgrammeFacts


class Programme(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    programme_id: str | None = None
    version: int = 0
    definition: ProgrammeDefinition | None = None
    withdrawn: bool = False


initial_state = Programme()


def facts(state: Programme) -> ProgrammeFacts:
    """What the entry tells the groups planned from it and the referrals made to it."""
    return ProgrammeFacts(
        programme_id=state.programme_id,
        version=state.version,
        definition=state.definition,
        withdrawn=state.withdrawn,
    )


def _checked(definition: ProgrammeDefinition) -> ProgrammeDefinition:
    if definition.group_min > definition.group_max:
        raise errors.GroupSizeMinAboveMax(
            f"the minimum group size ({definition.group_min}) is above the maximum ({definition.group_max})"
        )
    return definition


def decide(command: Command, state: Programme, facts: None = None) -> list[Event]:
    if isinstance(command, CreateProgramme):
        if state.programme_id is not None:
            # The id is made from the code: an entry already there means the code is taken.
            raise errors.ProgrammeCodeTaken(
                f"the code {command.definition.code} is already in the catalogue: "
                f"{names.programme_of(state.definition)}",
                existing=f"/programmes/{state.programme_id}",
                programme_id=state.programme_id,
            )
        return [ProgrammeCreated(programme_id=command.programme_id, definition=_checked(command.definition))]
    if state.programme_id is None:
        raise errors.ProgrammeNotFound("no such programme")
    named = names.programme_of(state.definition)
    if state.withdrawn:
        raise errors.ProgrammeWithdrawn(f"{named} was withdrawn from the catalogue")
    match command:
        case ReviseProgramme():
            if command.definition.code != state.definition.code:
                raise errors.ProgrammeCodeTaken(
                    f"{named} keeps its code, not {command.definition.code}: create another entry instead"
                )
            if command.definition.sensitive != state.definition.sensitive:
                # Its groups and referrals went to the topic its sensitivity chose, for good: a revision
                # cannot move them (security review L7). A sensitive programme is another entry.
                raise errors.ProgrammeSensitivityFixed(
                    f"{named} stays {'sensitive' if state.definition.sensitive else 'not sensitive'}: "
                    "create another entry instead"
                )
            return [
                ProgrammeRevised(
                    programme_id=state.programme_id,
                    version=state.version + 1,
                    definition=_checked(command.definition),
                )
            ]
        case WithdrawProgramme():
            return [ProgrammeWithdrawn(programme_id=state.programme_id, reason=command.reason)]
    raise TypeError(f"the programme aggregate does not handle {type(command).__name__}")


def evolve(state: Programme, event: Event) -> Programme:
    match event:
        case ProgrammeCreated():
            return Programme(programme_id=event.programme_id, version=1, definition=event.definition)
        case ProgrammeRevised():
            return state.model_copy(update={"version": event.version, "definition": event.definition})
        case ProgrammeWithdrawn():
            return state.model_copy(update={"withdrawn": True})
    return state


programme = Decider(stream_type="programme", initial_state=initial_state, decide=decide, evolve=evolve)
