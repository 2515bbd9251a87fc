"""The event store: append with an expected version, read streams, verify their hash chains.

One `events` table per service database. A `Session` is one database transaction: the command's events,
its idempotency record and any inline read table the service keeps are committed together or not at all.

With a keyring (every service has one: `kernel.service`), personal fields are sealed with their person's data
key before the hash is computed (`kernel.sealing`): the table, the hash chain and the topics hold ciphertext.
`read_stream` opens them again; `verify` checks the chain over what is stored. A store built without a keyring
(some tests, the bench's reference figure) writes and reads payloads as they are.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC

import asyncpg

from contracts import Actor, Event, EventEnvelope
from kernel import database, metrics
from kernel.clock import Clock, system_clock
from kernel.errors import ConcurrencyConflict, InvalidValue
from kernel.hashchain import CURRENT_HASH_VERSION, HASHED_FIELDS, UnhashableEvent, broken_links, hash_of
from kernel.keyring import Keyring
from kernel.sealing import Sealer

COLUMNS = (
    "position, event_id, event_type, schema_version, stream_type, stream_id, stream_version, occurred_at, "
    "recorded_at, actor, subject, correlation_id, causation_id, restricted, payload, previous_hash, hash, "
    "hash_version"
)


@dataclass(frozen=True)
class Metadata:
    """Who asked, and which request or event this command belongs to."""

    actor: Actor
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    causation_id: str | None = None


@dataclass(frozen=True)
class StreamHead:
    """Where a stream stood when it was read: its last version and that event's hash."""

    version: int = 0
    hash: str | None = None

    @classmethod
    def of(cls, stream: Sequence[EventEnvelope]) -> StreamHead:
        return cls(stream[-1].stream_version, stream[-1].hash) if stream else NEW_STREAM


NEW_STREAM = StreamHead()


def envelope_from_row(row: asyncpg.Record) -> EventEnvelope:
    values = {name: row[name] for name in EventEnvelope.model_fields}
    values["actor"] = Actor.model_validate(values["actor"])
    return EventEnvelope.model_validate(values)


class Session:
    def __init__(
        self,
        connection: asyncpg.Connection,
        clock: Clock,
        sealer: Sealer | None = None,
        *,
        write: Callable[[_Pending], Awaitable[dict[int, int]]] | None = None,
    ) -> None:
        self.connection = connection
        self._clock = clock
        self._sealer = sealer
        # How an append's rows are written: by this transaction's connection, or by `EventStore.append`'s group.
        self._write = write or self._insert

    async def _insert(self, pending: _Pending) -> dict[int, int]:
        return await pending.insert(self.connection)

    async def lock(self, *keys: str) -> None:
        """Serialise this transaction with every other one that locks one of `keys`, until it ends: the kernel's
        lock for a command that decides on another aggregate's state (one command reads a fact
        that another one is about to change). It takes no transaction id, so it may come before the first append.
        Keys are taken in sorted order: two commands locking the same keys cannot deadlock."""
        await database.lock(self.connection, *keys)

    async def read_stream(self, stream_id: str) -> list[EventEnvelope]:
        rows = await self.connection.fetch(
            f"SELECT {COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version", stream_id
        )
        stream = [envelope_from_row(r) for r in rows]
        return await self._sealer.open(stream) if self._sealer else stream

    async def append(
        self,
        stream_type: str,
        stream_id: str,
        expected: StreamHead | int,
        events: Sequence[Event],
        metadata: Metadata,
        *,
        subject: str | None = None,
        restricted: bool = False,
    ) -> list[EventEnvelope]:
        """Append after `expected`: the head the caller read (0 or `NEW_STREAM` for a new stream; a bare
        version costs one more round trip to fetch the head's hash). One statement: the unique
        (stream_id, stream_version) index turns a concurrent append into `ConcurrencyConflict`, and so does
        a head written by a transaction younger than this one (see `_YOUNGER_HEAD`): retrying decides again.
        `restricted` flags every event appended here for `<service>.restricted`, on top of the types the
        contracts mark restricted. Personal fields are sealed (see the module); the envelopes returned carry
        the payloads in clear, as `read_stream` gives them."""
        if not events:
            return []
        head = (
            expected
            if isinstance(expected, StreamHead)
            else await _head(self.connection, stream_id, expected)
        )
        pending = await _Pending.of(
            self._clock, self._sealer, stream_type, stream_id, head, events, metadata, subject, restricted
        )
        return pending.envelopes(await self._write(pending))


@dataclass(frozen=True)
class _Pending:
    """One append's rows, hashed (and sealed) and ready to insert, and its payloads in clear."""

    stream_id: str
    head: StreamHead
    actor: Actor
    rows: list[dict]
    clear: list[dict]

    @classmethod
    async def of(
        cls,
        clock: Clock,
        sealer: Sealer | None,
        stream_type: str,
        stream_id: str,
        head: StreamHead,
        events: Sequence[Event],
        metadata: Metadata,
        subject: str | None,
        restricted: bool,
    ) -> _Pending:
        now = clock().astimezone(UTC)  # as the database gives it back: one instant, one spelling
        actor = metadata.actor.model_dump()
        previous_hash, rows, clear = head.hash, [], []
        for version, event in enumerate(events, start=head.version + 1):
            event_id = uuid.uuid4()
            payload = event.model_dump(mode="json")
            clear.append(payload)
            if sealer is not None:
                payload = await sealer.seal(
                    event, payload, event_id=event_id, subject=subject, stream_id=stream_id
                )
            content = {
                "event_id": event_id,
                "event_type": event.event_type,
                "schema_version": event.schema_version,
                "stream_type": stream_type,
                "stream_id": stream_id,
                "stream_version": version,
                "occurred_at": now,
                "recorded_at": now,
                "actor": actor,
                "subject": subject,
                "correlation_id": metadata.correlation_id,
                "causation_id": metadata.causation_id,
                "restricted": restricted or event.restricted,
                "payload": payload,
                "previous_hash": previous_hash,
                "hash_version": CURRENT_HASH_VERSION,
            }
            try:
                content["hash"] = previous_hash = hash_of(content)
            except UnhashableEvent as error:
                # A value no canonical form holds (an integer beyond 2^53): bad input, named, never a 500.
                raise InvalidValue(f"{event.event_type}: {error}") from error
            rows.append(content)
        return cls(stream_id, head, metadata.actor, rows, clear)

    async def insert(self, connection: asyncpg.Connection) -> dict[int, int]:
        """Insert the rows alone, in the caller's transaction or as one of their own: version -> position."""
        try:
            if len(self.rows) == 1 and self.head.version == 0:  # a first event: nothing to be in order with
                written = await connection.fetch(_INSERT_FIRST, *_values_of(self.rows[0]))
            elif len(self.rows) == 1:  # the common case, without the cost of encoding 17 one-element arrays
                written = await connection.fetch(_INSERT_ONE, *_values_of(self.rows[0]), self.head.version)
            else:
                written = await connection.fetch(
                    _INSERT, *_columns_of([self]), self.stream_id, self.head.version
                )
        except asyncpg.UniqueViolationError:
            raise ConcurrencyConflict(
                f"stream {self.stream_id} is no longer at version {self.head.version}: reload and retry"
            ) from None
        return self.positions(written)

    def positions(self, written: Sequence[asyncpg.Record]) -> dict[int, int]:
        """This append's version -> position among the rows a statement `written`: all of them, or none
        (`ConcurrencyConflict`: the guard refused a head written by a younger transaction)."""
        mine = {r["stream_version"]: r["position"] for r in written if r["stream_id"] == self.stream_id}
        if len(mine) != len(self.rows):
            raise ConcurrencyConflict(
                f"stream {self.stream_id} moved on after this transaction began: reload and retry"
            )
        metrics.EVENTS_APPENDED.inc(len(mine))
        return mine

    def envelopes(self, position_of: dict[int, int]) -> list[EventEnvelope]:
        return [
            EventEnvelope.model_construct(
                **{
                    **row,
                    "actor": self.actor,
                    "position": position_of[row["stream_version"]],
                    "payload": payload,
                }
            )
            for row, payload in zip(self.rows, self.clear, strict=True)
        ]


async def _head(
    connection: asyncpg.Connection | asyncpg.Pool, stream_id: str, expected_version: int
) -> StreamHead:
    if expected_version == 0:
        return NEW_STREAM
    row = await connection.fetchrow(
        "SELECT stream_version, hash FROM events WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1",
        stream_id,
    )
    current = StreamHead(row["stream_version"], row["hash"]) if row else NEW_STREAM
    if current.version != expected_version:
        raise ConcurrencyConflict(
            f"stream {stream_id} is at version {current.version}, not {expected_version}: reload and retry"
        )
    return current


# The columns an append writes, in the order of its parameters: what the hash covers, then the chain.
_NAMES = (*HASHED_FIELDS, "previous_hash", "hash", "hash_version")
# A stream's events reach Kafka in version order because the relay publishes in transaction-id order: each
# version must be written by a transaction no younger than the next one's. A transaction's id is drawn at
# its first write, so a command appending to several streams may read a later stream's head after its id
# was drawn, and find it written by a younger transaction that committed meanwhile. Appending after that
# head would publish the new version before it (kernel review C1): the insert is refused instead, the
# caller's retry draws a younger id.
_YOUNGER_HEAD = """EXISTS (SELECT 1 FROM events WHERE stream_id = {stream_id} AND stream_version = {head}
                                          AND transaction_id > event_store_xid())"""

# The type of each column of `_NAMES`, in its order.
_TYPES = (
    "uuid", "text", "int", "text", "text", "int", "timestamptz", "timestamptz",
    "jsonb", "text", "text", "text", "bool", "jsonb", "text", "text", "smallint",
)  # fmt: skip


def _one_row(row: int = 0) -> str:
    """The values of the `row`-th event of a statement, typed, as its parameters (17 each, from $1 on)."""
    first = row * len(_NAMES) + 1
    return ", ".join(f"${first + column}::{kind}" for column, kind in enumerate(_TYPES))


_ONE_ROW = _one_row()
_WRITTEN = "RETURNING stream_id, stream_version, position"

# Materialised, the guard runs once, before the row is inserted.
_INSERT_ONE = f"""
    WITH guard AS MATERIALIZED (SELECT NOT {_YOUNGER_HEAD.format(stream_id="$5", head="$18")} AS in_order)
    INSERT INTO events ({", ".join(_NAMES)})
    SELECT {_ONE_ROW}
    FROM guard WHERE guard.in_order
    {_WRITTEN}
"""

# A new stream's first event has no head to look at (no row has version 0: the table's CHECK), so its guard
# would always pass: a plain insert, without the guard's index probe and join. A concurrent creation of the
# same stream still meets the unique (stream_id, stream_version) index.
_INSERT_FIRST = f"""
    INSERT INTO events ({", ".join(_NAMES)})
    VALUES ({_ONE_ROW})
    {_WRITTEN}
"""

# Several events of one stream after its head ($18, $19): the guard runs once, materialised, before any row is
# inserted; rows keep the order of the arrays (positions follow versions).
_INSERT = f"""
    WITH guard AS MATERIALIZED (SELECT NOT {_YOUNGER_HEAD.format(stream_id="$18", head="$19")} AS in_order)
    INSERT INTO events ({", ".join(_NAMES)})
    SELECT {", ".join(f"new.{name}" for name in _NAMES)} FROM guard CROSS JOIN {{rows}}
    WHERE guard.in_order
    ORDER BY new.ordinal
    {_WRITTEN}
"""
_ARRAYS = ", ".join(f"${column}::{kind}[]" for column, kind in enumerate(_TYPES, start=1))
_ROWS = f"""unnest({_ARRAYS}) WITH ORDINALITY AS new({", ".join(_NAMES)}, ordinal)"""
_INSERT = _INSERT.format(rows=_ROWS)


# The most rows `_insert_new` writes (so at most 64 statements to prepare per connection); a group of more,
# several events to some new streams, is written one append at a time.
_MOST_ROWS = 64


@functools.cache
def _insert_new(rows: int) -> str:
    """The events of several new streams (`_GroupCommit`), `rows` of them: no head to be in order with, as for
    `_INSERT_FIRST`. Scalar parameters, one statement per group size: the driver encodes 17 scalars a row for
    less than their share of 17 arrays (a group of three cost its client 0.15 ms with arrays, 0.12 with these)."""
    values = ", ".join(f"({_one_row(row)}, {row})" for row in range(rows))
    return f"""
    INSERT INTO events ({", ".join(_NAMES)})
    SELECT {", ".join(f"new.{name}" for name in _NAMES)} FROM (VALUES {values}) AS new({", ".join(_NAMES)}, ordinal)
    ORDER BY new.ordinal
    {_WRITTEN}
"""


def _columns_of(appends: Sequence[_Pending]) -> list[list]:
    """The rows of `appends` as the 17 arrays of `_ROWS`."""
    rows = [row for append in appends for row in append.rows]
    return [[row[name] for row in rows] for name in _NAMES]


def _values_of(content: dict) -> list:
    return [content[name] for name in _NAMES]


class _GroupCommit:
    """`EventStore.append`s of new streams made at the same time, written by one statement: one round trip
    and one commit for them all, where each would pay its own. An append that finds no other waiting is
    written at once, alone, and so is an append after a head (with its in-order guard, as in a session).
    Each keeps its own outcome: if one makes the statement fail (a concurrent writer created its stream, a
    value the database refuses), nothing of the group was written and each is written again on its own.
    A caller hears of its events once they are committed, never before."""

    def __init__(self, pool: asyncpg.Pool, *, writers: int = 2, most: int = 64) -> None:
        self._pool = pool
        self._writers, self._most = writers, most  # statements in flight at once; appends in one at most
        self._waiting: list[tuple[_Pending, asyncio.Future]] = []
        self._draining = 0
        self._tasks: set[asyncio.Task] = set()  # referenced until done: the loop keeps only weak ones

    async def write(self, pending: _Pending) -> dict[int, int]:
        if pending.head.version:
            async with self._pool.acquire() as connection:
                return await pending.insert(connection)
        written = asyncio.get_running_loop().create_future()
        self._waiting.append((pending, written))
        if self._draining < self._writers:
            self._draining += 1
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        # A caller that gives up does not take the group down with it: its append may still be written.
        # (Groups form in the loop turns between a group's answer and its callers' next appends: awaiting
        # `written` bare, or a drain holding its connection from group to group, made them smaller and the
        # bench's appends 10 to 25 % slower.)
        return await asyncio.shield(written)

    async def _drain(self) -> None:
        try:
            while self._waiting:
                # A writer takes its share of what waits, not all of it: the other writer's statement then
                # goes to the database while this group's callers, answered, make their next appends. Taking
                # all, one statement held every caller and the client and the database took turns idling.
                share = min(self._most, -(-len(self._waiting) // self._writers))
                group, self._waiting = self._waiting[:share], self._waiting[share:]
                await self._write(group)
        finally:
            # In the same step as the last look at `_waiting`: an append made after it starts a new drain.
            self._draining -= 1

    async def _write(self, group: list[tuple[_Pending, asyncio.Future]]) -> None:
        try:
            async with self._pool.acquire() as connection:
                if len(group) == 1 or not await self._together(connection, group):
                    for pending, written in group:
                        try:
                            written.set_result(await pending.insert(connection))
                        except _REFUSED as refused:
                            written.set_exception(refused)
        except asyncio.CancelledError:
            for _, written in group:
                written.cancel()
            raise
        except Exception as error:  # the connection, not an append: what was written is unknown to all
            for _, written in group:
                if not written.done():
                    written.set_exception(error)

    @staticmethod
    async def _together(connection: asyncpg.Connection, group: list[tuple[_Pending, asyncio.Future]]) -> bool:
        """Write the group by one statement; False if it wrote nothing and each must be written alone."""
        rows = [row for pending, _ in group for row in pending.rows]
        if len(rows) > _MOST_ROWS:
            return False
        try:
            written = await connection.fetch(
                _insert_new(len(rows)), *(value for row in rows for value in _values_of(row))
            )
        except _REFUSED:
            return False
        for pending, outcome in group:  # new streams: every row was written, or the statement failed
            outcome.set_result(pending.positions(written))
        return True


# What one append can make a statement fail with: a conflict, a value the database (or its driver) refuses.
_REFUSED = (ConcurrencyConflict, asyncpg.PostgresError, ValueError)


class EventStore:
    def __init__(
        self, pool: asyncpg.Pool, clock: Clock = system_clock, *, keyring: Keyring | None = None
    ) -> None:
        self.pool = pool
        self.clock = clock
        self.keyring = keyring
        self.sealer = Sealer(keyring) if keyring is not None else None
        self._group_commit = _GroupCommit(pool)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self.pool.acquire() as connection, connection.transaction():
            yield Session(connection, self.clock, self.sealer)

    def session(self, connection: asyncpg.Connection) -> Session:
        """A session on a transaction the caller holds (a reaction, in its consumer's transaction): the same
        clock and sealing as this store's."""
        return Session(connection, self.clock, self.sealer)

    async def read_stream(self, stream_id: str) -> list[EventEnvelope]:
        async with self.pool.acquire() as connection:
            return await Session(connection, self.clock, self.sealer).read_stream(stream_id)

    async def append(self, *args, **kwargs) -> list[EventEnvelope]:
        """`Session.append` as a transaction of its own, shared with the appends made at the same time
        (`_GroupCommit`): one statement, one round trip (a bare expected version costs one more to read the
        head, and a person's first personal data one more, on the keyring)."""
        # On the pool, not a connection: the session only reads a head there, the group writes the rows.
        session = Session(self.pool, self.clock, self.sealer, write=self._group_commit.write)
        return await session.append(*args, **kwargs)

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
