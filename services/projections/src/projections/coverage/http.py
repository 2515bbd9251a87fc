"""HTTP routes of the programming coverage: needs against offer by theme over a window of the coming weeks,
as JSON and as CSV. Access as `coverage.access` says: counts only, no person is named or identified."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from kernel.access import Principal
from kernel.api import Db, Label, Today, day_query
from kernel.auth import allow
from kernel.clock import start_of_day
from kernel.http import service_router
from projections.coverage import compute, store
from projections.coverage.access import READERS
from projections.coverage.errors import EstablishmentRequired, WindowInvalid, WindowTooLong
from projections.coverage.export import render_csv
from projections.coverage.themes import Theme

router = service_router("", tags=["coverage"])

DEFAULT_DAYS = 28  # the coming four weeks
MAX_DAYS = 92  # a quarter: programming further out is the AMI's, not a coverage's

Reader = Annotated[Principal, Depends(allow(READERS))]
From = Annotated[date | None, day_query("first local day (default: today)", alias="from")]
To = Annotated[
    date | None,
    day_query(f"last local day, included (default: {DEFAULT_DAYS} days; at most {MAX_DAYS})", alias="to"),
]
Establishment = Annotated[
    Label | None, Query(description="the establishment's name (default: the token's, when it lists only one)")
]


class ThemeRow(BaseModel):
    theme: Theme
    label: str
    people_in_need: int = Field(description="people followed now with a need counted under the theme")
    people_waiting: int = Field(description="of them, people on a waiting list the theme covers")
    places_offered: int = Field(
        description="seats of the groups, partner action sessions and trainings in the window"
    )
    places_free: int = Field(description="of them, seats not taken")
    gap: int = Field(description="people in need minus places offered: above 0, places are lacking")


class Coverage(BaseModel):
    establishment: str
    from_day: date
    to_day: date
    gaps: list[Theme] = Field(description="the themes lacking places, the largest gap first")
    themes: list[ThemeRow] = Field(
        description="every theme, those lacking places first; none for an establishment the token does not list"
    )


def window(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    first = first or today
    last = last or first + timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise WindowInvalid("to is before from")
    if (last - first).days >= MAX_DAYS:
        raise WindowTooLong(f"a coverage is for at most {MAX_DAYS} days")
    return first, last


def asked_establishment(establishment: str | None, principal: Principal) -> str:
    if establishment is not None:
        return establishment
    if principal.perimeter is not None and len(principal.perimeter) == 1:
        return principal.perimeter[0]
    raise EstablishmentRequired("name the establishment whose coverage to compute")


async def _compute(
    db, principal: Principal, today: date, first: date | None, last: date | None, establishment: str | None
) -> tuple[Coverage, list[compute.ThemeCoverage]]:
    first, last = window(first, last, today)
    where = asked_establishment(establishment, principal)
    rows: list[compute.ThemeCoverage] = []
    if principal.reaches(where):  # ADR 26: another establishment's coverage is an empty one
        async with db.acquire() as connection:
            needs = await store.needs(connection, where)
            offer = await store.offer(
                connection,
                where,
                lower=start_of_day(first),
                upper=start_of_day(last + timedelta(days=1)),
                first_day=first,
                last_day=last,
            )
        rows = compute.coverage(needs, offer)
    themes = [
        ThemeRow(
            theme=row.theme,
            label=row.label,
            people_in_need=row.people_in_need,
            people_waiting=row.people_waiting,
            places_offered=row.places_offered,
            places_free=row.places_free,
            gap=row.gap,
        )
        for row in rows
    ]
    coverage = Coverage(
        establishment=where, from_day=first, to_day=last, gaps=compute.gaps(rows), themes=themes
    )
    return coverage, rows


@router.get("/coverage", response_model=Coverage, summary="Needs against offer by theme, gaps first")
async def read_coverage(
    principal: Reader,
    db: Db,
    today: Today,
    first: From = None,
    last: To = None,
    establishment: Establishment = None,
) -> Coverage:
    coverage, _ = await _compute(db, principal, today, first, last, establishment)
    return coverage


@router.get(
    "/coverage.csv",
    response_class=Response,
    summary="The coverage as a CSV file (French headers, `;`, UTF-8 with BOM: what French Excel opens)",
    responses={200: {"content": {"text/csv": {}}}},
)
async def coverage_csv(
    principal: Reader,
    db: Db,
    today: Today,
    first: From = None,
    last: To = None,
    establishment: Establishment = None,
) -> Response:
    coverage, rows = await _compute(db, principal, today, first, last, establishment)
    name = f"couverture-{coverage.from_day.isoformat()}-{coverage.to_day.isoformat()}.csv"
    return Response(
        render_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
