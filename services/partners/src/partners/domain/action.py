"""A catalogue action, created when a proposal is approved: sessions are scheduled, moved or cancelled,
the action is published to the catalogue, the partner reports each delivered session, then it closes.

Overlaps with the sessions of *other* actions (same place or facilitator) are checked by the handler
against the service's session table, whose exclusion constraints also settle races; this module refuses
overlaps inside the action itself. An action created from an approved proposal schedules the sessions the
proposal planned under the same rules, the other actions' sessions given as facts (`NewActionFacts`); one
that breaks a rule is recorded as not scheduled, and the action is created all the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, ValidationError

from contracts import Event
from contracts.partners import (
    ActionClosed,
    ActionCreated,
    ActionPublished,
    ActionType,
    PlannedSessionNotScheduled,
    SessionCancelled,
    SessionMoved,
    SessionReported,
    SessionScheduled,
    SessionSlot,
)
from kernel.clock import local_date
from kernel.decider import Decider
from kernel.errors import DomainError, InvalidValue
from kernel.wording import moment
from partners.domain import errors, names
from partners.domain.commands import (
    CancelSession,
    CloseAction,
    Command,
    CreateAction,
    MoveSession,
    PlannedSlot,
    PublishAction,
    ReportSession,
    ScheduleSession,
    SessionPlan,
)
from partners.domain.facts import NewActionFacts, PartnerStanding
from partners.domain.partner import ensure_may_host


class NotScheduled(BaseModel):
    """A session the proposal planned that the action could not schedule, and the rule it broke."""

    model_config = ConfigDict(frozen=True)

    starts_at: datetime
    duration_minutes: int
    place: str
    rule: str
    detail: str


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
    planned_sessions_not_scheduled: tuple[NotScheduled, ...] = ()


initial_state = Action()


def overlaps(a: SessionSlot, b: SessionSlot) -> tuple[bool, bool]:
    """(same place, shared facilitator) when the two slots overlap in time; half-open intervals."""
    if a.starts_at >= b.ends_at or b.starts_at >= a.ends_at:
        return False, False
    return a.place.casefold() == b.place.casefold(), bool(_folded(a.facilitators) & _folded(b.facilitators))


def _folded(names: list[str]) -> set[str]:
    return {n.strip().casefold() for n in names}


def decide(
    command: Command, state: Action, facts: PartnerStanding | NewActionFacts | None = None
) -> list[Event]:
    """`facts`: the organisation's standing for a session plan; `NewActionFacts` for a creation."""
    if isinstance(command, CreateAction):
        if state.action_id is not None:
            raise errors.ActionAlreadyExists(
                f"{names.action(state.title)} already exists",
                existing=f"/actions/{command.action_id}",
                action_id=command.action_id,
            )
        return _create(command, facts)
    if state.action_id is None:
        raise errors.ActionNotFound("no such catalogue action")
    named = names.action(state.title)
    if state.closed:
        raise errors.ActionClosed(f"{named} is closed: nothing more can be recorded")
    action_id = state.action_id
    match command:
        case ScheduleSession():
            if existing := state.sessions.get(command.session_id):
                raise errors.SessionAlreadyExists(
                    f"{_named(existing)} of {named} already exists", session_id=command.session_id
                )
            slot = _new_slot(command, state, facts, ignoring=None)
            return [SessionScheduled(action_id=action_id, session_id=command.session_id, slot=slot)]
        case MoveSession():
            session = _open_session(state, command.session_id)
            if session.slot.starts_at <= command.now:
                raise errors.SessionAlreadyStarted(f"{_named(session)} has started: it cannot be moved")
            slot = _new_slot(command, state, facts, ignoring=command.session_id)
            return [SessionMoved(action_id=action_id, session_id=command.session_id, slot=slot)]
        case CancelSession():
            session = _open_session(state, command.session_id)
            if session.slot.starts_at <= command.now:
                raise errors.SessionAlreadyStarted(
                    f"{_named(session)} has started: it is reported (held or not), not cancelled"
                )
            return [
                SessionCancelled(action_id=action_id, session_id=command.session_id, reason=command.reason)
            ]
        case PublishAction():
            if state.published:
                raise errors.ActionAlreadyPublished(f"{named} is already in the catalogue")
            if not any(s.pending for s in state.sessions.values()):
                raise errors.ActionWithoutSession(
                    f"{named} has no session to hold: schedule at least one before publishing it"
                )
            return [ActionPublished(action_id=action_id)]
        case ReportSession():
            session = _open_session(state, command.session_id)
            if session.slot.starts_at > command.now:
                raise errors.SessionNotYetHeld(
                    f"{_named(session)} has not started: it is reported once it has"
                )
            if not 0 <= command.present_count <= state.capacity_max or (
                not command.held and command.present_count
            ):
                raise errors.PresentCountInvalid(
                    f"present participants at {_named(session)} are 0 to {state.capacity_max}, and 0 for a "
                    "session not held"
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
            if unreported := sorted(
                (s for s in state.sessions.values() if s.pending), key=lambda s: s.slot.starts_at
            ):
                shown = "; ".join(_named(s) for s in unreported[:3])
                more = f" and {len(unreported) - 3} more" if len(unreported) > 3 else ""
                raise errors.SessionReportMissing(
                    f"{len(unreported)} session(s) of {named} are neither reported nor cancelled: report or "
                    f"cancel {shown}{more} before closing it",
                    session_ids=[s.session_id for s in unreported],
                )
            return [ActionClosed(action_id=action_id)]
    raise TypeError(f"the action aggregate does not handle {type(command).__name__}")


def _create(command: CreateAction, facts: NewActionFacts) -> list[Event]:
    """The action, then each planned session in the proposal's order: scheduled if `ScheduleSession` would
    accept it (and no other action holds its place or a facilitator then), else recorded as not scheduled."""
    created = ActionCreated(**command.model_dump(include=set(ActionCreated.model_fields)))
    events: list[Event] = [created]
    state = evolve(initial_state, created)
    for planned in command.planned_sessions:
        try:
            event = _scheduled(planned, command, state, facts)
        except DomainError as refused:
            events.append(_not_scheduled(command.action_id, planned, refused))
            continue
        except ValidationError as invalid:  # e.g. a place of blanks: the proposal's contract let it through
            refused = InvalidValue(
                f"the planned session's slot is invalid ({invalid.error_count()} error(s))"
            )
            events.append(_not_scheduled(command.action_id, planned, refused))
            continue
        events.append(event)
        state = evolve(state, event)
    return events


def _scheduled(
    planned: PlannedSlot, command: CreateAction, state: Action, facts: NewActionFacts
) -> SessionScheduled:
    plan = ScheduleSession(
        session_id=planned.session_id,
        starts_at=planned.starts_at,
        duration_minutes=planned.duration_minutes,
        place=planned.place,
        facilitators=command.facilitators,
        now=command.now,
    )
    slot = _new_slot(plan, state, facts.partner, ignoring=None)
    for other in facts.taken:
        _refuse_overlap(*overlaps(slot, other), other.starts_at, slot.place, elsewhere=True)
    return SessionScheduled(action_id=state.action_id, session_id=planned.session_id, slot=slot)


def _not_scheduled(action_id: str, planned: PlannedSlot, refused: DomainError) -> PlannedSessionNotScheduled:
    return PlannedSessionNotScheduled(
        action_id=action_id,
        starts_at=planned.starts_at,
        duration_minutes=planned.duration_minutes,
        place=planned.place,
        rule=refused.code,
        detail=refused.message[:1000],
    )


def _named(session: Session) -> str:
    return names.session(session.slot.starts_at, session.slot.place)


def _open_session(state: Action, session_id: str) -> Session:
    session = state.sessions.get(session_id)
    if session is None:
        raise errors.SessionNotFound(
            f"{names.action(state.title)} has no session {session_id}", session_id=session_id
        )
    if session.cancelled:
        raise errors.SessionCancelled(f"{_named(session)} was cancelled")
    if session.reported:
        raise errors.SessionAlreadyReported(f"{_named(session)} was already reported")
    return session


def _new_slot(
    command: SessionPlan, state: Action, partner: PartnerStanding, *, ignoring: str | None
) -> SessionSlot:
    if command.starts_at <= command.now:
        raise errors.SessionInThePast(
            f"{names.session(command.starts_at, command.place.strip())} would be in the past"
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
        _refuse_overlap(same_place, same_facilitator, other.slot.starts_at, slot.place)
    return slot


def _refuse_overlap(
    same_place: bool, same_facilitator: bool, other_start: datetime, place: str, *, elsewhere: bool = False
) -> None:
    whose = "another action's session" if elsewhere else "the action's session"
    when = moment(other_start)
    if same_place:
        raise errors.PlaceDoubleBooked(f"the place «{place}» is already booked by {whose} on {when}")
    if same_facilitator:
        raise errors.FacilitatorDoubleBooked(f"a facilitator already runs {whose} on {when}")


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
        case PlannedSessionNotScheduled():
            dropped = NotScheduled(**event.model_dump(exclude={"action_id"}))
            return state.model_copy(
                update={"planned_sessions_not_scheduled": (*state.planned_sessions_not_scheduled, dropped)}
            )
        case ActionPublished():
            return state.model_copy(update={"published": True})
        case ActionClosed():
            return state.model_copy(update={"closed": True})
    return state


def _with_session(state: Action, session_id: str, **changes) -> Action:
    session = state.sessions[session_id].model_copy(update=changes)
    return state.model_copy(update={"sessions": {**state.sessions, session_id: session}})


action = Decider(stream_type="action", initial_state=initial_state, decide=decide, evolve=evolve)
