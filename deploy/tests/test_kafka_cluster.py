"""A three-node cluster keeps every acknowledged record, and keeps acknowledging, when a broker crashes."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from devinfra.kafka_cluster import LocalKafkaCluster

pytestmark = pytest.mark.integration

TOPIC = "durable-events"
RECORDS_PER_PHASE = 200


@pytest.mark.timeout(180)
async def test_records_acknowledged_before_and_after_a_broker_is_killed_are_all_kept(tmp_path):
    cluster = LocalKafkaCluster(tmp_path / "cluster")
    try:
        await asyncio.to_thread(cluster.start)
        await create_replicated_topic(cluster.bootstrap_servers)
        before, after = values(0, RECORDS_PER_PHASE), values(RECORDS_PER_PHASE, 2 * RECORDS_PER_PHASE)

        producer = AIOKafkaProducer(
            bootstrap_servers=cluster.bootstrap_servers, acks="all", enable_idempotence=True
        )
        await producer.start()
        try:
            await produce(producer, before)
            # The leader of a partition, so that its writes must move to another broker.
            await asyncio.to_thread(cluster.kill, await leader_of_partition_0(cluster.bootstrap_servers))
            await produce(producer, after)
        finally:
            await producer.stop()

        assert sorted(await read_values(cluster.bootstrap_servers, len(before) + len(after))) == sorted(
            before + after
        )
    finally:
        await asyncio.to_thread(cluster.stop)


def values(start: int, stop: int) -> list[bytes]:
    return [f"event-{number}".encode() for number in range(start, stop)]


async def create_replicated_topic(bootstrap_servers: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(
                    TOPIC, num_partitions=3, replication_factor=3, topic_configs={"min.insync.replicas": "2"}
                )
            ]
        )
    finally:
        await admin.close()


async def leader_of_partition_0(bootstrap_servers: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        [topic] = await admin.describe_topics([TOPIC])
    finally:
        await admin.close()
    return next(partition["leader"] for partition in topic["partitions"] if partition["partition"] == 0)


async def produce(producer: AIOKafkaProducer, batch: list[bytes]) -> None:
    """Every record acknowledged (acks=all) or an error: none may be dropped silently."""
    deliveries = [
        await producer.send(TOPIC, value, key=f"case-{number % 20}".encode())
        for number, value in enumerate(batch)
    ]
    await asyncio.gather(*deliveries)


async def read_values(bootstrap_servers: str, expected: int, timeout: float = 30) -> list[bytes]:
    # No consumer group: reading needs no coordinator, only the partition leaders.
    consumer = AIOKafkaConsumer(
        TOPIC, bootstrap_servers=bootstrap_servers, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    received: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while len(received) < expected and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            received += [record.value for records in batches.values() for record in records]
    finally:
        await consumer.stop()
    return received
