"""The consumer runner: effect and checkpoint in one transaction, duplicates applied once, nothing skipped
silently: poison parked, infrastructure failures retried, other failures halting their partition, events
too new paused, offsets outside the log refused; readers tolerant of fields they do not know."""

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete
from aiokafka.structs import TopicPartition

from contracts import Actor, EventEnvelope
from devinfra.testkit import read_topic, wait_for
from kernel import consumer as consumer_module
from kernel import kafka, views
from kernel.consumer import ConsumerRunner, RetryPolicy, Subscription
from kernel.database import create_pool
from kernel.errors import ConcurrencyConflict
from kernel.eventstore import NEW_STREAM, EventStore, Session

from ..samples import ONE_NODE, SampleRecorded, metadata

pytestmark = pytest.mark.integration

# Short waits: a test sees a halt, a retry and a resumption within seconds.
QUICK = RetryPolicy(attempts=3, backoff_max=0.05, report_after=2, halt_seconds=1.0)


def an_envelope(number, *, event_id=None, stream_id="s-1", version=1, schema_version=1) -> bytes:
    now = datetime.now(UTC)
    envelope = EventEnvelope(
        event_id=event_id or uuid.uuid4(),
        event_type="kerneltest.sample.recorded",
        schema_version=schema_version,
        stream_type="sample",
        stream_id=stream_id,
        stream_version=version,
        position=version,
        occurred_at=now,
        recorded_at=now,
        actor=Actor(subject="u", role="cpip"),
        correlation_id="c",
        payload={"number": number},
        previous_hash=None,
        hash="h",
    )
    return kafka.encode(envelope)[1]


async def record_number(connection, envelope, event):
    await connection.execute("INSERT INTO applied VALUES ($1, $2)", envelope.event_id, event.number)


def runner_for(subscription: Subscription, pool, bootstrap, **options) -> ConsumerRunner:
    return ConsumerRunner(subscription, pool, bootstrap, topic_policy=ONE_NODE, **options)


async def produce(bootstrap, topic, *values: bytes, partition: int | None = None):
    await kafka.ensure_topics(bootstrap, [topic], ONE_NODE)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value=value, key=b"s-1", partition=partition)
    finally:
        await producer.stop()


@contextlib.asynccontextmanager
async def running(runner: ConsumerRunner):
    task = asyncio.create_task(runner.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def applied(pool) -> list[int]:
    return [r["number"] for r in await pool.fetch("SELECT number FROM applied ORDER BY number")]


async def _count(pool, expected: int) -> bool:
    return await pool.fetchval("SELECT count(*) FROM applied") >= expected


async def _checkpoint_is(pool, consumer: str, offset: int, partition: int | None = None) -> bool:
    return (
        await pool.fetchval(
            "SELECT max(next_offset) FROM consumer_checkpoints"
            " WHERE consumer = $1 AND ($2::int IS NULL OR partition = $2)",
            consumer,
            partition,
        )
        == offset
    )


async def dead_letters(bootstrap, topic, at_least=0, timeout=2.0):
    return await read_topic(bootstrap, f"{topic}.dlq", at_least=at_least, timeout=timeout)


async def test_each_event_is_applied_once_even_when_delivered_twice(pool, dsn, bootstrap, unique_name):
    topic = unique_name("topic")
    duplicate = an_envelope(2)
    await produce(bootstrap, topic, an_envelope(1), duplicate, duplicate, an_envelope(3))
    runner = runner_for(Subscription(unique_name("group"), [topic], record_number), pool, bootstrap, dsn=dsn)

    async with running(runner):
        await wait_for(lambda: _count(pool, 3), timeout=30, message="three applied events")
        await wait_for(lambda: _checkpoint_is(pool, runner.name, 4), timeout=10, message="checkpoint after 4")

    assert await applied(pool) == [1, 2, 3]


async def test_leading_takes_none_of_the_pool_s_connections(pool, dsn, bootstrap, unique_name):
    """Each leader's lock is on a connection of its own: two subscriptions lead and apply their events through
    a pool of one connection (with the locks on the pool's, the first leader took it and nothing was applied)."""
    topics = unique_name("topic"), unique_name("topic")
    for number, topic in enumerate(topics):
        await produce(bootstrap, topic, an_envelope(number))
    one = await create_pool(dsn, max_size=1)
    runners = [
        runner_for(Subscription(unique_name("group"), [t], record_number), one, bootstrap, dsn=dsn)
        for t in topics
    ]
    try:
        async with running(runners[0]), running(runners[1]):
            await wait_for(lambda: _count(pool, 2), timeout=30, message="both subscriptions' events applied")
    finally:
        await one.close()


async def test_a_batch_handler_gets_each_fetch_s_new_events_at_once_in_order_duplicates_dropped(
    pool, dsn, bootstrap, unique_name
):
    topic, calls = unique_name("topic"), []
    duplicate = an_envelope(2)
    await produce(bootstrap, topic, an_envelope(1), duplicate, duplicate, an_envelope(3))

    async def record_batch(connection, deliveries):
        calls.append([event.number for _, event in deliveries])
        for envelope, event in deliveries:
            await record_number(connection, envelope, event)

    async def never(connection, envelope, event):
        raise AssertionError("the per-event handler is not called when a batch handler is given")

    subscription = Subscription(unique_name("group"), [topic], never, batch_handler=record_batch)
    runner = runner_for(subscription, pool, bootstrap, dsn=dsn)
    async with running(runner):
        await wait_for(lambda: _count(pool, 3), timeout=30, message="three applied events")
        await wait_for(lambda: _checkpoint_is(pool, runner.name, 4), timeout=10, message="checkpoint after 4")

    assert await applied(pool) == [1, 2, 3]
    assert [n for call in calls for n in call] == [1, 2, 3] and all(calls)


async def test_a_reader_waiting_for_full_fetches_applies_events_that_come_one_by_one_in_few_transactions(
    pool, dsn, bootstrap, unique_name
):
    """A view that need not see an event at once: five events produced a tenth of a second apart reach its
    batch handler in one or two fetches (the broker holds each fetch for up to `fetch_max_wait_ms`), where an
    immediate reader is answered as each arrives, in five."""
    topic, calls = unique_name("topic"), []
    await kafka.ensure_topics(bootstrap, [topic], ONE_NODE)

    async def record_batch(connection, deliveries):
        calls.append([event.number for _, event in deliveries])
        for envelope, event in deliveries:
            await record_number(connection, envelope, event)

    subscription = Subscription(
        unique_name("group"),
        [topic],
        record_number,
        batch_handler=record_batch,
        fetch_min_bytes=1024 * 1024,
        fetch_max_wait_ms=2000,
    )
    runner, started = runner_for(subscription, pool, bootstrap, dsn=dsn), asyncio.Event()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    task = asyncio.create_task(runner.run(started.set))
    try:
        await asyncio.wait_for(started.wait(), timeout=30)
        for number in range(1, 6):
            await producer.send_and_wait(topic, value=an_envelope(number), key=b"s-1", partition=0)
            await asyncio.sleep(
                0.1
            )  # the scenario, not a wait for readiness: events a tenth of a second apart
        await wait_for(lambda: _count(pool, 5), timeout=30, message="five applied events")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await producer.stop()

    assert await applied(pool) == [1, 2, 3, 4, 5]
    assert len(calls) <= 2, calls


async def test_a_record_batch_handler_gets_each_event_with_the_record_it_came_in(
    pool, dsn, bootstrap, unique_name
):
    topic, calls = unique_name("topic"), []
    await produce(bootstrap, topic, an_envelope(1), an_envelope(2))

    async def with_records(connection, deliveries):
        calls.extend((event.number, record.topic, record.offset) for _, event, record in deliveries)
        for envelope, event, _ in deliveries:
            await record_number(connection, envelope, event)

    async def never(connection, envelope, event):
        raise AssertionError("the per-event handler is not called when a record batch handler is given")

    subscription = Subscription(unique_name("group"), [topic], never, record_batch_handler=with_records)
    runner = runner_for(subscription, pool, bootstrap, dsn=dsn)
    async with running(runner):
        await wait_for(lambda: _count(pool, 2), timeout=30, message="two applied events")

    assert calls == [(1, topic, 0), (2, topic, 1)]


async def test_a_view_applying_two_partitions_at_once_keeps_each_one_s_order_and_applies_each_event_once(
    pool, dsn, bootstrap, unique_name
):
    """`partitions_at_once=2`: a fetch's two partitions are in the handler together (each waits, up to a few
    seconds, for the other to come in: one at a time, the peak stays 1), each in its order, each event once."""
    topic, seen = unique_name("topic"), []
    for partition in (0, 1):
        numbers = range(partition * 10, partition * 10 + 3)
        await produce(bootstrap, topic, *(an_envelope(n) for n in numbers), partition=partition)
    inside, peak, together = 0, 0, asyncio.Event()

    async def with_records(connection, deliveries):
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        if inside == 2:
            together.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(together.wait(), timeout=5)
        seen.extend((record.partition, event.number) for _, event, record in deliveries)
        for envelope, event, _ in deliveries:
            await record_number(connection, envelope, event)
        inside -= 1

    subscription = Subscription(
        unique_name("group"), [topic], record_number, record_batch_handler=with_records, partitions_at_once=2
    )
    async with running(runner_for(subscription, pool, bootstrap, dsn=dsn)):
        await wait_for(lambda: _count(pool, 6), timeout=30, message="six applied events")

    assert peak == 2
    assert await applied(pool) == [0, 1, 2, 10, 11, 12]
    assert [n for p, n in seen if p == 0] == [0, 1, 2] and [n for p, n in seen if p == 1] == [10, 11, 12]


def test_a_reaction_applies_one_partition_at_a_time():
    with pytest.raises(ValueError, match="partitions_at_once"):
        Subscription("reaction", ["topic"], record_number, appends_events=True, partitions_at_once=2)


async def test_a_view_keeping_events_once_itself_is_handed_a_redelivered_event_and_nothing_is_recorded_for_it(
    pool, dsn, bootstrap, unique_name
):
    """`keeps_events_once`: the consumer records no id in `processed_events`; a duplicate reaches the handler,
    which keeps each event once by its id (here a unique key), and the checkpoint passes them all."""
    await pool.execute("ALTER TABLE applied ADD UNIQUE (event_id)")
    topic, handed = unique_name("topic"), []
    duplicate = an_envelope(2)
    await produce(bootstrap, topic, an_envelope(1), duplicate, duplicate, an_envelope(3))

    async def keep_once(connection, deliveries):
        handed.extend(event.number for _, event in deliveries)
        await connection.executemany(
            "INSERT INTO applied VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING",
            [(envelope.event_id, event.number) for envelope, event in deliveries],
        )

    subscription = Subscription(
        unique_name("group"), [topic], record_number, batch_handler=keep_once, keeps_events_once=True
    )
    async with running(runner_for(subscription, pool, bootstrap, dsn=dsn)):
        await wait_for(
            lambda: _checkpoint_is(pool, subscription.name, 4), timeout=30, message="the checkpoint at 4"
        )

    assert sorted(handed) == [1, 2, 2, 3]
    assert await applied(pool) == [1, 2, 3]
    assert not await pool.fetchval(
        "SELECT count(*) FROM processed_events WHERE consumer = $1", subscription.name
    )


def test_a_reaction_keeps_its_events_once_through_the_consumer():
    with pytest.raises(ValueError, match="kept once by the consumer"):
        Subscription("reaction", ["topic"], record_number, appends_events=True, keeps_events_once=True)


async def test_a_message_that_can_never_be_processed_is_parked_without_personal_data_and_the_partition_goes_on(
    pool, dsn, bootstrap, unique_name
):
    topic = unique_name("topic")
    invalid = an_envelope("Jean Dupont")  # not a number: invalid against the event's contract
    await produce(bootstrap, topic, b"not json at all", invalid, an_envelope(7))
    runner = runner_for(Subscription(unique_name("group"), [topic], record_number), pool, bootstrap, dsn=dsn)

    async with running(runner):
        await wait_for(lambda: _count(pool, 1), timeout=30, message="the good event")
        await wait_for(lambda: _checkpoint_is(pool, runner.name, 3), timeout=10, message="checkpoint after 3")

    assert await applied(pool) == [7]
    parked = await dead_letters(bootstrap, topic, at_least=2, timeout=30)
    assert [r.value for r in parked] == [b"not json at all", invalid]
    headers = [dict(r.headers) for r in parked]
    assert headers[1]["dlq.error"] == b"ValidationError: number: int_parsing"
    assert headers[1]["dlq.offset"] == b"1" and headers[1]["dlq.topic"] == topic.encode()
    assert headers[1]["dlq.consumer"] == runner.name.encode()
    # The error names the rule, never the value (it may be a person's name): logs and headers stay clean.
    assert not any(b"Dupont" in value for header in headers for value in header.values() if value != invalid)


async def test_a_handler_failing_for_its_own_reasons_halts_its_partition_and_says_so_until_it_passes(
    pool, dsn, bootstrap, unique_name
):
    topic, health, broken = unique_name("topic"), {}, {13}

    async def fragile(connection, envelope, event):
        if event.number in broken:
            raise RuntimeError("a bug in the handler")
        await record_number(connection, envelope, event)

    await produce(bootstrap, topic, an_envelope(1), an_envelope(13), an_envelope(2), partition=0)
    await produce(bootstrap, topic, an_envelope(3), partition=1)
    runner = runner_for(
        Subscription(unique_name("group"), [topic], fragile),
        pool,
        bootstrap,
        retry=QUICK,
        health=health,
        dsn=dsn,
    )

    async with running(runner):
        halted = f"{runner.name} {topic}[0]"
        await wait_for(lambda: _reported(health, halted), timeout=30, message="the halt reported")
        assert "halted at offset 1: RuntimeError after 3 attempts" in health[halted]
        await wait_for(lambda: _count(pool, 2), timeout=10, message="the other partition's event")
        # Nothing after the failing message is applied, its offset is not passed, nothing is dead-lettered.
        assert await applied(pool) == [1, 3]
        assert await _checkpoint_is(pool, runner.name, 1, partition=0)
        assert await dead_letters(bootstrap, topic) == []

        broken.clear()  # the cause goes away (a dependency back, a fix deployed): after the cool-down it passes
        await wait_for(lambda: _count(pool, 4), timeout=30, message="the halted partition resumed")
        await wait_for(lambda: _not_reported(health, halted), timeout=10, message="the report cleared")
    assert await applied(pool) == [1, 2, 3, 13]


@pytest.mark.parametrize("failure", ["deadlock", "statement timeout", "admin shutdown"])
async def test_a_failure_of_the_infrastructure_is_retried_until_it_passes_never_dead_lettered(
    failure, pool, dsn, bootstrap, unique_name
):
    topic, seen = unique_name("topic"), []
    await pool.execute("CREATE TABLE contended (id int PRIMARY KEY); INSERT INTO contended VALUES (1), (2)")

    async def once_failing(connection, envelope, event):
        if not seen:
            try:
                await INJECT[failure](connection, dsn)
            except asyncpg.PostgresError as error:
                seen.append(error.sqlstate)
                raise
        await record_number(connection, envelope, event)

    await produce(bootstrap, topic, an_envelope(1))
    runner = runner_for(
        Subscription(unique_name("group"), [topic], once_failing), pool, bootstrap, retry=QUICK, dsn=dsn
    )

    async with running(runner):
        await wait_for(lambda: _count(pool, 1), timeout=30, message="the event, once the failure passed")

    assert seen == [EXPECTED_SQLSTATE[failure]]
    assert await applied(pool) == [1]
    assert await dead_letters(bootstrap, topic) == []


async def _deadlock(connection, dsn):
    """A real deadlock, this transaction its victim: it holds row 1 and waits for row 2, held by another
    transaction waiting for row 1; it looks for deadlocks first (its deadlock_timeout is the shorter)."""
    other, waiting = await asyncpg.connect(dsn), None
    try:
        await connection.execute("SET LOCAL deadlock_timeout = '10ms'")
        await connection.execute("SELECT * FROM contended WHERE id = 1 FOR UPDATE")
        await other.execute("BEGIN; SELECT * FROM contended WHERE id = 2 FOR UPDATE")
        waiting = asyncio.create_task(other.execute("SELECT * FROM contended WHERE id = 1 FOR UPDATE"))
        await wait_for(
            lambda: _waiting_for_a_lock(connection, other.get_server_pid()),
            timeout=10,
            message="the other transaction waiting",
        )
        await connection.execute("SELECT * FROM contended WHERE id = 2 FOR UPDATE")
    finally:
        other.terminate()  # its locks go with its session
        if waiting is not None:
            with contextlib.suppress(Exception):
                await waiting


async def _waiting_for_a_lock(connection, pid) -> bool:
    return await connection.fetchval(
        "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid
    )


async def _statement_timeout(connection, _dsn):
    await connection.execute("SET LOCAL statement_timeout = '50ms'; SELECT pg_sleep(5)")


async def _admin_shutdown(connection, dsn):
    """As a restart or a failover does: the server ends the session in the middle of a query."""
    pid, operator = connection.get_server_pid(), await asyncpg.connect(dsn)
    try:
        query = asyncio.create_task(connection.execute("SELECT pg_sleep(5)"))
        await wait_for(lambda: _sleeping(operator, pid), timeout=10, message="the handler's query running")
        await operator.execute("SELECT pg_terminate_backend($1)", pid)
        await query
    finally:
        await operator.close()


async def _sleeping(connection, pid) -> bool:
    return await connection.fetchval(
        "SELECT wait_event = 'PgSleep' FROM pg_stat_activity WHERE pid = $1", pid
    )


INJECT = {"deadlock": _deadlock, "statement timeout": _statement_timeout, "admin shutdown": _admin_shutdown}
# asyncpg reports the server's "terminating connection due to administrator command" (57P01) as the
# connection closed in the middle of an operation (08003).
EXPECTED_SQLSTATE = {"deadlock": "40P01", "statement timeout": "57014", "admin shutdown": "08003"}


async def test_a_reader_accepts_fields_added_by_a_newer_producer(pool, dsn, bootstrap, unique_name):
    topic = unique_name("topic")
    newer = an_envelope(5)
    newer = newer.replace(b'"payload":{"number":5}', b'"payload":{"number":5,"unit":"sessions"}')
    newer = newer.replace(b'{"event_id"', b'{"hash_version":2,"event_id"')  # a new envelope field too
    await produce(bootstrap, topic, newer)
    runner = runner_for(Subscription(unique_name("group"), [topic], record_number), pool, bootstrap, dsn=dsn)

    async with running(runner):
        await wait_for(lambda: _count(pool, 1), timeout=30, message="the newer event")

    assert await applied(pool) == [5]
    assert await dead_letters(bootstrap, topic) == []


async def test_an_event_newer_than_the_reader_pauses_its_partition_for_a_deploy_and_is_not_dead_lettered(
    pool, dsn, bootstrap, unique_name
):
    topic, health = unique_name("topic"), {}
    await produce(
        bootstrap, topic, an_envelope(1), an_envelope(2, schema_version=2), an_envelope(3), partition=0
    )
    await produce(bootstrap, topic, an_envelope(4), partition=2)
    runner = runner_for(
        Subscription(unique_name("group"), [topic], record_number),
        pool,
        bootstrap,
        retry=QUICK,
        health=health,
        dsn=dsn,
    )

    async with running(runner):
        paused = f"{runner.name} {topic}[0]"
        await wait_for(lambda: _reported(health, paused), timeout=30, message="the pause reported")
        await wait_for(lambda: _count(pool, 2), timeout=10, message="the other partition's event")
        # Not a readiness wait: long enough for a halt's retry to happen, which a pause for a deploy must not do.
        await asyncio.sleep(QUICK.halt_seconds * 2)

    assert "kerneltest.sample.recorded v2 is newer than this reader" in health[paused]
    assert "deploy a newer version" in health[paused]
    assert await applied(pool) == [1, 4]
    assert await _checkpoint_is(pool, runner.name, 1, partition=0)
    assert await dead_letters(bootstrap, topic) == []


async def test_a_stored_offset_below_the_start_of_the_log_halts_the_partition_instead_of_jumping(
    pool, dsn, bootstrap, unique_name
):
    topic, group, health = unique_name("topic"), unique_name("group"), {}
    await produce(bootstrap, topic, an_envelope(1), an_envelope(2), partition=0)
    async with running(runner_for(Subscription(group, [topic], record_number), pool, bootstrap, dsn=dsn)):
        await wait_for(
            lambda: _checkpoint_is(pool, group, 2, partition=0), timeout=30, message="checkpoint 2"
        )
    await produce(bootstrap, topic, *(an_envelope(n) for n in (3, 4, 5, 6)), partition=0)
    await _delete_records(bootstrap, TopicPartition(topic, 0), before_offset=4)  # 3 and 4 are gone

    async with running(
        runner_for(Subscription(group, [topic], record_number), pool, bootstrap, health=health, dsn=dsn)
    ):
        stuck = f"{group} {topic}[0]"
        await wait_for(lambda: _reported(health, stuck), timeout=30, message="the gap reported")

    assert "halted at offset 2: its stored offset is outside the log [4, 6]" in health[stuck]
    assert await applied(pool) == [1, 2]  # 5 and 6 were not applied over the hole
    assert await _checkpoint_is(pool, group, 2, partition=0)


async def _delete_records(bootstrap, partition, *, before_offset):
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_records({partition: RecordsToDelete(before_offset)})
    finally:
        await admin.close()


async def _reported(health, key) -> bool:
    return key in health


async def _not_reported(health, key) -> bool:
    return key not in health


async def test_a_restarted_consumer_resumes_from_its_own_checkpoint(pool, dsn, bootstrap, unique_name):
    topic, group = unique_name("topic"), unique_name("group")
    await produce(bootstrap, topic, an_envelope(1), an_envelope(2))
    async with running(runner_for(Subscription(group, [topic], record_number), pool, bootstrap, dsn=dsn)):
        await wait_for(lambda: _count(pool, 2), timeout=30, message="first two events")

    # Kafka never saw a committed offset for this group: only the database checkpoint says where to resume.
    await produce(bootstrap, topic, an_envelope(3))
    async with running(runner_for(Subscription(group, [topic], record_number), pool, bootstrap, dsn=dsn)):
        await wait_for(lambda: _count(pool, 3), timeout=30, message="the third event")
        await wait_for(lambda: _checkpoint_is(pool, group, 3), timeout=10, message="checkpoint after 3")

    assert await applied(pool) == [1, 2, 3]


async def test_an_idle_leader_hears_of_a_rebuild_at_once_and_replays_into_the_emptied_view(
    pool, dsn, bootstrap, unique_name, monkeypatch
):
    """The reset is told (NOTIFY), not found by the leader's next look at its lease: with a fetch waiting a
    minute for records, the view is still replayed within seconds."""
    monkeypatch.setattr(consumer_module, "FETCH_WAIT_MS", 60_000)
    topic = unique_name("topic")
    subscription = Subscription(unique_name("view"), [topic], record_number, tables=("applied",))
    await produce(bootstrap, topic, an_envelope(1), an_envelope(2))
    async with running(runner_for(subscription, pool, bootstrap, dsn=dsn)):
        await wait_for(lambda: _checkpoint_is(pool, subscription.name, 2), timeout=30, message="both applied")

        await views.rebuild(pool, subscription)
        assert await applied(pool) == []
        await wait_for(lambda: _checkpoint_is(pool, subscription.name, 2), timeout=10, message="the replay")

        assert await applied(pool) == [1, 2]
        assert (
            await pool.fetchval("SELECT epoch FROM consumer_leases WHERE consumer = $1", subscription.name)
            == 3
        )


async def test_a_notice_that_the_lease_moved_when_it_did_not_leaves_the_leader_leading(
    pool, dsn, bootstrap, unique_name
):
    """The lease decides, not the notice: told of a move that did not happen, the leader looks, finds the lease
    still its own, and goes on fetching under the same epoch."""
    topic = unique_name("topic")
    subscription = Subscription(unique_name("view"), [topic], record_number, tables=("applied",))
    await produce(bootstrap, topic, an_envelope(1))
    async with running(runner_for(subscription, pool, bootstrap, dsn=dsn)):
        await wait_for(
            lambda: _checkpoint_is(pool, subscription.name, 1), timeout=30, message="the first event"
        )

        await pool.execute("SELECT pg_notify($1, $2)", consumer_module.LEASE_MOVED_CHANNEL, subscription.name)
        await produce(bootstrap, topic, an_envelope(2))
        await wait_for(
            lambda: _checkpoint_is(pool, subscription.name, 2), timeout=10, message="the next event"
        )

    assert await applied(pool) == [1, 2]
    assert (
        await pool.fetchval("SELECT epoch FROM consumer_leases WHERE consumer = $1", subscription.name) == 1
    )


async def test_a_reacting_subscriber_appends_once_per_event_even_in_batches_duplicates_and_lost_races(
    pool, dsn, bootstrap, unique_name
):
    """A subscriber whose handler appends events (ADR 12): each message in a transaction of its own whose first
    write is the append, duplicates skipped by a read, and a race lost to a concurrent command retried."""
    store, lost_once = EventStore(pool), []

    async def react(connection, envelope, event):
        session = Session(connection, store.clock)
        await session.append(
            "sample", f"reaction-{event.number}", 0, [SampleRecorded(number=event.number)], metadata()
        )
        if event.number == 2 and not lost_once:
            lost_once.append(True)
            raise ConcurrencyConflict("a concurrent command moved the stream")
        await record_number(connection, envelope, event)

    topic = unique_name("topic")
    duplicate = an_envelope(2)
    await produce(bootstrap, topic, an_envelope(1), duplicate, duplicate, an_envelope(3))
    runner = runner_for(
        Subscription(unique_name("group"), [topic], react, appends_events=True), pool, bootstrap, dsn=dsn
    )

    async with running(runner):
        await wait_for(lambda: _checkpoint_is(pool, runner.name, 4), timeout=30, message="checkpoint after 4")

    assert await applied(pool) == [1, 2, 3]
    reactions = await pool.fetch(
        "SELECT stream_id FROM events WHERE stream_id LIKE 'reaction-%' ORDER BY stream_id"
    )
    assert [r["stream_id"] for r in reactions] == ["reaction-1", "reaction-2", "reaction-3"]
    assert lost_once == [True]


async def test_a_subscription_passes_over_the_event_types_it_does_not_act_on(
    pool, dsn, bootstrap, unique_name
):
    topic = unique_name("topic")
    other = EventEnvelope.model_validate_json(an_envelope(2)).model_copy(
        update={"event_type": "kerneltest.other.noted"}
    )
    await kafka.ensure_topics(bootstrap, [topic], ONE_NODE)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for envelope in (
            EventEnvelope.model_validate_json(an_envelope(1)),
            other,
            EventEnvelope.model_validate_json(an_envelope(3)),
        ):
            key, value, headers = kafka.encode(envelope)  # as the relay sends them: the type in a header
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()
    runner = runner_for(
        Subscription(
            unique_name("group"),
            [topic],
            record_number,
            event_types=frozenset({"kerneltest.sample.recorded"}),
        ),
        pool,
        bootstrap,
        dsn=dsn,
    )

    async with running(runner):
        await wait_for(lambda: _checkpoint_is(pool, runner.name, 3), timeout=30, message="checkpoint after 3")

    assert await applied(pool) == [1, 3]
    assert await pool.fetchval("SELECT count(*) FROM processed_events WHERE consumer = $1", runner.name) == 2


async def test_a_checkpoint_reaches_the_end_of_a_quiet_partition_it_only_passed_over(
    pool, dsn, bootstrap, unique_name
):
    """Records a subscription skips move its checkpoint now and then only; once the topic is quiet, the last
    one is saved, so a reader comparing the checkpoint with the partition's end sees it caught up (issue 13
    #8: IPRO's "not known yet" answer)."""
    topic, name = unique_name("topic"), unique_name("group")
    others = [
        EventEnvelope.model_validate_json(an_envelope(n)).model_copy(
            update={"event_type": "kerneltest.other.noted"}
        )
        for n in (1, 2, 3)
    ]
    await kafka.ensure_topics(bootstrap, [topic], ONE_NODE)
    runner = runner_for(
        Subscription(name, [topic], record_number, event_types=frozenset({"kerneltest.sample.recorded"})),
        pool,
        bootstrap,
        dsn=dsn,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        async with running(runner):
            for envelope in others:  # one at a time: the first is saved at once, the others wait
                key, value, headers = kafka.encode(envelope)
                await producer.send_and_wait(topic, value=value, key=key, headers=headers, partition=0)
            await wait_for(lambda: _checkpoint_is(pool, name, 3, partition=0), timeout=4, message="caught up")
    finally:
        await producer.stop()
    assert await applied(pool) == []


async def test_a_leader_that_lost_its_lock_commits_nothing_once_its_successor_leads(
    pool, dsn, bootstrap, unique_name
):
    """Two instances of a reacting subscription; the leader's lock connection dies (an idle timeout, a
    restart, a NAT dropping it). Its successor takes over; the old leader may not react once more nor move
    a checkpoint back. Each reaction goes to a fresh stream, so a duplicate would not conflict: it would show."""
    store, topic, name = EventStore(pool), unique_name("topic"), unique_name("group")
    await pool.execute("""
        CREATE TABLE checkpoint_moves (old_offset bigint, new_offset bigint);
        CREATE FUNCTION record_move() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO checkpoint_moves VALUES (OLD.next_offset, NEW.next_offset); RETURN NEW; END $$;
        CREATE TRIGGER moves AFTER UPDATE ON consumer_checkpoints FOR EACH ROW EXECUTE FUNCTION record_move();
    """)

    async def react(connection, envelope, event):
        await Session(connection, store.clock).append(
            "reaction",
            f"reaction-{uuid.uuid4()}",
            NEW_STREAM,
            [SampleRecorded(number=event.number)],
            metadata(),
        )
        await asyncio.sleep(0.02)  # a reaction takes a moment: the takeover lands while one is in flight

    first = runner_for(Subscription(name, [topic], react, appends_events=True), pool, bootstrap, dsn=dsn)
    second = runner_for(Subscription(name, [topic], react, appends_events=True), pool, bootstrap, dsn=dsn)
    total = 120
    await produce(bootstrap, topic, *(an_envelope(n) for n in range(1, 41)))
    async with running(first):
        await wait_for(lambda: _reactions(pool, at_least=5), timeout=30, message="the first leader reacting")
        async with running(second):
            await wait_for(lambda: _waiting_for_the_lock(pool, name), timeout=10, message="a standby waiting")
            await pool.execute("SELECT pg_terminate_backend($1)", first._leadership.get_server_pid())
            await produce(bootstrap, topic, *(an_envelope(n) for n in range(41, total + 1)))
            await wait_for(lambda: _reactions(pool, at_least=total), timeout=60, message="every reaction")
            # The old leader has noticed: it waits for the lock like any standby, and can commit nothing.
            await wait_for(
                lambda: _waiting_for_the_lock(pool, name), timeout=15, message="the old leader waiting"
            )

    numbers = [
        r["number"]
        for r in await pool.fetch(
            "SELECT (payload->>'number')::int AS number FROM events WHERE stream_type = 'reaction' ORDER BY 1"
        )
    ]
    assert numbers == list(range(1, total + 1))  # each reaction exactly once
    backwards = await pool.fetch("SELECT * FROM checkpoint_moves WHERE new_offset < old_offset")
    assert backwards == []
    assert await pool.fetchval("SELECT epoch FROM consumer_leases WHERE consumer = $1", name) >= 2


async def _reactions(pool, at_least: int) -> bool:
    return await pool.fetchval("SELECT count(*) FROM events WHERE stream_type = 'reaction'") >= at_least


async def _waiting_for_the_lock(pool, name) -> bool:
    return await pool.fetchval(
        """SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
           AND objid::bigint = (hashtext($1)::bigint & 4294967295)""",
        name,
    )
