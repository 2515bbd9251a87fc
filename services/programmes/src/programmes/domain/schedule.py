"""Sessions from a weekly pattern: local days and times of the establishment, stored as aware instants; the
period a schedule covers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts.programmes import GroupSession, WeeklyPattern
from kernel.clock import LOCAL_TIME_ZONE
from programmes.domain.errors import PeriodInvalid


def session_id(group_id: str, number: int) -> str:
    return f"{group_id}-s{number}"


def generate(
    group_id: str, start_date: date, pattern: WeeklyPattern, count: int, room: str, review_last: bool
) -> list[GroupSession]:
    """`count` sessions from the first `pattern.weekday` on or after `start_date`; with `review_last`, the
    last one is the review session."""
    first = start_date + timedelta(days=(pattern.weekday - start_date.weekday()) % 7)
    sessions = []
    for number in range(1, count + 1):
        day = first + timedelta(weeks=(number - 1) * pattern.every_weeks)
        starts_at = datetime.combine(day, pattern.starts_at, tzinfo=LOCAL_TIME_ZONE)
        sessions.append(
            GroupSession(
                session_id=session_id(group_id, number),
                number=number,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=pattern.duration_minutes),
                room=room,
                review=review_last and number == count,
            )
        )
    return sessions


def period(week: date | None, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The days a schedule covers: the Monday-to-Sunday week of `week`, or `date_from` to `date_to`."""
    if week is not None:
        monday = week - timedelta(days=week.weekday())
        return monday, monday + timedelta(days=6)
    if date_from is None or date_to is None or date_to < date_from:
        raise PeriodInvalid("give a week, or from and to (to on or after from)")
    return date_from, date_to
