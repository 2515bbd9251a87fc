from datetime import UTC, date, datetime, time, timedelta

import pytest

from ipro.domain.calendar import (
    add_months,
    add_working_days,
    collides,
    first_collision,
    session_booking,
    slots_valid,
)
from ipro.domain.facts import Booking

from ..builders import (
    FRIDAY,
    MONDAY,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    a_positioned_session,
    local,
    slot,
    training_hours,
    work_hours,
)

SUMMER_TIME_STARTS = date(2027, 3, 28)  # a Sunday: 02:00 becomes 03:00 in Europe/Paris


def weekly(
    *slots, starts_on: date | None = date(2027, 1, 4), ends_on: date | None = None, reference: str = "weekly"
) -> Booking:
    return Booking(kind="work", reference=reference, starts_on=starts_on, ends_on=ends_on, slots=list(slots))


def session(starts_at: datetime, minutes: int = 60, reference: str = "session") -> Booking:
    return session_booking(reference, starts_at, starts_at + timedelta(minutes=minutes))


# --- working days ---


@pytest.mark.parametrize(
    "start, days, expected",
    [
        pytest.param(date(2026, 11, 27), 5, date(2026, 12, 4), id="Friday + 5: next Friday"),
        pytest.param(date(2026, 11, 30), 5, date(2026, 12, 7), id="Monday + 5: next Monday"),
        pytest.param(date(2026, 11, 30), 4, date(2026, 12, 4), id="Monday + 4: Friday"),
        pytest.param(date(2026, 11, 27), 1, date(2026, 11, 30), id="Friday + 1: Monday"),
        pytest.param(date(2026, 11, 28), 1, date(2026, 11, 30), id="Saturday + 1: Monday"),
        pytest.param(date(2026, 11, 29), 1, date(2026, 11, 30), id="Sunday + 1: Monday"),
        pytest.param(date(2026, 11, 26), 2, date(2026, 11, 30), id="Thursday + 2: Monday"),
        pytest.param(date(2026, 12, 28), 5, date(2027, 1, 4), id="across the new year"),
        pytest.param(date(2026, 11, 27), 10, date(2026, 12, 11), id="Friday + 10: two weeks later"),
        pytest.param(date(2026, 11, 28), 0, date(2026, 11, 28), id="no days: the start, even a Saturday"),
    ],
)
def test_working_days_skip_week_ends(start, days, expected):
    assert add_working_days(start, days) == expected


def test_public_holidays_are_not_known_and_count_as_working_days():
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 25)


# --- months ---


@pytest.mark.parametrize(
    "start, months, expected",
    [
        pytest.param(date(2026, 11, 27), 6, date(2027, 5, 27), id="six months ahead"),
        pytest.param(date(2026, 11, 27), 0, date(2026, 11, 27), id="no months"),
        pytest.param(date(2026, 12, 15), 1, date(2027, 1, 15), id="into the next year"),
        pytest.param(date(2026, 1, 15), 24, date(2028, 1, 15), id="two years"),
        pytest.param(date(2027, 1, 31), 1, date(2027, 2, 28), id="31 January to the end of February"),
        pytest.param(date(2028, 1, 31), 1, date(2028, 2, 29), id="31 January to 29 February, leap year"),
        pytest.param(date(2027, 1, 29), 1, date(2027, 2, 28), id="29 January to 28 February"),
        pytest.param(date(2027, 3, 31), 1, date(2027, 4, 30), id="31 March to 30 April"),
        pytest.param(date(2026, 8, 31), 6, date(2027, 2, 28), id="31 August, six months ahead"),
        pytest.param(date(2027, 5, 27), -6, date(2026, 11, 27), id="six months back"),
        pytest.param(date(2027, 1, 15), -1, date(2026, 12, 15), id="back into the previous year"),
        pytest.param(date(2027, 8, 31), -6, date(2027, 2, 28), id="31 August, six months back"),
        pytest.param(date(2028, 8, 31), -6, date(2028, 2, 29), id="31 August, six months back, leap year"),
        pytest.param(date(2027, 3, 15), -15, date(2025, 12, 15), id="more than a year back"),
        pytest.param(date(2027, 1, 1), -12, date(2026, 1, 1), id="exactly a year back"),
    ],
)
def test_months_ahead_or_back_end_on_the_last_day_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


# --- two one-off sessions ---


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param(
            session(local(date(2027, 1, 6), 10)), session(local(date(2027, 1, 6), 10, 30)), id="overlapping"
        ),
        pytest.param(
            session(local(date(2027, 1, 6), 10), 240),
            session(local(date(2027, 1, 6), 11)),
            id="one inside the other",
        ),
        pytest.param(
            session(local(date(2027, 1, 6), 10)),
            session(datetime(2027, 1, 6, 9, 30, tzinfo=UTC)),
            id="the same hour, one given in UTC",
        ),
    ],
)
def test_sessions_that_share_time_collide(a, b):
    assert collides(a, b) and collides(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param(
            session(local(date(2027, 1, 6), 10)),
            session(local(date(2027, 1, 6), 11)),
            id="one right after the other",
        ),
        pytest.param(
            session(local(date(2027, 1, 6), 10)),
            session(local(date(2027, 1, 13), 10)),
            id="the same hour, a week apart",
        ),
        pytest.param(
            session(local(date(2027, 1, 6), 10)),
            session(datetime(2027, 1, 6, 10, 0, tzinfo=UTC)),
            id="10:00 in Paris and 10:00 UTC",
        ),
    ],
)
def test_sessions_that_share_no_time_do_not_collide(a, b):
    assert not collides(a, b) and not collides(b, a)


# --- two weekly schedules ---


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param(
            weekly(slot(MONDAY, 8, 12)), weekly(slot(MONDAY, 11, 14)), id="same day, overlapping hours"
        ),
        pytest.param(weekly(slot(MONDAY, 8, 12)), weekly(slot(MONDAY, 9, 10)), id="same day, hours inside"),
        pytest.param(
            weekly(slot(MONDAY, 8, 12), slot(THURSDAY, 8, 12)),
            weekly(slot(TUESDAY, 8, 12), slot(THURSDAY, 11, 12)),
            id="one of several slots",
        ),
        pytest.param(
            weekly(slot(MONDAY, 8, 12), ends_on=date(2027, 3, 1)),
            weekly(slot(MONDAY, 8, 12), starts_on=date(2027, 3, 1)),
            id="periods sharing a day",
        ),
        pytest.param(
            weekly(slot(MONDAY, 8, 12), starts_on=None),
            weekly(slot(MONDAY, 8, 12), ends_on=date(2027, 2, 1)),
            id="no start date",
        ),
        pytest.param(work_hours(), training_hours(slots=[slot(THURSDAY, 11, 12)]), id="the default work"),
    ],
)
def test_weekly_hours_on_the_same_day_at_the_same_time_during_the_same_period_collide(a, b):
    assert collides(a, b) and collides(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        pytest.param(weekly(slot(MONDAY, 8, 12)), weekly(slot(TUESDAY, 8, 12)), id="different days"),
        pytest.param(
            weekly(slot(MONDAY, 8, 12)), weekly(slot(MONDAY, 12, 14)), id="one right after the other"
        ),
        pytest.param(weekly(slot(MONDAY, 8, 12)), weekly(slot(MONDAY, 14, 16)), id="morning and afternoon"),
        pytest.param(
            weekly(slot(MONDAY, 8, 12), ends_on=date(2027, 2, 28)),
            weekly(slot(MONDAY, 8, 12), starts_on=date(2027, 3, 1)),
            id="one period after the other",
        ),
        pytest.param(
            weekly(slot(MONDAY, 8, 12), starts_on=date(2027, 3, 1)),
            weekly(slot(MONDAY, 8, 12), starts_on=date(2026, 9, 1), ends_on=date(2027, 2, 26)),
            id="one period before the other",
        ),
        pytest.param(weekly(slot(MONDAY, 8, 12)), weekly(), id="no slots"),
        pytest.param(work_hours(), training_hours(), id="the default work and training"),
    ],
)
def test_weekly_hours_that_share_no_time_do_not_collide(a, b):
    assert not collides(a, b) and not collides(b, a)


# --- weekly hours and a session, in local time ---

WEDNESDAY_AFTERNOONS = weekly(slot(WEDNESDAY, 14, 16), starts_on=date(2026, 12, 2), ends_on=date(2027, 6, 30))


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(session(local(date(2027, 1, 6), 15)), id="during the hours"),
        pytest.param(session(local(date(2027, 1, 6), 13), 90), id="ending during the hours"),
        pytest.param(session(local(date(2027, 1, 6), 13), 240), id="around the hours"),
        pytest.param(session(local(date(2026, 12, 2), 14)), id="on the first day"),
        pytest.param(session(local(date(2027, 6, 30), 15)), id="on the last day"),
        pytest.param(session(local(date(2027, 3, 31), 14, 30)), id="in summer time"),
        pytest.param(session(datetime(2027, 3, 31, 12, 30, tzinfo=UTC)), id="in summer time, given in UTC"),
        pytest.param(session(datetime(2027, 3, 24, 13, 30, tzinfo=UTC)), id="in winter time, given in UTC"),
    ],
)
def test_a_session_during_weekly_hours_collides_with_them(other):
    assert collides(WEDNESDAY_AFTERNOONS, other) and collides(other, WEDNESDAY_AFTERNOONS)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(session(local(date(2027, 1, 7), 15)), id="on another day"),
        pytest.param(session(local(date(2027, 1, 6), 10)), id="in the morning"),
        pytest.param(session(local(date(2027, 1, 6), 16)), id="right after the hours"),
        pytest.param(session(local(date(2027, 1, 6), 13)), id="right before the hours"),
        pytest.param(session(local(date(2026, 11, 25), 15)), id="before the period"),
        pytest.param(session(local(date(2027, 7, 7), 15)), id="after the period"),
        pytest.param(session(local(date(2027, 3, 31), 16)), id="right after the hours, in summer time"),
        pytest.param(
            session(datetime(2027, 3, 31, 14, 0, tzinfo=UTC)), id="14:00 UTC in summer time is 16:00 in Paris"
        ),
        pytest.param(
            session(datetime(2027, 3, 24, 15, 0, tzinfo=UTC)), id="15:00 UTC in winter time is 16:00 in Paris"
        ),
    ],
)
def test_a_session_outside_weekly_hours_does_not_collide_with_them(other):
    assert not collides(WEDNESDAY_AFTERNOONS, other) and not collides(other, WEDNESDAY_AFTERNOONS)


def test_a_session_is_placed_on_its_local_day():
    """23:30 UTC on a Tuesday is 00:30 on Wednesday in Paris."""
    night = weekly(slot(WEDNESDAY, 0, 1))
    assert collides(night, session(datetime(2027, 1, 5, 23, 30, tzinfo=UTC), 30))
    late_on_tuesday = weekly(slot(TUESDAY, 23, time(23, 59)))
    assert not collides(late_on_tuesday, session(datetime(2027, 1, 5, 23, 30, tzinfo=UTC)))


def test_a_session_on_the_day_summer_time_starts_is_in_local_time():
    sunday = weekly(slot(SUMMER_TIME_STARTS.weekday(), 10, 12))
    assert collides(sunday, session(datetime(2027, 3, 28, 8, 30, tzinfo=UTC)))  # 10:30 in Paris
    assert not collides(sunday, session(datetime(2027, 3, 28, 10, 0, tzinfo=UTC)))  # 12:00 in Paris


def test_open_ended_weekly_hours_collide_with_a_session_years_later():
    assert collides(work_hours(), session(local(date(2031, 1, 6), 9)))  # a Monday


def test_a_session_running_past_midnight_collides_with_hours_of_the_next_morning():
    late = session(local(date(2027, 1, 5), 22), 240)  # Tuesday 22:00 to Wednesday 02:00
    assert collides(weekly(slot(WEDNESDAY, 1, 3)), late)


# --- first collision, slots, sessions ---


def test_the_first_colliding_booking_is_found():
    candidate = weekly(slot(WEDNESDAY, 9, 12), reference="training-2")
    clash = a_positioned_session(starts_at=local(date(2027, 1, 6), 11), ends_at=local(date(2027, 1, 6), 13))
    bookings = [work_hours(), training_hours(), clash, a_positioned_session(reference="positioning-3")]
    assert first_collision(candidate, bookings) == clash


def test_no_collision_is_found_among_bookings_at_other_times():
    assert first_collision(weekly(slot(WEDNESDAY, 9, 12)), [work_hours(), training_hours()]) is None
    assert first_collision(weekly(slot(WEDNESDAY, 9, 12)), []) is None


def test_a_booking_does_not_collide_with_itself():
    hours = work_hours()
    assert first_collision(hours, [hours]) is None
    assert first_collision(hours, [hours, work_hours(reference="affectation-2")]) == work_hours(
        reference="affectation-2"
    )


@pytest.mark.parametrize(
    "slots, valid",
    [
        pytest.param([], True, id="no slots"),
        pytest.param(
            [slot(MONDAY, 8, 12), slot(FRIDAY, time(13, 30), time(13, 31))], True, id="each in order"
        ),
        pytest.param([slot(MONDAY, 8, 8)], False, id="ending when it starts"),
        pytest.param([slot(MONDAY, 8, 12), slot(FRIDAY, 14, 13)], False, id="one ending before it starts"),
    ],
)
def test_each_slot_ends_after_it_starts(slots, valid):
    assert slots_valid(slots) is valid


def test_a_session_booking_is_a_partner_action_at_its_times():
    starts_at = local(date(2027, 1, 6), 10)
    assert session_booking("positioning-1", starts_at, starts_at + timedelta(hours=2)) == Booking(
        kind="action", reference="positioning-1", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )
