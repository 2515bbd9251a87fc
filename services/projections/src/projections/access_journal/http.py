"""`GET /audit/access`: who consulted whom, and who was refused, for auditors and DPIPs. Reading the journal
is itself journaled (with the subject asked about), like any read of personal data. A reader finds the
consultations of the people of their establishments only (ADR 26), as `store.search` says."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from contracts import not_personal_data
from kernel.api import Db, IdFilter, Limit
from kernel.auth import Principal, allow
from kernel.http import service_router
from kernel.journal import Journal
from projections.access_journal import store

router = service_router("/audit", tags=["audit"])

JournalReader = Annotated[Principal, Depends(allow("auditeur", "dpip"))]


class AccessEntry(BaseModel):
    entry_id: uuid.UUID
    recorded_at: datetime
    service: str
    method: str
    route: str = Field(description="the route template, e.g. `/cases/{case_id}`")
    status: int = Field(description="200: shown; 401, 403: refused; 404: absent or not the caller's to see")
    user: str | None = Field(description="None when no trustworthy token named anyone (401)")
    role: str | None
    organisation_id: str | None
    establishment: str | None
    subject_ids: list[str] = Field(
        description="the persons the response was about, of the reader's establishments only"
    )
    object_ids: list[str] = Field(description="the cases, assessments, pathways... it was about")
    subjects_count: int = Field(
        description="the persons listed, and those beyond the ids an entry keeps (1,000)"
    )
    correlation_id: str | None
    purpose: str = not_personal_data(description="the reason the reader gave in the `Purpose` header")
    break_glass: bool = Field(
        description="a pseudonymised reader (an auditor) who read in clear, giving `bris-de-glace: <motif>` "
        "as the purpose (ADR 31)"
    )


class AccessPage(BaseModel):
    items: list[AccessEntry]
    next_before: int | None = Field(
        description="give it as `before` for the next (older) page; null on the last page"
    )


@router.get(
    "/access",
    response_model=AccessPage,
    summary="The consultation journal, newest first: reads of personal data and refused accesses",
)
async def access(
    principal: JournalReader,
    db: Db,
    _journal: Journal,
    subject_id: IdFilter = None,
    user: Annotated[str | None, Query(min_length=1, max_length=200, description="a user id")] = None,
    since: Annotated[AwareDatetime | None, Query(description="entries recorded at or after")] = None,
    until: Annotated[AwareDatetime | None, Query(description="entries recorded before")] = None,
    before: Annotated[
        int | None, Query(ge=1, le=2**62, description="the previous page's `next_before`")
    ] = None,
    limit: Limit = 100,
    break_glass: Annotated[
        bool | None, Query(description="only the break-glass reads (true), or only the others (false)")
    ] = None,
) -> AccessPage:
    async with db.acquire() as connection:
        rows = await store.search(
            connection,
            subject_id=subject_id,
            user=user,
            since=since,
            until=until,
            before=before,
            limit=limit,
            break_glass=break_glass,
            establishments=principal.perimeter,
        )
    items = [AccessEntry(**{**dict(row), "user": row["user_id"]}) for row in rows]
    return AccessPage(items=items, next_before=rows[-1]["seq"] if len(rows) == limit else None)
