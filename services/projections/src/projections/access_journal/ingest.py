"""Consumes `access.journal` into the `access_journal` table: each fetched batch of a partition and the
partition's next offset in one transaction, so an entry is stored once whatever crashes. Journal entries are
not events of the log, so this is a loop of its own rather than a `Subscription` of the consumer runner; a
second instance stores nothing twice (entry ids are unique, offsets only move forward)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from kernel import journal, kafka, logs
from kernel.scheduling import every
from kernel.settings import ServiceSettings
from projections.access_journal import store

log = logs.get_logger(__name__)


def consumer(settings: ServiceSettings, pool: asyncpg.Pool) -> Callable[..., Awaitable[None]]:
    topic = settings.topic(journal.TOPIC)

    async def run(started: Callable[[], object] = lambda: None) -> None:
        security = settings.kafka_security()
        partitions = await kafka.ensure_topics(
            settings.kafka_bootstrap_servers, [topic], journal.topic_policy(settings), security=security
        )
        reader = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # Every read of every service is an entry: the broker answers at 64 KiB or after half a second, so
            # a busy hour costs one transaction for many entries, not one for each read.
            fetch_min_bytes=64 * 1024,
            fetch_max_wait_ms=500,
            **security.client_options(),
        )
        await reader.start()
        try:
            reader.assign(partitions)
            async with pool.acquire() as connection:
                stored = await store.offsets(connection, topic)
            for partition in partitions:
                reader.seek(partition, stored.get(partition.partition, 0))
            started()
            while True:
                for partition, records in (await reader.getmany(timeout_ms=1000, max_records=1000)).items():
                    entries = [entry for record in records if (entry := _entry(record)) is not None]
                    async with pool.acquire() as connection, connection.transaction():
                        await store.add(connection, entries)
                        await store.save_offset(
                            connection, topic, partition.partition, records[-1].offset + 1
                        )
        finally:
            await reader.stop()

    return run


def _entry(record) -> journal.JournalEntry | None:
    """Entries are written by the kernel alone: one that does not parse is a bug, logged with where it lies
    (never its content) and passed over, so that the journal behind it is not held back."""
    try:
        return journal.JournalEntry.model_validate_json(record.value)
    except ValidationError as error:
        log.error(
            "journal entry unreadable: passed over",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            errors=error.error_count(),
        )
        return None


def pruner(settings: ServiceSettings, pool: asyncpg.Pool) -> Callable[..., Awaitable[None]]:
    async def run_pass() -> int:
        return await store.prune(pool, settings.journal_retention_days)

    return every(settings.retention_check_seconds, run_pass, "journal entries past their retention pruned")
