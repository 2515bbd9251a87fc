"""Marie Lefèvre's (person-1) first three months in Arras across the four services, as her file's view hands
them to the fold: her case, assessment and plan; the PPR group she shares with Karim Benali (person-2, whose
seat and marks are in the group's stream); her work, training, positionings on a partner's action, goals and
a PMSMP. Dated from 1 December 2026 to 25 February 2027; `NOW` is 1 March 2027 at 10:00."""

from __future__ import annotations

from datetime import date, time, timedelta

from contracts.assessment import (
    Agreement,
    AssessmentKind,
    AssessmentStarted,
    AssessmentSubmitted,
    AssessmentValidated,
    CaseClosed,
    CaseOpened,
    CaseTransferred,
    ClosureReason,
    ContributionRequested,
    DeadlineKind,
    DeadlineMissed,
    DomainRating,
    ErasureReason,
    FactorLevel,
    FactorNature,
    Identity,
    IdentityCorrected,
    InterviewCancelled,
    InterviewHeld,
    InterviewRescheduled,
    InterviewScheduled,
    InterviewType,
    NeedDomain,
    Objective,
    ObjectiveStatus,
    ObjectiveStatusChanged,
    OffenceCategory,
    OffencesRecorded,
    PlanAdopted,
    PlanAgreementRecorded,
    PlanValidated,
    ReferentAssigned,
    RiskLevel,
    Sentence,
    SentenceUpdated,
    SubjectErased,
)
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
    SynthesisMissed,
    SynthesisWritten,
    TrainingCompleted,
    TrainingDroppedOut,
    TrainingEnrolled,
    TrainingStarted,
    WeeklySlot,
    WorkRegime,
)
from contracts.partners import ActionCreated, ActionType, OrganisationType, PartnerRegistered
from contracts.programmes import (
    AttendanceMark,
    AttendanceRecorded,
    CatchUpSessionAdded,
    CompletionCertificateIssued,
    ConsentRecorded,
    EligibilityOverridden,
    EligibilityRules,
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

from .file_events import ADVISER, CPIP, DIRECTION, DPIP, FACILITATOR, IPRO_HEAD, PARTNER, SYSTEM, Log, paris

PERSON = "person-1"
OTHER = "person-2"
ARRAS = "CP d'Arras"
PPR = "Programme de prévention de la récidive"

# The group's nine Tuesday sessions at 14:00 from 5 January 2027, the ninth a review session.
FIRST_SESSION = paris(2027, 1, 5, 14)
SESSIONS = [
    GroupSession(
        session_id=f"g1-s{n}",
        number=n,
        starts_at=FIRST_SESSION + timedelta(weeks=n - 1),
        ends_at=FIRST_SESSION + timedelta(weeks=n - 1, hours=2),
        room="Salle 3",
        review=n == 9,
    )
    for n in range(1, 10)
]
# Marie's marks, then Karim's, for the sessions held (the seventh was cancelled).
MARKS = {
    1: (AttendanceMark.PRESENT, AttendanceMark.ABSENT_UNEXCUSED),
    2: (AttendanceMark.PRESENT, AttendanceMark.ABSENT_UNEXCUSED),
    3: (AttendanceMark.LATE, AttendanceMark.PRESENT),
    4: (AttendanceMark.ABSENT_EXCUSED, AttendanceMark.PRESENT),
    5: (AttendanceMark.PRESENT, AttendanceMark.PRESENT),
    6: (AttendanceMark.ABSENT_UNEXCUSED, AttendanceMark.PRESENT),
    8: (AttendanceMark.PRESENT, AttendanceMark.ABSENT_UNEXCUSED),
}
SCHEDULE = [
    WeeklySlot(weekday=0, starts_at=time(8), ends_at=time(11, 30)),
    WeeklySlot(weekday=3, starts_at=time(8), ends_at=time(11, 30)),
]


def a_programme() -> ProgrammeCreated:
    return ProgrammeCreated(
        programme_id="ppr",
        definition=ProgrammeDefinition(
            code="PPR",
            name=PPR,
            kind=ProgrammeKind.STRUCTURED_PROGRAMME,
            format=ProgrammeFormat.COLLECTIVE,
            planned_sessions=8,
            review_session=True,
            session_minutes=120,
            group_min=6,
            group_max=10,
            completion_threshold=0.75,
        ),
    )


def a_case_opened(**overrides) -> CaseOpened:
    values = dict(
        case_id="case-1",
        subject_id=PERSON,
        identity=Identity(
            last_name="Lefèvre", first_names="Marie", birth_date=date(1990, 4, 2), ecrou_number="A12345"
        ),
        establishment=ARRAS,
        admission_date=date(2026, 12, 1),
        sentence=Sentence(
            short_sentence=False,
            total_length_months=30,
            expected_end_date=date(2029, 5, 31),
            conditional_release_eligibility_date=date(2027, 12, 1),
        ),
    )
    return CaseOpened(**{**values, **overrides})


def an_offences_recorded(**overrides) -> OffencesRecorded:
    """Recorded with the opening (restricted: read from `assessment.restricted`)."""
    values = dict(case_id="case-1", offence_categories=[OffenceCategory.THEFT, OffenceCategory.VIOLENCE])
    return OffencesRecorded(**{**values, **overrides})


def a_group_planned(**overrides) -> GroupPlanned:
    values = dict(
        group_id="group-1",
        programme_id="ppr",
        programme_version=1,
        establishment=ARRAS,
        room="Salle 3",
        facilitators=["Camille Animatrice"],
        start_date=date(2027, 1, 5),
        end_date=date(2027, 3, 2),
        pattern=WeeklyPattern(weekday=1, starts_at=time(14), duration_minutes=120),
        capacity=10,
        minimum=6,
        sessions=SESSIONS,
    )
    return GroupPlanned(**{**values, **overrides})


def a_referral_requested(**overrides) -> ReferralRequested:
    values = dict(
        referral_id="referral-1",
        programme_id="ppr",
        case_id="case-1",
        subject_id=PERSON,
        plan_id="plan-1",
        objective_id="objective-1",
        establishment=ARRAS,
    )
    return ReferralRequested(**{**values, **overrides})


def a_positioning_proposed(**overrides) -> PositioningProposed:
    values = dict(
        positioning_id="positioning-1",
        pathway_id="pathway-1",
        subject_id=PERSON,
        action_id="action-1",
        session_id="action-1-s2",
        partner_id="partner-1",
        starts_at=paris(2027, 3, 10, 10),
        ends_at=paris(2027, 3, 10, 12),
        title="Job dating",
        place="Salle polyvalente",
    )
    return PositioningProposed(**{**values, **overrides})


def a_training_enrolled(**overrides) -> TrainingEnrolled:
    values = dict(
        training_id="training-1",
        pathway_id="pathway-1",
        subject_id=PERSON,
        body="AFPA",
        title="Agent de propreté",
        certification="Titre professionnel APH",
        starts_on=date(2027, 1, 5),
        ends_on=date(2027, 3, 27),
        hours=280,
        schedule=[
            WeeklySlot(weekday=2, starts_at=time(13, 30), ends_at=time(17)),
            WeeklySlot(weekday=4, starts_at=time(13, 30), ends_at=time(17)),
        ],
    )
    return TrainingEnrolled(**{**values, **overrides})


def context(log: Log) -> None:
    """The catalogue entry, the partner and its action: context the person's events name."""
    log.add(a_programme(), by=SYSTEM, at=paris(2026, 12, 1, 8))
    log.add(
        PartnerRegistered(
            partner_id="partner-1",
            name="Avenir Emploi",
            siret="12345678901234",
            organisation_type=OrganisationType.ASSOCIATION,
        ),
        by=IPRO_HEAD,
    )
    log.add(
        ActionCreated(
            action_id="action-1",
            proposal_id="proposal-1",
            call_id="call-1",
            partner_id="partner-1",
            title="Job dating",
            action_type=ActionType.JOB_FORUM,
            theme="Espace citoyen",
            capacity_min=4,
            capacity_max=12,
        ),
        by=IPRO_HEAD,
    )


def a_quarter_in_arras() -> Log:
    log = Log()
    context(log)
    _admission(log)
    _december(log)
    _the_group(log)
    _january_to_february(log)
    return log


def _admission(log: Log) -> None:
    log.add(a_case_opened(), at=paris(2026, 12, 2, 9))
    log.add(an_offences_recorded(), at=paris(2026, 12, 2, 9))
    log.add(ReferentAssigned(case_id="case-1", referent="cpip-durand"), by=DPIP)
    log.add(
        PathwayOpened(
            pathway_id="pathway-1",
            case_id="case-1",
            subject_id=PERSON,
            establishment=ARRAS,
            opened_on=date(2026, 12, 2),
            synthesis_due_on=date(2026, 12, 9),
        ),
        by=ADVISER,
    )
    log.add(AdviserAssigned(pathway_id="pathway-1", adviser="cip-leroy"), by=IPRO_HEAD)


def _december(log: Log) -> None:
    log.add(
        AssessmentStarted(assessment_id="assessment-1", case_id="case-1", kind=AssessmentKind.INITIAL),
        at=paris(2026, 12, 3, 10),
    )
    log.add(ContributionRequested(assessment_id="assessment-1", contributor="psy-bernard"))
    log.add(
        SynthesisWritten(
            pathway_id="pathway-1",
            interview_held_on=date(2026, 12, 8),
            synthesis="Mme Lefèvre a travaillé dix ans dans le nettoyage industriel.",
        ),
        by=ADVISER,
        at=paris(2026, 12, 8, 15),
    )
    log.add(
        ReadinessChanged(
            pathway_id="pathway-1", status=ReadinessStatus.READY_TO_WORK, reason="Souhaite travailler vite"
        ),
        by=ADVISER,
    )
    log.add(
        ClassementRequested(
            work_id="work-1", pathway_id="pathway-1", subject_id=PERSON, requested_on=date(2026, 12, 10)
        ),
        by=ADVISER,
        at=paris(2026, 12, 10, 9),
    )
    log.add(
        AssessmentSubmitted(assessment_id="assessment-1", case_id="case-1", submitted_by="cpip-durand"),
        at=paris(2026, 12, 14, 11),
    )
    log.add(
        CpuOpinionRecorded(
            work_id="work-1", held_on=date(2026, 12, 15), favourable=True, opinion="Comportement adapté"
        ),
        by=DIRECTION,
        at=paris(2026, 12, 15, 14),
    )
    log.add(
        ClassementGranted(
            work_id="work-1",
            regimes=[WorkRegime.SERVICE_GENERAL, WorkRegime.CONCESSION],
            decided_on=date(2026, 12, 17),
        ),
        by=DIRECTION,
        at=paris(2026, 12, 17, 10),
    )
    log.add(
        AssessmentValidated(
            assessment_id="assessment-1",
            case_id="case-1",
            kind=AssessmentKind.INITIAL,
            validated_on=date(2026, 12, 18),
            overall_risk_level=RiskLevel.MODERATE,
            priority_axes=[NeedDomain.ATTITUDES, NeedDomain.EDUCATION_EMPLOYMENT],
            education_employment=DomainRating(
                domain=NeedDomain.EDUCATION_EMPLOYMENT,
                risk_factor=True,
                nature=FactorNature.DYNAMIC_STABLE,
                level=FactorLevel.MODERATE,
            ),
        ),
        by=DPIP,
        at=paris(2026, 12, 18, 16),
    )
    log.add(
        PlanAdopted(
            plan_id="plan-1",
            case_id="case-1",
            assessment_id="assessment-1",
            plan_version=1,
            objectives=[
                Objective(
                    objective_id="objective-2",
                    priority=2,
                    work_axis=NeedDomain.EDUCATION_EMPLOYMENT,
                    description="Accéder à un emploi en détention",
                ),
                Objective(
                    objective_id="objective-1",
                    priority=1,
                    work_axis=NeedDomain.ATTITUDES,
                    description="Travailler sur le passage à l'acte",
                ),
            ],
            review_date=date(2027, 2, 15),
        ),
        at=paris(2026, 12, 21, 10),
    )
    log.add(PlanAgreementRecorded(plan_id="plan-1", agreement=Agreement.AGREED))
    log.add(PlanValidated(plan_id="plan-1", plan_version=1), by=DPIP, at=paris(2026, 12, 22, 9))
    # The CPIP convenes the person for that morning, moves it a quarter of an hour later; a second appointment,
    # in January, is cancelled. The first is then held.
    for interview_id, starts_at in (
        ("interview-1", paris(2026, 12, 22, 10, 30)),
        ("interview-2", paris(2027, 1, 5)),
    ):
        log.add(
            InterviewScheduled(
                interview_id=interview_id,
                case_id="case-1",
                subject_id=PERSON,
                establishment=ARRAS,
                officer=CPIP.id,
                interview_type=InterviewType.FOLLOW_UP,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=45),
                place="Bureau SPIP 2",
            )
        )
    log.add(
        InterviewRescheduled(
            interview_id="interview-1",
            starts_at=paris(2026, 12, 22, 10, 45),
            ends_at=paris(2026, 12, 22, 11, 30),
            place="Bureau SPIP 1",
        )
    )
    log.add(InterviewCancelled(interview_id="interview-2"))
    log.add(
        InterviewHeld(
            interview_id="interview-1",
            case_id="case-1",
            held_on=date(2026, 12, 22),
            interview_type=InterviewType.FOLLOW_UP,
        ),
        at=paris(2026, 12, 22, 11),
    )


def _the_group(log: Log) -> None:
    log.add(a_group_planned(), by=FACILITATOR, at=paris(2026, 12, 23, 9))
    log.add(GroupOpened(group_id="group-1"), by=FACILITATOR)
    log.add(a_referral_requested(), at=paris(2026, 12, 28, 10))
    log.add(ReferralFoundEligible(referral_id="referral-1"))
    log.add(
        ConsentRecorded(referral_id="referral-1", given=True, recorded_on=date(2026, 12, 29)),
        at=paris(2026, 12, 29, 10),
    )
    log.add(ReferralEnrolled(referral_id="referral-1", group_id="group-1"), at=paris(2026, 12, 30, 9))
    log.add(ParticipantEnrolled(group_id="group-1", referral_id="referral-1", subject_id=PERSON))
    log.add(ParticipantEnrolled(group_id="group-1", referral_id="referral-2", subject_id=OTHER))
    log.add(
        EmployerInterviewHeld(
            work_id="work-1",
            interview_id="employer-interview-1",
            regime=WorkRegime.SERVICE_GENERAL,
            employer=ARRAS,
            post="Agent d'entretien",
            held_on=date(2026, 12, 30),
        ),
        by=ADVISER,
    )
    log.add(
        AffectationDecided(
            work_id="work-1",
            affectation_id="affectation-1",
            regime=WorkRegime.SERVICE_GENERAL,
            post="Agent d'entretien",
            workshop="Service général",
            employer=ARRAS,
            schedule=SCHEDULE,
            starts_on=date(2027, 1, 4),
        ),
        by=DIRECTION,
        at=paris(2026, 12, 31, 10),
    )


def attendance(session_number: int) -> AttendanceRecorded:
    mine, theirs = MARKS[session_number]
    return AttendanceRecorded(
        group_id="group-1",
        session_id=f"g1-s{session_number}",
        marks=[
            Mark(
                referral_id="referral-1",
                mark=mine,
                reason="Parloir" if mine == AttendanceMark.ABSENT_EXCUSED else "",
            ),
            Mark(
                referral_id="referral-2",
                mark=theirs,
                reason="Refus de Karim Benali" if theirs == AttendanceMark.ABSENT_UNEXCUSED else "",
            ),
        ],
    )


def _january_to_february(log: Log) -> None:
    log.add(
        ContractSigned(
            work_id="work-1",
            contract_id="contract-1",
            affectation_id="affectation-1",
            signed_on=date(2027, 1, 4),
            starts_on=date(2027, 1, 4),
            ends_on=date(2027, 6, 30),
            trial_days=14,
        ),
        by=ADVISER,
        at=paris(2027, 1, 4, 8),
    )
    log.add(a_training_enrolled(), by=ADVISER)
    log.add(GroupStarted(group_id="group-1", participants=8), by=FACILITATOR, at=paris(2027, 1, 5, 13, 55))
    log.add(ParticipationStarted(referral_id="referral-1", group_id="group-1"), by=FACILITATOR)
    for n in range(1, 7):
        log.add(attendance(n), by=FACILITATOR, at=SESSIONS[n - 1].ends_at + timedelta(minutes=30))
        if n == 1:
            log.add(TrainingStarted(training_id="training-1"), by=ADVISER, at=paris(2027, 1, 6, 13, 30))
            log.add(
                GoalSet(
                    pathway_id="pathway-1",
                    goal_id="goal-1",
                    description="Obtenir le titre professionnel d'agent de propreté",
                    steps=[
                        GoalStep(step_id="step-1", description="S'inscrire à la formation"),
                        GoalStep(step_id="step-2", description="Passer l'examen"),
                    ],
                ),
                by=ADVISER,
            )
            log.add(
                GoalStatusChanged(
                    pathway_id="pathway-1", goal_id="goal-1", step_id="step-1", status=GoalStatus.ACHIEVED
                ),
                by=ADVISER,
            )
        if n == 3:
            log.add(
                a_positioning_proposed(
                    positioning_id="positioning-2",
                    session_id="action-1-s1",
                    starts_at=paris(2027, 2, 10, 10),
                    ends_at=paris(2027, 2, 10, 12),
                ),
                by=ADVISER,
                at=paris(2027, 1, 20, 9),
            )
    # Session 6 was on 9 February.
    log.add(PositioningAttended(positioning_id="positioning-2"), by=PARTNER, at=paris(2027, 2, 10, 12, 30))
    log.add(
        GroupSessionCancelled(group_id="group-1", session_id="g1-s7", reason="Formation des animateurs"),
        by=FACILITATOR,
    )
    log.add(
        PositioningOutcomeRecorded(
            positioning_id="positioning-2",
            outcome=PositioningOutcome.INTERVIEW_OBTAINED,
            details="Entretien chez Propreté Nord",
        ),
        by=ADVISER,
        at=paris(2027, 2, 11, 9),
    )
    log.add(
        CatchUpSessionAdded(
            group_id="group-1",
            session=GroupSession(
                session_id="g1-c1",
                number=10,
                starts_at=paris(2027, 3, 4, 14),
                ends_at=paris(2027, 3, 4, 16),
                room="Salle 3",
                catch_up=True,
            ),
        ),
        by=FACILITATOR,
    )
    log.add(a_positioning_proposed(), by=ADVISER, at=paris(2027, 2, 15, 10))
    log.add(
        DeadlineMissed(
            deadline_id="case-1.plan_review.2027-02-15",
            case_id="case-1",
            kind=DeadlineKind.PLAN_REVIEW,
            due_on=date(2027, 2, 15),
            referent="cpip-durand",
            establishment=ARRAS,
        ),
        by=SYSTEM,
        at=paris(2027, 2, 16, 1),
    )
    log.add(PositioningConfirmed(positioning_id="positioning-1"), by=PARTNER, at=paris(2027, 2, 16, 11))
    log.add(
        LeaveRequested(
            pathway_id="pathway-1",
            leave_id="leave-1",
            kind=LeaveKind.PMSMP,
            starts_on=date(2027, 3, 15),
            ends_on=date(2027, 3, 19),
            purpose="Découverte du métier chez Propreté Nord",
        ),
        by=ADVISER,
        at=paris(2027, 2, 18, 10),
    )
    log.add(FranceTravailRegistered(pathway_id="pathway-1", registered_on=date(2027, 2, 18)), by=ADVISER)
    log.add(attendance(8), by=FACILITATOR, at=SESSIONS[7].ends_at + timedelta(minutes=30))
    log.add(
        GroupSessionMoved(
            group_id="group-1",
            session_id="g1-s9",
            starts_at=paris(2027, 3, 3, 10),
            ends_at=paris(2027, 3, 3, 12),
            room="Salle 5",
        ),
        by=FACILITATOR,
        at=paris(2027, 2, 24, 9),
    )
    log.add(
        LeaveDecided(pathway_id="pathway-1", leave_id="leave-1", approved=True),
        by=DIRECTION,
        at=paris(2027, 2, 25, 10),
    )


# --- after the quarter: to the release ---------------------------------------------------------------------

RELEASED_ON = date(2027, 6, 30)
AFTER_RELEASE = paris(2027, 7, 1, 10)


def a_thematic_action() -> ProgrammeCreated:
    return ProgrammeCreated(
        programme_id="addictions",
        definition=ProgrammeDefinition(
            code="ADDICTIONS",
            name="Addictions",
            kind=ProgrammeKind.THEMATIC_ACTION,
            format=ProgrammeFormat.COLLECTIVE,
            planned_sessions=4,
            session_minutes=90,
            group_min=4,
            group_max=8,
            completion_threshold=0.75,
            eligibility=EligibilityRules(risk_levels=[RiskLevel.HIGH]),
        ),
    )


def to_release(log: Log) -> Log:
    """From the quarter's end to her release on 30 June 2027: the PPR completed with its certificate, the
    contract suspended and resumed, a second plan version and a re-assessment, a thematic action refused then
    overridden and left, positionings moved, cancelled and withdrawn, a training dropped, a leave refused, the
    exit outcome; at the release, the contract, a referral and the goal end with the case and the pathway."""
    log.add(attendance_of("g1-s9", AttendanceMark.PRESENT), by=FACILITATOR, at=paris(2027, 3, 3, 12, 30))
    log.add(attendance_of("g1-c1", AttendanceMark.PRESENT), by=FACILITATOR, at=paris(2027, 3, 4, 16, 30))
    log.add(
        GroupClosed(group_id="group-1", closed_on=date(2027, 3, 5)), by=FACILITATOR, at=paris(2027, 3, 5, 9)
    )
    log.add(
        ParticipationAssessed(
            referral_id="referral-1",
            group_id="group-1",
            sessions_attended=7,
            sessions_counted=8,
            attendance_rate=0.875,
            completed=True,
        ),
        by=FACILITATOR,
    )
    log.add(
        CompletionCertificateIssued(
            referral_id="referral-1",
            certificate_id="certificate-1",
            subject_id=PERSON,
            programme_code="PPR",
            programme_name=PPR,
            group_id="group-1",
            establishment=ARRAS,
            start_date=date(2027, 1, 5),
            end_date=date(2027, 3, 5),
            sessions_attended=7,
            issued_on=date(2027, 3, 5),
        ),
        by=FACILITATOR,
    )
    log.add(
        ContractSuspended(
            work_id="work-1",
            contract_id="contract-1",
            reason=SuspensionReason.ILLNESS,
            suspended_on=date(2027, 3, 8),
        ),
        by=DIRECTION,
        at=paris(2027, 3, 8, 9),
    )
    log.add(
        PositioningNoShowRecorded(positioning_id="positioning-1"), by=PARTNER, at=paris(2027, 3, 10, 12, 30)
    )
    log.add(
        ContractResumed(work_id="work-1", contract_id="contract-1", resumed_on=date(2027, 3, 12)),
        by=DIRECTION,
        at=paris(2027, 3, 12, 9),
    )
    log.add(LeaveDone(pathway_id="pathway-1", leave_id="leave-1"), by=ADVISER, at=paris(2027, 3, 19, 18))
    log.add(
        ProfileRecorded(
            pathway_id="pathway-1",
            profile=Profile(education_level=EducationLevel.VOCATIONAL, health_restrictions="Dos fragile"),
        ),
        by=ADVISER,
        at=paris(2027, 3, 22, 10),
    )
    log.add(
        FollowUpInterviewHeld(
            pathway_id="pathway-1", interview_id="ipro-interview-1", held_on=date(2027, 3, 22), notes="RAS"
        ),
        by=ADVISER,
    )
    log.add(
        TrainingCompleted(
            training_id="training-1", certification_obtained=True, completed_on=date(2027, 3, 26)
        ),
        by=ADVISER,
        at=paris(2027, 3, 26, 17),
    )
    log.add(
        ObjectiveStatusChanged(
            plan_id="plan-1",
            objective_id="objective-2",
            status=ObjectiveStatus.ACHIEVED,
            reason="Poste obtenu",
        ),
        at=paris(2027, 3, 29, 10),
    )
    log.add(
        PlanAdopted(
            plan_id="plan-1",
            case_id="case-1",
            assessment_id="assessment-1",
            plan_version=2,
            objectives=[
                Objective(
                    objective_id="objective-1",
                    priority=1,
                    work_axis=NeedDomain.ATTITUDES,
                    description="Travailler sur le passage à l'acte",
                ),
                Objective(
                    objective_id="objective-3",
                    priority=2,
                    work_axis=NeedDomain.ALCOHOL_DRUGS,
                    description="Réduire la consommation d'alcool",
                ),
            ],
            review_date=date(2027, 9, 30),
        ),
        at=paris(2027, 4, 1, 10),
    )
    log.add(
        AssessmentStarted(assessment_id="assessment-2", case_id="case-1", kind=AssessmentKind.REASSESSMENT),
        at=paris(2027, 4, 2, 10),
    )
    log.add(AssessmentSubmitted(assessment_id="assessment-2", case_id="case-1", submitted_by="cpip-durand"))
    log.add(a_thematic_action(), by=SYSTEM, at=paris(2027, 4, 5, 9))
    log.add(
        a_referral_requested(referral_id="referral-3", programme_id="addictions", objective_id="objective-3"),
        at=paris(2027, 4, 5, 10),
    )
    log.add(ReferralRefused(referral_id="referral-3", failed_rules=["eligibility-risk-level"]))
    log.add(
        EligibilityOverridden(referral_id="referral-3", reason="Consommation récente"),
        by=DPIP,
        at=paris(2027, 4, 6, 10),
    )
    log.add(
        ConsentRecorded(referral_id="referral-3", given=True, recorded_on=date(2027, 4, 7)),
        at=paris(2027, 4, 7, 10),
    )
    log.add(
        a_group_planned(
            group_id="group-2",
            programme_id="addictions",
            room="Salle 1",
            start_date=date(2027, 5, 4),
            end_date=date(2027, 5, 25),
            sessions=[
                GroupSession(
                    session_id="g2-s1",
                    number=1,
                    starts_at=paris(2027, 5, 4, 10),
                    ends_at=paris(2027, 5, 4, 11, 30),
                    room="Salle 1",
                )
            ],
        ),
        by=FACILITATOR,
    )
    log.add(ReferralWaitlisted(referral_id="referral-3", group_id="group-2"), at=paris(2027, 4, 8, 10))
    log.add(ParticipantWaitlisted(group_id="group-2", referral_id="referral-3", subject_id=PERSON))
    log.add(
        a_positioning_proposed(
            positioning_id="positioning-3",
            session_id="action-1-s3",
            starts_at=paris(2027, 5, 12, 10),
            ends_at=paris(2027, 5, 12, 12),
        ),
        by=ADVISER,
        at=paris(2027, 4, 10, 10),
    )
    log.add(
        PositioningMoved(
            positioning_id="positioning-3",
            starts_at=paris(2027, 5, 19, 14),
            ends_at=paris(2027, 5, 19, 16),
            place="Salle B",
        ),
        by=PARTNER,
        at=paris(2027, 4, 20, 10),
    )
    log.add(
        SentenceUpdated(
            case_id="case-1",
            sentence=Sentence(short_sentence=False, total_length_months=30, expected_end_date=RELEASED_ON),
        ),
        at=paris(2027, 4, 22, 10),
    )
    log.add(
        ReferralWithdrawn(referral_id="referral-3", reason="Souhaite attendre"), at=paris(2027, 4, 26, 10)
    )
    log.add(ParticipantLeft(group_id="group-2", referral_id="referral-3", reason="Souhaite attendre"))
    log.add(
        PositioningCancelled(positioning_id="positioning-3", reason="Séance annulée par le partenaire"),
        by=PARTNER,
        at=paris(2027, 5, 3, 9),
    )
    log.add(
        a_training_enrolled(
            training_id="training-2",
            body="GRETA",
            title="Habilitation électrique",
            certification="",
            starts_on=date(2027, 5, 10),
            ends_on=date(2027, 5, 14),
            hours=35,
        ),
        by=ADVISER,
    )
    log.add(TrainingStarted(training_id="training-2"), by=ADVISER, at=paris(2027, 5, 10, 9))
    log.add(
        TrainingDroppedOut(training_id="training-2", reason="Horaires incompatibles"),
        by=ADVISER,
        at=paris(2027, 5, 12, 9),
    )
    log.add(
        a_positioning_proposed(
            positioning_id="positioning-4",
            session_id="action-1-s4",
            starts_at=paris(2027, 6, 9, 10),
            ends_at=paris(2027, 6, 9, 12),
        ),
        by=ADVISER,
    )
    log.add(
        PositioningWithdrawn(positioning_id="positioning-4", reason="Sortie proche"),
        by=ADVISER,
        at=paris(2027, 5, 20, 9),
    )
    log.add(
        PreliminaryInterviewHeld(work_id="work-1", contract_id="contract-1", held_on=date(2027, 5, 24)),
        by=ADVISER,
        at=paris(2027, 5, 24, 9),
    )
    log.add(
        a_referral_requested(referral_id="referral-4", objective_id="objective-1"), at=paris(2027, 6, 1, 10)
    )
    log.add(ReferralFoundEligible(referral_id="referral-4"))
    log.add(
        LeaveRequested(
            pathway_id="pathway-1",
            leave_id="leave-2",
            kind=LeaveKind.ESCORTED_PROFESSIONAL_LEAVE,
            starts_on=date(2027, 6, 10),
            ends_on=date(2027, 6, 10),
            purpose="Visite de Propreté Nord",
        ),
        by=ADVISER,
        at=paris(2027, 6, 2, 10),
    )
    log.add(
        LeaveDecided(pathway_id="pathway-1", leave_id="leave-2", approved=False, reason="Avis défavorable"),
        by=DIRECTION,
        at=paris(2027, 6, 4, 10),
    )
    log.add(
        ExitOutcomeRecorded(
            pathway_id="pathway-1",
            outcome=ExitOutcome(
                situation=ExitSituation.JOB, contract_type=ContractType.CDD, details="Propreté Nord, 6 mois"
            ),
        ),
        by=ADVISER,
        at=paris(2027, 6, 15, 10),
    )
    released = paris(2027, 6, 30, 9)
    log.add(CaseClosed(case_id="case-1", reason=ClosureReason.RELEASE, closed_on=RELEASED_ON), at=released)
    log.add(ReferralEndedOnRelease(referral_id="referral-4", released_on=RELEASED_ON), by=SYSTEM)
    log.add(
        ContractEndedOnRelease(
            work_id="work-1", contract_id="contract-1", affectation_id="affectation-1", ended_on=RELEASED_ON
        ),
        by=SYSTEM,
    )
    log.add(
        GoalStatusChanged(
            pathway_id="pathway-1", goal_id="goal-1", status=GoalStatus.ABANDONED, released=True
        ),
        by=SYSTEM,
    )
    log.add(
        PathwayClosed(
            pathway_id="pathway-1",
            closed_on=RELEASED_ON,
            outcome=ExitOutcome(situation=ExitSituation.JOB, contract_type=ContractType.CDD),
        ),
        by=SYSTEM,
    )
    return log


def attendance_of(session_id: str, mark: AttendanceMark) -> AttendanceRecorded:
    return AttendanceRecorded(
        group_id="group-1", session_id=session_id, marks=[Mark(referral_id="referral-1", mark=mark)]
    )


# --- other lives ------------------------------------------------------------------------------------------


def an_espace_referral(log: Log) -> Log:
    """Marie referred to an ESPACE-like (sensitive) programme and enrolled in its group, after the quarter."""
    log.add(
        ProgrammeCreated(
            programme_id="espace",
            definition=ProgrammeDefinition(
                code="ESPACE",
                name="ESPACE",
                kind=ProgrammeKind.STRUCTURED_PROGRAMME,
                format=ProgrammeFormat.COLLECTIVE,
                planned_sessions=6,
                session_minutes=120,
                group_min=2,
                group_max=6,
                completion_threshold=0.75,
                sensitive=True,
            ),
        ),
        by=SYSTEM,
        at=paris(2027, 2, 26, 9),
    )
    log.add(
        a_group_planned(
            group_id="group-3",
            programme_id="espace",
            room="Salle 7",
            sensitive=True,
            start_date=date(2027, 3, 8),
            end_date=date(2027, 3, 8),
            sessions=[
                GroupSession(
                    session_id="g3-s1",
                    number=1,
                    starts_at=paris(2027, 3, 8, 14),
                    ends_at=paris(2027, 3, 8, 16),
                    room="Salle 7",
                )
            ],
        ),
        by=DPIP,
    )
    log.add(a_referral_requested(referral_id="referral-5", programme_id="espace"), by=DPIP)
    log.add(ReferralFoundEligible(referral_id="referral-5"), by=DPIP)
    log.add(ConsentRecorded(referral_id="referral-5", given=True, recorded_on=date(2027, 2, 26)), by=DPIP)
    log.add(ReferralEnrolled(referral_id="referral-5", group_id="group-3"), by=DPIP)
    return log


def setbacks() -> Log:
    """Another life of Marie's, where things go wrong: a missed initial assessment, a transfer, a missed IPRO
    synthesis, a refused then granted classement, a contract ended for professional inadequacy and a
    declassification, programmes dropped, left on exclusion or not completed, a post ended by the release."""
    log = Log()
    context(log)
    log.add(a_group_planned(), by=FACILITATOR, at=paris(2026, 12, 1, 9))
    log.add(a_case_opened(), at=paris(2026, 12, 2, 9))
    log.add(an_offences_recorded(), at=paris(2026, 12, 2, 9))
    log.add(
        PathwayOpened(
            pathway_id="pathway-1",
            case_id="case-1",
            subject_id=PERSON,
            establishment=ARRAS,
            opened_on=date(2026, 12, 2),
            synthesis_due_on=date(2026, 12, 9),
        ),
        by=ADVISER,
    )
    log.add(
        SynthesisMissed(pathway_id="pathway-1", due_on=date(2026, 12, 9), adviser=None, establishment=ARRAS),
        by=SYSTEM,
        at=paris(2026, 12, 10, 1),
    )
    log.add(
        ClassementRequested(
            work_id="work-1", pathway_id="pathway-1", subject_id=PERSON, requested_on=date(2026, 12, 10)
        ),
        by=ADVISER,
        at=paris(2026, 12, 10, 9),
    )
    log.add(
        ClassementRefused(
            work_id="work-1",
            reasons="Incident disciplinaire récent",
            appeal_information="Recours devant le directeur interrégional sous deux mois",
            decided_on=date(2026, 12, 17),
        ),
        by=DIRECTION,
        at=paris(2026, 12, 17, 10),
    )
    for n, (referral, programme_id) in enumerate(
        [("referral-6", "ppr"), ("referral-7", "ppr"), ("referral-8", "ppr")], 1
    ):
        log.add(
            a_referral_requested(referral_id=referral, programme_id=programme_id),
            at=paris(2026, 12, 20, 9 + n),
        )
        log.add(ReferralFoundEligible(referral_id=referral))
        log.add(ConsentRecorded(referral_id=referral, given=True, recorded_on=date(2026, 12, 20)))
        log.add(ReferralEnrolled(referral_id=referral, group_id="group-1"))
    log.add(
        DeadlineMissed(
            deadline_id="case-1.initial_assessment.2027-01-02",
            case_id="case-1",
            kind=DeadlineKind.INITIAL_ASSESSMENT,
            due_on=date(2027, 1, 2),
            referent=None,
            establishment=ARRAS,
        ),
        by=SYSTEM,
        at=paris(2027, 1, 3, 1),
    )
    log.add(GroupStarted(group_id="group-1", participants=3), by=FACILITATOR, at=paris(2027, 1, 5, 13, 55))
    for referral in ("referral-6", "referral-7", "referral-8"):
        log.add(ParticipationStarted(referral_id=referral, group_id="group-1"), by=FACILITATOR)
    log.add(
        ReferralDroppedOut(referral_id="referral-6", reason="Ne souhaite plus venir"), at=paris(2027, 1, 8, 9)
    )
    log.add(
        ReferralExcluded(referral_id="referral-7", reason="Propos violents en séance"),
        by=DPIP,
        at=paris(2027, 1, 9, 9),
    )
    log.add(
        ClassementRequested(
            work_id="work-1", pathway_id="pathway-1", subject_id=PERSON, requested_on=date(2027, 1, 11)
        ),
        by=ADVISER,
        at=paris(2027, 1, 11, 9),
    )
    log.add(
        ClassementGranted(work_id="work-1", regimes=[WorkRegime.CONCESSION], decided_on=date(2027, 1, 14)),
        by=DIRECTION,
        at=paris(2027, 1, 14, 9),
    )
    log.add(
        AffectationDecided(
            work_id="work-1",
            affectation_id="affectation-1",
            regime=WorkRegime.CONCESSION,
            post="Opératrice de conditionnement",
            workshop="Atelier 2",
            employer="Pack Nord",
            schedule=SCHEDULE,
            starts_on=date(2027, 1, 18),
        ),
        by=DIRECTION,
    )
    log.add(
        ContractSigned(
            work_id="work-1",
            contract_id="contract-1",
            affectation_id="affectation-1",
            signed_on=date(2027, 1, 18),
            starts_on=date(2027, 1, 18),
            ends_on=None,
            trial_days=0,
        ),
        by=ADVISER,
        at=paris(2027, 1, 18, 8),
    )
    log.add(
        CaseTransferred(
            case_id="case-1", establishment="CP de Lille-Annœullin", transferred_on=date(2027, 2, 1)
        ),
        at=paris(2027, 2, 1, 9),
    )
    log.add(
        PreliminaryInterviewHeld(work_id="work-1", contract_id="contract-1", held_on=date(2027, 2, 3)),
        by=ADVISER,
        at=paris(2027, 2, 3, 9),
    )
    log.add(
        ContractEnded(
            work_id="work-1",
            contract_id="contract-1",
            reason=ContractEndReason.PROFESSIONAL_INADEQUACY,
            ended_on=date(2027, 2, 8),
        ),
        by=DIRECTION,
        at=paris(2027, 2, 8, 9),
    )
    log.add(
        AdversarialHearingHeld(work_id="work-1", held_on=date(2027, 2, 10)),
        by=DIRECTION,
        at=paris(2027, 2, 10, 9),
    )
    log.add(
        Declassified(work_id="work-1", decided_on=date(2027, 2, 12)), by=DIRECTION, at=paris(2027, 2, 12, 9)
    )
    log.add(  # one decision, one append: the same instant, recorded right after it
        DeclassificationReasonRecorded(work_id="work-1", reason="Refus répétés de travailler"),
        by=DIRECTION,
        at=paris(2027, 2, 12, 9),
    )
    log.add(
        GroupClosed(group_id="group-1", closed_on=date(2027, 3, 5)), by=FACILITATOR, at=paris(2027, 3, 5, 9)
    )
    log.add(
        ParticipationAssessed(
            referral_id="referral-8",
            group_id="group-1",
            sessions_attended=3,
            sessions_counted=8,
            attendance_rate=0.375,
            completed=False,
        ),
        by=FACILITATOR,
    )
    log.add(
        ClassementRequested(
            work_id="work-1", pathway_id="pathway-1", subject_id=PERSON, requested_on=date(2027, 4, 1)
        ),
        by=ADVISER,
        at=paris(2027, 4, 1, 9),
    )
    log.add(
        ClassementGranted(
            work_id="work-1", regimes=[WorkRegime.SERVICE_GENERAL], decided_on=date(2027, 4, 8)
        ),
        by=DIRECTION,
        at=paris(2027, 4, 8, 9),
    )
    log.add(
        AffectationDecided(
            work_id="work-1",
            affectation_id="affectation-2",
            regime=WorkRegime.SERVICE_GENERAL,
            post="Auxiliaire d'étage",
            workshop="Service général",
            employer=ARRAS,
            schedule=SCHEDULE,
            starts_on=date(2027, 4, 12),
        ),
        by=DIRECTION,
    )
    log.add(
        CaseClosed(case_id="case-1", reason=ClosureReason.END_OF_MEASURE, closed_on=date(2027, 4, 10)),
        at=paris(2027, 4, 10, 9),
    )
    log.add(
        AffectationEndedOnRelease(
            work_id="work-1", affectation_id="affectation-2", ended_on=date(2027, 4, 10)
        ),
        by=SYSTEM,
    )
    return log


def erased(log: Log) -> Log:
    """After her release, her identity corrected (a misspelt name), then her data erased on a court order, the
    day before `AFTER_RELEASE`."""
    corrected = a_case_opened().identity.model_copy(update={"last_name": "Lefebvre"})
    log.add(
        IdentityCorrected(case_id="case-1", identity=corrected, reason="Nom mal orthographié"),
        by=DPIP,
        at=paris(2027, 6, 30, 17),
    )
    log.add(
        SubjectErased(subject_id=PERSON, reason=ErasureReason.COURT_ORDER, erased_on=date(2027, 6, 30)),
        by=DPIP,
        at=paris(2027, 6, 30, 18),
    )
    return log
