import pytest

from assessment.domain import errors
from assessment.domain.errors import (
    AssessmentNotValidated,
    AssessmentOfAnotherCase,
    DatesOutOfOrder,
    ObjectiveAxisNotAPriority,
    ObjectiveNotActive,
    ObjectiveNotFound,
    ObjectivesInvalid,
    PlanAgreementMissing,
    PlanAlreadyAdopted,
    PlanNotFound,
    PlanNotValidated,
    PlanVersionValidated,
    ReasonMissing,
)
from assessment.domain.plan import plan
from contracts.assessment import (
    Agreement,
    NeedDomain,
    ObjectiveStatus,
    ObjectiveStatusChanged,
    PlanAdopted,
    PlanAgreementRecorded,
    PlanValidated,
)
from kernel.errors import DomainError
from kernel.testing import given

from ..builders import (
    TODAY,
    a_plan_adopted,
    a_plan_revised,
    a_plan_validated,
    adopt_plan,
    an_agreement_recorded,
    an_intervention,
    an_objective,
    an_objective_status_changed,
    another_objective,
    assessment_facts,
    case_facts,
    change_objective_status,
    days_from_today,
    objectives,
    plan_facts,
    record_agreement,
    record_interview,
    revise_plan,
    validate_plan,
)

ADOPTED = (a_plan_adopted(),)
AGREED = (*ADOPTED, an_agreement_recorded())
VALIDATED = (*AGREED, a_plan_validated())
FOLLOWED = (*VALIDATED, an_objective_status_changed())
REVISED = (*VALIDATED, a_plan_revised())
REVISED_AND_AGREED = (*REVISED, an_agreement_recorded(agreement=Agreement.DISAGREED))
REVISED_AND_VALIDATED = (*REVISED_AND_AGREED, a_plan_validated(plan_version=2))

HISTORIES = {
    "adopted": ADOPTED,
    "agreed": AGREED,
    "validated": VALIDATED,
    "followed": FOLLOWED,
    "revised": REVISED,
    "revised and agreed": REVISED_AND_AGREED,
    "revised and validated": REVISED_AND_VALIDATED,
}
NOT_VALIDATED = ("adopted", "agreed", "revised", "revised and agreed")
VALIDATED_VERSIONS = ("validated", "followed", "revised and validated")


def histories(*names: str) -> list:
    return [pytest.param(HISTORIES[name], id=name) for name in names]


def commands_after_adoption() -> list:
    return [
        pytest.param(revise_plan(), id="revise"),
        pytest.param(record_agreement(), id="record the agreement"),
        pytest.param(validate_plan(), id="validate"),
        pytest.param(change_objective_status(), id="change an objective's status"),
    ]


FACTS = plan_facts()
OFF_AXIS = an_objective(objective_id="objective-3", priority=3, work_axis=NeedDomain.HOUSING)
YESTERDAY = days_from_today(-1)
CLOSED_CASE = plan_facts(case=case_facts(closed=True, validated_assessments=1))

# (overrides of the command, facts, the rule, its code)
BROKEN_VERSIONS = [
    pytest.param(
        {},
        plan_facts(assessment=assessment_facts(case_id="case-2")),
        AssessmentOfAnotherCase,
        "assessment-of-another-case",
        id="assessment of another case",
    ),
    pytest.param(
        {},
        plan_facts(assessment=assessment_facts(validated=False)),
        AssessmentNotValidated,
        "assessment-not-validated",
        id="assessment not validated",
    ),
    pytest.param(dict(review_date=TODAY), FACTS, DatesOutOfOrder, "dates-out-of-order", id="review today"),
    pytest.param(
        dict(review_date=YESTERDAY), FACTS, DatesOutOfOrder, "dates-out-of-order", id="review in the past"
    ),
    pytest.param(dict(objectives=[]), FACTS, ObjectivesInvalid, "objectives-invalid", id="no objective"),
    pytest.param(
        dict(objectives=[an_objective(), another_objective(objective_id="objective-1")]),
        FACTS,
        ObjectivesInvalid,
        "objectives-invalid",
        id="two objectives with the same id",
    ),
    pytest.param(
        dict(objectives=[an_objective(), another_objective(priority=1)]),
        FACTS,
        ObjectivesInvalid,
        "objectives-invalid",
        id="two objectives with the same priority",
    ),
    pytest.param(
        dict(objectives=[an_objective(), OFF_AXIS]),
        FACTS,
        ObjectiveAxisNotAPriority,
        "objective-axis-not-a-priority",
        id="objective off the priority axes",
    ),
    pytest.param(
        dict(objectives=[an_objective(interventions=[an_intervention(target_date=YESTERDAY)])]),
        FACTS,
        DatesOutOfOrder,
        "dates-out-of-order",
        id="intervention due in the past",
    ),
]


# --- adoption ---


def test_a_plan_is_adopted_from_the_validated_assessment_of_the_case():
    assert given(plan).when(adopt_plan(), FACTS) == [
        PlanAdopted(
            plan_id="plan-1",
            case_id="case-1",
            assessment_id="assessment-1",
            plan_version=1,
            objectives=[an_objective(), another_objective()],
            review_date=days_from_today(180),
        )
    ]


def test_a_plan_is_reviewed_as_soon_as_tomorrow():
    assert given(plan).when(adopt_plan(review_date=days_from_today(1)), FACTS) == [
        a_plan_adopted(review_date=days_from_today(1))
    ]


def test_interventions_are_due_from_today_or_have_no_target_date():
    planned = [
        an_objective(interventions=[an_intervention(target_date=TODAY), an_intervention(target_date=None)]),
        another_objective(interventions=[]),
    ]
    assert given(plan).when(adopt_plan(objectives=planned), FACTS) == [a_plan_adopted(objectives=planned)]


def test_not_every_priority_axis_needs_an_objective():
    assert given(plan).when(adopt_plan(objectives=[another_objective(priority=1)]), FACTS) == [
        a_plan_adopted(objectives=[another_objective(priority=1)])
    ]


@pytest.mark.parametrize("history", histories(*HISTORIES))
def test_a_case_has_one_plan_which_is_revised_not_adopted_again(history):
    with pytest.raises(PlanAlreadyAdopted) as refused:
        given(plan, *history).when(adopt_plan(), FACTS)
    assert refused.value.code == "plan-already-adopted"
    assert refused.value.members == {"existing": "/plans/plan-1", "plan_id": "plan-1"}  # issue 13 #14


@pytest.mark.parametrize("overrides, facts, error, code", BROKEN_VERSIONS)
def test_a_plan_that_breaks_a_rule_is_not_adopted(overrides, facts, error, code):
    with pytest.raises(error) as refused:
        given(plan).when(adopt_plan(**overrides), facts)
    assert refused.value.code == code


def test_no_plan_is_adopted_on_a_closed_case():
    with pytest.raises(errors.CaseClosed) as refused:
        given(plan).when(adopt_plan(), CLOSED_CASE)
    assert refused.value.code == "case-closed"


def test_a_plan_of_more_than_thirty_objectives_is_refused_as_a_broken_rule():
    many = [an_objective(objective_id=f"objective-{rank}", priority=rank) for rank in range(1, 32)]
    with pytest.raises(ObjectivesInvalid):
        given(plan).when(adopt_plan(objectives=many), FACTS)


# --- revision ---


@pytest.mark.parametrize(
    "history, version",
    [
        pytest.param(ADOPTED, 2, id="before its validation"),
        pytest.param(VALIDATED, 2, id="once validated"),
        pytest.param(FOLLOWED, 2, id="while its objectives are followed"),
        pytest.param(REVISED_AND_VALIDATED, 3, id="after a first revision"),
    ],
)
def test_a_revision_is_a_new_version_of_the_plan(history, version):
    assert given(plan, *history).when(revise_plan(), FACTS) == [
        PlanAdopted(
            plan_id="plan-1",
            case_id="case-1",
            assessment_id="assessment-1",
            plan_version=version,
            objectives=objectives(),
            review_date=days_from_today(90),
        )
    ]


def test_a_revision_builds_on_a_reassessment_and_its_new_priority_axes():
    reassessment = assessment_facts(assessment_id="assessment-2", priority_axes=[NeedDomain.HOUSING])
    housing = an_objective(work_axis=NeedDomain.HOUSING, description="Trouver un hébergement à la sortie")
    command = revise_plan(assessment_id="assessment-2", objectives=[housing])
    assert given(plan, *VALIDATED).when(command, plan_facts(assessment=reassessment)) == [
        a_plan_revised(assessment_id="assessment-2", objectives=[housing])
    ]


@pytest.mark.parametrize("overrides, facts, error, code", BROKEN_VERSIONS)
@pytest.mark.parametrize("history", histories("adopted", "validated"))
def test_a_revision_follows_the_same_rules_as_the_adoption(history, overrides, facts, error, code):
    with pytest.raises(error) as refused:
        given(plan, *history).when(revise_plan(**overrides), facts)
    assert refused.value.code == code


def test_a_revision_keeps_the_earlier_versions_readable():
    state = plan.fold(REVISED)
    assert [v.plan_version for v in state.versions] == [1, 2]
    first = state.versions[0]
    assert (first.validated, first.agreement, first.review_date) == (
        True,
        Agreement.AGREED,
        days_from_today(180),
    )


def test_a_revision_needs_a_new_agreement_and_a_new_validation():
    current = plan.fold([*FOLLOWED, a_plan_revised()]).current
    assert (current.plan_version, current.validated, current.agreement) == (2, False, None)
    assert (current.statuses, current.abandon_reasons) == ({}, {})
    assert current.review_date == days_from_today(90)


def test_the_objectives_of_a_version_are_kept_in_order_of_priority():
    adopted = a_plan_adopted(objectives=[another_objective(priority=1), an_objective(priority=2)])
    assert [o.objective_id for o in plan.fold([adopted]).current.objectives] == ["objective-2", "objective-1"]


# --- agreement ---


@pytest.mark.parametrize("agreement", list(Agreement))
@pytest.mark.parametrize("history", histories(*NOT_VALIDATED))
def test_the_persons_answer_to_a_version_is_recorded_until_it_is_validated(history, agreement):
    assert given(plan, *history).when(record_agreement(agreement=agreement), FACTS) == [
        PlanAgreementRecorded(plan_id="plan-1", agreement=agreement)
    ]


@pytest.mark.parametrize("history", histories(*VALIDATED_VERSIONS))
def test_the_answer_to_a_validated_version_is_not_changed(history):
    with pytest.raises(PlanVersionValidated) as refused:
        given(plan, *history).when(record_agreement(agreement=Agreement.DISAGREED), FACTS)
    assert refused.value.code == "plan-version-validated"


def test_the_last_answer_recorded_is_the_current_versions():
    state = plan.fold([*AGREED, an_agreement_recorded(agreement=Agreement.COULD_NOT_ANSWER)])
    assert state.current.agreement == Agreement.COULD_NOT_ANSWER


# --- validation ---


@pytest.mark.parametrize("agreement", list(Agreement))
def test_a_dpip_validates_a_version_once_the_persons_answer_is_recorded(agreement):
    assert given(plan, *ADOPTED, an_agreement_recorded(agreement=agreement)).when(validate_plan(), FACTS) == [
        PlanValidated(plan_id="plan-1", plan_version=1)
    ]


def test_the_validation_is_of_the_current_version():
    assert given(plan, *REVISED_AND_AGREED).when(validate_plan(), FACTS) == [a_plan_validated(plan_version=2)]


@pytest.mark.parametrize("history", histories("adopted", "revised"))
def test_a_version_without_the_persons_answer_is_not_validated(history):
    with pytest.raises(PlanAgreementMissing) as refused:
        given(plan, *history).when(validate_plan(), FACTS)
    assert refused.value.code == "plan-agreement-missing"


@pytest.mark.parametrize("history", histories(*VALIDATED_VERSIONS))
def test_a_version_is_validated_once(history):
    with pytest.raises(PlanVersionValidated) as refused:
        given(plan, *history).when(validate_plan(), FACTS)
    assert refused.value.code == "plan-version-validated"


def test_only_the_current_version_is_marked_validated():
    state = plan.fold(REVISED_AND_VALIDATED)
    assert [(v.validated, v.agreement) for v in state.versions] == [
        (True, Agreement.AGREED),
        (True, Agreement.DISAGREED),
    ]
    assert not plan.fold(REVISED).current.validated


# --- objectives ---


@pytest.mark.parametrize("history", histories("validated", "revised and validated"))
def test_an_objective_of_a_validated_plan_is_achieved(history):
    assert given(plan, *history).when(change_objective_status(), FACTS) == [
        ObjectiveStatusChanged(
            plan_id="plan-1", objective_id="objective-1", status=ObjectiveStatus.ACHIEVED, reason=""
        )
    ]


def test_an_achieved_objective_may_say_how():
    command = change_objective_status(reason="  Formation obtenue ")
    assert given(plan, *VALIDATED).when(command, FACTS) == [
        an_objective_status_changed(reason="Formation obtenue")
    ]


def test_an_objective_is_abandoned_with_a_reason():
    command = change_objective_status(
        objective_id="objective-2", status=ObjectiveStatus.ABANDONED, reason=" Refus de la personne  "
    )
    assert given(plan, *FOLLOWED).when(command, FACTS) == [
        an_objective_status_changed(
            objective_id="objective-2", status=ObjectiveStatus.ABANDONED, reason="Refus de la personne"
        )
    ]


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_an_objective_is_not_abandoned_without_saying_why(reason):
    with pytest.raises(ReasonMissing) as refused:
        given(plan, *VALIDATED).when(
            change_objective_status(status=ObjectiveStatus.ABANDONED, reason=reason), FACTS
        )
    assert refused.value.code == "reason-missing"


@pytest.mark.parametrize("status", [ObjectiveStatus.ACHIEVED, ObjectiveStatus.ABANDONED])
@pytest.mark.parametrize("history", histories(*NOT_VALIDATED))
def test_objectives_are_followed_once_the_version_is_validated(history, status):
    with pytest.raises(PlanNotValidated) as refused:
        given(plan, *history).when(change_objective_status(status=status, reason="Raison"), FACTS)
    assert refused.value.code == "plan-not-validated"


@pytest.mark.parametrize(
    "history, objective_id",
    [
        pytest.param(VALIDATED, "objective-9", id="never planned"),
        pytest.param(
            (
                *VALIDATED,
                a_plan_revised(objectives=[another_objective()]),
                an_agreement_recorded(),
                a_plan_validated(plan_version=2),
            ),
            "objective-1",
            id="dropped by a revision",
        ),
    ],
)
def test_an_objective_that_is_not_in_the_current_version_is_not_found(history, objective_id):
    with pytest.raises(ObjectiveNotFound) as refused:
        given(plan, *history).when(change_objective_status(objective_id=objective_id), FACTS)
    assert refused.value.code == "objective-not-found"


@pytest.mark.parametrize("new_status", [ObjectiveStatus.ACHIEVED, ObjectiveStatus.ABANDONED])
@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(an_objective_status_changed(), id="achieved"),
        pytest.param(
            an_objective_status_changed(status=ObjectiveStatus.ABANDONED, reason="Transfert"), id="abandoned"
        ),
    ],
)
def test_only_an_active_objective_changes_status(changed, new_status):
    with pytest.raises(ObjectiveNotActive) as refused:
        given(plan, *VALIDATED, changed).when(
            change_objective_status(status=new_status, reason="Encore"), FACTS
        )
    assert refused.value.code == "objective-not-active"


def test_an_objective_is_not_made_active_again():
    with pytest.raises(ObjectiveNotActive) as refused:
        given(plan, *VALIDATED).when(change_objective_status(status=ObjectiveStatus.ACTIVE), FACTS)
    assert refused.value.code == "objective-not-active"


def test_the_state_follows_each_objective_of_the_current_version():
    abandoned = an_objective_status_changed(
        objective_id="objective-2", status=ObjectiveStatus.ABANDONED, reason="Transfert"
    )
    current = plan.fold([*FOLLOWED, abandoned]).current
    assert current.statuses == {
        "objective-1": ObjectiveStatus.ACHIEVED,
        "objective-2": ObjectiveStatus.ABANDONED,
    }
    assert current.abandon_reasons["objective-2"] == "Transfert"


def test_an_objective_achieved_in_an_earlier_version_is_active_again_in_a_revision():
    history = (*FOLLOWED, a_plan_revised(), an_agreement_recorded(), a_plan_validated(plan_version=2))
    assert given(plan, *history).when(change_objective_status(), FACTS) == [an_objective_status_changed()]
    assert plan.fold(history).versions[0].statuses == {"objective-1": ObjectiveStatus.ACHIEVED}


# --- closed case, unknown plan, unknown command ---


@pytest.mark.parametrize("command", commands_after_adoption())
@pytest.mark.parametrize("history", histories("adopted", "agreed", "validated", "revised"))
def test_nothing_is_recorded_on_the_plan_of_a_closed_case(history, command):
    with pytest.raises(errors.CaseClosed) as refused:
        given(plan, *history).when(command, CLOSED_CASE)
    assert refused.value.code == "case-closed"


@pytest.mark.parametrize("command", commands_after_adoption())
def test_a_plan_that_was_never_adopted_is_not_found(command):
    with pytest.raises(PlanNotFound) as refused:
        given(plan).when(command, FACTS)
    assert refused.value.code == "plan-not-found"


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(plan_facts(assessment=None), id="without the assessment"),
        pytest.param(
            plan_facts(assessment=assessment_facts(assessment_id="assessment-2")),
            id="knowing another assessment",
        ),
    ],
)
@pytest.mark.parametrize(
    "history, command", [((), adopt_plan()), (VALIDATED, revise_plan())], ids=["adopt", "revise"]
)
def test_a_new_version_decided_without_the_facts_of_its_assessment_is_a_programming_error(
    history, command, facts
):
    with pytest.raises(TypeError):
        given(plan, *history).when(command, facts)


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(plan, *VALIDATED).when(record_interview(), FACTS)


def test_the_state_knows_the_plan_and_its_case():
    state = plan.fold(ADOPTED)
    assert (state.plan_id, state.case_id, state.current.assessment_id) == ("plan-1", "case-1", "assessment-1")


# --- values the events refuse (blank, oversized) are broken rules, not crashes ---


def test_an_oversized_reason_is_refused_as_a_broken_rule():
    command = change_objective_status(status=ObjectiveStatus.ABANDONED, reason="x" * 1001)
    with pytest.raises(DomainError):
        given(plan, *VALIDATED).when(command, FACTS)


# --- what refusals say (issue 13 #18) ---


def test_a_second_plan_is_refused_naming_the_person_and_the_plan_they_have():
    """Issue 13 #18: the person by name and écrou number, the plan by its version and review date; its id
    stays in the problem's members."""
    with pytest.raises(errors.PlanAlreadyAdopted) as refused:
        given(plan, *VALIDATED).when(adopt_plan(plan_id="plan-1"), FACTS)
    assert refused.value.message == (
        "Jean Pierre Durand (écrou 62041A) already has a plan (version 1, to review on Wednesday 26 May 2027): "
        "revise it"
    )
    assert refused.value.members == {"existing": "/plans/plan-1", "plan_id": "plan-1"}


def test_an_objective_that_is_not_active_is_named_by_what_it_says():
    """Issue 13 #18."""
    with pytest.raises(errors.ObjectiveNotActive) as refused:
        given(plan, *FOLLOWED).when(change_objective_status(), FACTS)
    assert refused.value.message == (
        "the objective «Construire un projet professionnel» of version 1 of the plan of Jean Pierre Durand "
        "(écrou 62041A) is already achieved"
    )
