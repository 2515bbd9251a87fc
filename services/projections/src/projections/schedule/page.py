"""The schedule as a printable French page, one day after the other (a week by default): one Jinja2 template
(`templates/schedule.html`), CSS inline, every value escaped, times in the establishment's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from kernel.clock import local_date
from projections import pages
from projections.person_file import french

KINDS = {
    "group_session": "Programme",
    "action_session": "Action partenaire",
    "positioning": "Positionnement",
    "interview": "Entretien SPIP",
    "training": "Formation",
    "work": "Travail",
}


def render_html(
    items: list[dict[str, Any]], *, first_day: date, last_day: date, heading: str, generated_at: datetime
) -> str:
    days = []
    day = first_day
    while day <= last_day:
        days.append((day, [i for i in items if local_date(i["starts_at"]) == day]))
        day += timedelta(days=1)
    return (
        _environment()
        .get_template("schedule.html")
        .render(
            days=days, heading=heading, generated_at=generated_at, period=french.period(first_day, last_day)
        )
    )


def participant(person: dict[str, Any]) -> str:
    if person.get("last_name"):
        return f"{person['last_name'].upper()} {person['first_names']}"
    return person["subject_id"]


@cache
def _environment() -> Environment:
    return pages.environment(
        Path(__file__).parent / "templates",
        day=lambda on: f"{french.WEEKDAYS[on.weekday()]} {french.day(on)}",
        clock=french.clock,
        instant=french.instant,
        percent=french.percent,
        kind=lambda kind: KINDS.get(kind, kind),
        participant=participant,
    )
