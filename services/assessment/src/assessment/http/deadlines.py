"""Due and overdue items (initial and annual assessments, plan reviews), per CPIP and per establishment."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import Query
from pydantic import BaseModel

from assessment import access, queries
from assessment.http.common import Officer
from contracts.assessment import DeadlineKind
from kernel.api import After, Db, LabelFilter, Limit, Page, Today
from kernel.http import service_router
from kernel.journal import Journal

router = service_router("/deadlines", tags=["deadlines"])


class DeadlineView(BaseModel):
    deadline_id: str
    case_id: str
    subject_id: str
    last_name: str
    first_names: str
    kind: DeadlineKind
    due_on: date
    overdue: bool
    establishment: str
    referent: str | None


@router.get(
    "",
    response_model=Page[DeadlineView],
    summary="Items due within `within_days` and those overdue, most urgent first; a CPIP sees their caseload",
)
async def list_deadlines(
    principal: Officer,
    db: Db,
    today: Today,
    journal: Journal,
    overdue_only: bool = False,
    within_days: int = Query(default=30, ge=0, le=366),
    establishment: LabelFilter = None,
    referent: LabelFilter = None,
    limit: Limit = 100,
    after: After = None,
) -> Page[DeadlineView]:
    listed = await queries.deadlines(
        db,
        today=today,
        horizon=today + timedelta(days=within_days),
        overdue_only=overdue_only,
        establishment=establishment,
        referent=access.listed_referent(principal, referent),
        limit=limit,
        after=after,
        perimeter=access.listed_establishments(principal),
    )
    rows = listed.rows
    journal.consulted(subject_ids=(r["subject_id"] for r in rows), object_ids=(r["case_id"] for r in rows))
    return Page.of(listed, [DeadlineView.model_validate(dict(row)) for row in rows])
