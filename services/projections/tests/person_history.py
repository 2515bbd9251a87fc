"""A person's months across the four services, as their topics carry them: the raw material of the person
file's tests. Two people share a programme group and an action, so that each file can be checked for not
holding the other's facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from contracts import Actor, EventEnvelope
from contracts.assessment import (
    AssessmentKind,
    AssessmentStarted,
    AssessmentValidated,
    CaseOpened,
    ContributionRequested,
    ErasureReason,
    Identity,
    InterviewHeld,
    InterviewType,
    NeedDomain,
    Objective,
    OffenceCategory,
    OffencesRecorded,
    PlanAdopted,
    ReferentAssigned,
    RiskLevel,
    Sentence,
    SubjectErased,
)
from contracts.ipro import (
    AdviserAssigned,
    ClassementGranted,
    ClassementRequested,
    PathwayOpened,
    PositioningConfirmed,
    PositioningProposed,
    TrainingEnrolled,
    WeeklySlot,
    WorkRegime,
)
from contracts.partners import ActionCreated, ActionType, OrganisationType, PartnerRegistered
from contracts.programmes import (
    AttendanceMark,
    AttendanceRecorded,
    GroupPlanned,
    GroupSession,
    Mark,
    ParticipantEnrolled,
    ProgrammeCreated,
    ProgrammeDefinition,
    ProgrammeFormat,
    ProgrammeKind,
    ReferralEnrolled,
    ReferralRequested,
    WeeklyPattern,
)
from services.projections.tests.builders import History

CPIP = Actor(subject="cpip-durand", role="cpip")
DPIP = Actor(subject="dpip-1", role="dpip")
ADVISER = Actor(subject="cip-leroy", role="ipro_conseiller")
FACILITATOR = Actor(subject="anim-1", role="cpip")
START = datetime(2031, 1, 6, 8, 0, tzinfo=UTC)


def two_people() -> History:
    """Marie Lefèvre (person-1) and Karim Benali (person-2), from admission to a programme group they share
    and a partner action; person-1 also works and trains. Events are a minute apart, in this order."""
    h = History(start=START)
    for n, (last, first, ecrou) in enumerate(
        [("Lefèvre", "Marie", "A12345"), ("Benali", "Karim", "B67890")], 1
    ):
        person, case = f"person-{n}", f"case-{n}"
        h.record(
            "case",
            case,
            CaseOpened(
                case_id=case,
                subject_id=person,
                identity=Identity(
                    last_name=last, first_names=first, birth_date=date(1990, n, 1), ecrou_number=ecrou
                ),
                establishment="CP d'Arras",
                admission_date=date(2031, 1, 5),
                sentence=Sentence(
                    short_sentence=False, total_length_months=30, expected_end_date=date(2033, 6, 30)
                ),
            ),
            subject=person,
            actor=CPIP,
        )
        h.record(  # on `assessment.restricted`
            "case",
            case,
            OffencesRecorded(case_id=case, offence_categories=[OffenceCategory.VIOLENCE]),
            subject=person,
            actor=CPIP,
        )
        h.record(
            "case", case, ReferentAssigned(case_id=case, referent="cpip-durand"), subject=person, actor=CPIP
        )
    # An assessment read before its case would be, by a consumer of another partition: no subject on it.
    h.record(
        "assessment",
        "assessment-1",
        AssessmentStarted(assessment_id="assessment-1", case_id="case-1", kind=AssessmentKind.INITIAL),
        actor=CPIP,
    )
    h.record(
        "assessment",
        "assessment-1",
        ContributionRequested(assessment_id="assessment-1", contributor="psy-1"),
        actor=CPIP,
    )
    h.record(
        "assessment",
        "assessment-1",
        AssessmentValidated(
            assessment_id="assessment-1",
            case_id="case-1",
            kind=AssessmentKind.INITIAL,
            validated_on=date(2031, 1, 20),
            overall_risk_level=RiskLevel.MODERATE,
            priority_axes=[NeedDomain.EDUCATION_EMPLOYMENT, NeedDomain.ATTITUDES],
            education_employment=None,
        ),
        actor=DPIP,
    )
    h.record(
        "plan",
        "plan-1",
        PlanAdopted(
            plan_id="plan-1",
            case_id="case-1",
            assessment_id="assessment-1",
            plan_version=1,
            objectives=[
                Objective(
                    objective_id="o-1",
                    priority=1,
                    work_axis=NeedDomain.ATTITUDES,
                    description="Travailler le rapport à la violence",
                ),
                Objective(
                    objective_id="o-2",
                    priority=2,
                    work_axis=NeedDomain.EDUCATION_EMPLOYMENT,
                    description="Accéder à un emploi",
                ),
            ],
            review_date=date(2031, 7, 20),
        ),
        actor=CPIP,
    )
    h.record(
        "interview",
        "interview-1",
        InterviewHeld(
            interview_id="interview-1",
            case_id="case-1",
            held_on=date(2031, 1, 22),
            interview_type=InterviewType.FOLLOW_UP,
        ),
        actor=CPIP,
    )
    h.record(
        "programme",
        "programme-1",
        ProgrammeCreated(
            programme_id="programme-1",
            definition=ProgrammeDefinition(
                code="PPR-VIOL",
                name="Programme de prévention de la récidive : violences",
                kind=ProgrammeKind.STRUCTURED_PROGRAMME,
                format=ProgrammeFormat.COLLECTIVE,
                planned_sessions=2,
                session_minutes=120,
                group_min=2,
                group_max=10,
                completion_threshold=0.8,
            ),
        ),
        actor=Actor(subject="programmes-reference-data", role="system"),
    )
    sessions = [
        GroupSession(
            session_id=f"g-1-s-{n}",
            number=n,
            starts_at=START + timedelta(weeks=3 + n),
            ends_at=START + timedelta(weeks=3 + n, hours=2),
            room="Salle 2",
        )
        for n in (1, 2)
    ]
    h.record(
        "group",
        "group-1",
        GroupPlanned(
            group_id="group-1",
            programme_id="programme-1",
            programme_version=1,
            establishment="CP d'Arras",
            room="Salle 2",
            facilitators=["Camille Animatrice"],
            start_date=sessions[0].starts_at.date(),
            end_date=sessions[-1].starts_at.date(),
            pattern=WeeklyPattern(
                weekday=sessions[0].starts_at.weekday(), starts_at=time(9), duration_minutes=120
            ),
            capacity=10,
            minimum=2,
            sessions=sessions,
        ),
        actor=FACILITATOR,
    )
    for n in (1, 2):
        person, referral = f"person-{n}", f"referral-{n}"
        h.record(
            "referral",
            referral,
            ReferralRequested(
                referral_id=referral,
                programme_id="programme-1",
                case_id=f"case-{n}",
                subject_id=person,
                plan_id=f"plan-{n}",
                objective_id="o-1",
                establishment="CP d'Arras",
            ),
            subject=person,
            actor=CPIP,
        )
        h.record(
            "referral",
            referral,
            ReferralEnrolled(referral_id=referral, group_id="group-1"),
            subject=person,
            actor=CPIP,
        )
        h.record(
            "group",
            "group-1",
            ParticipantEnrolled(group_id="group-1", referral_id=referral, subject_id=person),
            subject=person,
            actor=CPIP,
        )
    h.record(
        "group",
        "group-1",
        AttendanceRecorded(
            group_id="group-1",
            session_id="g-1-s-1",
            marks=[
                Mark(referral_id="referral-1", subject_id="person-1", mark=AttendanceMark.PRESENT),
                Mark(
                    referral_id="referral-2",
                    subject_id="person-2",
                    mark=AttendanceMark.ABSENT_UNEXCUSED,
                    reason="refus",
                ),
            ],
        ),
        actor=FACILITATOR,
    )
    # IPRO: person-1's pathway, work and training; both positioned on one partner action.
    h.record(
        "partner",
        "partner-1",
        PartnerRegistered(
            partner_id="partner-1",
            name="Association Ressources Emploi",
            siret="73282932000074",
            organisation_type=OrganisationType.ASSOCIATION,
        ),
        actor=Actor(subject="ripro-1", role="ripro"),
    )
    h.record(
        "action",
        "action-1",
        ActionCreated(
            action_id="action-1",
            proposal_id="proposal-1",
            call_id="call-1",
            partner_id="partner-1",
            title="Atelier CV",
            action_type=ActionType.JOB_SEARCH_WORKSHOP,
            theme="Espace emploi",
            capacity_min=2,
            capacity_max=8,
        ),
        actor=Actor(subject="ripro-1", role="ripro"),
    )
    for n in (1, 2):
        person, pathway = f"person-{n}", f"pathway-{n}"
        h.record(
            "pathway",
            pathway,
            PathwayOpened(
                pathway_id=pathway,
                case_id=f"case-{n}",
                subject_id=person,
                establishment="CP d'Arras",
                opened_on=date(2031, 1, 5),
                synthesis_due_on=date(2031, 2, 5),
            ),
            subject=person,
            actor=ADVISER,
        )
        h.record(
            "pathway",
            pathway,
            AdviserAssigned(pathway_id=pathway, adviser="cip-leroy"),
            subject=person,
            actor=ADVISER,
        )
        starts = START + timedelta(weeks=6)
        h.record(
            "positioning",
            f"positioning-{n}",
            PositioningProposed(
                positioning_id=f"positioning-{n}",
                pathway_id=pathway,
                subject_id=person,
                action_id="action-1",
                session_id="action-1-s-1",
                partner_id="partner-1",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                title="Atelier CV",
                place="Salle polyvalente",
            ),
            subject=person,
            actor=ADVISER,
        )
    h.record(
        "positioning",
        "positioning-1",
        PositioningConfirmed(positioning_id="positioning-1"),
        subject="person-1",
        actor=ADVISER,
    )
    h.record(
        "work",
        "work-pathway-1",
        ClassementRequested(
            work_id="work-pathway-1",
            pathway_id="pathway-1",
            subject_id="person-1",
            requested_on=date(2031, 1, 25),
        ),
        subject="person-1",
        actor=ADVISER,
    )
    h.record(
        "work",
        "work-pathway-1",
        ClassementGranted(
            work_id="work-pathway-1", regimes=[WorkRegime.SERVICE_GENERAL], decided_on=date(2031, 2, 1)
        ),
        subject="person-1",
        actor=Actor(subject="direction-1", role="direction"),
    )
    h.record(
        "training",
        "training-1",
        TrainingEnrolled(
            training_id="training-1",
            pathway_id="pathway-1",
            subject_id="person-1",
            body="AFPA",
            title="Agent de propreté",
            certification="CQP",
            starts_on=date(2031, 3, 3),
            ends_on=date(2031, 5, 30),
            hours=300,
            schedule=[WeeklySlot(weekday=1, starts_at=time(8, 30), ends_at=time(11, 30))],
        ),
        subject="person-1",
        actor=ADVISER,
    )
    return h


def erasure(history: History, subject_id: str = "person-1", on: date = date(2031, 6, 1)) -> EventEnvelope:
    """The person's erasure by court order, recorded after the history (its next event)."""
    return history.record(
        "subject",
        subject_id,
        SubjectErased(subject_id=subject_id, reason=ErasureReason.COURT_ORDER, erased_on=on),
        subject=subject_id,
        actor=DPIP,
    )
