"""Positioning a person on a partner action's session, "in a logic of pathway": proposed by an adviser or the
RIPRO → confirmed by the partner → attended or no-show → outcome. The session's capacity is respected, a
person holds one place per session, and a person already booked at that time (work, training, another
action) is refused. Once the person has left (the pathway is closed), nothing new is arranged: no place is
proposed or confirmed, but what happened before the release may still be reported.

The partner runs the session: when it cancels it, the places on it are cancelled; when it moves it, they
follow it to its new time, except a person booked elsewhere then, whose place is cancelled (a place at a time
the person cannot come is no place: the adviser finds another session)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.ipro import (
    PositioningAttended,
    PositioningCancelled,
    PositioningConfirmed,
    PositioningMoved,
    PositioningNoShowRecorded,
    PositioningOutcome,
    PositioningOutcomeRecorded,
    PositioningProposed,
    PositioningWithdrawn,
)
from ipro.domain import errors, names
from ipro.domain.calendar import first_collision, session_booking
from ipro.domain.commands import (
    CancelPositioning,
    Command,
    ConfirmPositioning,
    FollowMovedSession,
    Position,
    RecordAttendance,
    RecordPositioningOutcome,
    WithdrawPositioning,
)
from ipro.domain.facts import Booking, Commitments, PathwayFacts, PlaceFacts
from kernel.decider import Decider


class PositioningStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    WITHDRAWN = "withdrawn"  # by IPRO (or the release)
    CANCELLED = "cancelled"  # with its session, by the partner


OPEN = (PositioningStatus.PROPOSED, PositioningStatus.CONFIRMED)  # a place not yet taken up
ENDED = (PositioningStatus.WITHDRAWN, PositioningStatus.CANCELLED)  # a place given back


class Positioning(BaseModel):
    model_config = ConfigDict(frozen=True)

    positioning_id: str | None = None
    pathway_id: str | None = None
    subject_id: str | None = None
    action_id: str | None = None
    session_id: str | None = None
    partner_id: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    title: str = ""  # the action's
    place: str = ""
    status: PositioningStatus = PositioningStatus.PROPOSED
    outcome: PositioningOutcome | None = None

    @property
    def session(self) -> str:
        return names.session(self.title, self.starts_at, self.place)

    @property
    def booking(self) -> Booking:
        """The session's time, as the person's bookings hold it."""
        return Booking(
            kind="action",
            reference=self.positioning_id,
            label=self.session,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
        )


initial_state = Positioning()


def decide(command: Command, state: Positioning, facts: PathwayFacts) -> list[Event]:
    """`facts`: the pathway the positioning is arranged on; with the bookings and the session (`PlaceFacts`)
    for a new place."""
    if isinstance(command, Position):
        if not isinstance(facts, PlaceFacts):
            raise TypeError("a place is proposed knowing the session and the person's bookings")
        return [_propose(command, state, facts)]
    if state.positioning_id is None:
        raise errors.PositioningNotFound("no such positioning")
    if isinstance(command, CancelPositioning | FollowMovedSession):
        return _follow_the_session(command, state, facts)
    if isinstance(command, ConfirmPositioning):
        _open(facts)
    place = f"{facts.person}'s place on {state.session}"
    if state.status in ENDED:
        raise errors.PositioningEnded(f"{place} was {state.status.value}")
    positioning_id = state.positioning_id
    match command:
        case ConfirmPositioning():
            if state.status != PositioningStatus.PROPOSED:
                raise errors.PositioningNotProposed(f"{place} is {_status(state)}, not proposed")
            return [PositioningConfirmed(positioning_id=positioning_id)]
        case RecordAttendance():
            if state.status != PositioningStatus.CONFIRMED:
                raise errors.PositioningNotConfirmed(
                    f"{place} is {_status(state)}: attendance is recorded for a confirmed place"
                )
            if state.starts_at > command.now:
                raise errors.ActionSessionNotYetHeld(
                    f"{state.session} has not started: attendance is recorded once it has"
                )
            if command.attended:
                return [PositioningAttended(positioning_id=positioning_id)]
            return [PositioningNoShowRecorded(positioning_id=positioning_id)]
        case RecordPositioningOutcome():
            if state.status != PositioningStatus.ATTENDED:
                raise errors.PositioningNotAttended(
                    f"{place} is {_status(state)}: an outcome follows an attended session"
                )
            if state.outcome is not None:
                raise errors.OutcomeAlreadyRecorded(f"the outcome of {place} is already recorded")
            return [
                PositioningOutcomeRecorded(
                    positioning_id=positioning_id, outcome=command.outcome, details=command.details
                )
            ]
        case WithdrawPositioning():
            if state.status not in OPEN:
                raise errors.PositioningEnded(
                    f"{place} is {_status(state)}: only a place not yet taken up is withdrawn"
                )
            return [
                PositioningWithdrawn(
                    positioning_id=positioning_id, reason=command.reason, released=command.released
                )
            ]
    raise TypeError(f"the positioning aggregate does not handle {type(command).__name__}")


def _status(state: Positioning) -> str:
    return state.status.value.replace("_", " ")


def _open(pathway: PathwayFacts) -> None:
    if pathway.closed:
        raise errors.PathwayClosed(f"{pathway.person}'s pathway is closed: they have left")


def _propose(command: Position, state: Positioning, facts: PlaceFacts) -> PositioningProposed:
    _open(facts)
    if state.positioning_id is not None:
        raise errors.PositioningAlreadyExists(f"positioning {command.positioning_id} already exists")
    session = facts.session
    if session is None:
        if facts.catalogue_behind:
            raise errors.ActionSessionNotYetKnown(
                f"session {command.session_id} of action {command.action_id} is not known here yet: the "
                "catalogue is being brought up to date, try again in a moment"
            )
        raise errors.ActionSessionNotFound(
            f"the catalogue has no session {command.session_id} of action {command.action_id}"
        )
    named = names.session(session.title, session.starts_at, session.place)
    if facts.already_positioned:
        raise errors.AlreadyPositioned(f"{facts.person} already holds a place on {named}")
    if session.cancelled:
        raise errors.ActionSessionNotOpen(f"{named} was cancelled")
    if not session.published or session.closed:
        raise errors.ActionSessionNotOpen(f"«{session.title}» is not in the catalogue")
    if session.starts_at <= command.now:
        raise errors.ActionSessionNotOpen(f"{named} has begun: places are taken before it starts")
    if session.booked >= session.capacity:
        raise errors.PositioningOverCapacity(f"all {session.capacity} places of {named} are taken")
    booking = session_booking(command.positioning_id, session.starts_at, session.ends_at)
    if clash := first_collision(booking, facts.bookings):
        raise errors.BookingOverlap(f"{facts.person} is booked at the time of {named}: {clash.named}")
    return PositioningProposed(
        positioning_id=command.positioning_id,
        pathway_id=command.pathway_id,
        subject_id=facts.subject_id,
        action_id=session.action_id,
        session_id=session.session_id,
        partner_id=session.partner_id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        title=session.title,
        place=session.place,
    )


def _follow_the_session(
    command: CancelPositioning | FollowMovedSession, state: Positioning, facts: PathwayFacts
) -> list[Event]:
    """What the partner did to the session happens to the places not yet taken up; the others (withdrawn,
    cancelled, or the session held) stay as they are, so a redelivered change finds nothing to do."""
    if state.status not in OPEN:
        return []
    if isinstance(command, CancelPositioning):
        return [PositioningCancelled(positioning_id=state.positioning_id, reason=command.reason)]
    if not isinstance(facts, Commitments):
        raise TypeError("a place follows a moved session knowing the person's bookings")
    if (command.starts_at, command.ends_at, command.place) == (state.starts_at, state.ends_at, state.place):
        return []
    moved = session_booking(state.positioning_id, command.starts_at, command.ends_at)
    if clash := first_collision(moved, facts.bookings):
        now_named = names.session(state.title, command.starts_at, command.place)
        return [
            PositioningCancelled(
                positioning_id=state.positioning_id,
                reason=f"the partner moved the session: {now_named}, when {facts.person} is booked: "
                f"{clash.named}",
            )
        ]
    return [
        PositioningMoved(
            positioning_id=state.positioning_id,
            starts_at=command.starts_at,
            ends_at=command.ends_at,
            place=command.place,
        )
    ]


def evolve(state: Positioning, event: Event) -> Positioning:
    match event:
        case PositioningProposed():
            return Positioning(**event.model_dump())
        case PositioningConfirmed():
            return state.model_copy(update={"status": PositioningStatus.CONFIRMED})
        case PositioningAttended():
            return state.model_copy(update={"status": PositioningStatus.ATTENDED})
        case PositioningNoShowRecorded():
            return state.model_copy(update={"status": PositioningStatus.NO_SHOW})
        case PositioningOutcomeRecorded():
            return state.model_copy(update={"outcome": event.outcome})
        case PositioningWithdrawn():
            return state.model_copy(update={"status": PositioningStatus.WITHDRAWN})
        case PositioningCancelled():
            return state.model_copy(update={"status": PositioningStatus.CANCELLED})
        case PositioningMoved():
            return state.model_copy(
                update={"starts_at": event.starts_at, "ends_at": event.ends_at, "place": event.place}
            )
    return state


positioning = Decider(stream_type="positioning", initial_state=initial_state, decide=decide, evolve=evolve)
