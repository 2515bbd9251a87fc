"""An interview (entretien) with the person: when, what kind, by whom (the actor), and its notes, which
may be confidential (their author and DPIPs only).

An interview may first be an appointment (convocation): scheduled by the CPIP who holds it, at a time and in
a room, then moved or cancelled; recording it as held closes it. One recorded without an appointment is held
only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from assessment.domain import errors
from assessment.domain.case import ensure_open
from assessment.domain.commands import (
    CancelInterview,
    Command,
    RecordInterview,
    RescheduleInterview,
    ScheduleInterview,
)
from assessment.domain.facts import CaseFacts
from contracts import Event
from contracts.assessment import (
    InterviewCancelled,
    InterviewHeld,
    InterviewNotesRecorded,
    InterviewRescheduled,
    InterviewScheduled,
    InterviewType,
)
from contracts.rooms import RoomList
from kernel.decider import Decider
from kernel.wording import day, moment


class Interview(BaseModel):
    model_config = ConfigDict(frozen=True)

    interview_id: str | None = None
    case_id: str | None = None
    held_on: date | None = None
    interview_type: InterviewType | None = None
    notes: str = ""
    confidential: bool = False
    # The appointment, if the interview was scheduled.
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None
    officer: str | None = None
    cancelled: bool = False

    @property
    def scheduled(self) -> bool:
        return self.starts_at is not None


initial_state = Interview()


def decide(command: Command, state: Interview, facts: CaseFacts) -> list[Event]:
    """`facts`: the case the interview is recorded on."""
    match command:
        case ScheduleInterview():
            if state.interview_id is not None:
                raise errors.InterviewAlreadyScheduled(
                    f"the interview {command.interview_id} is already scheduled",
                    interview_id=command.interview_id,
                )
            ensure_open(facts)
            _ensure_to_come(command.starts_at, command.now)
            return [
                InterviewScheduled(
                    interview_id=command.interview_id,
                    case_id=facts.case_id,
                    subject_id=facts.subject_id,
                    establishment=facts.establishment,
                    officer=command.officer,
                    interview_type=command.interview_type,
                    starts_at=command.starts_at,
                    ends_at=command.starts_at + timedelta(minutes=command.duration_minutes),
                    place=command.place.strip(),
                )
            ]
        case RescheduleInterview():
            _ensure_appointment(state, facts)
            _ensure_to_come(command.starts_at, command.now)
            minutes = command.duration_minutes
            ends_at = command.starts_at + (
                timedelta(minutes=minutes) if minutes is not None else state.ends_at - state.starts_at
            )
            place = command.place.strip()
            if (command.starts_at, ends_at, place) == (state.starts_at, state.ends_at, state.place):
                raise errors.InterviewUnchanged(
                    f"the interview is already on {moment(state.starts_at)} in {place}"
                )
            return [
                InterviewRescheduled(
                    interview_id=state.interview_id, starts_at=command.starts_at, ends_at=ends_at, place=place
                )
            ]
        case CancelInterview():
            _ensure_appointment(state, facts)
            return [InterviewCancelled(interview_id=state.interview_id)]
        case RecordInterview():
            if state.cancelled:
                raise errors.InterviewCancelled(
                    f"the interview of {moment(state.starts_at)} was cancelled: record the one held instead",
                    interview_id=state.interview_id,
                )
            if state.held_on is not None:
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


def ensure_room(rooms: RoomList, establishment: str, place: str) -> None:
    """The rule every service booking a room applies (`contracts.rooms`): an establishment with a list of
    rooms refuses a place that is not one of them."""
    if rooms.refuses(establishment, place):
        known = ", ".join(r.name for r in rooms.rooms_of(establishment) or [])
        raise errors.RoomUnknown(f"{place.strip()!r} is not one of the rooms of {establishment}: {known}")


def _ensure_to_come(starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise errors.InterviewInThePast(
            f"an interview is scheduled ahead of time, not for {moment(starts_at)}"
        )


def _ensure_appointment(state: Interview, facts: CaseFacts) -> None:
    """An appointment still to hold, on an open case."""
    if not state.scheduled:
        raise errors.InterviewNotFound(f"no interview appointment {state.interview_id or ''}".strip())
    if state.cancelled:
        raise errors.InterviewCancelled(
            f"the interview of {moment(state.starts_at)} is cancelled", interview_id=state.interview_id
        )
    if state.held_on is not None:
        raise errors.InterviewAlreadyHeld(
            f"the interview with {facts.person} was held on {day(state.held_on)}",
            interview_id=state.interview_id,
        )
    ensure_open(facts)


def evolve(state: Interview, event: Event) -> Interview:
    match event:
        case InterviewScheduled():
            return Interview(
                interview_id=event.interview_id,
                case_id=event.case_id,
                interview_type=event.interview_type,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                place=event.place,
                officer=event.officer,
            )
        case InterviewRescheduled():
            return state.model_copy(
                update={"starts_at": event.starts_at, "ends_at": event.ends_at, "place": event.place}
            )
        case InterviewCancelled():
            return state.model_copy(update={"cancelled": True})
        case InterviewHeld():
            return state.model_copy(update=event.model_dump())
        case InterviewNotesRecorded():
            return state.model_copy(update={"notes": event.notes, "confidential": event.confidential})
    return state


interview = Decider(stream_type="interview", initial_state=initial_state, decide=decide, evolve=evolve)
