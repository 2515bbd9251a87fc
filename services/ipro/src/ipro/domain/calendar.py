"""Time rules of the IPRO domain: working days, months ahead, and whether a new commitment collides with the
person's others (weekly hours of work or training, one-off sessions of partner actions), in local time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from contracts.ipro import WeeklySlot
from ipro.domain.facts import Booking
from kernel.clock import LOCAL_TIME_ZONE


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`; public holidays are not known here."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):  # the 31st of a shorter month is its last day
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _times_overlap(a_start: time, a_end: time, b_start: time, b_end: time) -> bool:
    return a_start < b_end and b_start < a_end


def _periods_overlap(a: Booking, b: Booking) -> bool:
    far = date.max
    return (a.starts_on or date.min) <= (b.ends_on or far) and (b.starts_on or date.min) <= (a.ends_on or far)


def _weekly_against_session(weekly: Booking, session: Booking) -> bool:
    """Each local day the session touches (one, unless it runs past midnight) against that day's slots."""
    start, end = session.starts_at.astimezone(LOCAL_TIME_ZONE), session.ends_at.astimezone(LOCAL_TIME_ZONE)
    day = start.date()
    while day <= end.date():
        begins = start.time() if day == start.date() else time.min
        ends = end.time() if day == end.date() else time.max
        within = (weekly.starts_on or date.min) <= day <= (weekly.ends_on or date.max)
        if within and any(
            slot.weekday == day.weekday() and _times_overlap(slot.starts_at, slot.ends_at, begins, ends)
            for slot in weekly.slots
        ):
            return True
        day += timedelta(days=1)
    return False


def collides(a: Booking, b: Booking) -> bool:
    if a.starts_at is not None and b.starts_at is not None:
        return a.starts_at < b.ends_at and b.starts_at < a.ends_at
    if a.starts_at is not None:
        return _weekly_against_session(b, a)
    if b.starts_at is not None:
        return _weekly_against_session(a, b)
    return _periods_overlap(a, b) and any(
        x.weekday == y.weekday and _times_overlap(x.starts_at, x.ends_at, y.starts_at, y.ends_at)
        for x in a.slots
        for y in b.slots
    )


def collisions(candidate: Booking, bookings: list[Booking]) -> list[Booking]:
    return [b for b in bookings if b.reference != candidate.reference and collides(candidate, b)]


def first_collision(candidate: Booking, bookings: list[Booking]) -> Booking | None:
    return next(iter(collisions(candidate, bookings)), None)


def slots_valid(slots: list[WeeklySlot]) -> bool:
    return all(slot.starts_at < slot.ends_at for slot in slots)


def session_booking(reference: str, starts_at: datetime, ends_at: datetime) -> Booking:
    return Booking(kind="action", reference=reference, starts_at=starts_at, ends_at=ends_at)
