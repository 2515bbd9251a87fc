"""HTTP routes of the movement list: one day of one establishment, as JSON and as a printable A4 page.
Access as `movements.access` says; names only for the roles entitled to them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from contracts import personal_data
from kernel.access import Principal
from kernel.api import Db, Label, Now, Today
from kernel.auth import allow
from kernel.http import service_router
from kernel.journal import Journal, RequestJournal
from projections.movements import assemble, store
from projections.movements.access import READERS, sees_names
from projections.movements.errors import DayRequired, DayTooFar, DayUnreadable, EstablishmentRequired
from projections.movements.page import render_html

router = service_router("", tags=["movements"])

# A movement list is printed for the days around today; a day further off is a typing slip.
MAX_DAYS_AWAY = 366

Reader = Annotated[Principal, Depends(allow(READERS))]
Day = Annotated[
    str | None,
    Query(max_length=10, description=f"the local day, YYYY-MM-DD, within {MAX_DAYS_AWAY} days of today"),
]
Establishment = Annotated[
    Label | None, Query(description="the establishment's name (default: the token's, when it lists only one)")
]


class MovementKind(StrEnum):
    GROUP_SESSION = "group_session"
    INTERVIEW = "interview"  # an SPIP interview, inside the walls
    POSITIONING = "positioning"
    TRAINING = "training"
    WORK = "work"
    PMSMP = "pmsmp"
    ESCORTED_PROFESSIONAL_LEAVE = "escorted_professional_leave"


class Movement(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    item_id: str
    kind: MovementKind
    starts_at: datetime | None = Field(description="null: the whole day (a leave)")
    ends_at: datetime | None
    subject_id: str
    last_name: str | None = Field(description="for the IPRO roles, the direction and the DPIP only")
    first_names: str | None
    # A session's or a post's name, or a leave's purpose, written about the person (issue 17): masked for
    # auditors (ADR 31), as the contracts' `purpose` is.
    activity: str = personal_data()
    place: str = Field(description="where the person goes (their cell block is not known)")
    outside: bool = Field(description="the movement leaves the establishment")
    escorted: bool | None = Field(description="null: not stated by any service")


class PartnerVisit(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    item_id: str
    partner_id: str
    organisation: str | None
    activity: str
    starts_at: datetime
    ends_at: datetime
    place: str
    facilitators: int = Field(description="how many facilitators the session names (never their names)")
    participants: int = Field(description="people positioned on the session")
    outside: bool = Field(description="held outside: the partner receives people rather than coming in")


class MovementList(BaseModel):
    day: date
    establishment: str
    movements: list[Movement]
    partners: list[PartnerVisit]


def asked_day(raw: str | None, today: date) -> date:
    if raw is None or not raw.strip():
        raise DayRequired("a movement list is a day's: give day=YYYY-MM-DD")
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise DayUnreadable(f"{raw!r} is not a day written YYYY-MM-DD") from None
    if abs(day - today) > timedelta(days=MAX_DAYS_AWAY):
        raise DayTooFar(f"a movement list is for a day within {MAX_DAYS_AWAY} days of today")
    return day


def asked_establishment(establishment: str | None, principal: Principal) -> str:
    if establishment is not None:
        return establishment
    if principal.perimeter is not None and len(principal.perimeter) == 1:
        return principal.perimeter[0]
    raise EstablishmentRequired("name the establishment whose movements to list")


async def _list(
    db, principal: Principal, journal: RequestJournal, today: date, day: str | None, establishment: str | None
) -> MovementList:
    on = asked_day(day, today)
    where = asked_establishment(establishment, principal)
    if not principal.reaches(where):  # ADR 26: another establishment's list is an empty one
        return MovementList(day=on, establishment=where, movements=[], partners=[])
    async with db.acquire() as connection:
        rows = await store.day_of(connection, on, where)
    movements = assemble.movements(
        on,
        sessions=rows.sessions,
        interviews=rows.interviews,
        positionings=rows.positionings,
        weekly=rows.weekly,
        leaves=rows.leaves,
        with_names=sees_names(principal),
    )
    journal.consulted(subject_ids=(m.subject_id for m in movements))
    return MovementList(
        day=on,
        establishment=where,
        movements=[Movement.model_validate(m) for m in movements],
        partners=[PartnerVisit.model_validate(v) for v in assemble.partner_visits(rows.partner_sessions)],
    )


@router.get(
    "/movements", response_model=MovementList, summary="The movement list of a day and an establishment"
)
async def read_movements(
    principal: Reader,
    db: Db,
    today: Today,
    journal: Journal,
    day: Day = None,
    establishment: Establishment = None,
) -> MovementList:
    return await _list(db, principal, journal, today, day, establishment)


@router.get(
    "/movements.html",
    response_class=HTMLResponse,
    summary="The movement list as a printable page",
    responses={200: {"content": {"text/html": {}}}},
)
async def print_movements(
    principal: Reader,
    db: Db,
    today: Today,
    journal: Journal,
    now: Now,
    day: Day = None,
    establishment: Establishment = None,
) -> HTMLResponse:
    listed = await _list(db, principal, journal, today, day, establishment)
    return HTMLResponse(render_html(journal.disclose(listed.model_dump(), MovementList), generated_at=now))
