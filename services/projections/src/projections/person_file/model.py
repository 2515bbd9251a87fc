"""The consolidated person file (issue 14): what the four services' shareable events say of one person, as one
document. Values are the contracts' enums or the file's own below; French labels are only for rendering
(`french.py`). Every part a reader may be refused is marked, so that `views.for_reader` can reduce it: the
timeline, due and upcoming items carry their `part`, programmes and plan actions whether they are
`sensitive` (ESPACE-like: the SPIP director only). The free texts written about the person are marked
`personal_data`, as the contracts mark them: an auditor's answer masks them wherever a reading leaves them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import personal_data
from contracts.assessment import (
    Agreement,
    AssessmentKind,
    ClosureReason,
    FactorLevel,
    FactorNature,
    NeedDomain,
    ObjectiveStatus,
    OffenceCategory,
    RiskLevel,
)
from contracts.ipro import (
    ContractType,
    ExitSituation,
    GoalStatus,
    LeaveKind,
    PositioningOutcome,
    ReadinessStatus,
    SuspensionReason,
    WorkRegime,
)
from contracts.times import LocalTime, Weekday


class _FileModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Part(StrEnum):
    """Which part of the file a timeline entry, a due or an upcoming item belongs to (access filtering)."""

    IDENTITY = "identity"  # the case's facts: establishment, admission, sentence dates, referent, release
    SPIP = "spip"
    PROGRAMMES = "programmes"
    PROGRAMMES_SENSITIVE = "programmes_sensitive"  # ESPACE-like programmes: the SPIP director only
    IPRO = "ipro"


class Identity(_FileModel):
    """Filled by the caller from its identity table: never in the events the file is folded from."""

    last_name: str
    first_names: str
    birth_date: date
    ecrou_number: str


# --- SPIP follow-up ------------------------------------------------------------------------------------


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Sentence(_FileModel):
    """Fields a reader may not see are None or empty (IPRO and the direction see the dates only)."""

    short_sentence: bool | None = None
    total_length_months: int | None = None
    expected_end_date: date
    conditional_release_eligibility_date: date | None = None
    offence_categories: list[OffenceCategory] = []


class Case(_FileModel):
    case_id: str
    establishment: str
    admission_date: date
    referent: str | None = None  # the CPIP's user id
    status: CaseStatus
    closure_reason: ClosureReason | None = None
    closed_on: date | None = None
    sentence: Sentence


class Rating(_FileModel):
    risk_factor: bool
    nature: FactorNature | None = None
    level: FactorLevel


class ValidatedAssessment(_FileModel):
    """The latest validated assessment, as far as it is shared: never its restricted content."""

    assessment_id: str
    kind: AssessmentKind
    validated_on: date
    overall_risk_level: RiskLevel
    priority_axes: list[NeedDomain]
    education_employment: Rating | None = None


class AssessmentProgress(StrEnum):
    STARTED = "started"
    SUBMITTED = "submitted"
    RETURNED = "returned"


class AssessmentInProgress(_FileModel):
    """That an assessment is under way, and where it stands; nothing of its content."""

    assessment_id: str
    kind: AssessmentKind
    status: AssessmentProgress
    started_on: date
    submitted_on: date | None = None


class ActionKind(StrEnum):
    REFERRAL = "referral"
    TRAINING = "training"
    POSITIONING = "positioning"
    WORK = "work"


class WorkStatus(StrEnum):
    """A post as a plan action: assigned, then the status of its contract."""

    ASSIGNED = "assigned"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class ObjectiveAction(_FileModel):
    """What was done for an objective: a referral made from it, or for an education and employment objective
    a training, a positioning or a post. `status` is a value of the linked thing's status enum
    (`french.ACTION_STATUS[kind]`)."""

    kind: ActionKind
    ref_id: str
    title: str
    status: str
    on: date | None = None
    sensitive: bool = False


class PlanObjective(_FileModel):
    objective_id: str
    priority: int
    work_axis: NeedDomain
    description: str | None = personal_data(default=None)  # free text: removed from pseudonymised readings
    status: ObjectiveStatus
    actions: list[ObjectiveAction] = []


class Plan(_FileModel):
    """The current version of the individual plan."""

    plan_id: str
    version: int
    adopted_on: date
    validated: bool
    agreement: Agreement | None = None
    review_date: date
    objectives: list[PlanObjective]


# --- programmes ----------------------------------------------------------------------------------------


class ProgrammeStatus(StrEnum):
    REQUESTED = "requested"
    ELIGIBLE = "eligible"
    REFUSED = "refused"
    WAITLISTED = "waitlisted"
    ENROLLED = "enrolled"
    PARTICIPATING = "participating"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"  # assessed at the group's close, below the completion threshold
    DROPPED_OUT = "dropped_out"
    EXCLUDED = "excluded"
    WITHDRAWN = "withdrawn"
    ENDED_ON_RELEASE = "ended_on_release"


class ProgrammeEntry(_FileModel):
    """One referral to a programme, and what became of it."""

    referral_id: str
    programme_id: str
    programme_code: str | None = None
    programme_name: str | None = None
    objective_id: str
    requested_on: date
    status: ProgrammeStatus
    consent: bool | None = None
    group_id: str | None = None
    group_start_date: date | None = None
    group_end_date: date | None = None
    room: str | None = None
    waiting_since: date | None = None
    ended_on: date | None = None
    sessions_attended: int = 0
    sessions_counted: int = 0  # held sessions while a participant, excused absences aside
    attendance_rate: float | None = None
    completed: bool | None = None
    certificate_id: str | None = None
    certificate_issued_on: date | None = None
    sensitive: bool = False


# --- IPRO ----------------------------------------------------------------------------------------------


class ClassementStatus(StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"
    DECLASSIFIED = "declassified"


class Classement(_FileModel):
    status: ClassementStatus
    requested_on: date
    cpu_favourable: bool | None = None
    regimes: list[WorkRegime] = []
    decided_on: date | None = None


class Slot(_FileModel):
    weekday: Weekday
    starts_at: LocalTime
    ends_at: LocalTime


class Post(_FileModel):
    affectation_id: str
    post: str
    workshop: str
    employer: str
    regime: WorkRegime
    schedule: list[Slot]
    starts_on: date


class ContractStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class ContractEnd(StrEnum):
    """Why a contract ended: the contracts' reasons, or the release (which is none of them)."""

    AGREEMENT = "agreement"
    PERSON_REQUEST = "person_request"
    PROFESSIONAL_INADEQUACY = "professional_inadequacy"
    ECONOMIC_REASONS = "economic_reasons"
    DISCIPLINARY_DECISION = "disciplinary_decision"
    RELEASE = "release"


class Contract(_FileModel):
    contract_id: str
    post: str | None = None
    status: ContractStatus
    signed_on: date
    starts_on: date
    ends_on: date | None = None  # None: open-ended
    trial_days: int
    suspended_on: date | None = None
    suspension_reason: SuspensionReason | None = None
    ended_on: date | None = None
    end_reason: ContractEnd | None = None


class TrainingStatus(StrEnum):
    ENROLLED = "enrolled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"


class Training(_FileModel):
    training_id: str
    title: str
    body: str
    certification: str
    starts_on: date
    ends_on: date
    hours: int
    status: TrainingStatus
    certification_obtained: bool | None = None
    completed_on: date | None = None


class PositioningStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


class Positioning(_FileModel):
    positioning_id: str
    action_id: str
    action_title: str
    partner_id: str
    partner_name: str | None = None
    session_id: str
    starts_at: datetime
    ends_at: datetime
    place: str
    status: PositioningStatus
    outcome: PositioningOutcome | None = None


class GoalStep(_FileModel):
    step_id: str
    description: str | None = personal_data(default=None)  # free text: removed from pseudonymised readings
    status: GoalStatus


class Goal(_FileModel):
    goal_id: str
    description: str | None = personal_data(default=None)  # free text: removed from pseudonymised readings
    status: GoalStatus
    steps: list[GoalStep] = []


class LeaveStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    DONE = "done"


class Leave(_FileModel):
    leave_id: str
    kind: LeaveKind
    starts_on: date
    ends_on: date
    status: LeaveStatus


class ExitOutcome(_FileModel):
    situation: ExitSituation
    contract_type: ContractType | None = None


class Ipro(_FileModel):
    """The person's current (latest) professional-insertion pathway; trainings and positionings of every
    pathway they had."""

    pathway_id: str
    establishment: str
    opened_on: date
    synthesis_due_on: date
    synthesis_written_on: date | None = None
    readiness: ReadinessStatus | None = None
    classement: Classement | None = None
    post: Post | None = None  # the post the person holds now, if any
    contract: Contract | None = None  # the latest contract, ended or not
    trainings: list[Training] = []
    positionings: list[Positioning] = []
    goals: list[Goal] = []
    france_travail_registered_on: date | None = None
    leaves: list[Leave] = []
    exit_outcome: ExitOutcome | None = None
    closed_on: date | None = None


# --- what is due, what comes, what happened ------------------------------------------------------------


class DueKind(StrEnum):
    PLAN_REVIEW = "plan_review"
    INITIAL_ASSESSMENT = "initial_assessment"  # known once missed (its delay is the SPIP's setting)
    ANNUAL_ASSESSMENT = "annual_assessment"  # likewise
    IPRO_SYNTHESIS = "ipro_synthesis"
    CONTRACT_END = "contract_end"
    LEAVE_START = "leave_start"
    TRAINING_START = "training_start"
    TRAINING_END = "training_end"
    SENTENCE_END = "sentence_end"
    CONDITIONAL_RELEASE_ELIGIBILITY = "conditional_release_eligibility"


class DueItem(_FileModel):
    kind: DueKind
    due_on: date
    overdue: bool  # due before the local date of the file's `now`
    title: str = ""  # what it is about, when the kind does not say (a training's title, a leave's kind)
    part: Part


class UpcomingKind(StrEnum):
    PROGRAMME_SESSION = "programme_session"
    PARTNER_SESSION = "partner_session"
    SPIP_INTERVIEW = "spip_interview"  # a convocation to an interview with the CPIP
    TRAINING_START = "training_start"
    LEAVE = "leave"


class Upcoming(_FileModel):
    """A session or an appointment of the person from `now` on: a time slot, or whole days (trainings
    starting, leaves) with no `starts_at`."""

    kind: UpcomingKind
    on: date
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    ends_on: date | None = None
    title: str
    place: str = ""
    part: Part


class TimelineEntry(_FileModel):
    at: datetime
    service: str
    event_type: str
    sentence: str  # French, naming things as users know them; never free text that could name someone
    # The free text the event carries (a reason, a goal): removed when pseudonymised.
    detail: str | None = personal_data(default=None)
    actor_role: str
    actor_id: str | None = None  # shown to SPIP readings only
    part: Part


class PersonFile(_FileModel):
    subject_id: str
    identity: Identity | None = None
    case: Case | None = None
    ipro_adviser: str | None = None  # the adviser's (CIP) user id
    assessment: ValidatedAssessment | None = None
    assessment_in_progress: AssessmentInProgress | None = None
    plan: Plan | None = None
    programmes: list[ProgrammeEntry] = []
    ipro: Ipro | None = None
    due: list[DueItem] = []
    upcoming: list[Upcoming] = []
    timeline: list[TimelineEntry] = []
