"""HTTP routes of the InSERRE indicators: per month and establishment as JSON, and one indicator over the
months as an SVG chart. Access as `indicators.access` says; the establishments are the caller's (ADR 26)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from kernel.access import Principal
from kernel.api import Db, Label, Today
from kernel.auth import allow
from kernel.errors import InvalidValue, NotFound
from kernel.http import service_router
from projections.indicators import store
from projections.indicators.access import READERS
from projections.indicators.chart import render_svg
from projections.indicators.compute import Month, MonthIndicators, Share, bounds, compute, months_between

router = service_router("", tags=["indicators"])

MAX_MONTHS = 36
MONTH_PATTERN = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$"  # the years kernel.api allows days in

Reader = Annotated[Principal, Depends(allow(READERS))]
From = Annotated[
    str | None,
    Query(alias="from", pattern=MONTH_PATTERN, description="first month, YYYY-MM (default: 11 before to)"),
]
To = Annotated[
    str | None,
    Query(
        alias="to",
        pattern=MONTH_PATTERN,
        description=f"last month, YYYY-MM, included (default: this month; at most {MAX_MONTHS})",
    ),
]
Establishment = Annotated[Label | None, Query(description="the establishment's name")]


class ShareOut(BaseModel):
    numerator: int
    denominator: int
    share: float | None = Field(
        description="numerator over denominator, from 0 to 1; null when nothing to count"
    )
    target: float | None = None


class DelaysOut(BaseModel):
    count: int = Field(description="first activities that began in the month")
    mean: float | None = Field(description="days from admission, on average")
    median: float | None


class MonthOut(BaseModel):
    month: str
    establishment: str
    complete: bool = Field(description="the month is over: its figures change only if the log does")
    residents: int = Field(description="people held at least one day of the month")
    in_activity: ShareOut = Field(
        description="days held in work, training or an active pathway step, over days held (target 100 %)"
    )
    days_to_first_activity: DelaysOut
    programme_completion: ShareOut = Field(
        description="programme participations completed, over those that ended (released or withdrawn aside)"
    )
    partner_bookings: int = Field(description="places on partner action sessions held in the month")
    partner_attendance: ShareOut = Field(description="attended, over attended or absent")
    partner_outcomes: ShareOut = Field(
        description="attended places with an outcome (not 'none'), over attended"
    )
    outcomes_by_kind: dict[str, int]
    release_outcomes: ShareOut = Field(
        description="releases with a solution (job, training, France Travail follow-up), over releases"
    )
    releases_by_situation: dict[str, int]
    releases_by_reason: dict[str, int]
    releases_before_expected_end: int = Field(
        description="releases before the sentence's expected end date; the log does not say by which measure"
    )


class Indicators(BaseModel):
    from_month: str
    to_month: str
    months: list[MonthOut]


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    target: float | None = None

    def value(self, name: str, month: MonthIndicators) -> float | None:
        measured = getattr(month, name.replace("-", "_"))
        if isinstance(measured, Share):
            return None if measured.share is None else round(measured.share * 100, 1)
        return measured.mean


CHARTS = {
    "in-activity": Chart("Part des jours en travail, formation ou parcours actif", " %", target=100.0),
    "days-to-first-activity": Chart("Délai moyen de l'arrivée à la première activité", " j"),
    "programme-completion": Chart("Taux d'achèvement des programmes", " %"),
    "partner-attendance": Chart("Présence aux actions partenaires", " %"),
    "partner-outcomes": Chart("Actions partenaires suivies d'un résultat", " %"),
    "release-outcomes": Chart("Sorties avec une solution (emploi, formation, France Travail)", " %"),
}


def month_range(first: str | None, last: str | None, today: date) -> list[Month]:
    current = (today.year, today.month)
    to = _month(last) if last else current
    start = _month(first) if first else _shift(to, -11)
    if to < start:
        raise InvalidValue("to is a month after from", code="month-range-invalid")
    if to > current:
        raise InvalidValue(
            "to is this month or a past one: the future has no figures", code="month-in-future"
        )
    months = months_between(start, to)
    if len(months) > MAX_MONTHS:
        raise InvalidValue(f"from and to span at most {MAX_MONTHS} months", code="month-range-too-long")
    return months


@router.get(
    "/indicators", response_model=Indicators, summary="InSERRE indicators per month and establishment"
)
async def read_indicators(
    principal: Reader,
    db: Db,
    today: Today,
    first: From = None,
    last: To = None,
    establishment: Establishment = None,
) -> Indicators:
    months = month_range(first, last, today)
    found = await _computed(db, principal, months, establishment, today)
    return Indicators(
        from_month=f"{months[0][0]:04d}-{months[0][1]:02d}",
        to_month=f"{months[-1][0]:04d}-{months[-1][1]:02d}",
        months=[_out(m) for m in found],
    )


@router.get(
    "/indicators/{indicator}.svg",
    summary="One indicator over the months, per establishment, as an SVG chart",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def chart(
    indicator: Annotated[str, Path(max_length=64)],
    principal: Reader,
    db: Db,
    today: Today,
    first: From = None,
    last: To = None,
    establishment: Establishment = None,
) -> Response:
    drawn = CHARTS.get(indicator)
    if drawn is None:
        raise NotFound(f"no indicator {indicator!r}: one of {', '.join(CHARTS)}", code="indicator-not-found")
    months = month_range(first, last, today)
    found = await _computed(db, principal, months, establishment, today)
    keys = [f"{y:04d}-{m:02d}" for y, m in months]
    series: dict[str, list[float | None]] = {}
    for month in found:
        series.setdefault(month.establishment, [None] * len(keys))[keys.index(month.month)] = drawn.value(
            indicator, month
        )
    svg = render_svg(title=drawn.title, unit=drawn.unit, months=keys, series=series, target=drawn.target)
    return Response(svg, media_type="image/svg+xml; charset=utf-8")


async def _computed(db, principal: Principal, months: list[Month], establishment: str | None, today: date):
    async with db.acquire() as connection:
        facts = await store.facts(
            connection,
            first=bounds(months[0])[0],
            last=bounds(months[-1])[1],
            establishment=establishment,
            establishments=principal.perimeter,
        )
    return compute(facts, months, today=today)


def _month(text: str) -> Month:
    year, number = text.split("-")
    return int(year), int(number)


def _shift(month: Month, by: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + by
    return index // 12, index % 12 + 1


def _share(share: Share) -> dict[str, Any]:
    return {
        "numerator": share.numerator,
        "denominator": share.denominator,
        "share": share.share,
        "target": share.target,
    }


def _out(month: MonthIndicators) -> MonthOut:
    values = {name: getattr(month, name) for name in MonthOut.model_fields}
    values = {k: _share(v) if isinstance(v, Share) else v for k, v in values.items()}
    delays = month.days_to_first_activity
    values["days_to_first_activity"] = {"count": delays.count, "mean": delays.mean, "median": delays.median}
    return MonthOut(**values)
