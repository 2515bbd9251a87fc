"""Events of the programmes service: the SPIP's group programmes and thematic actions in detention, their
groups and sessions, who is referred to them and who takes part (RPO1, `DOMAIN.md`).

Groups and referrals of a *sensitive* programme (ESPACE) are appended `restricted`: the relay sends them to
`programmes.restricted` only. Facilitators' session notes are restricted whatever the programme.

Version 2 of `programmes.group.attendance_recorded` names each mark's participant and seals its reason with
their key (ADR 24's addendum on free texts); version 1, whose reasons are in clear, is kept at the end too.

Version 2 of `programmes.group.planned` types the pattern's time of day as `LocalTime` (no offset); version 1,
whose schema said `format: time`, is kept at the end of the module so that the events it wrote are still read.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from contracts.assessment import OffenceCategory, RiskLevel
from contracts.events import Event, Value, keyed_by, label, personal_data, text
from contracts.registry import upcaster
from contracts.times import LocalTime, Weekday, wall_clock_of_v1

# A partner organisation's id, as the partners service makes it (`partners.partner_id`).
OrganisationId = Annotated[str, StringConstraints(max_length=120, pattern=r"^[A-Za-z0-9-]+$")]


class ProgrammeKind(StrEnum):
    STRUCTURED_PROGRAMME = "structured_programme"
    THEMATIC_ACTION = "thematic_action"


class ProgrammeFormat(StrEnum):
    COLLECTIVE = "collective"
    INDIVIDUAL = "individual"


class AttendanceMark(StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT_EXCUSED = "absent_excused"
    ABSENT_UNEXCUSED = "absent_unexcused"
    EXCLUDED_FROM_SESSION = "excluded_from_session"


# --- values ------------------------------------------------------------------------------------------


class EligibilityRules(Value):
    """Who may take part, as data; an empty list or `None` sets no condition."""

    offence_categories: list[OffenceCategory] = Field(
        default_factory=list, description="at least one of these among the sentence's offences (PPR groups)"
    )
    short_sentence: bool | None = Field(default=None, description="true: short sentences only (ADERES)")
    risk_levels: list[RiskLevel] = Field(
        default_factory=list,
        description="the latest validated assessment's overall risk level is one of these",
    )
    establishments: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="held in one of these establishments (ESPACE runs in targeted ones)",
    )


class ProgrammeDefinition(Value):
    """A catalogue entry as of one version."""

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Z0-9_-]+$")
    name: str = label()
    kind: ProgrammeKind
    themes: list[str] = Field(default_factory=list, max_length=20)
    format: ProgrammeFormat
    description: str = text(max_length=4000)
    planned_sessions: int = Field(ge=1, le=100)
    review_session: bool = Field(
        default=False, description="a review session follows the planned ones (PPR: 8 + 1)"
    )
    session_minutes: int = Field(ge=15, le=480)
    group_min: int = Field(ge=1, le=100)
    group_max: int = Field(ge=1, le=100)
    facilitator_profile: str = text(max_length=1000)
    eligibility: EligibilityRules = Field(default_factory=EligibilityRules)
    completion_threshold: float = Field(gt=0, le=1, description="share of held sessions attended to complete")
    sensitive: bool = Field(default=False, description="ESPACE: groups and referrals visible to DPIPs only")


# A group session lasts at most this long (a moved one keeps its length): lists of sessions rely on it.
MAX_SESSION_MINUTES = 480


class WeeklyPattern(Value):
    """Sessions on one weekday at one local time, every `every_weeks` weeks, from the group's start date."""

    weekday: Weekday
    starts_at: LocalTime
    duration_minutes: int = Field(ge=15, le=MAX_SESSION_MINUTES)
    every_weeks: int = Field(default=1, ge=1, le=4)


class GroupSession(Value):
    session_id: str
    number: int = Field(ge=1)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    room: str = label()
    review: bool = False
    catch_up: bool = False


class Mark(Value):
    """One participant's mark. Its reason is about them, in a group's stream that no erasure's key seals: it is
    sealed with the participant's own key (`keyed_by`)."""

    model_config = keyed_by("subject_id")

    referral_id: str
    subject_id: str | None = Field(
        default=None,
        description="the participant, whose key seals the reason (none in marks recorded before version 2)",
    )
    mark: AttendanceMark
    reason: str = personal_data(default="", max_length=1000)


# --- programme (stream type "programme") -----------------------------------------------------------


class ProgrammeCreated(Event):
    event_type = "programmes.programme.created"

    programme_id: str
    definition: ProgrammeDefinition


class ProgrammeRevised(Event):
    """A new version of the entry; groups keep the version they were planned with."""

    event_type = "programmes.programme.revised"

    programme_id: str
    version: int = Field(ge=2)
    definition: ProgrammeDefinition


class ProgrammeWithdrawn(Event):
    event_type = "programmes.programme.withdrawn"

    programme_id: str
    reason: str = Field(min_length=1, max_length=1000)


# --- group (stream type "group") -------------------------------------------------------------------


class GroupPlanned(Event):
    """One run of a programme, with the sessions its weekly pattern generated."""

    event_type = "programmes.group.planned"
    schema_version = 2

    group_id: str
    programme_id: str
    programme_version: int = Field(ge=1)
    establishment: str = label()
    room: str = label()
    facilitators: list[str] = personal_data(min_length=1, max_length=10)
    start_date: date
    end_date: date
    pattern: WeeklyPattern
    capacity: int = Field(ge=1, le=100)
    minimum: int = Field(ge=1, le=100, description="the programme's minimum group size when planned")
    sensitive: bool = Field(default=False, description="a group of an ESPACE-like programme (DPIPs only)")
    sessions: list[GroupSession] = Field(min_length=1)
    partner_organisations: list[OrganisationId] = Field(
        default_factory=list,
        max_length=10,
        description="the partner organisations (their ids) the DPIP named to co-facilitate: their accounts run "
        "the group; a partner is never one of `facilitators`, whatever its user id",
    )


class GroupOpened(Event):
    """Open for enrolment."""

    event_type = "programmes.group.opened"

    group_id: str


class GroupStarted(Event):
    event_type = "programmes.group.started"

    group_id: str
    participants: int = Field(ge=0)
    below_minimum_reason: str = Field(
        default="", max_length=1000, description="a DPIP's reason to start anyway"
    )


class GroupSessionMoved(Event):
    event_type = "programmes.group.session_moved"

    group_id: str
    session_id: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    room: str = label()


class GroupSessionCancelled(Event):
    event_type = "programmes.group.session_cancelled"

    group_id: str
    session_id: str
    reason: str = Field(min_length=1, max_length=1000)


class CatchUpSessionAdded(Event):
    event_type = "programmes.group.catch_up_session_added"

    group_id: str
    session: GroupSession


class ParticipantEnrolled(Event):
    """A seat taken (from a placement or from the waiting list)."""

    event_type = "programmes.group.participant_enrolled"

    group_id: str
    referral_id: str
    subject_id: str


class ParticipantWaitlisted(Event):
    event_type = "programmes.group.participant_waitlisted"

    group_id: str
    referral_id: str
    subject_id: str


class ParticipantLeft(Event):
    """A seat (or a place on the waiting list) freed: drop-out, exclusion, withdrawal, release. `reason` says
    which (the referral's status: `dropped_out`, `excluded`, `withdrawn`, or `released`); why, written about
    the person, is the referral's own event's, sealed with their key. Events written before said why here."""

    event_type = "programmes.group.participant_left"

    group_id: str
    referral_id: str
    reason: str = Field(min_length=1, max_length=1000)


class AttendanceRecorded(Event):
    """The session was held; each participant's mark (a later record of the session replaces it)."""

    event_type = "programmes.group.attendance_recorded"
    schema_version = 2

    group_id: str
    session_id: str
    marks: list[Mark]


class FacilitatorNotesRecorded(Event):
    event_type = "programmes.group.facilitator_notes_recorded"
    restricted = True

    group_id: str
    session_id: str
    notes: str = personal_data(min_length=1, max_length=8000)


class GroupClosed(Event):
    event_type = "programmes.group.closed"

    group_id: str
    closed_on: date


# --- referral (stream type "referral"): orientation → inscription ------------------------------------


class ReferralRequested(Event):
    """A CPIP refers a person to a programme from an objective of their plan."""

    event_type = "programmes.referral.requested"

    referral_id: str
    programme_id: str
    case_id: str
    subject_id: str
    plan_id: str
    objective_id: str
    establishment: str = label()


class ReferralFoundEligible(Event):
    event_type = "programmes.referral.found_eligible"

    referral_id: str


class ReferralRefused(Event):
    """Ineligible: the rules the person's facts failed."""

    event_type = "programmes.referral.refused"

    referral_id: str
    failed_rules: list[str] = Field(min_length=1)


class EligibilityOverridden(Event):
    """A DPIP found the person suitable despite the failed rules."""

    event_type = "programmes.referral.eligibility_overridden"

    referral_id: str
    reason: str = personal_data(min_length=1, max_length=1000)


class ConsentRecorded(Event):
    """The person's answer: taking part is voluntary, and nobody is placed without consent."""

    event_type = "programmes.referral.consent_recorded"

    referral_id: str
    given: bool
    recorded_on: date


class ReferralWaitlisted(Event):
    event_type = "programmes.referral.waitlisted"

    referral_id: str
    group_id: str


class ReferralEnrolled(Event):
    event_type = "programmes.referral.enrolled"

    referral_id: str
    group_id: str


class ParticipationStarted(Event):
    event_type = "programmes.referral.participation_started"

    referral_id: str
    group_id: str


class ReferralDroppedOut(Event):
    event_type = "programmes.referral.dropped_out"

    referral_id: str
    reason: str = personal_data(min_length=1, max_length=1000)


class ReferralExcluded(Event):
    event_type = "programmes.referral.excluded"

    referral_id: str
    reason: str = personal_data(min_length=1, max_length=1000)


class ReferralWithdrawn(Event):
    event_type = "programmes.referral.withdrawn"

    referral_id: str
    reason: str = personal_data(min_length=1, max_length=1000)


class ReferralEndedOnRelease(Event):
    """The person's case closed on release: whatever was open ends, reason "released"."""

    event_type = "programmes.referral.ended_on_release"

    referral_id: str
    released_on: date


class ParticipationAssessed(Event):
    """At the group's close: attendance against the programme's completion threshold."""

    event_type = "programmes.referral.participation_assessed"

    referral_id: str
    group_id: str
    sessions_attended: int = Field(ge=0)
    sessions_counted: int = Field(
        ge=0, description="held sessions while a participant, excused absences aside"
    )
    attendance_rate: float = Field(ge=0, le=1)
    completed: bool


class CompletionCertificateIssued(Event):
    """The attestation de suivi given to a participant who completed the programme."""

    event_type = "programmes.referral.completion_certificate_issued"

    referral_id: str
    certificate_id: str
    subject_id: str
    programme_code: str
    programme_name: str = label()
    group_id: str
    establishment: str = label()
    start_date: date
    end_date: date
    sessions_attended: int
    issued_on: date


# --- superseded versions: read from the log and upcast, never written ----------------------------------


class WeeklyPatternV1(Value):
    """Sessions on one weekday at one local time, every `every_weeks` weeks, from the group's start date."""

    model_config = ConfigDict(title="WeeklyPattern")  # as version 1 was published

    weekday: Weekday
    starts_at: time = Field(description="local time (Europe/Paris)")
    duration_minutes: int = Field(ge=15, le=480)
    every_weeks: int = Field(default=1, ge=1, le=4)


class GroupPlannedV1(Event):
    """One run of a programme, with the sessions its weekly pattern generated."""

    model_config = ConfigDict(title="GroupPlanned")  # as version 1 was published

    event_type = "programmes.group.planned"
    schema_version = 1

    group_id: str
    programme_id: str
    programme_version: int = Field(ge=1)
    establishment: str = label()
    room: str = label()
    facilitators: list[str] = personal_data(min_length=1, max_length=10)
    start_date: date
    end_date: date
    pattern: WeeklyPatternV1
    capacity: int = Field(ge=1, le=100)
    minimum: int = Field(ge=1, le=100, description="the programme's minimum group size when planned")
    sensitive: bool = Field(default=False, description="a group of an ESPACE-like programme (DPIPs only)")
    sessions: list[GroupSession] = Field(min_length=1)


@upcaster(GroupPlanned.event_type, from_version=1)
def _pattern_time_without_offset(payload: dict[str, Any]) -> dict[str, Any]:
    """Only the schema changed, not the values: v1 wrote the time as "HH:MM:SS" (`time.isoformat()`), which v2
    reads as it is. A fraction or an offset, which v1's `format: time` let a client send, is dropped: sessions
    were generated at the wall-clock time in Europe/Paris whatever the offset said."""
    pattern = payload["pattern"]
    return {**payload, "pattern": {**pattern, "starts_at": wall_clock_of_v1(pattern["starts_at"])}}


class MarkV1(Value):
    model_config = ConfigDict(title="Mark")  # as version 1 was published

    referral_id: str
    mark: AttendanceMark
    reason: str = text(max_length=1000)


class AttendanceRecordedV1(Event):
    """The session was held; each participant's mark (a later record of the session replaces it)."""

    model_config = ConfigDict(title="AttendanceRecorded")  # as version 1 was published

    event_type = "programmes.group.attendance_recorded"
    schema_version = 1

    group_id: str
    session_id: str
    marks: list[MarkV1]


@upcaster(AttendanceRecorded.event_type, from_version=1)
def _marks_name_no_participant(payload: dict[str, Any]) -> dict[str, Any]:
    """Version 1's marks read as they are: no participant named (`subject_id` None), the reason as it was
    written, in clear in the log. A view that keeps it erases it with any participant's erasure
    (`kernel.sealing.erased_payload`): whose it is cannot be told from the event."""
    return payload
