"""Commands of the IPRO domain, in the imperative. Facts owned elsewhere come in the command (ADR 9): the
person's case from the replica of the assessment events (`CaseFacts`), their other bookings (`Bookings`),
a partner action's session from the replica of the partners events (`SessionFacts`). Rules that depend on
time carry `today` or `now`; configurable limits come as values."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.ipro import (
    ContractEndReason, ExitOutcome, GoalStatus, GoalStep, LeaveKind, PositioningOutcome, Profile, ReadinessStatus,
    SuspensionReason, WeeklySlot, WorkRegime,
)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CaseFacts(Command):
    case_id: str
    subject_id: str
    establishment: str
    open: bool
    expected_end_date: date | None = None
    conditional_release_date: date | None = None


class Booking(Command):
    """Something the person is already committed to: weekly hours over a period, or one session."""

    kind: str  # work, training, action
    reference: str
    starts_on: date | None = None
    ends_on: date | None = None  # None: open-ended
    slots: list[WeeklySlot] = []
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class SessionFacts(Command):
    action_id: str
    session_id: str
    partner_id: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int
    booked: int
    cancelled: bool
    published: bool
    closed: bool


# --- pathway ---
class OpenPathway(Command):
    pathway_id: str
    case: CaseFacts
    today: date
    synthesis_working_days: int


class AssignAdviser(Command):
    adviser: str


class WriteSynthesis(Command):
    interview_held_on: date
    synthesis: str
    today: date


class RecordProfile(Command):
    profile: Profile


class ChangeReadiness(Command):
    status: ReadinessStatus
    reason: str = ""


class HoldFollowUpInterview(Command):
    interview_id: str
    held_on: date
    notes: str = ""
    today: date


class SetGoal(Command):
    goal_id: str
    description: str
    steps: list[GoalStep] = []


class ChangeGoalStatus(Command):
    goal_id: str
    step_id: str | None = None
    status: GoalStatus


class RegisterWithFranceTravail(Command):
    case: CaseFacts
    today: date
    window_months: int


class RequestLeave(Command):
    leave_id: str
    kind: LeaveKind
    starts_on: date
    ends_on: date
    purpose: str
    today: date


class DecideLeave(Command):
    leave_id: str
    approved: bool
    reason: str = ""


class MarkLeaveDone(Command):
    leave_id: str
    today: date


class RecordExitOutcome(Command):
    outcome: ExitOutcome


class ClosePathway(Command):
    closed_on: date


# --- work ---
class RequestClassement(Command):
    work_id: str
    pathway_id: str
    subject_id: str
    today: date


class RecordCpuOpinion(Command):
    held_on: date
    favourable: bool
    opinion: str = ""
    today: date


class GrantClassement(Command):
    regimes: list[WorkRegime] = Field(min_length=1)
    today: date


class RefuseClassement(Command):
    reasons: str
    appeal_information: str
    today: date


class HoldEmployerInterview(Command):
    interview_id: str
    regime: WorkRegime
    employer: str
    post: str
    held_on: date
    today: date


class DecideAffectation(Command):
    affectation_id: str
    regime: WorkRegime
    post: str
    workshop: str
    employer: str
    schedule: list[WeeklySlot]
    starts_on: date
    bookings: list[Booking] = []


class SignContract(Command):
    contract_id: str
    affectation_id: str
    starts_on: date
    ends_on: date | None = None
    trial_days: int = Field(ge=0)
    trial_cap_days: int
    today: date


class SuspendContract(Command):
    reason: SuspensionReason
    today: date


class ResumeContract(Command):
    today: date


class HoldPreliminaryInterview(Command):
    today: date


class EndContract(Command):
    reason: ContractEndReason
    today: date


class HoldAdversarialHearing(Command):
    today: date


class Declassify(Command):
    reason: str
    today: date


# --- training ---
class EnrolInTraining(Command):
    training_id: str
    pathway_id: str
    subject_id: str
    body: str
    title: str
    certification: str = ""
    starts_on: date
    ends_on: date
    hours: int
    schedule: list[WeeklySlot]
    bookings: list[Booking] = []


class StartTraining(Command):
    pass


class CompleteTraining(Command):
    certification_obtained: bool
    today: date


class DropOutOfTraining(Command):
    reason: str


# --- positioning ---
class Position(Command):
    positioning_id: str
    pathway_id: str
    subject_id: str
    session: SessionFacts
    bookings: list[Booking] = []
    now: AwareDatetime


class ConfirmPositioning(Command):
    pass


class RecordAttendance(Command):
    attended: bool
    now: AwareDatetime


class RecordPositioningOutcome(Command):
    outcome: PositioningOutcome
    details: str = ""


class WithdrawPositioning(Command):
    reason: str
