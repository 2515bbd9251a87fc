"""What the audit-log view keeps: every event of every topic projections may read (ADR 25's grants), one row
per event id, its envelope as published: hashes, positions and actor are stored as they came, never
recomputed, so a tampered event shows as it was published. Only the personal values differ: the consumer
runner hands over payloads opened through the keyring, and the view masks each of them again
(« [scellé] », as `passerelle audit stream` prints a sealed value) so that the table holds no one's data.

Idempotent per event (its id is the key): a relay's re-send, or a rebuild, stores each event once. Each row also
keeps the id of the transaction that wrote the event, from the relay's record header: with the position, it
places the event against the service's signed checkpoints (ADR 27, `projections.audit_log.checkpoints`)."""

from __future__ import annotations

from typing import Any

import asyncpg
from aiokafka.structs import ConsumerRecord

from contracts import Event, EventEnvelope
from kernel import kafka
from kernel.sealing import Each, Leaf, Plan, is_sealed, plan_for

SEALED_MARK = "[scellé]"

# The topics the projections principal may read (deploy/kafka/acls.sh): every service's shareable topic, the
# restricted topics it is a named reader of, and its own. `programmes.restricted` and `partners.restricted`
# are not among them: their events are only in the services' tables and the audit archive (ADR 28, 30).
TOPICS = (
    "assessment.events",
    "assessment.restricted",
    "programmes.events",
    "ipro.events",
    "ipro.restricted",
    "partners.events",
    "projections.events",
    "projections.restricted",
)
TABLES = ("audit_log",)


def masked(payload: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """A copy of `payload` with every personal value its contract names (at any depth) replaced by the mark,
    and any sealed value the plan does not name masked too; None stays None (it says nothing)."""
    copy = {name: _without_sealed(value) for name, value in payload.items()}
    for name, node in plan.items():
        value = payload.get(name)
        if value is None:
            continue
        if isinstance(node, Leaf):
            copy[name] = SEALED_MARK
        elif isinstance(node, Each):
            if isinstance(value, list):
                copy[name] = [masked(item, node.plan) if isinstance(item, dict) else item for item in value]
        elif isinstance(value, dict):
            copy[name] = masked(value, node)
    return copy


def _without_sealed(value: Any) -> Any:
    if is_sealed(value):
        return SEALED_MARK
    if isinstance(value, dict):
        return {k: _without_sealed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_sealed(v) for v in value]
    return value


def topic_of(envelope: EventEnvelope) -> str:
    """The topic the relay publishes the event on (ADR 14, 25), without the deployment's prefix."""
    return f"{envelope.service}.{'restricted' if envelope.restricted else 'events'}"


async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
    """Keep one event read without its record (no transaction id): `apply_records` without the header."""
    await _insert(connection, [_row(envelope, None)])


async def apply_records(
    connection: asyncpg.Connection, deliveries: list[tuple[EventEnvelope, Event, ConsumerRecord]]
) -> None:
    """Keep a fetch's events, in one pipelined statement, each with the transaction id its record's header
    carries (the relay's, ADR 27). Runs in the consumer's transaction, beside its checkpoint."""
    await _insert(
        connection, [_row(envelope, transaction_id_of(record)) for envelope, _, record in deliveries]
    )


def transaction_id_of(record: ConsumerRecord) -> int | None:
    """The relay's header, or None for a record published without it (before it existed, or by a tool)."""
    value = dict(record.headers or ()).get(kafka.TRANSACTION_ID_HEADER)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None  # not a transaction id: the event is kept, only unplaced against the checkpoints


async def _insert(connection: asyncpg.Connection, rows: list[tuple]) -> None:
    await connection.executemany(
        """INSERT INTO audit_log (event_id, topic, service, position, event_type, schema_version, stream_type,
                                  stream_id, stream_version, occurred_at, recorded_at, actor, subject,
                                  correlation_id, causation_id, restricted, payload, hash_version,
                                  previous_hash, hash, transaction_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                   $21)
           ON CONFLICT (event_id) DO NOTHING""",
        rows,
    )


def _row(envelope: EventEnvelope, transaction_id: int | None) -> tuple:
    return (
        envelope.event_id,
        topic_of(envelope),
        envelope.service,
        envelope.position,
        envelope.event_type,
        envelope.schema_version,
        envelope.stream_type,
        envelope.stream_id,
        envelope.stream_version,
        envelope.occurred_at,
        envelope.recorded_at,
        envelope.actor.model_dump(mode="json"),
        envelope.subject,
        envelope.correlation_id,
        envelope.causation_id,
        envelope.restricted,
        masked(envelope.payload, plan_for(envelope.event_type, envelope.schema_version)),
        envelope.hash_version,
        envelope.previous_hash,
        envelope.hash,
        transaction_id,
    )
