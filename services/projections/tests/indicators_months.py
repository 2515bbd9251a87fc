"""Three months of two establishments (January to March 2031) as the services' topics carry them: the raw
material of the indicators' acceptance test, which computes the figures again from these events on its own.

* Marie (p-1), admitted at Arras on 3 January: a post from 13 January to 19 February, a training from
  15 February (completed 20 March), released on 25 March into a job.
* Karim (p-2), admitted at Arras on 10 January: a goal with two steps set on 24 January (one achieved on
  5 February, the goal abandoned on 28 February); two places on partner actions in February, one attended
  with an interview obtained, one missed; a programme he drops out of; transferred to Lille on 1 March.
* Nadia (p-3), held at Arras since December: nothing to do in January but a place she gives up; a programme
  completed on 12 February; released on 15 February with no solution.
* Yanis (p-4), admitted at Lille on 15 January: a training from 20 January he drops out of on 10 February.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from contracts import Actor
from contracts.assessment import CaseClosed, CaseOpened, CaseTransferred, ClosureReason, Identity, Sentence
from contracts.ipro import (
    AffectationDecided,
    ContractEnded,
    ContractEndReason,
    ExitOutcome,
    ExitOutcomeRecorded,
    ExitSituation,
    GoalSet,
    GoalStatus,
    GoalStatusChanged,
    GoalStep,
    PathwayClosed,
    PathwayOpened,
    PositioningAttended,
    PositioningNoShowRecorded,
    PositioningOutcome,
    PositioningOutcomeRecorded,
    PositioningProposed,
    PositioningWithdrawn,
    TrainingCompleted,
    TrainingDroppedOut,
    TrainingEnrolled,
    WeeklySlot,
    WorkRegime,
)
from contracts.programmes import (
    ParticipationAssessed,
    ReferralDroppedOut,
    ReferralEnrolled,
    ReferralRequested,
)
from kernel.clock import LOCAL_TIME_ZONE
from services.projections.tests.builders import History

ARRAS, LILLE = "CP d'Arras", "CP de Lille-Annœullin"
NOW = datetime(2031, 4, 10, 9, 0, tzinfo=LOCAL_TIME_ZONE)  # "today": after the three months
CPIP = Actor(subject="cpip-durand", role="cpip")
ADVISER = Actor(subject="cip-leroy", role="ipro_conseiller")
SLOT = [WeeklySlot(weekday=1, starts_at=time(9), ends_at=time(12))]


def on(history: History, day: date) -> History:
    """The next events happen on `day` (a minute apart, from 9:00)."""
    history.moment = datetime.combine(day, time(9), tzinfo=LOCAL_TIME_ZONE)
    return history


def admitted(history: History, n: int, establishment: str, day: date, last_name: str) -> None:
    person, case = f"p-{n}", f"case-{n}"
    on(history, day).record(
        "case",
        case,
        CaseOpened(
            case_id=case,
            subject_id=person,
            identity=Identity(
                last_name=last_name, first_names="X", birth_date=date(1990, 1, n), ecrou_number=f"E{n}"
            ),
            establishment=establishment,
            admission_date=day,
            sentence=Sentence(
                short_sentence=False, total_length_months=24, expected_end_date=date(2031, 9, 30)
            ),
        ),
        subject=person,
        actor=CPIP,
    )
    history.record(
        "pathway",
        f"pathway-{n}",
        PathwayOpened(
            pathway_id=f"pathway-{n}",
            case_id=case,
            subject_id=person,
            establishment=establishment,
            opened_on=day,
            synthesis_due_on=day + timedelta(days=10),
        ),
        subject=person,
        actor=ADVISER,
    )


def place(history: History, n: int, positioning: str, proposed: date, session: date) -> None:
    on(history, proposed).record(
        "positioning",
        positioning,
        PositioningProposed(
            positioning_id=positioning,
            pathway_id=f"pathway-{n}",
            subject_id=f"p-{n}",
            action_id="action-1",
            session_id=f"session-{session.isoformat()}",
            partner_id="partner-1",
            starts_at=datetime.combine(session, time(14), tzinfo=LOCAL_TIME_ZONE),
            ends_at=datetime.combine(session, time(16), tzinfo=LOCAL_TIME_ZONE),
            title="Atelier CV",
            place="Salle polyvalente",
        ),
        subject=f"p-{n}",
        actor=ADVISER,
    )


def referral(history: History, n: int, referral_id: str, day: date) -> None:
    on(history, day).record(
        "referral",
        referral_id,
        ReferralRequested(
            referral_id=referral_id,
            programme_id="ppr-1",
            case_id=f"case-{n}",
            subject_id=f"p-{n}",
            plan_id=f"plan-{n}",
            objective_id="o-1",
            establishment=ARRAS,
        ),
        subject=f"p-{n}",
        actor=CPIP,
    )
    history.record("referral", referral_id, ReferralEnrolled(referral_id=referral_id, group_id="group-1"))


def three_months() -> History:
    h = History()
    admitted(h, 3, ARRAS, date(2030, 12, 1), "Nadia")
    admitted(h, 1, ARRAS, date(2031, 1, 3), "Marie")
    admitted(h, 2, ARRAS, date(2031, 1, 10), "Karim")
    admitted(h, 4, LILLE, date(2031, 1, 15), "Yanis")

    # Marie: a post, then a training, then a job at release.
    on(h, date(2031, 1, 11)).record(
        "work",
        "work-1",
        AffectationDecided(
            work_id="work-1",
            affectation_id="aff-1",
            regime=WorkRegime.SERVICE_GENERAL,
            post="Cuisine",
            workshop="Cuisine",
            employer="Établissement",
            schedule=SLOT,
            starts_on=date(2031, 1, 13),
        ),
        subject="p-1",
        actor=ADVISER,
    )
    on(h, date(2031, 2, 20)).record(
        "work",
        "work-1",
        ContractEnded(
            work_id="work-1",
            contract_id="cep-1",
            reason=ContractEndReason.AGREEMENT,
            ended_on=date(2031, 2, 20),
        ),
        subject="p-1",
    )
    on(h, date(2031, 2, 10)).record(
        "training",
        "training-1",
        TrainingEnrolled(
            training_id="training-1",
            pathway_id="pathway-1",
            subject_id="p-1",
            body="AFPA",
            title="CAP cuisine",
            starts_on=date(2031, 2, 15),
            ends_on=date(2031, 3, 31),
            hours=200,
            schedule=SLOT,
        ),
        subject="p-1",
    )
    on(h, date(2031, 3, 20)).record(
        "training",
        "training-1",
        TrainingCompleted(
            training_id="training-1", certification_obtained=True, completed_on=date(2031, 3, 20)
        ),
        subject="p-1",
    )
    on(h, date(2031, 3, 24)).record(
        "pathway",
        "pathway-1",
        ExitOutcomeRecorded(pathway_id="pathway-1", outcome=ExitOutcome(situation=ExitSituation.JOB)),
    )
    on(h, date(2031, 3, 25)).record(
        "case",
        "case-1",
        CaseClosed(case_id="case-1", reason=ClosureReason.RELEASE, closed_on=date(2031, 3, 25)),
    )
    h.record(
        "pathway",
        "pathway-1",
        PathwayClosed(
            pathway_id="pathway-1",
            closed_on=date(2031, 3, 25),
            outcome=ExitOutcome(situation=ExitSituation.JOB),
        ),
    )

    # Karim: a goal with two steps, two places, a programme dropped, a transfer.
    on(h, date(2031, 1, 24)).record(
        "pathway",
        "pathway-2",
        GoalSet(
            pathway_id="pathway-2",
            goal_id="goal-1",
            description="Trouver une formation",
            steps=[GoalStep(step_id="s1", description="CV"), GoalStep(step_id="s2", description="Visite")],
        ),
        subject="p-2",
    )
    on(h, date(2031, 2, 5)).record(
        "pathway",
        "pathway-2",
        GoalStatusChanged(pathway_id="pathway-2", goal_id="goal-1", step_id="s1", status=GoalStatus.ACHIEVED),
        subject="p-2",
    )
    on(h, date(2031, 2, 28)).record(
        "pathway",
        "pathway-2",
        GoalStatusChanged(pathway_id="pathway-2", goal_id="goal-1", status=GoalStatus.ABANDONED),
        subject="p-2",
    )
    place(h, 2, "pos-1", date(2031, 2, 1), date(2031, 2, 10))
    h.record("positioning", "pos-1", PositioningAttended(positioning_id="pos-1"))
    h.record(
        "positioning",
        "pos-1",
        PositioningOutcomeRecorded(positioning_id="pos-1", outcome=PositioningOutcome.INTERVIEW_OBTAINED),
    )
    place(h, 2, "pos-2", date(2031, 2, 1), date(2031, 2, 17))
    on(h, date(2031, 2, 18)).record("positioning", "pos-2", PositioningNoShowRecorded(positioning_id="pos-2"))
    referral(h, 2, "ref-2", date(2031, 1, 20))
    on(h, date(2031, 2, 3)).record(
        "referral", "ref-2", ReferralDroppedOut(referral_id="ref-2", reason="abandon")
    )
    on(h, date(2031, 3, 1)).record(
        "case",
        "case-2",
        CaseTransferred(case_id="case-2", establishment=LILLE, transferred_on=date(2031, 3, 1)),
    )

    # Nadia: a place given up, a programme completed, a release with no solution.
    place(h, 3, "pos-3", date(2031, 1, 20), date(2031, 1, 28))
    on(h, date(2031, 1, 25)).record(
        "positioning", "pos-3", PositioningWithdrawn(positioning_id="pos-3", reason="malade")
    )
    referral(h, 3, "ref-3", date(2031, 1, 5))
    on(h, date(2031, 2, 12)).record(
        "referral",
        "ref-3",
        ParticipationAssessed(
            referral_id="ref-3",
            group_id="group-1",
            sessions_attended=8,
            sessions_counted=9,
            attendance_rate=0.89,
            completed=True,
        ),
    )
    on(h, date(2031, 2, 14)).record(
        "pathway",
        "pathway-3",
        ExitOutcomeRecorded(pathway_id="pathway-3", outcome=ExitOutcome(situation=ExitSituation.NO_SOLUTION)),
    )
    on(h, date(2031, 2, 15)).record(
        "case",
        "case-3",
        CaseClosed(case_id="case-3", reason=ClosureReason.RELEASE, closed_on=date(2031, 2, 15)),
    )

    # Yanis: a training dropped.
    on(h, date(2031, 1, 16)).record(
        "training",
        "training-4",
        TrainingEnrolled(
            training_id="training-4",
            pathway_id="pathway-4",
            subject_id="p-4",
            body="GRETA",
            title="Soudure",
            starts_on=date(2031, 1, 20),
            ends_on=date(2031, 2, 28),
            hours=120,
            schedule=SLOT,
        ),
        subject="p-4",
    )
    on(h, date(2031, 2, 10)).record(
        "training", "training-4", TrainingDroppedOut(training_id="training-4", reason="Ne souhaite plus")
    )
    return h
