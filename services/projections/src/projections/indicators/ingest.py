"""What the indicators keep of the four services' topics: facts per person and day (where they were held,
their posts, trainings, pathway steps, places on partner actions, programme participations, releases), never
a month's totals, so that any month is recomputed from them (`indicators.compute`).

Each event runs in the consumer's transaction beside its checkpoint. An end event always follows its start
on the same stream (one stream, one partition), so it finds its row; facts of different streams (a stay and
a post) are joined at read time, never here, so the order in which topics arrive changes nothing.

Days are the payload's where it has them (an admission, a post's start), else the event's local day."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg

from contracts import Event, EventEnvelope
from contracts.assessment import CaseClosed, CaseOpened, CaseTransferred, SentenceUpdated
from contracts.ipro import (
    AffectationDecided,
    AffectationEndedOnRelease,
    ContractEnded,
    ContractEndedOnRelease,
    Declassified,
    ExitOutcomeRecorded,
    GoalSet,
    GoalStatus,
    GoalStatusChanged,
    PathwayClosed,
    PathwayOpened,
    PositioningAttended,
    PositioningCancelled,
    PositioningMoved,
    PositioningNoShowRecorded,
    PositioningOutcomeRecorded,
    PositioningProposed,
    PositioningWithdrawn,
    TrainingCompleted,
    TrainingDroppedOut,
    TrainingEnrolled,
)
from contracts.programmes import (
    ParticipationAssessed,
    ParticipationStarted,
    ReferralDroppedOut,
    ReferralEndedOnRelease,
    ReferralEnrolled,
    ReferralExcluded,
    ReferralRequested,
    ReferralWithdrawn,
)
from kernel.clock import local_date

TOPICS = ("assessment.events", "programmes.events", "ipro.events")
TABLES = (
    "indicator_stays",
    "indicator_activities",
    "indicator_pathways",
    "indicator_participations",
    "indicator_positionings",
)

EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        CaseOpened,
        CaseTransferred,
        CaseClosed,
        SentenceUpdated,
        PathwayOpened,
        ExitOutcomeRecorded,
        PathwayClosed,
        GoalSet,
        GoalStatusChanged,
        AffectationDecided,
        ContractEnded,
        ContractEndedOnRelease,
        AffectationEndedOnRelease,
        Declassified,
        TrainingEnrolled,
        TrainingCompleted,
        TrainingDroppedOut,
        PositioningProposed,
        PositioningMoved,
        PositioningAttended,
        PositioningNoShowRecorded,
        PositioningOutcomeRecorded,
        PositioningWithdrawn,
        PositioningCancelled,
        ReferralRequested,
        ReferralEnrolled,
        ParticipationStarted,
        ParticipationAssessed,
        ReferralDroppedOut,
        ReferralExcluded,
        ReferralWithdrawn,
        ReferralEndedOnRelease,
    )
)


async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
    day = local_date(envelope.occurred_at)
    match event:
        case CaseOpened():
            await connection.execute(
                """INSERT INTO indicator_stays (case_id, first_day, subject_id, establishment, admitted_on,
                                                expected_end_date)
                   VALUES ($1, $2, $3, $4, $2, $5) ON CONFLICT DO NOTHING""",
                event.case_id,
                event.admission_date,
                event.subject_id,
                event.establishment,
                event.sentence.expected_end_date,
            )
        case SentenceUpdated():
            await connection.execute(
                "UPDATE indicator_stays SET expected_end_date = $2 WHERE case_id = $1 AND ended_by IS NULL",
                event.case_id,
                event.sentence.expected_end_date,
            )
        case CaseTransferred():
            await _transfer(connection, event)
        case CaseClosed():
            # The release day is not a day held: the stay's last day is the one before (the release's is the
            # day after `last_day`).
            await connection.execute(
                """UPDATE indicator_stays SET last_day = $2::date - 1, ended_by = $3
                   WHERE case_id = $1 AND last_day IS NULL""",
                event.case_id,
                event.closed_on,
                event.reason.value,
            )
        case PathwayOpened():
            await connection.execute(
                """INSERT INTO indicator_pathways (pathway_id, case_id, subject_id) VALUES ($1, $2, $3)
                   ON CONFLICT DO NOTHING""",
                event.pathway_id,
                event.case_id,
                event.subject_id,
            )
        case ExitOutcomeRecorded() | PathwayClosed():
            await connection.execute(
                "UPDATE indicator_pathways SET exit_situation = $2 WHERE pathway_id = $1",
                event.pathway_id,
                event.outcome.situation.value,
            )
        case GoalSet():
            subject = envelope.subject or await connection.fetchval(
                "SELECT subject_id FROM indicator_pathways WHERE pathway_id = $1", event.pathway_id
            )
            if subject is None:
                return  # a goal of a pathway never opened: nobody to count
            for step in [s.step_id for s in event.steps] or [""]:
                await _start(connection, f"step:{event.goal_id}/{step}", event.goal_id, subject, "step", day)
        case GoalStatusChanged():
            await _goal_status(connection, envelope, event, day)
        case AffectationDecided():
            if envelope.subject is None:
                return  # IPRO names the person on every work event
            # A new post ends the previous one the day before it starts.
            await _end(connection, event.work_id, event.starts_on - timedelta(days=1))
            await _start(
                connection,
                f"work:{event.affectation_id}",
                event.work_id,
                envelope.subject,
                "work",
                event.starts_on,
            )
        case ContractEnded() | ContractEndedOnRelease() | AffectationEndedOnRelease():
            await _end(connection, event.work_id, event.ended_on - timedelta(days=1))
        case Declassified():
            await _end(connection, event.work_id, event.decided_on - timedelta(days=1))
        case TrainingEnrolled():
            await _start(
                connection,
                f"training:{event.training_id}",
                event.training_id,
                event.subject_id,
                "training",
                event.starts_on,
                last_day=event.ends_on,
            )
        case TrainingCompleted():
            await _end(connection, event.training_id, event.completed_on, also_ended=True)
        case TrainingDroppedOut():
            await _end(connection, event.training_id, day - timedelta(days=1), also_ended=True)
        case PositioningProposed():
            await connection.execute(
                """INSERT INTO indicator_positionings (positioning_id, subject_id, proposed_on, session_day,
                                                       status)
                   VALUES ($1, $2, $3, $4, 'booked') ON CONFLICT DO NOTHING""",
                event.positioning_id,
                event.subject_id,
                day,
                local_date(event.starts_at),
            )
        case PositioningMoved():
            await connection.execute(
                "UPDATE indicator_positionings SET session_day = $2 WHERE positioning_id = $1",
                event.positioning_id,
                local_date(event.starts_at),
            )
        case PositioningAttended() | PositioningNoShowRecorded():
            status = "attended" if isinstance(event, PositioningAttended) else "no_show"
            await connection.execute(
                "UPDATE indicator_positionings SET status = $2 WHERE positioning_id = $1",
                event.positioning_id,
                status,
            )
        case PositioningOutcomeRecorded():
            await connection.execute(
                "UPDATE indicator_positionings SET outcome = $2 WHERE positioning_id = $1",
                event.positioning_id,
                event.outcome.value,
            )
        case PositioningWithdrawn() | PositioningCancelled():
            status = "withdrawn" if isinstance(event, PositioningWithdrawn) else "cancelled"
            await connection.execute(
                """UPDATE indicator_positionings SET status = $2, ended_on = $3
                   WHERE positioning_id = $1 AND status = 'booked'""",
                event.positioning_id,
                status,
                day,
            )
        case ReferralRequested():
            await connection.execute(
                """INSERT INTO indicator_participations (referral_id, subject_id, establishment)
                   VALUES ($1, $2, $3) ON CONFLICT DO NOTHING""",
                event.referral_id,
                event.subject_id,
                event.establishment,
            )
        case ReferralEnrolled() | ParticipationStarted():
            await connection.execute(
                "UPDATE indicator_participations SET enrolled = true WHERE referral_id = $1",
                event.referral_id,
            )
        case ParticipationAssessed():
            await _participation_ended(
                connection, event.referral_id, day, "completed" if event.completed else "not_completed"
            )
        case ReferralDroppedOut():
            await _participation_ended(connection, event.referral_id, day, "dropped_out")
        case ReferralExcluded():
            await _participation_ended(connection, event.referral_id, day, "excluded")
        case ReferralWithdrawn():
            await _participation_ended(connection, event.referral_id, day, "withdrawn")
        case ReferralEndedOnRelease():
            await _participation_ended(connection, event.referral_id, event.released_on, "released")


async def _transfer(connection: asyncpg.Connection, event: CaseTransferred) -> None:
    """The stay at the origin ends the day before; the person is held at the destination from that day.
    A transfer on the day the stay began moves the whole stay."""
    current = await connection.fetchrow(
        "SELECT * FROM indicator_stays WHERE case_id = $1 AND last_day IS NULL AND ended_by IS NULL",
        event.case_id,
    )
    if current is None:
        return
    if event.transferred_on <= current["first_day"]:
        await connection.execute(
            "UPDATE indicator_stays SET establishment = $3 WHERE case_id = $1 AND first_day = $2",
            event.case_id,
            current["first_day"],
            event.establishment,
        )
        return
    await connection.execute(
        """UPDATE indicator_stays SET last_day = $3::date - 1, ended_by = 'transfer'
           WHERE case_id = $1 AND first_day = $2""",
        event.case_id,
        current["first_day"],
        event.transferred_on,
    )
    await connection.execute(
        """INSERT INTO indicator_stays (case_id, first_day, subject_id, establishment, admitted_on,
                                        expected_end_date)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        event.case_id,
        event.transferred_on,
        current["subject_id"],
        event.establishment,
        current["admitted_on"],
        current["expected_end_date"],
    )


async def _goal_status(
    connection: asyncpg.Connection, envelope: EventEnvelope, event: GoalStatusChanged, day: date
) -> None:
    """A step (or, without `step_id`, the goal and every step of it) achieved or abandoned ends the day
    before; made active again, it starts again that day."""
    pattern = f"step:{event.goal_id}/{event.step_id if event.step_id is not None else '%'}"
    if event.status is not GoalStatus.ACTIVE:
        await connection.execute(
            """UPDATE indicator_activities SET last_day = $3::date - 1
               WHERE source_id = $1 AND activity_id LIKE $2 AND last_day IS NULL""",
            event.goal_id,
            pattern,
            day,
        )
        return
    ended = await connection.fetch(
        """SELECT DISTINCT ON (activity_id) activity_id, subject_id, last_day FROM indicator_activities
           WHERE source_id = $1 AND activity_id LIKE $2 ORDER BY activity_id, first_day DESC""",
        event.goal_id,
        pattern,
    )
    for row in ended:
        if row["last_day"] is not None and row["last_day"] < day:
            await _start(connection, row["activity_id"], event.goal_id, row["subject_id"], "step", day)


async def _start(
    connection: asyncpg.Connection,
    activity_id: str,
    source_id: str,
    subject_id: str,
    kind: str,
    first_day: date,
    *,
    last_day: date | None = None,
) -> None:
    await connection.execute(
        """INSERT INTO indicator_activities (activity_id, first_day, source_id, subject_id, kind, last_day)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        activity_id,
        first_day,
        source_id,
        subject_id,
        kind,
        last_day,
    )


async def _end(
    connection: asyncpg.Connection, source_id: str, last_day: date, *, also_ended: bool = False
) -> None:
    """What `source_id` holds ends after `last_day` (before its first day: it held no day). A training has a
    planned last day already (`also_ended`): an earlier end replaces it, a later one does not lengthen it."""
    await connection.execute(
        """UPDATE indicator_activities SET last_day = $2
           WHERE source_id = $1 AND (last_day IS NULL OR ($3 AND last_day > $2))""",
        source_id,
        last_day,
        also_ended,
    )


async def _participation_ended(
    connection: asyncpg.Connection, referral_id: str, on: date, outcome: str
) -> None:
    """The first end counts: a participation assessed after a drop-out stays a drop-out."""
    await connection.execute(
        """UPDATE indicator_participations SET ended_on = $2, outcome = $3
           WHERE referral_id = $1 AND outcome IS NULL""",
        referral_id,
        on,
        outcome,
    )
