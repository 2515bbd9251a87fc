"""HTTP routes of the work queues: the caller's own (`/queues/mine`, JSON and a printable page) and, for the
roles that oversee another, that role's (`/queues/{role}`). The facts are read by index (`queues.store`), the
items computed by `queues.rules` for the day the service's clock gives. Access as `queues.access` says."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from kernel.access import Principal, RoleNotAllowed
from kernel.api import Db, IdFilter, Label, Now, Today
from kernel.auth import allow
from kernel.clock import start_of_day
from kernel.errors import InvalidValue
from kernel.http import service_router
from kernel.journal import Journal
from projections.queues import rules, store
from projections.queues.access import LOOKERS, OWNERS, VIEWERS, QueueRole, may_view, own_queue
from projections.queues.page import LABELS, render_html
from projections.queues.rules import ATTENDANCE_LOOKBACK_DAYS, Item

router = service_router("/queues", tags=["queues"])

MAX_WITHIN_DAYS = 366

Owner = Annotated[Principal, Depends(allow(OWNERS))]
Looker = Annotated[Principal, Depends(allow(LOOKERS))]
Within = Annotated[
    int,
    Query(
        ge=0, le=MAX_WITHIN_DAYS, description="dated items due within this many days (and every overdue one)"
    ),
]
Establishment = Annotated[Label | None, Query(description="one establishment of the token's")]


class QueueFilterInvalid(InvalidValue):
    code = "queue-filter-invalid"


class QueueItem(Item):
    label: str = Field(description="what is to be done, in French")
    last_name: str | None = None
    first_names: str | None = None
    link: str | None = Field(default=None, description="the person's file")


class WorkloadLine(BaseModel):
    referent: str | None = Field(description="the CPIP (none: people without a referent)")
    people: int = Field(description="open cases they follow")
    due: int = Field(description="dated items due within the window or overdue")
    overdue: int


class Queue(BaseModel):
    role: QueueRole
    today: date
    within_days: int
    items: list[QueueItem]
    workload: list[WorkloadLine] | None = Field(default=None, description="per CPIP, in the DPIP's queue")


@router.get("/mine", response_model=Queue, summary="The caller's work queue, by their role")
async def my_queue(
    principal: Owner,
    db: Db,
    today: Today,
    now: Now,
    journal: Journal,
    within_days: Within = 30,
    establishment: Establishment = None,
) -> Queue:
    role = own_queue(principal)
    return await _queue(
        db, journal, principal, role, today, now, within_days, establishment, principal.subject
    )


@router.get(
    "/mine.html",
    response_class=HTMLResponse,
    summary="The caller's work queue as a printable page",
    responses={200: {"content": {"text/html": {}}}},
)
async def print_my_queue(
    principal: Owner,
    db: Db,
    today: Today,
    now: Now,
    journal: Journal,
    within_days: Within = 30,
    establishment: Establishment = None,
) -> HTMLResponse:
    role = own_queue(principal)
    queue = await _queue(
        db, journal, principal, role, today, now, within_days, establishment, principal.subject
    )
    return HTMLResponse(render_html(queue.model_dump(), generated_at=now))


@router.get("/{role}", response_model=Queue, summary="A role's work queue, for the roles that oversee it")
async def role_queue(
    role: QueueRole,
    principal: Looker,
    db: Db,
    today: Today,
    now: Now,
    journal: Journal,
    within_days: Within = 30,
    establishment: Establishment = None,
    referent: IdFilter = None,
    adviser: IdFilter = None,
) -> Queue:
    if not may_view(principal, role):
        raise RoleNotAllowed(f"the {role} queue is read by: {', '.join(sorted(VIEWERS[role]))}")
    if referent is not None and role != QueueRole.CPIP:
        raise QueueFilterInvalid("referent filters the CPIPs' queue only")
    if adviser is not None and role != QueueRole.IPRO_CONSEILLER:
        raise QueueFilterInvalid("adviser filters the IPRO advisers' queue only")
    return await _queue(
        db, journal, principal, role, today, now, within_days, establishment, referent or adviser
    )


async def _queue(
    db,
    journal,
    principal: Principal,
    role: QueueRole,
    today: date,
    now: datetime,
    within_days: int,
    establishment: str | None,
    whose: str | None,
) -> Queue:
    """`whose`: the CPIP or adviser a queue of people is limited to (the caller for `/queues/mine`; none: the
    whole perimeter's, for a DPIP or the head of IPRO looking)."""
    perimeter = principal.perimeter
    if establishment is not None:
        # Another site's queue is empty, as every list outside the perimeter (ADR 26).
        perimeter = [establishment] if principal.reaches(establishment) else []
    workload = None
    async with db.acquire() as connection:
        match role:
            case QueueRole.CPIP:
                cases = await store.cases(connection, referent=whose, establishments=perimeter)
                back = await store.returned(connection, referent=whose, establishments=perimeter)
                items = rules.cpip_queue(cases, back, today, within_days=within_days)
            case QueueRole.DPIP:
                awaiting = await store.awaiting_validation(connection, establishments=perimeter)
                cases = await store.cases(connection, referent=None, establishments=perimeter)
                items, lines = rules.dpip_queue(awaiting, cases, today, within_days=within_days)
                workload = [WorkloadLine(**vars(line)) for line in lines]
            case QueueRole.IPRO_CONSEILLER:
                found = await store.pathways(connection, adviser=whose, establishments=perimeter, today=today)
                items = rules.adviser_queue(found, today)
            case QueueRole.IPRO_CHEF | QueueRole.RIPRO:
                waiting = await store.waiting_for_post(connection, establishments=perimeter)
                sessions = await store.sessions_ended(
                    connection,
                    establishments=perimeter,
                    lower=start_of_day(today - timedelta(days=ATTENDANCE_LOOKBACK_DAYS)),
                    upper=now,
                )
                items = rules.ipro_head_queue(waiting, sessions, today)
            case QueueRole.DIRECTION:
                items = rules.direction_queue(
                    await store.decisions(connection, establishments=perimeter), today
                )
        subjects = {i.subject_id for i in items if i.subject_id}
        named = await store.names(connection, subjects)
    journal.consulted(subject_ids=sorted(subjects))
    return Queue(
        role=role,
        today=today,
        within_days=within_days,
        items=[_entry(item, named) for item in items],
        workload=workload,
    )


def _entry(item: Item, named: dict) -> QueueItem:
    who = named.get(item.subject_id or "", {})
    return QueueItem(
        **item.model_dump(),
        label=LABELS[item.kind],
        last_name=who.get("last_name"),
        first_names=who.get("first_names"),
        link=f"/persons/{item.subject_id}/file" if item.subject_id else None,
    )
