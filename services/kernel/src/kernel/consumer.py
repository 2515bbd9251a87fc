"""The consumer runner used by subscribers and projections (ADR 3, ADR 14).

* Effectively exactly-once: a message's effect, the id of the event it carries and its partition's next
  offset are committed in one transaction of the consumer's own database. On start each partition seeks to
  the offset stored there; Kafka's committed offsets play no part.
* One active instance per subscription, fenced: the leader holds an advisory lock and a lease epoch that
  every one of its transactions checks. A successor bumps the epoch once the leader's last transaction has
  ended; from then on the old leader can commit nothing, and stops.
* Nothing is skipped silently. Only a message that can never be processed (undecodable, or invalid against
  its contract) goes to `<topic>.dlq`, and its partition goes on. A failure of the infrastructure (by
  SQLSTATE: connection, rollback, resources, lock, shutdown) is retried with backoff as long as it lasts,
  and `/ready` names the subscription after a few attempts. Any other error is retried a few times, then
  the partition halts on that message (and tries again after a cool-down) while `/ready` answers 503. An
  event newer than this code knows pauses its partition until a deploy. A stored offset outside the log
  (history deleted, topic re-created) halts the partition for an operator.
* Personal fields arrive sealed (`kernel.sealing`): they are opened before `parse_payload`, through the
  keyring; a destroyed key's fields read as erased. A sealed value that does not open is poison; one whose
  key this keyring never held halts its partition (a service pointed at the wrong keyring).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import OffsetOutOfRangeError
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_not_exception_type,
    wait_random_exponential,
)

from contracts import Event, EventEnvelope, UnknownEventType, parse_payload
from kernel import database, kafka, logs, metrics
from kernel.errors import ConcurrencyConflict
from kernel.keyring import Keyring, KeyUnwrapFailed, UnknownDataKey
from kernel.retrying import once_then_retrying
from kernel.sealing import Sealer

log = logs.get_logger(__name__)

PASS_OVER_CHECKPOINT_SECONDS = 5.0
FETCH_PARTITION_BYTES, FETCH_BYTES = 128 * 1024, 1024 * 1024
LEASE_CHECK_SECONDS = 2.0
FETCH_WAIT_MS = 1000  # how long a fetch waits for records before the loop goes round (its lease checked)
# Told the name of a subscription whose lease was moved on by `move_lease_on` (a rebuild's reset): its idle
# leader, waiting on a fetch, hears it at once rather than after the fetch's wait.
LEASE_MOVED_CHANNEL = "consumer_lease_moved"

# The effect of one event, inside the transaction that also records the checkpoint.
Handler = Callable[[asyncpg.Connection, EventEnvelope, Event], Awaitable[None]]
# The effect of a fetch's new events at once, in their order: a view that writes a row or two per event
# pays a few statements per fetch rather than per event.
BatchHandler = Callable[[asyncpg.Connection, list[tuple[EventEnvelope, Event]]], Awaitable[None]]
# The same with the Kafka record each event came in: for a view that keeps what only the record holds (its
# headers, such as the relay's transaction id: the audit log, ADR 30).
RecordBatchHandler = Callable[
    [asyncpg.Connection, list[tuple[EventEnvelope, Event, ConsumerRecord]]], Awaitable[None]
]
# Where a runner reports what keeps it from progressing (`/ready` shows it): a name per problem, and why.
Health = dict[str, str]


@dataclass(frozen=True)
class Subscription:
    name: str  # the key of its checkpoints, lease and leadership lock
    topics: list[str]
    handler: Handler
    # A handler that appends events (a reaction to another service's event) applies one message per
    # transaction, deduplicated by a read before the handler and recorded after it.
    appends_events: bool = False
    # The event types the handler acts on (None: all). Others are passed over from their Kafka header, never
    # decoded nor recorded: a service reading another's topic for a few types pays little for the rest.
    event_types: frozenset[str] | None = None
    # A reader that need not see an event at once (a busy topic of which it acts on few events, or a view that
    # people read, not the next command) can wait for fuller fetches: the broker answers once it holds
    # `fetch_min_bytes` or after `fetch_max_wait_ms`. Fewer round trips for the broker and for us, and one
    # transaction for many events, at the cost of up to `fetch_max_wait_ms` of latency when the topic is
    # quiet; an idle reader fetches that often.
    fetch_min_bytes: int = 1
    fetch_max_wait_ms: int = 500
    # The view's tables: what `views.rebuild` empties before replaying the topics from offset 0.
    tables: tuple[str, ...] = ()
    # Used instead of `handler` when set (not for a reaction, which applies one message per transaction).
    batch_handler: BatchHandler | None = None
    # Used instead of both when set: each event with its record.
    record_batch_handler: RecordBatchHandler | None = None
    # A view whose handler is idempotent and order-free across partitions (the person file: events by id,
    # owners and links as edges) may apply the partitions of a fetch at the same time, this many at most, each
    # in its own transaction: one's statements run in the database while this process reads and prepares
    # another's records, where one at a time left a core idle. Each partition keeps its order. Two transactions
    # meeting on a row wait for each other (a handler writing its rows sorted does not deadlock; a deadlock
    # would be retried, SQLSTATE 40). Not for a reaction: it appends one event per transaction, in order.
    partitions_at_once: int = 1
    # A view that keeps each event once itself (the person file and the audit log by the event's id, `ON
    # CONFLICT (event_id) DO NOTHING`; the partner views by each row's stream version) need not have the
    # consumer record every id in `processed_events` too: that insert was a quarter of the database's work in
    # the person file's rebuild (ADR 41). Its handler then sees a redelivered event again, and must keep it
    # once. Not for a reaction.
    keeps_events_once: bool = False

    def __post_init__(self) -> None:
        if self.partitions_at_once < 1 or (self.partitions_at_once > 1 and self.appends_events):
            raise ValueError(f"{self.name}: partitions_at_once is 1 for a reaction, at least 1 otherwise")
        if self.keeps_events_once and self.appends_events:
            raise ValueError(
                f"{self.name}: a reaction's events are kept once by the consumer, not the handler"
            )

    @property
    def redrive_topic(self) -> str:
        """Where `passerelle-dev dlq redrive` puts this subscription's dead letters back: only it reads them."""
        return f"{self.name}.redrive"

    def wants(self, record: ConsumerRecord) -> bool:
        if self.event_types is None:
            return True
        for name, value in record.headers or ():  # a few pairs: looked through, not made into a dict
            if name == "event_type":
                return value.decode() in self.event_types
        return True


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries of a message failing for its own reasons before its partition halts
    backoff_max: float = 10.0  # seconds between tries, growing exponentially (with jitter) up to this
    report_after: int = 3  # tries of an infrastructure failure before `/ready` reports it
    halt_seconds: float = 60.0  # a halted partition tries its message again after this long


class LeadershipLost(Exception):
    """Another instance leads this subscription now (or a rebuild reset it): stop, commit nothing more."""


# Failures of the infrastructure, not of the message, by SQLSTATE: connection exceptions (08), transaction
# rollbacks such as serialisation failures and deadlocks (40), insufficient resources (53), operator
# intervention: shutdowns and restarts (57P), a lock not available (55P03), a statement timeout (57014), a
# read-only transaction during a failover (25006). A reaction that lost a race with a concurrent command
# (its stream moved on) is retried too: it reloads and decides again.
_TRANSIENT_CLASSES = ("08", "40", "53", "57P")
_TRANSIENT_STATES = ("55P03", "57014", "25006")


def is_transient(error: BaseException) -> bool:
    if isinstance(error, (ConcurrencyConflict, ConnectionError, TimeoutError, asyncpg.InterfaceError)):
        return True
    state = getattr(error, "sqlstate", None) or ""
    return state.startswith(_TRANSIENT_CLASSES) or state in _TRANSIENT_STATES


def describe(error: BaseException) -> str:
    """What went wrong, never with the input values (they may be personal data): a validation error lists
    where and which rule, a database error its SQLSTATE, anything else its type."""
    if isinstance(error, ValidationError):
        broken = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['type']}" for e in error.errors()[:10]
        )
        return f"ValidationError: {broken}"
    if isinstance(error, UnknownEventType):
        return f"UnknownEventType: {error}"  # names a type and a version, nothing about a person
    state = getattr(error, "sqlstate", None)
    return type(error).__name__ + (f" (SQLSTATE {state})" if state else "")


@dataclass(frozen=True)
class _Delivery:
    record: ConsumerRecord
    envelope: EventEnvelope
    event: Event


@dataclass(frozen=True)
class _Unusable:
    """A record that cannot be processed as it is: poison (dead-lettered), or too new (waits for a deploy)."""

    record: ConsumerRecord
    error: Exception

    @property
    def too_new(self) -> bool:
        return isinstance(self.error, UnknownEventType)

    @property
    def key_missing(self) -> bool:
        return isinstance(self.error, (UnknownDataKey, KeyUnwrapFailed))


class ConsumerRunner:
    def __init__(
        self,
        subscription: Subscription,
        pool: asyncpg.Pool,
        bootstrap_servers: str,
        *,
        dsn: str,
        topic_policy: kafka.TopicPolicy,
        retry: RetryPolicy = RetryPolicy(),
        health: Health | None = None,
        keyring: Keyring | None = None,
        security: kafka.KafkaSecurity = kafka.PLAINTEXT,
    ) -> None:
        self.subscription = subscription
        self.pool = pool
        self.dsn = dsn  # the leadership's own connection (`_lead`)
        self.bootstrap_servers = bootstrap_servers
        self.topic_policy = topic_policy
        self.security = security
        self.retry = retry
        self.health = health if health is not None else {}
        self._sealer = Sealer(keyring) if keyring is not None else None
        self.consumer: AIOKafkaConsumer | None = None
        self._dlq_producer = None
        self._leadership: asyncpg.Connection | None = None
        self._epoch = 0
        self._lease_checked_at = 0.0
        self._lease_moved: asyncio.Future | None = None  # set by the channel's notification
        self._passed_over_at: dict[TopicPartition, float] = {}
        # The last record passed over and not yet checkpointed, per partition: saved once the topic is quiet,
        # so that a checkpoint does not stay behind the end of a partition that has nothing more to say.
        self._passed_over: dict[TopicPartition, ConsumerRecord] = {}
        self._halted: dict[TopicPartition, float] = {}  # partition -> when to try again (inf: never)

    @property
    def name(self) -> str:
        return self.subscription.name

    async def run(self, started: Callable[[], object] = lambda: None) -> None:
        read = [*self.subscription.topics, self.subscription.redrive_topic]
        dead_letters = [f"{t}.dlq" for t in self.subscription.topics]
        every = await kafka.ensure_topics(
            self.bootstrap_servers, read + dead_letters, self.topic_policy, security=self.security
        )
        partitions = [p for p in every if p.topic in read]
        while True:
            try:
                await self._lead(partitions, started)
            except LeadershipLost as lost:
                # A standby again, not a failure: wait for the lock like any other instance.
                log.warning("consumer lost its lease", consumer=self.name, reason=str(lost))

    async def _lead(self, partitions: list[TopicPartition], started: Callable[[], object]) -> None:
        # The lock's connection is the leadership's own, as the relay's is: one of the pool's, held as long as
        # this instance leads, was a working connection lost to the service's transactions and reads (the
        # projections' eight subscriptions held eight of their ten, and a view's write waited for the two
        # left behind a read or the person files' refresher).
        leadership = await database.connect(self.dsn)
        try:
            # One active instance per subscription; others wait here as hot standbys. A killed instance's
            # connection closes with it, which releases the lock at once.
            await leadership.execute("SELECT pg_advisory_lock(hashtext($1))", self.name)
            # Waits for a former leader's transaction in flight; none of its later ones can commit.
            self._epoch = await leadership.fetchval(
                """INSERT INTO consumer_leases (consumer, epoch) VALUES ($1, 1)
                   ON CONFLICT (consumer) DO UPDATE SET epoch = consumer_leases.epoch + 1, taken_at = now()
                   RETURNING epoch""",
                self.name,
            )
            self._leadership, self._halted = leadership, {}
            self._lease_moved = asyncio.get_running_loop().create_future()
            await leadership.add_listener(LEASE_MOVED_CHANNEL, self._on_lease_moved)
            for stale in [key for key in self.health if key.startswith(f"{self.name} ")]:
                del self.health[stale]  # what the last leadership reported is looked at afresh
            await self._consume(partitions, started)
        finally:
            # Ending the session releases the lock, whatever state the connection is in (even mid-query).
            with contextlib.suppress(asyncpg.InterfaceError):
                leadership.terminate()

    async def _consume(self, partitions: list[TopicPartition], started: Callable[[], object]) -> None:
        # Partitions are assigned by hand, not by a consumer group: the offsets live in our database, so a
        # group would add nothing but rebalances (and a long wait for a killed member's session to expire).
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="none",  # an offset outside the log is an error, never a silent jump
            isolation_level="read_committed",
            fetch_min_bytes=self.subscription.fetch_min_bytes,
            fetch_max_wait_ms=self.subscription.fetch_max_wait_ms,
            # What a fetch may bring, held until it is applied: aiokafka's defaults (1 MiB a partition, 50 MiB
            # a fetch) let each of a service's consumers hold tens of megabytes while it catches up, and the
            # process kept that memory afterwards. A batch of 500 events needs far less.
            max_partition_fetch_bytes=FETCH_PARTITION_BYTES,
            fetch_max_bytes=FETCH_BYTES,
            **self.security.client_options(),
        )
        self._dlq_producer = kafka.idempotent_producer(self.bootstrap_servers, self.security)
        await self._dlq_producer.start()
        await self.consumer.start()
        try:
            self.consumer.assign(partitions)
            await self._seek_to_checkpoints(partitions)
            log.info("consumer started", consumer=self.name, partitions=len(partitions), epoch=self._epoch)
            started()
            while True:
                await self._check_lease()
                self._resume_when_due()
                try:
                    batches = await self._fetch()
                except OffsetOutOfRangeError as error:
                    for partition, offset in error.args[0].items():
                        self._halt(
                            partition,
                            offset,
                            "its offset is outside the log: events were deleted",
                            for_good=True,
                        )
                    continue
                await self._apply_fetch(batches)
                if not batches:
                    await self._save_passed_over()
                    # Idle: the lease is looked at on the next turn, not after the usual few seconds. A busy
                    # leader learns of a rebuild's reset from its next checkpoint; an idle one had none coming,
                    # and the reset waited up to `LEASE_CHECK_SECONDS` more for it.
                    self._lease_checked_at = 0.0
        finally:
            await self.consumer.stop()
            await self._dlq_producer.stop()

    async def _fetch(self) -> dict[TopicPartition, list[ConsumerRecord]]:
        """The next records, or none if the lease was told moved on while waiting for them: the loop then looks
        at the lease at once. (A cancelled `getmany` loses nothing: it returns what it drained before waiting.)"""
        fetch = asyncio.ensure_future(self.consumer.getmany(timeout_ms=FETCH_WAIT_MS, max_records=500))
        try:
            await asyncio.wait((fetch, self._lease_moved), return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # the service stopping: the fetch goes with it
            fetch.cancel()
            raise
        if fetch.done():
            return fetch.result()
        fetch.cancel()
        # The lease decides, not the notice: looked at now; should it still be ours, the next notice counts.
        self._lease_checked_at = 0.0
        self._lease_moved = asyncio.get_running_loop().create_future()
        return {}

    def _on_lease_moved(self, _connection: object, _pid: int, _channel: str, consumer: str) -> None:
        if consumer == self.name and not self._lease_moved.done():
            self._lease_moved.set_result(None)

    async def _apply_fetch(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        """Each partition's records of a fetch, one partition at a time or `partitions_at_once`; a failure
        (a lost lease) stops the others, whose transactions roll back: their records come again."""
        at_once = min(self.subscription.partitions_at_once, len(batches))
        if at_once <= 1:
            for partition, records in batches.items():
                await self._partition_turn(partition, records)
            return
        lanes = asyncio.Semaphore(at_once)

        async def turn(partition: TopicPartition, records: list[ConsumerRecord]) -> None:
            async with lanes:
                await self._partition_turn(partition, records)

        turns = [asyncio.create_task(turn(partition, records)) for partition, records in batches.items()]
        try:
            await asyncio.gather(*turns)
        finally:
            for task in turns:
                task.cancel()
            await asyncio.gather(*turns, return_exceptions=True)

    async def _partition_turn(self, partition: TopicPartition, records: list[ConsumerRecord]) -> None:
        if partition not in self._halted:  # fetched before it halted
            await self._process(partition, records)
            self._record_lag(partition, records[-1].offset + 1)

    async def _seek_to_checkpoints(self, partitions: list[TopicPartition]) -> None:
        """Each partition to its stored offset (never seen: the beginning), which must lie within the log."""
        rows = await self.pool.fetch(
            "SELECT topic, partition, next_offset FROM consumer_checkpoints WHERE consumer = $1", self.name
        )
        stored = {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
        starts = await self.consumer.beginning_offsets(partitions)
        ends = await self.consumer.end_offsets(partitions)
        for partition in partitions:
            offset = stored.get(partition, 0)
            if starts[partition] <= offset <= ends[partition]:
                self.consumer.seek(partition, offset)
            else:
                where = "its stored offset" if partition in stored else "the beginning (offset 0)"
                self._halt(
                    partition,
                    offset,
                    f"{where} is outside the log [{starts[partition]}, "
                    f"{ends[partition]}]: events were deleted or the topic was re-created",
                    for_good=True,
                )

    # --- a partition's records --------------------------------------------------------------------------

    async def _process(self, partition: TopicPartition, records: list[ConsumerRecord]) -> None:
        """In order: runs of usable records in one transaction each (one per wanted record for a reaction),
        dead letters parked between them, a too-new event or a halt ending the partition's turn."""
        wanted = list(map(self.subscription.wants, records))
        if not any(wanted):
            await self._pass_over(partition, records[-1])
            return
        run: list[ConsumerRecord | _Delivery] = []
        for record, wants in zip(records, wanted, strict=True):
            item = await self._read(record) if wants else record
            if isinstance(item, _Unusable):
                if run and not await self._apply(partition, run):
                    return
                run = []
                if item.key_missing:
                    self._halt(
                        partition,
                        record.offset,
                        describe(item.error)
                        + ": point KEYRING_DATABASE_URL and KEYRING_KEK at the deployment's",
                        for_good=True,
                    )
                    return
                if item.too_new:
                    self._halt(
                        partition,
                        record.offset,
                        describe(item.error) + ": deploy a newer version",
                        for_good=True,
                    )
                    return
                await self._dead_letter(item.record, item.error)
                continue
            run.append(item)
            if self.subscription.appends_events and isinstance(item, _Delivery):
                if not await self._apply(partition, run):
                    return
                run = []
        if run and not await self._apply(partition, run):
            return

    async def _read(self, record: ConsumerRecord) -> _Delivery | _Unusable | ConsumerRecord:
        try:
            envelope = kafka.decode(record.value)
            if (
                self.subscription.event_types is not None
                and envelope.event_type not in self.subscription.event_types
            ):
                return record  # a record without the header, of a type this subscription passes over
            if self._sealer is not None:
                (envelope,) = await self._sealer.open([envelope])
            event = parse_payload(envelope.event_type, envelope.schema_version, envelope.payload)
        except (
            UnknownEventType,
            ValueError,
            TypeError,
            KeyError,
            UnknownDataKey,
            KeyUnwrapFailed,
        ) as error:  # ValidationError is a ValueError, and so is a sealed value that does not open
            return _Unusable(record, error)
        return _Delivery(record, envelope, event)

    async def _apply(self, partition: TopicPartition, run: list[ConsumerRecord | _Delivery]) -> bool:
        """Apply a run in one transaction, retried; if it fails for its own reasons, one delivery at a time,
        so the ones before the failing one are applied and the partition halts on that one. False if it
        halted."""
        deliveries = [item for item in run if isinstance(item, _Delivery)]
        try:
            await self._retrying(
                lambda: self._transaction(run),
                partition,
                attempts=1 if len(deliveries) > 1 else self.retry.attempts,
            )
            return True
        except LeadershipLost:
            raise
        except Exception as error:
            if len(deliveries) > 1:
                return await self._one_at_a_time(partition, run)
            failing = deliveries[0].record if deliveries else _record_of(run[-1])
            self._halt(partition, failing.offset, f"{describe(error)} after {self.retry.attempts} attempts")
            log.error(
                "partition halted",
                consumer=self.name,
                topic=partition.topic,
                partition=partition.partition,
                offset=failing.offset,
                error=describe(error),
                stack="".join(traceback.format_tb(error.__traceback__)),
            )
            return False

    async def _one_at_a_time(self, partition: TopicPartition, run: list[ConsumerRecord | _Delivery]) -> bool:
        piece: list[ConsumerRecord | _Delivery] = []
        for item in run:
            piece.append(item)
            if isinstance(item, _Delivery):
                if not await self._apply(partition, piece):
                    return False
                piece = []
        return not piece or await self._apply(partition, piece)

    async def _retrying(
        self, action: Callable[[], Awaitable[None]], partition: TopicPartition, *, attempts: int
    ) -> None:
        """Infrastructure failures for as long as they last; others `attempts` times in all."""
        where = self._health_key(partition)

        def gives_up(state: RetryCallState) -> bool:
            return not is_transient(state.outcome.exception()) and state.attempt_number >= attempts

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception()
            log.warning(
                "consumer retrying",
                consumer=self.name,
                topic=partition.topic,
                partition=partition.partition,
                attempt=state.attempt_number,
                error=describe(error),
            )
            if is_transient(error) and state.attempt_number >= self.retry.report_after:
                self.health[where] = f"retrying since {state.attempt_number} attempts: {describe(error)}"

        # Never a cancellation (a BaseException: the service is stopping), never a lost lease.
        await once_then_retrying(
            action,
            lambda: AsyncRetrying(
                retry=retry_if_exception_type(Exception) & retry_if_not_exception_type(LeadershipLost),
                stop=gives_up,
                before_sleep=before_sleep,
                wait=wait_random_exponential(multiplier=0.05, max=self.retry.backoff_max),
                reraise=True,
            ),
            retried=lambda error: not isinstance(error, LeadershipLost),
        )
        self.health.pop(where, None)

    async def _transaction(self, run: list[ConsumerRecord | _Delivery]) -> None:
        deliveries = [item for item in run if isinstance(item, _Delivery)]
        applied = 0
        async with self.pool.acquire() as connection, connection.transaction():
            if self.subscription.appends_events:
                # The reaction appends before any other write (ADR 2's order stays cheap: no retried conflict).
                for delivery in deliveries:
                    if not await connection.fetchval(
                        "SELECT EXISTS (SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2)",
                        self.name,
                        delivery.envelope.event_id,
                    ):
                        await self._handle(connection, delivery)
                        if not await self._remember(connection, [delivery]):
                            raise ConcurrencyConflict("another instance applied this event meanwhile")
                        applied += 1
            else:
                new = (
                    deliveries
                    if self.subscription.keeps_events_once
                    else await self._new(connection, deliveries)
                )
                if self.subscription.record_batch_handler is not None:
                    if new:
                        await self.subscription.record_batch_handler(
                            connection, [(d.envelope, d.event, d.record) for d in new]
                        )
                elif self.subscription.batch_handler is not None:
                    if new:
                        await self.subscription.batch_handler(
                            connection, [(d.envelope, d.event) for d in new]
                        )
                else:
                    for delivery in new:
                        await self._handle(connection, delivery)
                applied = len(new)
            await self._checkpoint(connection, _record_of(run[-1]))
        metrics.EVENTS_CONSUMED.labels(consumer=self.name).inc(applied)
        metrics.DUPLICATES_SKIPPED.labels(consumer=self.name).inc(len(deliveries) - applied)

    async def _handle(self, connection: asyncpg.Connection, delivery: _Delivery) -> None:
        envelope = delivery.envelope
        logs.bind_correlation_id(correlation_id=envelope.correlation_id, event_id=str(envelope.event_id))
        await self.subscription.handler(connection, envelope, delivery.event)

    async def _new(self, connection: asyncpg.Connection, deliveries: list[_Delivery]) -> list[_Delivery]:
        """These deliveries but those this consumer processed before, each event once."""
        fresh = await self._remember(connection, deliveries)
        new = []
        for delivery in deliveries:
            if delivery.envelope.event_id in fresh:
                fresh.discard(delivery.envelope.event_id)  # the same event twice in one fetch
                new.append(delivery)
        return new

    async def _remember(self, connection: asyncpg.Connection, deliveries: list[_Delivery]) -> set:
        """Record these events as processed by this consumer: the ids that were not already."""
        if not deliveries:
            return set()
        rows = await connection.fetch(
            """INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::uuid[])
               ON CONFLICT DO NOTHING RETURNING event_id""",
            self.name,
            list(dict.fromkeys(d.envelope.event_id for d in deliveries)),
        )
        return {r["event_id"] for r in rows}

    async def _checkpoint(self, connection: asyncpg.Connection, record: ConsumerRecord) -> None:
        """Record the partition's next offset, if this instance still holds the lease (checked under a share
        lock, so a successor's takeover waits for this transaction), and never backwards."""
        partition = TopicPartition(record.topic, record.partition)
        if (waiting := self._passed_over.get(partition)) is not None and waiting.offset <= record.offset:
            del self._passed_over[partition]  # this checkpoint covers it
        row = await connection.fetchrow(
            """WITH fence AS (SELECT 1 FROM consumer_leases WHERE consumer = $1 AND epoch = $5 FOR SHARE),
                    saved AS (INSERT INTO consumer_checkpoints (consumer, topic, partition, next_offset)
                              SELECT $1, $2, $3, $4 FROM fence
                              ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = excluded.next_offset
                              WHERE consumer_checkpoints.next_offset <= excluded.next_offset
                              RETURNING 1)
               SELECT EXISTS (SELECT 1 FROM fence) AS leading, EXISTS (SELECT 1 FROM saved) AS saved""",
            self.name,
            record.topic,
            record.partition,
            record.offset + 1,
            self._epoch,
        )
        if not row["leading"]:
            raise LeadershipLost(f"{self.name}: another instance took the lease over")
        if not row["saved"]:
            raise RuntimeError(
                f"{self.name}: the checkpoint of {record.topic}[{record.partition}] would move "
                f"back to {record.offset + 1}"
            )

    async def _pass_over(self, partition: TopicPartition, record: ConsumerRecord) -> None:
        """Nothing here to act on: the checkpoint moves now and then only (a restart passes over these again,
        at no cost), so a topic busy with other types costs no transaction per fetch."""
        now = time.monotonic()
        if now - self._passed_over_at.get(partition, 0.0) >= PASS_OVER_CHECKPOINT_SECONDS:
            await self._retrying(
                lambda: self._checkpoint_alone(record), partition, attempts=self.retry.attempts
            )
            self._passed_over_at[partition] = now
        else:
            self._passed_over[partition] = record

    async def _save_passed_over(self) -> None:
        """The topic is quiet: checkpoint what was passed over since the last save (readers such as a
        "not known yet" answer compare the checkpoint with the partition's end)."""
        for partition, record in list(self._passed_over.items()):
            if partition not in self._halted:
                await self._retrying(
                    lambda record=record: self._checkpoint_alone(record),
                    partition,
                    attempts=self.retry.attempts,
                )
                self._passed_over_at[partition] = time.monotonic()
            self._passed_over.pop(partition, None)

    async def _checkpoint_alone(self, record: ConsumerRecord) -> None:
        async with self.pool.acquire() as connection, connection.transaction():
            await self._checkpoint(connection, record)

    async def _dead_letter(self, record: ConsumerRecord, error: Exception) -> None:
        """Park a message that can never be processed, durably, before the checkpoint moves past it."""
        headers = dict(record.headers or ())
        origin = headers.get("dlq.topic", record.topic.encode()).decode()  # a re-driven one keeps its origin
        headers.update(
            {
                "dlq.error": describe(error)[:2000].encode(),
                "dlq.stacktrace": "".join(traceback.format_tb(error.__traceback__))[-4000:].encode(),
                "dlq.consumer": self.name.encode(),
                "dlq.topic": origin.encode(),
                "dlq.partition": headers.get("dlq.partition", str(record.partition).encode()),
                "dlq.offset": headers.get("dlq.offset", str(record.offset).encode()),
            }
        )
        dlq = f"{origin}.dlq"
        await self._dlq_producer.send_and_wait(
            dlq, value=record.value, key=record.key, headers=list(headers.items())
        )
        await self._retrying(
            lambda: self._checkpoint_alone(record),
            TopicPartition(record.topic, record.partition),
            attempts=self.retry.attempts,
        )
        metrics.DLQ_MESSAGES.labels(consumer=self.name, topic=origin).inc()
        log.error(
            "message dead-lettered", consumer=self.name, dlq=dlq, error=describe(error), offset=record.offset
        )

    # --- halts and leadership ---------------------------------------------------------------------------

    def _halt(self, partition: TopicPartition, offset: int, reason: str, *, for_good: bool = False) -> None:
        """Stop consuming the partition at `offset` (nothing after it is applied) and say so in /ready; unless
        `for_good`, try that message again after the cool-down."""
        self.consumer.pause(partition)
        self.consumer.seek(partition, offset)
        self._halted[partition] = float("inf") if for_good else time.monotonic() + self.retry.halt_seconds
        self.health[self._health_key(partition)] = f"halted at offset {offset}: {reason}"
        metrics.CONSUMER_HALTED.labels(
            consumer=self.name, topic=partition.topic, partition=str(partition.partition)
        ).set(1)

    def _resume_when_due(self) -> None:
        now = time.monotonic()
        for partition, due in list(self._halted.items()):
            if now >= due:
                del self._halted[partition]
                self.consumer.resume(partition)
                metrics.CONSUMER_HALTED.labels(
                    consumer=self.name, topic=partition.topic, partition=str(partition.partition)
                ).set(0)
                # The report stays until the message is applied: `_retrying` clears it.

    async def _check_lease(self) -> None:
        """Every few seconds: is the lock's connection alive, and the lease still ours? A leader whose lock
        was lost keeps working only until its next commit fails; a rebuild's reset must not wait for one."""
        now = time.monotonic()
        if now - self._lease_checked_at < LEASE_CHECK_SECONDS:
            return
        try:
            epoch = await self._leadership.fetchval(
                "SELECT epoch FROM consumer_leases WHERE consumer = $1",
                self.name,
                timeout=LEASE_CHECK_SECONDS * 5,
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
            raise LeadershipLost(
                f"{self.name}: the leadership connection failed ({describe(error)})"
            ) from error
        if epoch != self._epoch:
            raise LeadershipLost(f"{self.name}: the lease moved on to epoch {epoch}")
        self._lease_checked_at = now

    def _health_key(self, partition: TopicPartition) -> str:
        return f"{self.name} {partition.topic}[{partition.partition}]"

    def _record_lag(self, partition: TopicPartition, next_offset: int) -> None:
        highwater = self.consumer.highwater(partition)
        if highwater is not None:
            metrics.CONSUMER_LAG.labels(
                consumer=self.name, topic=partition.topic, partition=str(partition.partition)
            ).set(max(highwater - next_offset, 0))


async def move_lease_on(connection: asyncpg.Connection, consumer: str) -> None:
    """End the current leadership of `consumer`: its leader can commit nothing more, and hears of it as soon
    as the caller's transaction commits. It leads again under the next epoch."""
    await connection.execute("UPDATE consumer_leases SET epoch = epoch + 1 WHERE consumer = $1", consumer)
    await connection.execute("SELECT pg_notify($1, $2)", LEASE_MOVED_CHANNEL, consumer)


def _record_of(item: ConsumerRecord | _Delivery) -> ConsumerRecord:
    return item.record if isinstance(item, _Delivery) else item
