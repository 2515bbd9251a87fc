"""The consumer runner: effect and checkpoint in one transaction, duplicates applied once, poison parked."""

import asyncio
import contextlib
import uuid

import pytest
from aiokafka import AIOKafkaProducer

from kernel import kafka
from kernel.consumer import ConsumerRunner, Subscription
from kernel.database import create_pool
from kernel.errors import ConcurrencyConflict
from kernel.eventstore import EventStore, Session
from devinfra.testkit import read_topic, wait_for

from ..samples import SampleRecorded, metadata

pytestmark = pytest.mark.integration


def an_envelope(number: int, *, event_id=None, stream_id="s-1", version=1):
    from datetime import UTC, datetime

    from contracts import Actor, EventEnvelope

    now = datetime.now(UTC)
    return EventEnvelope(
        event_id=event_id or uuid.uuid4(), event_type="kerneltest.sample.recorded", schema_version=1,
        stream_type="sample", stream_id=stream_id, stream_version=version, position=version, occurred_at=now,
        recorded_at=now, actor=Actor(subject="u", role="cpip"), correlation_id="c", payload={"number": number},
        previous_hash=None, hash="h",
    )


@pytest.fixture
async def pool(dsn):
    pool = await create_pool(dsn)
    await pool.execute("CREATE TABLE applied (event_id uuid, number int)")
    yield pool
    await pool.close()


async def record_number(connection, envelope):
    if envelope.payload["number"] < 0:
        raise ValueError("negative numbers are poison")
    await connection.execute("INSERT INTO applied VALUES ($1, $2)", envelope.event_id, envelope.payload["number"])


async def produce(bootstrap, topic, *values: bytes):
    await kafka.ensure_topics(bootstrap, [topic], partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value=value, key=b"s-1")
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


async def test_each_event_is_applied_once_even_when_delivered_twice(pool, bootstrap, unique_name):
    topic = unique_name("topic")
    duplicate = an_envelope(2)
    await produce(bootstrap, topic, *(kafka.encode(e)[1] for e in [an_envelope(1), duplicate, duplicate, an_envelope(3)]))
    runner = ConsumerRunner(Subscription(unique_name("group"), [topic], record_number), pool, bootstrap)

    async with running(runner):
        await wait_for(lambda: _count(pool, 3), timeout=30, message="three applied events")
        await wait_for(lambda: _checkpoint_is(pool, runner.name, 4), timeout=10, message="checkpoint after 4")

    assert await applied(pool) == [1, 2, 3]


async def test_a_poison_message_goes_to_the_dead_letter_topic_and_the_consumer_goes_on(pool, bootstrap, unique_name):
    topic = unique_name("topic")
    await produce(
        bootstrap, topic, b"not json at all", kafka.encode(an_envelope(-1))[1], kafka.encode(an_envelope(7))[1]
    )
    runner = ConsumerRunner(Subscription(unique_name("group"), [topic], record_number), pool, bootstrap)

    async with running(runner):
        await wait_for(lambda: _count(pool, 1), timeout=30, message="the good event")

    assert await applied(pool) == [7]
    parked = await read_topic(bootstrap, f"{topic}.dlq", at_least=2)
    assert [r.value for r in parked][0] == b"not json at all"
    headers = [dict(r.headers) for r in parked]
    assert b"ValueError: negative numbers are poison" in headers[1]["dlq.error"]
    assert headers[1]["dlq.offset"] == b"1" and headers[1]["dlq.topic"] == topic.encode()


async def test_a_restarted_consumer_resumes_from_its_own_checkpoint(pool, bootstrap, unique_name):
    topic, group = unique_name("topic"), unique_name("group")
    await produce(bootstrap, topic, *(kafka.encode(an_envelope(n))[1] for n in (1, 2)))
    async with running(ConsumerRunner(Subscription(group, [topic], record_number), pool, bootstrap)):
        await wait_for(lambda: _count(pool, 2), timeout=30, message="first two events")

    # Kafka never saw a committed offset for this group: only the database checkpoint says where to resume.
    await produce(bootstrap, topic, kafka.encode(an_envelope(3))[1])
    async with running(ConsumerRunner(Subscription(group, [topic], record_number), pool, bootstrap)):
        await wait_for(lambda: _count(pool, 3), timeout=30, message="the third event")
        await wait_for(lambda: _checkpoint_is(pool, group, 3), timeout=10, message="checkpoint after 3")

    assert await applied(pool) == [1, 2, 3]


async def _count(pool, expected: int) -> bool:
    return await pool.fetchval("SELECT count(*) FROM applied") >= expected


async def _checkpoint_is(pool, consumer: str, offset: int) -> bool:
    return await pool.fetchval(
        "SELECT max(next_offset) FROM consumer_checkpoints WHERE consumer = $1", consumer
    ) == offset


async def test_a_reacting_subscriber_appends_once_per_event_even_in_batches_duplicates_and_lost_races(
    pool, bootstrap, unique_name
):
    """A subscriber whose handler appends events (ADR 12): each message in a transaction of its own whose first
    write is the append, duplicates skipped by a read, and a race lost to a concurrent command retried."""
    store, lost_once = EventStore(pool), []

    async def react(connection, envelope):
        session = Session(connection, store.clock)
        number = envelope.payload["number"]
        await session.append("sample", f"reaction-{number}", 0, [SampleRecorded(number=number)], metadata())
        if number == 2 and not lost_once:
            lost_once.append(True)
            raise ConcurrencyConflict("a concurrent command moved the stream")
        await record_number(connection, envelope)

    topic = unique_name("topic")
    duplicate = an_envelope(2)
    await produce(bootstrap, topic, *(kafka.encode(e)[1] for e in [an_envelope(1), duplicate, duplicate, an_envelope(3)]))
    runner = ConsumerRunner(Subscription(unique_name("group"), [topic], react, appends_events=True), pool, bootstrap)

    async with running(runner):
        await wait_for(lambda: _checkpoint_is(pool, runner.name, 4), timeout=30, message="checkpoint after 4")

    assert await applied(pool) == [1, 2, 3]
    reactions = await pool.fetch("SELECT stream_id FROM events WHERE stream_id LIKE 'reaction-%' ORDER BY stream_id")
    assert [r["stream_id"] for r in reactions] == ["reaction-1", "reaction-2", "reaction-3"]
    assert lost_once == [True]


async def test_a_subscription_passes_over_the_event_types_it_does_not_act_on(pool, bootstrap, unique_name):
    from contracts import EventEnvelope

    topic = unique_name("topic")
    other = EventEnvelope.model_validate({**an_envelope(2).model_dump(), "event_type": "kerneltest.other.noted"})
    await kafka.ensure_topics(bootstrap, [topic], partitions=1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for envelope in (an_envelope(1), other, an_envelope(3)):
            key, value, headers = kafka.encode(envelope)  # as the relay sends them: the type in a header
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()
    runner = ConsumerRunner(Subscription(unique_name("group"), [topic], record_number,
                                         event_types=frozenset({"kerneltest.sample.recorded"})), pool, bootstrap)

    async with running(runner):
        await wait_for(lambda: _checkpoint_is(pool, runner.name, 3), timeout=30, message="checkpoint after 3")

    assert await applied(pool) == [1, 3]
    assert await pool.fetchval("SELECT count(*) FROM processed_events WHERE consumer = $1", runner.name) == 2
