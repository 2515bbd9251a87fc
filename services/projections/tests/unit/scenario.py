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
    CaseOpened,
    ContributionRequested,
    DeadlineKind,
    DeadlineMissed,
    DomainRating,
    FactorLevel,
    FactorNature,
    Identity,
    InterviewHeld,
    InterviewType,
    NeedDomain,
    Objective,
    OffenceCategory,
    PlanAdopted,
    PlanAgreementRecorded,
    PlanValidated,
    ReferentAssigned,
    RiskLevel,
    Sentence,
)
from contracts.ipro import (
    AdviserAssigned,
    AffectationDecided,
    ClassementGranted,
    ClassementRequested,
    ContractSigned,
    CpuOpinionRecorded,
    EmployerInterviewHeld,
    FranceTravailRegistered,
    GoalSet,
    GoalStatus,
    GoalStatusChanged,
    GoalStep,
    LeaveDecided,
    LeaveKind,
    LeaveRequested,
    PathwayOpened,
    PositioningAttended,
    PositioningConfirmed,
    PositioningOutcome,
    PositioningOutcomeRecorded,
    PositioningProposed,
    ReadinessChanged,
    ReadinessStatus,
    SynthesisWritten,
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
    ConsentRecorded,
    GroupOpened,
    GroupPlanned,
    GroupSession,
    GroupSessionCancelled,
    GroupSessionMoved,
    GroupStarted,
    Mark,
    ParticipantEnrolled,
    ParticipationStarted,
    ProgrammeCreated,
    ProgrammeDefinition,
    ProgrammeFormat,
    ProgrammeKind,
    ReferralEnrolled,
    ReferralFoundEligible,
    ReferralRequested,
    WeeklyPattern,
)

from .file_events import ADVISER, DIRECTION, DPIP, FACILITATOR, IPRO_HEAD, PARTNER, SYSTEM, Log, paris

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
            offence_categories=[OffenceCategory.THEFT, OffenceCategory.VIOLENCE],
        ),
    )
    return CaseOpened(**{**values, **overrides})


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
