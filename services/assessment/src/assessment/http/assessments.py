"""The global assessment: started on a case, filled in by its CPIP, contributed to by psychologists and
social workers, submitted, returned or validated by a DPIP. SPIP roles read it in full; IPRO roles and
auditors read what is shareable (the overall risk level, priority axes, education and employment)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from assessment import access, handlers, queries
from assessment.access import Reading
from assessment.domain import commands as c
from assessment.domain.assessment import Assessment, AssessmentStatus
from assessment.http.common import AssessmentReader, Contributor, Director, Officer
from contracts.assessment import (
    AssessmentKind,
    ContributionAdded,
    DomainRating,
    FactorLevel,
    FactorNature,
    MotivationStage,
    NeedDomain,
    RiskLevel,
)
from kernel.aggregates import Aggregate
from kernel.api import Id, Label, LongText, RequestBody, Settings, Store, Today
from kernel.auth import Principal
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal, subjects_of

router = service_router("/assessments", tags=["assessments"])
case_router = service_router("/cases", tags=["assessments"])


class StartRequest(RequestBody):
    kind: AssessmentKind
    trigger: str = Field(
        default="", max_length=1000, description="the significant event behind a re-assessment"
    )


class DomainRequest(RequestBody):
    risk_factor: bool
    nature: FactorNature | None = None
    level: FactorLevel
    evidence: str = Field(default="", max_length=8000)


class ProtectiveFactorsRequest(RequestBody):
    factors: list[LongText] = Field(max_length=50)


class ReceptivityRequest(RequestBody):
    motivation_stage: MotivationStage
    cognitive_needs: str = Field(default="", max_length=8000)
    literacy_needs: str = Field(default="", max_length=8000)
    language_needs: str = Field(default="", max_length=8000)
    practical_obstacles: str = Field(default="", max_length=8000)


class ConclusionRequest(RequestBody):
    overall_risk_level: RiskLevel
    priority_axes: list[NeedDomain] = Field(min_length=1, max_length=12, description="most urgent first")


class ContributionRequest(RequestBody):
    domain: NeedDomain | None = None
    text: LongText
    shared: bool | None = Field(
        default=None,
        description="read by everyone working on the assessment; false: by its author and the psychologists "
        "asked. Default: false for a psychologist (medical confidentiality), true otherwise",
    )


class ContributorRequest(RequestBody):
    contributor: Label = Field(description="the psychologist's or social worker's user id")


class CommentsRequest(RequestBody):
    comments: LongText


class Contribution(BaseModel):
    contribution_id: str
    domain: NeedDomain | None
    text: str
    shared: bool
    author: str
    author_role: str
    written_at: datetime


class DomainView(BaseModel):
    rating: DomainRating
    evidence: str


class AssessmentSummary(BaseModel):
    """What other services may know of an assessment."""

    assessment_id: str
    case_id: str
    kind: AssessmentKind
    status: AssessmentStatus
    overall_risk_level: RiskLevel | None = Field(description="once validated")
    priority_axes: list[NeedDomain] = Field(description="once validated")
    education_employment: DomainRating | None = Field(description="once validated")
    version: int


class AssessmentView(AssessmentSummary):
    trigger: str
    domains: list[DomainView]
    protective_factors: list[str]
    receptivity: ReceptivityRequest | None
    draft_overall_risk_level: RiskLevel | None
    draft_priority_axes: list[NeedDomain]
    contributions: list[Contribution]
    return_comments: list[str]
    submitted_by: str | None
    contributors: list[str] = Field(description="who was asked to contribute")


@case_router.post(
    "/{case_id}/assessments",
    status_code=201,
    response_model=AssessmentView,
    summary="Start an assessment of the case: initial, re-assessment or annual",
)
async def start(case_id: Id, body: StartRequest, principal: Officer, commands: Commands, settings: Settings):
    command = c.StartAssessment(assessment_id=str(uuid.uuid4()), **body.model_dump())

    async def action(session, metadata):
        return _full_view(
            await handlers.start_assessment(session, case_id, command, metadata, principal, settings),
            principal,
        )

    return await commands.run(principal, action, location="/assessments/{assessment_id}")


@router.put(
    "/{assessment_id}/domains/{domain}", response_model=AssessmentView, summary="Rate one need domain"
)
async def assess_domain(
    assessment_id: Id,
    domain: NeedDomain,
    body: DomainRequest,
    principal: Officer,
    commands: Commands,
    settings: Settings,
):
    rating = DomainRating(domain=domain, **body.model_dump(exclude={"evidence"}))
    command = c.AssessDomain(rating=rating, evidence=body.evidence)
    return await _change(assessment_id, command, principal, commands, settings)


@router.put(
    "/{assessment_id}/protective-factors", response_model=AssessmentView, summary="Protective factors"
)
async def protective_factors(
    assessment_id: Id,
    body: ProtectiveFactorsRequest,
    principal: Officer,
    commands: Commands,
    settings: Settings,
):
    command = c.RecordProtectiveFactors(factors=body.factors)
    return await _change(assessment_id, command, principal, commands, settings)


@router.put("/{assessment_id}/receptivity", response_model=AssessmentView, summary="Receptivity")
async def receptivity(
    assessment_id: Id, body: ReceptivityRequest, principal: Officer, commands: Commands, settings: Settings
):
    command = c.RecordReceptivity(**body.model_dump())
    return await _change(assessment_id, command, principal, commands, settings)


@router.put(
    "/{assessment_id}/conclusion",
    response_model=AssessmentView,
    summary="Overall risk level and ordered priority work axes",
)
async def conclusion(
    assessment_id: Id, body: ConclusionRequest, principal: Officer, commands: Commands, settings: Settings
):
    command = c.RecordConclusion(**body.model_dump())
    return await _change(assessment_id, command, principal, commands, settings)


@router.post(
    "/{assessment_id}/contributors",
    response_model=AssessmentView,
    summary="Ask a psychologist or social worker to contribute (they may then read and add to it)",
)
async def request_contribution(
    assessment_id: Id, body: ContributorRequest, principal: Officer, commands: Commands, settings: Settings
):
    command = c.RequestContribution(contributor=body.contributor)
    return await _change(assessment_id, command, principal, commands, settings)


@router.post(
    "/{assessment_id}/contributions",
    status_code=201,
    response_model=AssessmentView,
    summary="A psychologist's or social worker's contribution (once asked)",
)
async def contribute(
    assessment_id: Id,
    body: ContributionRequest,
    principal: Contributor,
    commands: Commands,
    settings: Settings,
):
    shared = access.shares_contributions_by_default(principal) if body.shared is None else body.shared
    command = c.AddContribution(
        contribution_id=str(uuid.uuid4()), **body.model_dump(exclude={"shared"}), shared=shared
    )
    return await _change(assessment_id, command, principal, commands, settings, status_code=201)


@router.post("/{assessment_id}/submit", response_model=AssessmentView, summary="Submit to a DPIP")
async def submit(assessment_id: Id, principal: Officer, commands: Commands, settings: Settings):
    command = c.SubmitAssessment(submitter=principal.subject)
    return await _change(assessment_id, command, principal, commands, settings)


@router.post("/{assessment_id}/return", response_model=AssessmentView, summary="Return it with comments")
async def return_(
    assessment_id: Id, body: CommentsRequest, principal: Director, commands: Commands, settings: Settings
):
    command = c.ReturnAssessment(comments=body.comments)
    return await _change(assessment_id, command, principal, commands, settings)


@router.post("/{assessment_id}/resubmit", response_model=AssessmentView, summary="Resubmit after a return")
async def resubmit(assessment_id: Id, principal: Officer, commands: Commands, settings: Settings):
    command = c.ResubmitAssessment(submitter=principal.subject)
    return await _change(assessment_id, command, principal, commands, settings)


@router.post("/{assessment_id}/validate", response_model=AssessmentView, summary="Validate: final")
async def validate(
    assessment_id: Id, principal: Director, commands: Commands, settings: Settings, today: Today
):
    command = c.ValidateAssessment(validator=principal.subject, today=today)
    return await _change(assessment_id, command, principal, commands, settings)


async def _change(
    assessment_id: str,
    command: c.Command,
    principal: Principal,
    commands: Commands,
    settings,
    status_code: int = 200,
):
    async def action(session, metadata):
        return _full_view(
            await handlers.assessment_command(session, assessment_id, command, metadata, principal, settings),
            principal,
        )

    return await commands.run(
        principal, action, status_code=status_code, resource="/assessments/{assessment_id}"
    )


@router.get(
    "/{assessment_id}",
    response_model=AssessmentView | AssessmentSummary,
    summary="An assessment: in full for SPIP roles, its shareable part for IPRO and auditors",
)
async def get_assessment(assessment_id: Id, principal: AssessmentReader, store: Store, journal: Journal):
    found, reading = await queries.read_assessment(store, assessment_id, principal)
    journal.consulted(subject_ids=subjects_of(found.stream), object_id=found.state.case_id)
    return _full_view(found, principal) if reading == Reading.FULL else _summary(found)


def _summary(found: Aggregate[Assessment]) -> AssessmentSummary:
    state = found.state
    validated = state.status == AssessmentStatus.VALIDATED
    return AssessmentSummary(
        assessment_id=state.assessment_id,
        case_id=state.case_id,
        kind=state.kind,
        status=state.status,
        overall_risk_level=state.overall_risk_level if validated else None,
        priority_axes=list(state.priority_axes) if validated else [],
        education_employment=state.ratings.get(NeedDomain.EDUCATION_EMPLOYMENT) if validated else None,
        version=found.version,
    )


def _full_view(found: Aggregate[Assessment], principal: Principal) -> AssessmentView:
    state = found.state
    receptivity = state.receptivity
    return AssessmentView(
        **_summary(found).model_dump(),
        trigger=state.trigger,
        domains=[
            DomainView(rating=r, evidence=state.evidence.get(d, "")) for d, r in sorted(state.ratings.items())
        ],
        protective_factors=list(state.protective_factors),
        receptivity=ReceptivityRequest(**receptivity.model_dump(exclude={"assessment_id"}))
        if receptivity
        else None,
        draft_overall_risk_level=state.overall_risk_level,
        draft_priority_axes=list(state.priority_axes),
        contributions=_readable_contributions(found, principal),
        return_comments=list(state.return_comments),
        submitted_by=state.submitted_by,
        contributors=list(state.contributors),
    )


def _readable_contributions(found: Aggregate[Assessment], principal: Principal) -> list[Contribution]:
    """The contributions `principal` may read, each with who wrote it and when (its event's actor)."""
    written = {
        e.payload.get("contribution_id"): e
        for e in found.stream
        if e.event_type == ContributionAdded.event_type
    }
    return [
        Contribution(
            **contribution.model_dump(),
            author=event.actor.subject,
            author_role=event.actor.role,
            written_at=event.occurred_at,
        )
        for contribution, event in ((c, written[c.contribution_id]) for c in found.state.contributions)
        if access.may_read_contribution(principal, event.actor.subject, event.actor.role, contribution.shared)
    ]
