"""Calls for expression of interest (AMI): drafted, published, closed and archived by IPRO management;
partners see them once published."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel

from contracts.partners import CallContent
from kernel.aggregates import Aggregate
from kernel.api import After, Db, Id, Limit, Now, Page, Store, Today
from kernel.gateway import Commands
from kernel.http import service_router
from partners import access, handlers, queries
from partners.domain import commands as c
from partners.domain.call import Call, CallStatus
from partners.http.common import Manager, Reader

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
async def draft_call(body: CallContent, principal: Manager, commands: Commands, today: Today):
    command = c.DraftCall(call_id=str(uuid.uuid4()), content=body)

    async def action(session, metadata):
        return _view(await handlers.create_call(session, command, metadata), today)

    return await commands.run(principal, action, location="/calls/{call_id}")


@router.put("/{call_id}", response_model=CallView, summary="Revise a draft call")
async def revise_call(call_id: Id, body: CallContent, principal: Manager, commands: Commands, today: Today):
    return await _transition(call_id, c.ReviseCall(call_id=call_id, content=body), principal, commands, today)


@router.post("/{call_id}/publish", response_model=CallView, summary="Publish a call: partners may answer it")
async def publish_call(call_id: Id, principal: Manager, commands: Commands, now: Now, today: Today):
    return await _transition(call_id, c.PublishCall(now=now), principal, commands, today)


@router.post("/{call_id}/close", response_model=CallView, summary="Close a call: no more proposals")
async def close_call(call_id: Id, principal: Manager, commands: Commands, now: Now, today: Today):
    return await _transition(call_id, c.CloseCall(now=now), principal, commands, today)


@router.post("/{call_id}/archive", response_model=CallView, summary="Archive a closed call")
async def archive_call(call_id: Id, principal: Manager, commands: Commands, today: Today):
    return await _transition(call_id, c.ArchiveCall(), principal, commands, today)


async def _transition(call_id: str, command: c.Command, principal, commands: Commands, today: date):
    async def action(session, metadata):
        return _view(await handlers.call_command(session, call_id, command, metadata), today)

    return await commands.run(principal, action, status_code=200, resource="/calls/{call_id}")


@router.get("", response_model=Page[CallSummary], summary="Calls, open ones first")
async def list_calls(
    principal: Reader,
    db: Db,
    today: Today,
    status: CallStatus | None = None,
    limit: Limit = 100,
    after: After = None,
) -> Page[CallSummary]:
    async with db.acquire() as connection:
        listed = await queries.calls(
            connection,
            today=today,
            status=status.value if status else None,
            hide_drafts=not access.may_see_drafts(principal),
            limit=limit,
            after=after,
        )
    return Page.of(listed, [CallSummary.model_validate(dict(row)) for row in listed.rows])


@router.get("/{call_id}", response_model=CallView, summary="A call")
async def get_call(call_id: Id, principal: Reader, store: Store, today: Today) -> CallView:
    return _view(await handlers.read_call(store, call_id, principal), today)


def _view(found: Aggregate[Call], today: date) -> CallView:
    state = found.state
    return CallView(
        call_id=state.call_id,
        status=state.status,
        open=state.is_open(today),
        content=state.content,
        version=found.version,
    )
