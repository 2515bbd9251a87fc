"""The event store: append with an expected version, read streams, verify their hash chains.

One `events` table per service database. A `Session` is one database transaction: the command's events,
its idempotency record and any inline read table the service keeps are committed together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import asyncpg

from contracts import Actor, Event, EventEnvelope
from kernel import metrics
from kernel.clock import Clock, system_clock
from kernel.errors import ConcurrencyConflict
from kernel.hashchain import broken_links, event_hash

COLUMNS = (
    "position, event_id, event_type, schema_version, stream_type, stream_id, stream_version, occurred_at, "
    "recorded_at, actor, subject, correlation_id, causation_id, restricted, payload, previous_hash, hash"
)


class WriteBeforeAppend(RuntimeError):
    """A programming error: the transaction wrote something before appending its events."""


@dataclass(frozen=True)
class Metadata:
    """Who asked, and which request or event this command belongs to."""

    actor: Actor
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    causation_id: str | None = None


def envelope_from_row(row: asyncpg.Record) -> EventEnvelope:
    values = {name: row[name] for name in EventEnvelope.model_fields}
    values["actor"] = Actor.model_validate(values["actor"])
    return EventEnvelope.model_validate(values)


class Session:
    def __init__(self, connection: asyncpg.Connection, clock: Clock) -> None:
        self.connection = connection
        self._clock = clock
        self._appended = False

    async def read_stream(self, stream_id: str) -> list[EventEnvelope]:
        rows = await self.connection.fetch(
            f"SELECT {COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version", stream_id
        )
        return [envelope_from_row(r) for r in rows]

    async def append(
        self,
        stream_type: str,
        stream_id: str,
        expected_version: int,
        events: Sequence[Event],
        metadata: Metadata,
        *,
        subject: str | None = None,
        restricted: bool = False,
    ) -> list[EventEnvelope]:
        """Append after `expected_version` (0 for a new stream). `restricted` flags every event appended
        here for `<service>.restricted`, on top of the types the contracts mark restricted."""
        if not events:
            return []
        head = await self.connection.fetchrow(
            """SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS wrote, last.stream_version, last.hash
               FROM (SELECT 1) AS one LEFT JOIN LATERAL (
                   SELECT stream_version, hash FROM events WHERE stream_id = $1
                   ORDER BY stream_version DESC LIMIT 1) AS last ON true""",
            stream_id,
        )
        if head["wrote"] and not self._appended:
            # The relay's gap-safe order relies on each transaction's id being taken by its first append.
            raise WriteBeforeAppend("append events before any other write of the transaction")
        current_version, previous_hash = head["stream_version"] or 0, head["hash"]
        if current_version != expected_version:
            raise ConcurrencyConflict(
                f"stream {stream_id} is at version {current_version}, not {expected_version}: reload and retry"
            )
        now = self._clock()
        pending = []
        for offset, event in enumerate(events, start=1):
            content = {
                "event_id": uuid.uuid4(),
                "event_type": event.event_type,
                "schema_version": event.schema_version,
                "stream_type": stream_type,
                "stream_id": stream_id,
                "stream_version": expected_version + offset,
                "occurred_at": now,
                "recorded_at": now,
                "actor": metadata.actor.model_dump(),
                "subject": subject,
                "correlation_id": metadata.correlation_id,
                "causation_id": metadata.causation_id,
                "restricted": restricted or event.restricted,
                "payload": event.model_dump(mode="json"),
            }
            content["previous_hash"] = previous_hash
            content["hash"] = previous_hash = event_hash(previous_hash, content)
            pending.append(content)
        try:
            rows = await self.connection.fetch(
                f"""INSERT INTO events (event_id, event_type, schema_version, stream_type, stream_id,
                        stream_version, occurred_at, recorded_at, actor, subject, correlation_id, causation_id,
                        restricted, payload, previous_hash, hash)
                    SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[],
                        $7::timestamptz[], $8::timestamptz[], $9::jsonb[], $10::text[], $11::text[],
                        $12::text[], $13::bool[], $14::jsonb[], $15::text[], $16::text[])
                    RETURNING {COLUMNS}""",
                *_columns_of(pending),
            )
        except asyncpg.UniqueViolationError:
            # Another writer appended the same version between our read and our insert.
            raise ConcurrencyConflict(f"stream {stream_id} was modified concurrently: reload and retry") from None
        self._appended = True
        metrics.EVENTS_APPENDED.inc(len(rows))
        return sorted((envelope_from_row(r) for r in rows), key=lambda e: e.stream_version)


def _columns_of(pending: list[dict]) -> list[list]:
    names = (
        "event_id", "event_type", "schema_version", "stream_type", "stream_id", "stream_version",
        "occurred_at", "recorded_at", "actor", "subject", "correlation_id", "causation_id", "restricted",
        "payload", "previous_hash", "hash",
    )
    return [[row[name] for row in pending] for name in names]


class EventStore:
    def __init__(self, pool: asyncpg.Pool, clock: Clock = system_clock) -> None:
        self.pool = pool
        self.clock = clock

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self.pool.acquire() as connection, connection.transaction():
            yield Session(connection, self.clock)

    async def read_stream(self, stream_id: str) -> list[EventEnvelope]:
        async with self.pool.acquire() as connection:
            return await Session(connection, self.clock).read_stream(stream_id)

    async def verify(self, stream_id: str | None = None) -> dict[str, list[str]]:
        """Check the hash chain of one stream, or of all: stream id -> problems (only broken streams)."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM events WHERE $1::text IS NULL OR stream_id = $1 "
                "ORDER BY stream_id, stream_version",
                stream_id,
            )
        streams: dict[str, list[EventEnvelope]] = {}
        for row in rows:
            envelope = envelope_from_row(row)
            streams.setdefault(envelope.stream_id, []).append(envelope)
        return {sid: problems for sid, events in streams.items() if (problems := broken_links(events))}
