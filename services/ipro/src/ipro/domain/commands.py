"""Commands of the IPRO domain, in the imperative: what the user asked, the ids the route made, and `today`
or `now` for rules that depend on time; configurable limits come as values. What a decision knows of other
aggregates and the replicas is never in a command: it is loaded by the handler (`facts.py`)."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.ipro import (
    ContractEndReason,
    ExitOutcome,
    GoalStatus,
    GoalStep,
    LeaveKind,
    PositioningOutcome,
    Profile,
    ReadinessStatus,
    SuspensionReason,
    WeeklySlot,
    WorkRegime,
)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- pathway ---
class OpenPathway(Command):
    """Opened on the person's admission date (the case's), counting the synthesis deadline from it."""

    pathway_id: str
    case_id: str
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
    today: date


class RecordCpuOpinion(Command):
    held_on: date
    favourable: bool
    opinion: str = ""
    today: date


class GrantClassement(Command):
    regimes: list[WorkRegime] = []
    today: date


class RefuseClassement(Command):
    reasons: str = ""
    appeal_information: str = ""
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


class EndWorkOnRelease(Command):
    """The release's: whatever post and contract the person holds end with their custody."""

    released_on: date


class HoldAdversarialHearing(Command):
    today: date


class Declassify(Command):
    reason: str
    today: date


# --- training ---
class EnrolInTraining(Command):
    training_id: str
    pathway_id: str
    body: str
    title: str
    certification: str = ""
    starts_on: date
    ends_on: date
    hours: int
    schedule: list[WeeklySlot]


class StartTraining(Command):
    today: date


class CompleteTraining(Command):
    certification_obtained: bool
    today: date


class DropOutOfTraining(Command):
    reason: str
    released: bool = False  # the release's, not an adviser's


# --- positioning ---
class Position(Command):
    positioning_id: str
    pathway_id: str
    action_id: str
    session_id: str
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
    released: bool = False  # the release's, not an adviser's


class CancelPositioning(Command):
    """The partner cancelled the session: the place ends, for the partner's reason."""

    reason: str


class FollowMovedSession(Command):
    """The partner moved the session to a new time: the place follows it, unless the person is booked then."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = ""
