"""Test builders with overrides, instead of copy-pasted dictionaries.

Everything is dated relative to `NOW`, Friday 27 November 2026 at 09:00 in Arras (`TODAY`). The default
person, Jean Martin ("person-1", case "case-1"), admitted today, has a pathway ("pathway-1") opened today,
whose initial synthesis is due five working days later, on Friday 4 December. They are released on 27 April
2027 (`RELEASE`), five months after today: inside the default six-month France Travail window.

Their week, local time: work on Mondays and Thursdays from 08:00 to 12:00 from Monday 7 December 2026
(`WORK_START`), open-ended; a training on Tuesdays and Fridays from 09:00 to 12:00 from Monday 4 January to
Friday 25 June 2027; a partner action's session on Wednesday 9 December 2026 from 10:00 to 12:00. None of them
collides with another.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from contracts import Event
from contracts.ipro import (
    AdversarialHearingHeld,
    AdviserAssigned,
    AffectationDecided,
    AffectationEndedOnRelease,
    ClassementGranted,
    ClassementRefused,
    ClassementRequested,
    ContractEnded,
    ContractEndedOnRelease,
    ContractEndReason,
    ContractResumed,
    ContractSigned,
    ContractSuspended,
    ContractType,
    CpuOpinionRecorded,
    DeclassificationReasonRecorded,
    Declassified,
    EducationLevel,
    EmployerInterviewHeld,
    ExitOutcome,
    ExitOutcomeRecorded,
    ExitSituation,
    FollowUpInterviewHeld,
    FranceTravailRegistered,
    GoalSet,
    GoalStatus,
    GoalStatusChanged,
    GoalStep,
    LeaveDecided,
    LeaveDone,
    LeaveKind,
    LeaveRequested,
    PathwayClosed,
    PathwayOpened,
    PositioningAttended,
    PositioningCancelled,
    PositioningConfirmed,
    PositioningMoved,
    PositioningNoShowRecorded,
    PositioningOutcome,
    PositioningOutcomeRecorded,
    PositioningProposed,
    PositioningWithdrawn,
    PreliminaryInterviewHeld,
    Profile,
    ProfileRecorded,
    ReadinessChanged,
    ReadinessStatus,
    SuspensionReason,
    SynthesisWritten,
    TargetTrade,
    TrainingCompleted,
    TrainingDroppedOut,
    TrainingEnrolled,
    TrainingStarted,
    WeeklySlot,
    WorkRegime,
)
from ipro.domain.commands import (
    AssignAdviser,
    CancelPositioning,
    ChangeGoalStatus,
    ChangeReadiness,
    ClosePathway,
    CompleteTraining,
    ConfirmPositioning,
    DecideAffectation,
    DecideLeave,
    Declassify,
    DropOutOfTraining,
    EndContract,
    EndWorkOnRelease,
    EnrolInTraining,
    FollowMovedSession,
    GrantClassement,
    HoldAdversarialHearing,
    HoldEmployerInterview,
    HoldFollowUpInterview,
    HoldPreliminaryInterview,
    MarkLeaveDone,
    OpenPathway,
    Position,
    RecordAttendance,
    RecordCpuOpinion,
    RecordExitOutcome,
    RecordPositioningOutcome,
    RecordProfile,
    RefuseClassement,
    RegisterWithFranceTravail,
    RequestClassement,
    RequestLeave,
    ResumeContract,
    SetGoal,
    SignContract,
    StartTraining,
    SuspendContract,
    WithdrawPositioning,
    WriteSynthesis,
)
from ipro.domain.facts import Booking, CaseFacts, Commitments, PathwayFacts, PlaceFacts, SessionFacts
from kernel.clock import LOCAL_TIME_ZONE

TODAY = date(2026, 11, 27)  # a Friday
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=LOCAL_TIME_ZONE)
ESTABLISHMENT = "Centre pénitentiaire d'Arras"
SYNTHESIS_DUE = date(2026, 12, 4)  # five working days after Friday 27 November
RELEASE = date(2027, 4, 27)  # five months after today
WINDOW_MONTHS = 6
LEAVE_START = date(2026, 12, 7)  # a Monday
LEAVE_END = date(2026, 12, 11)
WORK_START = date(2026, 12, 7)  # a Monday
TRIAL_CAP_DAYS = 30
TRAINING_START = date(2027, 1, 4)  # a Monday
TRAINING_END = date(2027, 6, 25)  # a Friday
SESSION_DAY = date(2026, 12, 9)  # a Wednesday
PERSON = "Jean Martin"
ACTION_TITLE = "Job dating"
SESSION_PLACE = "Salle polyvalente"
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


def days_from_today(days: int) -> date:
    return TODAY + timedelta(days=days)


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An instant of the establishment's calendar (Europe/Paris)."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TIME_ZONE)


def _with(values: dict, overrides: dict) -> dict:
    return {**values, **overrides}


def _time(value: int | time) -> time:
    return value if isinstance(value, time) else time(value)


def slot(weekday: int, starts_at: int | time, ends_at: int | time) -> WeeklySlot:
    """A weekly slot, local time; whole hours may be given as integers: `slot(MONDAY, 8, 12)`."""
    return WeeklySlot(weekday=weekday, starts_at=_time(starts_at), ends_at=_time(ends_at))


# --- facts: the person's case, the pathway things are arranged on, the person's bookings -----------------


def case_facts(**overrides) -> CaseFacts:
    """The default person's open case, released on `RELEASE`, followed by the CPIP "cpip-1"."""
    values = dict(
        case_id="case-1",
        subject_id="person-1",
        establishment=ESTABLISHMENT,
        open=True,
        expected_end_date=RELEASE,
        conditional_release_date=None,
        referent="cpip-1",
        admission_date=TODAY,
        person=PERSON,
    )
    return CaseFacts(**_with(values, overrides))


def on_the_pathway(**overrides) -> PathwayFacts:
    """The default person's open pathway, which their work file, trainings and positionings are arranged on."""
    values = dict(pathway_id="pathway-1", subject_id="person-1", closed=False, person=PERSON)
    return PathwayFacts(**_with(values, overrides))


ON_THE_PATHWAY = on_the_pathway()
AFTER_RELEASE = on_the_pathway(closed=True)


def booked(*bookings: Booking, **overrides) -> Commitments:
    """The open pathway, the person committed to `bookings` (none by default)."""
    values = dict(
        pathway_id="pathway-1", subject_id="person-1", closed=False, person=PERSON, bookings=list(bookings)
    )
    return Commitments(**_with(values, overrides))


def work_schedule() -> list[WeeklySlot]:
    """Mondays and Thursdays, 08:00 to 12:00."""
    return [slot(MONDAY, 8, 12), slot(THURSDAY, 8, 12)]


def training_schedule() -> list[WeeklySlot]:
    """Tuesdays and Fridays, 09:00 to 12:00."""
    return [slot(TUESDAY, 9, 12), slot(FRIDAY, 9, 12)]


def work_hours(**overrides) -> Booking:
    """The default post's weekly hours, as the person's bookings list them."""
    values = dict(
        kind="work", reference="affectation-1", starts_on=WORK_START, ends_on=None, slots=work_schedule()
    )
    return Booking(**_with(values, overrides))


def training_hours(**overrides) -> Booking:
    """The default training's weekly hours, as the person's bookings list them."""
    values = dict(
        kind="training",
        reference="training-1",
        starts_on=TRAINING_START,
        ends_on=TRAINING_END,
        slots=training_schedule(),
    )
    return Booking(**_with(values, overrides))


def a_positioned_session(**overrides) -> Booking:
    """Another partner action's session the person is positioned on, by default the default session's time."""
    values = dict(
        kind="action",
        reference="positioning-2",
        starts_at=local(SESSION_DAY, 10),
        ends_at=local(SESSION_DAY, 12),
    )
    return Booking(**_with(values, overrides))


# --- pathway ------------------------------------------------------------------------------------------------


def open_pathway(**overrides) -> OpenPathway:
    values = dict(pathway_id="pathway-1", case_id="case-1", today=TODAY, synthesis_working_days=5)
    return OpenPathway(**_with(values, overrides))


def a_pathway_opened(**overrides) -> PathwayOpened:
    values = dict(
        pathway_id="pathway-1",
        case_id="case-1",
        subject_id="person-1",
        establishment=ESTABLISHMENT,
        opened_on=TODAY,
        synthesis_due_on=SYNTHESIS_DUE,
    )
    return PathwayOpened(**_with(values, overrides))


def assign_adviser(**overrides) -> AssignAdviser:
    return AssignAdviser(**_with(dict(adviser="cip-1"), overrides))


def an_adviser_assigned(**overrides) -> AdviserAssigned:
    return AdviserAssigned(**_with(dict(pathway_id="pathway-1", adviser="cip-1"), overrides))


SYNTHESIS = "Entretien initial : expérience en restauration, souhaite préparer un CAP."


def write_synthesis(**overrides) -> WriteSynthesis:
    return WriteSynthesis(**_with(dict(interview_held_on=TODAY, synthesis=SYNTHESIS, today=TODAY), overrides))


def a_synthesis_written(**overrides) -> SynthesisWritten:
    values = dict(pathway_id="pathway-1", interview_held_on=TODAY, synthesis=SYNTHESIS)
    return SynthesisWritten(**_with(values, overrides))


def profile(**overrides) -> Profile:
    """A cook's helper with the right to work in France."""
    values = dict(
        education_level=EducationLevel.LOWER_SECONDARY,
        qualifications=["Brevet des collèges"],
        work_experience=["Commis de cuisine, 2 ans"],
        languages=["français", "arabe"],
        driving_licence=False,
        target_trades=[TargetTrade(rome_code="G1602", label="Personnel de cuisine")],
        right_to_work=True,
        health_restrictions="",
    )
    return Profile(**_with(values, overrides))


def record_profile(**overrides) -> RecordProfile:
    return RecordProfile(**_with(dict(profile=profile()), overrides))


def a_profile_recorded(**overrides) -> ProfileRecorded:
    return ProfileRecorded(**_with(dict(pathway_id="pathway-1", profile=profile()), overrides))


def change_readiness(**overrides) -> ChangeReadiness:
    return ChangeReadiness(**_with(dict(status=ReadinessStatus.SUPPORT_NEEDED, reason=""), overrides))


def a_readiness_changed(**overrides) -> ReadinessChanged:
    values = dict(pathway_id="pathway-1", status=ReadinessStatus.SUPPORT_NEEDED, reason="")
    return ReadinessChanged(**_with(values, overrides))


def hold_follow_up_interview(**overrides) -> HoldFollowUpInterview:
    values = dict(interview_id="interview-1", held_on=TODAY, notes="Point sur le CV", today=TODAY)
    return HoldFollowUpInterview(**_with(values, overrides))


def a_follow_up_interview_held(**overrides) -> FollowUpInterviewHeld:
    values = dict(pathway_id="pathway-1", interview_id="interview-1", held_on=TODAY, notes="Point sur le CV")
    return FollowUpInterviewHeld(**_with(values, overrides))


def goal_steps() -> list[GoalStep]:
    return [
        GoalStep(step_id="step-1", description="Rédiger un CV"),
        GoalStep(step_id="step-2", description="Simuler un entretien d'embauche"),
    ]


def set_goal(**overrides) -> SetGoal:
    values = dict(goal_id="goal-1", description="Trouver un emploi en restauration", steps=goal_steps())
    return SetGoal(**_with(values, overrides))


def a_goal_set(**overrides) -> GoalSet:
    values = dict(
        pathway_id="pathway-1",
        goal_id="goal-1",
        description="Trouver un emploi en restauration",
        steps=goal_steps(),
    )
    return GoalSet(**_with(values, overrides))


def change_goal_status(**overrides) -> ChangeGoalStatus:
    """The whole goal achieved, unless a step is named."""
    values = dict(goal_id="goal-1", step_id=None, status=GoalStatus.ACHIEVED)
    return ChangeGoalStatus(**_with(values, overrides))


def a_goal_status_changed(**overrides) -> GoalStatusChanged:
    values = dict(pathway_id="pathway-1", goal_id="goal-1", step_id=None, status=GoalStatus.ACHIEVED)
    return GoalStatusChanged(**_with(values, overrides))


def register_with_france_travail(**overrides) -> RegisterWithFranceTravail:
    values = dict(today=TODAY, window_months=WINDOW_MONTHS)
    return RegisterWithFranceTravail(**_with(values, overrides))


def a_france_travail_registration(**overrides) -> FranceTravailRegistered:
    return FranceTravailRegistered(**_with(dict(pathway_id="pathway-1", registered_on=TODAY), overrides))


def request_leave(**overrides) -> RequestLeave:
    """A week of PMSMP in a collective kitchen, starting on Monday 7 December."""
    values = dict(
        leave_id="leave-1",
        kind=LeaveKind.PMSMP,
        starts_on=LEAVE_START,
        ends_on=LEAVE_END,
        purpose="Stage en cuisine collective",
        today=TODAY,
    )
    return RequestLeave(**_with(values, overrides))


def a_leave_requested(**overrides) -> LeaveRequested:
    values = dict(
        pathway_id="pathway-1",
        leave_id="leave-1",
        kind=LeaveKind.PMSMP,
        starts_on=LEAVE_START,
        ends_on=LEAVE_END,
        purpose="Stage en cuisine collective",
    )
    return LeaveRequested(**_with(values, overrides))


def decide_leave(**overrides) -> DecideLeave:
    return DecideLeave(**_with(dict(leave_id="leave-1", approved=True, reason=""), overrides))


def a_leave_decided(**overrides) -> LeaveDecided:
    values = dict(pathway_id="pathway-1", leave_id="leave-1", approved=True, reason="")
    return LeaveDecided(**_with(values, overrides))


def mark_leave_done(**overrides) -> MarkLeaveDone:
    return MarkLeaveDone(**_with(dict(leave_id="leave-1", today=LEAVE_END), overrides))


def a_leave_done(**overrides) -> LeaveDone:
    return LeaveDone(**_with(dict(pathway_id="pathway-1", leave_id="leave-1"), overrides))


def exit_outcome(**overrides) -> ExitOutcome:
    """A fixed-term job as a cook's helper."""
    values = dict(situation=ExitSituation.JOB, contract_type=ContractType.CDD, details="Commis de cuisine")
    return ExitOutcome(**_with(values, overrides))


def record_exit_outcome(**overrides) -> RecordExitOutcome:
    return RecordExitOutcome(**_with(dict(outcome=exit_outcome()), overrides))


def an_exit_outcome_recorded(**overrides) -> ExitOutcomeRecorded:
    return ExitOutcomeRecorded(**_with(dict(pathway_id="pathway-1", outcome=exit_outcome()), overrides))


def close_pathway(**overrides) -> ClosePathway:
    return ClosePathway(**_with(dict(closed_on=RELEASE), overrides))


def a_pathway_closed(**overrides) -> PathwayClosed:
    values = dict(pathway_id="pathway-1", closed_on=RELEASE, outcome=exit_outcome())
    return PathwayClosed(**_with(values, overrides))


# Pathway histories: opened; followed (adviser, synthesis, profile, readiness, a goal); closed at release.
OPEN_PATHWAY: tuple[Event, ...] = (a_pathway_opened(),)
FOLLOWED_PATHWAY: tuple[Event, ...] = (
    *OPEN_PATHWAY,
    an_adviser_assigned(),
    a_synthesis_written(),
    a_profile_recorded(),
    a_readiness_changed(),
    a_goal_set(),
)
CLOSED_PATHWAY: tuple[Event, ...] = (*FOLLOWED_PATHWAY, an_exit_outcome_recorded(), a_pathway_closed())


# --- work ---------------------------------------------------------------------------------------------------


def request_classement(**overrides) -> RequestClassement:
    values = dict(work_id="work-1", pathway_id="pathway-1", today=TODAY)
    return RequestClassement(**_with(values, overrides))


def a_classement_requested(**overrides) -> ClassementRequested:
    values = dict(work_id="work-1", pathway_id="pathway-1", subject_id="person-1", requested_on=TODAY)
    return ClassementRequested(**_with(values, overrides))


def record_cpu_opinion(**overrides) -> RecordCpuOpinion:
    values = dict(held_on=TODAY, favourable=True, opinion="Avis favorable", today=TODAY)
    return RecordCpuOpinion(**_with(values, overrides))


def a_cpu_opinion_recorded(**overrides) -> CpuOpinionRecorded:
    values = dict(work_id="work-1", held_on=TODAY, favourable=True, opinion="Avis favorable")
    return CpuOpinionRecorded(**_with(values, overrides))


def grant_classement(**overrides) -> GrantClassement:
    """Classed for the service général and for concession work."""
    values = dict(regimes=[WorkRegime.CONCESSION, WorkRegime.SERVICE_GENERAL], today=TODAY)
    return GrantClassement(**_with(values, overrides))


def a_classement_granted(**overrides) -> ClassementGranted:
    values = dict(
        work_id="work-1", regimes=[WorkRegime.CONCESSION, WorkRegime.SERVICE_GENERAL], decided_on=TODAY
    )
    return ClassementGranted(**_with(values, overrides))


REFUSAL_REASONS = "Comportement incompatible avec le travail en atelier"
APPEAL = "Recours devant le tribunal administratif de Lille dans un délai de deux mois"


def refuse_classement(**overrides) -> RefuseClassement:
    values = dict(reasons=REFUSAL_REASONS, appeal_information=APPEAL, today=TODAY)
    return RefuseClassement(**_with(values, overrides))


def a_classement_refused(**overrides) -> ClassementRefused:
    values = dict(work_id="work-1", reasons=REFUSAL_REASONS, appeal_information=APPEAL, decided_on=TODAY)
    return ClassementRefused(**_with(values, overrides))


EMPLOYER = "Bourgeois Conditionnement"
POST = "Opérateur de conditionnement"
WORKSHOP = "Atelier 2"


def hold_employer_interview(**overrides) -> HoldEmployerInterview:
    values = dict(
        interview_id="interview-1",
        regime=WorkRegime.CONCESSION,
        employer=EMPLOYER,
        post=POST,
        held_on=TODAY,
        today=TODAY,
    )
    return HoldEmployerInterview(**_with(values, overrides))


def an_employer_interview_held(**overrides) -> EmployerInterviewHeld:
    values = dict(
        work_id="work-1",
        interview_id="interview-1",
        regime=WorkRegime.CONCESSION,
        employer=EMPLOYER,
        post=POST,
        held_on=TODAY,
    )
    return EmployerInterviewHeld(**_with(values, overrides))


def decide_affectation(**overrides) -> DecideAffectation:
    values = dict(
        affectation_id="affectation-1",
        regime=WorkRegime.CONCESSION,
        post=POST,
        workshop=WORKSHOP,
        employer=EMPLOYER,
        schedule=work_schedule(),
        starts_on=WORK_START,
    )
    return DecideAffectation(**_with(values, overrides))


def an_affectation_decided(**overrides) -> AffectationDecided:
    values = dict(
        work_id="work-1",
        affectation_id="affectation-1",
        regime=WorkRegime.CONCESSION,
        post=POST,
        workshop=WORKSHOP,
        employer=EMPLOYER,
        schedule=work_schedule(),
        starts_on=WORK_START,
    )
    return AffectationDecided(**_with(values, overrides))


def sign_contract(**overrides) -> SignContract:
    """An open-ended contract from the first day of work, with ten days of trial."""
    values = dict(
        contract_id="contract-1",
        affectation_id="affectation-1",
        starts_on=WORK_START,
        ends_on=None,
        trial_days=10,
        trial_cap_days=TRIAL_CAP_DAYS,
        today=TODAY,
    )
    return SignContract(**_with(values, overrides))


def a_contract_signed(**overrides) -> ContractSigned:
    values = dict(
        work_id="work-1",
        contract_id="contract-1",
        affectation_id="affectation-1",
        signed_on=TODAY,
        starts_on=WORK_START,
        ends_on=None,
        trial_days=10,
    )
    return ContractSigned(**_with(values, overrides))


def suspend_contract(**overrides) -> SuspendContract:
    return SuspendContract(**_with(dict(reason=SuspensionReason.ILLNESS, today=TODAY), overrides))


def a_contract_suspended(**overrides) -> ContractSuspended:
    values = dict(
        work_id="work-1", contract_id="contract-1", reason=SuspensionReason.ILLNESS, suspended_on=TODAY
    )
    return ContractSuspended(**_with(values, overrides))


def resume_contract(**overrides) -> ResumeContract:
    return ResumeContract(**_with(dict(today=TODAY), overrides))


def a_contract_resumed(**overrides) -> ContractResumed:
    values = dict(work_id="work-1", contract_id="contract-1", resumed_on=TODAY)
    return ContractResumed(**_with(values, overrides))


def hold_preliminary_interview(**overrides) -> HoldPreliminaryInterview:
    return HoldPreliminaryInterview(**_with(dict(today=TODAY), overrides))


def a_preliminary_interview_held(**overrides) -> PreliminaryInterviewHeld:
    values = dict(work_id="work-1", contract_id="contract-1", held_on=TODAY)
    return PreliminaryInterviewHeld(**_with(values, overrides))


def end_work_on_release(**overrides) -> EndWorkOnRelease:
    return EndWorkOnRelease(**_with(dict(released_on=RELEASE), overrides))


def a_contract_ended_on_release(**overrides) -> ContractEndedOnRelease:
    values = dict(
        work_id="work-1", contract_id="contract-1", affectation_id="affectation-1", ended_on=RELEASE
    )
    return ContractEndedOnRelease(**_with(values, overrides))


def an_affectation_ended_on_release(**overrides) -> AffectationEndedOnRelease:
    values = dict(work_id="work-1", affectation_id="affectation-1", ended_on=RELEASE)
    return AffectationEndedOnRelease(**_with(values, overrides))


def end_contract(**overrides) -> EndContract:
    return EndContract(**_with(dict(reason=ContractEndReason.AGREEMENT, today=TODAY), overrides))


def a_contract_ended(**overrides) -> ContractEnded:
    values = dict(
        work_id="work-1", contract_id="contract-1", reason=ContractEndReason.AGREEMENT, ended_on=TODAY
    )
    return ContractEnded(**_with(values, overrides))


def hold_adversarial_hearing(**overrides) -> HoldAdversarialHearing:
    return HoldAdversarialHearing(**_with(dict(today=TODAY), overrides))


def an_adversarial_hearing_held(**overrides) -> AdversarialHearingHeld:
    return AdversarialHearingHeld(**_with(dict(work_id="work-1", held_on=TODAY), overrides))


DECLASSIFICATION_REASON = "Refus de travail répété"


def declassify(**overrides) -> Declassify:
    return Declassify(**_with(dict(reason=DECLASSIFICATION_REASON, today=TODAY), overrides))


def a_declassification(**overrides) -> Declassified:
    return Declassified(**_with(dict(work_id="work-1", decided_on=TODAY), overrides))


def a_declassification_reason(**overrides) -> DeclassificationReasonRecorded:
    return DeclassificationReasonRecorded(
        **_with(dict(work_id="work-1", reason=DECLASSIFICATION_REASON), overrides)
    )


# Work histories, each the shortest that leaves the work file in the state its name says.
REQUESTED: tuple[Event, ...] = (a_classement_requested(),)
OPINION_GIVEN: tuple[Event, ...] = (*REQUESTED, a_cpu_opinion_recorded())
CLASSEMENT_REFUSED: tuple[Event, ...] = (*OPINION_GIVEN, a_classement_refused())
CLASSED: tuple[Event, ...] = (*OPINION_GIVEN, a_classement_granted())
INTERVIEWED: tuple[Event, ...] = (*CLASSED, an_employer_interview_held())
AFFECTED: tuple[Event, ...] = (*INTERVIEWED, an_affectation_decided())
UNDER_CONTRACT: tuple[Event, ...] = (*AFFECTED, a_contract_signed())
SUSPENDED: tuple[Event, ...] = (*UNDER_CONTRACT, a_contract_suspended())
CONTRACT_ENDED: tuple[Event, ...] = (*UNDER_CONTRACT, a_contract_ended())
HEARD: tuple[Event, ...] = (*CONTRACT_ENDED, an_adversarial_hearing_held())
DECLASSIFIED: tuple[Event, ...] = (*HEARD, a_declassification(), a_declassification_reason())


# --- training -----------------------------------------------------------------------------------------------


def enrol_in_training(**overrides) -> EnrolInTraining:
    values = dict(
        training_id="training-1",
        pathway_id="pathway-1",
        body="AFPA",
        title="CAP Agent polyvalent de restauration",
        certification="CAP APR",
        starts_on=TRAINING_START,
        ends_on=TRAINING_END,
        hours=420,
        schedule=training_schedule(),
    )
    return EnrolInTraining(**_with(values, overrides))


def a_training_enrolled(**overrides) -> TrainingEnrolled:
    values = dict(
        training_id="training-1",
        pathway_id="pathway-1",
        subject_id="person-1",
        body="AFPA",
        title="CAP Agent polyvalent de restauration",
        certification="CAP APR",
        starts_on=TRAINING_START,
        ends_on=TRAINING_END,
        hours=420,
        schedule=training_schedule(),
    )
    return TrainingEnrolled(**_with(values, overrides))


def start_training(**overrides) -> StartTraining:
    """Started on its first day."""
    return StartTraining(**_with(dict(today=TRAINING_START), overrides))


def a_training_started(**overrides) -> TrainingStarted:
    return TrainingStarted(**_with(dict(training_id="training-1"), overrides))


def complete_training(**overrides) -> CompleteTraining:
    return CompleteTraining(**_with(dict(certification_obtained=True, today=TRAINING_END), overrides))


def a_training_completed(**overrides) -> TrainingCompleted:
    values = dict(training_id="training-1", certification_obtained=True, completed_on=TRAINING_END)
    return TrainingCompleted(**_with(values, overrides))


def drop_out_of_training(**overrides) -> DropOutOfTraining:
    return DropOutOfTraining(**_with(dict(reason="Transféré dans un autre établissement"), overrides))


def a_training_dropped_out(**overrides) -> TrainingDroppedOut:
    values = dict(training_id="training-1", reason="Transféré dans un autre établissement")
    return TrainingDroppedOut(**_with(values, overrides))


TRAINING_ENROLLED: tuple[Event, ...] = (a_training_enrolled(),)
TRAINING_IN_PROGRESS: tuple[Event, ...] = (*TRAINING_ENROLLED, a_training_started())
TRAINING_COMPLETED: tuple[Event, ...] = (*TRAINING_IN_PROGRESS, a_training_completed())
TRAINING_DROPPED_OUT: tuple[Event, ...] = (*TRAINING_IN_PROGRESS, a_training_dropped_out())


# --- positioning --------------------------------------------------------------------------------------------

SESSION_START = local(SESSION_DAY, 10)
SESSION_END = local(SESSION_DAY, 12)
DURING_THE_SESSION = SESSION_START + timedelta(minutes=30)


def session_facts(**overrides) -> SessionFacts:
    """A published job-dating session with 3 of its 12 places taken."""
    values = dict(
        action_id="action-1",
        session_id="session-1",
        partner_id="partner-1",
        title=ACTION_TITLE,
        place=SESSION_PLACE,
        starts_at=SESSION_START,
        ends_at=SESSION_END,
        capacity=12,
        booked=3,
        cancelled=False,
        published=True,
        closed=False,
    )
    return SessionFacts(**_with(values, overrides))


def position(**overrides) -> Position:
    values = dict(
        positioning_id="positioning-1",
        pathway_id="pathway-1",
        action_id="action-1",
        session_id="session-1",
        now=NOW,
    )
    return Position(**_with(values, overrides))


def place(*bookings: Booking, **overrides) -> PlaceFacts:
    """The open pathway, the default session (places left), the person committed to `bookings` and not yet
    positioned on it."""
    values = dict(
        pathway_id="pathway-1",
        subject_id="person-1",
        closed=False,
        person=PERSON,
        bookings=list(bookings),
        session=session_facts(),
        already_positioned=False,
    )
    return PlaceFacts(**_with(values, overrides))


def a_positioning_proposed(**overrides) -> PositioningProposed:
    values = dict(
        positioning_id="positioning-1",
        pathway_id="pathway-1",
        subject_id="person-1",
        action_id="action-1",
        session_id="session-1",
        partner_id="partner-1",
        starts_at=SESSION_START,
        ends_at=SESSION_END,
        title=ACTION_TITLE,
        place=SESSION_PLACE,
    )
    return PositioningProposed(**_with(values, overrides))


def confirm_positioning() -> ConfirmPositioning:
    return ConfirmPositioning()


def a_positioning_confirmed(**overrides) -> PositioningConfirmed:
    return PositioningConfirmed(**_with(dict(positioning_id="positioning-1"), overrides))


def record_attendance(**overrides) -> RecordAttendance:
    return RecordAttendance(**_with(dict(attended=True, now=DURING_THE_SESSION), overrides))


def a_positioning_attended(**overrides) -> PositioningAttended:
    return PositioningAttended(**_with(dict(positioning_id="positioning-1"), overrides))


def a_no_show_recorded(**overrides) -> PositioningNoShowRecorded:
    return PositioningNoShowRecorded(**_with(dict(positioning_id="positioning-1"), overrides))


def record_positioning_outcome(**overrides) -> RecordPositioningOutcome:
    values = dict(outcome=PositioningOutcome.INTERVIEW_OBTAINED, details="Entretien chez le partenaire")
    return RecordPositioningOutcome(**_with(values, overrides))


def a_positioning_outcome_recorded(**overrides) -> PositioningOutcomeRecorded:
    values = dict(
        positioning_id="positioning-1",
        outcome=PositioningOutcome.INTERVIEW_OBTAINED,
        details="Entretien chez le partenaire",
    )
    return PositioningOutcomeRecorded(**_with(values, overrides))


def withdraw_positioning(**overrides) -> WithdrawPositioning:
    return WithdrawPositioning(**_with(dict(reason="Transfert vers un autre établissement"), overrides))


def a_positioning_withdrawn(**overrides) -> PositioningWithdrawn:
    values = dict(positioning_id="positioning-1", reason="Transfert vers un autre établissement")
    return PositioningWithdrawn(**_with(values, overrides))


def cancel_positioning(**overrides) -> CancelPositioning:
    return CancelPositioning(
        **_with(dict(reason="the partner cancelled the session: intervenant malade"), overrides)
    )


def a_positioning_cancelled(**overrides) -> PositioningCancelled:
    values = dict(
        positioning_id="positioning-1", reason="the partner cancelled the session: intervenant malade"
    )
    return PositioningCancelled(**_with(values, overrides))


def follow_moved_session(**overrides) -> FollowMovedSession:
    """The session moved to the next day (Thursday 10 December 2026), 14:00 to 16:00, in room B."""
    values = dict(
        starts_at=local(SESSION_DAY + timedelta(days=1), 14),
        ends_at=local(SESSION_DAY + timedelta(days=1), 16),
        place="Salle B",
    )
    return FollowMovedSession(**_with(values, overrides))


def a_positioning_moved(**overrides) -> PositioningMoved:
    values = dict(
        positioning_id="positioning-1",
        starts_at=local(SESSION_DAY + timedelta(days=1), 14),
        ends_at=local(SESSION_DAY + timedelta(days=1), 16),
        place="Salle B",
    )
    return PositioningMoved(**_with(values, overrides))


PROPOSED: tuple[Event, ...] = (a_positioning_proposed(),)
CONFIRMED: tuple[Event, ...] = (*PROPOSED, a_positioning_confirmed())
ATTENDED: tuple[Event, ...] = (*CONFIRMED, a_positioning_attended())
NO_SHOW: tuple[Event, ...] = (*CONFIRMED, a_no_show_recorded())
OUTCOME_RECORDED: tuple[Event, ...] = (*ATTENDED, a_positioning_outcome_recorded())
WITHDRAWN: tuple[Event, ...] = (*PROPOSED, a_positioning_withdrawn())
CANCELLED: tuple[Event, ...] = (*CONFIRMED, a_positioning_cancelled())
