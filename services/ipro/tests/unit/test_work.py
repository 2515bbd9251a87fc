from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from contracts.ipro import (
    AdversarialHearingHeld,
    AffectationDecided,
    ClassementGranted,
    ClassementRefused,
    ClassementRequested,
    ContractEnded,
    ContractEndReason,
    ContractResumed,
    ContractSigned,
    ContractSuspended,
    CpuOpinionRecorded,
    DeclassificationReasonRecorded,
    Declassified,
    EmployerInterviewHeld,
    PreliminaryInterviewHeld,
    SuspensionReason,
    WorkRegime,
)
from ipro.domain import errors
from ipro.domain.commands import DecideAffectation, SuspendContract
from ipro.domain.work import ClassementStatus, ContractStatus, work
from kernel.errors import InvalidValue
from kernel.testing import given

from ..builders import (
    AFFECTED,
    AFTER_RELEASE,
    APPEAL,
    CLASSED,
    CLASSEMENT_REFUSED,
    CONTRACT_ENDED,
    DECLASSIFIED,
    EMPLOYER,
    HEARD,
    INTERVIEWED,
    MONDAY,
    ON_THE_PATHWAY,
    OPINION_GIVEN,
    POST,
    REFUSAL_REASONS,
    REQUESTED,
    SUSPENDED,
    THURSDAY,
    TODAY,
    UNDER_CONTRACT,
    WORK_START,
    WORKSHOP,
    a_classement_granted,
    a_classement_refused,
    a_classement_requested,
    a_contract_ended,
    a_contract_ended_on_release,
    a_contract_resumed,
    a_contract_signed,
    a_contract_suspended,
    a_cpu_opinion_recorded,
    a_declassification,
    a_declassification_reason,
    a_pathway_opened,
    a_positioned_session,
    a_preliminary_interview_held,
    an_adversarial_hearing_held,
    an_affectation_decided,
    an_affectation_ended_on_release,
    an_employer_interview_held,
    booked,
    days_from_today,
    decide_affectation,
    declassify,
    end_contract,
    end_work_on_release,
    grant_classement,
    hold_adversarial_hearing,
    hold_employer_interview,
    hold_preliminary_interview,
    local,
    open_pathway,
    record_cpu_opinion,
    refuse_classement,
    request_classement,
    resume_contract,
    sign_contract,
    slot,
    suspend_contract,
    training_hours,
    work_schedule,
)

CONCESSION, SERVICE_GENERAL, STATE_WORKSHOP = (
    WorkRegime.CONCESSION,
    WorkRegime.SERVICE_GENERAL,
    WorkRegime.STATE_WORKSHOP,
)
HISTORIES = {
    "requested": REQUESTED,
    "CPU opinion given": OPINION_GIVEN,
    "refused": CLASSEMENT_REFUSED,
    "classed": CLASSED,
    "interviewed": INTERVIEWED,
    "affected": AFFECTED,
    "under contract": UNDER_CONTRACT,
    "suspended": SUSPENDED,
    "contract ended": CONTRACT_ENDED,
    "heard": HEARD,
    "declassified": DECLASSIFIED,
}
PENDING = ("requested", "CPU opinion given")
CLASSED_STATES = (
    "classed",
    "interviewed",
    "affected",
    "under contract",
    "suspended",
    "contract ended",
    "heard",
)
NOT_CLASSED = ("requested", "CPU opinion given", "refused", "declassified")
WITHOUT_A_CONTRACT = ("classed", "interviewed", "affected", "contract ended", "heard", "declassified")
RUNNING = ("under contract", "suspended")
REQUESTED_AGAIN = (*CLASSEMENT_REFUSED, a_classement_requested())
INTERVIEW_THEN_END = (*UNDER_CONTRACT, a_preliminary_interview_held())
SECOND_POST = (
    *CONTRACT_ENDED,
    an_employer_interview_held(interview_id="interview-2", employer="Atelier Lenoir"),
    an_affectation_decided(affectation_id="affectation-2", employer="Atelier Lenoir"),
)


def histories(*names: str) -> list:
    return [pytest.param(HISTORIES[name], id=name) for name in names]


def every_command() -> list:
    return [
        pytest.param(record_cpu_opinion(), id="record the CPU opinion"),
        pytest.param(grant_classement(), id="grant"),
        pytest.param(refuse_classement(), id="refuse"),
        pytest.param(hold_employer_interview(), id="hold an employer interview"),
        pytest.param(decide_affectation(), id="decide an affectation"),
        pytest.param(sign_contract(), id="sign a contract"),
        pytest.param(suspend_contract(), id="suspend"),
        pytest.param(resume_contract(), id="resume"),
        pytest.param(hold_preliminary_interview(), id="hold a preliminary interview"),
        pytest.param(end_contract(), id="end the contract"),
        pytest.param(hold_adversarial_hearing(), id="hold an adversarial hearing"),
        pytest.param(declassify(), id="declassify"),
    ]


def facts_for(command):
    """What the handler loads: the pathway, and the person's bookings (none) for an affectation."""
    return booked() if isinstance(command, DecideAffectation) else ON_THE_PATHWAY


def refused(error: type, code: str, history, command, facts=None) -> None:
    with pytest.raises(error) as raised:
        given(work, *history).when(command, facts or facts_for(command))
    assert raised.value.code == code


def test_every_history_leaves_the_work_file_where_its_name_says():
    def where(history) -> tuple:
        state = work.fold(history)
        return state.classement, state.current_contract and state.current_contract.status

    C, K = ClassementStatus, ContractStatus
    assert {name: where(history) for name, history in HISTORIES.items()} == {
        "requested": (C.REQUESTED, None),
        "CPU opinion given": (C.REQUESTED, None),
        "refused": (C.REFUSED, None),
        "classed": (C.GRANTED, None),
        "interviewed": (C.GRANTED, None),
        "affected": (C.GRANTED, None),
        "under contract": (C.GRANTED, K.ACTIVE),
        "suspended": (C.GRANTED, K.SUSPENDED),
        "contract ended": (C.GRANTED, None),
        "heard": (C.GRANTED, None),
        "declassified": (C.DECLASSIFIED, None),
    }


# --- classement request ---


def test_a_person_asks_in_writing_to_work():
    assert given(work).when(request_classement(), ON_THE_PATHWAY) == [
        ClassementRequested(
            work_id="work-1", pathway_id="pathway-1", subject_id="person-1", requested_on=TODAY
        )
    ]
    state = work.fold(REQUESTED)
    assert (state.work_id, state.pathway_id, state.subject_id, state.classement, state.requested_on) == (
        "work-1",
        "pathway-1",
        "person-1",
        ClassementStatus.REQUESTED,
        TODAY,
    )


@pytest.mark.parametrize("history", histories(*PENDING))
def test_a_request_awaiting_its_decision_is_not_made_again(history):
    refused(errors.ClassementAlreadyRequested, "classement-already-requested", history, request_classement())


@pytest.mark.parametrize("history", histories(*CLASSED_STATES))
def test_a_classed_person_does_not_ask_again(history):
    refused(errors.AlreadyClassed, "already-classed", history, request_classement())


@pytest.mark.parametrize("history", histories("refused", "declassified"))
def test_a_person_asks_again_after_a_refusal_or_a_declassification(history):
    later = days_from_today(60)
    assert given(work, *history).when(request_classement(today=later), ON_THE_PATHWAY) == [
        a_classement_requested(requested_on=later)
    ]


def test_a_new_request_waits_for_a_new_cpu_opinion():
    assert work.fold(REQUESTED_AGAIN).cpu_opinion is None
    refused(errors.CpuOpinionMissing, "cpu-opinion-missing", REQUESTED_AGAIN, grant_classement())
    assert given(work, *REQUESTED_AGAIN).when(record_cpu_opinion(), ON_THE_PATHWAY) == [
        a_cpu_opinion_recorded()
    ]


# --- CPU opinion ---


@pytest.mark.parametrize("favourable", [True, False], ids=["favourable", "unfavourable"])
@pytest.mark.parametrize("held_on", [TODAY, days_from_today(-2)], ids=["today", "two days ago"])
def test_the_cpu_gives_its_opinion_on_the_request(held_on, favourable):
    command = record_cpu_opinion(held_on=held_on, favourable=favourable, opinion="Motivé")
    assert given(work, *REQUESTED).when(command, ON_THE_PATHWAY) == [
        CpuOpinionRecorded(work_id="work-1", held_on=held_on, favourable=favourable, opinion="Motivé")
    ]


def test_the_cpu_opinion_is_known():
    assert work.fold([*REQUESTED, a_cpu_opinion_recorded(favourable=False)]).cpu_opinion is False


def test_no_cpu_opinion_without_a_request():
    refused(errors.ClassementNotRequested, "classement-not-requested", (), record_cpu_opinion())


@pytest.mark.parametrize("history", histories("refused", *CLASSED_STATES, "declassified"))
def test_no_cpu_opinion_once_the_request_is_decided(history):
    refused(errors.ClassementNotRequested, "classement-not-requested", history, record_cpu_opinion())


def test_the_cpu_gives_its_opinion_once():
    refused(
        errors.CpuOpinionAlreadyRecorded,
        "cpu-opinion-already-recorded",
        OPINION_GIVEN,
        record_cpu_opinion(favourable=False),
    )


def test_a_cpu_cannot_be_dated_after_today():
    refused(
        errors.DateInTheFuture,
        "date-in-the-future",
        REQUESTED,
        record_cpu_opinion(held_on=days_from_today(1)),
    )


# --- governor's decision ---


@pytest.mark.parametrize("favourable", [True, False], ids=["favourable", "unfavourable"])
def test_the_governor_grants_the_classement_once_the_cpu_gave_its_opinion(favourable):
    history = (*REQUESTED, a_cpu_opinion_recorded(favourable=favourable))
    assert given(work, *history).when(grant_classement(regimes=[SERVICE_GENERAL]), ON_THE_PATHWAY) == [
        ClassementGranted(work_id="work-1", regimes=[SERVICE_GENERAL], decided_on=TODAY)
    ]


def test_the_regimes_granted_are_listed_once_each_in_order():
    command = grant_classement(regimes=[STATE_WORKSHOP, SERVICE_GENERAL, STATE_WORKSHOP, CONCESSION])
    assert given(work, *OPINION_GIVEN).when(command, ON_THE_PATHWAY) == [
        a_classement_granted(regimes=[CONCESSION, SERVICE_GENERAL, STATE_WORKSHOP])
    ]


def test_a_classement_is_granted_for_at_least_one_regime():
    refused(errors.RegimesRequired, "regimes-required", OPINION_GIVEN, grant_classement(regimes=[]))


def test_a_classed_person_is_classed_for_the_regimes_granted():
    state = work.fold(CLASSED)
    assert (state.classement, state.regimes) == (ClassementStatus.GRANTED, [CONCESSION, SERVICE_GENERAL])


@pytest.mark.parametrize("favourable", [True, False], ids=["favourable", "unfavourable"])
def test_the_governor_refuses_the_classement_with_reasons_and_how_to_appeal(favourable):
    history = (*REQUESTED, a_cpu_opinion_recorded(favourable=favourable))
    assert given(work, *history).when(refuse_classement(), ON_THE_PATHWAY) == [
        ClassementRefused(
            work_id="work-1", reasons=REFUSAL_REASONS, appeal_information=APPEAL, decided_on=TODAY
        )
    ]
    state = work.fold(CLASSEMENT_REFUSED)
    assert (state.classement, state.regimes) == (ClassementStatus.REFUSED, [])


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(refuse_classement(reasons=""), id="no reasons"),
        pytest.param(refuse_classement(appeal_information=""), id="no appeal information"),
        pytest.param(refuse_classement(reasons="  ", appeal_information=" "), id="blanks"),
        pytest.param(refuse_classement(reasons="", appeal_information=""), id="neither"),
    ],
)
def test_a_refusal_without_reasons_or_appeal_information_is_refused(command):
    refused(errors.ReasonRequired, "reason-required", OPINION_GIVEN, command)


def test_a_refusal_is_recorded_without_surrounding_blanks():
    command = refuse_classement(reasons=f"  {REFUSAL_REASONS} ", appeal_information=f"\n{APPEAL}  ")
    assert given(work, *OPINION_GIVEN).when(command, ON_THE_PATHWAY) == [a_classement_refused()]


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(grant_classement(regimes=[]), id="grant without regimes"),
        pytest.param(refuse_classement(reasons=""), id="refuse without reasons"),
    ],
)
def test_a_decision_that_does_not_say_what_it_decides_is_refused_whatever_the_file(command):
    """Whether a classement awaits a decision or not, a decision names its regimes or its reasons."""
    for history in ((), CLASSED):
        with pytest.raises((errors.RegimesRequired, errors.ReasonRequired)):
            given(work, *history).when(command, ON_THE_PATHWAY)


@pytest.mark.parametrize(
    "command", [pytest.param(grant_classement(), id="grant"), pytest.param(refuse_classement(), id="refuse")]
)
def test_the_governor_decides_only_once_the_cpu_gave_its_opinion(command):
    refused(errors.CpuOpinionMissing, "cpu-opinion-missing", REQUESTED, command)


@pytest.mark.parametrize(
    "command", [pytest.param(grant_classement(), id="grant"), pytest.param(refuse_classement(), id="refuse")]
)
@pytest.mark.parametrize("history", histories("refused", *CLASSED_STATES, "declassified"))
def test_the_governor_decides_a_request_once(history, command):
    refused(errors.ClassementNotRequested, "classement-not-requested", history, command)


# --- employer interviews ---


@pytest.mark.parametrize("regime", [CONCESSION, SERVICE_GENERAL])
@pytest.mark.parametrize("history", histories(*CLASSED_STATES))
def test_a_person_classed_for_a_regime_meets_an_employer_of_it(history, regime):
    command = hold_employer_interview(interview_id="interview-3", regime=regime, held_on=days_from_today(-1))
    assert given(work, *history).when(command, ON_THE_PATHWAY) == [
        EmployerInterviewHeld(
            work_id="work-1",
            interview_id="interview-3",
            regime=regime,
            employer=EMPLOYER,
            post=POST,
            held_on=days_from_today(-1),
        )
    ]


def test_a_person_meets_no_employer_of_a_regime_they_are_not_classed_for():
    refused(
        errors.NotClassedForRegime,
        "not-classed-for-regime",
        CLASSED,
        hold_employer_interview(regime=STATE_WORKSHOP),
    )


@pytest.mark.parametrize("history", histories(*NOT_CLASSED))
def test_a_person_who_is_not_classed_meets_no_employer(history):
    refused(errors.NotClassedForRegime, "not-classed-for-regime", history, hold_employer_interview())


def test_an_employer_interview_cannot_be_dated_after_today():
    refused(
        errors.DateInTheFuture,
        "date-in-the-future",
        CLASSED,
        hold_employer_interview(held_on=days_from_today(1)),
    )


# --- affectation ---


def test_the_governor_assigns_a_classed_person_to_a_post_after_the_employers_interview():
    assert given(work, *INTERVIEWED).when(decide_affectation(), booked()) == [
        AffectationDecided(
            work_id="work-1",
            affectation_id="affectation-1",
            regime=CONCESSION,
            post=POST,
            workshop=WORKSHOP,
            employer=EMPLOYER,
            schedule=work_schedule(),
            starts_on=WORK_START,
        )
    ]
    affectation = work.fold(AFFECTED).current_affectation
    assert (affectation.affectation_id, affectation.contract_id, affectation.ended) == (
        "affectation-1",
        None,
        False,
    )


def test_the_employer_is_recognised_whatever_its_case():
    assert given(work, *INTERVIEWED).when(
        decide_affectation(employer="BOURGEOIS conditionnement"), booked()
    ) == [an_affectation_decided(employer="BOURGEOIS conditionnement")]


def test_no_affectation_for_a_regime_the_person_is_not_classed_for():
    history = (*INTERVIEWED, an_employer_interview_held(interview_id="interview-2", regime=STATE_WORKSHOP))
    refused(
        errors.AffectationWithoutClassement,
        "affectation-without-classement",
        history,
        decide_affectation(regime=STATE_WORKSHOP),
    )


@pytest.mark.parametrize("history", histories(*NOT_CLASSED))
def test_no_affectation_without_a_classement(history):
    refused(
        errors.AffectationWithoutClassement, "affectation-without-classement", history, decide_affectation()
    )


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(CLASSED, id="no interview"),
        pytest.param(
            (*CLASSED, an_employer_interview_held(employer="Atelier Lenoir")), id="another employer"
        ),
        pytest.param(
            (*CLASSED, an_employer_interview_held(regime=SERVICE_GENERAL)),
            id="the employer, for another regime",
        ),
    ],
)
def test_no_affectation_without_an_interview_with_that_employer_for_that_regime(history):
    refused(errors.EmployerInterviewMissing, "employer-interview-missing", history, decide_affectation())


@pytest.mark.parametrize("history", histories("affected", "under contract", "suspended"))
def test_a_person_holds_one_post_at_a_time(history):
    refused(
        errors.AlreadyAffected,
        "already-affected",
        history,
        decide_affectation(affectation_id="affectation-2"),
    )


def test_ending_the_contract_frees_the_post_for_a_new_affectation():
    assert work.fold(CONTRACT_ENDED).current_affectation is None
    assert given(work, *CONTRACT_ENDED).when(
        decide_affectation(affectation_id="affectation-2"), booked()
    ) == [an_affectation_decided(affectation_id="affectation-2")]


@pytest.mark.parametrize(
    "schedule",
    [
        pytest.param([slot(MONDAY, 12, 8)], id="ending before it starts"),
        pytest.param([slot(MONDAY, 8, 8)], id="ending when it starts"),
        pytest.param([slot(MONDAY, 8, 12), slot(THURSDAY, 14, 13)], id="one slot of two"),
    ],
)
def test_each_slot_of_the_schedule_ends_after_it_starts(schedule):
    refused(errors.DatesOutOfOrder, "dates-out-of-order", INTERVIEWED, decide_affectation(schedule=schedule))


@pytest.mark.parametrize(
    "booking",
    [
        pytest.param(training_hours(slots=[slot(MONDAY, 10, 12)]), id="a training on Monday mornings"),
        pytest.param(
            training_hours(
                starts_on=date(2026, 11, 2), ends_on=date(2026, 12, 7), slots=[slot(MONDAY, 11, 14)]
            ),
            id="a training ending on the first day",
        ),
        pytest.param(
            a_positioned_session(
                starts_at=local(date(2026, 12, 14), 11), ends_at=local(date(2026, 12, 14), 13)
            ),
            id="a session on a Monday morning",
        ),
        pytest.param(
            a_positioned_session(starts_at=local(date(2027, 4, 1), 7), ends_at=local(date(2027, 4, 1), 9)),
            id="a session on a Thursday morning, in summer time",
        ),
    ],
)
def test_a_post_whose_hours_overlap_the_persons_other_bookings_is_refused(booking):
    refused(
        errors.BookingOverlap,
        "booking-overlap",
        INTERVIEWED,
        decide_affectation(),
        booked(training_hours(), booking),
    )


@pytest.mark.parametrize(
    "booking",
    [
        pytest.param(training_hours(), id="a training on other days"),
        pytest.param(training_hours(slots=[slot(MONDAY, 12, 14)]), id="a training on Monday afternoons"),
        pytest.param(
            training_hours(
                starts_on=date(2026, 9, 7), ends_on=date(2026, 12, 4), slots=[slot(MONDAY, 8, 12)]
            ),
            id="a training that ended before",
        ),
        pytest.param(a_positioned_session(), id="a session on a Wednesday"),
        pytest.param(
            a_positioned_session(
                starts_at=local(date(2026, 11, 30), 9), ends_at=local(date(2026, 11, 30), 11)
            ),
            id="a session on a Monday morning before the post starts",
        ),
        pytest.param(
            a_positioned_session(
                starts_at=local(date(2026, 12, 14), 12), ends_at=local(date(2026, 12, 14), 14)
            ),
            id="a session right after the Monday hours",
        ),
    ],
)
def test_a_post_whose_hours_do_not_overlap_the_persons_bookings_is_decided(booking):
    assert given(work, *INTERVIEWED).when(decide_affectation(), booked(booking)) == [an_affectation_decided()]


# --- contract ---


def test_a_contract_is_signed_for_the_current_affectation():
    assert given(work, *AFFECTED).when(sign_contract(), ON_THE_PATHWAY) == [
        ContractSigned(
            work_id="work-1",
            contract_id="contract-1",
            affectation_id="affectation-1",
            signed_on=TODAY,
            starts_on=WORK_START,
            ends_on=None,
            trial_days=10,
        )
    ]
    state = work.fold(UNDER_CONTRACT)
    assert (state.current_contract.contract_id, state.current_contract.status) == (
        "contract-1",
        ContractStatus.ACTIVE,
    )
    assert state.current_affectation.contract_id == "contract-1"


def test_a_contract_is_signed_for_a_new_post_after_the_previous_contract_ended():
    command = sign_contract(contract_id="contract-2", affectation_id="affectation-2")
    assert given(work, *SECOND_POST).when(command, ON_THE_PATHWAY) == [
        a_contract_signed(contract_id="contract-2", affectation_id="affectation-2")
    ]


@pytest.mark.parametrize(
    "history, affectation_id",
    [
        pytest.param(INTERVIEWED, "affectation-1", id="no affectation"),
        pytest.param(AFFECTED, "affectation-2", id="another affectation"),
        pytest.param(CONTRACT_ENDED, "affectation-1", id="an ended affectation"),
        pytest.param(SECOND_POST, "affectation-1", id="the previous affectation"),
        pytest.param(
            (*AFFECTED, an_adversarial_hearing_held(), a_declassification(), a_declassification_reason()),
            "affectation-1",
            id="an affectation ended by the declassification",
        ),
    ],
)
def test_a_contract_is_signed_for_a_current_affectation_that_has_none_yet(history, affectation_id):
    refused(
        errors.ContractWithoutAffectation,
        "contract-without-affectation",
        history,
        sign_contract(contract_id="contract-2", affectation_id=affectation_id),
    )


@pytest.mark.parametrize(
    "running", [pytest.param((), id="active"), pytest.param((a_contract_suspended(),), id="suspended")]
)
def test_a_person_has_one_active_contract_at_a_time(running):
    history = (*UNDER_CONTRACT, *running)
    refused(
        errors.ContractAlreadyActive,
        "contract-already-active",
        history,
        sign_contract(contract_id="contract-2", affectation_id="affectation-2"),
    )


def test_a_contract_ends_on_or_after_its_start():
    assert given(work, *AFFECTED).when(sign_contract(ends_on=WORK_START, trial_days=1), ON_THE_PATHWAY) == [
        a_contract_signed(ends_on=WORK_START, trial_days=1)
    ]
    refused(
        errors.DatesOutOfOrder,
        "dates-out-of-order",
        AFFECTED,
        sign_contract(ends_on=WORK_START - timedelta(days=1), trial_days=0),
    )


FOUR_WEEKS = WORK_START + timedelta(weeks=4, days=-1)  # Monday 7 December to Sunday 3 January: 28 days


@pytest.mark.parametrize(
    "ends_on, trial_days, cap",
    [
        pytest.param(FOUR_WEEKS, 4, 30, id="a 4-week contract, 4 days"),
        pytest.param(FOUR_WEEKS, 0, 30, id="no trial period"),
        pytest.param(WORK_START + timedelta(weeks=20, days=-1), 14, 14, id="a 20-week contract, the cap"),
        pytest.param(None, 30, 30, id="open-ended, the cap"),
        pytest.param(None, 5, 5, id="open-ended, a lower cap"),
    ],
)
def test_the_trial_period_is_at_most_a_day_per_week_of_contract_within_the_cap(ends_on, trial_days, cap):
    command = sign_contract(ends_on=ends_on, trial_days=trial_days, trial_cap_days=cap)
    assert given(work, *AFFECTED).when(command, ON_THE_PATHWAY) == [
        a_contract_signed(ends_on=ends_on, trial_days=trial_days)
    ]


@pytest.mark.parametrize(
    "ends_on, trial_days, cap",
    [
        pytest.param(FOUR_WEEKS, 5, 30, id="a 4-week contract, 5 days"),
        pytest.param(
            WORK_START + timedelta(weeks=20, days=-1), 15, 14, id="a 20-week contract, beyond the cap"
        ),
        pytest.param(None, 31, 30, id="open-ended, beyond the cap"),
        pytest.param(None, 1, 0, id="no trial period allowed"),
    ],
)
def test_a_longer_trial_period_is_refused(ends_on, trial_days, cap):
    refused(
        errors.TrialPeriodTooLong,
        "trial-period-too-long",
        AFFECTED,
        sign_contract(ends_on=ends_on, trial_days=trial_days, trial_cap_days=cap),
    )


def test_a_week_started_counts_as_a_week_of_contract():
    """Current behaviour, to be confirmed: 29 days (4 weeks and a day) allow 5 days of trial."""
    ends_on = FOUR_WEEKS + timedelta(days=1)
    assert given(work, *AFFECTED).when(sign_contract(ends_on=ends_on, trial_days=5), ON_THE_PATHWAY) == [
        a_contract_signed(ends_on=ends_on, trial_days=5)
    ]


def test_a_negative_trial_period_is_refused():
    with pytest.raises(ValidationError):
        sign_contract(trial_days=-1)


# --- suspension and resumption ---


@pytest.mark.parametrize("reason", list(SuspensionReason))
def test_a_contract_is_suspended_for_a_reason_of_the_closed_list(reason):
    assert given(work, *UNDER_CONTRACT).when(suspend_contract(reason=reason), ON_THE_PATHWAY) == [
        ContractSuspended(work_id="work-1", contract_id="contract-1", reason=reason, suspended_on=TODAY)
    ]
    assert work.fold(SUSPENDED).current_contract.status == ContractStatus.SUSPENDED


def test_a_reason_outside_the_closed_list_is_refused():
    with pytest.raises(ValidationError):
        SuspendContract(reason="holidays", today=TODAY)


def test_a_suspended_contract_is_not_suspended_again():
    refused(
        errors.ContractAlreadySuspended,
        "contract-already-suspended",
        SUSPENDED,
        suspend_contract(reason=SuspensionReason.LACK_OF_WORK),
    )


def test_a_suspended_contract_resumes():
    assert given(work, *SUSPENDED).when(resume_contract(), ON_THE_PATHWAY) == [
        ContractResumed(work_id="work-1", contract_id="contract-1", resumed_on=TODAY)
    ]
    assert work.fold([*SUSPENDED, a_contract_resumed()]).current_contract.status == ContractStatus.ACTIVE


def test_a_resumed_contract_is_suspended_again():
    history = (*SUSPENDED, a_contract_resumed())
    assert given(work, *history).when(suspend_contract(), ON_THE_PATHWAY) == [a_contract_suspended()]


def test_only_a_suspended_contract_resumes():
    refused(errors.ContractNotSuspended, "contract-not-suspended", UNDER_CONTRACT, resume_contract())


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(suspend_contract(), id="suspend"),
        pytest.param(resume_contract(), id="resume"),
        pytest.param(hold_preliminary_interview(), id="hold a preliminary interview"),
        pytest.param(end_contract(), id="end"),
    ],
)
@pytest.mark.parametrize("history", histories(*WITHOUT_A_CONTRACT))
def test_no_contract_no_suspension_interview_or_end(history, command):
    refused(errors.ContractNotActive, "contract-not-active", history, command)


# --- preliminary interview and end ---


@pytest.mark.parametrize("history", histories(*RUNNING))
def test_a_preliminary_interview_is_held_on_the_running_contract(history):
    assert given(work, *history).when(hold_preliminary_interview(), ON_THE_PATHWAY) == [
        PreliminaryInterviewHeld(work_id="work-1", contract_id="contract-1", held_on=TODAY)
    ]


@pytest.mark.parametrize(
    "reason", [r for r in ContractEndReason if r != ContractEndReason.PROFESSIONAL_INADEQUACY]
)
@pytest.mark.parametrize("history", histories(*RUNNING))
def test_a_running_contract_ends_for_any_other_reason_without_a_preliminary_interview(history, reason):
    assert given(work, *history).when(end_contract(reason=reason), ON_THE_PATHWAY) == [
        ContractEnded(work_id="work-1", contract_id="contract-1", reason=reason, ended_on=TODAY)
    ]


@pytest.mark.parametrize("history", histories(*RUNNING))
def test_ending_a_contract_for_professional_inadequacy_needs_a_preliminary_interview(history):
    refused(
        errors.PreliminaryInterviewMissing,
        "preliminary-interview-missing",
        history,
        end_contract(reason=ContractEndReason.PROFESSIONAL_INADEQUACY),
    )


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(INTERVIEW_THEN_END, id="active"),
        pytest.param((*SUSPENDED, a_preliminary_interview_held()), id="suspended"),
    ],
)
def test_after_a_preliminary_interview_a_contract_ends_for_professional_inadequacy(history):
    assert given(work, *history).when(
        end_contract(reason=ContractEndReason.PROFESSIONAL_INADEQUACY), ON_THE_PATHWAY
    ) == [a_contract_ended(reason=ContractEndReason.PROFESSIONAL_INADEQUACY)]


def test_the_preliminary_interview_of_a_previous_contract_does_not_count():
    history = (
        *INTERVIEW_THEN_END,
        a_contract_ended(),
        an_employer_interview_held(interview_id="interview-2", employer="Atelier Lenoir"),
        an_affectation_decided(affectation_id="affectation-2", employer="Atelier Lenoir"),
        a_contract_signed(contract_id="contract-2", affectation_id="affectation-2"),
    )
    refused(
        errors.PreliminaryInterviewMissing,
        "preliminary-interview-missing",
        history,
        end_contract(reason=ContractEndReason.PROFESSIONAL_INADEQUACY),
    )


def test_an_ended_contract_ends_its_affectation():
    state = work.fold(CONTRACT_ENDED)
    assert state.contracts["contract-1"].status == ContractStatus.ENDED
    assert state.affectations["affectation-1"].ended
    assert (state.current_contract, state.current_affectation) == (None, None)


# --- adversarial hearing and declassification ---


@pytest.mark.parametrize("history", histories(*CLASSED_STATES))
def test_an_adversarial_hearing_is_held_for_a_classed_person(history):
    assert given(work, *history).when(hold_adversarial_hearing(), ON_THE_PATHWAY) == [
        AdversarialHearingHeld(work_id="work-1", held_on=TODAY)
    ]


@pytest.mark.parametrize(
    "command",
    [pytest.param(hold_adversarial_hearing(), id="hearing"), pytest.param(declassify(), id="declassify")],
)
@pytest.mark.parametrize("history", histories(*NOT_CLASSED))
def test_a_person_who_is_not_classed_is_neither_heard_nor_declassified(history, command):
    refused(errors.NotClassed, "not-classed", history, command)


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(HEARD, id="after a contract"),
        pytest.param((*CLASSED, an_adversarial_hearing_held()), id="without a post"),
    ],
)
def test_a_person_heard_without_a_running_contract_is_declassified_the_reason_recorded_apart(history):
    """The reason is a restricted event of its own, right after the shareable declassification (ADR 25)."""
    declassified = given(work, *history).when(declassify(reason="Refus du poste proposé"), ON_THE_PATHWAY)

    assert declassified == [
        Declassified(work_id="work-1", decided_on=TODAY),
        DeclassificationReasonRecorded(work_id="work-1", reason="Refus du poste proposé"),
    ]
    assert [e.restricted for e in declassified] == [False, True]
    state = work.fold([*history, *declassified])
    assert (state.classement, state.regimes) == (ClassementStatus.DECLASSIFIED, [])


@pytest.mark.parametrize(
    "history, command",
    [
        pytest.param(REQUESTED, record_cpu_opinion(favourable=False), id="the CPU's opinion"),
        pytest.param(OPINION_GIVEN, refuse_classement(), id="a refused classement"),
    ],
)
def test_what_only_ipro_and_the_spip_read_is_decided_as_a_restricted_event(history, command):
    """Off `ipro.events`, which every subscribing service reads (partners included): on `ipro.restricted`."""
    (event,) = given(work, *history).when(command, ON_THE_PATHWAY)
    assert event.restricted and event.schema_version == 2


def test_a_declassification_gives_its_reason():
    history = (*CLASSED, an_adversarial_hearing_held())
    refused(InvalidValue, "value-invalid", history, declassify(reason=""))


def test_a_declassification_ends_the_post_the_person_holds_without_a_contract():
    history = (*AFFECTED, an_adversarial_hearing_held())
    declassified = [a_declassification(), a_declassification_reason()]
    assert given(work, *history).when(declassify(), ON_THE_PATHWAY) == declassified
    assert work.fold([*history, *declassified]).current_affectation is None


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(CLASSED, id="never heard"),
        pytest.param(CONTRACT_ENDED, id="a contract ended, never heard"),
        pytest.param(
            (
                *CLASSED,
                an_adversarial_hearing_held(),
                a_declassification(),
                a_declassification_reason(),
                a_classement_requested(),
                a_cpu_opinion_recorded(),
                a_classement_granted(),
            ),
            id="heard before the latest grant",
        ),
    ],
)
def test_a_declassification_needs_an_adversarial_hearing_since_the_latest_grant(history):
    refused(errors.AdversarialHearingMissing, "adversarial-hearing-missing", history, declassify())


@pytest.mark.parametrize(
    "history",
    [
        pytest.param((*UNDER_CONTRACT, an_adversarial_hearing_held()), id="active"),
        pytest.param((*SUSPENDED, an_adversarial_hearing_held()), id="suspended"),
    ],
)
def test_a_person_is_not_declassified_while_a_contract_is_running(history):
    refused(errors.ContractStillActive, "contract-still-active", history, declassify())


def test_a_declassified_person_meets_no_employer_and_is_assigned_no_post():
    refused(errors.NotClassedForRegime, "not-classed-for-regime", DECLASSIFIED, hold_employer_interview())
    refused(
        errors.AffectationWithoutClassement,
        "affectation-without-classement",
        DECLASSIFIED,
        decide_affectation(),
    )


# --- release (issue 13 #4) ---


@pytest.mark.parametrize("history", histories(*RUNNING))
def test_the_release_ends_the_running_contract_and_its_post(history):
    """Issue 13 #4: the contract (active or suspended) ends with the release, which the pathway's closing
    already tells the work file (`AFTER_RELEASE`)."""
    events = given(work, *history).when(end_work_on_release(), AFTER_RELEASE)
    assert events == [a_contract_ended_on_release()]
    released = work.fold([*history, *events])
    assert released.contracts["contract-1"].status == ContractStatus.ENDED
    assert (released.current_contract, released.current_affectation) == (None, None)


def test_the_release_ends_a_post_whose_contract_was_not_signed_yet():
    events = given(work, *AFFECTED).when(end_work_on_release(), AFTER_RELEASE)
    assert events == [an_affectation_ended_on_release()]
    assert work.fold([*AFFECTED, *events]).current_affectation is None


@pytest.mark.parametrize(
    "history",
    [pytest.param((), id="no work file"), *histories(*NOT_CLASSED, "classed", "contract ended", "heard")],
)
def test_the_release_ends_nothing_when_the_person_holds_no_post(history):
    assert given(work, *history).when(end_work_on_release(), AFTER_RELEASE) == []


def test_nothing_is_arranged_on_the_work_file_after_its_release():
    history = (*UNDER_CONTRACT, a_contract_ended_on_release())
    refused(errors.PathwayClosed, "pathway-closed", history, resume_contract(), AFTER_RELEASE)
    assert given(work, *history).when(end_work_on_release(), AFTER_RELEASE) == []


# --- what refusals say (issue 13 #18) ---


@pytest.mark.parametrize(
    "history, affectation_id, message",
    [
        pytest.param(
            INTERVIEWED,
            "affectation-1",
            "Jean Martin was assigned no post under this affectation: a contract is signed for the post the "
            "governor assigned.",
            id="no affectation",
        ),
        pytest.param(
            CONTRACT_ENDED,
            "affectation-1",
            "Jean Martin's affectation to the post «Opérateur de conditionnement» (Atelier 2) has ended: a "
            "contract is signed for a current post.",
            id="an ended affectation",
        ),
    ],
)
def test_a_contract_without_its_affectation_is_refused_in_a_sentence_naming_the_person_and_post(
    history, affectation_id, message
):
    with pytest.raises(errors.ContractWithoutAffectation) as raised:
        given(work, *history).when(sign_contract(affectation_id=affectation_id), ON_THE_PATHWAY)
    assert raised.value.message == message


def test_an_overlapping_post_names_what_it_overlaps():
    training = training_hours(slots=[slot(MONDAY, 9, 12)], label="the training «CAP cuisine»")
    with pytest.raises(errors.BookingOverlap) as raised:
        given(work, *INTERVIEWED).when(decide_affectation(), booked(training))
    assert raised.value.message == (
        "the hours of the post «Opérateur de conditionnement» (Atelier 2) overlap the training «CAP cuisine», "
        "which Jean Martin is booked for"
    )


# --- unknown work file, unknown command ---


@pytest.mark.parametrize("command", every_command())
def test_nothing_happens_before_a_classement_is_requested(command):
    refused(errors.ClassementNotRequested, "classement-not-requested", (), command)


@pytest.mark.parametrize("command", [pytest.param(request_classement(), id="request"), *every_command()])
@pytest.mark.parametrize("history", histories("refused", "CPU opinion given", "affected", "under contract"))
def test_nothing_happens_to_the_work_file_once_the_person_has_left(history, command):
    facts = booked(closed=True) if isinstance(command, DecideAffectation) else AFTER_RELEASE
    refused(errors.PathwayClosed, "pathway-closed", history, command, facts)


def test_an_affectation_decided_without_the_persons_bookings_is_a_programming_error():
    with pytest.raises(TypeError):
        given(work, *INTERVIEWED).when(decide_affectation(), ON_THE_PATHWAY)


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(work, *CLASSED).when(open_pathway(), ON_THE_PATHWAY)


def test_events_of_other_aggregates_leave_the_work_file_as_it_was():
    assert work.fold([*UNDER_CONTRACT, a_pathway_opened()]) == work.fold(UNDER_CONTRACT)
