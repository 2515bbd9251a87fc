"""One event per free text written about a person that the contracts seal (issue 17), on person-1's streams of
`person_history.two_people`, each carrying `TEXT`; with the events before it that make it fold as it would
(a goal before its status, a leave before its decision). Shared by the sealing test (`test_sealed_free_texts`) and
the person file's: it shows them all but a closure's details (the exit outcome's tell the same) and the
profile's lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts import Event
from contracts.assessment import (
    Intervention,
    InterventionKind,
    NeedDomain,
    Objective,
    ObjectiveStatus,
    ObjectiveStatusChanged,
    PlanAdopted,
    ProtectiveFactorsRecorded,
)
from contracts.ipro import (
    ClassementRefused,
    CpuOpinionRecorded,
    DeclassificationReasonRecorded,
    Declassified,
    EducationLevel,
    ExitOutcome,
    ExitOutcomeRecorded,
    ExitSituation,
    GoalSet,
    GoalStatus,
    GoalStatusChanged,
    GoalStep,
    LeaveDecided,
    LeaveKind,
    LeaveRequested,
    PathwayClosed,
    PositioningCancelled,
    PositioningOutcome,
    PositioningOutcomeRecorded,
    PositioningWithdrawn,
    Profile,
    ProfileRecorded,
    ReadinessChanged,
    ReadinessStatus,
    TrainingDroppedOut,
)
from contracts.programmes import (
    EligibilityOverridden,
    ReferralDroppedOut,
    ReferralExcluded,
    ReferralWithdrawn,
)

TEXT = "Évoque les dettes de son frère Anselme"
PATHWAY, WORK, TRAINING, POSITIONING = "pathway-1", "work-pathway-1", "training-1", "positioning-1"
DAY = date(2031, 3, 3)


@dataclass(frozen=True)
class Sample:
    """`event` carries `TEXT` in each of its newly sealed fields; `before` are (stream type, stream id, event)."""

    stream_type: str
    stream_id: str
    event: Event
    before: tuple[tuple[str, str, Event], ...] = ()

    @property
    def id(self) -> str:
        return self.event.event_type


def _goal(description: str = "Projet", steps: list[GoalStep] | None = None) -> GoalSet:
    return GoalSet(pathway_id=PATHWAY, goal_id="goal-1", description=description, steps=steps or [])


def _leave(purpose: str = "Stage") -> LeaveRequested:
    return LeaveRequested(
        pathway_id=PATHWAY,
        leave_id="leave-1",
        kind=LeaveKind.PMSMP,
        starts_on=DAY,
        ends_on=DAY,
        purpose=purpose,
    )


_OUTCOME = ExitOutcome(situation=ExitSituation.JOB, details=TEXT)

_PLAN = PlanAdopted(
    plan_id="plan-1",
    case_id="case-1",
    assessment_id="assessment-1",
    plan_version=2,
    objectives=[
        Objective(
            objective_id="o-1",
            priority=1,
            work_axis=NeedDomain.ATTITUDES,
            description=TEXT,
            interventions=[Intervention(kind=InterventionKind.INDIVIDUAL_WORK, description=TEXT)],
        )
    ],
    review_date=DAY,
)

SAMPLES = [
    Sample("plan", "plan-1", _PLAN),
    Sample(
        "plan",
        "plan-1",
        ObjectiveStatusChanged(
            plan_id="plan-1", objective_id="o-1", status=ObjectiveStatus.ABANDONED, reason=TEXT
        ),
    ),
    Sample(
        "assessment", "assessment-1", ProtectiveFactorsRecorded(assessment_id="assessment-1", factors=[TEXT])
    ),
    *(
        Sample("referral", "referral-1", ended(referral_id="referral-1", reason=TEXT))
        for ended in (EligibilityOverridden, ReferralDroppedOut, ReferralExcluded, ReferralWithdrawn)
    ),
    Sample(
        "pathway",
        PATHWAY,
        ReadinessChanged(pathway_id=PATHWAY, status=ReadinessStatus.SUPPORT_NEEDED, reason=TEXT),
    ),
    Sample("pathway", PATHWAY, _goal(TEXT, [GoalStep(step_id="s1", description=TEXT)])),
    Sample(
        "pathway",
        PATHWAY,
        GoalStatusChanged(pathway_id=PATHWAY, goal_id="goal-1", status=GoalStatus.ABANDONED, reason=TEXT),
        (("pathway", PATHWAY, _goal()),),
    ),
    Sample("pathway", PATHWAY, _leave(TEXT)),
    Sample(
        "pathway",
        PATHWAY,
        LeaveDecided(pathway_id=PATHWAY, leave_id="leave-1", approved=False, reason=TEXT),
        (("pathway", PATHWAY, _leave()),),
    ),
    Sample("pathway", PATHWAY, ExitOutcomeRecorded(pathway_id=PATHWAY, outcome=_OUTCOME)),
    Sample("pathway", PATHWAY, PathwayClosed(pathway_id=PATHWAY, closed_on=DAY, outcome=_OUTCOME)),
    Sample(
        "pathway",
        PATHWAY,
        ProfileRecorded(
            pathway_id=PATHWAY,
            profile=Profile(
                education_level=EducationLevel.VOCATIONAL,
                qualifications=[TEXT],
                work_experience=[TEXT],
                languages=[TEXT],
            ),
        ),
    ),
    Sample("work", WORK, CpuOpinionRecorded(work_id=WORK, held_on=DAY, favourable=False, opinion=TEXT)),
    Sample(
        "work",
        WORK,
        ClassementRefused(
            work_id=WORK, reasons=TEXT, appeal_information="Recours sous deux mois", decided_on=DAY
        ),
    ),
    Sample(
        "work",
        WORK,
        DeclassificationReasonRecorded(work_id=WORK, reason=TEXT),
        (("work", WORK, Declassified(work_id=WORK, decided_on=DAY)),),  # the reason follows it
    ),
    Sample("training", TRAINING, TrainingDroppedOut(training_id=TRAINING, reason=TEXT)),
    Sample(
        "positioning",
        POSITIONING,
        PositioningOutcomeRecorded(positioning_id=POSITIONING, outcome=PositioningOutcome.NONE, details=TEXT),
    ),
    Sample("positioning", POSITIONING, PositioningWithdrawn(positioning_id=POSITIONING, reason=TEXT)),
    Sample("positioning", POSITIONING, PositioningCancelled(positioning_id=POSITIONING, reason=TEXT)),
]
