"""The work queues as a pure function of the facts and the day (issue 15 item 4): given facts, then items."""

from datetime import date, timedelta

from projections.queues.rules import (
    ANNUAL_ASSESSMENT_DAYS,
    INITIAL_ASSESSMENT_DAYS,
    INTERVIEW_WEEKS,
    RULES,
    Awaiting,
    Case,
    Decision,
    ItemKind,
    Pathway,
    Returned,
    Rules,
    Session,
    Waiting,
    add_months,
    adviser_queue,
    cpip_queue,
    direction_queue,
    dpip_queue,
    ipro_head_queue,
)

TODAY = date(2031, 6, 16)


def a_case(**overrides) -> Case:
    """Opened a week ago, interviewed yesterday, released in two years: nothing due within 14 days."""
    values = dict(
        case_id="case-1",
        subject_id="person-1",
        referent="cpip-durand",
        opened_on=TODAY - timedelta(days=7),
        release_on=date(2033, 6, 30),
        last_interview_on=TODAY - timedelta(days=1),
    )
    return Case(**{**values, **overrides})


def a_pathway(**overrides) -> Pathway:
    """Synthesis written, occupied, release far off: nothing to do."""
    values = dict(
        pathway_id="pathway-1",
        subject_id="person-1",
        adviser="cip-leroy",
        opened_on=TODAY - timedelta(days=60),
        synthesis_due_on=TODAY - timedelta(days=30),
        synthesis_written=True,
        france_travail_on=None,
        release_on=date(2033, 6, 30),
        adjustment_on=None,
        occupied=True,
    )
    return Pathway(**{**values, **overrides})


def kinds(items) -> list[tuple[ItemKind, date | None, bool]]:
    return [(i.kind, i.due_on, i.overdue) for i in items]


def cpip(*cases, returned=(), within_days=14, rules=RULES):
    return cpip_queue(cases, returned, TODAY, within_days=within_days, rules=rules)


# --- the CPIP's people ----------------------------------------------------------------------------------


def test_a_case_just_opened_and_seen_has_nothing_due_within_the_window():
    assert cpip(a_case()) == []


def test_the_initial_assessment_is_due_days_after_the_opening_and_overdue_the_day_after():
    opened = TODAY - timedelta(days=INITIAL_ASSESSMENT_DAYS)
    due_today = cpip(a_case(opened_on=opened))
    assert kinds(due_today) == [(ItemKind.INITIAL_ASSESSMENT, TODAY, False)]

    late = cpip(a_case(opened_on=opened - timedelta(days=1)))
    assert kinds(late) == [(ItemKind.INITIAL_ASSESSMENT, TODAY - timedelta(days=1), True)]


def test_the_assessment_services_missed_date_wins_over_the_default_delay():
    """A site where the initial assessment is due after 30 days: its deadline.missed says so."""
    case = a_case(opened_on=TODAY - timedelta(days=40), initial_missed_on=TODAY - timedelta(days=10))
    assert kinds(cpip(case)) == [(ItemKind.INITIAL_ASSESSMENT, TODAY - timedelta(days=10), True)]


def test_a_validated_assessment_replaces_the_initial_one_by_the_annual_one():
    validated = TODAY - timedelta(days=ANNUAL_ASSESSMENT_DAYS - 10)
    case = a_case(opened_on=TODAY - timedelta(days=400), last_validated_on=validated, risk_level="low")
    assert kinds(cpip(case)) == [(ItemKind.ANNUAL_ASSESSMENT, TODAY + timedelta(days=10), False)]
    assert cpip(case, within_days=9) == []


def test_a_plan_review_is_due_on_its_review_date():
    case = a_case(plan_id="plan-1", plan_review_on=TODAY + timedelta(days=3))
    (item,) = cpip(case)
    assert (item.kind, item.due_on, item.overdue, item.plan_id) == (
        ItemKind.PLAN_REVIEW,
        TODAY + timedelta(days=3),
        False,
        "plan-1",
    )
    assert item.case_id == "case-1" and item.subject_id == "person-1"


def test_no_interview_for_the_weeks_of_the_risk_level_makes_one_due():
    for level, weeks in INTERVIEW_WEEKS.items():
        last = TODAY - timedelta(weeks=weeks, days=1)
        case = a_case(last_interview_on=last, risk_level=level, last_validated_on=TODAY - timedelta(days=5))
        (item,) = cpip(case, within_days=0)
        assert (item.kind, item.overdue, item.since, item.risk_level) == (
            ItemKind.INTERVIEW,
            True,
            last,
            level,
        )
        seen_since = a_case(
            last_interview_on=last + timedelta(days=2), risk_level=level, last_validated_on=TODAY
        )
        assert cpip(seen_since, within_days=0) == [], level


def test_a_high_risk_person_is_due_sooner_than_a_low_risk_one():
    last = TODAY - timedelta(weeks=5)
    high = a_case(last_interview_on=last, risk_level="high", last_validated_on=TODAY)
    low = a_case(last_interview_on=last, risk_level="low", last_validated_on=TODAY)
    assert [i.kind for i in cpip(high, within_days=0)] == [ItemKind.INTERVIEW]
    assert cpip(low, within_days=0) == []


def test_never_interviewed_counts_from_the_opening():
    case = a_case(last_interview_on=None, opened_on=TODAY - timedelta(weeks=INTERVIEW_WEEKS[None], days=2))
    items = cpip(case, within_days=0)
    assert [(i.kind, i.since) for i in items] == [(ItemKind.INTERVIEW, None)]


def test_a_site_may_set_its_own_rhythm():
    case = a_case(last_interview_on=TODAY - timedelta(weeks=3), risk_level="low", last_validated_on=TODAY)
    assert cpip(case, within_days=0) == []
    weekly = Rules(interview_weeks={"low": 2, None: 2})
    assert [i.kind for i in cpip(case, within_days=0, rules=weekly)] == [ItemKind.INTERVIEW]


def test_a_release_within_three_months_is_listed_one_further_off_is_not():
    within = a_case(release_on=add_months(TODAY, 3))
    assert kinds(cpip(within)) == [(ItemKind.RELEASE, add_months(TODAY, 3), False)]
    assert cpip(a_case(release_on=add_months(TODAY, 3) + timedelta(days=1))) == []


def test_a_returned_assessment_comes_back_to_its_cpip():
    back = Returned(assessment_id="assessment-1", case_id="case-1", subject_id="person-1", returned_on=TODAY)
    (item,) = cpip(returned=[back])
    assert (item.kind, item.assessment_id, item.since, item.due_on) == (
        ItemKind.ASSESSMENT_RETURNED,
        "assessment-1",
        TODAY,
        None,
    )


def test_overdue_items_come_first_then_by_due_date():
    late = a_case(case_id="case-2", subject_id="person-2", opened_on=TODAY - timedelta(days=100))
    soon = a_case(plan_id="plan-1", plan_review_on=TODAY + timedelta(days=2))
    sooner = a_case(case_id="case-3", subject_id="person-3", plan_review_on=TODAY + timedelta(days=1))
    items = cpip(soon, late, sooner)
    assert [(i.subject_id, i.kind) for i in items] == [
        ("person-2", ItemKind.INITIAL_ASSESSMENT),
        ("person-3", ItemKind.PLAN_REVIEW),
        ("person-1", ItemKind.PLAN_REVIEW),
    ]


def test_the_queue_depends_on_the_day_given_only():
    case = a_case(opened_on=TODAY - timedelta(days=80))
    assert cpip(case) == cpip(case)
    later = cpip_queue([case], (), TODAY + timedelta(days=11), within_days=30)
    assert [i.overdue for i in later if i.kind == ItemKind.INITIAL_ASSESSMENT] == [True]


# --- the DPIP -------------------------------------------------------------------------------------------


def test_the_validation_queue_lists_the_oldest_first_with_each_cpips_workload():
    awaiting = [
        Awaiting(ItemKind.PLAN_TO_VALIDATE, "person-2", "case-2", "cpip-b", TODAY, plan_id="plan-2"),
        Awaiting(
            ItemKind.ASSESSMENT_TO_VALIDATE,
            "person-1",
            "case-1",
            "cpip-a",
            TODAY - timedelta(days=3),
            assessment_id="assessment-1",
        ),
    ]
    cases = [
        a_case(referent="cpip-a", opened_on=TODAY - timedelta(days=95)),  # overdue initial assessment
        a_case(case_id="case-2", subject_id="person-2", referent="cpip-b"),
        a_case(
            case_id="case-3", subject_id="person-3", referent="cpip-b", plan_review_on=TODAY + timedelta(5)
        ),
        a_case(case_id="case-4", subject_id="person-4", referent=None),
    ]
    items, workload = dpip_queue(awaiting, cases, TODAY, within_days=14)
    assert [(i.kind, i.referent, i.since) for i in items] == [
        (ItemKind.ASSESSMENT_TO_VALIDATE, "cpip-a", TODAY - timedelta(days=3)),
        (ItemKind.PLAN_TO_VALIDATE, "cpip-b", TODAY),
    ]
    assert [(w.referent, w.people, w.due, w.overdue) for w in workload] == [
        ("cpip-a", 1, 1, 1),
        ("cpip-b", 2, 1, 0),
        (None, 1, 0, 0),
    ]


# --- the IPRO adviser -----------------------------------------------------------------------------------


def test_an_occupied_pathway_with_its_synthesis_written_and_a_far_release_is_quiet():
    assert adviser_queue([a_pathway()], TODAY) == []


def test_a_synthesis_not_written_is_due_then_overdue():
    due = a_pathway(synthesis_written=False, synthesis_due_on=TODAY)
    late = a_pathway(pathway_id="pathway-2", synthesis_written=False, synthesis_due_on=TODAY - timedelta(1))
    assert kinds(adviser_queue([due, late], TODAY)) == [
        (ItemKind.SYNTHESIS, TODAY - timedelta(days=1), True),
        (ItemKind.SYNTHESIS, TODAY, False),
    ]


def test_a_person_without_any_activity_is_listed_since_their_last_one():
    idle = a_pathway(occupied=False, last_activity_on=TODAY - timedelta(days=20))
    never = a_pathway(pathway_id="pathway-2", subject_id="person-2", occupied=False)
    items = adviser_queue([idle, never], TODAY)
    assert [(i.kind, i.subject_id, i.since) for i in items] == [
        (ItemKind.WITHOUT_ACTIVITY, "person-2", TODAY - timedelta(days=60)),
        (ItemKind.WITHOUT_ACTIVITY, "person-1", TODAY - timedelta(days=20)),
    ]


def test_a_release_or_adjustment_within_six_months_without_france_travail_is_listed():
    by_release = a_pathway(release_on=add_months(TODAY, 6))
    by_adjustment = a_pathway(pathway_id="pathway-2", adjustment_on=TODAY + timedelta(days=30))
    registered = a_pathway(
        pathway_id="pathway-3", release_on=TODAY + timedelta(days=30), france_travail_on=TODAY
    )
    later = a_pathway(pathway_id="pathway-4", release_on=add_months(TODAY, 6) + timedelta(days=1))
    items = adviser_queue([by_release, by_adjustment, registered, later], TODAY)
    assert [(i.kind, i.pathway_id, i.due_on) for i in items] == [
        (ItemKind.FRANCE_TRAVAIL, "pathway-2", TODAY + timedelta(days=30)),
        (ItemKind.FRANCE_TRAVAIL, "pathway-1", add_months(TODAY, 6)),
    ]


# --- the head of IPRO and the RIPRO -----------------------------------------------------------------------


def test_the_longest_waiting_come_first_and_sessions_with_a_gap_or_no_report_are_listed():
    waiting = [
        Waiting("work-2", "pathway-2", "person-2", TODAY - timedelta(days=3), ("concession",)),
        Waiting("work-1", "pathway-1", "person-1", TODAY - timedelta(days=40), ("service_general",)),
    ]
    sessions = [
        Session("action-1", "s-1", TODAY - timedelta(days=2), booked=6, attended=5, reported=4),  # gap
        Session("action-1", "s-2", TODAY - timedelta(days=1), booked=3, attended=3, reported=3),  # matches
        Session(
            "action-2", "s-1", TODAY - timedelta(days=1), booked=2, attended=0, reported=None
        ),  # unreported
        Session("action-2", "s-2", TODAY, booked=2, attended=0, reported=None),  # ended today: not late yet
    ]
    items = ipro_head_queue(waiting, sessions, TODAY)
    assert [(i.kind, i.work_id or i.session_id, i.since or i.due_on, i.overdue) for i in items] == [
        (ItemKind.WAITING_FOR_POST, "work-1", TODAY - timedelta(days=40), False),
        (ItemKind.WAITING_FOR_POST, "work-2", TODAY - timedelta(days=3), False),
        (ItemKind.ATTENDANCE, "s-1", TODAY - timedelta(days=2), False),
        (ItemKind.ATTENDANCE, "s-1", TODAY - timedelta(days=1), True),
        (ItemKind.ATTENDANCE, "s-2", TODAY, False),
    ]
    gap = items[2]
    assert (gap.action_id, gap.booked, gap.attended, gap.reported) == ("action-1", 6, 5, 4)


# --- the governor's office ------------------------------------------------------------------------------


def test_a_leave_not_decided_by_its_first_day_is_overdue_and_comes_first():
    decisions = [
        Decision(ItemKind.CLASSEMENT, "person-1", TODAY - timedelta(days=10), work_id="work-1"),
        Decision(
            ItemKind.LEAVE,
            "person-2",
            TODAY - timedelta(days=5),
            due_on=TODAY - timedelta(1),
            leave_id="leave-1",
        ),
        Decision(
            ItemKind.LEAVE, "person-3", TODAY - timedelta(days=1), due_on=TODAY + timedelta(7), leave_id="l-2"
        ),
        Decision(
            ItemKind.AFFECTATION, "person-4", TODAY - timedelta(days=20), work_id="work-4", regimes=("sg",)
        ),
    ]
    items = direction_queue(decisions, TODAY)
    assert [(i.kind, i.subject_id, i.overdue) for i in items] == [
        (ItemKind.LEAVE, "person-2", True),
        (ItemKind.LEAVE, "person-3", False),
        (ItemKind.AFFECTATION, "person-4", False),
        (ItemKind.CLASSEMENT, "person-1", False),
    ]
    assert items[2].regimes == ["sg"] and items[3].regimes is None


def test_months_ahead_keep_the_day_or_take_the_months_last():
    assert add_months(date(2031, 8, 31), 6) == date(2032, 2, 29)
    assert add_months(date(2031, 6, 16), 3) == date(2031, 9, 16)
