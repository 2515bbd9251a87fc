"""The InSERRE indicators as a pure computation: given facts per person and day, then a month's figures; the
month range a request may ask; the chart drawn from them."""

from datetime import date

import pytest

from kernel.errors import InvalidValue
from projections.indicators.chart import render_svg
from projections.indicators.compute import Activity, Booking, Facts, Participation, Stay, compute
from projections.indicators.http import month_range

ARRAS, LILLE = "CP d'Arras", "CP de Lille-Annœullin"
JANUARY, FEBRUARY = (2031, 1), (2031, 2)
LATER = date(2031, 6, 1)


def a_stay(subject="p-1", establishment=ARRAS, first=date(2031, 1, 1), last=None, **overrides) -> Stay:
    values = dict(
        case_id=f"case-{subject}",
        subject_id=subject,
        establishment=establishment,
        first_day=first,
        last_day=last,
        admitted_on=first,
    )
    return Stay(**{**values, **overrides})


def figures(facts: Facts, month=JANUARY, establishment=ARRAS, today=LATER):
    (found,) = [m for m in compute(facts, [month], today=today) if m.establishment == establishment]
    return found


def test_the_share_in_activity_counts_days_held_in_work_training_or_a_step_over_days_held():
    facts = Facts(
        stays=[a_stay("p-1"), a_stay("p-2", first=date(2031, 1, 11))],
        activities=[
            Activity("p-1", date(2031, 1, 1), date(2031, 1, 10)),  # work, then a training overlapping it
            Activity("p-1", date(2031, 1, 6), date(2031, 1, 15)),
            Activity("p-2", date(2031, 1, 20), None),
        ],
    )
    january = figures(facts)
    assert (january.in_activity.numerator, january.in_activity.denominator) == (15 + 12, 31 + 21)
    assert january.in_activity.target == 1.0 and january.residents == 2


def test_days_after_today_and_after_release_are_not_held():
    facts = Facts(
        stays=[a_stay("p-1", last=date(2031, 1, 9), ended_by="release"), a_stay("p-2")],
        activities=[Activity("p-1", date(2031, 1, 1), None), Activity("p-2", date(2031, 1, 1), None)],
    )
    january = figures(facts, today=date(2031, 1, 20))
    assert (january.in_activity.numerator, january.in_activity.denominator) == (9 + 20, 9 + 20)
    assert not january.complete and figures(facts, today=date(2031, 2, 1)).complete


def test_a_transferred_person_counts_at_each_establishment_for_the_days_spent_there():
    facts = Facts(
        stays=[
            a_stay("p-1", last=date(2031, 1, 14), ended_by="transfer"),
            a_stay("p-1", LILLE, first=date(2031, 1, 15), admitted_on=date(2031, 1, 1)),
        ],
        activities=[Activity("p-1", date(2031, 1, 10), None)],
    )
    arras, lille = figures(facts).in_activity, figures(facts, establishment=LILLE).in_activity
    assert (arras.numerator, arras.denominator) == (5, 14)
    assert (lille.numerator, lille.denominator) == (17, 17)


def test_the_first_activity_counts_in_its_month_with_the_days_since_admission():
    facts = Facts(
        stays=[
            a_stay("p-1", first=date(2031, 1, 5)),
            a_stay("p-2", first=date(2031, 1, 20)),
            a_stay("p-3", first=date(2031, 1, 25)),
        ],
        activities=[
            Activity("p-1", date(2031, 1, 9), date(2031, 1, 12)),
            Activity("p-1", date(2031, 1, 20), None),  # not a first
            Activity("p-2", date(2031, 2, 3), None),  # February's
        ],
        bookings=[Booking("p-3", date(2031, 1, 31), date(2031, 2, 4), "booked")],  # a place is a step
    )
    january, february = figures(facts), figures(facts, FEBRUARY)
    assert (january.days_to_first_activity.count, january.days_to_first_activity.mean) == (2, 5.0)
    assert january.days_to_first_activity.median == 5.0  # 4 days (p-1) and 6 (p-3)
    assert (february.days_to_first_activity.count, february.days_to_first_activity.mean) == (1, 14.0)


def test_an_activity_of_an_earlier_custody_is_not_a_first_activity_of_the_next():
    facts = Facts(
        stays=[
            a_stay("p-1", first=date(2030, 6, 1), last=date(2030, 9, 30), ended_by="release", case_id="c-1"),
            a_stay("p-1", first=date(2031, 1, 10), case_id="c-2"),
        ],
        activities=[
            Activity("p-1", date(2030, 6, 10), date(2030, 9, 30)),
            Activity("p-1", date(2031, 1, 13), None),
        ],
    )
    assert (figures(facts).days_to_first_activity.count, figures(facts).days_to_first_activity.mean) == (
        1,
        3.0,
    )


def test_programme_completion_leaves_releases_and_withdrawals_out():
    ended = [
        ("completed", date(2031, 1, 30)),
        ("not_completed", date(2031, 1, 30)),
        ("dropped_out", date(2031, 1, 10)),
        ("released", date(2031, 1, 12)),
        ("withdrawn", date(2031, 1, 3)),
        ("completed", date(2031, 2, 1)),
    ]
    facts = Facts(
        participations=[Participation(ARRAS, True, on, outcome) for outcome, on in ended]
        + [Participation(ARRAS, False, date(2031, 1, 3), "dropped_out")]  # never enrolled
    )
    completion = figures(facts).programme_completion
    assert (completion.numerator, completion.denominator, completion.share) == (1, 3, 0.3333)


def test_partner_attendance_and_outcomes_count_the_places_of_the_month():
    facts = Facts(
        stays=[a_stay("p-1"), a_stay("p-2")],
        bookings=[
            Booking("p-1", date(2031, 1, 2), date(2031, 1, 8), "attended", outcome="job_offer"),
            Booking("p-1", date(2031, 1, 2), date(2031, 1, 15), "attended", outcome="none"),
            Booking("p-2", date(2031, 1, 2), date(2031, 1, 8), "no_show"),
            Booking("p-2", date(2031, 1, 2), date(2031, 1, 22), "booked"),  # not reported yet
            Booking("p-2", date(2031, 1, 2), date(2031, 1, 23), "withdrawn", ended_on=date(2031, 1, 5)),
            Booking("p-2", date(2031, 1, 2), date(2031, 2, 2), "attended"),
        ],
    )
    january = figures(facts)
    assert january.partner_bookings == 4
    assert (january.partner_attendance.numerator, january.partner_attendance.denominator) == (2, 3)
    assert (january.partner_outcomes.numerator, january.partner_outcomes.denominator) == (1, 2)
    assert january.outcomes_by_kind == {"job_offer": 1, "none": 1}


def test_release_outcomes_count_releases_with_a_solution_and_those_before_the_expected_end():
    facts = Facts(
        stays=[
            a_stay(
                "p-1",
                last=date(2031, 1, 9),
                ended_by="release",
                exit_situation="job",
                expected_end_date=date(2031, 6, 1),
            ),
            a_stay(
                "p-2",
                last=date(2031, 1, 19),
                ended_by="release",
                exit_situation="no_solution",
                expected_end_date=date(2031, 1, 20),
            ),
            a_stay("p-3", last=date(2031, 1, 30), ended_by="end_of_measure"),
            a_stay("p-4", last=date(2031, 1, 31), ended_by="release"),  # released on 1 February
            a_stay("p-5", last=date(2031, 1, 14), ended_by="transfer"),  # not a release
        ]
    )
    january = figures(facts)
    assert (january.release_outcomes.numerator, january.release_outcomes.denominator) == (1, 3)
    assert january.releases_by_situation == {"job": 1, "no_solution": 1, "not_recorded": 1}
    assert january.releases_by_reason == {"end_of_measure": 1, "release": 2}
    assert january.releases_before_expected_end == 1
    assert figures(facts, FEBRUARY).release_outcomes.denominator == 1


def test_only_the_establishments_shown_are_answered():
    facts = Facts(
        stays=[
            a_stay("p-1", last=date(2031, 1, 14), ended_by="transfer"),
            a_stay("p-1", LILLE, first=date(2031, 1, 15)),
        ],
        shown=frozenset({LILLE}),
    )
    assert [m.establishment for m in compute(facts, [JANUARY, FEBRUARY], today=LATER)] == [LILLE, LILLE]


def test_nothing_to_count_is_a_share_of_none():
    january = figures(Facts(stays=[a_stay("p-1", first=date(2031, 3, 1))]))
    assert january.in_activity.share is None and january.residents == 0
    assert january.days_to_first_activity.mean is None


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [
        ("2031-03", "2031-01", "month-range-invalid"),
        ("2028-01", "2031-01", "month-range-too-long"),
        ("2031-01", "2031-07", "month-in-future"),
    ],
)
def test_a_month_range_breaking_a_rule_is_refused_naming_it(first, last, code):
    with pytest.raises(InvalidValue) as refused:
        month_range(first, last, today=date(2031, 6, 15))
    assert refused.value.code == code


def test_the_month_range_defaults_to_the_twelve_months_up_to_this_one():
    months = month_range(None, None, today=date(2031, 6, 15))
    assert months[0] == (2030, 7) and months[-1] == (2031, 6) and len(months) == 12
    assert len(month_range("2028-07", "2031-06", today=date(2031, 6, 15))) == 36


def test_the_chart_draws_one_line_per_establishment_with_french_labels_and_the_target():
    svg = render_svg(
        title="Part des jours en activité",
        unit=" %",
        months=["2031-01", "2031-02", "2031-03"],
        series={ARRAS: [50.0, None, 75.5], "<script>": [10.0, 20.0, 30.0]},
        target=100.0,
    )
    assert (
        svg.startswith("<svg") and svg.count("<polyline") == 3
    )  # Arras's line breaks where it has no figure
    assert "janv. 2031" in svg and "févr. 2031" in svg and "cible 100 %" in svg and "75,5 %" in svg
    assert "CP d'Arras" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_a_period_ended_before_it_began_holds_no_day_and_adjacent_ones_join():
    facts = Facts(
        stays=[a_stay("p-1")],
        activities=[
            Activity("p-1", date(2031, 1, 10), date(2031, 1, 9)),  # a post ended the day it was to start
            Activity("p-1", date(2031, 1, 20), date(2031, 1, 24)),
            Activity("p-1", date(2031, 1, 25), date(2031, 1, 26)),
        ],
    )
    january = figures(facts)
    assert (january.in_activity.numerator, january.in_activity.denominator) == (7, 31)
    assert january.days_to_first_activity.mean == 19.0
