"""The consumer runner used by subscribers and projections.

Effectively exactly-once: the effect of a message, the id of the event it carries and the next offset of its
partition are committed in one transaction of the consumer's own database. On start the consumer seeks
each partition to the offset stored there; Kafka's committed offsets play no part. A message that cannot be
processed goes to `<topic>.dlq` with the error in its headers, then the consumer moves on; a database or
broker outage is retried, never dead-lettered.
"""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from contracts import EventEnvelope
from kernel import kafka, logs, metrics
from kernel.errors import ConcurrencyConflict

log = logs.get_logger(__name__)

PASS_OVER_CHECKPOINT_SECONDS = 5.0

# The effect of one event, inside the transaction that also records the checkpoint.
Handler = Callable[[asyncpg.Connection, EventEnvelope], Awaitable[None]]

# Failures of the infrastructure rather than of the message: retry, never dead-letter. A reaction that lost a
# race with a concurrent command (its stream moved on) is retried too: it reloads and decides again.
TRANSIENT = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.CannotConnectNowError,
             ConcurrencyConflict)


@dataclass(frozen=True)
class Subscription:
    name: str  # the key of its checkpoints and of its leadership lock
    topics: list[str]
    handler: Handler
    # A handler that appends events (a reaction: a release ends enrolments) must append before any other
    # write of its transaction (ADR 2): its messages are then applied one per transaction, deduplicated by a
    # read before the handler and recorded after it.
    appends_events: bool = False
    # The event types the handler acts on (None: all). Others are passed over from their Kafka header, never
    # decoded nor recorded: a service reading another's topic for a few types pays little for the rest.
    event_types: frozenset[str] | None = None
    # A reader of a busy topic that acts on few of its events can wait for fuller fetches: fewer round trips
    # for the broker and for us, at the cost of up to half a second of latency when the topic is quiet.
    fetch_min_bytes: int = 1

    def wants(self, record: ConsumerRecord) -> bool:
        if self.event_types is None:
            return True
        event_type = dict(record.headers or ()).get("event_type")
        return event_type is None or event_type.decode() in self.event_types


class ConsumerRunner:
    def __init__(self, subscription: Subscription, pool: asyncpg.Pool, bootstrap_servers: str) -> None:
        self.subscription = subscription
        self.pool = pool
        self.bootstrap_servers = bootstrap_servers
        self.consumer: AIOKafkaConsumer | None = None
        self._passed_over_at: dict[tuple[str, int], float] = {}
        self._dlq_producer = None

    @property
    def name(self) -> str:
        return self.subscription.name

    async def run(self, started: Callable[[], object] = lambda: None) -> None:
        topics = self.subscription.topics
        every = await kafka.ensure_topics(self.bootstrap_servers, [*topics, *(f"{t}.dlq" for t in topics)], 3)
        partitions = [p for p in every if p.topic in topics]
        async with self.pool.acquire() as leadership:
            # One active instance per subscription; others wait here as hot standbys. A killed instance's
            # connection closes with it, which releases the lock at once.
            await leadership.execute("SELECT pg_advisory_lock(hashtext($1))", self.name)
            try:
                await self._consume(partitions, started)
            finally:
                # Pooled connections are not reset on release (see `database`): hand the lock back here.
                await asyncio.shield(leadership.execute("SELECT pg_advisory_unlock(hashtext($1))", self.name))

    async def _consume(self, partitions: list[TopicPartition], started: Callable[[], object]) -> None:
        # Partitions are assigned by hand, not by a consumer group: the offsets live in our database, so a
        # group would add nothing but rebalances (and a long wait for a killed member's session to expire).
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            fetch_min_bytes=self.subscription.fetch_min_bytes,
            fetch_max_wait_ms=500,
        )
        self._dlq_producer = kafka.idempotent_producer(self.bootstrap_servers)
        await self._dlq_producer.start()
        await self.consumer.start()
        try:
            self.consumer.assign(partitions)
            await self.seek_to_checkpoints(partitions)
            log.info("consumer started", consumer=self.name, partitions=len(partitions))
            started()
            while True:
                batches = await self.consumer.getmany(timeout_ms=1000, max_records=500)
                for partition, records in batches.items():
                    await self._process(records)
                    self._record_lag(partition, records[-1].offset + 1)
        finally:
            await self.consumer.stop()
            await self._dlq_producer.stop()

    async def seek_to_checkpoints(self, partitions: list[TopicPartition]) -> None:
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT topic, partition, next_offset FROM consumer_checkpoints WHERE consumer = $1", self.name
            )
        stored = {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        for partition in partitions:
            if partition in stored:
                self.consumer.seek(partition, stored[partition])
            else:
                await self.consumer.seek_to_beginning(partition)

    async def _process(self, records: list[ConsumerRecord]) -> None:
        """A partition's fetched records in one transaction (replays and catch-ups go at the speed of few
        commits); if one of them is bad, again one by one, so that only that one is dead-lettered."""
        if not any(map(self.subscription.wants, records)):
            await self._pass_over(records[-1])
            return
        if self.subscription.appends_events and sum(map(self.subscription.wants, records)) > 1:
            # One message acted on per transaction; those passed over ride along with the next one.
            batch: list[ConsumerRecord] = []
            for record in records:
                batch.append(record)
                if self.subscription.wants(record):
                    await self._process(batch)
                    batch = []
            if batch:
                await self._process(batch)
            return
        try:
            await self._retrying_infrastructure(lambda: self._apply(records))
        except Exception as error:
            if len(records) > 1:
                for record in records:
                    await self._process([record])
            else:
                await self._dead_letter(records[0], error)

    async def _retrying_infrastructure(self, action) -> None:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type(TRANSIENT), wait=wait_exponential(max=10), reraise=True
        ):
            with attempt:
                try:
                    await action()
                except TRANSIENT:
                    log.warning("consumer retrying after an infrastructure error", consumer=self.name)
                    raise

    async def _apply(self, records: list[ConsumerRecord]) -> None:
        applied = skipped = 0
        async with self.pool.acquire() as connection, connection.transaction():
            for record in records:
                if not self.subscription.wants(record):
                    continue
                envelope = kafka.decode(record.value)
                logs.bind_correlation_id(correlation_id=envelope.correlation_id, event_id=str(envelope.event_id))
                if self.subscription.appends_events:
                    first_time = not await connection.fetchval(
                        "SELECT EXISTS (SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2)",
                        self.name, envelope.event_id,
                    )
                    if first_time:
                        await self.subscription.handler(connection, envelope)
                        await self._remember(connection, envelope)
                else:
                    first_time = await self._remember(connection, envelope)
                    if first_time:
                        await self.subscription.handler(connection, envelope)
                applied += bool(first_time)
                skipped += not first_time
            await self._checkpoint(connection, records[-1])
        metrics.EVENTS_CONSUMED.labels(consumer=self.name).inc(applied)
        metrics.DUPLICATES_SKIPPED.labels(consumer=self.name).inc(skipped)

    async def _remember(self, connection: asyncpg.Connection, envelope: EventEnvelope) -> bool:
        """Record the event as processed by this consumer; false if it already was."""
        return bool(await connection.fetchval(
            """INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)
               ON CONFLICT DO NOTHING RETURNING true""",
            self.name, envelope.event_id,
        ))

    async def _pass_over(self, record: ConsumerRecord) -> None:
        """Nothing here to act on: the checkpoint moves now and then only (a restart passes over these again,
        at no cost), so a topic busy with other types costs no transaction per fetch."""
        key = (record.topic, record.partition)
        now = time.monotonic()
        if now - self._passed_over_at.get(key, 0.0) >= PASS_OVER_CHECKPOINT_SECONDS:
            async def checkpoint() -> None:
                async with self.pool.acquire() as connection:
                    await self._checkpoint(connection, record)

            await self._retrying_infrastructure(checkpoint)
            self._passed_over_at[key] = now

    async def _checkpoint(self, connection: asyncpg.Connection, record: ConsumerRecord) -> None:
        await connection.execute(
            """INSERT INTO consumer_checkpoints (consumer, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
               ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = excluded.next_offset""",
            self.name, record.topic, record.partition, record.offset + 1,
        )

    async def _dead_letter(self, record: ConsumerRecord, error: Exception) -> None:
        headers = list(record.headers or []) + [
            ("dlq.error", f"{type(error).__name__}: {error}"[:2000].encode()),
            ("dlq.stacktrace", traceback.format_exc()[-4000:].encode()),
            ("dlq.consumer", self.name.encode()),
            ("dlq.topic", record.topic.encode()),
            ("dlq.partition", str(record.partition).encode()),
            ("dlq.offset", str(record.offset).encode()),
        ]
        dlq = f"{record.topic}.dlq"
        # Parked durably before the checkpoint moves past it: a dead letter is never lost either.
        await self._dlq_producer.send_and_wait(dlq, value=record.value, key=record.key, headers=headers)
        async with self.pool.acquire() as connection, connection.transaction():
            await self._checkpoint(connection, record)
        metrics.DLQ_MESSAGES.labels(consumer=self.name, topic=record.topic).inc()
        log.error("message dead-lettered", consumer=self.name, dlq=dlq, error=str(error), offset=record.offset)

    def _record_lag(self, partition: TopicPartition, next_offset: int) -> None:
        highwater = self.consumer.highwater(partition)
        if highwater is not None:
            metrics.CONSUMER_LAG.labels(
                consumer=self.name, topic=partition.topic, partition=str(partition.partition)
            ).set(max(highwater - next_offset, 0))
