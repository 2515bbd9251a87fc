"""Consumes every service's `<service>.checkpoints` into `audit_checkpoints` (ADR 27, ADR 30 addendum): each
fetched batch of a partition and the partition's next offset in one transaction, so a record is stored once
whatever crashes. Checkpoints are bare JSON records, not events of a contract, so this is a loop of its own
rather than a `Subscription` (whose runner would dead-letter them), as the access journal's is. Nothing is
judged here: a record that does not parse, or whose signature fails, is kept as it came and reported when read.

A reader never creates another service's topic: a checkpoint topic not made yet by its service is looked for
again every few seconds, and read from its first record once it exists."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from kernel import checkpoints, kafka
from kernel.settings import ServiceSettings
from projections.checkpoints import store

# Every service signs its log (deploy/kafka/acls.sh's services); projections reads their checkpoint topics.
SERVICES = ("assessment", "programmes", "ipro", "partners", "projections")
TOPICS_RECHECK_SECONDS = 5.0


def topics_of(settings: ServiceSettings) -> dict[str, str]:
    """Each checkpoint topic (with the deployment's prefix) and the service it belongs to."""
    return {checkpoints.topic_of(service, settings.topic): service for service in SERVICES}


def consumer(settings: ServiceSettings, pool: asyncpg.Pool) -> Callable[..., Awaitable[None]]:
    topics = topics_of(settings)

    async def run(started: Callable[[], object] = lambda: None) -> None:
        security = settings.kafka_security()
        reader = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **security.client_options(),
        )
        await reader.start()
        try:
            assigned: list[TopicPartition] = []
            looked_at = -TOPICS_RECHECK_SECONDS
            started()
            while True:
                if time.monotonic() - looked_at >= TOPICS_RECHECK_SECONDS:
                    looked_at = time.monotonic()
                    found = await kafka.partitions_of(
                        settings.kafka_bootstrap_servers, list(topics), security
                    )
                    if set(found) != set(assigned):
                        assigned = found
                        reader.assign(assigned)
                        async with pool.acquire() as connection:
                            stored = await store.offsets(connection)
                        for partition in assigned:
                            reader.seek(partition, stored.get((partition.topic, partition.partition), 0))
                if not assigned:
                    await asyncio.sleep(TOPICS_RECHECK_SECONDS)
                    continue
                for partition, records in (await reader.getmany(timeout_ms=1000, max_records=500)).items():
                    async with pool.acquire() as connection, connection.transaction():
                        await store.add(
                            connection,
                            [
                                (r.topic, r.partition, r.offset, topics[r.topic], r.value or b"")
                                for r in records
                            ],
                        )
                        await store.save_offset(
                            connection, partition.topic, partition.partition, records[-1].offset + 1
                        )
        finally:
            await reader.stop()

    return run
