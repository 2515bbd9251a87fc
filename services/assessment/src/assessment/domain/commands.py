"""Commands of the SPIP follow-up: what a user asks for, in the imperative.

Assessments, plans and interviews belong to a case: their commands carry `CaseFacts`, built by the handler
from the case's state, so that "nothing is recorded on a closed case" stays a pure rule (ADR 9). Commands
whose rules depend on the date carry `today`, from the injected clock.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from contracts.assessment import (
    Agreement, AssessmentKind, ClosureReason, DomainRating, Identity, InterviewType, MotivationStage, NeedDomain,
    Objective, ObjectiveStatus, RiskLevel, Sentence,
)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CaseFacts(Command):
    """What the case's dependants need to know of it."""

    case_id: str
    closed: bool
    admission_date: date
    validated_assessments: int = 0


class AssessmentFacts(Command):
    """What a plan needs to know of the assessment it is built on."""

    assessment_id: str
    case_id: str
    validated: bool
    priority_axes: list[NeedDomain]


# --- case ---
class OpenCase(Command):
    case_id: str
    subject_id: str
    identity: Identity
    establishment: str
    admission_date: date
    sentence: Sentence
    referent: str | None = None
    today: date


class AssignReferent(Command):
    referent: str


class UpdateSentence(Command):
    sentence: Sentence


class TransferCase(Command):
    establishment: str
    transferred_on: date
    today: date


class CloseCase(Command):
    reason: ClosureReason
    closed_on: date
    today: date


# --- assessment ---
class CaseCommand(Command):
    case: CaseFacts


class StartAssessment(CaseCommand):
    assessment_id: str
    kind: AssessmentKind
    trigger: str = ""


class AssessDomain(CaseCommand):
    rating: DomainRating
    evidence: str = ""


class RecordProtectiveFactors(CaseCommand):
    factors: list[str]


class RecordReceptivity(CaseCommand):
    motivation_stage: MotivationStage
    cognitive_needs: str = ""
    literacy_needs: str = ""
    language_needs: str = ""
    practical_obstacles: str = ""


class RecordConclusion(CaseCommand):
    overall_risk_level: RiskLevel
    priority_axes: list[NeedDomain]


class RequestContribution(CaseCommand):
    contributor: str


class AddContribution(CaseCommand):
    contributor: str = Field(description="the user adding it: they must have been asked")
    contribution_id: str
    domain: NeedDomain | None = None
    text: str


class SubmitAssessment(CaseCommand):
    submitter: str


class ReturnAssessment(CaseCommand):
    comments: str


class ResubmitAssessment(CaseCommand):
    submitter: str


class ValidateAssessment(CaseCommand):
    validator: str = Field(description="the DPIP's user id")
    today: date


# --- plan ---
class AdoptPlan(CaseCommand):
    plan_id: str
    assessment: AssessmentFacts
    objectives: list[Objective]
    review_date: date
    today: date


class RevisePlan(CaseCommand):
    assessment: AssessmentFacts
    objectives: list[Objective]
    review_date: date
    today: date


class RecordAgreement(CaseCommand):
    agreement: Agreement


class ValidatePlan(CaseCommand):
    pass


class ChangeObjectiveStatus(CaseCommand):
    objective_id: str
    status: ObjectiveStatus
    reason: str = ""


class RecordEspaceNote(CaseCommand):
    note_id: str
    text: str


# --- interview ---
class RecordInterview(CaseCommand):
    interview_id: str
    held_on: date
    interview_type: InterviewType
    notes: str = ""
    confidential: bool = False
    today: date
