"""The outbox relay: ordered per stream and gap-safe, at least once, surviving kill -9 and a move to another
PostgreSQL cluster, on topics that keep the log."""

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections import defaultdict

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts import EventEnvelope
from devinfra.infra import free_port
from devinfra.postgres import LocalPostgres, copy_database
from devinfra.testkit import read_topic, stream_problems, wait_for
from kernel import cluster, database, kafka
from kernel.database import create_pool, migrate
from kernel.errors import ConcurrencyConflict
from kernel.eventstore import EventStore, StreamHead
from kernel.relay import Relay, topic_router
from kernel.settings import ServiceSettings

from ..samples import ONE_NODE, SampleRecorded, SecretNoted, metadata

pytestmark = pytest.mark.integration


def relay_for(dsn, bootstrap, prefix, **options):
    settings = ServiceSettings(database_url=dsn, kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=prefix)
    return Relay(
        dsn,
        bootstrap,
        topic_router(settings, "kerneltest"),
        topics=[f"{prefix}kerneltest.events", f"{prefix}kerneltest.restricted"],
        topic_policy=ONE_NODE,
        **options,
    )


async def publish_once(relay: Relay) -> int:
    connection = await database.connect(relay.dsn)
    producer = kafka.idempotent_producer(relay.bootstrap_servers)
    await kafka.ensure_topics(relay.bootstrap_servers, relay.topics, ONE_NODE)
    await producer.start()
    try:
        return await relay.publish_batch(connection, producer)
    finally:
        await producer.stop()
        await connection.close()


def envelopes(records) -> list[EventEnvelope]:
    return [kafka.decode(r.value) for r in records]


async def publish_all(relay: Relay) -> int:
    published = 0
    while count := await publish_once(relay):
        published += count
    return published


async def received(bootstrap, topic, at_least) -> list[tuple[str, EventEnvelope]]:
    return [(topic, e) for e in envelopes(await read_topic(bootstrap, topic, at_least=at_least, timeout=60))]


async def test_an_append_after_a_younger_transaction_wrote_the_stream_is_refused_so_kafka_keeps_its_order(
    store, dsn, bootstrap, unique_name
):
    """Kernel review C1: a command appending to two streams draws its transaction id on the first; a younger
    transaction appends to the second and commits; the first then reads the second stream's new head and
    appends after it. Publication follows transaction ids: that version would reach Kafka before the one
    under it. The append is refused as a conflict; the command, retried, appends in order."""
    prefix = unique_name("relay") + "."
    async with store.transaction() as session:
        await session.append("sample", "g", 0, [SampleRecorded(number=1)], metadata())

    with pytest.raises(ConcurrencyConflict):
        async with store.transaction() as older:
            await older.append("sample", "r-1", 0, [SampleRecorded(number=10)], metadata())  # its id is drawn
            async with store.transaction() as younger:
                await younger.append("sample", "r-2", 0, [SampleRecorded(number=20)], metadata())
                await younger.append(
                    "sample",
                    "g",
                    StreamHead.of(await younger.read_stream("g")),
                    [SampleRecorded(number=2)],
                    metadata(),
                )
            await older.append(
                "sample",
                "g",
                StreamHead.of(await older.read_stream("g")),
                [SampleRecorded(number=3)],
                metadata(),
            )
    async with store.transaction() as retried:
        await retried.append("sample", "r-1", 0, [SampleRecorded(number=10)], metadata())
        await retried.append(
            "sample",
            "g",
            StreamHead.of(await retried.read_stream("g")),
            [SampleRecorded(number=3)],
            metadata(),
        )

    assert await publish_all(relay_for(dsn, bootstrap, prefix)) == 5
    arrived = await received(bootstrap, f"{prefix}kerneltest.events", at_least=5)
    assert [e.payload["number"] for _, e in arrived if e.stream_id == "g"] == [1, 2, 3]
    assert stream_problems(arrived) == []


async def test_many_commands_appending_to_shared_streams_concurrently_publish_every_stream_in_order(
    store, dsn, bootstrap, unique_name
):
    """As enrolments do (the referral's stream, then the group's): each command appends to a stream of its own,
    then to one of a few shared ones, retried when it lost a race. Afterwards every partition holds each
    stream's versions in order, their hash links intact."""
    prefix, workers, commands, shared = unique_name("relay") + ".", 12, 12, 3

    async def command(worker: int, number: int) -> None:
        for _attempt in range(200):
            try:
                async with store.transaction() as session:
                    await session.append(
                        "sample", f"own-{worker}-{number}", 0, [SampleRecorded(number=number)], metadata()
                    )
                    await asyncio.sleep(random.uniform(0, 0.003))  # a handler loading the next aggregate
                    target = f"shared-{(worker + number) % shared}"
                    await session.append(
                        "sample",
                        target,
                        StreamHead.of(await session.read_stream(target)),
                        [SampleRecorded(number=number)],
                        metadata(),
                    )
                return
            except ConcurrencyConflict:
                await asyncio.sleep(random.uniform(0, 0.002))
        raise AssertionError("a command kept losing races")

    async def worker(index: int) -> None:
        for number in range(commands):
            await command(index, number)

    await asyncio.gather(*(worker(w) for w in range(workers)))

    total = 2 * workers * commands
    assert await publish_all(relay_for(dsn, bootstrap, prefix)) == total
    arrived = await received(bootstrap, f"{prefix}kerneltest.events", at_least=total)
    assert stream_problems(arrived) == []
    assert sum(1 for _, e in arrived if e.stream_id.startswith("shared-")) == workers * commands
    assert await store.verify() == {}


async def test_events_are_published_keyed_by_stream_and_restricted_ones_apart(
    store, dsn, bootstrap, unique_name
):
    prefix = unique_name("relay") + "."
    async with store.transaction() as session:
        await session.append(
            "sample", "s-1", 0, [SampleRecorded(number=1), SampleRecorded(number=2)], metadata()
        )
        await session.append("sample", "s-2", 0, [SecretNoted(note="confidential")], metadata())

    assert await publish_once(relay_for(dsn, bootstrap, prefix)) == 3

    shared = await read_topic(bootstrap, f"{prefix}kerneltest.events", at_least=2)
    restricted = await read_topic(bootstrap, f"{prefix}kerneltest.restricted", at_least=1)
    assert [e.payload["number"] for e in envelopes(shared)] == [1, 2]
    assert {r.key for r in shared} == {b"s-1"}
    assert [e.event_type for e in envelopes(restricted)] == ["kerneltest.secret.noted"]
    assert dict(shared[0].headers)["correlation_id"] == b"corr-1"
    # Each record names the transaction that wrote it: the events table's, the same for one transaction's.
    xids = {
        row["position"]: row["xid"].encode()
        for row in await store.pool.fetch("SELECT position, transaction_id::text AS xid FROM events")
    }
    for record, envelope in zip([*shared, *restricted], envelopes([*shared, *restricted]), strict=True):
        assert dict(record.headers)[kafka.TRANSACTION_ID_HEADER] == xids[envelope.position]
    assert len({dict(r.headers)[kafka.TRANSACTION_ID_HEADER] for r in [*shared, *restricted]}) == 1


class _CountingRelay(Relay):
    """The real relay, noting how many events each batch it published held."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.batches: list[int] = []

    async def publish_batch(self, connection, producer) -> int:
        published = await super().publish_batch(connection, producer)
        if published:
            self.batches.append(published)
        return published


async def test_a_paced_relay_publishes_events_written_one_at_a_time_together(
    store, dsn, bootstrap, unique_name
):
    """Projections' consultations, one per read: a relay with a pace publishes those written while it waits in
    one batch, every one of them, rather than wake for each (ServiceDefinition.relay_pace_seconds)."""
    prefix = unique_name("relay") + "."
    settings = ServiceSettings(database_url=dsn, kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=prefix)
    relay = _CountingRelay(
        dsn,
        bootstrap,
        topic_router(settings, "kerneltest"),
        topics=[f"{prefix}kerneltest.events", f"{prefix}kerneltest.restricted"],
        topic_policy=ONE_NODE,
        pace_seconds=3.0,
    )
    running = asyncio.create_task(relay.run())
    try:
        await store.append("sample", "first", 0, [SampleRecorded(number=0)], metadata())
        await wait_for(lambda: _equals(lambda: _batches(relay), [1]), timeout=60, message="the first batch")
        for number in range(1, 11):  # each in a transaction of its own, as reads record theirs
            await store.append("sample", f"read-{number}", 0, [SampleRecorded(number=number)], metadata())
        published = envelopes(
            await read_topic(bootstrap, f"{prefix}kerneltest.events", at_least=11, timeout=60)
        )
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert sorted(e.payload["number"] for e in published) == list(range(11))
    assert relay.batches == [1, 10]


async def _batches(relay: _CountingRelay) -> list[int]:
    return relay.batches


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
                early,
                late[0].position,
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


async def test_relay_killed_mid_publish_loses_nothing_after_restart(store, dsn, bootstrap, unique_name):
    prefix = unique_name("relay") + "."
    total, streams = 20_000, 40
    async with store.transaction() as session:
        for s in range(streams):
            numbers = range(total // streams)
            await session.append(
                "sample", f"s-{s}", 0, [SampleRecorded(number=n) for n in numbers], metadata()
            )
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

    published = envelopes(
        await read_topic(bootstrap, f"{prefix}kerneltest.events", at_least=total, timeout=60)
    )
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


async def test_a_database_restored_into_another_cluster_is_refused_until_rebased_then_publishes_in_order(
    store, dsn, bootstrap, unique_name, tmp_path
):
    """Kernel review H4: transaction ids are a cluster's own counter. After pg_dump / pg_restore into a new
    cluster, new events would carry ids below the restored ones, sort behind the relay's checkpoint and never
    be published, while the lag read 0. The service refuses the new cluster until an operator rebases it."""
    prefix = unique_name("relay") + "."
    async with store.transaction() as session:
        await session.append("sample", "s-1", 0, [SampleRecorded(number=n) for n in (1, 2)], metadata())
    assert await publish_all(relay_for(dsn, bootstrap, prefix)) == 2
    async with store.transaction() as session:  # written, not published yet when the database is moved
        await session.append("sample", "s-1", 2, [SampleRecorded(number=3)], metadata())
    await _move_the_counter_past(dsn, 5_000)  # a cluster that has lived: far ahead of a fresh one

    other_cluster = LocalPostgres(tmp_path / "other-cluster", free_port())
    await asyncio.to_thread(other_cluster.start)
    try:
        restored = await other_cluster.create_database("restored")
        await asyncio.to_thread(copy_database, dsn, restored)
        connection = await database.connect(restored)
        try:
            with pytest.raises(cluster.ClusterChanged, match="passerelle-dev relay rebase"):
                await cluster.check(connection)
            assert await cluster.rebase(connection) > 0
            await cluster.check(connection)  # this cluster is the database's own now
        finally:
            await connection.close()

        pool = await create_pool(restored)
        try:
            async with EventStore(pool).transaction() as session:
                await session.append("sample", "s-1", 3, [SampleRecorded(number=4)], metadata())
                await session.append("sample", "s-2", 0, [SampleRecorded(number=5)], metadata())
        finally:
            await pool.close()
        assert await publish_all(relay_for(restored, bootstrap, prefix)) == 3
    finally:
        await asyncio.to_thread(other_cluster.stop)

    arrived = await received(bootstrap, f"{prefix}kerneltest.events", at_least=5)
    assert [e.payload["number"] for _, e in arrived if e.stream_id == "s-1"] == [1, 2, 3, 4]
    assert stream_problems(arrived) == []


async def test_publication_keeps_its_order_when_transaction_ids_pass_a_power_of_ten(
    bootstrap, unique_name, tmp_path
):
    """Found while fixing C1: the relay sorted each batch by the text of the transaction id, so "1000" came
    before "999". Across such a boundary a batch was published out of order, its checkpoint set below events
    it had sent (duplicates), and with a full batch, events above the boundary jumped over others for good."""
    prefix = unique_name("relay") + "."
    fresh = LocalPostgres(tmp_path / "fresh-cluster", free_port())  # its counter is low: a boundary is near
    await asyncio.to_thread(fresh.start)
    try:
        dsn = await fresh.create_database("boundary")
        await migrate(dsn)
        current = await _counter(dsn)
        boundary = 10 ** len(str(current + 10))
        await _move_the_counter_past(dsn, boundary - 4)
        pool = await create_pool(dsn)
        try:
            for number in range(1, 7):  # one transaction each: ids boundary - 3 ... boundary + 2
                await EventStore(pool).append(
                    "sample", "s-1", number - 1, [SampleRecorded(number=number)], metadata()
                )
        finally:
            await pool.close()
        assert await publish_all(relay_for(dsn, bootstrap, prefix, batch_size=4)) == 6
    finally:
        await asyncio.to_thread(fresh.stop)

    arrived = await received(bootstrap, f"{prefix}kerneltest.events", at_least=6)
    assert [e.payload["number"] for _, e in arrived] == [1, 2, 3, 4, 5, 6]


async def _counter(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval("SELECT pg_current_xact_id()::text::bigint")
    finally:
        await connection.close()


async def _move_the_counter_past(dsn: str, xid: int) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        while await connection.fetchval("SELECT pg_current_xact_id()::text::bigint") < xid:
            await connection.execute("SELECT pg_current_xact_id() FROM generate_series(1, 1)")
    finally:
        await connection.close()


async def test_a_topic_that_would_lose_history_is_refused_with_what_is_wrong(bootstrap, unique_name):
    """Kernel review H5: an existing topic was accepted as it was, with the default 7-day retention or the
    wrong partition count. Each problem is named; nothing is published to such a topic."""
    short_lived, compacted = unique_name("short"), unique_name("compacted")
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(
                    short_lived,
                    num_partitions=3,
                    replication_factor=1,
                    topic_configs={"retention.ms": "604800000"},
                ),
                NewTopic(
                    compacted,
                    num_partitions=1,
                    replication_factor=1,
                    topic_configs={"cleanup.policy": "compact"},
                ),
            ]
        )
    finally:
        await admin.close()

    with pytest.raises(kafka.TopicMisconfigured) as refused:
        await kafka.ensure_topics(bootstrap, [short_lived, compacted], ONE_NODE)
    problems = str(refused.value)
    assert f"{short_lived}: retention.ms='604800000', expected '-1'" in problems
    assert f"{compacted}: cleanup.policy='compact', expected 'delete'" in problems
    assert f"{compacted}: 1 partitions, expected 3" in problems
    with pytest.raises(kafka.TopicMisconfigured, match="replication factor 1, expected at least 2"):
        await kafka.ensure_topics(bootstrap, [unique_name("fine")], ONE_NODE)  # created as the policy says
        await kafka.ensure_topics(bootstrap, [short_lived], kafka.TopicPolicy(3, 2, 1))


async def test_a_relay_that_published_to_a_topic_since_deleted_does_not_start_it_again_empty(
    store, dsn, bootstrap, unique_name
):
    """Kernel review M7: the relay re-created a deleted topic, empty, and carried on from its checkpoint:
    the history was gone without a word."""
    prefix = unique_name("relay") + "."
    relay = relay_for(dsn, bootstrap, prefix)
    async with store.transaction() as session:
        await session.append("sample", "s-1", 0, [SampleRecorded(number=1)], metadata())
    assert await publish_all(relay) == 1
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics([f"{prefix}kerneltest.events"])
        await wait_for(
            lambda: _gone(admin, f"{prefix}kerneltest.events"), timeout=30, message="topic deleted"
        )
    finally:
        await admin.close()

    with pytest.raises(kafka.TopicMisconfigured, match="history is lost"):
        await relay.run()


async def _gone(admin, topic) -> bool:
    return topic not in await admin.list_topics()
