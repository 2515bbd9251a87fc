"""The erasure of a person's data (DOMAIN.md, data protection): when the retention period of every category
of their data has run from the closure of their last case, or at once after an acquittal or a court order.
Never while a litigation hold is set on one of their cases, never twice. One stream per person (stream type
"subject", the subject id): the erasure is its only event.

One data key seals everything about a person (ADR 24), so the person is erased when the longest of the
periods configured for the categories of data held about them has run."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from assessment.domain import errors
from assessment.domain.commands import EraseSubject
from contracts import Event
from contracts.assessment import ErasureReason, SubjectErased
from kernel.decider import Decider
from kernel.wording import day


class Retention(BaseModel):
    """How long each category of a person's data is kept, in years counted from the closure of their last
    case (the end of the measure or the release)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    years: dict[str, int] = Field(min_length=1)

    def due_on(self, closed_on: date) -> date:
        """The first day the person's data may no longer be kept."""
        years = max(self.years.values())
        try:
            return closed_on.replace(year=closed_on.year + years)
        except ValueError:  # 29 February into a common year
            return closed_on.replace(year=closed_on.year + years, day=28)


class CaseStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: str
    closed_on: date | None
    held: bool


class ErasureFacts(BaseModel):
    """What the decision knows of the person's cases (the `cases` read table) and the retention in force."""

    model_config = ConfigDict(frozen=True)

    cases: tuple[CaseStatus, ...]
    retention: Retention

    @property
    def last_closed_on(self) -> date | None:
        closures = [c.closed_on for c in self.cases]
        return None if not closures or None in closures else max(closures)


class Subject(BaseModel):
    model_config = ConfigDict(frozen=True)

    erased_on: date | None = None
    reason: ErasureReason | None = None


initial_state = Subject()


def decide(command: EraseSubject, state: Subject, facts: ErasureFacts) -> list[Event]:
    if not isinstance(command, EraseSubject):
        raise TypeError(f"the subject aggregate does not handle {type(command).__name__}")
    if state.erased_on is not None:
        raise errors.SubjectAlreadyErased(
            f"the data of this person was already erased on {day(state.erased_on)}",
            subject_id=command.subject_id,
        )
    if not facts.cases:
        raise errors.SubjectNotFound("no case was ever opened for this person")
    if any(c.held for c in facts.cases):
        raise errors.ErasureOnHold(
            "a litigation hold suspends the erasure of this person's data: lift it first"
        )
    last_closed_on = facts.last_closed_on
    if last_closed_on is None:
        raise errors.ErasureWhileFollowed("this person is still followed: close their case first")
    if command.reason is ErasureReason.RETENTION_ELAPSED:
        due_on = facts.retention.due_on(last_closed_on)
        if command.today < due_on:
            raise errors.RetentionNotElapsed(
                f"this person's data is kept until {day(due_on)}, counted from the closure of their case on "
                f"{day(last_closed_on)}"
            )
    return [SubjectErased(subject_id=command.subject_id, reason=command.reason, erased_on=command.today)]


def evolve(state: Subject, event: Event) -> Subject:
    if isinstance(event, SubjectErased):
        return Subject(erased_on=event.erased_on, reason=event.reason)
    return state


subject = Decider(stream_type="subject", initial_state=initial_state, decide=decide, evolve=evolve)
