"""Positioning people on partner actions: proposed by IPRO, confirmed and reported by the partner running
the action, who sees nothing of a person but their name and their positioning."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field

from contracts.ipro import PositioningOutcome
from kernel.api import Limit, Offset, Page, RequestBody, now
from kernel.auth import IPRO_STAFF, Principal, allow
from kernel.commands import Commands
from kernel.http import service_router
from ipro import handlers, queries, store
from ipro.domain import commands as c
from ipro.domain import errors
from ipro.domain.positioning import Positioning, PositioningStatus
from ipro.http.common import Adviser, Id, Reason, ensure_may_act, ensure_may_read, ensure_partner_of, is_adviser_only, on_pathway

router = service_router("", tags=["positionings"])

# The partner running the action, or IPRO on its behalf.
PartnerOrIpro = Annotated[Principal, Depends(allow("partenaire", IPRO_STAFF))]
Confirmer = Annotated[Principal, Depends(allow("partenaire", "ipro_chef", "ripro"))]
PositioningReader = Annotated[Principal, Depends(allow("partenaire", IPRO_STAFF, "direction", "auditeur"))]
# One positioning: also the person's SPIP officers (a CPIP: their people), as in the pathway's history.
OnePositioningReader = Annotated[
    Principal, Depends(allow("partenaire", IPRO_STAFF, "direction", "cpip", "dpip", "auditeur"))
]


class PositionRequest(RequestBody):
    action_id: str = Field(max_length=120)
    session_id: str = Field(max_length=120)


class AttendanceRequest(RequestBody):
    attended: bool


class OutcomeRequest(RequestBody):
    outcome: PositioningOutcome
    details: str = Field(default="", max_length=1000)


class PositioningView(BaseModel):
    positioning_id: str
    pathway_id: str
    subject_id: str
    action_id: str
    session_id: str
    partner_id: str
    starts_at: datetime
    ends_at: datetime
    status: PositioningStatus
    outcome: PositioningOutcome | None
    version: int


class PartnerLine(BaseModel):
    """What a partner sees: the person's name and their positioning, nothing else."""

    positioning_id: str
    last_name: str
    first_names: str
    action_id: str
    session_id: str
    status: PositioningStatus
    outcome: PositioningOutcome | None


def view(state: Positioning, version: int) -> PositioningView:
    return PositioningView(**state.model_dump(), version=version)


@router.post("/pathways/{pathway_id}/positionings", status_code=201, response_model=PositioningView,
             summary="Position the person on a session of a catalogue action")
async def position(pathway_id: Id, body: PositionRequest, principal: Adviser, commands: Commands, request: Request):
    positioning_id, moment = str(uuid.uuid4()), now(request)

    async def run(session, metadata):
        outcome = await handlers.position(session, pathway_id, lambda owner, facts, bookings: c.Position(
            positioning_id=positioning_id, pathway_id=pathway_id, subject_id=owner.subject_id, session=facts,
            bookings=bookings, now=moment), body.action_id, body.session_id, metadata)
        return view(outcome.state, handlers.version(outcome))

    return await on_pathway(commands, principal, pathway_id, run, status_code=201)


@router.get("/positionings", response_model=Page[PartnerLine] | Page[PositioningView],
            summary="Positionings per action session (a partner: on its own actions, names and status only)")
async def list_positionings(principal: PositioningReader, request: Request,
                            action_id: Annotated[str | None, Query(max_length=120)] = None,
                            session_id: Annotated[str | None, Query(max_length=120)] = None,
                            limit: Limit = 100, offset: Offset = 0):
    partner = principal.organisation_id or "" if "partenaire" in principal.roles else None
    adviser = principal.subject if is_adviser_only(principal) else None
    event_store = request.app.state.event_store
    async with event_store.pool.acquire() as connection:
        total, rows = await queries.positionings(connection, action_id=action_id, session_id=session_id,
                                                 partner_id=partner, adviser=adviser, limit=limit, offset=offset)
    if partner is not None:
        return Page(total=total, items=[PartnerLine(**{k: r[k] for k in PartnerLine.model_fields}) for r in rows])
    items = []
    for row in rows:
        state, stream = await handlers.current(event_store, handlers.positioning, row["positioning_id"])
        items.append(view(state, stream[-1].stream_version))
    return Page(total=total, items=items)


@router.get("/positionings/{positioning_id}", response_model=PositioningView | PartnerLine,
            summary="A positioning (a partner: names and status only, on its own actions)")
async def get_positioning(positioning_id: Id, principal: OnePositioningReader, request: Request):
    event_store = request.app.state.event_store
    state, stream = await handlers.current(event_store, handlers.positioning, positioning_id)
    if state.positioning_id is None:
        raise errors.PositioningNotFound("no such positioning")
    ensure_partner_of(principal, state.partner_id)
    async with event_store.pool.acquire() as connection:
        row = await store.pathway_row(connection, state.pathway_id)
        if "partenaire" in principal.roles:
            person = await connection.fetchrow("SELECT last_name, first_names FROM followed_cases WHERE case_id = $1",
                                               row["case_id"])
            return PartnerLine(**person, **state.model_dump(include={"positioning_id", "action_id", "session_id",
                                                                      "status", "outcome"}))
    ensure_may_read(principal, row)
    return view(state, stream[-1].stream_version)


@router.post("/positionings/{positioning_id}/confirm", response_model=PositioningView,
             summary="The partner confirms the place")
async def confirm(positioning_id: Id, principal: Confirmer, commands: Commands):
    return await _command(commands, principal, positioning_id, c.ConfirmPositioning())


@router.post("/positionings/{positioning_id}/attendance", response_model=PositioningView,
             summary="Attended, or no-show")
async def attendance(positioning_id: Id, body: AttendanceRequest, principal: PartnerOrIpro, commands: Commands,
                     request: Request):
    return await _command(commands, principal, positioning_id,
                          c.RecordAttendance(attended=body.attended, now=now(request)))


@router.post("/positionings/{positioning_id}/outcome", response_model=PositioningView,
             summary="What came of it: job offer, interview obtained, training place, PMSMP agreed, none")
async def outcome(positioning_id: Id, body: OutcomeRequest, principal: PartnerOrIpro, commands: Commands):
    return await _command(commands, principal, positioning_id, c.RecordPositioningOutcome(**body.model_dump()))


class WithdrawRequest(RequestBody):
    reason: Reason


@router.post("/positionings/{positioning_id}/withdraw", response_model=PositioningView,
             summary="Withdraw the positioning (the place is freed)")
async def withdraw(positioning_id: Id, body: WithdrawRequest, principal: Adviser, commands: Commands):
    return await _command(commands, principal, positioning_id, c.WithdrawPositioning(reason=body.reason))


async def _command(commands: Commands, principal: Principal, positioning_id: str, command: c.Command):
    async def action(session, metadata):
        state, _ = await handlers.current(session, handlers.positioning, positioning_id)
        if state.positioning_id is None:
            raise errors.PositioningNotFound("no such positioning")
        ensure_partner_of(principal, state.partner_id)
        if "partenaire" not in principal.roles:
            ensure_may_act(principal, await store.pathway_row(session.connection, state.pathway_id))
        outcome = await handlers.positioning_command(session, positioning_id, command, metadata)
        return view(outcome.state, handlers.version(outcome))

    return await commands.run(principal, action, status_code=200)
