"""The outbox relay: publish committed events to Kafka in global order, at least once.

* Gap-safe: rows are read in (transaction id, position) order, and only those of transactions older than
  every transaction still in flight. That set can no longer grow, so a row committed late is never skipped;
  ordering by position alone would skip a position taken early by a transaction that commits late.
* A batch is checkpointed only after Kafka acknowledged all of it (`acks=all`, idempotent producer): after a
  crash the unacknowledged tail is sent again. Consumers deduplicate by event id.
* One relay per database publishes at a time (an advisory lock); others wait as hot standbys.
* Woken by LISTEN/NOTIFY on commit while it sleeps (writers notify only then: see the migration); a slow
  poll covers the rest, e.g. rows held back by an unrelated transaction of the cluster.
* It cannot stall unseen: every query has a timeout, it refuses to start on a database restored into another
  cluster (`kernel.cluster`), on topics that would lose history (`kafka.TopicPolicy`), and the backlog's
  size and how long its head has not moved are in /metrics and /ready (`Backlog`, `StallWatch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from contracts import EventEnvelope
from kernel import cluster, database, kafka, logs, metrics
from kernel.eventstore import COLUMNS, envelope_from_row
from kernel.settings import ServiceSettings

log = logs.get_logger(__name__)

# Ordered by the columns themselves: an output column named `transaction_id` (the text we checkpoint) would
# take precedence in ORDER BY and sort ids as text, "1000" before "999", skipping events at each power of ten.
_VISIBLE_BATCH = f"""
    SELECT {COLUMNS}, events.transaction_id::text AS published_xid FROM events
    WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint) AND transaction_id < event_store_horizon()
    ORDER BY events.transaction_id, events.position LIMIT $3
"""
_CHECKPOINT = "SELECT transaction_id::text, position FROM relay_checkpoints WHERE relay = $1"
# What is left to publish: how many events (counted up to a cap: a long outage must not make each look
# cost more), and the first one in publication order. An index range scan either way.
_BACKLOG = """
    WITH published AS (SELECT coalesce(max(transaction_id), '0'::xid8) AS tx, coalesce(max(position), 0) AS pos
                       FROM relay_checkpoints WHERE relay = $1)
    SELECT (SELECT count(*) FROM (SELECT 1 FROM events, published
                                  WHERE (transaction_id, position) > (published.tx, published.pos)
                                  LIMIT 100000) AS capped) AS unpublished,
           (SELECT position FROM events, published WHERE (transaction_id, position) > (published.tx, published.pos)
            ORDER BY transaction_id, position LIMIT 1) AS head
"""
# Why a head may not move: the oldest transaction of the cluster still running holds back every relay (ADR 2).
_OLDEST_TRANSACTION = """
    SELECT datname, pid, state, extract(epoch FROM clock_timestamp() - xact_start)::int AS seconds
    FROM pg_stat_activity WHERE (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL) AND pid <> pg_backend_pid()
    ORDER BY xact_start LIMIT 1
"""
_LEADER_LOCK = 7_300_417  # arbitrary, fixed: the advisory lock id of "the relay of this database"
QUERY_TIMEOUT_SECONDS = 30


class Relay:
    def __init__(
        self,
        dsn: str,
        bootstrap_servers: str,
        topic_for,
        *,
        topics: list[str],
        topic_policy: kafka.TopicPolicy,
        name: str = "kafka",
        batch_size: int = 500,
        idle_poll_seconds: float = 1.0,
        pace_seconds: float = 0.0,
        security: kafka.KafkaSecurity = kafka.PLAINTEXT,
    ) -> None:
        """`topic_for(envelope) -> topic name` decides between `<service>.events` and `.restricted`. With a
        `pace_seconds`, a relay that published looks again that much later rather than at once, so that events
        written one at a time go out in batches (see `ServiceDefinition.relay_pace_seconds`)."""
        self.dsn = dsn
        self.bootstrap_servers = bootstrap_servers
        self.topic_for = topic_for
        self.topics = topics
        self.topic_policy = topic_policy
        self.security = security
        self.name = name
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self.pace_seconds = pace_seconds
        self._wake = asyncio.Event()
        # Where publication stands, while `run` leads: no other process writes the checkpoint then (the advisory
        # lock), so it is read once instead of before every batch. None: read it (a caller outside `run`).
        self._checkpoint: tuple[str, int] | None = None
        self._lag_sampled_at = 0.0
        self._stall = StallWatch()

    async def run(self, started: Callable[[], object] = lambda: None) -> None:
        """Publish forever. Cancel the task to stop; unacknowledged events are re-sent by the next run."""
        # Every query is bounded: on a half-open connection the loop fails (and restarts) instead of hanging.
        connection = await database.connect(self.dsn, command_timeout=QUERY_TIMEOUT_SECONDS)
        producer = kafka.idempotent_producer(self.bootstrap_servers, self.security, linger_ms=2)
        try:
            while not await connection.fetchval("SELECT pg_try_advisory_lock($1)", _LEADER_LOCK):
                await asyncio.sleep(self.idle_poll_seconds)  # a hot standby
            await cluster.check(connection)
            await connection.add_listener("events_appended", self._on_notify)
            stored = await connection.fetchrow(_CHECKPOINT, self.name)
            published_before = stored is not None
            self._checkpoint = tuple(stored or ("0", 0))
            await kafka.ensure_topics(
                self.bootstrap_servers,
                self.topics,
                self.topic_policy,
                may_create=lambda _topic: not published_before,
                security=self.security,
            )
            await producer.start()
            log.info("relay started", relay=self.name)
            started()
            while True:
                published = await self.publish_batch(connection, producer)
                if published == self.batch_size:
                    continue  # more is waiting
                if published and self.pace_seconds:
                    await asyncio.sleep(self.pace_seconds)
                    continue
                # Ask writers to notify us, then look once more before sleeping: an event committed while we
                # announced it would otherwise wait for the poll.
                await self._listen(connection, True)
                if not await self.publish_batch(connection, producer):
                    await self._idle()
                await self._listen(connection, False)
        finally:
            self._checkpoint = None  # a next leadership reads it again
            with contextlib.suppress(Exception):
                await producer.stop()
            with contextlib.suppress(Exception):
                await connection.close()

    async def _listen(self, connection: asyncpg.Connection, listening: bool) -> None:
        await connection.execute(
            """INSERT INTO relay_wakeup (relay, listening) VALUES ($1, $2)
               ON CONFLICT (relay) DO UPDATE SET listening = excluded.listening""",
            self.name,
            listening,
        )

    def _on_notify(self, *_args) -> None:
        self._wake.set()

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)
        self._wake.clear()

    async def publish_batch(self, connection: asyncpg.Connection, producer) -> int:
        checkpoint = self._checkpoint or tuple(await connection.fetchrow(_CHECKPOINT, self.name) or ("0", 0))
        self._wake.clear()
        rows = await connection.fetch(_VISIBLE_BATCH, *checkpoint, self.batch_size)
        if not rows:
            await self._record_lag(connection)
            return 0
        envelopes = [envelope_from_row(r) for r in rows]
        deliveries = []
        for envelope, row in zip(envelopes, rows, strict=True):
            key, value, headers = kafka.encode(envelope)
            headers.append((kafka.TRANSACTION_ID_HEADER, row["published_xid"].encode()))
            topic = self.topic_for(envelope)
            deliveries.append(await producer.send(topic, value=value, key=key, headers=headers))
            metrics.EVENTS_PUBLISHED.labels(topic=topic).inc()
        await asyncio.gather(*deliveries)  # every record acknowledged by the broker before the checkpoint
        last = (rows[-1]["published_xid"], rows[-1]["position"])
        await connection.execute(
            """INSERT INTO relay_checkpoints (relay, transaction_id, position) VALUES ($1, $2::text::xid8, $3)
               ON CONFLICT (relay) DO UPDATE SET transaction_id = excluded.transaction_id,
                                                 position = excluded.position""",
            self.name,
            *last,
        )
        if self._checkpoint is not None:
            self._checkpoint = last
        await self._record_lag(connection)
        return len(envelopes)

    async def _record_lag(self, connection: asyncpg.Connection) -> None:
        # Sampled: counting the backlog on every batch would cost more than publishing a small one.
        now = time.monotonic()
        if now - self._lag_sampled_at >= 1.0:
            self._lag_sampled_at = now
            current = await backlog(connection, self.name)
            metrics.RELAY_LAG.set(current.unpublished)
            metrics.RELAY_STALLED.set(self._stall.observe(current))


@dataclass(frozen=True)
class Backlog:
    unpublished: int  # committed events not yet published (counted up to 100,000)
    head: int | None  # the position of the first one in publication order


async def backlog(connection: asyncpg.Connection, relay: str = "kafka") -> Backlog:
    row = await connection.fetchrow(_BACKLOG, relay)
    return Backlog(row["unpublished"], row["head"])


async def oldest_transaction(connection: asyncpg.Connection) -> str:
    """The cluster's oldest running transaction, which holds back every relay of the cluster until it ends."""
    row = await connection.fetchrow(_OLDEST_TRANSACTION)
    if row is None:
        return "no transaction is running"
    return f"oldest transaction: pid {row['pid']} on {row['datname']}, {row['state']} for {row['seconds']} s"


class StallWatch:
    """How long the backlog's head has stayed the same event: 0 while the relay moves or nothing waits. Each
    process keeps its own (the one leading the relay and any other answering /ready): no write needed."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._head: int | None = None
        self._since = 0.0

    def observe(self, current: Backlog) -> float:
        now = self._clock()
        if current.head is None or current.head != self._head:
            self._head, self._since = current.head, now
            return 0.0
        return now - self._since


def topic_router(settings: ServiceSettings, service: str) -> Callable[[EventEnvelope], str]:
    """Restricted events go to `<service>.restricted`, every other one to `<service>.events`."""
    events, restricted = settings.topic(f"{service}.events"), settings.topic(f"{service}.restricted")
    return lambda envelope: restricted if envelope.restricted else events


def service_relay(settings: ServiceSettings, service: str, *, pace_seconds: float = 0.0) -> Relay:
    return Relay(
        settings.database_url,
        settings.kafka_bootstrap_servers,
        topic_router(settings, service),
        topics=[settings.topic(f"{service}.events"), settings.topic(f"{service}.restricted")],
        topic_policy=settings.topic_policy(),
        pace_seconds=pace_seconds,
        security=settings.kafka_security(),
    )


def main() -> None:
    """`python -m kernel.relay SERVICE`: run one service's relay alone, configured from the environment."""
    service = sys.argv[1]

    class Settings(ServiceSettings):
        model_config = {**ServiceSettings.model_config, "env_prefix": f"{service.upper()}_"}

    settings = Settings()
    logs.configure(settings.log_level, service=f"{service}-relay")
    asyncio.run(service_relay(settings, service).run())


if __name__ == "__main__":
    main()
