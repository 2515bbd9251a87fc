"""Issue 13 #18: a message says a day or an instant as users read a calendar, in the establishment's local
time, whatever offset the instant was written with."""

from datetime import UTC, date, datetime, timedelta, timezone

from kernel.wording import day, moment, quoted


def test_a_day_reads_with_its_weekday_and_month_name():
    assert day(date(2026, 12, 11)) == "Friday 11 December 2026"


def test_an_instant_reads_in_local_time_in_winter_and_in_summer():
    assert moment(datetime(2026, 12, 3, 13, 0, tzinfo=UTC)) == "Thursday 3 December 2026 at 14:00"
    assert moment(datetime(2026, 7, 1, 12, 30, tzinfo=UTC)) == "Wednesday 1 July 2026 at 14:30"


def test_an_instant_late_in_the_evening_in_utc_is_on_the_next_local_day():
    assert moment(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "Friday 1 January 2027 at 00:30"
    assert moment(datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))) == (
        "Friday 1 January 2027 at 00:30"
    )


def test_a_long_text_is_quoted_cut_short():
    assert quoted("Insertion  par\nl'emploi") == "«Insertion par l'emploi»"
    assert quoted("x" * 100, limit=10) == "«xxxxxxxxx…»"
