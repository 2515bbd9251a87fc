"""Sessions from a weekly pattern: local days and times of the establishment, stored as aware instants."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts.programmes import GroupSession, WeeklyPattern
from kernel.clock import LOCAL_TIME_ZONE


def session_id(group_id: str, number: int) -> str:
    return f"{group_id}-s{number}"


def generate(group_id: str, start_date: date, pattern: WeeklyPattern, count: int, room: str,
             review_last: bool) -> list[GroupSession]:
    """`count` sessions from the first `pattern.weekday` on or after `start_date`; with `review_last`, the
    last one is the review session."""
    first = start_date + timedelta(days=(pattern.weekday - start_date.weekday()) % 7)
    sessions = []
    for number in range(1, count + 1):
        day = first + timedelta(weeks=(number - 1) * pattern.every_weeks)
        starts_at = datetime.combine(day, pattern.starts_at, tzinfo=LOCAL_TIME_ZONE)
        sessions.append(GroupSession(
            session_id=session_id(group_id, number), number=number, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=pattern.duration_minutes), room=room,
            review=review_last and number == count,
        ))
    return sessions
