"""Catalogue actions: the sessions of an approved proposal, scheduled and reported by the partner (or IPRO
on its behalf), published to the catalogue and closed by IPRO management."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Annotated

from fastapi import Query
from pydantic import AwareDatetime, BaseModel, Field

from contracts.partners import ActionType, SessionSlot
from contracts.rooms import NO_ROOMS, RoomList
from kernel.aggregates import Aggregate
from kernel.api import After, Db, Id, Label, Limit, Now, Page, Reason, RequestBody, Store, day_query
from kernel.clock import start_of_day
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal
from partners import access, handlers, queries
from partners.domain import commands as c
from partners.domain.action import Action
from partners.http.common import Manager, Organiser, Reader, Rooms

router = service_router("/actions", tags=["catalogue actions"])
catalogue_router = service_router("/catalogue", tags=["catalogue actions"])


class SessionRequest(RequestBody):
    starts_at: AwareDatetime = Field(description="with its UTC offset, e.g. 2026-12-03T14:00:00+01:00")
    duration_minutes: int = Field(gt=0, le=24 * 60)
    place: Label = Field(examples=["Salle polyvalente, bâtiment B"])
    facilitators: list[Label] = Field(default_factory=list, max_length=50)


class CancelRequest(RequestBody):
    reason: Reason


class ReportRequest(RequestBody):
    held: bool
    present_count: int = Field(ge=0, le=1000)
    notes: str = Field(default="", max_length=4000)


class SessionView(BaseModel):
    session_id: str
    slot: SessionSlot
    cancelled: bool
    reported: bool


class NotScheduledView(BaseModel):
    """A session the proposal planned that the action could not schedule when it was approved."""

    starts_at: datetime
    duration_minutes: int
    place: str
    rule: str = Field(description="the code of the scheduling rule it broke, e.g. place-double-booked")
    detail: str


class ActionView(BaseModel):
    action_id: str
    proposal_id: str
    call_id: str
    partner_id: str
    title: str
    action_type: ActionType
    theme: str
    capacity_min: int
    capacity_max: int
    published: bool
    closed: bool
    sessions: list[SessionView]
    planned_sessions_not_scheduled: list[NotScheduledView] = Field(
        description="planned sessions of the approved proposal that could not be scheduled, and why"
    )
    version: int


class CatalogueSession(BaseModel):
    session_id: str
    starts_at: datetime
    ends_at: datetime
    place: str
    seats_left: int


class CatalogueEntry(BaseModel):
    action_id: str
    partner_id: str
    title: str
    action_type: ActionType
    theme: str
    capacity_max: int
    sessions: list[CatalogueSession]


@router.post(
    "/{action_id}/sessions", status_code=201, response_model=ActionView, summary="Schedule a session"
)
async def schedule(
    action_id: Id, body: SessionRequest, principal: Organiser, commands: Commands, now: Now, rooms: Rooms
):
    command = c.ScheduleSession(session_id=str(uuid.uuid4()), **body.model_dump(), now=now)
    return await _change(action_id, command, principal, commands, status_code=201, rooms=rooms)


@router.post("/{action_id}/sessions/{session_id}/move", response_model=ActionView, summary="Move a session")
async def move(
    action_id: Id,
    session_id: Id,
    body: SessionRequest,
    principal: Organiser,
    commands: Commands,
    now: Now,
    rooms: Rooms,
):
    command = c.MoveSession(session_id=session_id, **body.model_dump(), now=now)
    return await _change(action_id, command, principal, commands, rooms=rooms)


@router.post(
    "/{action_id}/sessions/{session_id}/cancel",
    response_model=ActionView,
    summary="Cancel a session, with a reason",
)
async def cancel(
    action_id: Id, session_id: Id, body: CancelRequest, principal: Organiser, commands: Commands, now: Now
):
    command = c.CancelSession(session_id=session_id, reason=body.reason, now=now)
    return await _change(action_id, command, principal, commands)


@router.post(
    "/{action_id}/sessions/{session_id}/report",
    response_model=ActionView,
    summary="Report a delivered session: held, number present, notes",
)
async def report(
    action_id: Id, session_id: Id, body: ReportRequest, principal: Organiser, commands: Commands, now: Now
):
    command = c.ReportSession(session_id=session_id, **body.model_dump(), now=now)
    return await _change(action_id, command, principal, commands)


@router.post("/{action_id}/publish", response_model=ActionView, summary="Publish the action to the catalogue")
async def publish(action_id: Id, principal: Manager, commands: Commands):
    return await _change(action_id, c.PublishAction(), principal, commands)


@router.post("/{action_id}/close", response_model=ActionView, summary="Close the action")
async def close(action_id: Id, principal: Manager, commands: Commands):
    return await _change(action_id, c.CloseAction(), principal, commands)


async def _change(
    action_id: str,
    command: c.Command,
    principal,
    commands: Commands,
    status_code: int = 200,
    rooms: RoomList = NO_ROOMS,
):
    async def run(session, metadata):
        return _view(await handlers.action_command(session, action_id, command, metadata, principal, rooms))

    return await commands.run(principal, run, status_code=status_code, resource="/actions/{action_id}")


@router.get("/{action_id}", response_model=ActionView, summary="A catalogue action and all its sessions")
async def get_action(action_id: Id, principal: Reader, store: Store, journal: Journal) -> ActionView:
    # Its sessions name the partner's facilitators (personal data): journaled, masked for auditors (ADR 31).
    return _view(await handlers.read_action(store, action_id, principal))


@catalogue_router.get(
    "",
    response_model=Page[CatalogueEntry],
    summary="The catalogue: published actions and their coming sessions",
)
async def list_catalogue(
    principal: Reader,
    db: Db,
    now: Now,
    action_type: ActionType | None = None,
    theme: Annotated[str | None, Query(max_length=200)] = None,
    starts_from: Annotated[date | None, day_query("sessions on or after this day")] = None,
    starts_until: Annotated[date | None, day_query("sessions on or before this day")] = None,
    # No action holds more than 1,000 people (`ProposalContent.capacity_max`): a larger ask is bad input.
    min_seats_left: Annotated[int | None, Query(ge=1, le=1000)] = None,
    limit: Limit = 100,
    after: After = None,
) -> Page[CatalogueEntry]:
    async with db.acquire() as connection:
        listed = await queries.catalogue(
            connection,
            action_type=action_type.value if action_type else None,
            theme=theme,
            # Date filters are the establishment's calendar days, both ends included.
            starts_from=starts_from and start_of_day(starts_from),
            starts_until=starts_until and start_of_day(starts_until + timedelta(days=1)),
            min_seats_left=min_seats_left,
            only_partner=access.listed_organisation(principal, None),
            now=now,
            limit=limit,
            after=after,
        )
    return Page.of(listed, [CatalogueEntry.model_validate(dict(row)) for row in listed.rows])


def _view(found: Aggregate[Action]) -> ActionView:
    state = found.state
    sessions = sorted(state.sessions.values(), key=attrgetter("slot.starts_at"))
    return ActionView(
        **state.model_dump(exclude={"sessions", "planned_sessions_not_scheduled"}),
        sessions=[SessionView(**s.model_dump()) for s in sessions],
        planned_sessions_not_scheduled=[
            NotScheduledView(**s.model_dump()) for s in state.planned_sessions_not_scheduled
        ],
        version=found.version,
    )
