"""Groups: planned with the sessions of their weekly pattern, opened for enrolment, started, closed; their
sessions moved, cancelled or caught up; attendance recorded by their facilitators. The printable register is
`register.py`."""

from __future__ import annotations

import uuid
from datetime import date
from operator import attrgetter
from typing import Annotated

from fastapi import Depends
from pydantic import AwareDatetime, BaseModel, Field

from contracts.programmes import AttendanceMark, GroupSession, Mark, WeeklyPattern
from contracts.rooms import NO_ROOMS, RoomList, load_rooms
from kernel.aggregates import Aggregate
from kernel.api import (
    After,
    Db,
    Id,
    IdFilter,
    Label,
    LabelFilter,
    Limit,
    Now,
    Page,
    Reason,
    RequestBody,
    Settings,
    Store,
    Today,
)
from kernel.auth import Principal
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal
from programmes import access, handlers, queries
from programmes.domain import commands as c
from programmes.domain.group import Group, GroupStatus, SessionState
from programmes.http.common import Director, Facilitator, IdValue, Officer, ScheduleReader

router = service_router("/groups", tags=["groups"])


async def _rooms(settings: Settings) -> RoomList:
    """The establishments' rooms, from the file the settings name (none: every place accepted)."""
    return load_rooms(getattr(settings, "rooms_file", None))


Rooms = Annotated[RoomList, Depends(_rooms)]


class PlanGroupRequest(RequestBody):
    programme_id: IdValue
    establishment: Label
    room: Label
    facilitators: list[Label] = Field(min_length=1, max_length=10, description="the facilitators' user ids")
    partner_organisations: list[IdValue] = Field(
        default_factory=list,
        max_length=10,
        description="the partner organisations (ids) co-facilitating: their accounts run the group; a partner "
        "account is never a facilitator by its user id",
    )
    start_date: date
    end_date: date
    pattern: WeeklyPattern
    capacity: int = Field(ge=1, le=100)


class StartRequest(RequestBody):
    below_minimum_reason: str = Field(
        default="", max_length=1000, description="a DPIP's reason to start below the minimum size"
    )


class MoveRequest(RequestBody):
    starts_at: AwareDatetime
    room: Label | None = None


class CancelRequest(RequestBody):
    reason: Reason


class CatchUpRequest(RequestBody):
    starts_at: AwareDatetime
    room: Label | None = None


class MarkRequest(RequestBody):
    referral_id: IdValue
    mark: AttendanceMark
    reason: str = Field(default="", max_length=1000)


class AttendanceRequest(RequestBody):
    marks: list[MarkRequest] = Field(max_length=100)
    notes: str = Field(default="", max_length=8000, description="facilitator notes (restricted)")


class SessionView(BaseModel):
    session: GroupSession
    cancelled: bool
    held: bool


class GroupView(BaseModel):
    group_id: str
    programme_id: str
    programme_version: int
    establishment: str
    room: str
    facilitators: list[str]
    partner_organisations: list[str] = []
    start_date: date
    end_date: date
    pattern: WeeklyPattern
    capacity: int
    minimum: int
    status: GroupStatus
    participants: int
    waiting: list[str] = Field(description="referral ids in waiting-list order")
    fill_rate: float
    sessions: list[SessionView]
    version: int


class GroupSummary(BaseModel):
    group_id: str
    programme_id: str
    establishment: str
    room: str
    facilitators: list[str]
    partner_organisations: list[str] = []
    start_date: date
    end_date: date
    status: GroupStatus
    capacity: int
    participants: int
    waiting: int
    fill_rate: float


def view(group: Aggregate[Group]) -> GroupView:
    state = group.state
    sessions = sorted(state.sessions.values(), key=attrgetter("session.starts_at"))
    return GroupView(
        **state.model_dump(
            include={
                "group_id",
                "programme_id",
                "programme_version",
                "establishment",
                "room",
                "facilitators",
                "partner_organisations",
                "start_date",
                "end_date",
                "pattern",
                "capacity",
                "minimum",
                "status",
            }
        ),
        participants=len(state.participants),
        waiting=list(state.waiting),
        fill_rate=round(len(state.participants) / state.capacity, 3),
        sessions=[_session_view(s) for s in sessions],
        version=group.version,
    )


def _session_view(state: SessionState) -> SessionView:
    return SessionView(session=state.session, cancelled=state.cancelled, held=state.held)


@router.post(
    "", status_code=201, response_model=GroupView, summary="Plan a group: its sessions are generated"
)
async def plan_group(
    body: PlanGroupRequest, principal: Director, commands: Commands, today: Today, rooms: Rooms
):
    access.ensure_may_plan_in(principal, body.establishment)
    command = c.PlanGroup(
        group_id=str(uuid.uuid4()), today=today, **body.model_dump(exclude={"pattern"}), pattern=body.pattern
    )

    async def action(session, metadata):
        return view(await handlers.plan_group(session, command, metadata, rooms))

    return await commands.run(principal, action, location="/groups/{group_id}")


@router.get("", response_model=Page[GroupSummary], summary="Groups, with fill rate and waiting-list length")
async def list_groups(
    principal: ScheduleReader,
    db: Db,
    programme_id: IdFilter = None,
    status: GroupStatus | None = None,
    establishment: LabelFilter = None,
    limit: Limit = 50,
    after: After = None,
):
    async with db.acquire() as connection:
        listed = await queries.groups(
            connection,
            principal,
            programme_id=programme_id,
            status=status and status.value,
            establishment=establishment,
            limit=limit,
            after=after,
        )
    return Page.of(
        listed, [GroupSummary(**{k: r[k] for k in GroupSummary.model_fields}) for r in listed.rows]
    )


@router.get("/{group_id}", response_model=GroupView, summary="A group and its sessions")
async def get_group(group_id: Id, principal: ScheduleReader, store: Store, journal: Journal):
    found = await handlers.read_group(store, group_id, principal)
    journal.consulted(subject_ids=found.state.participants.values(), establishment=found.state.establishment)
    return view(found)


@router.post("/{group_id}/open", response_model=GroupView, summary="Open the group for enrolment")
async def open_group(group_id: Id, principal: Director, commands: Commands):
    return await _command(group_id, c.OpenGroup(), principal, commands)


@router.post(
    "/{group_id}/start",
    response_model=GroupView,
    summary="Start the group (below its minimum size only by a DPIP, with a reason)",
)
async def start_group(group_id: Id, body: StartRequest, principal: Officer, commands: Commands):
    command = c.StartGroup(below_minimum_reason=body.below_minimum_reason)

    async def action(session, metadata):
        return view(await handlers.start_group(session, group_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=200, resource="/groups/{group_id}")


@router.post(
    "/{group_id}/close", response_model=GroupView, summary="Close the group: completions are computed"
)
async def close_group(group_id: Id, principal: Officer, commands: Commands, today: Today):
    command = c.CloseGroup(today=today)

    async def action(session, metadata):
        return view(await handlers.close_group(session, group_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=200, resource="/groups/{group_id}")


@router.post(
    "/{group_id}/sessions", status_code=201, response_model=GroupView, summary="Add a catch-up session"
)
async def add_catch_up(
    group_id: Id, body: CatchUpRequest, principal: Facilitator, commands: Commands, now: Now, rooms: Rooms
):
    command = c.AddCatchUpSession(starts_at=body.starts_at, room=body.room, now=now)
    return await _command(group_id, command, principal, commands, status_code=201, rooms=rooms)


@router.post("/{group_id}/sessions/{session_id}/move", response_model=GroupView, summary="Move a session")
async def move_session(
    group_id: Id,
    session_id: Id,
    body: MoveRequest,
    principal: Facilitator,
    commands: Commands,
    now: Now,
    rooms: Rooms,
):
    command = c.MoveSession(session_id=session_id, starts_at=body.starts_at, room=body.room, now=now)
    return await _command(group_id, command, principal, commands, rooms=rooms)


@router.post("/{group_id}/sessions/{session_id}/cancel", response_model=GroupView, summary="Cancel a session")
async def cancel_session(
    group_id: Id, session_id: Id, body: CancelRequest, principal: Facilitator, commands: Commands, now: Now
):
    command = c.CancelSession(session_id=session_id, reason=body.reason, now=now)
    return await _command(group_id, command, principal, commands)


@router.post(
    "/{group_id}/sessions/{session_id}/attendance",
    response_model=GroupView,
    summary="Record who attended the session (it was held)",
)
async def record_attendance(
    group_id: Id,
    session_id: Id,
    body: AttendanceRequest,
    principal: Facilitator,
    commands: Commands,
    now: Now,
):
    command = c.RecordAttendance(
        session_id=session_id, marks=[Mark(**m.model_dump()) for m in body.marks], notes=body.notes, now=now
    )
    return await _command(group_id, command, principal, commands)


async def _command(
    group_id: str,
    command: c.Command,
    principal: Principal,
    commands: Commands,
    status_code: int = 200,
    rooms: RoomList = NO_ROOMS,
):
    async def action(session, metadata):
        return view(await handlers.group_command(session, group_id, command, metadata, principal, rooms))

    return await commands.run(principal, action, status_code=status_code, resource="/groups/{group_id}")
