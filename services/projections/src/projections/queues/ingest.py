"""What the queues keep of the four services' topics: per case, pathway, work file, leave, assessment, plan
and partner session, the facts a queue is computed from (`queues.rules`), never a computed status.

Each event runs in the consumer's transaction beside its checkpoint (the runner applies an event id once) and
writes its own row by its own id, creating it if an event of another topic or partition has not yet: a
case's assessment, plan and interviews, a pathway's leaves, a session's report may come in any order. Dates
only move forward (`greatest`), so a replay in another order ends the same. Of the restricted topics, only
the types `KEPT_RESTRICTED` names (ADR 25); no personal-data field is kept."""

from __future__ import annotations

import asyncpg

from contracts import Event, EventEnvelope
from contracts.assessment import (
    AssessmentReturned,
    AssessmentStarted,
    AssessmentSubmitted,
    AssessmentValidated,
    CaseClosed,
    CaseOpened,
    CaseTransferred,
    DeadlineKind,
    DeadlineMissed,
    InterviewHeld,
    PlanAdopted,
    PlanAgreementRecorded,
    PlanValidated,
    ReferentAssigned,
    SentenceUpdated,
)
from contracts.ipro import (
    AdviserAssigned,
    AffectationDecided,
    AffectationEndedOnRelease,
    ClassementGranted,
    ClassementRefused,
    ClassementRequested,
    ContractEnded,
    ContractEndedOnRelease,
    Declassified,
    EmployerInterviewHeld,
    FranceTravailRegistered,
    LeaveDecided,
    LeaveRequested,
    PathwayClosed,
    PathwayOpened,
    PositioningAttended,
    PositioningCancelled,
    PositioningMoved,
    PositioningNoShowRecorded,
    PositioningProposed,
    PositioningWithdrawn,
    SynthesisWritten,
    TrainingCompleted,
    TrainingDroppedOut,
    TrainingEnrolled,
)
from contracts.partners import (
    ActionCreated,
    CallDrafted,
    CallRevised,
    SessionCancelled,
    SessionMoved,
    SessionReported,
    SessionScheduled,
)
from contracts.programmes import GroupClosed, ParticipantEnrolled, ParticipantLeft
from kernel.clock import local_date

TOPICS = (
    "assessment.events",
    "assessment.restricted",
    "programmes.events",
    "ipro.events",
    "ipro.restricted",
    "partners.events",
)
TABLES = (
    "queue_cases",
    "queue_assessments",
    "queue_plans",
    "queue_pathways",
    "queue_activities",
    "queue_work",
    "queue_leaves",
    "queue_calls",
    "queue_actions",
    "queue_sessions",
    "queue_bookings",
)

# That an assessment was submitted or returned (not who submitted it, nor the comments), that the synthesis
# was written, that a classement was refused, that a leave was decided: the facts, never their content.
KEPT_RESTRICTED = frozenset(
    cls.event_type
    for cls in (AssessmentSubmitted, AssessmentReturned, SynthesisWritten, ClassementRefused, LeaveDecided)
)
_POST_ENDS = (ContractEnded, ContractEndedOnRelease, AffectationEndedOnRelease)
EVENT_TYPES = KEPT_RESTRICTED | frozenset(
    cls.event_type
    for cls in (
        CaseOpened,
        ReferentAssigned,
        SentenceUpdated,
        CaseTransferred,
        CaseClosed,
        AssessmentStarted,
        AssessmentValidated,
        PlanAdopted,
        PlanAgreementRecorded,
        PlanValidated,
        InterviewHeld,
        DeadlineMissed,
        PathwayOpened,
        AdviserAssigned,
        FranceTravailRegistered,
        PathwayClosed,
        ClassementRequested,
        ClassementGranted,
        EmployerInterviewHeld,
        AffectationDecided,
        *_POST_ENDS,
        Declassified,
        TrainingEnrolled,
        TrainingCompleted,
        TrainingDroppedOut,
        PositioningProposed,
        PositioningMoved,
        PositioningWithdrawn,
        PositioningCancelled,
        PositioningAttended,
        PositioningNoShowRecorded,
        LeaveRequested,
        CallDrafted,
        CallRevised,
        ActionCreated,
        SessionScheduled,
        SessionMoved,
        SessionCancelled,
        SessionReported,
        ParticipantEnrolled,
        ParticipantLeft,
        GroupClosed,
    )
)


async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
    if await _case(connection, envelope, event):
        return
    if await _pathway(connection, envelope, event):
        return
    await _partners_and_programmes(connection, envelope, event)


async def _case_column(connection: asyncpg.Connection, case_id: str, sql_set: str, *values) -> None:
    """Set columns of a case's row (`c`; `$1` is the case), creating it if its opening is not read yet."""
    await connection.execute("INSERT INTO queue_cases (case_id) VALUES ($1) ON CONFLICT DO NOTHING", case_id)
    await connection.execute(f"UPDATE queue_cases AS c SET {sql_set} WHERE case_id = $1", case_id, *values)


async def _case(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> bool:
    """The SPIP follow-up: the case, its assessments, plan, interviews and missed deadlines."""
    match event:
        case CaseOpened():
            await _case_column(
                connection,
                event.case_id,
                "subject_id = $2, establishment = $3, opened_on = $4, release_on = $5, adjustment_on = $6",
                event.subject_id,
                event.establishment,
                local_date(envelope.occurred_at),  # the day the initial assessment is counted from (ADR 11)
                event.sentence.expected_end_date,
                event.sentence.conditional_release_eligibility_date,
            )
        case SentenceUpdated():
            await _case_column(
                connection,
                event.case_id,
                "release_on = $2, adjustment_on = $3",
                event.sentence.expected_end_date,
                event.sentence.conditional_release_eligibility_date,
            )
        case ReferentAssigned():
            await _case_column(connection, event.case_id, "referent = $2", event.referent)
        case CaseTransferred():
            await _case_column(connection, event.case_id, "establishment = $2", event.establishment)
        case CaseClosed():
            await _case_column(connection, event.case_id, "closed_on = $2", event.closed_on)
        case InterviewHeld():
            await _case_column(
                connection,
                event.case_id,
                "last_interview_on = greatest(c.last_interview_on, $2)",
                event.held_on,
            )
        case DeadlineMissed():
            if event.kind == DeadlineKind.INITIAL_ASSESSMENT:
                await _case_column(connection, event.case_id, "initial_missed_on = $2", event.due_on)
        case AssessmentValidated():
            # The latest validation gives the risk level; an older one read later changes nothing.
            await _case_column(
                connection,
                event.case_id,
                """risk_level = CASE WHEN c.last_validated_on IS NULL OR c.last_validated_on <= $2
                                     THEN $3 ELSE c.risk_level END,
                   last_validated_on = greatest(c.last_validated_on, $2)""",
                event.validated_on,
                event.overall_risk_level.value,
            )
            await connection.execute(
                """INSERT INTO queue_assessments (assessment_id, case_id, kind, validated) VALUES ($1, $2, $3, true)
                   ON CONFLICT (assessment_id) DO UPDATE SET case_id = $2, kind = $3, validated = true""",
                event.assessment_id,
                event.case_id,
                event.kind.value,
            )
        case AssessmentStarted():
            await connection.execute(
                """INSERT INTO queue_assessments (assessment_id, case_id, kind) VALUES ($1, $2, $3)
                   ON CONFLICT (assessment_id) DO UPDATE SET case_id = $2, kind = $3""",
                event.assessment_id,
                event.case_id,
                event.kind.value,
            )
        case AssessmentSubmitted():
            await connection.execute(
                """INSERT INTO queue_assessments (assessment_id, case_id, submitted_at) VALUES ($1, $2, $3)
                   ON CONFLICT (assessment_id) DO UPDATE
                   SET case_id = $2, submitted_at = greatest(queue_assessments.submitted_at, $3)""",
                event.assessment_id,
                event.case_id,
                envelope.occurred_at,
            )
        case AssessmentReturned():
            await connection.execute(
                """INSERT INTO queue_assessments (assessment_id, returned_at) VALUES ($1, $2)
                   ON CONFLICT (assessment_id) DO UPDATE
                   SET returned_at = greatest(queue_assessments.returned_at, $2)""",
                event.assessment_id,
                envelope.occurred_at,
            )
        case PlanAdopted():
            # A new version (a revision) awaits a validation of its own; an older version read later is moot.
            await connection.execute(
                """INSERT INTO queue_plans AS p (plan_id, case_id, plan_version, adopted_at) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (plan_id) DO UPDATE SET case_id = $2,
                       agreed = CASE WHEN p.plan_version < $3 THEN false ELSE p.agreed END,
                       adopted_at = CASE WHEN p.plan_version < $3 THEN $4 ELSE p.adopted_at END,
                       plan_version = greatest(p.plan_version, $3)""",
                event.plan_id,
                event.case_id,
                event.plan_version,
                envelope.occurred_at,
            )
            await _case_column(
                connection,
                event.case_id,
                """plan_id = $2,
                   plan_review_on = CASE WHEN coalesce(c.plan_version, 0) <= $3 THEN $4 ELSE c.plan_review_on END,
                   plan_version = greatest(c.plan_version, $3)""",
                event.plan_id,
                event.plan_version,
                event.review_date,
            )
        case PlanAgreementRecorded():
            await connection.execute(
                """INSERT INTO queue_plans (plan_id, agreed) VALUES ($1, true)
                   ON CONFLICT (plan_id) DO UPDATE SET agreed = true""",
                event.plan_id,
            )
        case PlanValidated():
            await connection.execute(
                """INSERT INTO queue_plans AS p (plan_id, validated_version) VALUES ($1, $2)
                   ON CONFLICT (plan_id) DO UPDATE SET validated_version = greatest(p.validated_version, $2)""",
                event.plan_id,
                event.plan_version,
            )
        case _:
            return False
    return True


async def _pathway_column(connection: asyncpg.Connection, pathway_id: str, sql_set: str, *values) -> None:
    await connection.execute(
        "INSERT INTO queue_pathways (pathway_id) VALUES ($1) ON CONFLICT DO NOTHING", pathway_id
    )
    await connection.execute(
        f"UPDATE queue_pathways AS p SET {sql_set} WHERE pathway_id = $1", pathway_id, *values
    )


async def _work_column(connection: asyncpg.Connection, work_id: str, sql_set: str, *values) -> None:
    await connection.execute("INSERT INTO queue_work (work_id) VALUES ($1) ON CONFLICT DO NOTHING", work_id)
    await connection.execute(f"UPDATE queue_work AS w SET {sql_set} WHERE work_id = $1", work_id, *values)


async def _pathway(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> bool:
    """IPRO: the pathway, access to work, leaves, and what occupies the person (posts, trainings,
    positionings)."""
    at = local_date(envelope.occurred_at)
    match event:
        case PathwayOpened():
            await _pathway_column(
                connection,
                event.pathway_id,
                "case_id = $2, subject_id = $3, establishment = $4, synthesis_due_on = $5",
                event.case_id,
                event.subject_id,
                event.establishment,
                event.synthesis_due_on,
            )
        case AdviserAssigned():
            await _pathway_column(connection, event.pathway_id, "adviser = $2", event.adviser)
        case SynthesisWritten():
            await _pathway_column(connection, event.pathway_id, "synthesis_written = $2", True)
        case FranceTravailRegistered():
            await _pathway_column(connection, event.pathway_id, "france_travail_on = $2", event.registered_on)
        case PathwayClosed():
            await _pathway_column(connection, event.pathway_id, "closed_on = $2", event.closed_on)
        case ClassementRequested():
            await _work_column(
                connection,
                event.work_id,
                "pathway_id = $2, subject_id = $3, requested_on = $4, status = 'requested', decided_on = NULL",
                event.pathway_id,
                event.subject_id,
                event.requested_on,
            )
        case ClassementGranted():
            await _work_column(
                connection,
                event.work_id,
                "status = 'granted', decided_on = $2, regimes = $3",
                event.decided_on,
                [r.value for r in event.regimes],
            )
        case ClassementRefused():
            # A refusal read after a later request (another topic) does not undo that request.
            await _work_column(
                connection,
                event.work_id,
                """status = CASE WHEN w.requested_on > $2 THEN w.status ELSE 'refused' END,
                   decided_on = CASE WHEN w.requested_on > $2 THEN w.decided_on ELSE $2 END""",
                event.decided_on,
            )
        case EmployerInterviewHeld():
            await _work_column(
                connection, event.work_id, "interviewed_on = greatest(w.interviewed_on, $2)", event.held_on
            )
        case AffectationDecided():
            # The interview that led to this post is spent: once it ends, the next post needs another.
            await _work_column(connection, event.work_id, "has_post = $2, interviewed_on = NULL", True)
            subject = envelope.subject or await connection.fetchval(
                "SELECT subject_id FROM queue_work WHERE work_id = $1", event.work_id
            )
            if subject:
                await _occupied(connection, f"work:{event.work_id}", subject, f"work:{event.work_id}", None)
        case ContractEnded() | ContractEndedOnRelease() | AffectationEndedOnRelease():
            await _work_column(connection, event.work_id, "has_post = $2", False)
            await _ended(connection, f"work:{event.work_id}", event.ended_on)
        case Declassified():
            await _work_column(connection, event.work_id, "status = 'declassified', has_post = $2", False)
            await _ended(connection, f"work:{event.work_id}", event.decided_on)
        case TrainingEnrolled():
            await _occupied(
                connection,
                f"training:{event.training_id}",
                event.subject_id,
                f"training:{event.training_id}",
                event.ends_on,
            )
        case TrainingCompleted():
            await _ended(connection, f"training:{event.training_id}", event.completed_on)
        case TrainingDroppedOut():
            await _ended(connection, f"training:{event.training_id}", at)
        case PositioningProposed():
            await _occupied(
                connection,
                f"positioning:{event.positioning_id}",
                event.subject_id,
                f"action:{event.action_id}",
                local_date(event.ends_at),
            )
            await connection.execute(
                """INSERT INTO queue_bookings (positioning_id, action_id, session_id) VALUES ($1, $2, $3)
                   ON CONFLICT (positioning_id) DO NOTHING""",
                event.positioning_id,
                event.action_id,
                event.session_id,
            )
        case PositioningMoved():
            await connection.execute(
                "UPDATE queue_activities SET last_day = $2 WHERE activity_id = $1",
                f"positioning:{event.positioning_id}",
                local_date(event.ends_at),
            )
        case PositioningWithdrawn() | PositioningCancelled():
            # A place that will not be taken was never an activity.
            await connection.execute(
                "DELETE FROM queue_activities WHERE activity_id = $1", f"positioning:{event.positioning_id}"
            )
            await connection.execute(
                "UPDATE queue_bookings SET active = false WHERE positioning_id = $1", event.positioning_id
            )
        case PositioningAttended() | PositioningNoShowRecorded():
            await connection.execute(
                "UPDATE queue_bookings SET attended = $2 WHERE positioning_id = $1",
                event.positioning_id,
                isinstance(event, PositioningAttended),
            )
        case LeaveRequested():
            await connection.execute(
                """INSERT INTO queue_leaves (leave_id, pathway_id, subject_id, kind, starts_on, requested_on)
                   VALUES ($1, $2, $3, $4, $5, $6)
                   ON CONFLICT (leave_id) DO UPDATE SET pathway_id = $2, subject_id = $3, kind = $4,
                       starts_on = $5, requested_on = $6""",
                event.leave_id,
                event.pathway_id,
                envelope.subject,
                event.kind.value,
                event.starts_on,
                at,
            )
        case LeaveDecided():
            await connection.execute(
                """INSERT INTO queue_leaves (leave_id, pathway_id, decided) VALUES ($1, $2, true)
                   ON CONFLICT (leave_id) DO UPDATE SET decided = true""",
                event.leave_id,
                event.pathway_id,
            )
        case _:
            return False
    return True


async def _occupied(connection, activity_id: str, subject_id: str, source_id: str, last_day) -> None:
    await connection.execute(
        """INSERT INTO queue_activities (activity_id, subject_id, source_id, last_day) VALUES ($1, $2, $3, $4)
           ON CONFLICT (activity_id) DO UPDATE
           SET subject_id = excluded.subject_id, last_day = excluded.last_day, active = true""",
        activity_id,
        subject_id,
        source_id,
        last_day,
    )


async def _ended(connection, source_id: str, on) -> None:
    """The activities of a work file, training or group still running end on `on`."""
    await connection.execute(
        "UPDATE queue_activities SET active = false, last_day = $2 WHERE source_id = $1 AND active",
        source_id,
        on,
    )


async def _partners_and_programmes(
    connection: asyncpg.Connection, envelope: EventEnvelope, event: Event
) -> None:
    match event:
        case CallDrafted() | CallRevised():
            await connection.execute(
                """INSERT INTO queue_calls (call_id, establishment) VALUES ($1, $2)
                   ON CONFLICT (call_id) DO UPDATE SET establishment = excluded.establishment""",
                event.call_id,
                event.content.establishment,
            )
        case ActionCreated():
            await connection.execute(
                """INSERT INTO queue_actions (action_id, call_id, partner_id, title) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (action_id) DO NOTHING""",
                event.action_id,
                event.call_id,
                event.partner_id,
                event.title,
            )
        case SessionScheduled() | SessionMoved():
            await connection.execute(
                """INSERT INTO queue_sessions (action_id, session_id, ends_at) VALUES ($1, $2, $3)
                   ON CONFLICT (action_id, session_id) DO UPDATE SET ends_at = $3""",
                event.action_id,
                event.session_id,
                event.slot.ends_at,
            )
        case SessionCancelled():
            await connection.execute(
                """INSERT INTO queue_sessions (action_id, session_id, cancelled) VALUES ($1, $2, true)
                   ON CONFLICT (action_id, session_id) DO UPDATE SET cancelled = true""",
                event.action_id,
                event.session_id,
            )
        case SessionReported():
            await connection.execute(
                """INSERT INTO queue_sessions (action_id, session_id, reported, held, present_count)
                   VALUES ($1, $2, true, $3, $4)
                   ON CONFLICT (action_id, session_id) DO UPDATE SET reported = true, held = $3, present_count = $4""",
                event.action_id,
                event.session_id,
                event.held,
                event.present_count,
            )
        case ParticipantEnrolled():
            await _occupied(
                connection, f"referral:{event.referral_id}", event.subject_id, f"group:{event.group_id}", None
            )
        case ParticipantLeft():
            await connection.execute(
                "UPDATE queue_activities SET active = false, last_day = $2 WHERE activity_id = $1 AND active",
                f"referral:{event.referral_id}",
                local_date(envelope.occurred_at),
            )
        case GroupClosed():
            await _ended(connection, f"group:{event.group_id}", event.closed_on)
