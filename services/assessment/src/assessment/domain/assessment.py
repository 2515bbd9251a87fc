"""The global assessment (évaluation globale): drafted by the referent CPIP with contributions from
psychologists and social workers, submitted, returned with comments or validated by a DPIP. A validated
assessment is immutable: a correction is a new re-assessment."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from assessment.domain import errors, names
from assessment.domain.case import ensure_open
from assessment.domain.commands import (
    AddContribution,
    AssessDomain,
    Command,
    RecordConclusion,
    RecordProtectiveFactors,
    RecordReceptivity,
    RequestContribution,
    ResubmitAssessment,
    ReturnAssessment,
    StartAssessment,
    SubmitAssessment,
    ValidateAssessment,
)
from assessment.domain.facts import AssessmentFacts, CaseFacts
from contracts import Event
from contracts.assessment import (
    AssessmentKind,
    AssessmentReturned,
    AssessmentStarted,
    AssessmentSubmitted,
    AssessmentValidated,
    ConclusionRecorded,
    ContributionAdded,
    ContributionRequested,
    DomainAssessed,
    DomainRating,
    NeedDomain,
    ProtectiveFactorsRecorded,
    ReceptivityRecorded,
    RiskLevel,
    TriggerRecorded,
)
from kernel.decider import Decider


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    VALIDATED = "validated"


EDITABLE = {AssessmentStatus.DRAFT, AssessmentStatus.RETURNED}


class Contribution(BaseModel):
    model_config = ConfigDict(frozen=True)

    contribution_id: str
    domain: NeedDomain | None
    text: str
    shared: bool = True


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    assessment_id: str | None = None
    case_id: str | None = None
    kind: AssessmentKind | None = None
    trigger: str = ""
    status: AssessmentStatus | None = None
    ratings: dict[NeedDomain, DomainRating] = {}
    evidence: dict[NeedDomain, str] = {}
    protective_factors: tuple[str, ...] = ()
    receptivity: ReceptivityRecorded | None = None
    overall_risk_level: RiskLevel | None = None
    priority_axes: tuple[NeedDomain, ...] = ()
    contributions: tuple[Contribution, ...] = ()
    return_comments: tuple[str, ...] = ()
    submitted_by: str | None = None
    submitters: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    validated_on: date | None = None


initial_state = Assessment()


def facts(state: Assessment) -> AssessmentFacts:
    return AssessmentFacts(
        assessment_id=state.assessment_id,
        case_id=state.case_id,
        validated=state.status == AssessmentStatus.VALIDATED,
        priority_axes=list(state.priority_axes),
        kind=state.kind,
    )


def decide(command: Command, state: Assessment, facts: CaseFacts) -> list[Event]:
    """`facts`: the assessment's case (for a new one, the case it is started on)."""
    if isinstance(command, StartAssessment):
        return _start(command, state, facts)
    if state.assessment_id is None:
        raise errors.AssessmentNotFound("no such assessment")
    ensure_open(facts)
    named = names.assessment(state.kind, facts.person)
    if state.status == AssessmentStatus.VALIDATED:
        raise errors.AssessmentValidated(
            f"{named} is validated, and a validated assessment is final: start a re-assessment to correct it"
        )
    assessment_id = state.assessment_id
    match command:
        case AssessDomain():
            _ensure_editable(state, named)
            _check_rating(command.rating)
            return [
                DomainAssessed(assessment_id=assessment_id, rating=command.rating, evidence=command.evidence)
            ]
        case RecordProtectiveFactors():
            _ensure_editable(state, named)
            return [ProtectiveFactorsRecorded(assessment_id=assessment_id, factors=command.factors)]
        case RecordReceptivity():
            _ensure_editable(state, named)
            return [ReceptivityRecorded(assessment_id=assessment_id, **command.model_dump())]
        case RecordConclusion():
            _ensure_editable(state, named)
            if len(set(command.priority_axes)) != len(command.priority_axes):
                raise errors.PriorityAxesRepeated("each priority work axis appears once, in order")
            return [
                ConclusionRecorded(
                    assessment_id=assessment_id,
                    overall_risk_level=command.overall_risk_level,
                    priority_axes=command.priority_axes,
                )
            ]
        case RequestContribution():
            if command.contributor in state.contributors:
                raise errors.ContributionAlreadyRequested(
                    f"{command.contributor} was already asked to contribute to {named}"
                )
            return [ContributionRequested(assessment_id=assessment_id, contributor=command.contributor)]
        case AddContribution():
            # Who may contribute (those asked to) is the need-to-know rule of `assessment.access`.
            return [
                ContributionAdded(
                    assessment_id=assessment_id,
                    contribution_id=command.contribution_id,
                    domain=command.domain,
                    text=command.text,
                    shared=command.shared,
                )
            ]
        case SubmitAssessment():
            if state.status != AssessmentStatus.DRAFT:
                raise errors.AssessmentNotEditable(
                    f"{named} is {names.status(state.status)}: only a draft is submitted"
                )
            _ensure_complete(state, named)
            return [
                AssessmentSubmitted(
                    assessment_id=assessment_id, case_id=state.case_id, submitted_by=command.submitter
                )
            ]
        case ReturnAssessment():
            _ensure_submitted(state, named)
            return [AssessmentReturned(assessment_id=assessment_id, comments=command.comments.strip())]
        case ResubmitAssessment():
            if state.status != AssessmentStatus.RETURNED:
                raise errors.AssessmentNotReturned(
                    f"{named} is {names.status(state.status)}: only an assessment returned by a DPIP is resubmitted"
                )
            _ensure_complete(state, named)
            return [
                AssessmentSubmitted(
                    assessment_id=assessment_id, case_id=state.case_id, submitted_by=command.submitter
                )
            ]
        case ValidateAssessment():
            _ensure_submitted(state, named)
            # Submitted before the rule held: it goes back to its CPIP to be completed.
            _ensure_complete(state, named, advice="; return it to its CPIP to complete it")
            if command.validator in state.submitters:
                raise errors.AssessmentSelfValidation(
                    f"you submitted {named}: an assessment is validated by someone who never submitted it"
                )
            return [
                AssessmentValidated(
                    assessment_id=assessment_id,
                    case_id=state.case_id,
                    kind=state.kind,
                    validated_on=command.today,
                    overall_risk_level=state.overall_risk_level,
                    priority_axes=list(state.priority_axes),
                    education_employment=state.ratings.get(NeedDomain.EDUCATION_EMPLOYMENT),
                )
            ]
    raise TypeError(f"the assessment aggregate does not handle {type(command).__name__}")


def _start(command: StartAssessment, state: Assessment, case: CaseFacts) -> list[Event]:
    if state.assessment_id is not None:
        raise errors.AssessmentAlreadyStarted(
            f"{names.assessment(state.kind, case.person)} already exists",
            existing=f"/assessments/{command.assessment_id}",
            assessment_id=command.assessment_id,
        )
    ensure_open(case)
    validated = case.validated_assessments
    if command.kind == AssessmentKind.INITIAL and validated:
        raise errors.InitialAssessmentAlreadyValidated(
            f"the initial assessment of {case.person} is validated: start a re-assessment"
        )
    if command.kind != AssessmentKind.INITIAL and not validated:
        raise errors.NoValidatedAssessment(
            f"{case.person} has no validated assessment yet: start the initial assessment (a re-assessment or "
            "an annual assessment follows a validated one)"
        )
    trigger = command.trigger.strip()
    if command.kind == AssessmentKind.REASSESSMENT and not trigger:
        raise errors.ReassessmentTriggerMissing(
            f"the re-assessment of {case.person} names the significant event behind it"
        )
    started = AssessmentStarted(assessment_id=command.assessment_id, case_id=case.case_id, kind=command.kind)
    if not trigger:
        return [started]
    # What happened is the SPIP's to know; other services learn that a re-assessment started (ADR 25).
    return [started, TriggerRecorded(assessment_id=command.assessment_id, trigger=trigger)]


def _check_rating(rating: DomainRating) -> None:
    if rating.risk_factor and (rating.nature is None or rating.level == "none"):
        raise errors.RatingInconsistent("a risk factor has a nature (static, dynamic) and a level above none")
    if not rating.risk_factor and (rating.nature is not None or rating.level != "none"):
        raise errors.RatingInconsistent("a domain that is not a risk factor has no nature and level none")


def _ensure_editable(state: Assessment, named: str) -> None:
    if state.status not in EDITABLE:
        raise errors.AssessmentNotEditable(
            f"{named} is {names.status(state.status)}: it is changed as a draft, or once a DPIP returns it"
        )


def _ensure_submitted(state: Assessment, named: str) -> None:
    if state.status != AssessmentStatus.SUBMITTED:
        raise errors.AssessmentNotSubmitted(
            f"{named} is {names.status(state.status)}: it must be submitted first"
        )


def _ensure_complete(state: Assessment, named: str, *, advice: str = "") -> None:
    """A global assessment goes to a DPIP complete (DOMAIN.md, RPO1): its need domains assessed, at least one
    of them, each priority work axis among them (the axes are drawn from the domains' ratings), and its
    conclusion, the overall risk level and the ordered axes."""
    if not state.ratings:
        missing = "it rates no need domain: rate the domains first"
    elif state.overall_risk_level is None or not state.priority_axes:
        missing = "record the overall risk level and the priority work axes first"
    elif unrated := [axis.value for axis in state.priority_axes if axis not in state.ratings]:
        missing = f"rate each priority work axis as a need domain first (not rated: {', '.join(unrated)})"
    else:
        return
    raise errors.AssessmentIncomplete(f"{named} is incomplete: {missing}{advice}")


def evolve(state: Assessment, event: Event) -> Assessment:
    match event:
        case AssessmentStarted():
            return Assessment(
                assessment_id=event.assessment_id,
                case_id=event.case_id,
                kind=event.kind,
                status=AssessmentStatus.DRAFT,
            )
        case TriggerRecorded():
            return state.model_copy(update={"trigger": event.trigger})
        case DomainAssessed():
            domain = event.rating.domain
            return state.model_copy(
                update={
                    "ratings": {**state.ratings, domain: event.rating},
                    "evidence": {**state.evidence, domain: event.evidence},
                }
            )
        case ProtectiveFactorsRecorded():
            return state.model_copy(update={"protective_factors": tuple(event.factors)})
        case ReceptivityRecorded():
            return state.model_copy(update={"receptivity": event})
        case ConclusionRecorded():
            return state.model_copy(
                update={
                    "overall_risk_level": event.overall_risk_level,
                    "priority_axes": tuple(event.priority_axes),
                }
            )
        case ContributionRequested():
            return state.model_copy(update={"contributors": (*state.contributors, event.contributor)})
        case ContributionAdded():
            contribution = Contribution(
                contribution_id=event.contribution_id,
                domain=event.domain,
                text=event.text,
                shared=event.shared,
            )
            return state.model_copy(update={"contributions": (*state.contributions, contribution)})
        case AssessmentSubmitted():
            return state.model_copy(
                update={
                    "status": AssessmentStatus.SUBMITTED,
                    "submitted_by": event.submitted_by,
                    "submitters": (*state.submitters, event.submitted_by),
                }
            )
        case AssessmentReturned():
            return state.model_copy(
                update={
                    "status": AssessmentStatus.RETURNED,
                    "return_comments": (*state.return_comments, event.comments),
                }
            )
        case AssessmentValidated():
            return state.model_copy(
                update={"status": AssessmentStatus.VALIDATED, "validated_on": event.validated_on}
            )
    return state


assessment = Decider(stream_type="assessment", initial_state=initial_state, decide=decide, evolve=evolve)
