"""Positioning a person on a partner action's session, "in a logic of pathway": proposed by an adviser or the
RIPRO → confirmed by the partner → attended or no-show → outcome. The session's capacity is respected, a
person holds one place per session, and a person already booked at that time (work, training, another
action) is refused. Once the person has left (the pathway is closed), nothing new is arranged: no place is
proposed or confirmed, but what happened before the release may still be reported."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.ipro import (
    PositioningAttended,
    PositioningConfirmed,
    PositioningNoShowRecorded,
    PositioningOutcome,
    PositioningOutcomeRecorded,
    PositioningProposed,
    PositioningWithdrawn,
)
from ipro.domain import errors
from ipro.domain.calendar import first_collision, session_booking
from ipro.domain.commands import (
    Command,
    ConfirmPositioning,
    Position,
    RecordAttendance,
    RecordPositioningOutcome,
    WithdrawPositioning,
)
from ipro.domain.facts import PathwayFacts, PlaceFacts
from kernel.decider import Decider


class PositioningStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    WITHDRAWN = "withdrawn"


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
    status: PositioningStatus = PositioningStatus.PROPOSED
    outcome: PositioningOutcome | None = None


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
    if isinstance(command, ConfirmPositioning):
        _open(facts)
    if state.status == PositioningStatus.WITHDRAWN:
        raise errors.PositioningEnded("the positioning was withdrawn")
    positioning_id = state.positioning_id
    match command:
        case ConfirmPositioning():
            if state.status != PositioningStatus.PROPOSED:
                raise errors.PositioningNotProposed(f"the positioning is {state.status.value}")
            return [PositioningConfirmed(positioning_id=positioning_id)]
        case RecordAttendance():
            if state.status != PositioningStatus.CONFIRMED:
                raise errors.PositioningNotConfirmed("attendance is recorded for a confirmed place")
            if state.starts_at > command.now:
                raise errors.ActionSessionNotYetHeld("attendance is recorded once the session has started")
            if command.attended:
                return [PositioningAttended(positioning_id=positioning_id)]
            return [PositioningNoShowRecorded(positioning_id=positioning_id)]
        case RecordPositioningOutcome():
            if state.status != PositioningStatus.ATTENDED:
                raise errors.PositioningNotAttended("an outcome follows an attended session")
            if state.outcome is not None:
                raise errors.OutcomeAlreadyRecorded("the outcome is already recorded")
            return [
                PositioningOutcomeRecorded(
                    positioning_id=positioning_id, outcome=command.outcome, details=command.details
                )
            ]
        case WithdrawPositioning():
            if state.status not in (PositioningStatus.PROPOSED, PositioningStatus.CONFIRMED):
                raise errors.PositioningEnded(f"the positioning is {state.status.value}")
            return [PositioningWithdrawn(positioning_id=positioning_id, reason=command.reason)]
    raise TypeError(f"the positioning aggregate does not handle {type(command).__name__}")


def _open(pathway: PathwayFacts) -> None:
    if pathway.closed:
        raise errors.PathwayClosed("the pathway is closed: the person has left")


def _propose(command: Position, state: Positioning, facts: PlaceFacts) -> PositioningProposed:
    _open(facts)
    if state.positioning_id is not None:
        raise errors.PositioningAlreadyExists(f"positioning {command.positioning_id} already exists")
    if facts.already_positioned:
        raise errors.AlreadyPositioned("the person is already positioned on this session")
    session = facts.session
    if session is None:
        raise errors.ActionSessionNotFound("no such session of this action in the catalogue")
    if session.cancelled or not session.published or session.closed or session.starts_at <= command.now:
        raise errors.ActionSessionNotOpen(
            "the session is not open: cancelled, past, or its action not in the catalogue"
        )
    if session.booked >= session.capacity:
        raise errors.PositioningOverCapacity(f"all {session.capacity} places of the session are taken")
    booking = session_booking(command.positioning_id, session.starts_at, session.ends_at)
    if clash := first_collision(booking, facts.bookings):
        raise errors.BookingOverlap(f"the person is booked at that time ({clash.kind} {clash.reference})")
    return PositioningProposed(
        positioning_id=command.positioning_id,
        pathway_id=command.pathway_id,
        subject_id=facts.subject_id,
        action_id=session.action_id,
        session_id=session.session_id,
        partner_id=session.partner_id,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )


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
    return state


positioning = Decider(stream_type="positioning", initial_state=initial_state, decide=decide, evolve=evolve)
