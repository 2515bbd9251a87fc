"""The audit archive of restricted events (issue 16 #5, ADR 28): `passerelle audit archive [--once]`.

A consumer running as the Kafka `audit` principal reads every service's `<service>.restricted` topic and keeps
each record exactly as published (sealed values stay sealed) in a database of its own, `audit_archive`, that
no service role may open and auditors read (`auditor`). If a service's table is lost or rewritten and a
broker administrator deletes the topic, this second copy remains; `passerelle audit verify --source archive`
compares the tables with it (`kernel.audit`, the topics' comparison).

One row per event id, with the topic, partition and offset it came from; a different copy of an archived event
id (or a record that cannot be keyed) becomes a conflict row beside it, never over it. The next offset of each
partition is written in the transaction of the rows it covers (ADR 3): no consumer group, and a run stopped
anywhere archives each event once when started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import TopicAuthorizationFailedError
from aiokafka.structs import ConsumerRecord

from kernel import database, kafka
from kernel.audit import TopicRecord

DATABASE = "audit_archive"
OWNER_ROLE = "audit_archive"  # the archiver: owns the database, migrates it, writes it
READER_ROLE = "auditor"  # the auditors: SELECT only
URL_VARIABLE = "AUDIT_ARCHIVE_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "audit_archive_migrations"
BATCH = 1000
# How often a follower looks for restricted topics made since it started (a service started after it).
REDISCOVER_SECONDS = 30.0


class TopicRewound(RuntimeError):
    """A partition now ends before what the archive already read: the topic was deleted and made again (or
    truncated). The archive keeps what it holds and reads nothing more until an operator has looked."""


def restricted_topics(services: Iterable[str], topic: Callable[[str], str]) -> dict[str, str]:
    """{topic: service} of the services' restricted topics, with the deployment's prefix."""
    return {topic(f"{service}.restricted"): service for service in services}


def database_url(infra, *, archiver: bool) -> str:
    """`AUDIT_ARCHIVE_DATABASE_URL` (whoever runs the command brings their own credentials), else the local
    `make up` server as the archiver (`archiver`) or as an auditor. `infra`: a devinfra Infrastructure."""
    if url := os.environ.get(URL_VARIABLE):
        return url
    if infra.postgres is None:
        raise LookupError(f"set {URL_VARIABLE}: the audit archive's database")
    return infra.postgres.dsn(DATABASE, user=OWNER_ROLE if archiver else READER_ROLE)


async def provision(postgres, name: str = DATABASE) -> str:
    """The archive's database on a local server (`devinfra.postgres.LocalPostgres`), owned by the archiver's
    role, open to auditors and to no service role (ADR 20), its tables migrated: the archiver's DSN."""
    from devinfra.postgres import create_database

    admin_dsn = postgres.dsn()
    connection = await asyncpg.connect(admin_dsn)
    try:
        for role in (OWNER_ROLE, READER_ROLE):
            if not await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                # Roles are cluster-wide: a concurrent provisioning may make it first.
                with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
                    await connection.execute(f'CREATE ROLE "{role}" LOGIN')
    finally:
        await connection.close()
    await create_database(admin_dsn, name, owner=OWNER_ROLE, connecting_role=READER_ROLE)
    dsn = postgres.dsn(name, user=OWNER_ROLE)
    await database.migrate_folder(dsn, MIGRATIONS)
    return dsn


@dataclass
class Progress:
    records: int = 0  # read from the topics
    archived: int = 0  # new rows
    conflicts: int = 0  # new conflict rows


def _identity(value: bytes) -> tuple[uuid.UUID, str, int] | None:
    """(event id, stream id, version) of a record, or None if it cannot be keyed."""
    try:
        content = json.loads(value)
        return uuid.UUID(str(content["event_id"])), str(content["stream_id"]), int(content["stream_version"])
    except (TypeError, ValueError, KeyError):
        return None


async def _partitions(
    bootstrap_servers: str, topics: list[str], security: kafka.KafkaSecurity
) -> list[TopicPartition]:
    """The partitions of those of `topics` that exist (a service that never published a restricted event has
    none yet). Unlike `kafka.partitions_of`, a topic these credentials may not describe is an error: an
    archiver with the wrong principal must not archive nothing and call it done."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **security.client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    if refused := [
        t["topic"] for t in described if t.get("error_code") == TopicAuthorizationFailedError.errno
    ]:
        raise TopicAuthorizationFailedError(
            f"not allowed to describe {', '.join(refused)}: is this User:audit?"
        )
    return [
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if t.get("error_code", 0) == 0
        for p in sorted(t["partitions"], key=lambda p: p["partition"])
    ]


async def _stored_offsets(connection: asyncpg.Connection) -> dict[TopicPartition, int]:
    rows = await connection.fetch("SELECT topic, topic_partition, next_offset FROM archive_offsets")
    return {TopicPartition(r["topic"], r["topic_partition"]): r["next_offset"] for r in rows}


async def _assign(
    consumer: AIOKafkaConsumer, connection: asyncpg.Connection, partitions: list[TopicPartition]
) -> None:
    """Every partition, each from the offset the archive stored (from its start when none)."""
    consumer.assign(partitions)
    stored = await _stored_offsets(connection)
    ends = await consumer.end_offsets(partitions)
    for partition in partitions:
        offset = stored.get(partition, 0)
        if offset > ends[partition]:
            raise TopicRewound(
                f"{partition.topic}[{partition.partition}] ends at offset {ends[partition]}, but the archive "
                f"already read up to {offset}: the topic was deleted and made again, or truncated"
            )
        consumer.seek(partition, offset)


async def store(
    connection: asyncpg.Connection,
    records: list[ConsumerRecord],
    services: Mapping[str, str],
    before_offsets: Callable[[], None] = lambda: None,
) -> Progress:
    """One batch in one transaction: the rows (an event id already archived is skipped when identical, kept as
    a conflict row when not) and then each partition's next offset. `before_offsets` is called between the
    two (tests stop there)."""
    done = Progress(records=len(records))
    async with connection.transaction():
        keyed, unkeyed = [], []
        for record in records:
            identity = _identity(record.value)
            (keyed if identity else unkeyed).append((record, identity))
        inserted = await connection.fetch(
            """INSERT INTO archived_events (event_id, service, stream_id, stream_version, topic, topic_partition,
                   topic_offset, key, value)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::int[],
                   $7::bigint[], $8::bytea[], $9::bytea[])
               ON CONFLICT DO NOTHING RETURNING topic, topic_partition, topic_offset""",
            [identity[0] for _, identity in keyed],
            [services[r.topic] for r, _ in keyed],
            [identity[1] for _, identity in keyed],
            [identity[2] for _, identity in keyed],
            [r.topic for r, _ in keyed],
            [r.partition for r, _ in keyed],
            [r.offset for r, _ in keyed],
            [r.key for r, _ in keyed],
            [r.value for r, _ in keyed],
        )
        done.archived = len(inserted)
        new = {(r["topic"], r["topic_partition"], r["topic_offset"]) for r in inserted}
        others = [(r, identity) for r, identity in keyed if (r.topic, r.partition, r.offset) not in new]
        conflicts = [(r, None, "illisible") for r, _ in unkeyed]
        if others:
            archived = {
                row["event_id"]: row
                for row in await connection.fetch(
                    "SELECT event_id, topic, topic_partition, topic_offset, value FROM archived_events "
                    "WHERE event_id = ANY($1::uuid[])",
                    [identity[0] for _, identity in others],
                )
            }
            for record, identity in others:
                first = archived[identity[0]]
                at = (first["topic"], first["topic_partition"], first["topic_offset"])
                if at != (record.topic, record.partition, record.offset) and first["value"] != record.value:
                    conflicts.append((record, identity[0], "copie différente d'un événement archivé"))
        for record, event_id, reason in conflicts:
            status = await connection.execute(
                """INSERT INTO archive_conflicts (topic, topic_partition, topic_offset, service, event_id, reason,
                       key, value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING""",
                record.topic,
                record.partition,
                record.offset,
                services[record.topic],
                event_id,
                reason,
                record.key,
                record.value,
            )
            done.conflicts += status.endswith(" 1")
        before_offsets()
        next_offsets: dict[tuple[str, int], int] = {}
        for record in records:
            at = (record.topic, record.partition)
            next_offsets[at] = max(next_offsets.get(at, 0), record.offset + 1)
        # GREATEST: a second archiver that read the same records late never moves an offset back.
        await connection.executemany(
            """INSERT INTO archive_offsets (topic, topic_partition, next_offset) VALUES ($1, $2, $3)
               ON CONFLICT (topic, topic_partition) DO UPDATE
               SET next_offset = GREATEST(archive_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()""",
            [(topic, partition, offset) for (topic, partition), offset in next_offsets.items()],
        )
    return done


async def archive(
    dsn: str,
    services: Mapping[str, str],
    bootstrap_servers: str,
    *,
    security: kafka.KafkaSecurity = kafka.PLAINTEXT,
    once: bool = True,
    batch: int = BATCH,
    before_offsets: Callable[[], None] = lambda: None,
    on_batch: Callable[[Progress], None] = lambda progress: None,
) -> Progress:
    """Archive the records of `services`' topics ({topic: service}, those that exist) from where the archive
    stands: up to their end as of now when `once`, else for ever (following new records and, every
    `REDISCOVER_SECONDS`, topics made since). The archive's tables are migrated first (as its owner)."""
    await database.migrate_folder(dsn, MIGRATIONS)
    connection = await database.connect(dsn)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="none",  # an offset outside the log is a finding, not a silent jump
        max_partition_fetch_bytes=8 * 1024 * 1024,
        **security.client_options(),
    )
    total = Progress()
    await consumer.start()
    try:
        partitions = await _partitions(bootstrap_servers, list(services), security)
        await _assign(consumer, connection, partitions)
        ends = await consumer.end_offsets(partitions) if once and partitions else {}
        looked = time.monotonic()
        while True:
            if once and all([await consumer.position(p) >= ends[p] for p in partitions]):
                return total
            if not once and time.monotonic() - looked > REDISCOVER_SECONDS:
                looked = time.monotonic()
                found = await _partitions(bootstrap_servers, list(services), security)
                if set(found) != set(partitions):
                    partitions = found
                    await _assign(consumer, connection, partitions)
            if not partitions:
                await asyncio.sleep(1.0)
                continue
            fetched = await consumer.getmany(timeout_ms=1000, max_records=batch)
            records = [
                record
                for partition, batch_records in fetched.items()
                for record in batch_records
                if not once or record.offset < ends[partition]
            ]
            if records:
                done = await store(connection, records, services, before_offsets)
                total.records += done.records
                total.archived += done.archived
                total.conflicts += done.conflicts
                on_batch(done)
    finally:
        await consumer.stop()
        await connection.close()


# --- reading ------------------------------------------------------------------------------------------------


async def records_of(connection: asyncpg.Connection, topics: Iterable[str]) -> list[TopicRecord]:
    """What the archive holds of `topics` as records (`kernel.audit` reads them as it reads a topic): the
    archived rows in offset order per partition, then the conflict rows."""
    topics = list(topics)
    rows = await connection.fetch(
        """SELECT topic, topic_partition, topic_offset, key, value FROM archived_events WHERE topic = ANY($1)
           ORDER BY topic, topic_partition, topic_offset""",
        topics,
    )
    conflicts = await connection.fetch(
        """SELECT topic, topic_partition, topic_offset, key, value FROM archive_conflicts WHERE topic = ANY($1)
           ORDER BY topic, topic_partition, topic_offset""",
        topics,
    )
    return [
        TopicRecord(r["topic"], r["topic_partition"], r["topic_offset"], r["key"], r["value"], "archive")
        for r in [*rows, *conflicts]
    ]


async def events_of_stream(
    connection: asyncpg.Connection, stream_id: str, service: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """(service, row) of every archived event of a stream, in version order, each row shaped as the events
    table's (what `devinfra.audit_log` prints)."""
    rows = await connection.fetch(
        """SELECT service, value FROM archived_events WHERE stream_id = $1 AND ($2::text IS NULL OR service = $2)
           ORDER BY service, stream_version, topic_offset""",
        stream_id,
        service,
    )
    return [(row["service"], as_row(row["value"])) for row in rows]


def as_row(value: bytes) -> dict[str, Any]:
    """A published envelope as the events table's row (instants as datetimes), for `audit_log.as_json`."""
    envelope = kafka.decode(value)
    return {**envelope.model_dump(mode="python"), "actor": envelope.actor.model_dump(mode="json")}
