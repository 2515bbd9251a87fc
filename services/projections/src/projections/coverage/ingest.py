"""What the coverage view keeps of the topics: per person, their current needs; per programme group, partner
action session and training, its dates and seats.

Of `assessment.events`, the validated assessments' priority axes: the draft's (`conclusion_recorded`) are
restricted and not needed here (ADR 25). Of `ipro.restricted`, the profile's education level alone, never its
health restrictions nor anything else of it. No personal-data field is kept, people by subject id only.

Each event runs in the consumer's transaction beside its checkpoint, and the runner applies an event id once.
Rows are keyed by what the event names (a case, a pathway, a work file, a referral), so that events of
other streams, read in any order, meet at read time (`store`)."""

from __future__ import annotations

from datetime import date

import asyncpg

from contracts import Event, EventEnvelope
from contracts.assessment import AssessmentValidated, CaseClosed, CaseOpened, CaseTransferred
from contracts.ipro import (
    AffectationDecided,
    AffectationEndedOnRelease,
    ClassementGranted,
    ClassementRequested,
    ContractEnded,
    ContractEndedOnRelease,
    Declassified,
    GoalSet,
    GoalStatus,
    GoalStatusChanged,
    PathwayClosed,
    PathwayOpened,
    PositioningCancelled,
    PositioningProposed,
    PositioningWithdrawn,
    ProfileRecorded,
    ReadinessChanged,
    TrainingCompleted,
    TrainingDroppedOut,
    TrainingEnrolled,
)
from contracts.partners import (
    ActionClosed,
    ActionCreated,
    ActionPublished,
    CallDrafted,
    CallRevised,
    SessionCancelled,
    SessionMoved,
    SessionScheduled,
)
from contracts.programmes import (
    CatchUpSessionAdded,
    GroupPlanned,
    GroupSession,
    GroupSessionCancelled,
    GroupSessionMoved,
    ParticipantEnrolled,
    ParticipantLeft,
    ParticipantWaitlisted,
    ProgrammeCreated,
    ProgrammeRevised,
)
from kernel.clock import local_date

TOPICS = ("assessment.events", "programmes.events", "ipro.events", "ipro.restricted", "partners.events")
TABLES = (
    "coverage_cases",
    "coverage_axes",
    "coverage_pathways",
    "coverage_goals",
    "coverage_work",
    "coverage_programmes",
    "coverage_groups",
    "coverage_group_sessions",
    "coverage_referrals",
    "coverage_calls",
    "coverage_actions",
    "coverage_action_sessions",
    "coverage_positionings",
    "coverage_trainings",
)

_POST_ENDS = (ContractEnded, ContractEndedOnRelease, AffectationEndedOnRelease)
EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        CaseOpened,
        CaseTransferred,
        CaseClosed,
        AssessmentValidated,
        PathwayOpened,
        PathwayClosed,
        ReadinessChanged,
        ProfileRecorded,  # restricted: the only type of `ipro.restricted` read here
        GoalSet,
        GoalStatusChanged,
        ClassementRequested,
        ClassementGranted,
        AffectationDecided,
        *_POST_ENDS,
        Declassified,
        TrainingEnrolled,
        TrainingCompleted,
        TrainingDroppedOut,
        PositioningProposed,
        PositioningWithdrawn,
        PositioningCancelled,
        ProgrammeCreated,
        ProgrammeRevised,
        GroupPlanned,
        GroupSessionMoved,
        GroupSessionCancelled,
        CatchUpSessionAdded,
        ParticipantWaitlisted,
        ParticipantEnrolled,
        ParticipantLeft,
        CallDrafted,
        CallRevised,
        ActionCreated,
        ActionPublished,
        ActionClosed,
        SessionScheduled,
        SessionMoved,
        SessionCancelled,
    )
)


async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
    match event:
        case CaseOpened():
            await connection.execute(
                """INSERT INTO coverage_cases (case_id, subject_id, establishment) VALUES ($1, $2, $3)
                   ON CONFLICT (case_id) DO UPDATE SET subject_id = excluded.subject_id,
                       establishment = excluded.establishment""",
                event.case_id,
                event.subject_id,
                event.establishment,
            )
        case CaseTransferred():
            await connection.execute(
                "UPDATE coverage_cases SET establishment = $2 WHERE case_id = $1",
                event.case_id,
                event.establishment,
            )
        case CaseClosed():
            await connection.execute(
                "UPDATE coverage_cases SET closed = true WHERE case_id = $1", event.case_id
            )
        case AssessmentValidated():
            # Two assessments of a case are two streams, maybe two partitions: the latest validated wins.
            await connection.execute(
                """INSERT INTO coverage_axes (case_id, assessment_id, validated_on, validated_at, axes)
                   VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (case_id) DO UPDATE SET assessment_id = excluded.assessment_id,
                       validated_on = excluded.validated_on, validated_at = excluded.validated_at,
                       axes = excluded.axes
                   WHERE (excluded.validated_on, excluded.validated_at)
                         > (coverage_axes.validated_on, coverage_axes.validated_at)""",
                event.case_id,
                event.assessment_id,
                event.validated_on,
                envelope.occurred_at,
                [axis.value for axis in event.priority_axes],
            )
        case PathwayOpened():
            await connection.execute(
                """INSERT INTO coverage_pathways (pathway_id, case_id, subject_id) VALUES ($1, $2, $3)
                   ON CONFLICT (pathway_id) DO UPDATE SET case_id = excluded.case_id,
                       subject_id = excluded.subject_id""",
                event.pathway_id,
                event.case_id,
                event.subject_id,
            )
        case PathwayClosed():
            await _pathway(connection, event.pathway_id, "closed", True)
        case ReadinessChanged():
            await _pathway(connection, event.pathway_id, "readiness", event.status.value)
        case ProfileRecorded():
            await _pathway(
                connection, event.pathway_id, "education_level", event.profile.education_level.value
            )
        case GoalSet():
            await connection.execute(
                """INSERT INTO coverage_goals (pathway_id, goal_id) VALUES ($1, $2)
                   ON CONFLICT (pathway_id, goal_id) DO UPDATE SET active = true""",
                event.pathway_id,
                event.goal_id,
            )
        case GoalStatusChanged():
            if event.step_id is None:  # a step's status is not the goal's
                await connection.execute(
                    "UPDATE coverage_goals SET active = $3 WHERE pathway_id = $1 AND goal_id = $2",
                    event.pathway_id,
                    event.goal_id,
                    event.status == GoalStatus.ACTIVE,
                )
        case ClassementRequested():
            await connection.execute(
                """INSERT INTO coverage_work (work_id, pathway_id) VALUES ($1, $2)
                   ON CONFLICT (work_id) DO UPDATE SET granted = false, regimes = '{}'""",
                event.work_id,
                event.pathway_id,
            )
        case ClassementGranted():
            await connection.execute(
                "UPDATE coverage_work SET granted = true, regimes = $2 WHERE work_id = $1",
                event.work_id,
                [regime.value for regime in event.regimes],
            )
        case AffectationDecided():
            await connection.execute(
                "UPDATE coverage_work SET has_post = true WHERE work_id = $1", event.work_id
            )
        case ContractEnded() | ContractEndedOnRelease() | AffectationEndedOnRelease():
            # Still classed: the person is back on the waiting list.
            await connection.execute(
                "UPDATE coverage_work SET has_post = false WHERE work_id = $1", event.work_id
            )
        case Declassified():
            await connection.execute(
                "UPDATE coverage_work SET granted = false, has_post = false WHERE work_id = $1", event.work_id
            )
        case TrainingEnrolled():
            await connection.execute(
                """INSERT INTO coverage_trainings (training_id, pathway_id, first_day, last_day)
                   VALUES ($1, $2, $3, $4) ON CONFLICT (training_id) DO NOTHING""",
                event.training_id,
                event.pathway_id,
                event.starts_on,
                event.ends_on,
            )
        case TrainingCompleted():
            await _training_ends(connection, event.training_id, event.completed_on)
        case TrainingDroppedOut():
            # Dropped out that day: the place is no longer taken from the next.
            await _training_ends(connection, event.training_id, local_date(envelope.occurred_at))
        case PositioningProposed():
            await connection.execute(
                """INSERT INTO coverage_positionings (positioning_id, action_id, session_id) VALUES ($1, $2, $3)
                   ON CONFLICT (positioning_id) DO NOTHING""",
                event.positioning_id,
                event.action_id,
                event.session_id,
            )
        case PositioningWithdrawn() | PositioningCancelled():
            await connection.execute(
                "UPDATE coverage_positionings SET holds_place = false WHERE positioning_id = $1",
                event.positioning_id,
            )
        case ProgrammeCreated() | ProgrammeRevised():
            await connection.execute(
                """INSERT INTO coverage_programmes (programme_id, themes) VALUES ($1, $2)
                   ON CONFLICT (programme_id) DO UPDATE SET themes = excluded.themes""",
                event.programme_id,
                list(event.definition.themes),
            )
        case GroupPlanned():
            if (
                event.sensitive
            ):  # an ESPACE-like group is for DPIPs only: it travels restricted, and is not counted
                return
            await connection.execute(
                """INSERT INTO coverage_groups (group_id, programme_id, establishment, capacity)
                   VALUES ($1, $2, $3, $4) ON CONFLICT (group_id) DO NOTHING""",
                event.group_id,
                event.programme_id,
                event.establishment,
                event.capacity,
            )
            for session in event.sessions:
                await _group_session(connection, event.group_id, session)
        case CatchUpSessionAdded():
            await _group_session(connection, event.group_id, event.session)
        case GroupSessionMoved():
            await connection.execute(
                """UPDATE coverage_group_sessions SET during = tstzrange($3, $4)
                   WHERE group_id = $1 AND session_id = $2""",
                event.group_id,
                event.session_id,
                event.starts_at,
                event.ends_at,
            )
        case GroupSessionCancelled():
            await connection.execute(
                "UPDATE coverage_group_sessions SET cancelled = true WHERE group_id = $1 AND session_id = $2",
                event.group_id,
                event.session_id,
            )
        case ParticipantWaitlisted() | ParticipantEnrolled():
            status = "waiting" if isinstance(event, ParticipantWaitlisted) else "enrolled"
            await connection.execute(
                """INSERT INTO coverage_referrals (referral_id, group_id, subject_id, status) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (referral_id) DO UPDATE SET group_id = excluded.group_id, status = excluded.status""",
                event.referral_id,
                event.group_id,
                event.subject_id,
                status,
            )
        case ParticipantLeft():
            await connection.execute(
                "UPDATE coverage_referrals SET status = 'left' WHERE referral_id = $1", event.referral_id
            )
        case CallDrafted() | CallRevised():
            await connection.execute(
                """INSERT INTO coverage_calls (call_id, establishment) VALUES ($1, $2)
                   ON CONFLICT (call_id) DO UPDATE SET establishment = excluded.establishment""",
                event.call_id,
                event.content.establishment,
            )
        case ActionCreated():
            await connection.execute(
                """INSERT INTO coverage_actions (action_id, call_id, action_type, capacity) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (action_id) DO NOTHING""",
                event.action_id,
                event.call_id,
                event.action_type.value,
                event.capacity_max,
            )
        case ActionPublished():
            await connection.execute(
                "UPDATE coverage_actions SET published = true WHERE action_id = $1", event.action_id
            )
        case ActionClosed():
            await connection.execute(
                "UPDATE coverage_actions SET closed = true WHERE action_id = $1", event.action_id
            )
        case SessionScheduled() | SessionMoved():
            await connection.execute(
                """INSERT INTO coverage_action_sessions (action_id, session_id, during)
                   VALUES ($1, $2, tstzrange($3, $4))
                   ON CONFLICT (action_id, session_id) DO UPDATE SET during = excluded.during""",
                event.action_id,
                event.session_id,
                event.slot.starts_at,
                event.slot.ends_at,
            )
        case SessionCancelled():
            await connection.execute(
                "UPDATE coverage_action_sessions SET cancelled = true WHERE action_id = $1 AND session_id = $2",
                event.action_id,
                event.session_id,
            )


async def _pathway(connection: asyncpg.Connection, pathway_id: str, column: str, value: object) -> None:
    """Set one column of a pathway, creating its row if this event is read before the opening."""
    await connection.execute(
        f"""INSERT INTO coverage_pathways (pathway_id, {column}) VALUES ($1, $2)
            ON CONFLICT (pathway_id) DO UPDATE SET {column} = excluded.{column}""",
        pathway_id,
        value,
    )


async def _group_session(connection: asyncpg.Connection, group_id: str, session: GroupSession) -> None:
    await connection.execute(
        """INSERT INTO coverage_group_sessions (group_id, session_id, during) VALUES ($1, $2, tstzrange($3, $4))
           ON CONFLICT (group_id, session_id) DO NOTHING""",
        group_id,
        session.session_id,
        session.starts_at,
        session.ends_at,
    )


async def _training_ends(connection: asyncpg.Connection, training_id: str, last_day: date) -> None:
    await connection.execute(
        "UPDATE coverage_trainings SET last_day = least(last_day, $2) WHERE training_id = $1",
        training_id,
        last_day,
    )
