"""Commands of the SPIP follow-up: what a user asks for, in the imperative, and the ids the route made.

Nothing loaded travels in a command: what a decision needs to know of the case or of an assessment is in
`facts`, which the handler builds. Commands whose rules depend on the date carry `today`, from the injected
clock.
"""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from contracts.assessment import (
    Agreement,
    AssessmentKind,
    ClosureReason,
    DomainRating,
    ErasureReason,
    Identity,
    InterviewType,
    MotivationStage,
    NeedDomain,
    Objective,
    ObjectiveStatus,
    OffenceCategory,
    RiskLevel,
)
from contracts.assessment import Sentence as SentenceDates


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- case ---
class Sentence(SentenceDates):
    """The sentence as the SPIP records it: its dates, which every service learns (`SentenceUpdated`), and
    its offence categories, which travel restricted (`OffencesRecorded`, ADR 25)."""

    offence_categories: list[OffenceCategory] = Field(min_length=1)

    def dates(self) -> SentenceDates:
        return SentenceDates(**self.model_dump(exclude={"offence_categories"}))


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


class PlaceLitigationHold(Command):
    """Suspend the erasure of the person's data (open or closed case)."""

    reason: str


class LiftLitigationHold(Command):
    pass


class CorrectIdentity(Command):
    """Rectify who the person is (open or closed case); the reason is kept with the correction."""

    identity: Identity
    reason: str


# --- erasure ---
class EraseSubject(Command):
    subject_id: str
    reason: ErasureReason
    today: date


# --- assessment ---
class StartAssessment(Command):
    assessment_id: str
    kind: AssessmentKind
    trigger: str = ""


class AssessDomain(Command):
    rating: DomainRating
    evidence: str = ""


class RecordProtectiveFactors(Command):
    factors: list[str]


class RecordReceptivity(Command):
    motivation_stage: MotivationStage
    cognitive_needs: str = ""
    literacy_needs: str = ""
    language_needs: str = ""
    practical_obstacles: str = ""


class RecordConclusion(Command):
    overall_risk_level: RiskLevel
    priority_axes: list[NeedDomain]


class RequestContribution(Command):
    contributor: str


class AddContribution(Command):
    contribution_id: str
    domain: NeedDomain | None = None
    text: str
    shared: bool = True


class SubmitAssessment(Command):
    submitter: str


class ReturnAssessment(Command):
    comments: str


class ResubmitAssessment(Command):
    submitter: str


class ValidateAssessment(Command):
    validator: str = Field(description="the DPIP's user id")
    today: date


# --- plan ---
class AdoptPlan(Command):
    plan_id: str
    assessment_id: str = Field(description="the validated assessment the plan is built on")
    objectives: list[Objective]
    review_date: date
    today: date


class RevisePlan(Command):
    assessment_id: str = Field(description="the validated assessment the new version is built on")
    objectives: list[Objective]
    review_date: date
    today: date


class RecordAgreement(Command):
    agreement: Agreement


class ValidatePlan(Command):
    pass


class ChangeObjectiveStatus(Command):
    objective_id: str
    status: ObjectiveStatus
    reason: str = ""


class RecordEspaceNote(Command):
    note_id: str
    text: str


# --- interview ---
class RecordInterview(Command):
    interview_id: str
    held_on: date
    interview_type: InterviewType
    notes: str = ""
    confidential: bool = False
    today: date


class ScheduleInterview(Command):
    """Convene the person to an interview (convocation) held by `officer` (the CPIP who schedules it)."""

    interview_id: str
    starts_at: datetime
    duration_minutes: int = Field(ge=15, le=240)
    place: str
    interview_type: InterviewType
    officer: str
    now: datetime


class RescheduleInterview(Command):
    """Move the appointment; without a duration it keeps the one it had."""

    starts_at: datetime
    duration_minutes: int | None = Field(default=None, ge=15, le=240)
    place: str
    now: datetime


class CancelInterview(Command):
    pass
