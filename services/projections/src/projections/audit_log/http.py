"""`GET /audit/streams/{stream_id}` and `GET /audit/subjects/{subject_id}?as_of=`: the log as the topics
carried it, for auditors (ARCHITECTURE.md §6: "event log, replay, integrity reports"), with the keys of
`passerelle audit stream|subject --json`. Reads are journaled like every read about a person (ADR 22)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from kernel.access import Principal
from kernel.api import Db, Id, Page
from kernel.auth import allow
from kernel.errors import NotFound
from kernel.http import service_router
from kernel.journal import Journal
from projections.audit_log import store
from projections.audit_log.access import reaches_stream

router = service_router("/audit", tags=["audit"])

# Auditors only: the log holds IPRO's need-to-know content and every service's restricted types (ADR 25),
# which no other role reads whole; a DPIP reads the SPIP's data through the services' own views.
LogReader = Annotated[Principal, Depends(allow("auditeur"))]


class StreamNotFound(NotFound):
    code = "stream-not-found"


class SubjectNotFound(NotFound):
    code = "subject-not-found"


class LoggedEvent(BaseModel):
    """One event as published, personal values masked (« [scellé] »)."""

    service: str
    position: int = Field(description="in the producing service's event store")
    event_id: uuid.UUID
    event_type: str
    schema_version: int
    stream_type: str
    stream_id: str
    stream_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor: dict[str, Any]
    subject: str | None
    restricted: bool
    payload: dict[str, Any]
    previous_hash: str | None
    hash: str = Field(
        description="as published: the view never recomputes it (`passerelle audit verify` does)"
    )
    hash_version: int


@router.get(
    "/streams/{stream_id}",
    response_model=Page[LoggedEvent],
    summary="Every event of a stream, in version order, as the topics carried it",
)
async def stream(stream_id: Id, principal: LogReader, db: Db, journal: Journal) -> Page[LoggedEvent]:
    async with db.acquire() as connection:
        rows = await store.events_of_stream(connection, stream_id)
        subjects = sorted({row["subject"] for row in rows if row["subject"] is not None})
        persons = await store.establishments_of(connection, subjects) if subjects else {}
    if not rows or not reaches_stream(principal, rows, persons):
        raise StreamNotFound(f"no stream {stream_id} in the log you may read")
    journal.consulted(subject_ids=subjects)
    return _whole([LoggedEvent(**row) for row in rows])


@router.get(
    "/subjects/{subject_id}",
    response_model=Page[LoggedEvent],
    summary="Every event about a person, in recorded order, now or as the log stood at an instant",
)
async def subject(
    subject_id: Id,
    principal: LogReader,
    db: Db,
    _journal: Journal,
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="the events recorded at or before this instant (with its offset)"),
    ] = None,
) -> Page[LoggedEvent]:
    async with db.acquire() as connection:
        establishment = (await store.establishments_of(connection, [subject_id])).get(subject_id)
        # A person whose case is not in the log answers as an unknown one (ADR 26: fail closed).
        if establishment is None or not principal.reaches(establishment):
            raise SubjectNotFound(f"no person {subject_id} in the log you may read")
        rows = await store.events_of_subject(connection, subject_id, as_of)
    return _whole([LoggedEvent(**row) for row in rows])


def _whole(items: list[LoggedEvent]) -> Page[LoggedEvent]:
    """A stream's or a person's events, all in one page: no `next`, the total exact."""
    return Page[LoggedEvent](items=items, total=len(items), total_exact=True, next=None)
