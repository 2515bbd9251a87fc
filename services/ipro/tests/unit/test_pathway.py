from datetime import date, datetime

import pytest

from contracts.ipro import (
    AdviserAssigned,
    ContractType,
    ExitOutcome,
    ExitOutcomeRecorded,
    ExitSituation,
    FollowUpInterviewHeld,
    FranceTravailRegistered,
    GoalSet,
    GoalStatus,
    GoalStatusChanged,
    GoalStep,
    LeaveDecided,
    LeaveDone,
    LeaveKind,
    LeaveRequested,
    PathwayClosed,
    PathwayOpened,
    ProfileRecorded,
    ReadinessChanged,
    ReadinessStatus,
    SynthesisWritten,
)
from ipro.domain import errors
from ipro.domain.pathway import pathway
from kernel.errors import InvalidValue, NotFound
from kernel.testing import given

from ..builders import (
    CLOSED_PATHWAY,
    ESTABLISHMENT,
    FOLLOWED_PATHWAY,
    LEAVE_END,
    LEAVE_START,
    OPEN_PATHWAY,
    RELEASE,
    SYNTHESIS,
    SYNTHESIS_DUE,
    TODAY,
    a_classement_requested,
    a_follow_up_interview_held,
    a_france_travail_registration,
    a_goal_set,
    a_goal_status_changed,
    a_leave_decided,
    a_leave_done,
    a_leave_requested,
    a_pathway_closed,
    a_pathway_opened,
    a_profile_recorded,
    a_readiness_changed,
    a_synthesis_written,
    an_adviser_assigned,
    an_exit_outcome_recorded,
    assign_adviser,
    case_facts,
    change_goal_status,
    change_readiness,
    close_pathway,
    days_from_today,
    decide_leave,
    exit_outcome,
    hold_follow_up_interview,
    mark_leave_done,
    open_pathway,
    profile,
    record_exit_outcome,
    record_profile,
    register_with_france_travail,
    request_classement,
    request_leave,
    set_goal,
    write_synthesis,
)

R = ReadinessStatus
HISTORIES = {"open": OPEN_PATHWAY, "followed": FOLLOWED_PATHWAY}
GOAL_ACHIEVED = (*OPEN_PATHWAY, a_goal_set(), a_goal_status_changed(status=GoalStatus.ACHIEVED))
GOAL_ABANDONED = (*OPEN_PATHWAY, a_goal_set(), a_goal_status_changed(status=GoalStatus.ABANDONED))
STEP_ACHIEVED = (*OPEN_PATHWAY, a_goal_set(), a_goal_status_changed(step_id="step-1"))
STEP_ABANDONED = (
    *OPEN_PATHWAY,
    a_goal_set(),
    a_goal_status_changed(step_id="step-1", status=GoalStatus.ABANDONED),
)
LEAVE_PENDING = (*OPEN_PATHWAY, a_leave_requested())
LEAVE_APPROVED = (*LEAVE_PENDING, a_leave_decided())
LEAVE_REFUSED = (
    *LEAVE_PENDING,
    a_leave_decided(approved=False, reason="Garanties de représentation insuffisantes"),
)
LEAVE_COMPLETED = (*LEAVE_APPROVED, a_leave_done())
NO_RIGHT_TO_WORK = (*OPEN_PATHWAY, a_profile_recorded(profile=profile(right_to_work=False)))


def histories(*names: str) -> list:
    return [pytest.param(HISTORIES[name], id=name) for name in names]


def every_command() -> list:
    return [
        pytest.param(assign_adviser(), id="assign an adviser"),
        pytest.param(write_synthesis(), id="write the synthesis"),
        pytest.param(record_profile(), id="record the profile"),
        pytest.param(change_readiness(status=R.READY_TO_WORK), id="change readiness"),
        pytest.param(hold_follow_up_interview(), id="hold a follow-up interview"),
        pytest.param(set_goal(goal_id="goal-2"), id="set a goal"),
        pytest.param(change_goal_status(), id="change a goal's status"),
        pytest.param(register_with_france_travail(), id="register with France Travail"),
        pytest.param(request_leave(leave_id="leave-2"), id="request a leave"),
        pytest.param(decide_leave(), id="decide a leave"),
        pytest.param(mark_leave_done(), id="mark a leave done"),
        pytest.param(record_exit_outcome(), id="record the exit outcome"),
        pytest.param(close_pathway(), id="close"),
    ]


def refused(error: type, code: str, history, command, case=None) -> None:
    """`case`: the person's case, which the handler loads for every pathway command (the default one)."""
    with pytest.raises(error) as raised:
        given(pathway, *history).when(command, case or case_facts())
    assert raised.value.code == code


# --- opening ---


def test_a_pathway_opens_for_the_persons_case_with_its_synthesis_due_five_working_days_later():
    assert given(pathway).when(open_pathway(), case_facts()) == [
        PathwayOpened(
            pathway_id="pathway-1",
            case_id="case-1",
            subject_id="person-1",
            establishment=ESTABLISHMENT,
            opened_on=date(2026, 11, 27),
            synthesis_due_on=date(2026, 12, 4),
        )
    ]


@pytest.mark.parametrize(
    "opened_on, working_days, due_on",
    [
        pytest.param(date(2026, 11, 27), 5, date(2026, 12, 4), id="Friday, 5 days: next Friday"),
        pytest.param(date(2026, 11, 30), 5, date(2026, 12, 7), id="Monday, 5 days: next Monday"),
        pytest.param(date(2026, 12, 2), 5, date(2026, 12, 9), id="Wednesday, 5 days: next Wednesday"),
        pytest.param(date(2026, 11, 26), 2, date(2026, 11, 30), id="Thursday, 2 days: Monday"),
        pytest.param(date(2026, 11, 28), 1, date(2026, 11, 30), id="Saturday, 1 day: Monday"),
        pytest.param(date(2026, 11, 29), 5, date(2026, 12, 4), id="Sunday, 5 days: Friday"),
        pytest.param(date(2026, 11, 27), 10, date(2026, 12, 11), id="Friday, 10 days: two weeks later"),
    ],
)
def test_the_synthesis_is_due_so_many_working_days_after_the_opening_skipping_week_ends(
    opened_on, working_days, due_on
):
    command = open_pathway(today=opened_on, synthesis_working_days=working_days)
    assert given(pathway).when(command, case_facts(admission_date=opened_on)) == [
        a_pathway_opened(opened_on=opened_on, synthesis_due_on=due_on)
    ]


def test_a_pathway_opens_on_the_admission_date_however_late_the_admission_reaches_ipro():
    """Issue 13 #13: opened on the admission day the case gives, the synthesis due counting from it (here on
    Tuesday 24 November, due five working days later: Tuesday 1 December, not Friday 4 December)."""
    admitted = date(2026, 11, 24)
    assert given(pathway).when(open_pathway(today=TODAY), case_facts(admission_date=admitted)) == [
        a_pathway_opened(opened_on=admitted, synthesis_due_on=date(2026, 12, 1))
    ]


def test_a_case_admitted_before_the_replica_kept_admission_dates_opens_its_pathway_today():
    assert given(pathway).when(open_pathway(), case_facts(admission_date=None)) == [a_pathway_opened()]


def test_no_pathway_opens_for_a_closed_case():
    refused(errors.CaseClosed, "case-closed", (), open_pathway(), case_facts(open=False))


@pytest.mark.parametrize("history", [*histories(*HISTORIES), pytest.param(CLOSED_PATHWAY, id="closed")])
def test_a_pathway_opens_once(history):
    refused(errors.PathwayAlreadyOpen, "pathway-already-open", history, open_pathway())
    refused(
        errors.PathwayAlreadyOpen, "pathway-already-open", history, open_pathway(), case_facts(open=False)
    )


def test_the_opened_pathway_is_known_by_its_state():
    state = pathway.fold(OPEN_PATHWAY)
    assert (state.pathway_id, state.case_id, state.subject_id, state.establishment) == (
        "pathway-1",
        "case-1",
        "person-1",
        ESTABLISHMENT,
    )
    assert (state.opened_on, state.synthesis_due_on, state.synthesis_written_on) == (
        TODAY,
        SYNTHESIS_DUE,
        None,
    )
    assert (state.adviser, state.profile, state.readiness, state.closed_on) == (None, None, None, None)


@pytest.mark.parametrize("command", every_command())
def test_a_pathway_that_was_never_opened_is_not_found(command):
    with pytest.raises(errors.PathwayNotFound) as raised:
        given(pathway).when(command, case_facts())
    assert raised.value.code == "pathway-not-found" and isinstance(raised.value, NotFound)


# --- adviser ---


@pytest.mark.parametrize("history", histories(*HISTORIES))
def test_a_referent_adviser_is_assigned(history):
    assert given(pathway, *history).when(assign_adviser(adviser="cip-2")) == [
        AdviserAssigned(pathway_id="pathway-1", adviser="cip-2")
    ]


def test_the_latest_adviser_follows_the_pathway():
    state = pathway.fold([*OPEN_PATHWAY, an_adviser_assigned(), an_adviser_assigned(adviser="cip-2")])
    assert state.adviser == "cip-2"


def test_an_adviser_without_a_name_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", OPEN_PATHWAY, assign_adviser(adviser=""))


# --- initial synthesis ---


OPENED_A_WEEK_AGO = (a_pathway_opened(opened_on=days_from_today(-7)),)


@pytest.mark.parametrize(
    "held_on",
    [TODAY, days_from_today(-3), days_from_today(-7)],
    ids=["today", "three days ago", "on the day the pathway opened"],
)
def test_the_initial_synthesis_is_written_after_the_interview(held_on):
    assert given(pathway, *OPENED_A_WEEK_AGO).when(write_synthesis(interview_held_on=held_on)) == [
        SynthesisWritten(pathway_id="pathway-1", interview_held_on=held_on, synthesis=SYNTHESIS)
    ]
    state = pathway.fold([*OPENED_A_WEEK_AGO, a_synthesis_written(interview_held_on=held_on)])
    assert state.synthesis_written_on == held_on


def test_a_synthesis_dated_before_the_pathway_opened_is_refused():
    """Issue 13 #13: the initial interview takes place once the person is admitted."""
    with pytest.raises(errors.DateBeforeOpening) as raised:
        given(pathway, *OPENED_A_WEEK_AGO).when(write_synthesis(interview_held_on=days_from_today(-8)))
    assert raised.value.code == "date-before-opening"
    assert raised.value.message == (
        "the initial interview cannot be dated before the pathway opened on Friday 20 November 2026"
    )


def test_an_interview_cannot_be_dated_after_today():
    refused(
        errors.DateInTheFuture,
        "date-in-the-future",
        OPEN_PATHWAY,
        write_synthesis(interview_held_on=days_from_today(1)),
    )


@pytest.mark.parametrize("interview_held_on", [TODAY, days_from_today(1)], ids=["today", "tomorrow"])
def test_the_initial_synthesis_is_written_once(interview_held_on):
    refused(
        errors.SynthesisAlreadyWritten,
        "synthesis-already-written",
        FOLLOWED_PATHWAY,
        write_synthesis(interview_held_on=interview_held_on),
    )


def test_an_empty_synthesis_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", OPEN_PATHWAY, write_synthesis(synthesis=""))


# --- profile ---


@pytest.mark.parametrize("history", histories(*HISTORIES))
def test_a_profile_is_recorded(history):
    recorded = profile(driving_licence=True)
    assert given(pathway, *history).when(record_profile(profile=recorded)) == [
        ProfileRecorded(pathway_id="pathway-1", profile=recorded)
    ]


def test_the_latest_profile_replaces_the_previous_one():
    updated = profile(languages=["français"])
    state = pathway.fold([*FOLLOWED_PATHWAY, a_profile_recorded(profile=updated)])
    assert state.profile == updated


# --- readiness ---


@pytest.mark.parametrize("status", [R.SUPPORT_NEEDED, R.READY_TO_WORK, R.NO_RIGHT_TO_WORK])
def test_the_readiness_is_set(status):
    assert given(pathway, *OPEN_PATHWAY).when(change_readiness(status=status)) == [
        ReadinessChanged(pathway_id="pathway-1", status=status, reason="")
    ]


@pytest.mark.parametrize("status", list(R))
def test_an_unchanged_readiness_is_refused(status):
    history = (*OPEN_PATHWAY, a_readiness_changed(status=status, reason="Ne souhaite pas être accompagné"))
    refused(
        errors.ReadinessUnchanged,
        "readiness-unchanged",
        history,
        change_readiness(status=status, reason="Toujours pas"),
    )


def test_a_person_who_declines_support_says_why():
    command = change_readiness(status=R.SUPPORT_DECLINED, reason="  Ne souhaite pas être accompagné ")
    assert given(pathway, *FOLLOWED_PATHWAY).when(command) == [
        ReadinessChanged(
            pathway_id="pathway-1", status=R.SUPPORT_DECLINED, reason="Ne souhaite pas être accompagné"
        )
    ]


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_declining_support_without_a_reason_is_refused(reason):
    refused(
        errors.ReasonRequired,
        "reason-required",
        FOLLOWED_PATHWAY,
        change_readiness(status=R.SUPPORT_DECLINED, reason=reason),
    )


def test_a_person_whose_profile_records_no_right_to_work_is_not_ready_to_work():
    refused(
        errors.NoRightToWork, "no-right-to-work", NO_RIGHT_TO_WORK, change_readiness(status=R.READY_TO_WORK)
    )


@pytest.mark.parametrize("status", [R.SUPPORT_NEEDED, R.SUPPORT_DECLINED, R.NO_RIGHT_TO_WORK])
def test_a_person_without_the_right_to_work_is_given_any_other_readiness(status):
    command = change_readiness(status=status, reason="Titre de séjour expiré")
    assert given(pathway, *NO_RIGHT_TO_WORK).when(command) == [
        a_readiness_changed(status=status, reason="Titre de séjour expiré")
    ]


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(OPEN_PATHWAY, id="no profile yet"),
        pytest.param((*OPEN_PATHWAY, a_profile_recorded()), id="a right to work"),
        pytest.param((*NO_RIGHT_TO_WORK, a_profile_recorded()), id="the right to work recorded since"),
    ],
)
def test_a_person_is_ready_to_work_unless_their_profile_records_no_right_to_work(history):
    assert given(pathway, *history).when(change_readiness(status=R.READY_TO_WORK)) == [
        a_readiness_changed(status=R.READY_TO_WORK)
    ]


def test_the_readiness_keeps_its_history():
    state = pathway.fold(
        [
            *OPEN_PATHWAY,
            a_readiness_changed(),
            a_readiness_changed(status=R.READY_TO_WORK),
            a_readiness_changed(status=R.SUPPORT_DECLINED, reason="Préfère attendre sa sortie"),
        ]
    )
    assert state.readiness == R.SUPPORT_DECLINED
    assert state.readiness_history == [
        (R.SUPPORT_NEEDED, ""),
        (R.READY_TO_WORK, ""),
        (R.SUPPORT_DECLINED, "Préfère attendre sa sortie"),
    ]


# --- follow-up interviews ---


@pytest.mark.parametrize("held_on", [TODAY, days_from_today(-7)], ids=["today", "a week ago"])
def test_a_follow_up_interview_is_held(held_on):
    history = (*OPENED_A_WEEK_AGO, *FOLLOWED_PATHWAY[1:])
    assert given(pathway, *history).when(hold_follow_up_interview(held_on=held_on)) == [
        FollowUpInterviewHeld(
            pathway_id="pathway-1", interview_id="interview-1", held_on=held_on, notes="Point sur le CV"
        )
    ]


def test_a_follow_up_interview_cannot_be_dated_before_the_pathway_opened():
    refused(
        errors.DateBeforeOpening,
        "date-before-opening",
        FOLLOWED_PATHWAY,
        hold_follow_up_interview(held_on=days_from_today(-1)),
    )


def test_a_follow_up_interview_cannot_be_dated_after_today():
    refused(
        errors.DateInTheFuture,
        "date-in-the-future",
        FOLLOWED_PATHWAY,
        hold_follow_up_interview(held_on=days_from_today(1)),
    )


def test_follow_up_interviews_are_counted():
    state = pathway.fold(
        [*OPEN_PATHWAY, a_follow_up_interview_held(), a_follow_up_interview_held(interview_id="interview-2")]
    )
    assert state.interviews == 2


# --- goals ---


def test_a_goal_is_set_with_its_steps():
    assert given(pathway, *OPEN_PATHWAY).when(set_goal()) == [
        GoalSet(
            pathway_id="pathway-1",
            goal_id="goal-1",
            description="Trouver un emploi en restauration",
            steps=a_goal_set().steps,
        )
    ]
    goal = pathway.fold([*OPEN_PATHWAY, a_goal_set()]).goals["goal-1"]
    assert (goal.status, goal.steps) == (
        GoalStatus.ACTIVE,
        {"step-1": GoalStatus.ACTIVE, "step-2": GoalStatus.ACTIVE},
    )


def test_a_goal_may_have_no_steps():
    assert given(pathway, *OPEN_PATHWAY).when(set_goal(steps=[])) == [a_goal_set(steps=[])]


def test_another_goal_is_set_beside_the_first():
    assert given(pathway, *FOLLOWED_PATHWAY).when(set_goal(goal_id="goal-2")) == [
        a_goal_set(goal_id="goal-2")
    ]


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(FOLLOWED_PATHWAY, id="active"),
        pytest.param(GOAL_ACHIEVED, id="achieved"),
        pytest.param(GOAL_ABANDONED, id="abandoned"),
    ],
)
def test_a_goal_is_set_once_per_id(history):
    refused(errors.GoalAlreadySet, "goal-already-set", history, set_goal(description="Autre chose"))


def test_each_step_of_a_goal_has_its_own_id():
    twice = [GoalStep(step_id="s1", description="Un"), GoalStep(step_id="s1", description="Deux")]
    refused(InvalidValue, "value-invalid", OPEN_PATHWAY, set_goal(steps=twice))


@pytest.mark.parametrize("status", [GoalStatus.ACHIEVED, GoalStatus.ABANDONED])
def test_an_active_goal_is_achieved_or_abandoned(status):
    assert given(pathway, *FOLLOWED_PATHWAY).when(change_goal_status(status=status)) == [
        GoalStatusChanged(pathway_id="pathway-1", goal_id="goal-1", step_id=None, status=status)
    ]
    state = pathway.fold([*FOLLOWED_PATHWAY, a_goal_status_changed(status=status)])
    assert state.goals["goal-1"].status == status


@pytest.mark.parametrize("status", [GoalStatus.ACHIEVED, GoalStatus.ABANDONED])
def test_a_step_of_an_active_goal_is_achieved_or_abandoned(status):
    assert given(pathway, *FOLLOWED_PATHWAY).when(change_goal_status(step_id="step-2", status=status)) == [
        GoalStatusChanged(pathway_id="pathway-1", goal_id="goal-1", step_id="step-2", status=status)
    ]
    state = pathway.fold([*FOLLOWED_PATHWAY, a_goal_status_changed(step_id="step-2", status=status)])
    goal = state.goals["goal-1"]
    assert (goal.status, goal.steps) == (GoalStatus.ACTIVE, {"step-1": GoalStatus.ACTIVE, "step-2": status})


def test_the_other_steps_stay_open_when_one_is_closed():
    assert given(pathway, *STEP_ACHIEVED).when(change_goal_status(step_id="step-2")) == [
        a_goal_status_changed(step_id="step-2")
    ]


def test_a_goal_is_achieved_whatever_its_steps():
    assert given(pathway, *STEP_ABANDONED).when(change_goal_status()) == [a_goal_status_changed()]


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(change_goal_status(goal_id="goal-2"), id="goal"),
        pytest.param(change_goal_status(goal_id="goal-2", step_id="step-1"), id="step of an unknown goal"),
    ],
)
def test_an_unknown_goal_is_not_found(command):
    refused(errors.GoalNotFound, "goal-not-found", FOLLOWED_PATHWAY, command)


def test_an_unknown_step_is_not_found():
    refused(errors.GoalNotFound, "goal-not-found", FOLLOWED_PATHWAY, change_goal_status(step_id="step-3"))


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(change_goal_status(status=GoalStatus.ABANDONED), id="the goal"),
        pytest.param(change_goal_status(step_id="step-1"), id="a step"),
        pytest.param(change_goal_status(status=GoalStatus.ACTIVE), id="re-activate the goal"),
        pytest.param(change_goal_status(step_id="step-1", status=GoalStatus.ACTIVE), id="re-activate a step"),
    ],
)
@pytest.mark.parametrize(
    "history", [pytest.param(GOAL_ACHIEVED, id="achieved"), pytest.param(GOAL_ABANDONED, id="abandoned")]
)
def test_nothing_changes_in_a_closed_goal(history, command):
    refused(errors.GoalClosed, "goal-closed", history, command)


@pytest.mark.parametrize("status", [GoalStatus.ACHIEVED, GoalStatus.ABANDONED, GoalStatus.ACTIVE])
@pytest.mark.parametrize(
    "history", [pytest.param(STEP_ACHIEVED, id="achieved"), pytest.param(STEP_ABANDONED, id="abandoned")]
)
def test_a_closed_step_does_not_change_again_nor_is_it_re_activated(history, status):
    refused(errors.GoalClosed, "goal-closed", history, change_goal_status(step_id="step-1", status=status))


def test_an_active_goal_is_not_re_activated():
    refused(errors.GoalClosed, "goal-closed", FOLLOWED_PATHWAY, change_goal_status(status=GoalStatus.ACTIVE))


def test_an_active_step_is_not_re_activated():
    refused(
        errors.GoalClosed,
        "goal-closed",
        FOLLOWED_PATHWAY,
        change_goal_status(step_id="step-1", status=GoalStatus.ACTIVE),
    )


# --- France Travail ---


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case_facts(expected_end_date=date(2027, 4, 27)), id="release in 5 months"),
        pytest.param(case_facts(expected_end_date=date(2027, 5, 27)), id="release in exactly 6 months"),
        pytest.param(case_facts(expected_end_date=days_from_today(-1)), id="release date passed"),
        pytest.param(
            case_facts(expected_end_date=date(2028, 11, 27), conditional_release_date=date(2027, 3, 1)),
            id="conditional release nearer, in the window",
        ),
        pytest.param(
            case_facts(expected_end_date=date(2027, 3, 1), conditional_release_date=date(2028, 1, 1)),
            id="release nearer, in the window",
        ),
        pytest.param(
            case_facts(expected_end_date=None, conditional_release_date=date(2027, 5, 1)),
            id="only a conditional release, in the window",
        ),
    ],
)
def test_a_person_is_registered_with_france_travail_within_the_window_before_their_exit(case):
    assert given(pathway, *FOLLOWED_PATHWAY).when(register_with_france_travail(), case) == [
        FranceTravailRegistered(pathway_id="pathway-1", registered_on=TODAY)
    ]
    state = pathway.fold([*FOLLOWED_PATHWAY, a_france_travail_registration()])
    assert state.france_travail_registered_on == TODAY


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case_facts(expected_end_date=date(2027, 5, 28)), id="release in 6 months and a day"),
        pytest.param(case_facts(expected_end_date=date(2027, 11, 27)), id="release in a year"),
        pytest.param(
            case_facts(expected_end_date=date(2027, 9, 1), conditional_release_date=date(2027, 6, 1)),
            id="both beyond the window",
        ),
        pytest.param(case_facts(expected_end_date=None, conditional_release_date=None), id="no exit date"),
    ],
)
def test_registering_with_france_travail_more_than_the_window_before_the_nearest_exit_is_too_early(case):
    refused(
        errors.FranceTravailTooEarly,
        "france-travail-too-early",
        FOLLOWED_PATHWAY,
        register_with_france_travail(),
        case,
    )


def test_the_window_before_the_exit_is_configured():
    refused(
        errors.FranceTravailTooEarly,
        "france-travail-too-early",
        FOLLOWED_PATHWAY,
        register_with_france_travail(window_months=4),
    )
    assert given(pathway, *FOLLOWED_PATHWAY).when(
        register_with_france_travail(window_months=5), case_facts()
    ) == [FranceTravailRegistered(pathway_id="pathway-1", registered_on=TODAY)]


def opening_announced(case) -> date:
    """The date a too-early refusal says registration opens on."""
    with pytest.raises(errors.FranceTravailTooEarly) as raised:
        given(pathway, *FOLLOWED_PATHWAY).when(register_with_france_travail(), case)
    return datetime.strptime(raised.value.message.rsplit("on ", 1)[1], "%A %d %B %Y").date()


def test_a_registration_too_early_says_from_when_it_opens_and_it_does():
    case = case_facts(expected_end_date=date(2027, 8, 15))
    assert opening_announced(case) == date(2027, 2, 15)
    refused(
        errors.FranceTravailTooEarly,
        "france-travail-too-early",
        FOLLOWED_PATHWAY,
        register_with_france_travail(today=date(2027, 2, 14)),
        case,
    )
    assert given(pathway, *FOLLOWED_PATHWAY).when(
        register_with_france_travail(today=date(2027, 2, 15)), case
    ) == [a_france_travail_registration(registered_on=date(2027, 2, 15))]


@pytest.mark.parametrize("release", [date(2027, 8, 31), date(2027, 8, 29)], ids=["31 August", "29 August"])
def test_registration_opens_on_the_date_a_too_early_refusal_announces(release):
    case = case_facts(expected_end_date=release)
    opens_on = opening_announced(case)
    command = register_with_france_travail(today=opens_on)
    assert given(pathway, *FOLLOWED_PATHWAY).when(command, case) == [
        a_france_travail_registration(registered_on=opens_on)
    ]


@pytest.mark.parametrize(
    "case", [case_facts(), case_facts(expected_end_date=None)], ids=["in the window", "no exit date"]
)
def test_a_person_is_registered_with_france_travail_once(case):
    history = (*FOLLOWED_PATHWAY, a_france_travail_registration())
    refused(
        errors.FranceTravailAlreadyRegistered,
        "france-travail-already-registered",
        history,
        register_with_france_travail(),
        case,
    )


# --- leaves ---


@pytest.mark.parametrize("kind", list(LeaveKind))
def test_a_leave_is_requested(kind):
    assert given(pathway, *FOLLOWED_PATHWAY).when(request_leave(kind=kind)) == [
        LeaveRequested(
            pathway_id="pathway-1",
            leave_id="leave-1",
            kind=kind,
            starts_on=LEAVE_START,
            ends_on=LEAVE_END,
            purpose="Stage en cuisine collective",
        )
    ]


@pytest.mark.parametrize(
    "starts_on, ends_on",
    [pytest.param(TODAY, TODAY, id="a day, today"), pytest.param(TODAY, LEAVE_END, id="from today")],
)
def test_a_leave_starts_today_or_later_and_ends_on_or_after_its_start(starts_on, ends_on):
    assert given(pathway, *OPEN_PATHWAY).when(request_leave(starts_on=starts_on, ends_on=ends_on)) == [
        a_leave_requested(starts_on=starts_on, ends_on=ends_on)
    ]


@pytest.mark.parametrize(
    "starts_on, ends_on",
    [
        pytest.param(days_from_today(-1), LEAVE_END, id="starting yesterday"),
        pytest.param(LEAVE_START, date(2026, 12, 6), id="ending before it starts"),
    ],
)
def test_a_leave_with_dates_out_of_order_is_refused(starts_on, ends_on):
    refused(
        errors.DatesOutOfOrder,
        "dates-out-of-order",
        OPEN_PATHWAY,
        request_leave(starts_on=starts_on, ends_on=ends_on),
    )


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(LEAVE_PENDING, id="pending"),
        pytest.param(LEAVE_APPROVED, id="approved"),
        pytest.param(LEAVE_REFUSED, id="refused"),
        pytest.param(LEAVE_COMPLETED, id="done"),
    ],
)
def test_a_leave_is_requested_once(history):
    refused(errors.LeaveAlreadyRequested, "leave-already-requested", history, request_leave())


def test_a_leave_without_a_purpose_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", OPEN_PATHWAY, request_leave(purpose=""))


def test_the_governor_approves_a_leave():
    assert given(pathway, *LEAVE_PENDING).when(decide_leave()) == [
        LeaveDecided(pathway_id="pathway-1", leave_id="leave-1", approved=True, reason="")
    ]
    assert pathway.fold(LEAVE_APPROVED).leaves["leave-1"].approved is True


def test_the_governor_refuses_a_leave_with_reasons():
    command = decide_leave(approved=False, reason=" Garanties de représentation insuffisantes ")
    assert given(pathway, *LEAVE_PENDING).when(command) == [
        LeaveDecided(
            pathway_id="pathway-1",
            leave_id="leave-1",
            approved=False,
            reason="Garanties de représentation insuffisantes",
        )
    ]
    assert pathway.fold(LEAVE_REFUSED).leaves["leave-1"].approved is False


@pytest.mark.parametrize("reason", ["", "  "], ids=["empty", "blank"])
def test_a_refusal_without_reasons_is_refused(reason):
    refused(
        errors.ReasonRequired, "reason-required", LEAVE_PENDING, decide_leave(approved=False, reason=reason)
    )


@pytest.mark.parametrize("approved", [True, False], ids=["approve", "refuse"])
@pytest.mark.parametrize(
    "history",
    [
        pytest.param(LEAVE_APPROVED, id="approved"),
        pytest.param(LEAVE_REFUSED, id="refused"),
        pytest.param(LEAVE_COMPLETED, id="done"),
    ],
)
def test_a_leave_is_decided_once(history, approved):
    refused(
        errors.LeaveNotPending, "leave-not-pending", history, decide_leave(approved=approved, reason="Non")
    )


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(decide_leave(leave_id="leave-2"), id="decide"),
        pytest.param(mark_leave_done(leave_id="leave-2"), id="mark done"),
    ],
)
def test_an_unknown_leave_is_not_found(command):
    refused(errors.LeaveNotFound, "leave-not-found", LEAVE_APPROVED, command)


@pytest.mark.parametrize(
    "today",
    [LEAVE_START, LEAVE_END, date(2027, 1, 4)],
    ids=["on its first day", "on its last day", "after it"],
)
def test_an_approved_leave_that_has_started_is_marked_done(today):
    assert given(pathway, *LEAVE_APPROVED).when(mark_leave_done(today=today)) == [
        LeaveDone(pathway_id="pathway-1", leave_id="leave-1")
    ]
    assert pathway.fold(LEAVE_COMPLETED).leaves["leave-1"].done


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(LEAVE_PENDING, id="pending"),
        pytest.param(LEAVE_REFUSED, id="refused"),
        pytest.param(LEAVE_COMPLETED, id="already done"),
    ],
)
def test_only_an_approved_leave_not_yet_done_is_marked_done(history):
    refused(errors.LeaveNotApproved, "leave-not-approved", history, mark_leave_done())


def test_a_leave_that_has_not_started_is_not_marked_done():
    refused(
        errors.DateInTheFuture, "date-in-the-future", LEAVE_APPROVED, mark_leave_done(today=date(2026, 12, 6))
    )


# --- exit outcome and closing ---


@pytest.mark.parametrize(
    "outcome",
    [
        pytest.param(exit_outcome(), id="a job with its contract type"),
        pytest.param(exit_outcome(contract_type=ContractType.CDI), id="a permanent job"),
        pytest.param(exit_outcome(situation=ExitSituation.TRAINING, contract_type=None), id="a training"),
        pytest.param(
            exit_outcome(situation=ExitSituation.JOB_SEEKER_FOLLOW_UP, contract_type=None),
            id="followed as a job seeker",
        ),
        pytest.param(
            exit_outcome(situation=ExitSituation.NO_SOLUTION, contract_type=None, details=""),
            id="no solution",
        ),
    ],
)
def test_the_exit_outcome_is_recorded(outcome):
    assert given(pathway, *FOLLOWED_PATHWAY).when(record_exit_outcome(outcome=outcome)) == [
        ExitOutcomeRecorded(pathway_id="pathway-1", outcome=outcome)
    ]


def test_a_job_at_release_names_its_contract_type():
    refused(
        errors.ContractTypeRequired,
        "contract-type-required",
        FOLLOWED_PATHWAY,
        record_exit_outcome(outcome=exit_outcome(contract_type=None)),
    )


def test_the_pathway_closes_with_the_recorded_outcome():
    history = (*FOLLOWED_PATHWAY, an_exit_outcome_recorded(), a_goal_status_changed())
    assert given(pathway, *history).when(close_pathway()) == [
        PathwayClosed(pathway_id="pathway-1", closed_on=RELEASE, outcome=exit_outcome())
    ]


def test_the_pathway_closes_with_the_latest_recorded_outcome():
    training = exit_outcome(situation=ExitSituation.TRAINING, contract_type=None, details="AFPA")
    history = (*OPEN_PATHWAY, an_exit_outcome_recorded(), an_exit_outcome_recorded(outcome=training))
    assert given(pathway, *history).when(close_pathway()) == [a_pathway_closed(outcome=training)]


@pytest.mark.parametrize("history", histories(*HISTORIES))
def test_a_pathway_closed_before_anyone_recorded_its_outcome_closes_with_not_recorded(history):
    assert given(pathway, *history).when(close_pathway())[-1] == PathwayClosed(
        pathway_id="pathway-1", closed_on=RELEASE, outcome=ExitOutcome(situation=ExitSituation.NOT_RECORDED)
    )


def test_the_release_abandons_the_goals_still_active_before_closing_the_pathway():
    """Issue 13 #4: a goal still pursued at release ends with the custody (abandoned, `released`: a code in
    clear, which outlives the person's erasure, issue 17; no reason); one achieved or abandoned before stays as
    it was."""
    history = (
        *FOLLOWED_PATHWAY,
        a_goal_set(goal_id="goal-2", description="Passer le code de la route"),
        a_goal_set(goal_id="goal-3", description="Ouvrir un compte bancaire"),
        a_goal_status_changed(goal_id="goal-3", status=GoalStatus.ACHIEVED),
    )
    events = given(pathway, *history).when(close_pathway())
    assert events == [
        GoalStatusChanged(
            pathway_id="pathway-1", goal_id="goal-1", status=GoalStatus.ABANDONED, released=True
        ),
        GoalStatusChanged(
            pathway_id="pathway-1", goal_id="goal-2", status=GoalStatus.ABANDONED, released=True
        ),
        a_pathway_closed(outcome=ExitOutcome(situation=ExitSituation.NOT_RECORDED)),
    ]
    closed = pathway.fold([*history, *events])
    assert {goal_id: goal.status for goal_id, goal in closed.goals.items()} == {
        "goal-1": GoalStatus.ABANDONED,
        "goal-2": GoalStatus.ABANDONED,
        "goal-3": GoalStatus.ACHIEVED,
    }


def test_a_closed_pathway_keeps_its_closing_date_and_outcome():
    state = pathway.fold(CLOSED_PATHWAY)
    assert (state.closed_on, state.exit_outcome) == (RELEASE, exit_outcome())


@pytest.mark.parametrize("command", every_command())
@pytest.mark.parametrize(
    "history",
    [
        pytest.param(CLOSED_PATHWAY, id="with its outcome"),
        pytest.param((*LEAVE_APPROVED, a_pathway_closed()), id="with an approved leave"),
    ],
)
def test_nothing_happens_to_a_pathway_once_it_is_closed(history, command):
    refused(errors.PathwayClosed, "pathway-closed", history, command)


# --- what only IPRO and the SPIP read (ADR 25, issue 17 #3) ---


@pytest.mark.parametrize(
    "history, command",
    [
        pytest.param(OPEN_PATHWAY, write_synthesis(), id="the synthesis"),
        pytest.param(
            OPEN_PATHWAY, record_profile(profile=profile(health_restrictions="Dos fragile")), id="the profile"
        ),
        pytest.param(OPEN_PATHWAY, hold_follow_up_interview(), id="a follow-up interview's notes"),
        pytest.param(
            LEAVE_PENDING, decide_leave(approved=False, reason="Avis défavorable"), id="a leave refused"
        ),
    ],
)
def test_what_only_ipro_and_the_spip_read_is_decided_as_a_restricted_event(history, command):
    """Off `ipro.events`, which every subscribing service reads (partners included): on `ipro.restricted`."""
    (event,) = given(pathway, *history).when(command, case_facts())
    assert event.restricted and event.schema_version == 2


# --- unknown command, other events ---


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(pathway, *OPEN_PATHWAY).when(request_classement())


def test_the_followed_pathway_is_known_by_its_state():
    state = pathway.fold(FOLLOWED_PATHWAY)
    assert (state.adviser, state.synthesis_written_on, state.profile, state.readiness) == (
        "cip-1",
        TODAY,
        profile(),
        R.SUPPORT_NEEDED,
    )
    assert list(state.goals) == ["goal-1"]
    assert (state.interviews, state.france_travail_registered_on, state.exit_outcome) == (0, None, None)


def test_events_of_other_aggregates_leave_the_pathway_as_it_was():
    assert pathway.fold([*FOLLOWED_PATHWAY, a_classement_requested()]) == pathway.fold(FOLLOWED_PATHWAY)
