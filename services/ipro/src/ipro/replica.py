"""The IPRO service's replicas: who is followed, where, until when (from the assessment events), and the
partner actions' sessions (from the partners events). A case opened opens the person's pathway; a case
closed closes it with the outcome at release: reactions, appended before the replica is written (ADR 2)."""

from __future__ import annotations

import contextlib

import asyncpg

from contracts import Actor, Event, EventEnvelope
from contracts.assessment import CaseClosed, CaseOpened, CaseTransferred, ReferentAssigned, SentenceUpdated
from contracts.partners import (
    ActionClosed,
    ActionCreated,
    ActionPublished,
    SessionCancelled,
    SessionMoved,
    SessionScheduled,
)
from ipro import handlers
from ipro.domain import errors
from ipro.domain.commands import OpenPathway
from ipro.domain.facts import CaseFacts
from ipro.settings import IproSettings
from kernel.clock import local_date
from kernel.eventstore import EventStore, Metadata, Session

REACTION = Actor(subject="ipro-case-reaction", role="system")
# What each replica acts on; the rest of the topics is passed over unread.
CASE_EVENT_TYPES = frozenset(
    cls.event_type for cls in (CaseOpened, ReferentAssigned, SentenceUpdated, CaseTransferred, CaseClosed)
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
        metadata = Metadata(
            actor=REACTION, correlation_id=envelope.correlation_id, causation_id=str(envelope.event_id)
        )
        match event:
            case CaseOpened():
                case = CaseFacts(
                    case_id=event.case_id,
                    subject_id=event.subject_id,
                    establishment=event.establishment,
                    open=True,
                    expected_end_date=event.sentence.expected_end_date,
                    conditional_release_date=event.sentence.conditional_release_eligibility_date,
                )
                command = OpenPathway(
                    pathway_id=handlers.pathway_id_of(event.case_id),
                    case_id=event.case_id,
                    today=local_date(store.clock()),
                    synthesis_working_days=settings.synthesis_working_days,
                )
                with contextlib.suppress(errors.PathwayAlreadyOpen):  # opened by an adviser meanwhile
                    await handlers.open_pathway_on_admission(
                        Session(connection, store.clock), command, case, metadata
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
                    Session(connection, store.clock), event.case_id, event.closed_on, metadata
                )
                await connection.execute(
                    "UPDATE followed_cases SET closed_on = $2 WHERE case_id = $1",
                    event.case_id,
                    event.closed_on,
                )

    return apply


async def _case_row(connection: asyncpg.Connection, event: CaseOpened) -> None:
    await connection.execute(
        """INSERT INTO followed_cases (case_id, subject_id, last_name, first_names, establishment, expected_end_date,
                                       conditional_release_date) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (case_id) DO NOTHING""",
        event.case_id,
        event.subject_id,
        event.identity.last_name,
        event.identity.first_names,
        event.establishment,
        event.sentence.expected_end_date,
        event.sentence.conditional_release_eligibility_date,
    )


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
                """INSERT INTO catalogue_sessions (session_id, action_id, starts_at, ends_at) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (session_id) DO UPDATE SET starts_at = $3, ends_at = $4""",
                event.session_id,
                event.action_id,
                event.slot.starts_at,
                event.slot.ends_at,
            )
        case SessionCancelled():
            await connection.execute(
                "UPDATE catalogue_sessions SET cancelled = true WHERE session_id = $1", event.session_id
            )
