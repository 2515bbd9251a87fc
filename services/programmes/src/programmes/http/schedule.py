"""Cross-cutting reads: the sessions of a week by room and facilitator, and a person's participation."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from kernel.api import After, Db, Id, Limit, Page, day_query
from kernel.clock import start_of_day
from kernel.http import service_router
from kernel.journal import Journal
from programmes import handlers, queries
from programmes.domain.referral import ReferralStatus
from programmes.domain.schedule import period
from programmes.http.common import ParticipationReader, ScheduleReader

router = service_router("", tags=["schedule"])

Week = Annotated[date | None, day_query("any day of the week wanted (Monday to Sunday)")]
From = Annotated[date | None, day_query(alias="from")]
To = Annotated[date | None, day_query(alias="to")]
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


@router.get(
    "/sessions",
    response_model=Page[ScheduledSession],
    summary="Sessions of a week (or from..to), by establishment, room and facilitator",
)
async def sessions(
    principal: ScheduleReader,
    db: Db,
    week: Week = None,
    date_from: From = None,
    date_to: To = None,
    establishment: Name = None,
    room: Name = None,
    facilitator: Name = None,
    limit: Limit = 200,
    after: After = None,
):
    first, last = period(week, date_from, date_to)
    async with db.acquire() as connection:
        listed = await queries.sessions(
            connection,
            principal,
            starts=start_of_day(first),
            ends=start_of_day(last + timedelta(days=1)),
            establishment=establishment,
            room=room,
            facilitator=facilitator,
            limit=limit,
            after=after,
        )
    return Page.of(
        listed, [ScheduledSession(**{k: r[k] for k in ScheduledSession.model_fields}) for r in listed.rows]
    )


@router.get(
    "/people/{subject_id}/participation",
    response_model=PersonParticipation,
    summary="A person's enrolments and attendance rate",
)
async def person_participation(subject_id: Id, principal: ParticipationReader, db: Db, _journal: Journal):
    async with db.acquire() as connection:
        rows = await handlers.read_participation(connection, subject_id, principal)
    enrolments = [
        Participation(
            referral_id=r["referral_id"],
            programme_id=r["programme_id"],
            group_id=r["group_id"],
            status=r["status"],
            sessions_attended=r["sessions_attended"],
            sessions_counted=r["sessions_counted"],
            attendance_rate=_rate(r["sessions_attended"], r["sessions_counted"]),
        )
        for r in rows
    ]
    return PersonParticipation(
        subject_id=subject_id,
        enrolments=enrolments,
        attendance_rate=_rate(
            sum(e.sessions_attended for e in enrolments), sum(e.sessions_counted for e in enrolments)
        ),
    )


def _rate(attended: int, counted: int) -> float | None:
    return round(attended / counted, 4) if counted else None
