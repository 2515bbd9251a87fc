"""Test builders with overrides, instead of copy-pasted dictionaries.

Everything is dated relative to `NOW`, Friday 27 November 2026 at 09:00 in Arras (`TODAY`). The default
programme is a PPR-like structured programme: 8 planned sessions and a review session of 120 minutes, for
groups of 6 to 10, completed at 75 % attendance. Its default group ("group-1") runs on Tuesdays at 14:00
from Tuesday 1 December 2026 to Friday 29 January 2027: nine sessions, the last one on 26 January. The
default person ("person-1", referral "referral-1") is eligible to the default programme: convicted of theft,
a long sentence, a moderate risk, held in Arras, with the objective "objective-1" in their plan.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from contracts import Event
from contracts.assessment import OffenceCategory, RiskLevel
from contracts.programmes import (
    AttendanceMark,
    AttendanceRecorded,
    CatchUpSessionAdded,
    CompletionCertificateIssued,
    ConsentRecorded,
    EligibilityOverridden,
    EligibilityRules,
    FacilitatorNotesRecorded,
    GroupClosed,
    GroupOpened,
    GroupPlanned,
    GroupSession,
    GroupSessionCancelled,
    GroupSessionMoved,
    GroupStarted,
    Mark,
    ParticipantEnrolled,
    ParticipantLeft,
    ParticipantWaitlisted,
    ParticipationAssessed,
    ParticipationStarted,
    ProgrammeCreated,
    ProgrammeDefinition,
    ProgrammeFormat,
    ProgrammeKind,
    ProgrammeRevised,
    ProgrammeWithdrawn,
    ReferralDroppedOut,
    ReferralEndedOnRelease,
    ReferralEnrolled,
    ReferralExcluded,
    ReferralFoundEligible,
    ReferralRefused,
    ReferralRequested,
    ReferralWaitlisted,
    ReferralWithdrawn,
    WeeklyPattern,
)
from kernel.clock import LOCAL_TIME_ZONE
from programmes.domain.commands import (
    AddCatchUpSession,
    AssessParticipation,
    CancelSession,
    CloseGroup,
    CreateProgramme,
    DropOut,
    EndOnRelease,
    Enrol,
    EnrolParticipant,
    Exclude,
    MoveSession,
    OpenGroup,
    OverrideEligibility,
    PlanGroup,
    RecordAttendance,
    RecordConsent,
    RemoveParticipant,
    RequestReferral,
    ReviseProgramme,
    StartGroup,
    StartParticipation,
    Waitlist,
    WaitlistParticipant,
    Withdraw,
    WithdrawProgramme,
)
from programmes.domain.facts import (
    Caller,
    CompletionFacts,
    PersonFacts,
    PlacementFacts,
    ProgrammeFacts,
    ReferralFacts,
    ReferralNames,
)
from programmes.domain.group import group
from programmes.domain.referral import ReferralStatus, certificate_id

TODAY = date(2026, 11, 27)  # a Friday
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=LOCAL_TIME_ZONE)
ESTABLISHMENT = "Centre pénitentiaire d'Arras"
ROOM = "Salle d'activités 1"
# The default person and programme, as refusals name them.
PERSON = "Karim Benali (écrou 41207)"
PROGRAMME = "PPR «Programme de prévention de la récidive»"
FACILITATORS = ["cpip-1", "psychologue-1"]
GROUP_START = date(2026, 12, 1)  # a Tuesday
GROUP_END = date(2027, 1, 29)
SESSION_DATES = [GROUP_START + timedelta(weeks=week) for week in range(9)]  # 1 December … 26 January
AFTER_THE_LAST_SESSION = datetime(2027, 1, 27, 9, 0, tzinfo=LOCAL_TIME_ZONE)


def days_from_today(days: int) -> date:
    return TODAY + timedelta(days=days)


def local(day: date, hour: int = 14, minute: int = 0) -> datetime:
    """An instant of the establishment's calendar (Europe/Paris)."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TIME_ZONE)


def _with(values: dict, overrides: dict) -> dict:
    return {**values, **overrides}


# --- programme --------------------------------------------------------------------------------------------


def eligibility_rules(**overrides) -> EligibilityRules:
    """No condition unless overridden."""
    return EligibilityRules(**overrides)


def ppr_rules(**overrides) -> EligibilityRules:
    """The default programme's rules, which the default person meets."""
    values = dict(
        offence_categories=[OffenceCategory.VIOLENCE, OffenceCategory.THEFT],
        risk_levels=[RiskLevel.MODERATE, RiskLevel.HIGH],
    )
    return EligibilityRules(**_with(values, overrides))


def ppr(**overrides) -> ProgrammeDefinition:
    values = dict(
        code="PPR",
        name="Programme de prévention de la récidive",
        kind=ProgrammeKind.STRUCTURED_PROGRAMME,
        themes=["violence"],
        format=ProgrammeFormat.COLLECTIVE,
        description="Groupe de parole structuré",
        planned_sessions=8,
        review_session=True,
        session_minutes=120,
        group_min=6,
        group_max=10,
        facilitator_profile="CPIP formé PPR et psychologue",
        eligibility=ppr_rules(),
        completion_threshold=0.75,
        sensitive=False,
    )
    return ProgrammeDefinition(**_with(values, overrides))


def create_programme(**overrides) -> CreateProgramme:
    return CreateProgramme(**_with(dict(programme_id="programme-1", definition=ppr()), overrides))


def a_programme_created(**overrides) -> ProgrammeCreated:
    return ProgrammeCreated(**_with(dict(programme_id="programme-1", definition=ppr()), overrides))


def a_revised_definition(**overrides) -> ProgrammeDefinition:
    """The default programme with one more planned session."""
    return ppr(**_with(dict(planned_sessions=9), overrides))


def revise_programme(**overrides) -> ReviseProgramme:
    return ReviseProgramme(**_with(dict(definition=a_revised_definition()), overrides))


def a_programme_revised(**overrides) -> ProgrammeRevised:
    values = dict(programme_id="programme-1", version=2, definition=a_revised_definition())
    return ProgrammeRevised(**_with(values, overrides))


def withdraw_programme(**overrides) -> WithdrawProgramme:
    return WithdrawProgramme(**_with(dict(reason="Remplacé par une nouvelle version"), overrides))


def a_programme_withdrawn(**overrides) -> ProgrammeWithdrawn:
    values = dict(programme_id="programme-1", reason="Remplacé par une nouvelle version")
    return ProgrammeWithdrawn(**_with(values, overrides))


def programme_facts(**overrides) -> ProgrammeFacts:
    """What the default programme, created and in the catalogue, tells groups and referrals."""
    values = dict(programme_id="programme-1", version=1, definition=ppr(), withdrawn=False)
    return ProgrammeFacts(**_with(values, overrides))


# --- person -----------------------------------------------------------------------------------------------


def person_facts(**overrides) -> PersonFacts:
    values = dict(
        case_id="case-1",
        subject_id="person-1",
        case_open=True,
        establishment=ESTABLISHMENT,
        short_sentence=False,
        offence_categories=[OffenceCategory.THEFT],
        overall_risk_level=RiskLevel.MODERATE,
        plan_objectives=["objective-1", "objective-2"],
        person=PERSON,
    )
    return PersonFacts(**_with(values, overrides))


# --- group ------------------------------------------------------------------------------------------------


def weekly_pattern(**overrides) -> WeeklyPattern:
    """Tuesdays at 14:00, two hours, every week."""
    values = dict(weekday=1, starts_at=time(14, 0), duration_minutes=120, every_weeks=1)
    return WeeklyPattern(**_with(values, overrides))


def plan_group(**overrides) -> PlanGroup:
    values = dict(
        group_id="group-1",
        programme_id="programme-1",
        establishment=ESTABLISHMENT,
        room=ROOM,
        facilitators=list(FACILITATORS),
        start_date=GROUP_START,
        end_date=GROUP_END,
        pattern=weekly_pattern(),
        capacity=10,
        today=TODAY,
    )
    return PlanGroup(**_with(values, overrides))


def a_session(number: int, **overrides) -> GroupSession:
    """Session `number` (1 to 9) of the default group, written by hand: 14:00 to 16:00 on its Tuesday."""
    starts_at = local(SESSION_DATES[number - 1])
    values = dict(
        session_id=f"group-1-s{number}",
        number=number,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=120),
        room=ROOM,
        review=number == 9,
    )
    return GroupSession(**_with(values, overrides))


def a_group_planned(**overrides) -> GroupPlanned:
    """The default group, planned by hand with its nine sessions."""
    values = dict(
        group_id="group-1",
        programme_id="programme-1",
        programme_version=1,
        establishment=ESTABLISHMENT,
        room=ROOM,
        facilitators=list(FACILITATORS),
        start_date=GROUP_START,
        end_date=GROUP_END,
        pattern=weekly_pattern(),
        capacity=10,
        minimum=6,
        sensitive=False,
        sessions=[a_session(number) for number in range(1, 10)],
    )
    return GroupPlanned(**_with(values, overrides))


def planned_by_the_decider(programme: ProgrammeFacts | None = None, **overrides) -> GroupPlanned:
    """The group `plan_group(**overrides)` plans from `programme` (the default one), as the decider generates it."""
    (planned,) = group.run(plan_group(**overrides), group.initial_state, programme or programme_facts())
    return planned


def open_group() -> OpenGroup:
    return OpenGroup()


def a_group_opened(**overrides) -> GroupOpened:
    return GroupOpened(**_with(dict(group_id="group-1"), overrides))


def start_group(**overrides) -> StartGroup:
    return StartGroup(**overrides)


# Who starts a group: a DPIP may start it below its minimum size, with a reason.
BY_A_DPIP = Caller(may_override=True)
BY_A_CPIP = Caller(may_override=False)


def a_group_started(**overrides) -> GroupStarted:
    return GroupStarted(**_with(dict(group_id="group-1", participants=6, below_minimum_reason=""), overrides))


def move_session(**overrides) -> MoveSession:
    """The first session, a day later."""
    values = dict(session_id="group-1-s1", starts_at=local(date(2026, 12, 2)), room=None, now=NOW)
    return MoveSession(**_with(values, overrides))


def a_session_moved(**overrides) -> GroupSessionMoved:
    values = dict(
        group_id="group-1",
        session_id="group-1-s1",
        starts_at=local(date(2026, 12, 2)),
        ends_at=local(date(2026, 12, 2), 16),
        room=ROOM,
    )
    return GroupSessionMoved(**_with(values, overrides))


def cancel_session(**overrides) -> CancelSession:
    values = dict(session_id="group-1-s1", reason="Mouvement social", now=NOW)
    return CancelSession(**_with(values, overrides))


def a_session_cancelled(**overrides) -> GroupSessionCancelled:
    values = dict(group_id="group-1", session_id="group-1-s1", reason="Mouvement social")
    return GroupSessionCancelled(**_with(values, overrides))


def add_catch_up_session(**overrides) -> AddCatchUpSession:
    """A Thursday afternoon between the first two sessions."""
    return AddCatchUpSession(**_with(dict(starts_at=local(date(2026, 12, 3)), room=None, now=NOW), overrides))


def a_catch_up_session(**overrides) -> GroupSession:
    starts_at = local(date(2026, 12, 3))
    values = dict(
        session_id="group-1-s10",
        number=10,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        room=ROOM,
        review=False,
        catch_up=True,
    )
    return GroupSession(**_with(values, overrides))


def a_catch_up_session_added(**overrides) -> CatchUpSessionAdded:
    return CatchUpSessionAdded(**_with(dict(group_id="group-1", session=a_catch_up_session()), overrides))


def enrol_participant(**overrides) -> EnrolParticipant:
    return EnrolParticipant(**_with(dict(referral_id="referral-1", subject_id="person-1"), overrides))


def a_participant_enrolled(**overrides) -> ParticipantEnrolled:
    values = dict(group_id="group-1", referral_id="referral-1", subject_id="person-1")
    return ParticipantEnrolled(**_with(values, overrides))


def participants_enrolled(count: int, first: int = 1) -> list[ParticipantEnrolled]:
    """Referrals `referral-{first}`… of people `person-{first}`…, enrolled in the default group."""
    return [
        a_participant_enrolled(referral_id=f"referral-{n}", subject_id=f"person-{n}")
        for n in range(first, first + count)
    ]


def waitlist_participant(**overrides) -> WaitlistParticipant:
    return WaitlistParticipant(**_with(dict(referral_id="referral-11", subject_id="person-11"), overrides))


def a_participant_waitlisted(**overrides) -> ParticipantWaitlisted:
    values = dict(group_id="group-1", referral_id="referral-11", subject_id="person-11")
    return ParticipantWaitlisted(**_with(values, overrides))


def remove_participant(**overrides) -> RemoveParticipant:
    return RemoveParticipant(**_with(dict(referral_id="referral-1", reason="dropped_out"), overrides))


def a_participant_left(**overrides) -> ParticipantLeft:
    values = dict(group_id="group-1", referral_id="referral-1", reason="dropped_out")
    return ParticipantLeft(**_with(values, overrides))


def a_mark(
    referral_id: str = "referral-1", mark: AttendanceMark = AttendanceMark.PRESENT, reason: str = ""
) -> Mark:
    return Mark(referral_id=referral_id, mark=mark, reason=reason)


def everyone(mark: AttendanceMark = AttendanceMark.PRESENT, count: int = 6) -> list[Mark]:
    """The same mark for the participants `referral-1` to `referral-{count}`."""
    return [a_mark(f"referral-{n}", mark) for n in range(1, count + 1)]


def during(number: int) -> datetime:
    """Half an hour into session `number` of the default group."""
    return a_session(number).starts_at + timedelta(minutes=30)


def record_attendance(**overrides) -> RecordAttendance:
    """Everyone present at the first session, recorded during it."""
    values = dict(session_id="group-1-s1", marks=everyone(), notes="", now=during(1))
    return RecordAttendance(**_with(values, overrides))


def an_attendance_recorded(**overrides) -> AttendanceRecorded:
    """The marks of `record_attendance`, each naming its participant as the group does (`referral-N` is
    `person-N`'s), whose key seals its reason."""
    values = _with(dict(group_id="group-1", session_id="group-1-s1", marks=everyone()), overrides)
    values["marks"] = [
        m
        if m.subject_id
        else m.model_copy(update={"subject_id": m.referral_id.replace("referral-", "person-")})
        for m in values["marks"]
    ]
    return AttendanceRecorded(**values)


def facilitator_notes_recorded(**overrides) -> FacilitatorNotesRecorded:
    values = dict(group_id="group-1", session_id="group-1-s1", notes="Groupe attentif")
    return FacilitatorNotesRecorded(**_with(values, overrides))


def every_session_recorded(mark: AttendanceMark = AttendanceMark.PRESENT, count: int = 6) -> list[Event]:
    return [
        an_attendance_recorded(session_id=f"group-1-s{n}", marks=everyone(mark, count)) for n in range(1, 10)
    ]


def close_group(**overrides) -> CloseGroup:
    return CloseGroup(**_with(dict(today=SESSION_DATES[-1] + timedelta(days=1)), overrides))


def a_group_closed(**overrides) -> GroupClosed:
    return GroupClosed(**_with(dict(group_id="group-1", closed_on=date(2027, 1, 27)), overrides))


# Group histories: planned, open with six participants, started with them, every session recorded, closed.
PLANNED_GROUP: tuple[Event, ...] = (a_group_planned(),)
OPEN_GROUP: tuple[Event, ...] = (*PLANNED_GROUP, a_group_opened())
ENROLLED_GROUP: tuple[Event, ...] = (*OPEN_GROUP, *participants_enrolled(6))
STARTED_GROUP: tuple[Event, ...] = (*ENROLLED_GROUP, a_group_started())
RECORDED_GROUP: tuple[Event, ...] = (*STARTED_GROUP, *every_session_recorded())
CLOSED_GROUP: tuple[Event, ...] = (*RECORDED_GROUP, a_group_closed())


# --- referral ---------------------------------------------------------------------------------------------


def request_referral(**overrides) -> RequestReferral:
    values = dict(
        referral_id="referral-1",
        programme_id="programme-1",
        case_id="case-1",
        plan_id="plan-1",
        objective_id="objective-1",
    )
    return RequestReferral(**_with(values, overrides))


def referral_facts(**overrides) -> ReferralFacts:
    """The default programme and the default person, who is eligible to it."""
    return ReferralFacts(**_with(dict(programme=programme_facts(), person=person_facts()), overrides))


def a_referral_requested(**overrides) -> ReferralRequested:
    values = dict(
        referral_id="referral-1",
        programme_id="programme-1",
        case_id="case-1",
        subject_id="person-1",
        plan_id="plan-1",
        objective_id="objective-1",
        establishment=ESTABLISHMENT,
    )
    return ReferralRequested(**_with(values, overrides))


def a_referral_found_eligible(**overrides) -> ReferralFoundEligible:
    return ReferralFoundEligible(**_with(dict(referral_id="referral-1"), overrides))


def a_referral_refused(**overrides) -> ReferralRefused:
    values = dict(referral_id="referral-1", failed_rules=["eligibility-risk-level"])
    return ReferralRefused(**_with(values, overrides))


def override_eligibility(**overrides) -> OverrideEligibility:
    return OverrideEligibility(**_with(dict(reason="Risque réévalué en commission"), overrides))


def an_eligibility_overridden(**overrides) -> EligibilityOverridden:
    values = dict(referral_id="referral-1", reason="Risque réévalué en commission")
    return EligibilityOverridden(**_with(values, overrides))


def record_consent(**overrides) -> RecordConsent:
    return RecordConsent(**_with(dict(given=True, today=TODAY), overrides))


def a_consent_recorded(**overrides) -> ConsentRecorded:
    return ConsentRecorded(**_with(dict(referral_id="referral-1", given=True, recorded_on=TODAY), overrides))


def enrol(**overrides) -> Enrol:
    return Enrol(**_with(dict(group_id="group-1"), overrides))


def placement_facts(**overrides) -> PlacementFacts:
    """The default group, of the default programme, not started yet; the default person placed in it."""
    values = dict(
        programme_id="programme-1",
        started=False,
        group="the group starting on Tuesday 1 December 2026",
        person=PERSON,
        programme=PROGRAMME,
    )
    return PlacementFacts(**_with(values, overrides))


def referral_names(**overrides) -> ReferralNames:
    """How refusals name the default referral: the default person, the default programme."""
    return ReferralNames(**_with(dict(person=PERSON, programme=PROGRAMME), overrides))


def a_referral_enrolled(**overrides) -> ReferralEnrolled:
    return ReferralEnrolled(**_with(dict(referral_id="referral-1", group_id="group-1"), overrides))


def waitlist(**overrides) -> Waitlist:
    return Waitlist(**_with(dict(group_id="group-1"), overrides))


def a_referral_waitlisted(**overrides) -> ReferralWaitlisted:
    return ReferralWaitlisted(**_with(dict(referral_id="referral-1", group_id="group-1"), overrides))


def start_participation(**overrides) -> StartParticipation:
    return StartParticipation(**_with(dict(group_id="group-1"), overrides))


def a_participation_started(**overrides) -> ParticipationStarted:
    return ParticipationStarted(**_with(dict(referral_id="referral-1", group_id="group-1"), overrides))


def drop_out(**overrides) -> DropOut:
    return DropOut(**_with(dict(reason="Ne souhaite plus participer"), overrides))


def a_referral_dropped_out(**overrides) -> ReferralDroppedOut:
    values = dict(referral_id="referral-1", reason="Ne souhaite plus participer")
    return ReferralDroppedOut(**_with(values, overrides))


def exclude(**overrides) -> Exclude:
    return Exclude(**_with(dict(reason="Violences envers un participant"), overrides))


def a_referral_excluded(**overrides) -> ReferralExcluded:
    return ReferralExcluded(
        **_with(dict(referral_id="referral-1", reason="Violences envers un participant"), overrides)
    )


def withdraw(**overrides) -> Withdraw:
    return Withdraw(**_with(dict(reason="Transfert prévu"), overrides))


def a_referral_withdrawn(**overrides) -> ReferralWithdrawn:
    return ReferralWithdrawn(**_with(dict(referral_id="referral-1", reason="Transfert prévu"), overrides))


def end_on_release(**overrides) -> EndOnRelease:
    return EndOnRelease(**_with(dict(released_on=TODAY), overrides))


def a_referral_ended_on_release(**overrides) -> ReferralEndedOnRelease:
    return ReferralEndedOnRelease(**_with(dict(referral_id="referral-1", released_on=TODAY), overrides))


def assess_participation(**overrides) -> AssessParticipation:
    return AssessParticipation(**_with(dict(group_id="group-1", today=date(2027, 1, 27)), overrides))


def completion_facts(**overrides) -> CompletionFacts:
    """Seven sessions attended out of eight counted: above the default threshold."""
    values = dict(
        programme_code="PPR",
        programme_name="Programme de prévention de la récidive",
        threshold=0.75,
        establishment=ESTABLISHMENT,
        start_date=GROUP_START,
        sessions_attended=7,
        sessions_counted=8,
    )
    return CompletionFacts(**_with(values, overrides))


def a_participation_assessed(**overrides) -> ParticipationAssessed:
    values = dict(
        referral_id="referral-1",
        group_id="group-1",
        sessions_attended=7,
        sessions_counted=8,
        attendance_rate=0.875,
        completed=True,
    )
    return ParticipationAssessed(**_with(values, overrides))


def a_certificate_issued(**overrides) -> CompletionCertificateIssued:
    values = dict(
        referral_id="referral-1",
        certificate_id=certificate_id("referral-1"),
        subject_id="person-1",
        programme_code="PPR",
        programme_name="Programme de prévention de la récidive",
        group_id="group-1",
        establishment=ESTABLISHMENT,
        start_date=GROUP_START,
        end_date=date(2027, 1, 27),
        sessions_attended=7,
        issued_on=date(2027, 1, 27),
    )
    return CompletionCertificateIssued(**_with(values, overrides))


def a_referral_history(status: ReferralStatus) -> tuple[Event, ...]:
    """The shortest history of the default referral that leaves it in `status`."""
    requested = (a_referral_requested(),)
    eligible = (*requested, a_referral_found_eligible())
    consented = (*eligible, a_consent_recorded())
    enrolled = (*consented, a_referral_enrolled())
    started = (*enrolled, a_participation_started())
    histories = {
        ReferralStatus.REQUESTED: requested,
        ReferralStatus.ELIGIBLE: eligible,
        ReferralStatus.REFUSED: (*requested, a_referral_refused()),
        ReferralStatus.WAITING: (*consented, a_referral_waitlisted()),
        ReferralStatus.ENROLLED: enrolled,
        ReferralStatus.STARTED: started,
        ReferralStatus.COMPLETED: (*started, a_participation_assessed(), a_certificate_issued()),
        ReferralStatus.NOT_COMPLETED: (
            *started,
            a_participation_assessed(sessions_attended=2, attendance_rate=0.25, completed=False),
        ),
        ReferralStatus.DROPPED_OUT: (*started, a_referral_dropped_out()),
        ReferralStatus.EXCLUDED: (*started, a_referral_excluded()),
        ReferralStatus.WITHDRAWN: (*eligible, a_referral_withdrawn()),
    }
    return histories[status]
