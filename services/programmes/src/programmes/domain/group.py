"""A group (*groupe*): one run of a programme in an establishment. Planned with the sessions its weekly
pattern generates → open for enrolment → started → closed. Holds the seats, the ordered waiting list and
the attendance register.

Room, facilitator and participant double-booking across groups are constraints of the service's session
tables (`store.py`), which also settle races (ADR 9). Who takes a freed seat, and what a start or a close
means for each person's referral, is `seats.py`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.programmes import (
    AttendanceMark,
    AttendanceRecorded,
    CatchUpSessionAdded,
    FacilitatorNotesRecorded,
    GroupClosed,
    GroupOpened,
    GroupPlanned,
    GroupSession,
    GroupSessionCancelled,
    GroupSessionMoved,
    GroupStarted,
    ParticipantEnrolled,
    ParticipantLeft,
    ParticipantWaitlisted,
    WeeklyPattern,
)
from kernel.clock import local_date
from kernel.decider import Decider
from kernel.errors import InvalidValue
from kernel.wording import day, moment
from programmes.domain import errors, names, schedule
from programmes.domain.commands import (
    AddCatchUpSession,
    CancelSession,
    CloseGroup,
    Command,
    EnrolParticipant,
    MoveSession,
    OpenGroup,
    PlanGroup,
    RecordAttendance,
    RemoveParticipant,
    StartGroup,
    WaitlistParticipant,
)
from programmes.domain.facts import Caller, PlacementFacts, ProgrammeFacts, ReferralNames

ATTENDED = frozenset({AttendanceMark.PRESENT, AttendanceMark.LATE})
NEEDS_REASON = frozenset({AttendanceMark.ABSENT_EXCUSED, AttendanceMark.EXCLUDED_FROM_SESSION})


class GroupStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    STARTED = "started"
    CLOSED = "closed"


class SessionState(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    session: GroupSession
    cancelled: bool = False
    held: bool = False

    @property
    def pending(self) -> bool:
        return not (self.cancelled or self.held)


class Group(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    group_id: str | None = None
    programme_id: str | None = None
    programme_version: int = 0
    establishment: str = ""
    room: str = ""
    facilitators: list[str] = []  # staff, by user id
    partner_organisations: list[str] = []  # the partner organisations co-facilitating, by id
    start_date: date | None = None
    end_date: date | None = None
    pattern: WeeklyPattern | None = None
    capacity: int = 0
    minimum: int = 0
    sensitive: bool = False
    status: GroupStatus = GroupStatus.PLANNED
    closed_on: date | None = None
    sessions: dict[str, SessionState] = {}
    participants: dict[str, str] = {}  # referral id -> subject id, in enrolment order
    waiting: dict[str, str] = {}  # referral id -> subject id, in waiting-list order
    marks: dict[str, dict[str, AttendanceMark]] = {}  # referral id -> session id -> mark

    @property
    def seats_left(self) -> int:
        return max(self.capacity - len(self.participants), 0)

    @property
    def enrolling(self) -> bool:
        """Open for enrolment: before its start, and while it runs (a freed seat is taken)."""
        return self.status in (GroupStatus.OPEN, GroupStatus.STARTED)

    def is_facilitator(self, user: str) -> bool:
        return user.strip().casefold() in {f.strip().casefold() for f in self.facilitators}


initial_state = Group()


def participation(state: Group, referral_id: str) -> tuple[int, int]:
    """(sessions attended, sessions counted): held sessions while a participant, excused absences aside."""
    marks = state.marks.get(referral_id, {}).values()
    counted = [m for m in marks if m != AttendanceMark.ABSENT_EXCUSED]
    return sum(m in ATTENDED for m in counted), len(counted)


def placement(state: Group, named: ReferralNames | None = None) -> PlacementFacts:
    """What a referral placed in the group knows of it; `named`: how the referral's refusals name the person
    and the programme."""
    return PlacementFacts(
        programme_id=state.programme_id,
        started=state.status == GroupStatus.STARTED,
        group=names.group(state.start_date),
        **(named or ReferralNames()).model_dump(),
    )


def decide(command: Command, state: Group, facts: ProgrammeFacts | Caller | None = None) -> list[Event]:
    """`facts`: the programme's, to plan a group; the caller's rights, to start one."""
    if isinstance(command, PlanGroup):
        if state.group_id is not None:
            of = (
                names.programme_of(facts.definition)
                if isinstance(facts, ProgrammeFacts) and facts.programme_id == state.programme_id
                else ""
            )
            raise errors.GroupAlreadyExists(
                f"{names.group(state.start_date, of)} already exists",
                existing=f"/groups/{command.group_id}",
                group_id=command.group_id,
            )
        if not isinstance(facts, ProgrammeFacts):
            raise TypeError("a group is planned knowing its programme's facts")
        return [_plan(command, facts)]
    if state.group_id is None:
        raise errors.GroupNotFound("no such group")
    if state.status == GroupStatus.CLOSED:
        if isinstance(command, RemoveParticipant):
            return []  # a referral ending after the close leaves the register as it was
        raise errors.GroupClosed(
            f"{names.group(state.start_date)} closed on {day(state.closed_on)}: nothing more can be recorded"
        )
    group_id = state.group_id
    match command:
        case OpenGroup():
            if state.status != GroupStatus.PLANNED:
                raise errors.GroupNotPlanned(
                    f"{names.group(state.start_date)} is {state.status.value}: only a planned group is opened "
                    "for enrolment"
                )
            return [GroupOpened(group_id=group_id)]
        case StartGroup():
            return [_start(command, state, may_override=isinstance(facts, Caller) and facts.may_override)]
        case MoveSession():
            _pending_session(state, command.session_id, command.now)
            _ensure_in_period(state, command.starts_at, command.now)
            old = state.sessions[command.session_id].session
            return [
                GroupSessionMoved(
                    group_id=group_id,
                    session_id=command.session_id,
                    starts_at=command.starts_at,
                    ends_at=command.starts_at + (old.ends_at - old.starts_at),
                    room=command.room or old.room,
                )
            ]
        case CancelSession():
            _session(state, command.session_id)
            return [
                GroupSessionCancelled(group_id=group_id, session_id=command.session_id, reason=command.reason)
            ]
        case AddCatchUpSession():
            _ensure_in_period(state, command.starts_at, command.now)
            number = max(s.session.number for s in state.sessions.values()) + 1
            session = GroupSession(
                session_id=schedule.session_id(group_id, number),
                number=number,
                starts_at=command.starts_at,
                ends_at=command.starts_at + timedelta(minutes=state.pattern.duration_minutes),
                room=command.room or state.room,
                catch_up=True,
            )
            return [CatchUpSessionAdded(group_id=group_id, session=session)]
        case EnrolParticipant():
            _ensure_enrolling(state)
            if command.referral_id in state.participants:
                raise errors.ReferralAlreadyPlaced(
                    f"the person is already a participant of {names.group(state.start_date)}"
                )
            if not state.seats_left:
                raise errors.GroupFull(
                    f"all {state.capacity} seats of {names.group(state.start_date)} are taken: put the person on "
                    "its waiting list"
                )
            return [
                ParticipantEnrolled(
                    group_id=group_id, referral_id=command.referral_id, subject_id=command.subject_id
                )
            ]
        case WaitlistParticipant():
            _ensure_enrolling(state)
            if command.referral_id in state.participants or command.referral_id in state.waiting:
                raise errors.ReferralAlreadyPlaced(
                    f"the person is already a participant of {names.group(state.start_date)}, or on its waiting "
                    "list"
                )
            if state.seats_left:
                raise errors.GroupHasSeats(
                    f"{names.group(state.start_date)} has {state.seats_left} seat(s) left: enrol the person "
                    "instead"
                )
            return [
                ParticipantWaitlisted(
                    group_id=group_id, referral_id=command.referral_id, subject_id=command.subject_id
                )
            ]
        case RemoveParticipant():
            if command.referral_id not in state.participants and command.referral_id not in state.waiting:
                return []
            return [
                ParticipantLeft(group_id=group_id, referral_id=command.referral_id, reason=command.reason)
            ]
        case RecordAttendance():
            return _attendance(command, state)
        case CloseGroup():
            if state.status != GroupStatus.STARTED:
                raise errors.GroupNotStarted(
                    f"{names.group(state.start_date)} is {state.status.value}: a group closes once it has started"
                )
            if pending := sorted(
                (s.session for s in state.sessions.values() if s.pending), key=lambda s: s.starts_at
            ):
                shown = "; ".join(names.session(s) for s in pending[:3])
                more = f" and {len(pending) - 3} more" if len(pending) > 3 else ""
                raise errors.SessionsNotRecorded(
                    f"{len(pending)} session(s) have neither attendance nor a cancellation: record the attendance "
                    f"or the cancellation of {shown}{more} before closing the group",
                    session_ids=[s.session_id for s in pending],
                )
            return [GroupClosed(group_id=group_id, closed_on=command.today)]
    raise TypeError(f"the group aggregate does not handle {type(command).__name__}")


def _plan(command: PlanGroup, programme: ProgrammeFacts) -> GroupPlanned:
    definition = programme.definition
    if programme.withdrawn:
        raise errors.ProgrammeWithdrawn(f"{names.programme_of(definition)} was withdrawn from the catalogue")
    if not definition.group_min <= command.capacity <= definition.group_max:
        raise errors.CapacityOutsideProgrammeLimits(
            f"{definition.code} groups take {definition.group_min} to {definition.group_max} people, not "
            f"{command.capacity}"
        )
    if command.start_date < command.today or command.end_date < command.start_date:
        raise errors.GroupPeriodInvalid(
            f"the group runs from today or later, and ends on or after its start (from {day(command.start_date)} "
            f"to {day(command.end_date)})"
        )
    count = definition.planned_sessions + (1 if definition.review_session else 0)
    sessions = schedule.generate(
        command.group_id, command.start_date, command.pattern, count, command.room, definition.review_session
    )
    if local_date(sessions[-1].starts_at) > command.end_date:
        raise errors.SessionOutsideGroupPeriod(
            f"the pattern's {count} sessions run until {day(local_date(sessions[-1].starts_at))}, after the "
            f"group's end, on {day(command.end_date)}"
        )
    return GroupPlanned(
        group_id=command.group_id,
        programme_id=programme.programme_id,
        programme_version=programme.version,
        establishment=command.establishment,
        room=command.room,
        facilitators=command.facilitators,
        start_date=command.start_date,
        end_date=command.end_date,
        pattern=command.pattern,
        capacity=command.capacity,
        minimum=definition.group_min,
        sensitive=definition.sensitive,
        sessions=sessions,
        partner_organisations=list(dict.fromkeys(command.partner_organisations)),
    )


def _start(command: StartGroup, state: Group, *, may_override: bool) -> GroupStarted:
    if state.status != GroupStatus.OPEN:
        raise errors.GroupNotOpenForEnrolment(
            f"{names.group(state.start_date)} is {state.status.value}: only a group open for enrolment starts"
        )
    reason, below = command.below_minimum_reason.strip(), len(state.participants) < state.minimum
    if below and not reason:
        raise errors.GroupBelowMinimum(
            f"{len(state.participants)} participant(s), the minimum is {state.minimum}: a DPIP may start it "
            "anyway with a reason"
        )
    if below and not may_override:
        raise errors.OverrideNeedsDpip("only a DPIP starts a group below its minimum size")
    return GroupStarted(
        group_id=state.group_id,
        participants=len(state.participants),
        below_minimum_reason=reason if below else "",
    )


def _session(state: Group, session_id: str) -> SessionState:
    found = state.sessions.get(session_id)
    if found is None:
        raise errors.SessionNotFound(
            f"{names.group(state.start_date)} has no session {session_id}", session_id=session_id
        )
    if found.cancelled:
        raise errors.SessionCancelled(f"{names.session(found.session)} was cancelled")
    if found.held:
        raise errors.SessionAlreadyHeld(
            f"{names.session(found.session)} was held: its attendance is recorded"
        )
    return found


def _pending_session(state: Group, session_id: str, now: datetime) -> SessionState:
    found = _session(state, session_id)
    if found.session.starts_at <= now:
        raise errors.SessionInThePast(f"{names.session(found.session)} has started: it cannot be moved")
    return found


def _ensure_in_period(state: Group, starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise errors.SessionInThePast(f"{moment(starts_at)} is in the past")
    if not state.start_date <= local_date(starts_at) <= state.end_date:
        raise errors.SessionOutsideGroupPeriod(
            f"{moment(starts_at)} is outside the group's period: it runs from {day(state.start_date)} to "
            f"{day(state.end_date)}"
        )


def _ensure_enrolling(state: Group) -> None:
    if not state.enrolling:
        raise errors.GroupNotOpenForEnrolment(
            f"{names.group(state.start_date)} is {state.status.value}: it is not open for enrolment yet"
        )


def _attendance(command: RecordAttendance, state: Group) -> list[Event]:
    if state.status != GroupStatus.STARTED:
        raise errors.GroupNotStarted(
            f"{names.group(state.start_date)} is {state.status.value}: attendance is recorded once it has "
            "started"
        )
    found = state.sessions.get(command.session_id)
    if found is None:
        raise errors.SessionNotFound(
            f"{names.group(state.start_date)} has no session {command.session_id}",
            session_id=command.session_id,
        )
    session = names.session(found.session)
    if found.cancelled:
        raise errors.SessionCancelled(f"{session} was cancelled: no attendance is recorded on it")
    if found.session.starts_at > command.now:
        raise errors.SessionNotYetStarted(f"{session} has not started: attendance is recorded once it has")
    marked = [m.referral_id for m in command.marks]
    if len(set(marked)) != len(marked):
        raise InvalidValue(f"a participant is marked twice for {session}")
    # The group knows its participants by referral only: their names are not the decision's to tell.
    if strangers := sorted(set(marked) - state.participants.keys()):
        raise errors.AttendanceNonParticipant(
            f"{len(strangers)} of the people marked for {session} are not participants of the group: "
            f"{', '.join(strangers)}",
            referral_ids=strangers,
        )
    # A first record marks everyone; a correction, those it marked who still take part (a newcomer since
    # then was not there).
    expected = (
        state.participants.keys()
        if not found.held
        else {r for r in state.participants if command.session_id in state.marks.get(r, {})}
    )
    if missing := sorted(expected - set(marked)):
        raise errors.AttendanceIncomplete(
            f"{len(missing)} participant(s) have no mark for {session}: {', '.join(missing)}",
            referral_ids=missing,
        )
    if any(m.mark in NEEDS_REASON and not m.reason.strip() for m in command.marks):
        raise errors.ReasonRequired(f"an excused absence or an exclusion from {session} needs a reason")
    # Each mark names its participant, whose key seals its reason (the group's stream has no person's key).
    marks = [m.model_copy(update={"subject_id": state.participants[m.referral_id]}) for m in command.marks]
    events: list[Event] = [
        AttendanceRecorded(group_id=state.group_id, session_id=command.session_id, marks=marks)
    ]
    if command.notes.strip():
        events.append(
            FacilitatorNotesRecorded(
                group_id=state.group_id, session_id=command.session_id, notes=command.notes.strip()
            )
        )
    return events


def evolve(state: Group, event: Event) -> Group:
    match event:
        case GroupPlanned():
            values = event.model_dump(exclude={"sessions"})
            return Group(**values, sessions={s.session_id: SessionState(session=s) for s in event.sessions})
        case GroupOpened():
            return state.model_copy(update={"status": GroupStatus.OPEN})
        case GroupStarted():
            return state.model_copy(update={"status": GroupStatus.STARTED})
        case GroupClosed():
            return state.model_copy(update={"status": GroupStatus.CLOSED, "closed_on": event.closed_on})
        case GroupSessionMoved():
            moved = state.sessions[event.session_id].session.model_copy(
                update={"starts_at": event.starts_at, "ends_at": event.ends_at, "room": event.room}
            )
            return _with_session(state, SessionState(session=moved))
        case GroupSessionCancelled():
            return _with_session(
                state, state.sessions[event.session_id].model_copy(update={"cancelled": True})
            )
        case CatchUpSessionAdded():
            return _with_session(state, SessionState(session=event.session))
        case ParticipantEnrolled():
            waiting = {k: v for k, v in state.waiting.items() if k != event.referral_id}
            return state.model_copy(
                update={
                    "participants": {**state.participants, event.referral_id: event.subject_id},
                    "waiting": waiting,
                }
            )
        case ParticipantWaitlisted():
            return state.model_copy(
                update={"waiting": {**state.waiting, event.referral_id: event.subject_id}}
            )
        case ParticipantLeft():
            return state.model_copy(
                update={
                    "participants": {k: v for k, v in state.participants.items() if k != event.referral_id},
                    "waiting": {k: v for k, v in state.waiting.items() if k != event.referral_id},
                }
            )
        case AttendanceRecorded():
            marks = dict(state.marks)
            for mark in event.marks:
                marks[mark.referral_id] = {**marks.get(mark.referral_id, {}), event.session_id: mark.mark}
            held = state.sessions[event.session_id].model_copy(update={"held": True})
            return _with_session(state, held).model_copy(update={"marks": marks})
    return state


def _with_session(state: Group, session: SessionState) -> Group:
    return state.model_copy(update={"sessions": {**state.sessions, session.session.session_id: session}})


group = Decider(stream_type="group", initial_state=initial_state, decide=decide, evolve=evolve)
