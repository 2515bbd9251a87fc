"""The IPRO service's replicas: who is followed, where, until when (from the assessment events), the
partner actions' sessions (from the partners events), and the SPIP programme sessions people attend (from the
programmes events: a booking over one is accepted with a warning). A case opened opens the person's pathway on the
admission date; a case closed closes it with the outcome at release; a session the partner cancels or moves
cancels or moves the places on it: reactions, appended before the replica is written (ADR 2). A person erased
(`assessment.subject.erased`) keeps their rows, blanked: caseloads and reports still count them."""

from __future__ import annotations

import contextlib

import asyncpg

from contracts import Actor, Event, EventEnvelope
from contracts.assessment import (
    CaseClosed,
    CaseOpened,
    CaseTransferred,
    IdentityCorrected,
    ReferentAssigned,
    SentenceUpdated,
    SubjectErased,
)
from contracts.partners import (
    ActionClosed,
    ActionCreated,
    ActionPublished,
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
    ProgrammeCreated,
    ProgrammeRevised,
)
from ipro import handlers
from ipro.domain import errors, names
from ipro.domain.commands import CancelPositioning, FollowMovedSession, OpenPathway
from ipro.domain.facts import CaseFacts
from ipro.settings import IproSettings
from kernel.clock import local_date
from kernel.eventstore import EventStore, Metadata
from kernel.sealing import ERASED_TEXT as ERASED  # what an erased value reads, everywhere

REACTION = Actor(subject="ipro-case-reaction", role="system")
CATALOGUE_REACTION = Actor(subject="ipro-catalogue-reaction", role="system")
# What each replica acts on; the rest of the topics is passed over unread.
CASE_EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        CaseOpened,
        ReferentAssigned,
        SentenceUpdated,
        CaseTransferred,
        IdentityCorrected,
        CaseClosed,
        SubjectErased,
    )
)
PROGRAMME_EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        ProgrammeCreated,
        ProgrammeRevised,
        GroupPlanned,
        GroupSessionMoved,
        GroupSessionCancelled,
        CatchUpSessionAdded,
        ParticipantEnrolled,
        ParticipantLeft,
    )
)
CATALOGUE_EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        ActionCreated,
        ActionPublished,
        ActionClosed,
        SessionScheduled,
        SessionMoved,
        SessionCancelled,
    )
)


def assessment_applier(store: EventStore, settings: IproSettings):
    async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
        metadata = _caused_by(envelope, REACTION)
        match event:
            case CaseOpened():
                case = CaseFacts(
                    case_id=event.case_id,
                    subject_id=event.subject_id,
                    establishment=event.establishment,
                    open=True,
                    admission_date=event.admission_date,
                    expected_end_date=event.sentence.expected_end_date,
                    conditional_release_date=event.sentence.conditional_release_eligibility_date,
                    person=names.person(event.identity.first_names, event.identity.last_name),
                )
                command = OpenPathway(
                    pathway_id=handlers.pathway_id_of(event.case_id),
                    case_id=event.case_id,
                    today=local_date(store.clock()),
                    synthesis_working_days=settings.synthesis_working_days,
                )
                with contextlib.suppress(errors.PathwayAlreadyOpen):  # opened by an adviser meanwhile
                    await handlers.open_pathway_on_admission(
                        store.session(connection), command, case, metadata
                    )
                await _case_row(connection, event)
            case ReferentAssigned():
                await connection.execute(
                    "UPDATE followed_cases SET referent = $2 WHERE case_id = $1",
                    event.case_id,
                    event.referent,
                )
            case SentenceUpdated():
                await connection.execute(
                    "UPDATE followed_cases SET expected_end_date = $2, conditional_release_date = $3"
                    " WHERE case_id = $1",
                    event.case_id,
                    event.sentence.expected_end_date,
                    event.sentence.conditional_release_eligibility_date,
                )
            case IdentityCorrected():  # idempotent; an erased person's blanked row stays blanked
                await connection.execute(
                    """UPDATE followed_cases SET last_name = $2, first_names = $3
                       WHERE case_id = $1 AND last_name <> $4""",
                    event.case_id,
                    event.identity.last_name,
                    event.identity.first_names,
                    ERASED,
                )
            case CaseTransferred():
                await connection.execute(
                    "UPDATE followed_cases SET establishment = $2 WHERE case_id = $1",
                    event.case_id,
                    event.establishment,
                )
                await connection.execute(
                    "UPDATE pathways SET establishment = $2 WHERE case_id = $1",
                    event.case_id,
                    event.establishment,
                )
            case CaseClosed():
                await handlers.close_on_release(
                    store.session(connection), event.case_id, event.closed_on, metadata
                )
                await connection.execute(
                    "UPDATE followed_cases SET closed_on = $2 WHERE case_id = $1",
                    event.case_id,
                    event.closed_on,
                )
            case SubjectErased():  # idempotent: blanking twice blanks
                await connection.execute(
                    "UPDATE followed_cases SET last_name = $2, first_names = $2 WHERE subject_id = $1",
                    event.subject_id,
                    ERASED,
                )

    return apply


def _caused_by(envelope: EventEnvelope, actor: Actor) -> Metadata:
    return Metadata(actor=actor, correlation_id=envelope.correlation_id, causation_id=str(envelope.event_id))


async def _case_row(connection: asyncpg.Connection, event: CaseOpened) -> None:
    await connection.execute(
        """INSERT INTO followed_cases (case_id, subject_id, last_name, first_names, establishment, expected_end_date,
                                       conditional_release_date, admission_date)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (case_id) DO NOTHING""",
        event.case_id,
        event.subject_id,
        event.identity.last_name,
        event.identity.first_names,
        event.establishment,
        event.sentence.expected_end_date,
        event.sentence.conditional_release_eligibility_date,
        event.admission_date,
    )


def partner_catalogue_applier(store: EventStore):
    """The catalogue replica, and the reaction of the places on a session the partner cancels or moves."""

    async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
        session = store.session(connection)
        metadata = _caused_by(envelope, CATALOGUE_REACTION)
        match event:
            case SessionCancelled():
                command = CancelPositioning(
                    reason=f"the partner cancelled the session: {event.reason}"[:1000]
                )
                await handlers.follow_the_session(session, event.session_id, command, metadata)
            case SessionMoved():
                slot = event.slot
                command = FollowMovedSession(starts_at=slot.starts_at, ends_at=slot.ends_at, place=slot.place)
                await handlers.follow_the_session(session, event.session_id, command, metadata)
        await apply_partner_catalogue(connection, envelope, event)

    return apply


async def apply_partner_catalogue(
    connection: asyncpg.Connection, _envelope: EventEnvelope, event: Event
) -> None:
    match event:
        case ActionCreated():
            await connection.execute(
                """INSERT INTO catalogue_actions (action_id, partner_id, title, action_type, capacity)
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (action_id) DO NOTHING""",
                event.action_id,
                event.partner_id,
                event.title,
                event.action_type.value,
                event.capacity_max,
            )
        case ActionPublished():
            await connection.execute(
                "UPDATE catalogue_actions SET published = true WHERE action_id = $1", event.action_id
            )
        case ActionClosed():
            await connection.execute(
                "UPDATE catalogue_actions SET closed = true WHERE action_id = $1", event.action_id
            )
        case SessionScheduled() | SessionMoved():
            await connection.execute(
                """INSERT INTO catalogue_sessions (session_id, action_id, starts_at, ends_at, place)
                   VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (session_id) DO UPDATE SET starts_at = $3, ends_at = $4, place = $5""",
                event.session_id,
                event.action_id,
                event.slot.starts_at,
                event.slot.ends_at,
                event.slot.place,
            )
        case SessionCancelled():
            await connection.execute(
                "UPDATE catalogue_sessions SET cancelled = true WHERE session_id = $1", event.session_id
            )


async def apply_programme_sessions(
    connection: asyncpg.Connection, _envelope: EventEnvelope, event: Event
) -> None:
    """The SPIP programme sessions and who holds a seat in each group: every write idempotent per row."""
    match event:
        case ProgrammeCreated() | ProgrammeRevised():
            await connection.execute(
                """INSERT INTO programme_names (programme_id, name) VALUES ($1, $2)
                   ON CONFLICT (programme_id) DO UPDATE SET name = $2""",
                event.programme_id,
                event.definition.name,
            )
        case GroupPlanned():
            await connection.execute(
                "INSERT INTO programme_groups (group_id, programme_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                event.group_id,
                event.programme_id,
            )
            for session in event.sessions:
                await _programme_session(connection, event.group_id, session)
        case CatchUpSessionAdded():
            await _programme_session(connection, event.group_id, event.session)
        case GroupSessionMoved():
            await connection.execute(
                "UPDATE programme_sessions SET starts_at = $2, ends_at = $3, room = $4 WHERE session_id = $1",
                event.session_id,
                event.starts_at,
                event.ends_at,
                event.room,
            )
        case GroupSessionCancelled():
            await connection.execute(
                "UPDATE programme_sessions SET cancelled = true WHERE session_id = $1", event.session_id
            )
        case ParticipantEnrolled():
            await connection.execute(
                """INSERT INTO programme_participants (referral_id, group_id, subject_id, seated)
                   VALUES ($1, $2, $3, true) ON CONFLICT (referral_id) DO UPDATE SET seated = true""",
                event.referral_id,
                event.group_id,
                event.subject_id,
            )
        case ParticipantLeft():
            await connection.execute(
                "UPDATE programme_participants SET seated = false WHERE referral_id = $1", event.referral_id
            )


async def _programme_session(connection: asyncpg.Connection, group_id: str, session: GroupSession) -> None:
    await connection.execute(
        """INSERT INTO programme_sessions (session_id, group_id, starts_at, ends_at, room)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id) DO NOTHING""",
        session.session_id,
        group_id,
        session.starts_at,
        session.ends_at,
        session.room,
    )
