"""The InSERRE indicators (projections' `/indicators`): per month and establishment, each drawn by the service
as an SVG chart (`/indicators/{name}.svg`, served here with the user's token) and given as a table too, the
chart's text alternative. The figures are the service's; the page words them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response

from web.establishments import establishment_choices
from web.messages import Refusal
from web.rendering import MONTHS, render
from web.session import CurrentUser

router = APIRouter()

# The service's parameters and rules, by the form field that sets them.
FIELDS = {
    "from": "du",
    "to": "au",
    "establishment": "etablissement",
    "month-range-invalid": "au",
    "month-in-future": "au",
    "month-range-too-long": "du",
}


@dataclass(frozen=True)
class Indicator:
    chart: str  # the service's chart name
    field: str  # the month's member
    heading: str


INDICATORS = (
    Indicator("in-activity", "in_activity", "Part des jours en travail, formation ou parcours actif"),
    Indicator(
        "days-to-first-activity", "days_to_first_activity", "Délai de l'arrivée à la première activité"
    ),
    Indicator("programme-completion", "programme_completion", "Taux d'achèvement des programmes"),
    Indicator("partner-attendance", "partner_attendance", "Présence aux actions partenaires"),
    Indicator("partner-outcomes", "partner_outcomes", "Actions partenaires suivies d'un résultat"),
    Indicator(
        "release-outcomes",
        "release_outcomes",
        "Sorties avec une solution (emploi, formation, France Travail)",
    ),
)
CHARTS = {indicator.chart for indicator in INDICATORS}


def month_label(key: str) -> str:
    """`2031-01` → `janvier 2031`."""
    year, number = key.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def figure(value: Any) -> str:
    """A share (`60 % (12 sur 20)`) or a delay (`12,5 jours en moyenne, médiane 10 (4 personnes)`)."""
    if value is None:
        return "–"
    if "share" in value:
        if value["share"] is None:
            return "rien à mesurer"
        percent = f"{value['share'] * 100:.0f}".replace(".", ",")
        return f"{percent} % ({value['numerator']} sur {value['denominator']})"
    if value.get("mean") is None:
        return "rien à mesurer"
    mean = f"{value['mean']:.1f}".replace(".", ",")
    median = "" if value.get("median") is None else f", médiane {value['median']:g}".replace(".", ",")
    return f"{mean} jours en moyenne{median} ({value['count']} personnes)"


def tables(indicators: dict[str, Any]) -> dict[str, Any]:
    """Per indicator, a row per month and a column per establishment: what each chart draws."""
    establishments = sorted({m["establishment"] for m in indicators["months"]})
    months = sorted({m["month"] for m in indicators["months"]})
    found = {(m["month"], m["establishment"]): m for m in indicators["months"]}

    def rows(field: str):
        return [
            {
                "month": month_label(month),
                "cells": [figure(found.get((month, e), {}).get(field)) for e in establishments],
            }
            for month in months
        ]

    return {
        "establishments": establishments,
        "indicators": [{"indicator": indicator, "rows": rows(indicator.field)} for indicator in INDICATORS],
        "counts": [
            {
                "month": month_label(month),
                "cells": [
                    (
                        found.get((month, e), {}).get("residents"),
                        found.get((month, e), {}).get("partner_bookings"),
                    )
                    for e in establishments
                ],
                "complete": all(found.get((month, e), {}).get("complete", True) for e in establishments),
            }
            for month in months
        ],
    }


def _params(du: str, au: str, etablissement: str) -> dict[str, str]:
    return {k: v for k, v in (("from", du), ("to", au), ("establishment", etablissement)) if v}


@router.get("/indicateurs")
async def indicators(
    request: Request,
    user: CurrentUser,
    du: Annotated[str, Query()] = "",
    au: Annotated[str, Query()] = "",
    etablissement: Annotated[str, Query()] = "",
):
    du, au, etablissement = du.strip(), au.strip(), etablissement.strip()
    answered, errors, status = None, {}, 200
    try:
        answered = await request.app.state.api.get(
            "projections", "/indicators", user.token, params=_params(du, au, etablissement), fields=FIELDS
        )
    except Refusal as refusal:
        errors, status = refusal.messages, refusal.status
    return render(
        request,
        "pages/indicators.html",
        partial="partials/indicators.html",
        status_code=status,
        title="Indicateurs InSERRE",
        answered=answered,
        shown=tables(answered) if answered else None,
        # The charts are drawn over the window the service answered for, whatever the form said.
        chart_query=(
            f"du={answered['from_month']}&au={answered['to_month']}&etablissement={quote(etablissement)}"
            if answered
            else ""
        ),
        period=(month_label(answered["from_month"]), month_label(answered["to_month"])) if answered else None,
        du=du,
        au=au,
        etablissement=etablissement,
        establishments=establishment_choices(user),
        errors=errors,
    )


@router.get("/indicateurs/graphiques/{name}.svg")
async def chart(
    request: Request,
    user: CurrentUser,
    name: Annotated[str, Path(max_length=64)],
    du: Annotated[str, Query()] = "",
    au: Annotated[str, Query()] = "",
    etablissement: Annotated[str, Query()] = "",
) -> Response:
    if name not in CHARTS:
        raise HTTPException(status_code=404)
    svg = await request.app.state.api.get_svg(
        "projections", f"/indicators/{name}.svg", user.token, params=_params(du, au, etablissement)
    )
    return Response(svg, media_type="image/svg+xml; charset=utf-8")
