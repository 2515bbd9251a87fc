"""How the programmes service names people and things in what it tells users (refusals): a programme by its
code and name, a group by its start date (and its programme, when the decision knows it), a session by its
number, local day, time and room, the person by name and écrou number; days and instants as every service
says them (`kernel.wording`). Ids stay in the problem's members, for clients."""

from __future__ import annotations

from datetime import date

from contracts.programmes import GroupSession, ProgrammeDefinition
from kernel.wording import day, moment

PERSON = "the person"
PROGRAMME = "the programme"


def programme(code: str, name: str) -> str:
    """`PPR «Programme de prévention de la récidive»`."""
    return f"{code} «{name}»"


def programme_of(definition: ProgrammeDefinition) -> str:
    return programme(definition.code, definition.name)


def person(first_names: str, last_name: str, ecrou_number: str) -> str:
    """`Jean Pierre Durand (écrou 62041A)`."""
    name = " ".join(part for part in (first_names.strip(), last_name.strip()) if part) or PERSON
    return f"{name} (écrou {ecrou_number})" if ecrou_number.strip() else name


def group(start_date: date | None, of: str = "") -> str:
    """`the group of PPR «…» starting on Tuesday 1 December 2026`."""
    of = f" of {of}" if of else ""
    return f"the group{of} starting on {day(start_date)}" if start_date else f"the group{of}"


def session(planned: GroupSession) -> str:
    """`session 3 on Tuesday 15 December 2026 at 14:00 (Salle 1)`, or the review or the catch-up session."""
    if planned.review:
        what = "the review session"
    elif planned.catch_up:
        what = "the catch-up session"
    else:
        what = f"session {planned.number}"
    where = f" ({planned.room})" if planned.room else ""
    return f"{what} on {moment(planned.starts_at)}{where}"
