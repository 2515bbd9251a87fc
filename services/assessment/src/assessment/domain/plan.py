"""The individual plan (plan d'accompagnement et d'exécution de la peine), built on a validated assessment:
ordered objectives on its priority axes with planned interventions, the person's agreement, a DPIP's
validation, objectives achieved or abandoned, a review date. A revision is a new version; earlier versions
stay readable."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from assessment.domain import errors, names
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
from kernel.wording import day, quoted


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
                f"{facts.case.person} already has a plan (version {state.current.plan_version}, to review on "
                f"{day(state.current.review_date)}): revise it",
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
    version = f"version {current.plan_version} of the plan of {facts.case.person}"
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
                raise errors.PlanVersionValidated(f"{version} is validated: revise the plan to change it")
            return [PlanAgreementRecorded(plan_id=plan_id, agreement=command.agreement)]
        case ValidatePlan():
            if current.validated:
                raise errors.PlanVersionValidated(f"{version} is already validated")
            if current.agreement is None:
                raise errors.PlanAgreementMissing(
                    f"record the answer of {facts.case.person} to {version} before validating it"
                )
            return [PlanValidated(plan_id=plan_id, plan_version=current.plan_version)]
        case ChangeObjectiveStatus():
            if not current.validated:
                raise errors.PlanNotValidated(
                    f"{version} is not validated: its objectives are followed once it is"
                )
            objective = next((o for o in current.objectives if o.objective_id == command.objective_id), None)
            if objective is None:
                raise errors.ObjectiveNotFound(
                    f"{version} has no objective {command.objective_id}", objective_id=command.objective_id
                )
            named = f"the objective {quoted(objective.description)} of {version}"
            status = current.statuses.get(command.objective_id, ObjectiveStatus.ACTIVE)
            if status != ObjectiveStatus.ACTIVE:
                raise errors.ObjectiveNotActive(f"{named} is already {status}")
            if command.status == ObjectiveStatus.ACTIVE:
                raise errors.ObjectiveNotActive(f"{named} is active: it is marked achieved or abandoned")
            reason = command.reason.strip()
            if command.status == ObjectiveStatus.ABANDONED and not reason:
                raise errors.ReasonMissing(f"{named} is abandoned with a reason: say why")
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
    whose = facts.case.person
    if assessment.case_id != case_id:
        raise errors.AssessmentOfAnotherCase(
            f"the assessment {assessment.assessment_id} is of another case: the plan of {whose} is built on "
            "one of their own assessments",
            assessment_id=assessment.assessment_id,
        )
    if not assessment.validated:
        raise errors.AssessmentNotValidated(
            f"{names.assessment(assessment.kind, whose)} is not validated: a plan is adopted from a validated "
            "assessment"
        )
    if command.review_date <= command.today:
        raise errors.DatesOutOfOrder(f"the review date, {day(command.review_date)}, is not after today")
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
                f"the objective {quoted(objective.description)} works on {objective.work_axis}, which is not a "
                f"priority axis of {names.assessment(assessment.kind, whose)} ({axes})"
            )
        for intervention in objective.interventions:
            if intervention.target_date is not None and intervention.target_date < command.today:
                raise errors.DatesOutOfOrder(
                    f"the intervention {quoted(intervention.description)} has a target date in the past, "
                    f"{day(intervention.target_date)}"
                )
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
