"""How a message to users says a day or an instant: as they read a calendar, in the establishment's local
time (`Friday 11 December 2026 at 10:00`), never an ISO string or a UTC clock. One form for every service's
refusals, which name things the way users know them."""

from __future__ import annotations

from datetime import date, datetime

from kernel.clock import LOCAL_TIME_ZONE

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day(on: date) -> str:
    """`Friday 11 December 2026`."""
    return f"{_WEEKDAYS[on.weekday()]} {on.day} {_MONTHS[on.month - 1]} {on.year}"


def moment(at: datetime) -> str:
    """`Friday 11 December 2026 at 10:00`, local time."""
    local = at.astimezone(LOCAL_TIME_ZONE)
    return f"{day(local.date())} at {local:%H:%M}"


def quoted(text: str, limit: int = 80) -> str:
    """A user's text named in a message, «in quotes», cut short if long."""
    text = " ".join(text.split())
    return f"«{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}»"
