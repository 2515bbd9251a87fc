"""A week of the establishment across the four services (Monday 10 to Sunday 16 March 2031, Europe/Paris,
UTC+1), as their topics carry it: the raw material of the schedule's tests.

It holds one conflict of each kind, and the events that resolve them:
* the room "Salle polyvalente" booked by a partner session (Tuesday 14:00-16:00) and by the first session of
  a PPR group (Tuesday 14:30-16:30): resolved when the group session moves to "Salle 3";
* Marie Lefèvre (person-1) in that group session and positioned on that partner session: resolved when her
  positioning is cancelled;
* the group's second session (Thursday 10:00-12:00) during Marie's work hours (Thursday 08:00-12:00), a
  warning, and during Karim Benali's (person-2) training (Thursday 09:00-11:00), a conflict: both resolved
  when the session moves to Thursday 14:00.

`facilitator_double_booked` adds a facilitator booked twice: the group's facilitator also named on a partner session on
Thursday 10:00-11:00, resolved by `facilitator_replaced` (the partner's own facilitator alone)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from contracts import Actor
from contracts.assessment import CaseOpened, Identity, Sentence
from contracts.ipro import (
    AffectationDecided,
    ClassementRequested,
    LeaveDecided,
    LeaveKind,
    LeaveRequested,
    PathwayOpened,
    PositioningCancelled,
    PositioningProposed,
    TrainingEnrolled,
    WeeklySlot,
    WorkRegime,
)
from contracts.partners import (
    ActionCreated,
    ActionType,
    CallContent,
    CallDrafted,
    OrganisationType,
    PartnerRegistered,
    SessionMoved,
    SessionScheduled,
    SessionSlot,
)
from contracts.programmes import (
    GroupPlanned,
    GroupSession,
    GroupSessionMoved,
    ParticipantEnrolled,
    ProgrammeCreated,
    ProgrammeDefinition,
    ProgrammeFormat,
    ProgrammeKind,
    WeeklyPattern,
)
from kernel.clock import LOCAL_TIME_ZONE
from services.projections.tests.builders import History

ARRAS = "CP d'Arras"
MONDAY = date(2031, 3, 10)
NOW = datetime(2031, 3, 7, 9, 0, tzinfo=LOCAL_TIME_ZONE)
CPIP = Actor(subject="cpip-durand", role="cpip")
ADVISER = Actor(subject="cip-leroy", role="ipro_conseiller")
RIPRO = Actor(subject="ripro-1", role="ripro")
FACILITATOR = "anim-1"
PARTNER_FACILITATOR = "Camille Formatrice"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """Day 0 is Monday 10 March 2031, in the establishment's time."""
    return datetime.combine(MONDAY + timedelta(days=day), time(hour, minute), tzinfo=LOCAL_TIME_ZONE)


def the_week() -> History:
    """Everything planned for the week, conflicts included, in the order the services record it."""
    h = History(start=datetime(2031, 3, 3, 8, 0, tzinfo=LOCAL_TIME_ZONE))
    for n, (last, first, ecrou) in enumerate(
        [("Lefèvre", "Marie", "A12345"), ("Benali", "Karim", "B67890")], 1
    ):
        person = f"person-{n}"
        h.record(
            "case",
            f"case-{n}",
            CaseOpened(
                case_id=f"case-{n}",
                subject_id=person,
                identity=Identity(
                    last_name=last, first_names=first, birth_date=date(1990, n, 1), ecrou_number=ecrou
                ),
                establishment=ARRAS,
                admission_date=date(2031, 1, 5),
                sentence=Sentence(
                    short_sentence=False, total_length_months=30, expected_end_date=date(2033, 6, 30)
                ),
            ),
            subject=person,
            actor=CPIP,
        )
        h.record(
            "pathway",
            f"pathway-{n}",
            PathwayOpened(
                pathway_id=f"pathway-{n}",
                case_id=f"case-{n}",
                subject_id=person,
                establishment=ARRAS,
                opened_on=date(2031, 1, 5),
                synthesis_due_on=date(2031, 2, 5),
            ),
            subject=person,
            actor=ADVISER,
        )
    # The partner's action, its call and its session on Tuesday afternoon.
    a_partner_session(
        h,
        establishment=ARRAS,
        title="Espace emploi 2031",
        place="Salle polyvalente",
        facilitator=PARTNER_FACILITATOR,
    )
    # The PPR group: Tuesday 14:30 in the same room, Thursday 10:00 in Salle 2.
    h.record(
        "programme",
        "programme-1",
        ProgrammeCreated(
            programme_id="programme-1",
            definition=ProgrammeDefinition(
                code="PPR-VIOL",
                name="Prévention de la récidive : violences",
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
    h.record(
        "group",
        "group-1",
        GroupPlanned(
            group_id="group-1",
            programme_id="programme-1",
            programme_version=1,
            establishment=ARRAS,
            room="Salle polyvalente",
            facilitators=[FACILITATOR],
            start_date=MONDAY + timedelta(days=1),
            end_date=MONDAY + timedelta(days=3),
            pattern=WeeklyPattern(weekday=1, starts_at=time(14, 30), duration_minutes=120),
            capacity=10,
            minimum=2,
            sessions=[
                GroupSession(
                    session_id="g-1-s-1",
                    number=1,
                    starts_at=at(1, 14, 30),
                    ends_at=at(1, 16, 30),
                    room="Salle polyvalente",
                ),
                GroupSession(
                    session_id="g-1-s-2", number=2, starts_at=at(3, 10), ends_at=at(3, 12), room="Salle 2"
                ),
            ],
        ),
        actor=CPIP,
    )
    for n in (1, 2):
        h.record(
            "group",
            "group-1",
            ParticipantEnrolled(group_id="group-1", referral_id=f"referral-{n}", subject_id=f"person-{n}"),
            subject=f"person-{n}",
            actor=CPIP,
        )
    # IPRO: Marie positioned on the partner session and working Thursday mornings; Karim training.
    h.record(
        "positioning",
        "positioning-1",
        PositioningProposed(
            positioning_id="positioning-1",
            pathway_id="pathway-1",
            subject_id="person-1",
            action_id="action-1",
            session_id="a-1-s-1",
            partner_id="partner-1",
            starts_at=at(1, 14),
            ends_at=at(1, 16),
            title="Atelier CV",
            place="Salle polyvalente",
        ),
        subject="person-1",
        actor=ADVISER,
    )
    h.record(
        "work",
        "work-1",
        ClassementRequested(
            work_id="work-1", pathway_id="pathway-1", subject_id="person-1", requested_on=date(2031, 2, 1)
        ),
        subject="person-1",
        actor=ADVISER,
    )
    h.record(
        "work",
        "work-1",
        AffectationDecided(
            work_id="work-1",
            affectation_id="affectation-1",
            regime=WorkRegime.SERVICE_GENERAL,
            post="Cuisine",
            workshop="Cuisine centrale",
            employer="Administration pénitentiaire",
            schedule=[WeeklySlot(weekday=3, starts_at=time(8), ends_at=time(12))],
            starts_on=date(2031, 3, 3),
        ),
        subject="person-1",
        actor=Actor(subject="direction-1", role="direction"),
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
            certification="CQP",
            starts_on=date(2031, 3, 3),
            ends_on=date(2031, 5, 30),
            hours=300,
            schedule=[WeeklySlot(weekday=3, starts_at=time(9), ends_at=time(11))],
        ),
        subject="person-2",
        actor=ADVISER,
    )
    return h


def room_moved(h: History) -> None:
    h.record(
        "group",
        "group-1",
        GroupSessionMoved(
            group_id="group-1",
            session_id="g-1-s-1",
            starts_at=at(1, 14, 30),
            ends_at=at(1, 16, 30),
            room="Salle 3",
        ),
        actor=CPIP,
    )


def positioning_cancelled(h: History) -> None:
    h.record(
        "positioning",
        "positioning-1",
        PositioningCancelled(positioning_id="positioning-1", reason="Séance de groupe le même jour"),
        subject="person-1",
        actor=ADVISER,
    )


def thursday_moved_to_afternoon(h: History) -> None:
    h.record(
        "group",
        "group-1",
        GroupSessionMoved(
            group_id="group-1", session_id="g-1-s-2", starts_at=at(3, 14), ends_at=at(3, 16), room="Salle 2"
        ),
        actor=CPIP,
    )


def leaves_and_the_partner(h: History) -> None:
    """For the movement list: the partner's organisation registered; Karim's escorted professional leave on
    Wednesday approved by the governor (the decision on `ipro.restricted`), Marie's PMSMP over Wednesday and
    Thursday refused."""
    h.record(
        "partner",
        "partner-1",
        PartnerRegistered(
            partner_id="partner-1",
            name="Association Emploi Arras",
            siret="73282932000074",
            organisation_type=OrganisationType.ASSOCIATION,
        ),
        actor=RIPRO,
    )
    governor = Actor(subject="direction-1", role="direction")
    for n, kind, days, purpose, approved in (
        (2, LeaveKind.ESCORTED_PROFESSIONAL_LEAVE, 1, "Visite de l'entreprise Bâtir", True),
        (1, LeaveKind.PMSMP, 2, "PMSMP en boulangerie", False),
    ):
        requested = LeaveRequested(
            pathway_id=f"pathway-{n}",
            leave_id=f"leave-{n}",
            kind=kind,
            starts_on=MONDAY + timedelta(days=2),
            ends_on=MONDAY + timedelta(days=1 + days),
            purpose=purpose,
        )
        h.record("pathway", f"pathway-{n}", requested, subject=f"person-{n}", actor=ADVISER)
        decided = LeaveDecided(
            pathway_id=f"pathway-{n}",
            leave_id=f"leave-{n}",
            approved=approved,
            reason="" if approved else "Non",
        )
        h.record("pathway", f"pathway-{n}", decided, subject=f"person-{n}", actor=governor)


def _thursday_partner_session(*facilitators: str) -> SessionSlot:
    return SessionSlot(
        starts_at=at(3, 10), ends_at=at(3, 11), place="Salle 4", facilitators=list(facilitators)
    )


def facilitator_double_booked(h: History) -> None:
    """The partner's Thursday session, co-run by the PPR group's facilitator, whose group meets then."""
    h.record(
        "action",
        "action-1",
        SessionScheduled(
            action_id="action-1",
            session_id="a-1-s-2",
            slot=_thursday_partner_session(PARTNER_FACILITATOR, FACILITATOR),
        ),
        actor=RIPRO,
    )


def facilitator_replaced(h: History) -> None:
    h.record(
        "action",
        "action-1",
        SessionMoved(
            action_id="action-1", session_id="a-1-s-2", slot=_thursday_partner_session(PARTNER_FACILITATOR)
        ),
        actor=RIPRO,
    )


def a_partner_session(h: History, *, establishment: str, title: str, place: str, facilitator: str) -> None:
    """A call of `establishment`, its action "Atelier CV" and the action's session on Tuesday 14:00–16:00."""
    h.record(
        "call",
        "call-1",
        CallDrafted(
            call_id="call-1",
            content=CallContent(
                title=title,
                theme="Espace emploi",
                establishment=establishment,
                opens_on=date(2030, 11, 1),
                closes_on=date(2030, 12, 1),
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
            capacity_min=2,
            capacity_max=8,
        ),
        actor=RIPRO,
    )
    h.record(
        "action",
        "action-1",
        SessionScheduled(
            action_id="action-1",
            session_id="a-1-s-1",
            slot=SessionSlot(starts_at=at(1, 14), ends_at=at(1, 16), place=place, facilitators=[facilitator]),
        ),
        actor=RIPRO,
    )
