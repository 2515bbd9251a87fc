"""Events of the IPRO service: each person's professional-insertion pathway (pôle IPRO, `DOMAIN.md`): profile
and readiness, access to work under French prison law (classement, affectation, contrat d'emploi
pénitentiaire), vocational training, positioning on partner actions, and exit preparation.

Version 2 of `ipro.work.affectation_decided` and `ipro.training.enrolled` types the weekly slots' times of day
as `LocalTime` (no offset); version 1, whose schema said `format: time`, is kept at the end of the module so
that the events it wrote are still read.

What only IPRO and the SPIP may read travels on `ipro.restricted` (ADR 25, issue 17 #3): since their second
versions, the synthesis, the profile (health restrictions), follow-up interviews (notes), a leave's decision
(a refusal's reasons), the CPU's opinion and a refused classement are restricted types; a declassification
stays shareable (the schedule ends the person's post with it) and its reason is an event of its own,
`ipro.work.declassification_reason_recorded`.

Every free text an adviser, the governor, the CPU or a partner writes about one person (a goal, a leave's
purpose, a reason, an outcome's details, the profile's lists) is personal data (`personal_text`): sealed with
the person's key in the events, read as erased once it is destroyed (ADR 24). A training's body and title, a
post, an employer and the appeal information of a refusal describe no one.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, ConfigDict, Field

from contracts.events import Event, Value, label, personal_data, text
from contracts.registry import upcaster
from contracts.times import LocalTime, Weekday, wall_clock_of_v1


def personal_text(max_length: int, *, required: bool = False) -> Any:
    """Free text written about one person: personal data, sealed with their key (empty unless filled in,
    or never empty when `required`)."""
    if required:
        return personal_data(min_length=1, max_length=max_length)
    return personal_data(default="", max_length=max_length)


class ReadinessStatus(StrEnum):
    SUPPORT_NEEDED = "support_needed"
    READY_TO_WORK = "ready_to_work"
    SUPPORT_DECLINED = "support_declined"
    NO_RIGHT_TO_WORK = "no_right_to_work"


class EducationLevel(StrEnum):
    NONE = "none"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"  # brevet
    VOCATIONAL = "vocational"  # CAP, BEP
    BACCALAUREATE = "baccalaureate"
    HIGHER = "higher"


class GoalStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"


class WorkRegime(StrEnum):
    SERVICE_GENERAL = "service_general"
    STATE_WORKSHOP = "state_workshop"  # SEP / RIEP
    CONCESSION = "concession"
    IAE_STRUCTURE = "iae_structure"
    ADAPTED_COMPANY = "adapted_company"


class SuspensionReason(StrEnum):
    """The closed list of reasons a contrat d'emploi pénitentiaire is suspended."""

    ILLNESS = "illness"
    WORK_ACCIDENT = "work_accident"
    DISCIPLINARY_SANCTION = "disciplinary_sanction"
    LACK_OF_WORK = "lack_of_work"
    JUDICIAL_EXTRACTION = "judicial_extraction"
    TRAINING_LEAVE = "training_leave"


class ContractEndReason(StrEnum):
    AGREEMENT = "agreement"
    PERSON_REQUEST = "person_request"  # the person's written request
    PROFESSIONAL_INADEQUACY = "professional_inadequacy"  # only after a preliminary interview
    ECONOMIC_REASONS = "economic_reasons"
    DISCIPLINARY_DECISION = "disciplinary_decision"


class PositioningOutcome(StrEnum):
    JOB_OFFER = "job_offer"
    INTERVIEW_OBTAINED = "interview_obtained"
    TRAINING_PLACE = "training_place"
    PMSMP_AGREED = "pmsmp_agreed"
    NONE = "none"


class LeaveKind(StrEnum):
    PMSMP = "pmsmp"  # période de mise en situation en milieu professionnel
    ESCORTED_PROFESSIONAL_LEAVE = "escorted_professional_leave"  # permission de sortir encadrée


class ExitSituation(StrEnum):
    JOB = "job"
    TRAINING = "training"
    JOB_SEEKER_FOLLOW_UP = "job_seeker_follow_up"
    NO_SOLUTION = "no_solution"
    NOT_RECORDED = "not_recorded"  # the case closed before anyone recorded it


class ContractType(StrEnum):
    CDI = "cdi"
    CDD = "cdd"
    TEMPORARY = "temporary"  # intérim
    IAE = "iae"
    OTHER = "other"


# --- values ------------------------------------------------------------------------------------------


class TargetTrade(Value):
    rome_code: str = Field(pattern=r"^[A-N][0-9]{4}$", description="the trade's ROME code (France Travail)")
    label: str = label()


class Profile(Value):
    education_level: EducationLevel
    qualifications: list[str] = personal_data(default_factory=list, max_length=30)
    work_experience: list[str] = personal_data(default_factory=list, max_length=30)
    languages: list[str] = personal_data(default_factory=list, max_length=20)
    driving_licence: bool = False
    target_trades: list[TargetTrade] = Field(default_factory=list, max_length=10)
    right_to_work: bool = True
    health_restrictions: str = personal_data(default="", max_length=1000)


class WeeklySlot(Value):
    """A recurring weekly time slot, local time (Europe/Paris)."""

    weekday: Weekday
    starts_at: LocalTime
    ends_at: LocalTime


class GoalStep(Value):
    step_id: str = Field(min_length=1, max_length=64)
    description: str = personal_text(1000, required=True)


class ExitOutcome(Value):
    situation: ExitSituation
    contract_type: ContractType | None = None
    details: str = personal_text(1000)


# --- pathway (stream type "pathway") ---------------------------------------------------------------


class PathwayOpened(Event):
    """One pathway per person and custody period: opened when the SPIP opens the case, or by an adviser."""

    event_type = "ipro.pathway.opened"

    pathway_id: str
    case_id: str
    subject_id: str
    establishment: str = label()
    opened_on: date
    synthesis_due_on: date


class AdviserAssigned(Event):
    event_type = "ipro.pathway.adviser_assigned"

    pathway_id: str
    adviser: str = Field(min_length=1, max_length=200, description="the referent adviser's (CIP) user id")


class SynthesisWritten(Event):
    """The written synthesis of the initial socio-professional interview."""

    event_type = "ipro.pathway.synthesis_written"
    schema_version = 2
    restricted = True  # what the person said of themselves: IPRO's and the SPIP's to read

    pathway_id: str
    interview_held_on: date
    synthesis: str = personal_data(min_length=1, max_length=8000)


class ProfileRecorded(Event):
    event_type = "ipro.pathway.profile_recorded"
    schema_version = 2
    restricted = True  # its health restrictions

    pathway_id: str
    profile: Profile


class ReadinessChanged(Event):
    event_type = "ipro.pathway.readiness_changed"

    pathway_id: str
    status: ReadinessStatus
    reason: str = personal_text(1000)


class FollowUpInterviewHeld(Event):
    event_type = "ipro.pathway.follow_up_interview_held"
    schema_version = 2
    restricted = True  # its notes

    pathway_id: str
    interview_id: str
    held_on: date
    notes: str = personal_data(default="", max_length=8000)


class GoalSet(Event):
    event_type = "ipro.pathway.goal_set"

    pathway_id: str
    goal_id: str
    description: str = personal_text(1000, required=True)
    steps: list[GoalStep] = Field(default_factory=list, max_length=20)


class GoalStatusChanged(Event):
    """A goal's, or one of its steps', status. `released`: no adviser decided it, the release abandoned the
    goals still active. A code, not about the person: in clear, it still reads once they are erased, while
    `reason`, free text, is sealed with their key (events written before said "released" there)."""

    event_type = "ipro.pathway.goal_status_changed"

    pathway_id: str
    goal_id: str
    step_id: str | None = None
    status: GoalStatus
    reason: str = personal_text(1000)
    released: bool = Field(default=False, description="the release ended it, not an adviser")


class FranceTravailRegistered(Event):
    event_type = "ipro.pathway.france_travail_registered"

    pathway_id: str
    registered_on: date


class LeaveRequested(Event):
    event_type = "ipro.pathway.leave_requested"

    pathway_id: str
    leave_id: str
    kind: LeaveKind
    starts_on: date
    ends_on: date
    purpose: str = personal_text(1000, required=True)


class LeaveDecided(Event):
    """The governor's decision on a PMSMP or an escorted professional leave."""

    event_type = "ipro.pathway.leave_decided"
    schema_version = 2
    restricted = True  # a refusal's reasons

    pathway_id: str
    leave_id: str
    approved: bool
    reason: str = personal_text(1000)


class LeaveDone(Event):
    event_type = "ipro.pathway.leave_done"

    pathway_id: str
    leave_id: str


class ExitOutcomeRecorded(Event):
    event_type = "ipro.pathway.exit_outcome_recorded"

    pathway_id: str
    outcome: ExitOutcome


class PathwayClosed(Event):
    """The case closed: the pathway ends with the outcome at release."""

    event_type = "ipro.pathway.closed"

    pathway_id: str
    closed_on: date
    outcome: ExitOutcome


class SynthesisMissed(Event):
    """Published once when a pathway's initial synthesis is past due (a stream per occurrence)."""

    event_type = "ipro.deadline.synthesis_missed"

    pathway_id: str
    due_on: date
    adviser: str | None
    establishment: str


# --- work (stream type "work", one per pathway) -----------------------------------------------------


class ClassementRequested(Event):
    """The person's written request to work."""

    event_type = "ipro.work.classement_requested"

    work_id: str
    pathway_id: str
    subject_id: str
    requested_on: date


class CpuOpinionRecorded(Event):
    """The commission pluridisciplinaire unique's advisory opinion."""

    event_type = "ipro.work.cpu_opinion_recorded"
    schema_version = 2
    restricted = True  # part of the multidisciplinary assessment

    work_id: str
    held_on: date
    favourable: bool
    opinion: str = personal_text(2000)


class ClassementGranted(Event):
    event_type = "ipro.work.classement_granted"

    work_id: str
    regimes: list[WorkRegime] = Field(min_length=1)
    decided_on: date


class ClassementRefused(Event):
    event_type = "ipro.work.classement_refused"
    schema_version = 2
    restricted = True  # its reasons

    work_id: str
    reasons: str = personal_text(2000, required=True)
    appeal_information: str = Field(min_length=1, max_length=1000)
    decided_on: date


class EmployerInterviewHeld(Event):
    event_type = "ipro.work.employer_interview_held"

    work_id: str
    interview_id: str
    regime: WorkRegime
    employer: str = label()
    post: str = label()
    held_on: date


class AffectationDecided(Event):
    """Assigned to a post by the governor."""

    event_type = "ipro.work.affectation_decided"
    schema_version = 2

    work_id: str
    affectation_id: str
    regime: WorkRegime
    post: str = label()
    workshop: str = label()
    employer: str = label()
    schedule: list[WeeklySlot] = Field(min_length=1, max_length=14)
    starts_on: date


class ContractSigned(Event):
    """The contrat d'emploi pénitentiaire, after an affectation."""

    event_type = "ipro.work.contract_signed"

    work_id: str
    contract_id: str
    affectation_id: str
    signed_on: date
    starts_on: date
    ends_on: date | None = Field(description="None: open-ended")
    trial_days: int = Field(ge=0)


class ContractSuspended(Event):
    event_type = "ipro.work.contract_suspended"

    work_id: str
    contract_id: str
    reason: SuspensionReason
    suspended_on: date


class ContractResumed(Event):
    event_type = "ipro.work.contract_resumed"

    work_id: str
    contract_id: str
    resumed_on: date


class PreliminaryInterviewHeld(Event):
    """Required before ending a contract for professional inadequacy."""

    event_type = "ipro.work.preliminary_interview_held"

    work_id: str
    contract_id: str
    held_on: date


class ContractEnded(Event):
    event_type = "ipro.work.contract_ended"

    work_id: str
    contract_id: str
    reason: ContractEndReason
    ended_on: date


class ContractEndedOnRelease(Event):
    """The person left custody: their running contract (active or suspended) ended with the release, by law,
    not for one of the reasons a contract is ended for (`ContractEnded`). Its post ends with it."""

    event_type = "ipro.work.contract_ended_on_release"

    work_id: str
    contract_id: str
    affectation_id: str
    ended_on: date


class AffectationEndedOnRelease(Event):
    """The person left custody before the contract of the post they were assigned was signed: the post ends."""

    event_type = "ipro.work.affectation_ended_on_release"

    work_id: str
    affectation_id: str
    ended_on: date


class AdversarialHearingHeld(Event):
    """The adversarial hearing (procédure contradictoire) a declassification requires."""

    event_type = "ipro.work.adversarial_hearing_held"

    work_id: str
    held_on: date


class Declassified(Event):
    """The person is no longer classed for work (their post ends with it); the reason follows in
    `DeclassificationReasonRecorded`."""

    event_type = "ipro.work.declassified"
    schema_version = 2

    work_id: str
    decided_on: date


class DeclassificationReasonRecorded(Event):
    """Why the person was declassified: appended right after `Declassified`, for IPRO and the SPIP."""

    event_type = "ipro.work.declassification_reason_recorded"
    restricted = True

    work_id: str
    reason: str = personal_text(2000, required=True)


# --- training (stream type "training") -------------------------------------------------------------


class TrainingEnrolled(Event):
    event_type = "ipro.training.enrolled"
    schema_version = 2

    training_id: str
    pathway_id: str
    subject_id: str
    body: str = label()
    title: str = label()
    certification: str = text(max_length=200)
    starts_on: date
    ends_on: date
    hours: int = Field(ge=1, le=3000)
    schedule: list[WeeklySlot] = Field(min_length=1, max_length=14)


class TrainingStarted(Event):
    event_type = "ipro.training.started"

    training_id: str


class TrainingCompleted(Event):
    event_type = "ipro.training.completed"

    training_id: str
    certification_obtained: bool
    completed_on: date


class TrainingDroppedOut(Event):
    """The person left the training before its end.

    `released`: the release ended it, not an adviser. A code in clear, read after the person's erasure; the
    release also writes "released" as the `reason` (required), which, sealed, reads as erased then."""

    event_type = "ipro.training.dropped_out"

    training_id: str
    reason: str = personal_text(1000, required=True)
    released: bool = Field(default=False, description="the release ended it, not an adviser")


# --- positioning on a partner action (stream type "positioning") -------------------------------------


class PositioningProposed(Event):
    """A place on a session; `title` (the action's) and `place` name it as users know it (empty in
    positionings proposed before they were recorded)."""

    event_type = "ipro.positioning.proposed"

    positioning_id: str
    pathway_id: str
    subject_id: str
    action_id: str
    session_id: str
    partner_id: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    title: str = text(max_length=200)
    place: str = text(max_length=200)


class PositioningConfirmed(Event):
    """The partner confirmed the place."""

    event_type = "ipro.positioning.confirmed"

    positioning_id: str


class PositioningAttended(Event):
    event_type = "ipro.positioning.attended"

    positioning_id: str


class PositioningNoShowRecorded(Event):
    event_type = "ipro.positioning.no_show_recorded"

    positioning_id: str


class PositioningOutcomeRecorded(Event):
    event_type = "ipro.positioning.outcome_recorded"

    positioning_id: str
    outcome: PositioningOutcome
    details: str = personal_text(1000)


class PositioningWithdrawn(Event):
    """The place given back before it was taken up.

    `released`: the release ended it, not an adviser. A code in clear, read after the person's erasure; the
    release also writes "released" as the `reason` (required), which, sealed, reads as erased then."""

    event_type = "ipro.positioning.withdrawn"

    positioning_id: str
    reason: str = personal_text(1000, required=True)
    released: bool = Field(default=False, description="the release ended it, not an adviser")


class PositioningMoved(Event):
    """The partner moved the session: the place follows it to its new time."""

    event_type = "ipro.positioning.moved"

    positioning_id: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = text(max_length=200)


class PositioningCancelled(Event):
    """The place ends through no one's decision at IPRO: the partner cancelled the session, or moved it to a
    time the person is booked elsewhere. `reason` says which."""

    event_type = "ipro.positioning.cancelled"

    positioning_id: str
    reason: str = personal_text(1000, required=True)


# --- superseded versions: read from the log and upcast, never written ----------------------------------


class WeeklySlotV1(Value):
    """A recurring weekly time slot, local time (Europe/Paris)."""

    model_config = ConfigDict(title="WeeklySlot")  # as version 1 was published

    weekday: Weekday
    starts_at: time
    ends_at: time


class AffectationDecidedV1(Event):
    """Assigned to a post by the governor."""

    model_config = ConfigDict(title="AffectationDecided")  # as version 1 was published

    event_type = "ipro.work.affectation_decided"
    schema_version = 1

    work_id: str
    affectation_id: str
    regime: WorkRegime
    post: str = label()
    workshop: str = label()
    employer: str = label()
    schedule: list[WeeklySlotV1] = Field(min_length=1, max_length=14)
    starts_on: date


class TrainingEnrolledV1(Event):
    model_config = ConfigDict(title="TrainingEnrolled")  # as version 1 was published

    event_type = "ipro.training.enrolled"
    schema_version = 1

    training_id: str
    pathway_id: str
    subject_id: str
    body: str = label()
    title: str = label()
    certification: str = text(max_length=200)
    starts_on: date
    ends_on: date
    hours: int = Field(ge=1, le=3000)
    schedule: list[WeeklySlotV1] = Field(min_length=1, max_length=14)


# Version 1 of these travelled on `ipro.events`, which every subscribing service may read; version 2 keeps
# what only IPRO and the SPIP may read on `ipro.restricted` (ADR 25). No real person's data was loaded under
# version 1 (issue 17), so the declassification's reason, which version 2 no longer carries, is dropped.


class SynthesisWrittenV1(Event):
    """The written synthesis of the initial socio-professional interview."""

    model_config = ConfigDict(title="SynthesisWritten")  # as version 1 was published

    event_type = "ipro.pathway.synthesis_written"
    schema_version = 1

    pathway_id: str
    interview_held_on: date
    synthesis: str = personal_data(min_length=1, max_length=8000)


class ProfileRecordedV1(Event):
    model_config = ConfigDict(title="ProfileRecorded")  # as version 1 was published

    event_type = "ipro.pathway.profile_recorded"
    schema_version = 1

    pathway_id: str
    profile: Profile


class FollowUpInterviewHeldV1(Event):
    model_config = ConfigDict(title="FollowUpInterviewHeld")  # as version 1 was published

    event_type = "ipro.pathway.follow_up_interview_held"
    schema_version = 1

    pathway_id: str
    interview_id: str
    held_on: date
    notes: str = personal_data(default="", max_length=8000)


class LeaveDecidedV1(Event):
    """The governor's decision on a PMSMP or an escorted professional leave."""

    model_config = ConfigDict(title="LeaveDecided")  # as version 1 was published

    event_type = "ipro.pathway.leave_decided"
    schema_version = 1

    pathway_id: str
    leave_id: str
    approved: bool
    reason: str = personal_text(1000)


class CpuOpinionRecordedV1(Event):
    """The commission pluridisciplinaire unique's advisory opinion."""

    model_config = ConfigDict(title="CpuOpinionRecorded")  # as version 1 was published

    event_type = "ipro.work.cpu_opinion_recorded"
    schema_version = 1

    work_id: str
    held_on: date
    favourable: bool
    opinion: str = personal_text(2000)


class ClassementRefusedV1(Event):
    model_config = ConfigDict(title="ClassementRefused")  # as version 1 was published

    event_type = "ipro.work.classement_refused"
    schema_version = 1

    work_id: str
    reasons: str = personal_text(2000, required=True)
    appeal_information: str = Field(min_length=1, max_length=1000)
    decided_on: date


class DeclassifiedV1(Event):
    model_config = ConfigDict(title="Declassified")  # as version 1 was published

    event_type = "ipro.work.declassified"
    schema_version = 1

    work_id: str
    reason: str = personal_text(2000, required=True)
    decided_on: date


def _same_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Only the topic changed (the type became restricted), not the shape."""
    return payload


upcaster(SynthesisWritten.event_type, from_version=1)(_same_payload)
upcaster(ProfileRecorded.event_type, from_version=1)(_same_payload)
upcaster(FollowUpInterviewHeld.event_type, from_version=1)(_same_payload)
upcaster(LeaveDecided.event_type, from_version=1)(_same_payload)
upcaster(CpuOpinionRecorded.event_type, from_version=1)(_same_payload)
upcaster(ClassementRefused.event_type, from_version=1)(_same_payload)


@upcaster(Declassified.event_type, from_version=1)
def _without_reason(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "reason"}


def _schedule_without_offsets(payload: dict[str, Any]) -> dict[str, Any]:
    """Only the schema changed, not the values: v1 wrote each time as "HH:MM:SS" (`time.isoformat()`), which v2
    reads as it is. A fraction or an offset, which v1's `format: time` let a client send, is dropped: the slot is
    the establishment's local time, as v1's description said."""
    schedule = [
        {
            **slot,
            "starts_at": wall_clock_of_v1(slot["starts_at"]),
            "ends_at": wall_clock_of_v1(slot["ends_at"]),
        }
        for slot in payload["schedule"]
    ]
    return {**payload, "schedule": schedule}


upcaster(AffectationDecided.event_type, from_version=1)(_schedule_without_offsets)
upcaster(TrainingEnrolled.event_type, from_version=1)(_schedule_without_offsets)
