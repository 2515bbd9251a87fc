"""The needs and offer of the CP d'Arras for the four weeks from Monday 10 March 2031, as the four services'
topics carry them: the raw material of the coverage's integration tests.

* person-1: validated axes alcohol/drugs and attitudes; IPRO support needed; no qualification (profile,
  on `ipro.restricted`); sits in the addictions group, whose one seat she takes;
* person-2: validated axis alcohol/drugs; on the addictions group's waiting list;
* person-3: classed for the service général with no post (the work waiting list); an active IPRO goal; in a
  vocational training during the window;
* person-4, of the CD Bapaume, and person-5, released: a housing axis each, counted nowhere in Arras;
* offer: the addictions group (1 seat) and a group whose only session is after the window; a published job
  search workshop (8 seats) with one session in the window, one cancelled and one positioning; an
  unpublished PMSMP action; person-3's training.

So: addictions 2 in need (1 waiting) for 1 place; offending 1 for 0; employment 1 waiting for 0; job search
2 for 8 (7 free); training 1 for 1; housing 0."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from contracts import Actor
from contracts.assessment import (
    AssessmentKind,
    AssessmentValidated,
    CaseClosed,
    CaseOpened,
    ClosureReason,
    Identity,
    NeedDomain,
    RiskLevel,
    Sentence,
)
from contracts.ipro import (
    ClassementGranted,
    ClassementRequested,
    EducationLevel,
    GoalSet,
    PathwayOpened,
    PositioningProposed,
    Profile,
    ProfileRecorded,
    ReadinessChanged,
    ReadinessStatus,
    TrainingEnrolled,
    WeeklySlot,
    WorkRegime,
)
from contracts.partners import (
    ActionCreated,
    ActionPublished,
    ActionType,
    CallContent,
    CallDrafted,
    SessionCancelled,
    SessionScheduled,
    SessionSlot,
)
from contracts.programmes import (
    GroupPlanned,
    GroupSession,
    ParticipantEnrolled,
    ParticipantWaitlisted,
    ProgrammeCreated,
    ProgrammeDefinition,
    ProgrammeFormat,
    ProgrammeKind,
    WeeklyPattern,
)
from kernel.clock import LOCAL_TIME_ZONE
from services.projections.tests.builders import History

ARRAS, BAPAUME = "CP d'Arras", "CD Bapaume"
MONDAY = date(2031, 3, 10)
NOW = datetime(2031, 3, 7, 9, 0, tzinfo=LOCAL_TIME_ZONE)
CPIP = Actor(subject="cpip-durand", role="cpip")
DPIP = Actor(subject="dpip-1", role="dpip")
ADVISER = Actor(subject="cip-leroy", role="ipro_conseiller")


def at(day: int, hour: int) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day), time(hour), tzinfo=LOCAL_TIME_ZONE)


def a_person(h: History, n: int, establishment: str = ARRAS, axes=(NeedDomain.HOUSING,)) -> str:
    person, case = f"person-{n}", f"case-{n}"
    h.record(
        "case",
        case,
        CaseOpened(
            case_id=case,
            subject_id=person,
            identity=Identity(
                last_name=f"Nom{n}", first_names="P", birth_date=date(1990, 1, n), ecrou_number=f"E{n}"
            ),
            establishment=establishment,
            admission_date=date(2031, 1, 5),
            sentence=Sentence(
                short_sentence=False, total_length_months=30, expected_end_date=date(2033, 6, 30)
            ),
        ),
        subject=person,
        actor=CPIP,
    )
    h.record(
        "assessment",
        f"assessment-{n}",
        AssessmentValidated(
            assessment_id=f"assessment-{n}",
            case_id=case,
            kind=AssessmentKind.INITIAL,
            validated_on=date(2031, 2, 1),
            overall_risk_level=RiskLevel.MODERATE,
            priority_axes=list(axes),
            education_employment=None,
        ),
        subject=person,
        actor=DPIP,
    )
    h.record(
        "pathway",
        f"pathway-{n}",
        PathwayOpened(
            pathway_id=f"pathway-{n}",
            case_id=case,
            subject_id=person,
            establishment=establishment,
            opened_on=date(2031, 1, 5),
            synthesis_due_on=date(2031, 2, 5),
        ),
        subject=person,
        actor=ADVISER,
    )
    return person


def _programme(h: History, programme_id: str, code: str, themes: list[str]) -> None:
    h.record(
        "programme",
        programme_id,
        ProgrammeCreated(
            programme_id=programme_id,
            definition=ProgrammeDefinition(
                code=code,
                name=code.title(),
                kind=ProgrammeKind.THEMATIC_ACTION,
                themes=themes,
                format=ProgrammeFormat.COLLECTIVE,
                planned_sessions=1,
                session_minutes=120,
                group_min=1,
                group_max=12,
                completion_threshold=0.8,
            ),
        ),
        actor=DPIP,
    )


def _group(h: History, group_id: str, programme_id: str, day: int, capacity: int) -> None:
    h.record(
        "group",
        group_id,
        GroupPlanned(
            group_id=group_id,
            programme_id=programme_id,
            programme_version=1,
            establishment=ARRAS,
            room="Salle 2",
            facilitators=["anim-1"],
            start_date=(MONDAY + timedelta(days=day)),
            end_date=(MONDAY + timedelta(days=day)),
            pattern=WeeklyPattern(
                weekday=(MONDAY + timedelta(days=day)).isoweekday(), starts_at=time(14), duration_minutes=120
            ),
            capacity=capacity,
            minimum=1,
            sessions=[
                GroupSession(
                    session_id="s-1", number=1, starts_at=at(day, 14), ends_at=at(day, 16), room="Salle 2"
                )
            ],
        ),
        actor=DPIP,
    )


def the_month() -> History:
    h = History(start=datetime(2031, 2, 1, 8, 0, tzinfo=LOCAL_TIME_ZONE))
    one = a_person(h, 1, axes=(NeedDomain.ALCOHOL_DRUGS, NeedDomain.ATTITUDES))
    two = a_person(h, 2, axes=(NeedDomain.ALCOHOL_DRUGS,))
    three = a_person(h, 3, axes=(NeedDomain.EDUCATION_EMPLOYMENT,))
    a_person(h, 4, establishment=BAPAUME)
    a_person(h, 5)
    h.record(
        "case",
        "case-5",
        CaseClosed(case_id="case-5", reason=ClosureReason.RELEASE, closed_on=date(2031, 3, 1)),
        subject="person-5",
        actor=CPIP,
    )

    # IPRO: person-1's readiness and profile (restricted), person-3's classement, goal and training.
    h.record(
        "pathway",
        "pathway-1",
        ReadinessChanged(pathway_id="pathway-1", status=ReadinessStatus.SUPPORT_NEEDED),
        subject=one,
        actor=ADVISER,
    )
    h.record(
        "pathway",
        "pathway-1",
        ProfileRecorded(
            pathway_id="pathway-1",
            profile=Profile(education_level=EducationLevel.PRIMARY, health_restrictions="dos fragile"),
        ),
        subject=one,
        actor=ADVISER,
    )
    h.record(
        "work",
        "work-3",
        ClassementRequested(
            work_id="work-3", pathway_id="pathway-3", subject_id=three, requested_on=date(2031, 2, 10)
        ),
        subject=three,
        actor=ADVISER,
    )
    h.record(
        "work",
        "work-3",
        ClassementGranted(
            work_id="work-3", regimes=[WorkRegime.SERVICE_GENERAL], decided_on=date(2031, 2, 20)
        ),
        subject=three,
        actor=Actor(subject="direction-1", role="direction"),
    )
    h.record(
        "pathway",
        "pathway-3",
        GoalSet(pathway_id="pathway-3", goal_id="goal-1", description="CACES"),
        subject=three,
        actor=ADVISER,
    )
    h.record(
        "training",
        "training-3",
        TrainingEnrolled(
            training_id="training-3",
            pathway_id="pathway-3",
            subject_id=three,
            body="AFPA",
            title="Agent de propreté",
            certification="",
            starts_on=date(2031, 3, 17),
            ends_on=date(2031, 5, 30),
            hours=200,
            schedule=[WeeklySlot(weekday=2, starts_at=time(9), ends_at=time(12))],
        ),
        subject=three,
        actor=ADVISER,
    )

    # Programmes: the addictions group (1 seat: person-1 in it, person-2 waiting); a parenting group later on.
    _programme(h, "programme-addictions", "ADDICTIONS", ["addictions"])
    _programme(h, "programme-parentalite", "PARENTALITE", ["parentalité"])
    _group(h, "group-1", "programme-addictions", day=8, capacity=1)
    _group(h, "group-2", "programme-parentalite", day=40, capacity=10)
    h.record(
        "group",
        "group-1",
        ParticipantEnrolled(group_id="group-1", referral_id="referral-1", subject_id=one),
        subject=one,
        actor=CPIP,
    )
    h.record(
        "group",
        "group-1",
        ParticipantWaitlisted(group_id="group-1", referral_id="referral-2", subject_id=two),
        subject=two,
        actor=CPIP,
    )

    # Partners: a published job search workshop with a session in the window (one positioning) and a
    # cancelled one; an unpublished PMSMP action.
    h.record(
        "call",
        "call-1",
        CallDrafted(
            call_id="call-1",
            content=CallContent(
                title="Espace emploi 2031",
                theme="Espace emploi",
                establishment=ARRAS,
                opens_on=date(2030, 11, 1),
                closes_on=date(2030, 12, 1),
                target_themes=[ActionType.JOB_SEARCH_WORKSHOP, ActionType.PMSMP],
            ),
        ),
    )
    for action_id, action_type, capacity in (
        ("action-1", ActionType.JOB_SEARCH_WORKSHOP, 8),
        ("action-2", ActionType.PMSMP, 4),
    ):
        h.action(
            ActionCreated(
                action_id=action_id,
                proposal_id=f"proposal-{action_id}",
                call_id="call-1",
                partner_id="partner-1",
                title=action_type.value,
                action_type=action_type,
                theme="Espace emploi",
                capacity_min=1,
                capacity_max=capacity,
            )
        )
        for n, day in enumerate((1, 15), 1):
            h.action(
                SessionScheduled(
                    action_id=action_id,
                    session_id=f"s-{n}",
                    slot=SessionSlot(starts_at=at(day, 9), ends_at=at(day, 11), place="Salle polyvalente"),
                )
            )
    h.action(ActionPublished(action_id="action-1"))
    h.action(SessionCancelled(action_id="action-1", session_id="s-2", reason="Formatrice absente"))
    h.positioning(
        PositioningProposed(
            positioning_id="positioning-1",
            pathway_id="pathway-2",
            subject_id=two,
            action_id="action-1",
            session_id="s-1",
            partner_id="partner-1",
            starts_at=at(1, 9),
            ends_at=at(1, 11),
        )
    )
    return h


# theme -> (people in need, people waiting, places offered, places free, gap)
EXPECTED = {
    "offending": (1, 0, 0, 0, 1),
    "addictions": (2, 1, 1, 0, 1),
    "employment": (1, 1, 0, 0, 1),
    "job_search": (2, 0, 8, 7, -6),
    "training": (1, 0, 1, 0, 0),
    "housing": (0, 0, 0, 0, 0),
    "family": (0, 0, 0, 0, 0),
}
GAPS = ["offending", "addictions", "employment"]
