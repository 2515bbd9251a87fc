from datetime import date

import pytest

from contracts.assessment import OffenceCategory, RiskLevel
from contracts.programmes import (
    CompletionCertificateIssued,
    ConsentRecorded,
    EligibilityOverridden,
    ParticipationAssessed,
    ParticipationStarted,
    ReferralDroppedOut,
    ReferralEndedOnRelease,
    ReferralEnrolled,
    ReferralExcluded,
    ReferralFoundEligible,
    ReferralRefused,
    ReferralRequested,
    ReferralWaitlisted,
    ReferralWithdrawn,
)
from kernel.errors import InvalidValue
from kernel.testing import given
from programmes.domain import errors
from programmes.domain.referral import ReferralStatus as S
from programmes.domain.referral import certificate_id, referral

from ..builders import (
    ESTABLISHMENT,
    TODAY,
    a_certificate_issued,
    a_consent_recorded,
    a_group_opened,
    a_participation_assessed,
    a_participation_started,
    a_referral_ended_on_release,
    a_referral_enrolled,
    a_referral_found_eligible,
    a_referral_history,
    a_referral_refused,
    a_referral_requested,
    a_referral_waitlisted,
    an_eligibility_overridden,
    assess_participation,
    completion_facts,
    drop_out,
    end_on_release,
    enrol,
    exclude,
    open_group,
    override_eligibility,
    person_facts,
    placement_facts,
    ppr,
    ppr_rules,
    programme_facts,
    record_consent,
    referral_facts,
    referral_names,
    request_referral,
    start_participation,
    waitlist,
    withdraw,
)

OPEN_STATUSES = (S.REQUESTED, S.ELIGIBLE, S.REFUSED, S.WAITING, S.ENROLLED, S.STARTED)
ENDED_STATUSES = (S.COMPLETED, S.NOT_COMPLETED, S.DROPPED_OUT, S.EXCLUDED, S.WITHDRAWN)
REFUSED = a_referral_history(S.REFUSED)
OVERRIDDEN = (*REFUSED, an_eligibility_overridden())
ELIGIBLE_WITHOUT_CONSENT = a_referral_history(S.ELIGIBLE)
ELIGIBLE = (*ELIGIBLE_WITHOUT_CONSENT, a_consent_recorded())
DECLINED = (*ELIGIBLE_WITHOUT_CONSENT, a_consent_recorded(given=False))
WAITING = a_referral_history(S.WAITING)
ENROLLED = a_referral_history(S.ENROLLED)
STARTED = a_referral_history(S.STARTED)
ENDED_ON_RELEASE = (*ENROLLED, a_referral_ended_on_release())


def statuses(*wanted: S) -> list:
    return [pytest.param(a_referral_history(status), id=status.value) for status in wanted]


def every_command() -> list:
    return [
        pytest.param(override_eligibility(), id="override"),
        pytest.param(record_consent(), id="record consent"),
        pytest.param(enrol(), id="enrol"),
        pytest.param(waitlist(), id="waitlist"),
        pytest.param(start_participation(), id="start"),
        pytest.param(drop_out(), id="drop out"),
        pytest.param(exclude(), id="exclude"),
        pytest.param(withdraw(), id="withdraw"),
        pytest.param(end_on_release(), id="end on release"),
        pytest.param(assess_participation(), id="assess participation"),
    ]


def refused(error: type, code: str, history, command, facts=None) -> None:
    with pytest.raises(error) as raised:
        given(referral, *history).when(command, facts)
    assert raised.value.code == code


def test_every_status_has_its_history():
    for status in S:
        assert referral.fold(a_referral_history(status)).status == status


# --- request ---


def test_a_person_who_meets_the_rules_is_found_eligible():
    assert given(referral).when(request_referral(), referral_facts()) == [
        ReferralRequested(
            referral_id="referral-1",
            programme_id="programme-1",
            case_id="case-1",
            subject_id="person-1",
            plan_id="plan-1",
            objective_id="objective-1",
            establishment=ESTABLISHMENT,
        ),
        ReferralFoundEligible(referral_id="referral-1"),
    ]


def test_a_referral_is_made_from_any_objective_of_the_plan():
    assert given(referral).when(request_referral(objective_id="objective-2"), referral_facts()) == [
        a_referral_requested(objective_id="objective-2"),
        a_referral_found_eligible(),
    ]


def test_a_person_who_fails_rules_is_refused_with_each_failed_rule():
    person = person_facts(offence_categories=[OffenceCategory.DRUGS], overall_risk_level=RiskLevel.LOW)
    assert given(referral).when(request_referral(), referral_facts(person=person)) == [
        a_referral_requested(),
        ReferralRefused(
            referral_id="referral-1", failed_rules=["eligibility-offence-category", "eligibility-risk-level"]
        ),
    ]


def test_a_person_without_a_validated_assessment_is_refused_by_a_programme_with_risk_levels():
    facts = referral_facts(person=person_facts(overall_risk_level=None))
    assert given(referral).when(request_referral(), facts) == [
        a_referral_requested(),
        a_referral_refused(failed_rules=["eligibility-no-validated-assessment"]),
    ]


def test_a_programme_without_rules_takes_everyone():
    programme = programme_facts(definition=ppr(eligibility=ppr_rules(offence_categories=[], risk_levels=[])))
    person = person_facts(offence_categories=[OffenceCategory.OTHER], overall_risk_level=None)
    assert given(referral).when(request_referral(), referral_facts(programme=programme, person=person)) == [
        a_referral_requested(),
        a_referral_found_eligible(),
    ]


def test_a_referral_records_where_the_person_is_held():
    person = person_facts(establishment="Centre de détention de Bapaume")
    (requested, _) = given(referral).when(request_referral(), referral_facts(person=person))
    assert requested.establishment == "Centre de détention de Bapaume"


def test_no_one_is_referred_when_their_case_is_closed():
    refused(
        errors.CaseClosed,
        "case-closed",
        (),
        request_referral(),
        referral_facts(person=person_facts(case_open=False)),
    )


def test_no_one_is_referred_to_a_withdrawn_programme():
    refused(
        errors.ProgrammeWithdrawn,
        "programme-withdrawn",
        (),
        request_referral(),
        referral_facts(programme=programme_facts(withdrawn=True)),
    )


@pytest.mark.parametrize(
    "plan_objectives", [pytest.param(["objective-2"], id="another objective"), pytest.param([], id="no plan")]
)
def test_a_referral_is_made_from_an_objective_of_the_persons_plan(plan_objectives):
    refused(
        errors.ObjectiveNotInPlan,
        "objective-not-in-plan",
        (),
        request_referral(),
        referral_facts(person=person_facts(plan_objectives=plan_objectives)),
    )


@pytest.mark.parametrize("history", statuses(*S))
def test_a_referral_is_requested_once(history):
    refused(
        errors.ReferralAlreadyExists, "referral-already-exists", history, request_referral(), referral_facts()
    )


def test_the_requested_referral_is_known_by_its_state():
    state = referral.fold(a_referral_history(S.ELIGIBLE))
    assert (state.referral_id, state.programme_id, state.case_id, state.subject_id) == (
        "referral-1",
        "programme-1",
        "case-1",
        "person-1",
    )
    assert (state.plan_id, state.objective_id, state.establishment) == (
        "plan-1",
        "objective-1",
        ESTABLISHMENT,
    )
    assert (state.status, state.open, state.consent, state.group_id) == (S.ELIGIBLE, True, None, None)


def test_a_refused_referral_keeps_the_failed_rules():
    assert referral.fold(REFUSED).failed_rules == ["eligibility-risk-level"]


# --- override ---


def test_a_dpip_overrides_a_refusal():
    assert given(referral, *REFUSED).when(override_eligibility()) == [
        EligibilityOverridden(referral_id="referral-1", reason="Risque réévalué en commission")
    ]
    state = referral.fold(OVERRIDDEN)
    assert (state.status, state.override_reason, state.failed_rules) == (
        S.ELIGIBLE,
        "Risque réévalué en commission",
        ["eligibility-risk-level"],
    )


@pytest.mark.parametrize(
    "history",
    [
        *statuses(S.REQUESTED, S.ELIGIBLE, S.WAITING, S.ENROLLED, S.STARTED),
        pytest.param(OVERRIDDEN, id="already overridden"),
    ],
)
def test_only_a_refused_referral_is_overridden(history):
    refused(errors.ReferralNotRefused, "referral-not-refused", history, override_eligibility())


def test_an_override_without_a_reason_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", REFUSED, override_eligibility(reason=""))


# --- consent ---


@pytest.mark.parametrize("given_", [True, False], ids=["given", "declined"])
@pytest.mark.parametrize("history", statuses(S.REQUESTED, S.ELIGIBLE, S.REFUSED))
def test_the_persons_answer_is_recorded(history, given_):
    assert given(referral, *history).when(record_consent(given=given_)) == [
        ConsentRecorded(referral_id="referral-1", given=given_, recorded_on=TODAY)
    ]


def test_the_answer_and_its_date_are_known():
    state = referral.fold(DECLINED)
    assert (state.consent, state.consent_recorded_on) == (False, TODAY)


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(ELIGIBLE, id="given"),
        pytest.param(DECLINED, id="declined"),
        *statuses(S.WAITING, S.ENROLLED, S.STARTED),
    ],
)
def test_the_persons_answer_is_recorded_once(history):
    refused(errors.ConsentAlreadyRecorded, "consent-already-recorded", history, record_consent(given=False))


# --- enrolment and waiting list ---


def placements() -> list:
    return [
        pytest.param(enrol, ReferralEnrolled, id="enrol"),
        pytest.param(waitlist, ReferralWaitlisted, id="wait"),
    ]


@pytest.mark.parametrize("make, event", placements())
@pytest.mark.parametrize(
    "history",
    [
        pytest.param(ELIGIBLE, id="eligible"),
        pytest.param((*OVERRIDDEN, a_consent_recorded()), id="eligible by override"),
        pytest.param(
            (*REFUSED, a_consent_recorded(), an_eligibility_overridden()), id="consent before override"
        ),
    ],
)
def test_an_eligible_person_who_consents_is_placed(history, make, event):
    assert given(referral, *history).when(make(), placement_facts()) == [
        event(referral_id="referral-1", group_id="group-1")
    ]


def test_a_person_waiting_for_a_group_is_enrolled_in_it():
    assert given(referral, *WAITING).when(enrol(), placement_facts()) == [a_referral_enrolled()]


@pytest.mark.parametrize(
    "history", [pytest.param(ELIGIBLE, id="eligible"), pytest.param(WAITING, id="waiting")]
)
def test_a_person_enrolled_in_a_group_under_way_starts_at_once(history):
    assert given(referral, *history).when(enrol(), placement_facts(started=True)) == [
        a_referral_enrolled(),
        a_participation_started(),
    ]


def test_a_person_waiting_for_a_group_under_way_has_not_started():
    assert given(referral, *ELIGIBLE).when(waitlist(), placement_facts(started=True)) == [
        a_referral_waitlisted()
    ]


@pytest.mark.parametrize("make", [enrol, waitlist])
def test_placing_a_person_without_the_groups_facts_is_a_programming_error(make):
    with pytest.raises(TypeError):
        given(referral, *ELIGIBLE).when(make())


def test_a_placed_person_belongs_to_the_group():
    assert (referral.fold(WAITING).group_id, referral.fold(ENROLLED).group_id) == ("group-1", "group-1")


@pytest.mark.parametrize("make, event", placements())
@pytest.mark.parametrize("history", statuses(*OPEN_STATUSES))
def test_a_person_is_placed_in_a_group_of_the_programme_they_are_referred_to(history, make, event):
    refused(
        errors.GroupOfAnotherProgramme,
        "group-of-another-programme",
        history,
        make(),
        placement_facts(programme_id="programme-2"),
    )


@pytest.mark.parametrize("make, event", placements())
@pytest.mark.parametrize(
    "history",
    [*statuses(S.REQUESTED, S.REFUSED), pytest.param((*REFUSED, a_consent_recorded()), id="consented")],
)
def test_a_person_who_is_not_eligible_is_not_placed(history, make, event):
    refused(errors.ReferralNotEligible, "referral-not-eligible", history, make(), placement_facts())


@pytest.mark.parametrize("make, event", placements())
@pytest.mark.parametrize("history", statuses(S.ENROLLED, S.STARTED))
def test_a_participant_is_not_placed_again(history, make, event):
    refused(errors.ReferralAlreadyPlaced, "referral-already-placed", history, make(), placement_facts())
    refused(
        errors.ReferralAlreadyPlaced,
        "referral-already-placed",
        history,
        make(group_id="group-2"),
        placement_facts(),
    )


@pytest.mark.parametrize("group_id", ["group-1", "group-2"])
def test_a_person_waits_for_one_group_once(group_id):
    refused(
        errors.ReferralAlreadyPlaced,
        "referral-already-placed",
        WAITING,
        waitlist(group_id=group_id),
        placement_facts(),
    )


def test_a_person_waiting_for_a_group_is_not_enrolled_in_another():
    refused(
        errors.ReferralAlreadyPlaced,
        "referral-already-placed",
        WAITING,
        enrol(group_id="group-2"),
        placement_facts(),
    )


@pytest.mark.parametrize("make, event", placements())
@pytest.mark.parametrize(
    "history",
    [
        pytest.param(ELIGIBLE_WITHOUT_CONSENT, id="no answer"),
        pytest.param(DECLINED, id="declined"),
        pytest.param(OVERRIDDEN, id="eligible by override, no answer"),
    ],
)
def test_no_one_is_placed_without_their_consent(history, make, event):
    refused(errors.ConsentMissing, "consent-missing", history, make(), placement_facts())


# --- start ---


def test_an_enrolled_person_starts_with_the_group():
    assert given(referral, *ENROLLED).when(start_participation()) == [
        ParticipationStarted(referral_id="referral-1", group_id="group-1")
    ]


def test_starting_again_changes_nothing():
    assert given(referral, *STARTED).when(start_participation()) == []


@pytest.mark.parametrize("history", statuses(S.REQUESTED, S.ELIGIBLE, S.REFUSED, S.WAITING))
def test_only_an_enrolled_person_starts(history):
    refused(errors.ReferralNotEligible, "referral-not-eligible", history, start_participation())


@pytest.mark.parametrize("history", statuses(S.ENROLLED, S.STARTED))
def test_a_person_starts_in_the_group_they_are_enrolled_in(history):
    refused(
        errors.ReferralAlreadyPlaced,
        "referral-already-placed",
        history,
        start_participation(group_id="group-2"),
    )


# --- drop-out and exclusion ---


@pytest.mark.parametrize("history", statuses(S.ENROLLED, S.STARTED))
def test_a_participant_drops_out(history):
    assert given(referral, *history).when(drop_out()) == [
        ReferralDroppedOut(referral_id="referral-1", reason="Ne souhaite plus participer")
    ]


@pytest.mark.parametrize("history", statuses(S.ENROLLED, S.STARTED))
def test_a_participant_is_excluded(history):
    assert given(referral, *history).when(exclude()) == [
        ReferralExcluded(referral_id="referral-1", reason="Violences envers un participant")
    ]


@pytest.mark.parametrize(
    "command", [pytest.param(drop_out(), id="drop out"), pytest.param(exclude(), id="exclude")]
)
@pytest.mark.parametrize("history", statuses(S.REQUESTED, S.ELIGIBLE, S.REFUSED, S.WAITING))
def test_only_a_participant_drops_out_or_is_excluded(history, command):
    refused(errors.ReferralNotStarted, "referral-not-started", history, command)


@pytest.mark.parametrize(
    "status, reason",
    [
        pytest.param(S.DROPPED_OUT, "Ne souhaite plus participer", id="dropped out"),
        pytest.param(S.EXCLUDED, "Violences envers un participant", id="excluded"),
    ],
)
def test_a_drop_out_or_an_exclusion_ends_the_referral_with_its_reason(status, reason):
    state = referral.fold(a_referral_history(status))
    assert (state.status, state.end_reason, state.open) == (status, reason, False)


# --- withdrawal and release ---


@pytest.mark.parametrize("history", statuses(*OPEN_STATUSES))
def test_an_open_referral_is_withdrawn(history):
    assert given(referral, *history).when(withdraw()) == [
        ReferralWithdrawn(referral_id="referral-1", reason="Transfert prévu")
    ]
    state = referral.fold([*history, ReferralWithdrawn(referral_id="referral-1", reason="Transfert prévu")])
    assert (state.status, state.end_reason, state.open) == (S.WITHDRAWN, "Transfert prévu", False)


@pytest.mark.parametrize("history", statuses(*OPEN_STATUSES))
def test_an_open_referral_ends_when_the_person_is_released(history):
    assert given(referral, *history).when(end_on_release(released_on=date(2027, 1, 4))) == [
        ReferralEndedOnRelease(referral_id="referral-1", released_on=date(2027, 1, 4))
    ]
    state = referral.fold([*history, a_referral_ended_on_release()])
    assert (state.status, state.end_reason, state.open) == (S.WITHDRAWN, "released", False)


def test_a_withdrawal_without_a_reason_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", ENROLLED, withdraw(reason=""))


@pytest.mark.parametrize("command", every_command())
@pytest.mark.parametrize(
    "history", [*statuses(*ENDED_STATUSES), pytest.param(ENDED_ON_RELEASE, id="ended on release")]
)
def test_nothing_happens_to_a_referral_once_it_has_ended(history, command):
    refused(errors.ReferralEnded, "referral-ended", history, command)


# --- participation assessed at the group's close ---


def test_a_participant_who_attended_enough_completes_the_programme_and_is_given_a_certificate():
    assert given(referral, *STARTED).when(assess_participation(), completion_facts()) == [
        ParticipationAssessed(
            referral_id="referral-1",
            group_id="group-1",
            sessions_attended=7,
            sessions_counted=8,
            attendance_rate=0.875,
            completed=True,
        ),
        CompletionCertificateIssued(
            referral_id="referral-1",
            certificate_id=certificate_id("referral-1"),
            subject_id="person-1",
            programme_code="PPR",
            programme_name="Programme de prévention de la récidive",
            group_id="group-1",
            establishment=ESTABLISHMENT,
            start_date=date(2026, 12, 1),
            end_date=date(2027, 1, 27),
            sessions_attended=7,
            issued_on=date(2027, 1, 27),
        ),
    ]


def test_attending_exactly_the_threshold_completes_the_programme():
    assert given(referral, *STARTED).when(assess_participation(), completion_facts(sessions_attended=6)) == [
        a_participation_assessed(sessions_attended=6, attendance_rate=0.75),
        a_certificate_issued(sessions_attended=6),
    ]


@pytest.mark.parametrize(
    "attended, counted, threshold",
    [
        pytest.param(7, 10, 0.7, id="7 of 10 at 70 %"),
        pytest.param(3, 5, 0.6, id="3 of 5 at 60 %"),
        pytest.param(9, 9, 1.0, id="all at 100 %"),
    ],
)
def test_a_rate_equal_to_the_threshold_is_enough(attended, counted, threshold):
    facts = completion_facts(sessions_attended=attended, sessions_counted=counted, threshold=threshold)
    assessed = given(referral, *STARTED).when(assess_participation(), facts)[0]
    assert assessed.completed


def test_a_participant_who_did_not_attend_enough_does_not_complete_it_and_has_no_certificate():
    assert given(referral, *STARTED).when(assess_participation(), completion_facts(sessions_attended=5)) == [
        a_participation_assessed(sessions_attended=5, attendance_rate=0.625, completed=False)
    ]


def test_a_participant_whose_sessions_were_all_excused_does_not_complete_it():
    facts = completion_facts(sessions_attended=0, sessions_counted=0)
    assert given(referral, *STARTED).when(assess_participation(), facts) == [
        a_participation_assessed(
            sessions_attended=0, sessions_counted=0, attendance_rate=0.0, completed=False
        )
    ]


def test_the_attendance_rate_is_rounded_to_four_decimals():
    facts = completion_facts(sessions_attended=2, sessions_counted=3, threshold=0.6)
    assert given(referral, *STARTED).when(assess_participation(), facts)[0].attendance_rate == 0.6667


def test_more_sessions_attended_than_counted_is_an_invalid_value():
    refused(
        InvalidValue,
        "value-invalid",
        STARTED,
        assess_participation(),
        completion_facts(sessions_attended=9, sessions_counted=8),
    )


@pytest.mark.parametrize("history", statuses(S.REQUESTED, S.ELIGIBLE, S.REFUSED, S.WAITING, S.ENROLLED))
def test_only_a_participant_who_started_is_assessed(history):
    refused(
        errors.ReferralNotStarted, "referral-not-started", history, assess_participation(), completion_facts()
    )


def test_a_participant_is_assessed_at_the_close_of_their_own_group():
    refused(
        errors.ReferralNotStarted,
        "referral-not-started",
        STARTED,
        assess_participation(group_id="group-2"),
        completion_facts(),
    )


def test_a_certificate_id_is_the_same_for_a_referral_and_differs_between_referrals():
    assert certificate_id("referral-1") == certificate_id("referral-1") != certificate_id("referral-2")


def test_the_assessment_ends_the_referral_with_its_rate_and_certificate():
    completed = referral.fold(a_referral_history(S.COMPLETED))
    assert (completed.status, completed.attendance_rate, completed.certificate_id, completed.open) == (
        S.COMPLETED,
        0.875,
        certificate_id("referral-1"),
        False,
    )
    not_completed = referral.fold(a_referral_history(S.NOT_COMPLETED))
    assert (not_completed.status, not_completed.attendance_rate, not_completed.certificate_id) == (
        S.NOT_COMPLETED,
        0.25,
        None,
    )


# --- unknown referral, unknown command ---


@pytest.mark.parametrize("command", every_command())
def test_a_referral_that_was_never_requested_is_not_found(command):
    refused(errors.ReferralNotFound, "referral-not-found", (), command)


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(referral, *STARTED).when(open_group())


def test_a_started_participant_is_in_the_group_they_started_in():
    state = referral.fold([*ENROLLED, a_participation_started()])
    assert (state.status, state.group_id) == (S.STARTED, "group-1")


def test_a_waiting_person_enrolled_from_the_list_holds_a_seat():
    state = referral.fold([*WAITING, a_referral_enrolled()])
    assert (state.status, state.group_id) == (S.ENROLLED, "group-1")


def test_events_of_other_aggregates_leave_the_referral_as_it_was():
    assert referral.fold([*STARTED, a_group_opened()]) == referral.fold(STARTED)


# --- what refusals say (issue 13 #18) ---


@pytest.mark.parametrize(
    ("history", "command", "facts", "error", "message"),
    [
        pytest.param(
            (),
            request_referral(),
            referral_facts(person=person_facts(case_open=False)),
            errors.CaseClosed,
            "the case of Karim Benali (écrou 41207) is closed: they are referred to no programme",
            id="closed case",
        ),
        pytest.param(
            ELIGIBLE_WITHOUT_CONSENT,
            enrol(),
            placement_facts(),
            errors.ConsentMissing,
            "the consent of Karim Benali (écrou 41207) is recorded before they are placed in the group starting "
            "on Tuesday 1 December 2026: taking part is voluntary",
            id="no consent",
        ),
        pytest.param(
            ELIGIBLE,
            enrol(),
            placement_facts(programme_id="programme-2"),
            errors.GroupOfAnotherProgramme,
            "the group starting on Tuesday 1 December 2026 runs another programme than PPR «Programme de "
            "prévention de la récidive», which Karim Benali (écrou 41207) is referred to",
            id="another programme",
        ),
        pytest.param(
            ENROLLED,
            waitlist(),
            placement_facts(),
            errors.ReferralAlreadyPlaced,
            "Karim Benali (écrou 41207) is already enrolled in a group",
            id="already placed",
        ),
        pytest.param(
            ENDED_ON_RELEASE,
            withdraw(),
            referral_names(),
            errors.ReferralEnded,
            "the referral of Karim Benali (écrou 41207) to PPR «Programme de prévention de la récidive» has "
            "ended (withdrawn)",
            id="ended",
        ),
        pytest.param(
            ELIGIBLE,
            record_consent(),
            referral_names(),
            errors.ConsentAlreadyRecorded,
            "Karim Benali (écrou 41207) already gave their consent to the referral to PPR «Programme de "
            "prévention de la récidive»: withdraw the referral to end it",
            id="consent recorded",
        ),
    ],
)
def test_a_refusal_names_the_person_the_programme_and_the_group(history, command, facts, error, message):
    """Issue 13 #18: the person by name and écrou number, the programme by its code and name, the group by
    its start date."""
    with pytest.raises(error) as refused:
        given(referral, *history).when(command, facts)
    assert refused.value.message == message


def test_a_refusal_of_a_referral_named_by_nobody_still_reads_as_a_sentence():
    """A reaction of the service (a group's start) knows no names: the refusal says "the person"."""
    with pytest.raises(errors.ReferralEnded) as refused:
        given(referral, *ENDED_ON_RELEASE).when(withdraw())
    assert refused.value.message == "the referral of the person to the programme has ended (withdrawn)"
