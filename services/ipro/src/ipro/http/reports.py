"""What IPRO management and the governor's office follow: caseloads with due items, waiting lists per
regime, who works where, and the InSERRE indicator (everyone in work, training or a pathway step)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from contracts.ipro import WorkRegime
from kernel.api import Limit, Offset, Page
from kernel.auth import IPRO_STAFF, Principal, allow
from kernel.http import service_router
from ipro import queries
from ipro.http.common import WorkReader, is_adviser_only, settings, today

router = service_router("", tags=["reports"])

IndicatorReader = Annotated[Principal, Depends(allow(IPRO_STAFF, "direction", "dpip", "auditeur"))]


class CaseloadItem(BaseModel):
    pathway_id: str
    subject_id: str
    adviser: str | None
    establishment: str
    last_name: str
    first_names: str
    synthesis_due_on: date | None
    synthesis_overdue: bool
    pending_leaves: int
    france_travail_due: bool | None
    next_exit_date: date | None


class Waiting(BaseModel):
    regime: WorkRegime
    rank: int
    pathway_id: str
    subject_id: str
    last_name: str
    first_names: str
    requested_on: date


class Occupied(BaseModel):
    workshop: str
    post: str
    employer: str
    regime: WorkRegime
    affectation_id: str
    contract_status: str | None
    starts_on: date
    subject_id: str
    last_name: str
    first_names: str


class Indicator(BaseModel):
    establishment: str
    residents: int
    in_work: int
    in_training: int
    in_active_step: int
    covered: int
    share: float


CaseloadReader = Annotated[Principal, Depends(allow(IPRO_STAFF, "direction", "auditeur"))]


@router.get("/caseload", response_model=Page[CaseloadItem], summary="Open pathways with what is due (an adviser: theirs)")
async def caseload(principal: CaseloadReader, request: Request, adviser: str | None = None, limit: Limit = 100,
                   offset: Offset = 0):
    if is_adviser_only(principal):
        adviser = principal.subject
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await queries.caseload(connection, adviser=adviser, today=today(request),
                                             window_months=settings(request).france_travail_window_months,
                                             limit=limit, offset=offset)
    return Page(total=total, items=[CaseloadItem(**{k: r[k] for k in CaseloadItem.model_fields}) for r in rows])


@router.get("/waiting-lists", response_model=list[Waiting], summary="Per regime, classed people waiting for a post")
async def waiting_lists(principal: WorkReader, request: Request, regime: WorkRegime | None = None):
    async with request.app.state.event_store.pool.acquire() as connection:
        rows = await queries.waiting_lists(connection, regime and regime.value, adviser=_own(principal))
    return [Waiting(**{k: r[k] for k in Waiting.model_fields}) for r in rows]


@router.get("/posts", response_model=list[Occupied], summary="Who works where: post occupancy per workshop")
async def posts(principal: WorkReader, request: Request,
                workshop: Annotated[str | None, Query(max_length=200)] = None):
    async with request.app.state.event_store.pool.acquire() as connection:
        rows = await queries.posts(connection, workshop, adviser=_own(principal))
    return [Occupied(**{k: r[k] for k in Occupied.model_fields}) for r in rows]


def _own(principal: Principal) -> str | None:
    """An adviser's reports list the people of their caseload only."""
    return principal.subject if is_adviser_only(principal) else None


@router.get("/indicators/inserre", response_model=list[Indicator],
            summary="Per establishment, the share of residents in work, training or an active pathway step")
async def inserre(principal: IndicatorReader, request: Request):
    async with request.app.state.event_store.pool.acquire() as connection:
        rows = await queries.inserre_indicator(connection)
    return [Indicator(**dict(r), share=round(r["covered"] / r["residents"], 4) if r["residents"] else 0.0)
            for r in rows]
