"""Cross-cutting reads: the sessions of a week by room and facilitator, and a person's participation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import Query, Request
from pydantic import BaseModel

from kernel.api import Limit, Offset, Page
from kernel.clock import start_of_day
from kernel.http import service_router
from programmes import handlers, queries
from programmes.domain import errors
from programmes.domain.group import participation
from programmes.domain.referral import ReferralStatus, referral
from programmes.http.common import Id, ParticipationReader, ScheduleReader, ensure_follows, is_director

router = service_router("", tags=["schedule"])

Week = Annotated[date | None, Query(description="any day of the week wanted (Monday to Sunday)")]
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]
Name = Annotated[str | None, Query(max_length=200)]


class ScheduledSession(BaseModel):
    session_id: str
    group_id: str
    programme_id: str
    programme_code: str
    number: int
    establishment: str
    room: str
    facilitators: list[str]
    starts_at: datetime
    ends_at: datetime
    held: bool


class Participation(BaseModel):
    referral_id: str
    programme_id: str
    group_id: str | None
    status: ReferralStatus
    sessions_attended: int
    sessions_counted: int
    attendance_rate: float | None


class PersonParticipation(BaseModel):
    subject_id: str
    enrolments: list[Participation]
    attendance_rate: float | None


@router.get("/sessions", response_model=Page[ScheduledSession],
            summary="Sessions of a week (or from..to), by establishment, room and facilitator")
async def sessions(principal: ScheduleReader, request: Request, week: Week = None, date_from: From = None,
                   date_to: To = None, establishment: Name = None, room: Name = None, facilitator: Name = None,
                   limit: Limit = 200, offset: Offset = 0):
    if week is not None:
        date_from = week - timedelta(days=week.weekday())
        date_to = date_from + timedelta(days=6)
    if date_from is None or date_to is None or date_to < date_from:
        raise errors.PeriodInvalid("give a week, or from and to (to on or after from)")
    if "partenaire" in principal.roles:
        facilitator = principal.subject  # a partner sees the sessions it runs
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await queries.sessions(
            connection, starts=start_of_day(date_from), ends=start_of_day(date_to + timedelta(days=1)),
            establishment=establishment, room=room, facilitator=facilitator,
            include_sensitive=is_director(principal), limit=limit, offset=offset,
        )
    return Page(total=total, items=[
        ScheduledSession(**{k: r[k] for k in ScheduledSession.model_fields if k not in ("starts_at", "ends_at")},
                         starts_at=r["during"].lower, ends_at=r["during"].upper) for r in rows
    ])


@router.get("/people/{subject_id}/participation", response_model=PersonParticipation,
            summary="A person's enrolments and attendance rate")
async def person_participation(subject_id: Id, principal: ParticipationReader, request: Request):
    store = request.app.state.event_store
    async with store.pool.acquire() as connection:
        rows, referent = await queries.referrals_of_person(connection, subject_id,
                                                           include_sensitive=is_director(principal))
    ensure_follows(principal, referent)
    enrolments, attended_total, counted_total = [], 0, 0
    for row in rows:
        state, _ = await handlers.current(store, referral, row["referral_id"])
        attended = counted = 0
        if state.group_id is not None:
            group_state, _ = await handlers.current(store, handlers.group, state.group_id)
            attended, counted = participation(group_state, state.referral_id)
        attended_total, counted_total = attended_total + attended, counted_total + counted
        enrolments.append(Participation(
            referral_id=state.referral_id, programme_id=state.programme_id, group_id=state.group_id,
            status=state.status, sessions_attended=attended, sessions_counted=counted,
            attendance_rate=round(attended / counted, 4) if counted else None,
        ))
    rate = round(attended_total / counted_total, 4) if counted_total else None
    return PersonParticipation(subject_id=subject_id, enrolments=enrolments, attendance_rate=rate)
