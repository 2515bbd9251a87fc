"""The movement list as a printable French page, A4, the documents' shared look (`templates/document.css`):
one Jinja2 template (`templates/movements.html`), every value escaped, times in the establishment's time."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from kernel.clock import LOCAL_TIME_ZONE
from projections import pages
from projections.person_file import french

KINDS = {
    "group_session": "Programme",
    "interview": "Entretien SPIP",
    "positioning": "Action partenaire",
    "training": "Formation",
    "work": "Travail",
    "pmsmp": "PMSMP",
    "escorted_professional_leave": "Permission de sortir encadrée",
}


def render_html(listed: dict[str, Any], *, generated_at: datetime) -> str:
    """`listed`: a `MovementList` as a dict (day, establishment, movements, partners)."""
    return _environment().get_template("movements.html").render(listed=listed, generated_at=generated_at)


def person(movement: dict[str, Any]) -> str:
    if movement.get("last_name"):
        return f"{movement['last_name'].upper()} {movement['first_names']}"
    return movement["subject_id"]


def hours(item: dict[str, Any]) -> str:
    if item["starts_at"] is None:
        return "Journée"
    return f"{french.clock(item['starts_at'])} – {french.clock(item['ends_at'])}"


def escort(escorted: bool | None) -> str:
    return {True: "Escorté", False: "Non escorté", None: "Non précisé"}[escorted]


@cache
def _environment() -> Environment:
    return pages.environment(
        Path(__file__).parent / "templates",
        weekday=lambda on: french.WEEKDAYS[on.weekday()],
        day=french.day,
        instant=lambda at: french.instant(at.astimezone(LOCAL_TIME_ZONE)),
        kind=lambda kind: KINDS.get(kind, kind),
        person=person,
        hours=hours,
        escort=escort,
    )
