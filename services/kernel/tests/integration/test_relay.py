"""The outbox relay: ordered, gap-safe, at least once, surviving kill -9."""

import os
import signal
import subprocess
import sys
from collections import defaultdict

import asyncpg
import pytest

from contracts import EventEnvelope
from kernel import database, kafka
from kernel.eventstore import WriteBeforeAppend
from kernel.relay import Relay, topic_router
from kernel.settings import ServiceSettings
from devinfra.testkit import read_topic, wait_for

from ..samples import SampleRecorded, SecretNoted, metadata

pytestmark = pytest.mark.integration


def relay_for(dsn, bootstrap, prefix):
    settings = ServiceSettings(database_url=dsn, kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=prefix)
    return Relay(
        dsn, bootstrap, topic_router(settings, "kerneltest"),
        topics=[f"{prefix}kerneltest.events", f"{prefix}kerneltest.restricted"],
    )


async def publish_once(relay: Relay) -> int:
    connection = await database.connect(relay.dsn)
    producer = kafka.idempotent_producer(relay.bootstrap_servers)
    await kafka.ensure_topics(relay.bootstrap_servers, relay.topics, 3)
    await producer.start()
    try:
        return await relay.publish_batch(connection, producer)
    finally:
        await producer.stop()
        await connection.close()


def envelopes(records) -> list[EventEnvelope]:
    return [kafka.decode(r.value) for r in records]


async def test_events_are_published_keyed_by_stream_and_restricted_ones_apart(store, dsn, bootstrap, unique_name):
    prefix = unique_name("relay") + "."
    async with store.transaction() as session:
        await session.append("sample", "s-1", 0, [SampleRecorded(number=1), SampleRecorded(number=2)], metadata())
        await session.append("sample", "s-2", 0, [SecretNoted(note="confidential")], metadata())

    assert await publish_once(relay_for(dsn, bootstrap, prefix)) == 3

    shared = await read_topic(bootstrap, f"{prefix}kerneltest.events", at_least=2)
    restricted = await read_topic(bootstrap, f"{prefix}kerneltest.restricted", at_least=1)
    assert [e.payload["number"] for e in envelopes(shared)] == [1, 2]
    assert {r.key for r in shared} == {b"s-1"}
    assert [e.event_type for e in envelopes(restricted)] == ["kerneltest.secret.noted"]
    assert dict(shared[0].headers)["correlation_id"] == b"corr-1"


async def test_a_transaction_committing_after_a_later_one_is_not_skipped(store, dsn, bootstrap, unique_name):
    prefix = unique_name("relay") + "."
    relay = relay_for(dsn, bootstrap, prefix)

    async with store.transaction() as slow:
        early = await slow.append("sample", "s-slow", 0, [SampleRecorded(number=1)], metadata())
        async with store.transaction() as fast:
            late = await fast.append("sample", "s-fast", 0, [SampleRecorded(number=2)], metadata())
        assert early[0].position < late[0].position
        # The later position is committed, the earlier is not: publishing now would skip it for ever.
        assert await publish_once(relay) == 0

    assert await publish_once(relay) == 2
    published = envelopes(await read_topic(bootstrap, f"{prefix}kerneltest.events", at_least=2))
    assert [e.stream_id for e in sorted(published, key=lambda e: e.position)] == ["s-slow", "s-fast"]
    assert {e.position for e in published} == {early[0].position, late[0].position}


async def test_a_position_taken_early_by_a_transaction_that_commits_late_is_not_skipped(
    store, dsn, bootstrap, unique_name
):
    """The race behind a skipped event: a transaction draws its position, then its id; another one had its
    id already, draws a later position and commits first. Ordering by position alone would publish the
    later position and skip the earlier one when it commits."""
    prefix = unique_name("relay") + "."
    relay = relay_for(dsn, bootstrap, prefix)
    older = await database.connect(dsn)
    try:
        older_tx = older.transaction()
        await older_tx.start()
        await older.fetchval("SELECT pg_current_xact_id()")  # the oldest transaction id, drawn first
        # The newer transaction's position, drawn before its id (as the identity default is, in one INSERT):
        early = await older.fetchval("SELECT nextval(pg_get_serial_sequence('events', 'position'))")
        async with store.transaction() as newer:
            async with store.transaction() as other:
                late = await other.append("sample", "s-late", 0, [SampleRecorded(number=2)], metadata())
            # The newer transaction (younger id) inserts its row at the earlier position, still in flight:
            await newer.connection.execute(
                """INSERT INTO events (position, event_id, event_type, schema_version, stream_type, stream_id,
                       stream_version, occurred_at, recorded_at, actor, correlation_id, payload, hash)
                   OVERRIDING SYSTEM VALUE
                   SELECT $1, gen_random_uuid(), event_type, schema_version, stream_type, 's-early', 1,
                       occurred_at, recorded_at, actor, correlation_id, '{"number": 1}', 'h'
                   FROM events WHERE position = $2""",
                early, late[0].position,
            )
            assert early < late[0].position
            # The older transaction still runs: nothing is final yet, nothing is published.
            assert await publish_once(relay) == 0
            await older_tx.commit()
            # `late` is final; `early` is in flight behind it and must not be jumped over.
            assert await publish_once(relay) == 1
        assert await publish_once(relay) == 1
    finally:
        await older.close()

    published = envelopes(await read_topic(bootstrap, f"{prefix}kerneltest.events", at_least=2))
    assert [e.stream_id for e in published] == ["s-late", "s-early"]


async def test_appending_after_another_write_of_the_transaction_is_refused(store):
    async with store.transaction() as session:
        await session.connection.execute("CREATE TEMP TABLE scratch (x int)")
        await session.connection.execute("INSERT INTO scratch VALUES (1)")
        with pytest.raises(WriteBeforeAppend):
            await session.append("sample", "s-1", 0, [SampleRecorded(number=1)], metadata())


async def test_relay_killed_mid_publish_loses_nothing_after_restart(store, dsn, bootstrap, unique_name):
    prefix = unique_name("relay") + "."
    total, streams = 20_000, 40
    async with store.transaction() as session:
        for s in range(streams):
            numbers = range(total // streams)
            await session.append("sample", f"s-{s}", 0, [SampleRecorded(number=n) for n in numbers], metadata())
    last_position = total

    env = {
        **os.environ,
        "KERNELTEST_DATABASE_URL": dsn,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
    }
    checkpoint = await asyncpg.connect(dsn)

    async def published_so_far() -> int:
        return await checkpoint.fetchval(
            """SELECT count(*) FROM events e JOIN relay_checkpoints c
               ON (e.transaction_id, e.position) <= (c.transaction_id, c.position)"""
        )

    relay = subprocess.Popen([sys.executable, "-m", "kernel.relay", "kerneltest"], env=env)
    try:
        await wait_for(published_so_far, timeout=60, interval=0.005, message="the relay's first checkpoint")
        relay.send_signal(signal.SIGKILL)
        relay.wait()
        killed_at = await published_so_far()
        assert 0 < killed_at < last_position, "the relay must be killed mid-publish"

        relay = subprocess.Popen([sys.executable, "-m", "kernel.relay", "kerneltest"], env=env)
        await wait_for(
            lambda: _equals(published_so_far, last_position), timeout=120, message="the restarted relay"
        )
    finally:
        relay.kill()
        relay.wait()
        await checkpoint.close()

    published = envelopes(await read_topic(bootstrap, f"{prefix}kerneltest.events", at_least=total, timeout=60))
    assert {e.position for e in published} == set(range(1, total + 1))  # nothing lost; duplicates allowed
    first_seen: dict[str, list[int]] = defaultdict(list)
    seen = set()
    for event in published:
        if event.event_id not in seen:
            seen.add(event.event_id)
            first_seen[event.stream_id].append(event.stream_version)
    assert all(versions == sorted(versions) for versions in first_seen.values())  # per-stream order kept


async def _equals(probe, expected) -> bool:
    return await probe() == expected
