from datetime import UTC, date, datetime, time, timedelta

import pytest

from contracts.programmes import GroupSession
from kernel.clock import LOCAL_TIME_ZONE, local_date
from programmes.domain import errors, schedule

from ..builders import GROUP_START, ROOM, SESSION_DATES, a_session, local, weekly_pattern


def generate(start_date: date = GROUP_START, count: int = 9, review_last: bool = True, **pattern):
    return schedule.generate("group-1", start_date, weekly_pattern(**pattern), count, ROOM, review_last)


def test_a_session_is_named_after_its_group_and_number():
    assert schedule.session_id("group-1", 3) == "group-1-s3"


def test_the_ppr_pattern_gives_eight_sessions_and_a_review_one_week_apart():
    assert generate() == [a_session(number) for number in range(1, 10)]


def test_only_the_last_session_is_the_review():
    assert [s.review for s in generate()] == [False] * 8 + [True]


def test_without_a_review_session_none_is_flagged():
    assert not any(s.review for s in generate(count=8, review_last=False))


def test_each_session_lasts_the_patterns_duration_in_the_groups_room():
    sessions = generate(duration_minutes=90)
    assert {s.ends_at - s.starts_at for s in sessions} == {timedelta(minutes=90)}
    assert {s.room for s in sessions} == {ROOM}
    assert not any(s.catch_up for s in sessions)


@pytest.mark.parametrize(
    "start_date, weekday, first",
    [
        pytest.param(date(2026, 12, 1), 1, date(2026, 12, 1), id="the start date is the weekday"),
        pytest.param(date(2026, 11, 30), 1, date(2026, 12, 1), id="the next day"),
        pytest.param(date(2026, 12, 2), 1, date(2026, 12, 8), id="the weekday just passed: next week"),
        pytest.param(date(2026, 11, 27), 0, date(2026, 11, 30), id="Friday to Monday"),
        pytest.param(date(2026, 11, 30), 6, date(2026, 12, 6), id="Monday to Sunday"),
    ],
)
def test_the_first_session_is_on_the_first_pattern_weekday_from_the_start_date(start_date, weekday, first):
    sessions = generate(start_date=start_date, count=2, weekday=weekday)
    assert [local_date(s.starts_at) for s in sessions] == [first, first + timedelta(weeks=1)]
    assert {s.starts_at.weekday() for s in sessions} == {weekday}


@pytest.mark.parametrize("every_weeks", [1, 2, 3, 4])
def test_sessions_are_every_so_many_weeks(every_weeks):
    sessions = generate(count=4, every_weeks=every_weeks)
    assert [local_date(s.starts_at) for s in sessions] == [
        GROUP_START + timedelta(weeks=every_weeks * n) for n in range(4)
    ]


def test_the_default_group_meets_on_these_tuesdays():
    assert [local_date(s.starts_at) for s in generate()] == SESSION_DATES
    assert SESSION_DATES[-1] == date(2027, 1, 26)


def test_sessions_are_numbered_from_one():
    sessions = generate(count=3)
    assert [(s.number, s.session_id) for s in sessions] == [
        (1, "group-1-s1"),
        (2, "group-1-s2"),
        (3, "group-1-s3"),
    ]


def test_the_local_time_is_kept_across_the_change_to_summer_time():
    """Summer time starts on Sunday 28 March 2027: 14:00 in Paris is 13:00 UTC before, 12:00 UTC after."""
    sessions = generate(start_date=date(2027, 3, 16), count=4)
    assert [s.starts_at.astimezone(LOCAL_TIME_ZONE).time() for s in sessions] == [time(14, 0)] * 4
    assert [s.starts_at.astimezone(UTC) for s in sessions] == [
        datetime(2027, 3, 16, 13, 0, tzinfo=UTC),
        datetime(2027, 3, 23, 13, 0, tzinfo=UTC),
        datetime(2027, 3, 30, 12, 0, tzinfo=UTC),
        datetime(2027, 4, 6, 12, 0, tzinfo=UTC),
    ]
    elapsed = sessions[2].starts_at.astimezone(UTC) - sessions[1].starts_at.astimezone(UTC)
    assert elapsed == timedelta(days=7, hours=-1)
    assert [s.ends_at.astimezone(LOCAL_TIME_ZONE).time() for s in sessions] == [time(16, 0)] * 4


def test_the_local_time_is_kept_across_the_change_to_winter_time():
    """Winter time starts on Sunday 25 October 2026: 14:00 in Paris is 12:00 UTC before, 13:00 UTC after."""
    sessions = generate(start_date=date(2026, 10, 20), count=2)
    assert [s.starts_at.astimezone(UTC) for s in sessions] == [
        datetime(2026, 10, 20, 12, 0, tzinfo=UTC),
        datetime(2026, 10, 27, 13, 0, tzinfo=UTC),
    ]


def test_sessions_are_aware_instants_of_the_establishments_time_zone():
    (session,) = generate(count=1)
    assert session == GroupSession(
        session_id="group-1-s1",
        number=1,
        starts_at=local(GROUP_START),
        ends_at=local(GROUP_START, 16),
        room=ROOM,
        review=True,
    )
    assert session.starts_at.utcoffset() == timedelta(hours=1)


# --- the period a schedule covers ---


@pytest.mark.parametrize(
    "day", [date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 6)], ids=["monday", "wednesday", "sunday"]
)
def test_a_week_is_monday_to_sunday_whatever_day_names_it(day):
    assert schedule.period(day, None, None) == (date(2026, 11, 30), date(2026, 12, 6))


def test_a_week_wins_over_from_and_to():
    assert schedule.period(date(2026, 12, 2), date(2027, 1, 1), date(2026, 1, 1)) == (
        date(2026, 11, 30),
        date(2026, 12, 6),
    )


@pytest.mark.parametrize("date_to", [date(2026, 12, 1), date(2027, 3, 1)])
def test_a_period_runs_from_one_day_to_the_same_or_a_later_one(date_to):
    assert schedule.period(None, date(2026, 12, 1), date_to) == (date(2026, 12, 1), date_to)


@pytest.mark.parametrize(
    "date_from, date_to",
    [
        pytest.param(None, None, id="nothing"),
        pytest.param(date(2026, 12, 1), None, id="no end"),
        pytest.param(None, date(2026, 12, 1), id="no start"),
        pytest.param(date(2026, 12, 2), date(2026, 12, 1), id="ending before it starts"),
    ],
)
def test_a_schedule_needs_a_week_or_a_period_in_order(date_from, date_to):
    with pytest.raises(errors.PeriodInvalid) as raised:
        schedule.period(None, date_from, date_to)
    assert raised.value.code == "period-invalid"
