"""The person file as a print-ready French page: one Jinja2 template (`templates/person_file.html`) with its CSS
inline, no external asset, every value escaped. Dates and instants are written the French way in the
establishment's time zone, values by their French labels (`french.py`)."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from functools import cache
from pathlib import Path

from jinja2 import Environment

from projections import pages
from projections.person_file import french
from projections.person_file.model import ObjectiveAction, PersonFile

SERVICES = {"assessment": "SPIP", "programmes": "Programmes", "ipro": "IPRO", "partners": "Partenaires"}


def render_html(file: PersonFile, *, reader_role: str, generated_at: datetime) -> str:
    return (
        _environment()
        .get_template("person_file.html")
        .render(file=file, heading=heading(file), reader_role=reader_role, generated_at=generated_at)
    )


def heading(file: PersonFile) -> str:
    if file.identity is None:
        return f"Personne {file.subject_id}"
    identity = file.identity
    return f"{identity.last_name.upper()} {identity.first_names} – écrou n° {identity.ecrou_number}"


@cache
def _environment() -> Environment:
    return pages.environment(
        Path(__file__).parent / "templates",
        day=french.day,
        instant=french.instant,
        period=french.period,
        percent=french.percent,
        label=_label,
        role=french.role,
        service=lambda name: SERVICES.get(name, name),
        action_status=_action_status,
        weekday=lambda n: french.WEEKDAYS[n],
        hour=_hour,
    )


def _label(value: StrEnum | None) -> str:
    return "" if value is None else french.label(value)


def _action_status(action: ObjectiveAction) -> str:
    return french.action_status(action.kind, action.status)


def _hour(value: time) -> str:
    return f"{value.hour} h {value.minute:02d}"
