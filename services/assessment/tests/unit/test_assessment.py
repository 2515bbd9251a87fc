import pytest

from assessment.domain import assessment as assessment_module
from assessment.domain import errors
from assessment.domain.assessment import AssessmentStatus, Contribution, assessment
from assessment.domain.errors import (
    AssessmentAlreadyStarted,
    AssessmentIncomplete,
    AssessmentNotEditable,
    AssessmentNotFound,
    AssessmentNotReturned,
    AssessmentNotSubmitted,
    AssessmentSelfValidation,
    InitialAssessmentAlreadyValidated,
    NoValidatedAssessment,
    PriorityAxesRepeated,
    RatingInconsistent,
    ReassessmentTriggerMissing,
)
from assessment.domain.facts import AssessmentFacts
from contracts.assessment import (
    AssessmentKind,
    AssessmentReturned,
    AssessmentStarted,
    AssessmentSubmitted,
    AssessmentValidated,
    ConclusionRecorded,
    ContributionAdded,
    DomainAssessed,
    FactorLevel,
    FactorNature,
    MotivationStage,
    NeedDomain,
    ProtectiveFactorsRecorded,
    ReceptivityRecorded,
    RiskLevel,
)
from kernel.errors import DomainError
from kernel.testing import given

from ..builders import (
    EVIDENCE,
    PRIORITY_AXES,
    TODAY,
    a_conclusion_recorded,
    a_contribution_added,
    a_contribution_requested,
    a_domain_assessed,
    a_rating,
    a_receptivity_recorded,
    a_trigger_recorded,
    add_contribution,
    an_assessment_returned,
    an_assessment_started,
    an_assessment_submitted,
    an_assessment_validated,
    assess_domain,
    case_facts,
    days_from_today,
    no_risk_rating,
    protective_factors_recorded,
    record_conclusion,
    record_interview,
    record_protective_factors,
    record_receptivity,
    request_contribution,
    resubmit_assessment,
    return_assessment,
    start_assessment,
    submit_assessment,
    validate_assessment,
)

DRAFT = (an_assessment_started(), a_contribution_requested())
# The priority axes' domains rated: education and employment, then alcohol and drugs.
RATED = (
    *DRAFT,
    a_domain_assessed(),
    a_domain_assessed(rating=a_rating(domain=NeedDomain.ALCOHOL_DRUGS, level=FactorLevel.HIGH)),
)
CONCLUDED = (*RATED, a_conclusion_recorded())
SUBMITTED = (*CONCLUDED, an_assessment_submitted())
RETURNED = (*SUBMITTED, an_assessment_returned())
RESUBMITTED = (*RETURNED, an_assessment_submitted())
VALIDATED = (*SUBMITTED, an_assessment_validated())
VALIDATED_AFTER_A_RETURN = (*RESUBMITTED, an_assessment_validated())

HISTORIES = {
    "draft": DRAFT,
    "concluded draft": CONCLUDED,
    "submitted": SUBMITTED,
    "returned": RETURNED,
    "resubmitted": RESUBMITTED,
    "validated": VALIDATED,
    "validated after a return": VALIDATED_AFTER_A_RETURN,
}
NOT_VALIDATED = ("draft", "concluded draft", "submitted", "returned", "resubmitted")


def histories(*names: str) -> list:
    return [pytest.param(HISTORIES[name], id=name) for name in names]


def histories_but(*names: str) -> list:
    return histories(*(name for name in NOT_VALIDATED if name not in names))


def editing_commands() -> list:
    return [
        pytest.param(assess_domain(), id="assess a domain"),
        pytest.param(record_protective_factors(), id="record protective factors"),
        pytest.param(record_receptivity(), id="record receptivity"),
        pytest.param(record_conclusion(), id="record the conclusion"),
    ]


def commands_after_starting() -> list:
    return [
        *editing_commands(),
        pytest.param(add_contribution(), id="add a contribution"),
        pytest.param(submit_assessment(), id="submit"),
        pytest.param(return_assessment(), id="return"),
        pytest.param(resubmit_assessment(), id="resubmit"),
        pytest.param(validate_assessment(), id="validate"),
    ]


OPEN_CASE = case_facts()
AFTER_ONE_VALIDATED = case_facts(validated_assessments=1)
CLOSED_CASE = case_facts(closed=True)


# --- starting ---


def test_the_initial_assessment_is_started_on_a_case_without_a_validated_assessment():
    assert given(assessment).when(start_assessment(), OPEN_CASE) == [
        AssessmentStarted(assessment_id="assessment-1", case_id="case-1", kind=AssessmentKind.INITIAL)
    ]


def test_a_reassessment_names_the_significant_event_behind_it():
    command = start_assessment(kind=AssessmentKind.REASSESSMENT, trigger="  Incident disciplinaire grave ")
    assert given(assessment).when(command, AFTER_ONE_VALIDATED) == [
        an_assessment_started(kind=AssessmentKind.REASSESSMENT),
        a_trigger_recorded(trigger="Incident disciplinaire grave"),
    ]


def test_the_trigger_travels_restricted_and_the_start_shareable():
    """Other services learn that a re-assessment started, not what happened (ADR 25)."""
    command = start_assessment(kind=AssessmentKind.REASSESSMENT, trigger="Incident disciplinaire grave")
    started, trigger = given(assessment).when(command, AFTER_ONE_VALIDATED)
    assert (started.restricted, trigger.restricted) == (False, True)
    assert "Incident" not in started.model_dump_json()


def test_the_annual_assessment_follows_a_validated_assessment_without_a_trigger():
    command = start_assessment(kind=AssessmentKind.ANNUAL)
    assert given(assessment).when(command, case_facts(validated_assessments=2)) == [
        an_assessment_started(kind=AssessmentKind.ANNUAL)
    ]


@pytest.mark.parametrize("validated", [1, 3])
def test_the_initial_assessment_is_not_started_once_one_was_validated(validated):
    with pytest.raises(InitialAssessmentAlreadyValidated) as refused:
        given(assessment).when(start_assessment(), case_facts(validated_assessments=validated))
    assert refused.value.code == "initial-assessment-already-validated"


@pytest.mark.parametrize("kind", [AssessmentKind.REASSESSMENT, AssessmentKind.ANNUAL])
def test_a_reassessment_or_annual_assessment_follows_a_validated_assessment(kind):
    with pytest.raises(NoValidatedAssessment) as refused:
        given(assessment).when(start_assessment(kind=kind, trigger="Incident"), OPEN_CASE)
    assert refused.value.code == "no-validated-assessment"


@pytest.mark.parametrize("trigger", ["", "   "], ids=["empty", "blank"])
def test_a_reassessment_without_a_trigger_is_refused(trigger):
    command = start_assessment(kind=AssessmentKind.REASSESSMENT, trigger=trigger)
    with pytest.raises(ReassessmentTriggerMissing) as refused:
        given(assessment).when(command, AFTER_ONE_VALIDATED)
    assert refused.value.code == "reassessment-trigger-missing"


@pytest.mark.parametrize("history", histories(*HISTORIES))
def test_an_assessment_is_not_started_twice(history):
    with pytest.raises(AssessmentAlreadyStarted) as refused:
        given(assessment, *history).when(start_assessment(), OPEN_CASE)
    assert refused.value.code == "assessment-already-started"
    assert refused.value.members == {  # issue 13 #14
        "existing": "/assessments/assessment-1",
        "assessment_id": "assessment-1",
    }


def test_no_assessment_is_started_on_a_closed_case():
    with pytest.raises(errors.CaseClosed) as refused:
        given(assessment).when(start_assessment(), CLOSED_CASE)
    assert refused.value.code == "case-closed"


# --- domains ---


@pytest.mark.parametrize("history", histories("draft", "concluded draft", "returned"))
def test_a_domain_is_rated_as_a_risk_factor_with_its_nature_level_and_evidence(history):
    assert given(assessment, *history).when(assess_domain(), OPEN_CASE) == [
        DomainAssessed(assessment_id="assessment-1", rating=a_rating(), evidence=EVIDENCE)
    ]


def test_a_domain_that_is_not_a_risk_factor_has_no_nature_and_level_none():
    command = assess_domain(rating=no_risk_rating(), evidence="")
    assert given(assessment, *DRAFT).when(command, OPEN_CASE) == [
        a_domain_assessed(rating=no_risk_rating(), evidence="")
    ]


@pytest.mark.parametrize(
    "rating",
    [
        pytest.param(a_rating(nature=None), id="a risk factor without a nature"),
        pytest.param(a_rating(level=FactorLevel.NONE), id="a risk factor of level none"),
        pytest.param(no_risk_rating(nature=FactorNature.STATIC), id="no risk factor but a nature"),
        pytest.param(no_risk_rating(level=FactorLevel.LOW), id="no risk factor but a level"),
    ],
)
def test_an_inconsistent_rating_is_refused(rating):
    with pytest.raises(RatingInconsistent) as refused:
        given(assessment, *DRAFT).when(assess_domain(rating=rating), OPEN_CASE)
    assert refused.value.code == "rating-inconsistent"


def test_a_new_rating_of_a_domain_replaces_the_earlier_one_and_keeps_the_others():
    housing = a_domain_assessed(rating=no_risk_rating(), evidence="Hébergé chez sa sœur")
    again = a_domain_assessed(rating=a_rating(level=FactorLevel.HIGH), evidence="Aucune expérience")
    state = assessment.fold([*DRAFT, a_domain_assessed(), housing, again])
    assert state.ratings == {
        NeedDomain.EDUCATION_EMPLOYMENT: a_rating(level=FactorLevel.HIGH),
        NeedDomain.HOUSING: no_risk_rating(),
    }
    assert state.evidence == {
        NeedDomain.EDUCATION_EMPLOYMENT: "Aucune expérience",
        NeedDomain.HOUSING: "Hébergé chez sa sœur",
    }


# --- protective factors and receptivity ---


@pytest.mark.parametrize("history", histories("draft", "returned"))
def test_protective_factors_are_recorded(history):
    command = record_protective_factors(factors=["Soutien familial"])
    assert given(assessment, *history).when(command, OPEN_CASE) == [
        ProtectiveFactorsRecorded(assessment_id="assessment-1", factors=["Soutien familial"])
    ]


def test_recorded_protective_factors_replace_the_earlier_list():
    later = protective_factors_recorded(factors=["Sport"])
    state = assessment.fold([*DRAFT, protective_factors_recorded(), later])
    assert state.protective_factors == ("Sport",)


@pytest.mark.parametrize("history", histories("draft", "returned"))
def test_the_persons_receptivity_is_recorded(history):
    command = record_receptivity(
        motivation_stage=MotivationStage.PREPARATION,
        cognitive_needs="Attention",
        language_needs="Traduction",
        practical_obstacles="Pas de transport",
    )
    assert given(assessment, *history).when(command, OPEN_CASE) == [
        ReceptivityRecorded(
            assessment_id="assessment-1",
            motivation_stage=MotivationStage.PREPARATION,
            cognitive_needs="Attention",
            literacy_needs="Lecture difficile",
            language_needs="Traduction",
            practical_obstacles="Pas de transport",
        )
    ]


def test_the_last_receptivity_recorded_is_kept():
    later = a_receptivity_recorded(motivation_stage=MotivationStage.ACTION)
    assert assessment.fold([*DRAFT, a_receptivity_recorded(), later]).receptivity == later


# --- conclusion ---


@pytest.mark.parametrize("history", histories("draft", "concluded draft", "returned"))
def test_the_conclusion_gives_the_overall_risk_and_the_ordered_priority_axes(history):
    command = record_conclusion(
        overall_risk_level=RiskLevel.HIGH, priority_axes=[NeedDomain.ALCOHOL_DRUGS, NeedDomain.PEERS]
    )
    assert given(assessment, *history).when(command, OPEN_CASE) == [
        ConclusionRecorded(
            assessment_id="assessment-1",
            overall_risk_level=RiskLevel.HIGH,
            priority_axes=[NeedDomain.ALCOHOL_DRUGS, NeedDomain.PEERS],
        )
    ]


def test_a_priority_axis_appears_once():
    axes = [NeedDomain.EDUCATION_EMPLOYMENT, NeedDomain.ALCOHOL_DRUGS, NeedDomain.EDUCATION_EMPLOYMENT]
    with pytest.raises(PriorityAxesRepeated) as refused:
        given(assessment, *DRAFT).when(record_conclusion(priority_axes=axes), OPEN_CASE)
    assert refused.value.code == "priority-axes-repeated"


def test_a_new_conclusion_replaces_the_earlier_one():
    later = a_conclusion_recorded(overall_risk_level=RiskLevel.LOW, priority_axes=[NeedDomain.HOUSING])
    state = assessment.fold([*CONCLUDED, later])
    assert (state.overall_risk_level, state.priority_axes) == (RiskLevel.LOW, (NeedDomain.HOUSING,))


def test_a_conclusion_without_any_priority_axis_is_refused_as_a_broken_rule():
    with pytest.raises(DomainError):
        given(assessment, *DRAFT).when(record_conclusion(priority_axes=[]), OPEN_CASE)


# --- what is edited when ---


@pytest.mark.parametrize("command", editing_commands())
@pytest.mark.parametrize("history", histories("submitted", "resubmitted"))
def test_a_submitted_assessment_is_not_edited_until_it_is_returned(history, command):
    with pytest.raises(AssessmentNotEditable) as refused:
        given(assessment, *history).when(command, OPEN_CASE)
    assert refused.value.code == "assessment-not-editable"


# --- contributions ---


@pytest.mark.parametrize("history", histories(*NOT_VALIDATED))
def test_a_psychologist_or_social_worker_contributes_until_the_assessment_is_validated(history):
    assert given(assessment, *history).when(add_contribution(), OPEN_CASE) == [
        ContributionAdded(
            assessment_id="assessment-1",
            contribution_id="contribution-1",
            domain=NeedDomain.ALCOHOL_DRUGS,
            text="Consommation d'alcool quotidienne avant l'incarcération",
        )
    ]


def test_the_referent_asks_a_psychologist_or_social_worker_to_contribute():
    assert given(assessment, an_assessment_started()).when(
        request_contribution(contributor="assistant_social-1"), OPEN_CASE
    ) == [a_contribution_requested(contributor="assistant_social-1")]
    assert assessment.fold(
        [*DRAFT, a_contribution_requested(contributor="assistant_social-1")]
    ).contributors == ("psychologue-1", "assistant_social-1")


def test_someone_already_asked_is_not_asked_twice():
    with pytest.raises(errors.ContributionAlreadyRequested) as refused:
        given(assessment, *DRAFT).when(request_contribution(), OPEN_CASE)
    assert refused.value.code == "contribution-already-requested"


def test_a_contribution_may_concern_no_domain_in_particular():
    command = add_contribution(domain=None, text="Situation familiale complexe")
    assert given(assessment, *DRAFT).when(command, OPEN_CASE) == [
        a_contribution_added(domain=None, text="Situation familiale complexe")
    ]


def test_a_contribution_kept_from_the_team_says_so_and_the_state_remembers_it():
    """Medical confidentiality (security review M1): who reads it is `assessment.access`'s to say."""
    command = add_contribution(text="Bilan psychologique", shared=False)
    decided = given(assessment, *DRAFT).when(command, OPEN_CASE)
    assert decided == [a_contribution_added(text="Bilan psychologique", shared=False)]
    assert [c.shared for c in assessment.fold([*DRAFT, *decided]).contributions] == [False]


def test_contributions_add_up():
    second = a_contribution_added(contribution_id="contribution-2", domain=None, text="Bilan social")
    assert assessment.fold([*DRAFT, a_contribution_added(), second]).contributions == (
        Contribution(
            contribution_id="contribution-1",
            domain=NeedDomain.ALCOHOL_DRUGS,
            text="Consommation d'alcool quotidienne avant l'incarcération",
        ),
        Contribution(contribution_id="contribution-2", domain=None, text="Bilan social"),
    )


# --- submitting ---


def test_a_concluded_draft_is_submitted_by_its_referent():
    assert given(assessment, *CONCLUDED).when(submit_assessment(), OPEN_CASE) == [
        AssessmentSubmitted(assessment_id="assessment-1", case_id="case-1", submitted_by="cpip-1")
    ]


@pytest.mark.parametrize(
    "history", [pytest.param(DRAFT, id="nothing recorded"), pytest.param(RATED, id="domains rated only")]
)
def test_a_draft_without_a_conclusion_is_not_submitted(history):
    with pytest.raises(AssessmentIncomplete) as refused:
        given(assessment, *history).when(submit_assessment(), OPEN_CASE)
    assert refused.value.code == "assessment-incomplete"


CONCLUSION_ONLY = (an_assessment_started(), a_conclusion_recorded())


@pytest.mark.parametrize(
    ("history", "command"),
    [
        pytest.param(CONCLUSION_ONLY, submit_assessment(), id="submitted"),
        pytest.param(
            (*CONCLUSION_ONLY, an_assessment_submitted(), an_assessment_returned()),
            resubmit_assessment(),
            id="resubmitted after a return",
        ),
    ],
)
def test_an_assessment_that_rates_no_domain_is_not_submitted_with_a_conclusion_only(history, command):
    """Issue 13 #10: a global assessment assesses the need domains; a conclusion alone is not one."""
    with pytest.raises(AssessmentIncomplete) as refused:
        given(assessment, *history).when(command, OPEN_CASE)
    assert refused.value.code == "assessment-incomplete"
    assert "rates no need domain" in refused.value.message


def test_an_assessment_whose_priority_axes_were_not_all_rated_is_not_submitted():
    """Issue 13 #10: the priority work axes are drawn from the domains the assessment rated."""
    history = (*DRAFT, a_domain_assessed(), a_conclusion_recorded())  # alcohol and drugs not rated
    with pytest.raises(AssessmentIncomplete) as refused:
        given(assessment, *history).when(submit_assessment(), OPEN_CASE)
    assert "not rated: alcohol_drugs" in refused.value.message


def test_an_assessment_submitted_without_any_rated_domain_is_not_validated():
    """Issue 13 #10: one submitted before the rule held goes back to its CPIP instead of being validated."""
    history = (*CONCLUSION_ONLY, an_assessment_submitted())
    with pytest.raises(AssessmentIncomplete) as refused:
        given(assessment, *history).when(validate_assessment(), OPEN_CASE)
    assert refused.value.code == "assessment-incomplete"
    assert "return it to its CPIP" in refused.value.message
    assert given(assessment, *history).when(return_assessment(), OPEN_CASE)  # which it may be


@pytest.mark.parametrize("history", histories("submitted", "returned", "resubmitted"))
def test_only_a_draft_is_submitted(history):
    with pytest.raises(AssessmentNotEditable) as refused:
        given(assessment, *history).when(submit_assessment(), OPEN_CASE)
    assert refused.value.code == "assessment-not-editable"


def test_the_state_records_who_submitted_the_assessment():
    state = assessment.fold([*CONCLUDED, an_assessment_submitted(submitted_by="cpip-7")])
    assert (state.status, state.submitted_by) == (AssessmentStatus.SUBMITTED, "cpip-7")


# --- returning and resubmitting ---


@pytest.mark.parametrize("history", histories("submitted", "resubmitted"))
def test_a_dpip_returns_a_submitted_assessment_with_comments(history):
    command = return_assessment(comments="Étayer le domaine addictions")
    assert given(assessment, *history).when(command, OPEN_CASE) == [
        AssessmentReturned(assessment_id="assessment-1", comments="Étayer le domaine addictions")
    ]


@pytest.mark.parametrize("history", histories_but("submitted", "resubmitted"))
def test_only_a_submitted_assessment_is_returned(history):
    with pytest.raises(AssessmentNotSubmitted) as refused:
        given(assessment, *history).when(return_assessment(), OPEN_CASE)
    assert refused.value.code == "assessment-not-submitted"


def test_the_comments_of_every_return_are_kept():
    second = an_assessment_returned(comments="Encore un effort")
    state = assessment.fold([*RESUBMITTED, second])
    assert (state.status, state.return_comments) == (
        AssessmentStatus.RETURNED,
        ("Préciser les facteurs de protection", "Encore un effort"),
    )


def test_a_returned_assessment_is_corrected_and_resubmitted():
    corrected = (*RETURNED, protective_factors_recorded(factors=["Soutien familial", "Emploi promis"]))
    assert given(assessment, *corrected).when(resubmit_assessment(submitter="cpip-2"), OPEN_CASE) == [
        AssessmentSubmitted(assessment_id="assessment-1", case_id="case-1", submitted_by="cpip-2")
    ]


@pytest.mark.parametrize("history", histories_but("returned"))
def test_only_a_returned_assessment_is_resubmitted(history):
    with pytest.raises(AssessmentNotReturned) as refused:
        given(assessment, *history).when(resubmit_assessment(), OPEN_CASE)
    assert refused.value.code == "assessment-not-returned"


def test_an_assessment_is_not_returned_without_comments():
    with pytest.raises(DomainError):
        given(assessment, *SUBMITTED).when(return_assessment(comments=""), OPEN_CASE)


def test_an_assessment_is_not_returned_with_blank_comments():
    with pytest.raises(DomainError):
        given(assessment, *SUBMITTED).when(return_assessment(comments="   "), OPEN_CASE)


# --- validating ---


@pytest.mark.parametrize("history", histories("submitted", "resubmitted"))
def test_a_dpip_validates_a_submitted_assessment_and_shares_what_others_may_know(history):
    assert given(assessment, *history).when(validate_assessment(validator="dpip-1"), OPEN_CASE) == [
        AssessmentValidated(
            assessment_id="assessment-1",
            case_id="case-1",
            kind=AssessmentKind.INITIAL,
            validated_on=TODAY,
            overall_risk_level=RiskLevel.MODERATE,
            priority_axes=list(PRIORITY_AXES),
            education_employment=a_rating(),
        )
    ]


def test_the_validated_event_carries_the_last_rating_of_education_and_employment_for_the_pole_ipro():
    rerated = a_domain_assessed(rating=a_rating(level=FactorLevel.HIGH, nature=FactorNature.STATIC))
    history = (*RETURNED, rerated, an_assessment_submitted())
    [validated] = given(assessment, *history).when(validate_assessment(), OPEN_CASE)
    assert validated.education_employment == a_rating(level=FactorLevel.HIGH, nature=FactorNature.STATIC)


def test_the_validated_event_says_so_when_education_and_employment_was_not_rated():
    rated = a_domain_assessed(rating=no_risk_rating())
    concluded = a_conclusion_recorded(priority_axes=[NeedDomain.HOUSING])
    history = (*DRAFT, rated, concluded, an_assessment_submitted())
    [validated] = given(assessment, *history).when(validate_assessment(), OPEN_CASE)
    assert validated.education_employment is None


def test_the_validated_event_carries_the_kind_and_the_day_of_the_validation():
    history = (an_assessment_started(kind=AssessmentKind.ANNUAL), *SUBMITTED[1:])
    [validated] = given(assessment, *history).when(validate_assessment(today=days_from_today(3)), OPEN_CASE)
    assert (validated.kind, validated.validated_on) == (AssessmentKind.ANNUAL, days_from_today(3))


def test_the_state_remembers_the_day_of_the_validation():
    state = assessment.fold([*SUBMITTED, an_assessment_validated(validated_on=days_from_today(2))])
    assert state.validated_on == days_from_today(2)
    assert assessment.fold(SUBMITTED).validated_on is None


def test_the_validated_event_is_shareable_while_the_content_is_restricted():
    assert not an_assessment_validated().restricted
    assert all(
        event.restricted
        for event in (
            a_domain_assessed(),
            protective_factors_recorded(),
            a_receptivity_recorded(),
            a_conclusion_recorded(),
            a_contribution_added(),
            an_assessment_returned(),
        )
    )


@pytest.mark.parametrize("history", histories_but("submitted", "resubmitted"))
def test_only_a_submitted_assessment_is_validated(history):
    with pytest.raises(AssessmentNotSubmitted) as refused:
        given(assessment, *history).when(validate_assessment(), OPEN_CASE)
    assert refused.value.code == "assessment-not-submitted"


def test_who_submitted_an_assessment_does_not_validate_it():
    with pytest.raises(AssessmentSelfValidation) as refused:
        given(assessment, *SUBMITTED).when(validate_assessment(validator="cpip-1"), OPEN_CASE)
    assert refused.value.code == "assessment-self-validation"


def test_who_submitted_it_before_a_return_does_not_validate_it_either():
    history = (*RETURNED, an_assessment_submitted(submitted_by="cpip-2"))
    with pytest.raises(AssessmentSelfValidation) as refused:
        given(assessment, *history).when(validate_assessment(validator="cpip-1"), OPEN_CASE)
    assert refused.value.code == "assessment-self-validation"


def test_who_resubmitted_an_assessment_does_not_validate_it():
    history = (*RETURNED, an_assessment_submitted(submitted_by="dpip-2"))
    with pytest.raises(AssessmentSelfValidation) as refused:
        given(assessment, *history).when(validate_assessment(validator="dpip-2"), OPEN_CASE)
    assert refused.value.code == "assessment-self-validation"


@pytest.mark.parametrize("command", commands_after_starting())
@pytest.mark.parametrize("history", histories("validated", "validated after a return"))
def test_a_validated_assessment_is_final(history, command):
    with pytest.raises(errors.AssessmentValidated) as refused:
        given(assessment, *history).when(command, AFTER_ONE_VALIDATED)
    assert refused.value.code == "assessment-validated"


# --- closed case, unknown assessment, unknown command ---


@pytest.mark.parametrize("command", commands_after_starting())
@pytest.mark.parametrize("history", histories("concluded draft", "submitted", "returned", "validated"))
def test_nothing_is_recorded_on_the_assessment_of_a_closed_case(history, command):
    with pytest.raises(errors.CaseClosed) as refused:
        given(assessment, *history).when(command, CLOSED_CASE)
    assert refused.value.code == "case-closed"


@pytest.mark.parametrize("command", commands_after_starting())
def test_an_assessment_that_was_never_started_is_not_found(command):
    with pytest.raises(AssessmentNotFound) as refused:
        given(assessment).when(command, OPEN_CASE)
    assert refused.value.code == "assessment-not-found"


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(assessment, *DRAFT).when(record_interview(), OPEN_CASE)


# --- state and facts ---


@pytest.mark.parametrize(
    "history, status",
    [
        (DRAFT, AssessmentStatus.DRAFT),
        (CONCLUDED, AssessmentStatus.DRAFT),
        (SUBMITTED, AssessmentStatus.SUBMITTED),
        (RETURNED, AssessmentStatus.RETURNED),
        (RESUBMITTED, AssessmentStatus.SUBMITTED),
        (VALIDATED, AssessmentStatus.VALIDATED),
        (VALIDATED_AFTER_A_RETURN, AssessmentStatus.VALIDATED),
    ],
    ids=list(HISTORIES),
)
def test_the_state_follows_the_review(history, status):
    assert assessment.fold(history).status == status


def test_the_state_knows_what_was_started():
    started = an_assessment_started(kind=AssessmentKind.REASSESSMENT)
    state = assessment.fold([started, a_trigger_recorded(trigger="Nouvelle condamnation")])
    assert (state.assessment_id, state.case_id, state.kind, state.trigger) == (
        "assessment-1",
        "case-1",
        AssessmentKind.REASSESSMENT,
        "Nouvelle condamnation",
    )


@pytest.mark.parametrize("history", histories(*NOT_VALIDATED))
def test_an_assessment_not_yet_validated_tells_a_plan_so(history):
    facts = assessment_module.facts(assessment.fold(history))
    assert not facts.validated
    assert facts.case_id == "case-1"


@pytest.mark.parametrize("history", histories("validated", "validated after a return"))
def test_a_validated_assessment_tells_a_plan_its_priority_axes(history):
    assert assessment_module.facts(assessment.fold(history)) == AssessmentFacts(
        assessment_id="assessment-1",
        case_id="case-1",
        validated=True,
        priority_axes=list(PRIORITY_AXES),
        kind=AssessmentKind.INITIAL,
    )


# --- values the events refuse (blank, oversized) are broken rules, not crashes ---


@pytest.mark.parametrize(
    "history, command",
    [
        pytest.param(
            (),
            start_assessment(kind=AssessmentKind.REASSESSMENT, trigger="x" * 1001),
            id="a trigger of 1001 characters",
        ),
        pytest.param(DRAFT, assess_domain(evidence="x" * 8001), id="evidence of 8001 characters"),
        pytest.param(DRAFT, record_protective_factors(factors=["Sport"] * 51), id="51 protective factors"),
        pytest.param(
            DRAFT, record_receptivity(cognitive_needs="x" * 8001), id="receptivity of 8001 characters"
        ),
        pytest.param(DRAFT, add_contribution(text=""), id="an empty contribution"),
        pytest.param(DRAFT, add_contribution(text="x" * 8001), id="a contribution of 8001 characters"),
        pytest.param(SUBMITTED, return_assessment(comments="x" * 8001), id="comments of 8001 characters"),
    ],
)
def test_a_blank_or_oversized_value_is_refused_as_a_broken_rule(history, command):
    with pytest.raises(DomainError):
        given(assessment, *history).when(command, AFTER_ONE_VALIDATED)


# --- what refusals say (issue 13 #18) ---


@pytest.mark.parametrize(
    ("history", "command", "facts", "error", "message"),
    [
        pytest.param(
            SUBMITTED,
            assess_domain(),
            OPEN_CASE,
            AssessmentNotEditable,
            "the initial assessment of Jean Pierre Durand (écrou 62041A) is submitted: it is changed as a "
            "draft, or once a DPIP returns it",
            id="not editable",
        ),
        pytest.param(
            DRAFT,
            return_assessment(),
            OPEN_CASE,
            AssessmentNotSubmitted,
            "the initial assessment of Jean Pierre Durand (écrou 62041A) is a draft: it must be submitted first",
            id="not submitted",
        ),
        pytest.param(
            (),
            start_assessment(kind=AssessmentKind.REASSESSMENT, trigger="Nouvelle condamnation"),
            OPEN_CASE,
            NoValidatedAssessment,
            "Jean Pierre Durand (écrou 62041A) has no validated assessment yet: start the initial assessment "
            "(a re-assessment or an annual assessment follows a validated one)",
            id="no validated assessment",
        ),
        pytest.param(
            DRAFT,
            assess_domain(),
            CLOSED_CASE,
            errors.CaseClosed,
            "the case of Jean Pierre Durand (écrou 62041A) is closed: nothing more can be recorded on it",
            id="closed case",
        ),
    ],
)
def test_a_refusal_names_the_assessment_by_its_kind_and_the_person_by_name_and_ecrou_number(
    history, command, facts, error, message
):
    """Issue 13 #18: users know an assessment as someone's initial assessment, not by its id."""
    with pytest.raises(error) as refused:
        given(assessment, *history).when(command, facts)
    assert refused.value.message == message


def test_an_assessment_started_twice_is_named_and_its_id_stays_in_the_problem():
    """Issue 13 #18: the id moves to the problem's members, where clients read it."""
    with pytest.raises(AssessmentAlreadyStarted) as refused:
        given(assessment, *DRAFT).when(start_assessment(), OPEN_CASE)
    assert (
        refused.value.message == "the initial assessment of Jean Pierre Durand (écrou 62041A) already exists"
    )
    assert refused.value.members["assessment_id"] == "assessment-1"
