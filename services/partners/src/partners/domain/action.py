"""A catalogue action, created when a proposal is approved: sessions are scheduled, moved or cancelled,
the action is published to the catalogue, the partner reports each delivered session, then it closes.

Overlaps with the sessions of *other* actions (same place or facilitator) are checked by the handler
against the service's session table, whose exclusion constraints also settle races; this module refuses
overlaps inside the action itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.partners import (
    ActionClosed,
    ActionCreated,
    ActionPublished,
    ActionType,
    SessionCancelled,
    SessionMoved,
    SessionReported,
    SessionScheduled,
    SessionSlot,
)
from kernel.clock import local_date
from kernel.decider import Decider
from partners.domain import errors
from partners.domain.commands import (
    CancelSession,
    CloseAction,
    Command,
    CreateAction,
    MoveSession,
    PublishAction,
    ReportSession,
    ScheduleSession,
    SessionPlan,
)
from partners.domain.facts import PartnerStanding
from partners.domain.partner import ensure_may_host


class Session(BaseModel):
    model_config = ConfigDict(frozen=True)

    session_id: str
    slot: SessionSlot
    cancelled: bool = False
    reported: bool = False

    @property
    def pending(self) -> bool:
        return not (self.cancelled or self.reported)


class Action(BaseModel):
    model_config = ConfigDict(frozen=True)

    action_id: str | None = None
    proposal_id: str | None = None
    call_id: str | None = None
    partner_id: str | None = None
    title: str | None = None
    action_type: ActionType | None = None
    theme: str | None = None
    capacity_min: int = 0
    capacity_max: int = 0
    published: bool = False
    closed: bool = False
    sessions: dict[str, Session] = {}


initial_state = Action()


def overlaps(a: SessionSlot, b: SessionSlot) -> tuple[bool, bool]:
    """(same place, shared facilitator) when the two slots overlap in time; half-open intervals."""
    if a.starts_at >= b.ends_at or b.starts_at >= a.ends_at:
        return False, False
    return a.place.casefold() == b.place.casefold(), bool(_folded(a.facilitators) & _folded(b.facilitators))


def _folded(names: list[str]) -> set[str]:
    return {n.strip().casefold() for n in names}


def decide(command: Command, state: Action, facts: PartnerStanding | None = None) -> list[Event]:
    if isinstance(command, CreateAction):
        if state.action_id is not None:
            raise errors.ActionAlreadyExists(f"action {command.action_id} already exists")
        return [ActionCreated(**command.model_dump())]
    if state.action_id is None:
        raise errors.ActionNotFound("no such catalogue action")
    if state.closed:
        raise errors.ActionClosed("the action is closed: nothing more can be recorded")
    action_id = state.action_id
    match command:
        case ScheduleSession():
            if command.session_id in state.sessions:
                raise errors.SessionAlreadyExists(f"session {command.session_id} already exists")
            slot = _new_slot(command, state, facts, ignoring=None)
            return [SessionScheduled(action_id=action_id, session_id=command.session_id, slot=slot)]
        case MoveSession():
            session = _open_session(state, command.session_id)
            if session.slot.starts_at <= command.now:
                raise errors.SessionAlreadyStarted("a session that has started cannot be moved")
            slot = _new_slot(command, state, facts, ignoring=command.session_id)
            return [SessionMoved(action_id=action_id, session_id=command.session_id, slot=slot)]
        case CancelSession():
            session = _open_session(state, command.session_id)
            if session.slot.starts_at <= command.now:
                raise errors.SessionAlreadyStarted(
                    "a session that has started is reported (held or not), not cancelled"
                )
            return [
                SessionCancelled(action_id=action_id, session_id=command.session_id, reason=command.reason)
            ]
        case PublishAction():
            if state.published:
                raise errors.ActionAlreadyPublished("the action is already in the catalogue")
            if not any(s.pending for s in state.sessions.values()):
                raise errors.ActionWithoutSession(
                    "schedule at least one session before publishing the action"
                )
            return [ActionPublished(action_id=action_id)]
        case ReportSession():
            session = _open_session(state, command.session_id)
            if session.slot.starts_at > command.now:
                raise errors.SessionNotYetHeld("a session is reported once it has started")
            if not 0 <= command.present_count <= state.capacity_max or (
                not command.held and command.present_count
            ):
                raise errors.PresentCountInvalid(
                    f"present participants are 0 to {state.capacity_max}, and 0 for a session not held"
                )
            return [
                SessionReported(
                    action_id=action_id,
                    session_id=command.session_id,
                    held=command.held,
                    present_count=command.present_count,
                    notes=command.notes,
                )
            ]
        case CloseAction():
            if unreported := [s for s in state.sessions.values() if s.pending]:
                raise errors.SessionReportMissing(
                    f"{len(unreported)} session(s) are neither reported nor cancelled"
                )
            return [ActionClosed(action_id=action_id)]
    raise TypeError(f"the action aggregate does not handle {type(command).__name__}")


def _open_session(state: Action, session_id: str) -> Session:
    session = state.sessions.get(session_id)
    if session is None:
        raise errors.SessionNotFound(f"no session {session_id} in this action")
    if session.cancelled:
        raise errors.SessionCancelled("the session was cancelled")
    if session.reported:
        raise errors.SessionAlreadyReported("the session was already reported")
    return session


def _new_slot(
    command: SessionPlan, state: Action, partner: PartnerStanding, *, ignoring: str | None
) -> SessionSlot:
    if command.starts_at <= command.now:
        raise errors.SessionInThePast(
            f"the session of {command.starts_at:%Y-%m-%d %H:%M} would be in the past"
        )
    ensure_may_host(partner, local_date(command.starts_at))
    slot = SessionSlot(
        starts_at=command.starts_at,
        ends_at=command.starts_at + timedelta(minutes=command.duration_minutes),
        place=command.place.strip(),
        facilitators=[f.strip() for f in command.facilitators if f.strip()],
    )
    for other in state.sessions.values():
        if other.session_id == ignoring or other.cancelled:
            continue
        same_place, same_facilitator = overlaps(slot, other.slot)
        _refuse_overlap(same_place, same_facilitator, other.slot.starts_at)
    return slot


def _refuse_overlap(same_place: bool, same_facilitator: bool, other_start: datetime) -> None:
    when = f"{other_start:%Y-%m-%d %H:%M}"
    if same_place:
        raise errors.PlaceDoubleBooked(f"the place is already booked by the session of {when}")
    if same_facilitator:
        raise errors.FacilitatorDoubleBooked(f"a facilitator already runs the session of {when}")


def evolve(state: Action, event: Event) -> Action:
    match event:
        case ActionCreated():
            return Action(**event.model_dump())
        case SessionScheduled():
            session = Session(session_id=event.session_id, slot=event.slot)
            return state.model_copy(update={"sessions": {**state.sessions, event.session_id: session}})
        case SessionMoved():
            return _with_session(state, event.session_id, slot=event.slot)
        case SessionCancelled():
            return _with_session(state, event.session_id, cancelled=True)
        case SessionReported():
            return _with_session(state, event.session_id, reported=True)
        case ActionPublished():
            return state.model_copy(update={"published": True})
        case ActionClosed():
            return state.model_copy(update={"closed": True})
    return state


def _with_session(state: Action, session_id: str, **changes) -> Action:
    session = state.sessions[session_id].model_copy(update=changes)
    return state.model_copy(update={"sessions": {**state.sessions, session_id: session}})


action = Decider(stream_type="action", initial_state=initial_state, decide=decide, evolve=evolve)
