"""Calls for expression of interest (AMI): drafted, published, closed and archived by IPRO management;
partners see them once published."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import Request
from pydantic import BaseModel

from contracts.partners import CallContent
from kernel.api import Limit, Offset, Page, now
from kernel.auth import organisation_scope
from kernel.commands import Commands
from kernel.http import service_router
from partners import handlers, queries
from partners.domain import commands as c
from partners.domain.call import Call, CallStatus, call
from partners.domain.errors import CallNotFound
from partners.http.common import Id, Manager, Reader, today

router = service_router("/calls", tags=["calls"])


class CallView(BaseModel):
    call_id: str
    status: CallStatus
    open: bool
    content: CallContent
    version: int


class CallSummary(BaseModel):
    call_id: str
    status: CallStatus
    open: bool
    title: str
    theme: str
    establishment: str
    opens_on: date
    closes_on: date


@router.post("", status_code=201, response_model=CallView, summary="Draft a call for expression of interest")
async def draft_call(body: CallContent, principal: Manager, commands: Commands, request: Request):
    call_id = str(uuid.uuid4())

    async def action(session, metadata):
        outcome = await handlers.call_command(session, call_id, c.DraftCall(call_id=call_id, content=body), metadata)
        return _view(outcome.state, outcome.events[-1].stream_version, request)

    return await commands.run(principal, action, location=lambda view: f"/calls/{view['call_id']}")


@router.put("/{call_id}", response_model=CallView, summary="Revise a draft call")
async def revise_call(call_id: Id, body: CallContent, principal: Manager, commands: Commands, request: Request):
    return await _transition(call_id, c.ReviseCall(call_id=call_id, content=body), principal, commands, request)


@router.post("/{call_id}/publish", response_model=CallView, summary="Publish a call: partners may answer it")
async def publish_call(call_id: Id, principal: Manager, commands: Commands, request: Request):
    return await _transition(call_id, c.PublishCall(now=now(request)), principal, commands, request)


@router.post("/{call_id}/close", response_model=CallView, summary="Close a call: no more proposals")
async def close_call(call_id: Id, principal: Manager, commands: Commands, request: Request):
    return await _transition(call_id, c.CloseCall(now=now(request)), principal, commands, request)


@router.post("/{call_id}/archive", response_model=CallView, summary="Archive a closed call")
async def archive_call(call_id: Id, principal: Manager, commands: Commands, request: Request):
    return await _transition(call_id, c.ArchiveCall(), principal, commands, request)


async def _transition(call_id: str, command: c.Command, principal, commands, request: Request):
    async def action(session, metadata):
        outcome = await handlers.call_command(session, call_id, command, metadata)
        return _view(outcome.state, outcome.events[-1].stream_version, request)

    return await commands.run(principal, action, status_code=200)


@router.get("", response_model=Page[CallSummary], summary="Calls, open ones first")
async def list_calls(
    principal: Reader, request: Request, status: CallStatus | None = None, limit: Limit = 100, offset: Offset = 0
) -> Page[CallSummary]:
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await queries.calls(
            connection, today=today(request), status=status.value if status else None,
            hide_drafts=organisation_scope(principal) is not None, limit=limit, offset=offset,
        )
    return Page(total=total, items=[CallSummary.model_validate(dict(row)) for row in rows])


@router.get("/{call_id}", response_model=CallView, summary="A call")
async def get_call(call_id: Id, principal: Reader, request: Request) -> CallView:
    state, stream = await handlers.current(request.app.state.event_store, call, call_id)
    # Drafts are internal: a partner is told nothing about them.
    if state.status is None or (state.status == CallStatus.DRAFT and organisation_scope(principal) is not None):
        raise CallNotFound(f"no call {call_id}")
    return _view(state, stream[-1].stream_version, request)


def _view(state: Call, version: int, request: Request) -> CallView:
    window = state.content
    is_open = state.status == CallStatus.PUBLISHED and window.opens_on <= today(request) <= window.closes_on
    return CallView(call_id=state.call_id, status=state.status, open=is_open, content=state.content, version=version)
