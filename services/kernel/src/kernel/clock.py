"""The clock is injected everywhere time matters, so deadlines and timestamps are testable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


# Deadlines and opening days are the establishment's calendar days: a call closing on the 15th accepts a
# proposal at 23:30 in Arras, when UTC already says the 16th. Every establishment is in metropolitan France.
LOCAL_TIME_ZONE = ZoneInfo("Europe/Paris")


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TIME_ZONE).date()


def start_of_day(day: date) -> datetime:
    """The first instant of a local calendar day (a date filter's bound)."""
    return datetime.combine(day, time(), tzinfo=LOCAL_TIME_ZONE)
