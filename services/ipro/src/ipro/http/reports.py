"""What IPRO management and the governor's office follow: caseloads with due items, waiting lists per
regime, who works where, and the InSERRE indicator (everyone in work, training or a pathway step)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from contracts.ipro import WorkRegime
from ipro import reads
from ipro.http.common import IndicatorReader, WorkReader
from kernel.api import After, Db, LabelFilter, Limit, Page, Settings, Today
from kernel.http import service_router
from kernel.journal import Journal

router = service_router("", tags=["reports"])


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


@router.get(
    "/caseload",
    response_model=Page[CaseloadItem],
    summary="Open pathways with what is due (an adviser: theirs)",
)
async def caseload(
    principal: WorkReader,
    db: Db,
    journal: Journal,
    settings: Settings,
    today: Today,
    adviser: LabelFilter = None,
    limit: Limit = 100,
    after: After = None,
):
    listed = await reads.caseload(
        db,
        principal,
        adviser=adviser,
        today=today,
        window_months=settings.france_travail_window_months,
        limit=limit,
        after=after,
    )
    journal.consulted(subject_ids=(r["subject_id"] for r in listed.rows))
    return Page.of(
        listed, [CaseloadItem(**{k: r[k] for k in CaseloadItem.model_fields}) for r in listed.rows]
    )


@router.get(
    "/waiting-lists", response_model=list[Waiting], summary="Per regime, classed people waiting for a post"
)
async def waiting_lists(principal: WorkReader, db: Db, journal: Journal, regime: WorkRegime | None = None):
    rows = await reads.waiting_lists(db, principal, regime)
    journal.consulted(subject_ids=(r["subject_id"] for r in rows))
    return [Waiting(**{k: r[k] for k in Waiting.model_fields}) for r in rows]


@router.get("/posts", response_model=list[Occupied], summary="Who works where: post occupancy per workshop")
async def posts(
    principal: WorkReader,
    db: Db,
    journal: Journal,
    workshop: Annotated[str | None, Query(max_length=200)] = None,
):
    rows = await reads.posts(db, principal, workshop)
    journal.consulted(
        subject_ids=(r["subject_id"] for r in rows), object_ids=(r["affectation_id"] for r in rows)
    )
    return [Occupied(**{k: r[k] for k in Occupied.model_fields}) for r in rows]


@router.get(
    "/indicators/inserre",
    response_model=list[Indicator],
    summary="Per establishment, the share of residents in work, training or an active pathway step",
)
async def inserre(principal: IndicatorReader, db: Db):
    rows = await reads.inserre_indicator(db, principal)
    return [
        Indicator(**dict(r), share=round(r["covered"] / r["residents"], 4) if r["residents"] else 0.0)
        for r in rows
    ]
