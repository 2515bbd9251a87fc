"""The audit archive of restricted events (issue 16 #5, ADR 28): `passerelle audit archive` keeps each record of
the restricted topics once, exactly as published, in a database only auditors read; `passerelle audit verify
--source archive` compares a service's table with it, as it compares the topics."""

import asyncio
import contextlib

import asyncpg
import pytest

from contracts import Actor
from devinfra import audit_archive
from devinfra.postgres import OWNER_ROLE, create_database, service_role
from kernel import audit, database
from kernel.database import create_pool
from kernel.eventstore import EventStore, Metadata
from tests.audit.test_audit_verify import SERVICE, AuditSampleRecorded, found, table_envelopes
from tests.audit.test_audit_verify import log as log  # noqa: F401  (the fixture: a small real log)

pytestmark = pytest.mark.integration

# Restricted streams added to the verify tests' log (whose secret-f has restricted versions 1 and 3).
MORE_RESTRICTED = {"secret-h": 4, "secret-i": 3}
RESTRICTED = 2 + sum(MORE_RESTRICTED.values())


class Stop(Exception):
    """What stops an archive run between writing a batch's rows and its offsets."""


@pytest.fixture
async def published(log):  # noqa: F811
    """The verify tests' log with more restricted streams, all published by the relay."""
    pool = await create_pool(log.dsn)
    meta = Metadata(actor=Actor(subject="psy-1", role="psychologue"), correlation_id="corr-2")
    try:
        store = EventStore(pool)
        for stream_id, count in MORE_RESTRICTED.items():
            for version in range(1, count + 1):
                event = AuditSampleRecorded(note=f"Note n°{version}", rate=version / 7)
                await store.append("sample", stream_id, version - 1, [event], meta, restricted=True)
    finally:
        await pool.close()
    await log.relay_publishes()
    return log


@pytest.fixture
async def archive_db(infrastructure, unique_name) -> dict[str, str]:
    """An archive database provisioned as `make up` provisions `audit_archive`: the archiver's and an
    auditor's DSNs."""
    name = unique_name("archive").replace("-", "_")
    archiver = await audit_archive.provision(infrastructure.postgres, name)
    return {
        "archiver": archiver,
        "auditor": infrastructure.postgres.dsn(name, user=audit_archive.READER_ROLE),
    }


async def append_restricted(log, stream_id: str, version: int) -> None:
    pool = await create_pool(log.dsn)
    try:
        meta = Metadata(actor=Actor(subject="psy-1", role="psychologue"), correlation_id="corr-3")
        await EventStore(pool).append(
            "sample", stream_id, version, [AuditSampleRecorded(note="suite", rate=0.5)], meta, restricted=True
        )
    finally:
        await pool.close()


async def run_archive(log, dsn: str, **options) -> audit_archive.Progress:
    return await audit_archive.archive(dsn, {log.restricted: SERVICE}, log.bootstrap, once=True, **options)


async def against_archive(log, dsn: str) -> audit.Report:
    connection = await database.connect(dsn)
    try:
        records = await audit_archive.records_of(connection, [log.restricted])
    finally:
        await connection.close()
    return await log.verify("archive", archived=records)


async def fetch(dsn: str, query: str, *args) -> list[asyncpg.Record]:
    connection = await database.connect(dsn)
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def test_the_archive_keeps_each_restricted_record_once_exactly_as_published(published, archive_db):
    done = await run_archive(published, archive_db["archiver"])

    assert (done.records, done.archived, done.conflicts) == (RESTRICTED, RESTRICTED, 0)
    on_topic = await audit.topic_records(published.bootstrap, [published.restricted])
    rows = await fetch(
        archive_db["auditor"],
        "SELECT topic, topic_partition, topic_offset, key, value, service, stream_id FROM archived_events",
    )
    assert {(r.topic, r.partition, r.offset, r.key, r.value) for r in on_topic} == {
        (r["topic"], r["topic_partition"], r["topic_offset"], r["key"], r["value"]) for r in rows
    }
    assert {r["stream_id"] for r in rows} == {"secret-f", *MORE_RESTRICTED} and {
        r["service"] for r in rows
    } == {SERVICE}
    report = await against_archive(published, archive_db["auditor"])
    assert report.ok, report.summary()
    assert report.events == {"db": 20 + sum(MORE_RESTRICTED.values()), "archive": RESTRICTED}


async def test_a_second_run_archives_only_what_was_published_since(published, archive_db):
    await run_archive(published, archive_db["archiver"])
    again = await run_archive(published, archive_db["archiver"])
    assert (again.records, again.archived) == (0, 0)

    await append_restricted(published, "secret-i", 3)
    await published.relay_publishes()
    assert found(await against_archive(published, archive_db["auditor"])) == {
        ("missing-in-archive", "secret-i", 4)
    }

    later = await run_archive(published, archive_db["archiver"])
    assert (later.records, later.archived) == (1, 1)
    assert (await against_archive(published, archive_db["auditor"])).ok


async def test_without_once_it_follows_the_topics(published, archive_db):
    archived: list[int] = []
    progressed = asyncio.Event()

    def on_batch(done: audit_archive.Progress) -> None:
        archived.append(done.archived)
        progressed.set()

    following = asyncio.create_task(
        audit_archive.archive(
            archive_db["archiver"],
            {published.restricted: SERVICE},
            published.bootstrap,
            once=False,
            on_batch=on_batch,
        )
    )
    try:
        while sum(archived) < RESTRICTED:
            await asyncio.wait_for(progressed.wait(), 30)
            progressed.clear()
        await append_restricted(published, "secret-i", 3)
        await published.relay_publishes()
        while sum(archived) < RESTRICTED + 1:
            await asyncio.wait_for(progressed.wait(), 30)
            progressed.clear()
    finally:
        following.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await following
    assert sum(archived) == RESTRICTED + 1
    assert (await against_archive(published, archive_db["auditor"])).ok


async def test_a_run_stopped_between_rows_and_offsets_keeps_neither_and_the_next_archives_each_event_once(
    published, archive_db
):
    batches = []

    def stop_at_the_second_batch() -> None:
        batches.append(1)
        if len(batches) == 2:
            raise Stop

    with pytest.raises(Stop):
        await run_archive(published, archive_db["archiver"], batch=2, before_offsets=stop_at_the_second_batch)

    # Rows and offsets committed together: the first batch's, none of the second's.
    rows = await fetch(archive_db["archiver"], "SELECT topic_partition, topic_offset FROM archived_events")
    offsets = await fetch(archive_db["archiver"], "SELECT topic_partition, next_offset FROM archive_offsets")
    assert len(rows) == 2
    assert sum(r["next_offset"] for r in offsets) == len(rows)
    for offset in offsets:
        assert {r["topic_offset"] for r in rows if r["topic_partition"] == offset["topic_partition"]} == set(
            range(offset["next_offset"])
        )

    done = await run_archive(published, archive_db["archiver"])
    assert (done.records, done.archived, done.conflicts) == (RESTRICTED - 2, RESTRICTED - 2, 0)
    counts = await fetch(
        archive_db["archiver"], "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM archived_events"
    )
    assert (counts[0]["n"], counts[0]["ids"]) == (RESTRICTED, RESTRICTED)
    assert (await against_archive(published, archive_db["auditor"])).ok


async def test_a_topic_that_now_ends_before_what_was_archived_stops_the_archive(published, archive_db):
    await run_archive(published, archive_db["archiver"])
    # As after the topic was deleted and made again, empty: the archive had read further than it now ends.
    await fetch(archive_db["archiver"], "UPDATE archive_offsets SET next_offset = next_offset + 5")

    with pytest.raises(audit_archive.TopicRewound, match="deleted and made again"):
        await run_archive(published, archive_db["archiver"])

    rows = await fetch(archive_db["auditor"], "SELECT count(*) AS n FROM archived_events")
    assert rows[0]["n"] == RESTRICTED


TAMPERING = {
    "a restricted event deleted from the table": (
        ["DELETE FROM events WHERE stream_id = 'secret-h' AND stream_version = 2"],
        {("version-gap", "secret-h", 2), ("missing-in-db", "secret-h", 2)},
    ),
    "a restricted stream's tail deleted": (
        ["DELETE FROM events WHERE stream_id = 'secret-i' AND stream_version = 3"],
        {("missing-in-db", "secret-i", 3)},
    ),
    "a restricted event altered": (
        [
            "UPDATE events SET payload = jsonb_set(payload, '{note}', '\"réécrit\"')"
            " WHERE stream_id = 'secret-h' AND stream_version = 3"
        ],
        {("hash-mismatch", "secret-h", 3), ("different-in-archive", "secret-h", 3)},
    ),
    "a restricted event's flag cleared": (
        ["UPDATE events SET restricted = false WHERE stream_id = 'secret-f' AND stream_version = 1"],
        {("hash-mismatch", "secret-f", 1), ("different-in-archive", "secret-f", 1)},
    ),
}


@pytest.mark.parametrize("case", list(TAMPERING))
async def test_tampering_with_the_table_is_reported_against_the_archive(published, archive_db, case):
    statements, expected = TAMPERING[case]
    await run_archive(published, archive_db["archiver"])
    await published.sql(*statements)

    report = await against_archive(published, archive_db["auditor"])

    assert found(report) == expected, report.summary()
    assert {f.source for f in report.findings if f.kind != "hash-mismatch" and f.kind != "version-gap"} == {
        "db+archive"
    }


async def test_a_different_copy_of_an_archived_event_is_a_conflict_row_beside_the_first(
    published, archive_db
):
    await run_archive(published, archive_db["archiver"])
    original = next(
        e for e in await table_envelopes(published) if e.stream_id == "secret-h" and e.stream_version == 1
    )
    await published.send([original.model_copy(update={"payload": {"note": "falsifié", "rate": 0.1}})])

    done = await run_archive(published, archive_db["archiver"])

    assert (done.records, done.archived, done.conflicts) == (1, 0, 1)
    kept = await fetch(
        archive_db["auditor"], "SELECT value FROM archived_events WHERE event_id = $1", original.event_id
    )
    assert b"falsifi" not in kept[0]["value"]
    conflicts = await fetch(archive_db["auditor"], "SELECT event_id, reason FROM archive_conflicts")
    assert [(c["event_id"], c["reason"]) for c in conflicts] == [
        (original.event_id, "copie différente d'un événement archivé")
    ]
    assert found(await against_archive(published, archive_db["auditor"])) == {
        ("conflict-on-topic", "secret-h", 1)
    }
    again = await run_archive(published, archive_db["archiver"])
    assert (again.records, again.conflicts) == (0, 0)


async def test_only_the_archiver_writes_the_archive_auditors_read_it_and_no_service_role_opens_it(
    archive_db, infrastructure, unique_name
):
    postgres = infrastructure.postgres
    # The service roles of `make up` (made with any service database).
    await create_database(
        postgres.dsn(),
        unique_name("roles").replace("-", "_"),
        owner=OWNER_ROLE,
        connecting_role=service_role(SERVICE),
    )
    name = archive_db["archiver"].rsplit("/", 1)[1]
    # `make up` provisions it again at every start: nothing changes.
    assert await audit_archive.provision(postgres, name) == archive_db["archiver"]
    for role in (service_role(SERVICE), OWNER_ROLE):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(postgres.dsn(name, user=role))

    auditor = await asyncpg.connect(archive_db["auditor"])
    try:
        assert await auditor.fetchval("SELECT count(*) FROM archived_events") == 0
        for statement in (
            "INSERT INTO archive_offsets (topic, topic_partition, next_offset) VALUES ('t', 0, 0)",
            "DELETE FROM archive_offsets",
            "CREATE TABLE forged (x int)",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await auditor.execute(statement)
    finally:
        await auditor.close()

    archiver = await asyncpg.connect(archive_db["archiver"])
    try:
        for statement in ("DELETE FROM archived_events", "UPDATE archive_conflicts SET reason = 'x'"):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await archiver.execute(statement)
    finally:
        await archiver.close()


async def test_the_command_line_archives_verifies_against_the_archive_and_shows_a_stream(
    published, archive_db
):
    environment = {"AUDIT_ARCHIVE_DATABASE_URL": archive_db["archiver"]}
    archived = await command(published, environment, "audit", "archive", "--once", "--service", SERVICE)
    assert archived.exit_code == 0, archived.output
    assert f"{RESTRICTED} événement(s) archivé(s)" in archived.stdout

    environment = {"AUDIT_ARCHIVE_DATABASE_URL": archive_db["auditor"]}
    clean = await command(
        published, environment, "audit", "verify", "--service", SERVICE, "--source", "archive"
    )
    assert clean.exit_code == 0, clean.output
    assert f"{RESTRICTED} via archive" in clean.stdout and "Journal intègre" in clean.stdout

    shown = await command(
        published, environment, "audit", "stream", "secret-h", "--source", "archive", "--service", SERVICE
    )
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.count("secret-h v") == 4 and "restreint" in shown.stdout

    await published.sql("DELETE FROM events WHERE stream_id = 'secret-h'")
    tampered = await command(
        published, environment, "audit", "verify", "--service", SERVICE, "--source", "archive"
    )
    assert tampered.exit_code == 1
    assert "missing-in-db" in tampered.stdout and "secret-h v1" in tampered.stdout


async def command(log, environment: dict[str, str], *args: str):
    from typer.testing import CliRunner

    from devinfra.audit import app

    return await asyncio.to_thread(
        CliRunner().invoke, app, list(args), env={**log.environment(), **environment}
    )
