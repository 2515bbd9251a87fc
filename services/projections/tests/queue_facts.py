"""Three months of the establishment across the four services, as their topics carry them, seen on Monday
16 June 2031: the raw material of the work queues' integration tests.

* Marie Lefèvre (person-1, referent cpip-durand, adviser cip-leroy): case opened on 1 March, never
  interviewed, initial assessment submitted and waiting for a DPIP, released on 31 August; synthesis not
  written, no France Travail registration, her one partner session over; a classement and a leave asked for.
* Karim Benali (person-2, same referent and adviser): high risk since April, last interviewed on 10 April; a
  plan agreed but not validated; training until December; classed in April, seen by an employer in May, no
  post; a leave decided.
* person-3 (same referent, at another establishment) and person-4 (Arras, another CPIP); person-5's case
  closed.
* A partner action of Arras's call: one session (10 June) with two places booked and one present reported, one
  (12 June) not reported.
"""

from __future__ import annotations

from datetime import date, datetime, time

from contracts import Actor
from contracts.assessment import (
    AssessmentKind,
    AssessmentStarted,
    AssessmentSubmitted,
    AssessmentValidated,
    CaseClosed,
    CaseOpened,
    ClosureReason,
    Identity,
    InterviewHeld,
    InterviewType,
    NeedDomain,
    Objective,
    PlanAdopted,
    PlanAgreementRecorded,
    ReferentAssigned,
    RiskLevel,
    Sentence,
)
from contracts.ipro import (
    AdviserAssigned,
    ClassementGranted,
    ClassementRequested,
    EmployerInterviewHeld,
    LeaveDecided,
    LeaveKind,
    LeaveRequested,
    PathwayOpened,
    PositioningAttended,
    PositioningProposed,
    SynthesisWritten,
    TrainingEnrolled,
    WeeklySlot,
    WorkRegime,
)
from contracts.partners import (
    ActionCreated,
    ActionType,
    CallContent,
    CallDrafted,
    SessionReported,
    SessionScheduled,
    SessionSlot,
)
from kernel.clock import LOCAL_TIME_ZONE
from services.projections.tests.builders import History

ARRAS = "CP d'Arras"
ELSEWHERE = "CD Bapaume"
NOW = datetime(2031, 6, 16, 9, 0, tzinfo=LOCAL_TIME_ZONE)
TODAY = NOW.date()
CPIP = Actor(subject="cpip-durand", role="cpip")
DPIP = Actor(subject="dpip-1", role="dpip")
ADVISER = Actor(subject="cip-leroy", role="ipro_conseiller")
RIPRO = Actor(subject="ripro-1", role="ripro")
DIRECTION = Actor(subject="direction-1", role="direction")
NAMES = {
    "person-1": "Lefèvre",
    "person-2": "Benali",
    "person-3": "Martin",
    "person-4": "Petit",
    "person-5": "Roux",
}


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TIME_ZONE)


def the_quarter() -> History:
    h = History(start=at(date(2031, 3, 1), 8))
    people = {
        "person-1": (ARRAS, "cpip-durand", date(2031, 8, 31)),
        "person-2": (ARRAS, "cpip-durand", date(2033, 6, 30)),
        "person-3": (ELSEWHERE, "cpip-durand", date(2033, 6, 30)),
        "person-4": (ARRAS, "cpip-autre", date(2033, 6, 30)),
        "person-5": (ARRAS, "cpip-durand", date(2031, 7, 1)),
    }
    for n, (person, (site, referent, release)) in enumerate(people.items(), 1):
        case = f"case-{n}"
        h.record(
            "case",
            case,
            CaseOpened(
                case_id=case,
                subject_id=person,
                identity=Identity(
                    last_name=NAMES[person],
                    first_names="Prénom",
                    birth_date=date(1990, n, 1),
                    ecrou_number=f"E{n}",
                ),
                establishment=site,
                admission_date=date(2031, 2, 28),
                sentence=Sentence(short_sentence=False, total_length_months=30, expected_end_date=release),
            ),
            subject=person,
            actor=CPIP,
        )
        h.record("case", case, ReferentAssigned(case_id=case, referent=referent), subject=person, actor=DPIP)
    h.record(
        "case",
        "case-5",
        CaseClosed(case_id="case-5", reason=ClosureReason.RELEASE, closed_on=date(2031, 5, 1)),
        subject="person-5",
        actor=CPIP,
    )
    # person-1's assessment, submitted (on `assessment.restricted`), read before its case by nobody's rule.
    h.record(
        "assessment",
        "assessment-1",
        AssessmentStarted(assessment_id="assessment-1", case_id="case-1", kind=AssessmentKind.INITIAL),
        actor=CPIP,
    )
    h.record(
        "assessment",
        "assessment-1",
        AssessmentSubmitted(assessment_id="assessment-1", case_id="case-1", submitted_by="cpip-durand"),
        actor=CPIP,
    )
    # person-2: validated high risk, interviewed, a plan agreed and not validated.
    h.record(
        "assessment",
        "assessment-2",
        AssessmentValidated(
            assessment_id="assessment-2",
            case_id="case-2",
            kind=AssessmentKind.INITIAL,
            validated_on=date(2031, 4, 1),
            overall_risk_level=RiskLevel.HIGH,
            priority_axes=[NeedDomain.EDUCATION_EMPLOYMENT],
            education_employment=None,
        ),
        subject="person-2",
        actor=DPIP,
    )
    h.record(
        "interview",
        "interview-2",
        InterviewHeld(
            interview_id="interview-2",
            case_id="case-2",
            held_on=date(2031, 4, 10),
            interview_type=InterviewType.FOLLOW_UP,
        ),
        subject="person-2",
        actor=CPIP,
    )
    h.record(
        "plan",
        "plan-2",
        PlanAdopted(
            plan_id="plan-2",
            case_id="case-2",
            assessment_id="assessment-2",
            plan_version=1,
            objectives=[
                Objective(
                    objective_id="o-1",
                    priority=1,
                    work_axis=NeedDomain.EDUCATION_EMPLOYMENT,
                    description="Accéder à un emploi",
                )
            ],
            review_date=date(2031, 9, 1),
        ),
        subject="person-2",
        actor=CPIP,
    )
    h.record("plan", "plan-2", PlanAgreementRecorded(plan_id="plan-2", agreement="agreed"), actor=CPIP)
    # IPRO.
    for n in (1, 2):
        person, pathway = f"person-{n}", f"pathway-{n}"
        h.record(
            "pathway",
            pathway,
            PathwayOpened(
                pathway_id=pathway,
                case_id=f"case-{n}",
                subject_id=person,
                establishment=ARRAS,
                opened_on=date(2031, 3, 1),
                synthesis_due_on=date(2031, 3, 10),
            ),
            subject=person,
            actor=ADVISER,
        )
        h.record("pathway", pathway, AdviserAssigned(pathway_id=pathway, adviser="cip-leroy"), actor=ADVISER)
    h.record(
        "pathway",
        "pathway-2",
        SynthesisWritten(
            pathway_id="pathway-2", interview_held_on=date(2031, 3, 5), synthesis="Souhaite travailler"
        ),
        subject="person-2",
        actor=ADVISER,
    )
    h.record(
        "training",
        "training-2",
        TrainingEnrolled(
            training_id="training-2",
            pathway_id="pathway-2",
            subject_id="person-2",
            body="AFPA",
            title="Agent de propreté",
            starts_on=date(2031, 4, 1),
            ends_on=date(2031, 12, 19),
            hours=300,
            schedule=[WeeklySlot(weekday=1, starts_at=time(8, 30), ends_at=time(11, 30))],
        ),
        subject="person-2",
        actor=ADVISER,
    )
    h.record(
        "work",
        "work-1",
        ClassementRequested(
            work_id="work-1", pathway_id="pathway-1", subject_id="person-1", requested_on=date(2031, 6, 2)
        ),
        subject="person-1",
        actor=ADVISER,
    )
    h.record(
        "work",
        "work-2",
        ClassementRequested(
            work_id="work-2", pathway_id="pathway-2", subject_id="person-2", requested_on=date(2031, 4, 2)
        ),
        subject="person-2",
        actor=ADVISER,
    )
    h.record(
        "work",
        "work-2",
        ClassementGranted(
            work_id="work-2", regimes=[WorkRegime.SERVICE_GENERAL], decided_on=date(2031, 4, 15)
        ),
        subject="person-2",
        actor=DIRECTION,
    )
    h.record(
        "work",
        "work-2",
        EmployerInterviewHeld(
            work_id="work-2",
            interview_id="ei-1",
            regime=WorkRegime.SERVICE_GENERAL,
            employer="Établissement",
            post="Cuisine",
            held_on=date(2031, 5, 2),
        ),
        subject="person-2",
        actor=ADVISER,
    )
    for n, person, starts in ((1, "person-1", date(2031, 6, 20)), (2, "person-2", date(2031, 6, 25))):
        h.record(
            "pathway",
            f"pathway-{n}",
            LeaveRequested(
                pathway_id=f"pathway-{n}",
                leave_id=f"leave-{n}",
                kind=LeaveKind.PMSMP,
                starts_on=starts,
                ends_on=starts,
                purpose="Découverte d'une entreprise",
            ),
            subject=person,
            actor=ADVISER,
        )
    h.record(
        "pathway",
        "pathway-2",
        LeaveDecided(pathway_id="pathway-2", leave_id="leave-2", approved=True),
        subject="person-2",
        actor=DIRECTION,
    )
    # A partner action of Arras: two sessions over, places booked by IPRO, one report.
    h.record(
        "call",
        "call-1",
        CallDrafted(
            call_id="call-1",
            content=CallContent(
                title="AMI 2031",
                theme="Espace emploi",
                establishment=ARRAS,
                opens_on=date(2031, 1, 1),
                closes_on=date(2031, 2, 1),
                target_themes=[ActionType.JOB_SEARCH_WORKSHOP],
            ),
        ),
        actor=RIPRO,
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
            capacity_min=1,
            capacity_max=8,
        ),
        actor=RIPRO,
    )
    for session, day in (("s-1", date(2031, 6, 10)), ("s-2", date(2031, 6, 12))):
        h.record(
            "action",
            "action-1",
            SessionScheduled(
                action_id="action-1",
                session_id=session,
                slot=SessionSlot(starts_at=at(day, 14), ends_at=at(day, 16), place="Salle polyvalente"),
            ),
            actor=RIPRO,
        )
    bookings = (
        ("person-1", "s-1", date(2031, 6, 10)),
        ("person-2", "s-1", date(2031, 6, 10)),
        ("person-4", "s-2", date(2031, 6, 12)),
    )
    for n, (person, session, day) in enumerate(bookings, 1):
        h.record(
            "positioning",
            f"pos-{n}",
            PositioningProposed(
                positioning_id=f"pos-{n}",
                pathway_id=f"pathway-{person[-1]}",
                subject_id=person,
                action_id="action-1",
                session_id=session,
                partner_id="partner-1",
                starts_at=at(day, 14),
                ends_at=at(day, 16),
            ),
            subject=person,
            actor=ADVISER,
        )
    h.record(
        "positioning", "pos-2", PositioningAttended(positioning_id="pos-2"), subject="person-2", actor=ADVISER
    )
    h.record(
        "action",
        "action-1",
        SessionReported(action_id="action-1", session_id="s-1", held=True, present_count=1),
        actor=Actor(subject="partner-user", role="partenaire", organisation_id="partner-1"),
    )
    return h
