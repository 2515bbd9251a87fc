"""The individual plan (plan d'accompagnement et d'exécution de la peine), built on a validated assessment:
ordered objectives on its priority axes with planned interventions, the person's agreement, a DPIP's
validation, objectives achieved or abandoned, a review date. A revision is a new version; earlier versions
stay readable."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from assessment.domain import errors
from assessment.domain.case import ensure_open
from assessment.domain.commands import (
    AdoptPlan,
    ChangeObjectiveStatus,
    Command,
    RecordAgreement,
    RevisePlan,
    ValidatePlan,
)
from assessment.domain.facts import AssessmentFacts, PlanFacts
from contracts import Event
from contracts.assessment import (
    Agreement,
    Objective,
    ObjectiveStatus,
    ObjectiveStatusChanged,
    PlanAdopted,
    PlanAgreementRecorded,
    PlanValidated,
)
from kernel.decider import Decider


class PlanVersion(BaseModel):
    model_config = ConfigDict(frozen=True)

    plan_version: int
    assessment_id: str
    objectives: tuple[Objective, ...]
    review_date: date
    agreement: Agreement | None = None
    validated: bool = False
    statuses: dict[str, ObjectiveStatus] = {}
    abandon_reasons: dict[str, str] = {}


class Plan(BaseModel):
    model_config = ConfigDict(frozen=True)

    plan_id: str | None = None
    case_id: str | None = None
    versions: tuple[PlanVersion, ...] = ()

    @property
    def current(self) -> PlanVersion:
        return self.versions[-1]


initial_state = Plan()
MAX_OBJECTIVES = 30  # a plan is a short list of priorities, not an inventory


def decide(command: Command, state: Plan, facts: PlanFacts) -> list[Event]:
    """`facts`: the plan's case, and for an adoption or a revision the assessment the version is built on."""
    if isinstance(command, AdoptPlan):
        if state.plan_id is not None:
            raise errors.PlanAlreadyAdopted(
                f"the case has a plan, {state.plan_id}: revise it",
                existing=f"/plans/{state.plan_id}",
                plan_id=state.plan_id,
            )
        ensure_open(facts.case)
        assessment = _check_version(command, facts, facts.case.case_id)
        return [
            PlanAdopted(
                plan_id=command.plan_id,
                case_id=facts.case.case_id,
                assessment_id=assessment.assessment_id,
                plan_version=1,
                objectives=command.objectives,
                review_date=command.review_date,
            )
        ]
    if state.plan_id is None:
        raise errors.PlanNotFound("no such plan")
    ensure_open(facts.case)
    current, plan_id = state.current, state.plan_id
    match command:
        case RevisePlan():
            assessment = _check_version(command, facts, state.case_id)
            return [
                PlanAdopted(
                    plan_id=plan_id,
                    case_id=state.case_id,
                    assessment_id=assessment.assessment_id,
                    plan_version=current.plan_version + 1,
                    objectives=command.objectives,
                    review_date=command.review_date,
                )
            ]
        case RecordAgreement():
            if current.validated:
                raise errors.PlanVersionValidated("this version is validated: revise the plan to change it")
            return [PlanAgreementRecorded(plan_id=plan_id, agreement=command.agreement)]
        case ValidatePlan():
            if current.validated:
                raise errors.PlanVersionValidated("this version is already validated")
            if current.agreement is None:
                raise errors.PlanAgreementMissing(
                    "record the person's answer to the plan before validating it"
                )
            return [PlanValidated(plan_id=plan_id, plan_version=current.plan_version)]
        case ChangeObjectiveStatus():
            if not current.validated:
                raise errors.PlanNotValidated("objectives are followed once the plan is validated")
            if command.objective_id not in {o.objective_id for o in current.objectives}:
                raise errors.ObjectiveNotFound(f"no objective {command.objective_id} in the current plan")
            if current.statuses.get(command.objective_id, ObjectiveStatus.ACTIVE) != ObjectiveStatus.ACTIVE:
                raise errors.ObjectiveNotActive("the objective is already achieved or abandoned")
            if command.status == ObjectiveStatus.ACTIVE:
                raise errors.ObjectiveNotActive("an objective is marked achieved or abandoned")
            reason = command.reason.strip()
            if command.status == ObjectiveStatus.ABANDONED and not reason:
                raise errors.ReasonMissing("an abandoned objective says why")
            return [
                ObjectiveStatusChanged(
                    plan_id=plan_id, objective_id=command.objective_id, status=command.status, reason=reason
                )
            ]
    raise TypeError(f"the plan aggregate does not handle {type(command).__name__}")


def _check_version(command: AdoptPlan | RevisePlan, facts: PlanFacts, case_id: str) -> AssessmentFacts:
    """The rules of a new version (adopted or revised); the assessment it is built on."""
    assessment = facts.assessment
    if assessment is None or assessment.assessment_id != command.assessment_id:
        raise TypeError("a new plan version is decided knowing the assessment it names")
    if assessment.case_id != case_id:
        raise errors.AssessmentOfAnotherCase("the plan is built on an assessment of the same case")
    if not assessment.validated:
        raise errors.AssessmentNotValidated("a plan is adopted from a validated assessment")
    if command.review_date <= command.today:
        raise errors.DatesOutOfOrder("the review date is after today")
    objectives = command.objectives
    if not 0 < len(objectives) <= MAX_OBJECTIVES:
        raise errors.ObjectivesInvalid(f"a plan has 1 to {MAX_OBJECTIVES} objectives")
    if len({o.objective_id for o in objectives}) != len(objectives) or len(
        {o.priority for o in objectives}
    ) != len(objectives):
        raise errors.ObjectivesInvalid("each objective has its own id and its own priority rank")
    for objective in objectives:
        if objective.work_axis not in assessment.priority_axes:
            axes = ", ".join(assessment.priority_axes)
            raise errors.ObjectiveAxisNotAPriority(
                f"{objective.work_axis} is not a priority axis of the assessment ({axes})"
            )
        for intervention in objective.interventions:
            if intervention.target_date is not None and intervention.target_date < command.today:
                raise errors.DatesOutOfOrder("an intervention's target date is in the past")
    return assessment


def evolve(state: Plan, event: Event) -> Plan:
    match event:
        case PlanAdopted():
            version = PlanVersion(
                plan_version=event.plan_version,
                assessment_id=event.assessment_id,
                objectives=tuple(sorted(event.objectives, key=lambda o: o.priority)),
                review_date=event.review_date,
            )
            return Plan(plan_id=event.plan_id, case_id=event.case_id, versions=(*state.versions, version))
        case PlanAgreementRecorded():
            return _with_current(state, agreement=event.agreement)
        case PlanValidated():
            return _with_current(state, validated=True)
        case ObjectiveStatusChanged():
            current = state.current
            return _with_current(
                state,
                statuses={**current.statuses, event.objective_id: event.status},
                abandon_reasons={**current.abandon_reasons, event.objective_id: event.reason},
            )
    return state


def _with_current(state: Plan, **changes) -> Plan:
    return state.model_copy(
        update={"versions": (*state.versions[:-1], state.current.model_copy(update=changes))}
    )


plan = Decider(stream_type="plan", initial_state=initial_state, decide=decide, evolve=evolve)
