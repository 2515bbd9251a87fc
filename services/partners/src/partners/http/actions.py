"""Catalogue actions: the sessions of an approved proposal, scheduled and reported by the partner (or IPRO
on its behalf), published to the catalogue and closed by IPRO management."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from typing import Annotated

from fastapi import Query, Request
from pydantic import AwareDatetime, BaseModel, Field

from contracts.partners import ActionType, SessionSlot
from kernel.api import Limit, Offset, Page, RequestBody, now
from kernel.auth import Principal, ensure_organisation, organisation_scope
from kernel.commands import Commands
from kernel.http import service_router
from partners import handlers, queries
from partners.domain import commands as c
from partners.domain.action import Action, action
from partners.domain.errors import ActionNotFound
from kernel.clock import start_of_day
from partners.http.common import Id, Label, Manager, Organiser, Reader

router = service_router("/actions", tags=["catalogue actions"])
catalogue_router = service_router("/catalogue", tags=["catalogue actions"])


class SessionRequest(RequestBody):
    starts_at: AwareDatetime = Field(description="with its UTC offset, e.g. 2026-12-03T14:00:00+01:00")
    duration_minutes: int = Field(gt=0, le=24 * 60)
    place: Label = Field(examples=["Salle polyvalente, bâtiment B"])
    facilitators: list[Label] = Field(default_factory=list, max_length=50)


class CancelRequest(RequestBody):
    reason: str = Field(min_length=1, max_length=1000)


class ReportRequest(RequestBody):
    held: bool
    present_count: int = Field(ge=0, le=1000)
    notes: str = Field(default="", max_length=4000)


class SessionView(BaseModel):
    session_id: str
    slot: SessionSlot
    cancelled: bool
    reported: bool


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


@router.post("/{action_id}/sessions", status_code=201, response_model=ActionView, summary="Schedule a session")
async def schedule(action_id: Id, body: SessionRequest, principal: Organiser, commands: Commands, request: Request):
    moment, session_id = now(request), str(uuid.uuid4())
    return await _change(
        action_id,
        lambda partner: c.ScheduleSession(session_id=session_id, **body.model_dump(), partner=partner, now=moment),
        principal, commands, status_code=201,
    )


@router.post("/{action_id}/sessions/{session_id}/move", response_model=ActionView, summary="Move a session")
async def move(action_id: Id, session_id: Id, body: SessionRequest, principal: Organiser, commands: Commands,
               request: Request):
    moment = now(request)
    return await _change(
        action_id,
        lambda partner: c.MoveSession(session_id=session_id, **body.model_dump(), partner=partner, now=moment),
        principal, commands,
    )


@router.post("/{action_id}/sessions/{session_id}/cancel", response_model=ActionView,
             summary="Cancel a session, with a reason")
async def cancel(action_id: Id, session_id: Id, body: CancelRequest, principal: Organiser, commands: Commands,
                 request: Request):
    command = c.CancelSession(session_id=session_id, reason=body.reason, now=now(request))
    return await _change(action_id, command, principal, commands)


@router.post("/{action_id}/sessions/{session_id}/report", response_model=ActionView,
             summary="Report a delivered session: held, number present, notes")
async def report(action_id: Id, session_id: Id, body: ReportRequest, principal: Organiser, commands: Commands,
                 request: Request):
    command = c.ReportSession(session_id=session_id, **body.model_dump(), now=now(request))
    return await _change(action_id, command, principal, commands)


@router.post("/{action_id}/publish", response_model=ActionView, summary="Publish the action to the catalogue")
async def publish(action_id: Id, principal: Manager, commands: Commands):
    return await _change(action_id, c.PublishAction(), principal, commands)


@router.post("/{action_id}/close", response_model=ActionView, summary="Close the action")
async def close(action_id: Id, principal: Manager, commands: Commands):
    return await _change(action_id, c.CloseAction(), principal, commands)


async def _change(action_id: str, command, principal: Principal, commands, status_code: int = 200):
    async def run(session, metadata):
        outcome = await handlers.action_command(session, action_id, command, metadata, principal)
        return _view(outcome.state, outcome.events[-1].stream_version)

    return await commands.run(principal, run, status_code=status_code)


@router.get("/{action_id}", response_model=ActionView, summary="A catalogue action and all its sessions")
async def get_action(action_id: Id, principal: Reader, request: Request) -> ActionView:
    state, stream = await handlers.current(request.app.state.event_store, action, action_id)
    if state.action_id is None:
        raise ActionNotFound(f"no catalogue action {action_id}")
    ensure_organisation(principal, state.partner_id)
    return _view(state, stream[-1].stream_version)


@catalogue_router.get("", response_model=Page[CatalogueEntry],
                      summary="The catalogue: published actions and their coming sessions")
async def list_catalogue(
    principal: Reader, request: Request, action_type: ActionType | None = None,
    theme: Annotated[str | None, Query(max_length=200)] = None, starts_from: date | None = None,
    starts_until: date | None = None, min_seats_left: Annotated[int | None, Query(ge=1)] = None,
    limit: Limit = 100, offset: Offset = 0,
) -> Page[CatalogueEntry]:
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await queries.catalogue(
            connection, action_type=action_type.value if action_type else None, theme=theme,
            # Date filters are the establishment's calendar days, both ends included.
            starts_from=starts_from and start_of_day(starts_from),
            starts_until=starts_until and start_of_day(starts_until + timedelta(days=1)),
            min_seats_left=min_seats_left, only_partner=organisation_scope(principal), now=now(request), limit=limit,
            offset=offset,
        )
    return Page(total=total, items=[CatalogueEntry.model_validate(dict(row)) for row in rows])


def _view(state: Action, version: int) -> ActionView:
    sessions = sorted(state.sessions.values(), key=lambda s: s.slot.starts_at)
    return ActionView(
        **state.model_dump(exclude={"sessions"}),
        sessions=[SessionView(**s.model_dump()) for s in sessions], version=version,
    )
