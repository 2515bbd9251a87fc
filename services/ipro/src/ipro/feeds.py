"""The topics IPRO's replicas read, and whether a replica has read one to its end for a given stream.

A replica lags its topic by a moment (the catalogue's reader waits for fuller fetches, ADR 12): a session the
partners service published half a second ago may not be in `catalogue_sessions` yet. Before answering that
something does not exist, a handler asks `caught_up`: the subscription's checkpoint (written in the
transaction that applied the events, `consumer_checkpoints`) against the end of the partition the stream's
events are on (the stream id is the message key, ADR 3). Behind: the thing may exist, the client retries.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import murmur2

from kernel import logs
from kernel.kafka import KafkaSecurity
from kernel.settings import ServiceSettings

log = logs.get_logger(__name__)

# How long a caller waits for the broker's answer before being told to retry (it cannot be told "not found").
PROBE_SECONDS = 2.0


@dataclass(frozen=True)
class Feed:
    """A topic one of the service's subscriptions reads into its replica; `partitions`: every topic's count,
    which the topic policy holds them to (ADR 14), so that a stream's key maps to one partition for all."""

    bootstrap_servers: str
    security: KafkaSecurity
    topic: str
    subscription: str
    partitions: int


def partner_catalogue(settings: ServiceSettings) -> Feed:
    """`partners.events`, read into `catalogue_actions` and `catalogue_sessions`."""
    return Feed(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        security=settings.kafka_security(),
        topic=settings.topic("partners.events"),
        subscription=settings.topic("ipro.partner-catalogue"),
        partitions=settings.kafka_topic_partitions,
    )


def partition_of(key: str, partitions: int) -> int:
    """The partition a producer's default partitioner puts a message keyed `key` on (murmur2, as Java's)."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


async def caught_up(connection: asyncpg.Connection, feed: Feed, stream_id: str) -> bool:
    """Whether the subscription has applied every message of `stream_id`'s partition the broker holds. A
    broker that does not answer in time leaves it unknown: not caught up, so the caller retries rather than
    hearing that something it may have just seen does not exist."""
    partition = TopicPartition(feed.topic, partition_of(stream_id, feed.partitions))
    try:
        end = await asyncio.wait_for(_end_of(feed, partition), PROBE_SECONDS)
    except Exception as error:  # the broker is unreachable or slow: the answer is "not known yet"
        log.warning("replica lag unknown", topic=feed.topic, error=type(error).__name__)
        return False
    applied = await connection.fetchval(
        "SELECT next_offset FROM consumer_checkpoints WHERE consumer = $1 AND topic = $2 AND partition = $3",
        feed.subscription,
        feed.topic,
        partition.partition,
    )
    return (applied or 0) >= end


async def _end_of(feed: Feed, partition: TopicPartition) -> int:
    """The offset after the partition's last committed message (the subscription reads committed ones)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=feed.bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        **feed.security.client_options(),
    )
    try:
        await consumer.start()
        return (await consumer.end_offsets([partition]))[partition]
    finally:
        await consumer.stop()
