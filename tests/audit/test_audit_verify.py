"""`passerelle audit verify` and the independent verifier on a real log: appended through the event store,
published by the relay, then tampered with in the table or on the topics (docs/audit.md, issue 16)."""

import asyncio
import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from contracts import Actor, Event, EventEnvelope
from devinfra.audit import app
from devinfra.testkit import publish_everything
from kernel import audit, database, kafka
from kernel.database import create_pool, migrate
from kernel.eventstore import COLUMNS, EventStore, Metadata, envelope_from_row
from kernel.hashchain import event_hash
from kernel.kafka import TopicPolicy
from kernel.relay import Relay

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
VERIFIER = REPO / "tools" / "verify_log.py"
ONE_NODE = TopicPolicy(partitions=3, replication_factor=1, min_insync_replicas=1)
SERVICE = "partners"  # whose settings the command line reads; the events are the test's own
STREAMS = {"action-a": 3, "action-b": 4, "action-c": 3, "action-d": 2, "action-e": 3, "secret-f": 3}


class AuditSampleRecorded(Event):
    event_type: ClassVar[str] = "audittest.sample.recorded"
    schema_version: ClassVar[int] = 1
    note: str
    rate: float


async def tamper(dsn: str, *statements: str) -> None:
    """Run statements on the events table with its append-only trigger off, as its owner may: an insider."""
    connection = await database.connect(dsn)
    try:
        await connection.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


class Log:
    def __init__(self, dsn: str, bootstrap: str, prefix: str) -> None:
        self.dsn, self.bootstrap, self.prefix = dsn, bootstrap, prefix
        self.shareable, self.restricted = f"{prefix}{SERVICE}.events", f"{prefix}{SERVICE}.restricted"

    def topic(self, name: str) -> str:
        return f"{self.prefix}{name}"

    async def verify(self, source: str = "both", **options) -> audit.Report:
        connection = await database.connect(self.dsn)
        try:
            return await audit.verify(
                SERVICE,
                source,
                connection=connection,
                bootstrap_servers=self.bootstrap,
                topic=self.topic,
                **options,
            )
        finally:
            await connection.close()

    async def sql(self, *statements: str) -> None:
        await tamper(self.dsn, *statements)

    async def relay_publishes(self) -> None:
        relay = Relay(
            self.dsn,
            self.bootstrap,
            lambda e: self.restricted if e.restricted else self.shareable,
            topics=[self.shareable, self.restricted],
            topic_policy=ONE_NODE,
        )
        await publish_everything(relay)

    async def publish_as_relay(self, change) -> None:
        """What the relay would publish, changed by `change(envelopes) -> envelopes`, then its checkpoint."""
        connection = await database.connect(self.dsn)
        try:
            rows = await connection.fetch(
                f"SELECT {COLUMNS}, transaction_id::text AS xid FROM events ORDER BY transaction_id, position"
            )
            await self.send(change([envelope_from_row(r) for r in rows]))
            await connection.execute(
                "INSERT INTO relay_checkpoints VALUES ('kafka', $1::text::xid8, $2)",
                rows[-1]["xid"],
                rows[-1]["position"],
            )
        finally:
            await connection.close()

    async def send(self, envelopes: list[EventEnvelope]) -> None:
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        await producer.start()
        try:
            for envelope in envelopes:
                key, value, headers = kafka.encode(envelope)
                topic = self.restricted if envelope.restricted else self.shareable
                await producer.send_and_wait(topic, value=value, key=key, headers=headers)
        finally:
            await producer.stop()

    def environment(self) -> dict[str, str]:
        return {
            "PARTNERS_DATABASE_URL": self.dsn,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "KAFKA_TOPIC_PREFIX": self.prefix,
        }

    async def command(self, *args: str):
        return await asyncio.to_thread(CliRunner().invoke, app, list(args), env=self.environment())

    async def independent(self, tmp_path: Path) -> dict:
        """The export, as `passerelle audit export` writes it, read by tools/verify_log.py in its own process."""
        exported = await self.command("audit", "export", "--service", SERVICE)
        assert exported.exit_code == 0, exported.output
        log = tmp_path / f"log-{uuid.uuid4().hex[:6]}.jsonl"
        log.write_text(exported.stdout)
        run = subprocess.run(
            [sys.executable, str(VERIFIER), str(log)], capture_output=True, text=True, check=False
        )
        report = json.loads(run.stdout)
        assert run.returncode == (0 if report["ok"] else 1)
        return report


@pytest.fixture
async def log(infrastructure, new_database, topic_prefix) -> Log:
    """A small real log: six streams (one restricted, one partly), a version-1 stream written as before
    issue 16, and a rolled-back append that leaves a hole in the positions."""
    dsn = await new_database("audit")
    await migrate(dsn)
    the_log = Log(dsn, infrastructure.bootstrap_servers, topic_prefix)
    await kafka.ensure_topics(the_log.bootstrap, [the_log.shareable, the_log.restricted], ONE_NODE)
    pool = await create_pool(dsn)
    store = EventStore(pool)
    meta = Metadata(actor=Actor(subject="cpip-42", role="cpip"), correlation_id="corr-1")
    try:
        await insert_version_1_stream(pool, "legacy-g", 2)
        with pytest.raises(RuntimeError):
            async with store.transaction() as session:
                await session.append(
                    "sample", "rolled-back", 0, [AuditSampleRecorded(note="x", rate=0.5)], meta
                )
                raise RuntimeError("the command failed after its append")
        for stream_id, count in STREAMS.items():
            for version in range(1, count + 1):
                event = AuditSampleRecorded(note=f"Entretien n°{version} « {stream_id} »\n", rate=version / 3)
                restricted = stream_id == "secret-f" and version != 2
                await store.append(
                    "sample", stream_id, version - 1, [event], meta, subject="p-1", restricted=restricted
                )
    finally:
        await pool.close()
    return the_log


async def insert_version_1_stream(pool, stream_id: str, count: int) -> None:
    previous = None
    for version in range(1, count + 1):
        content = dict(
            event_id=uuid.uuid4(),
            event_type="audittest.sample.recorded",
            schema_version=1,
            stream_type="sample",
            stream_id=stream_id,
            stream_version=version,
            occurred_at=datetime(2026, 1, 5, 9, 0, version, 5000, tzinfo=UTC),
            recorded_at=datetime(2026, 1, 5, 9, 0, version, 5000, tzinfo=UTC),
            actor={"subject": "cpip-1", "role": "cpip", "organisation_id": None},
            subject=None,
            correlation_id="legacy",
            causation_id=None,
            restricted=False,
            payload={"note": "écrit avant la version 2", "rate": 0.25},
        )
        content["hash"] = event_hash(previous, content)
        await pool.execute(
            """INSERT INTO events (event_id, event_type, schema_version, stream_type, stream_id, stream_version,
               occurred_at, recorded_at, actor, subject, correlation_id, causation_id, restricted, payload,
               previous_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)""",
            *[content[name] for name in list(content)[:14]],
            previous,
            content["hash"],
        )
        previous = content["hash"]


def found(report) -> set[tuple[str, str | None, int | None]]:
    findings = report.findings if isinstance(report, audit.Report) else report["findings"]
    as_dicts = [f.as_json() if isinstance(f, audit.Finding) else f for f in findings]
    return {(f["kind"], f["stream_id"], f["version"]) for f in as_dicts}


async def test_an_untouched_log_verifies_clean_everywhere(log, tmp_path):
    await log.relay_publishes()
    for source in audit.SOURCES:
        report = await log.verify(source)
        assert report.findings == [], (source, report.summary())
    report = await log.verify("both")
    assert report.events == {"db": 20, "kafka": 20} and report.streams == 7 and report.unpublished == 0
    assert report.position_holes == [(3, 3)]  # the rolled-back append's position, never published
    independent = await log.independent(tmp_path)
    assert independent["ok"] and independent["events"] == 20 and independent["position_holes"]["count"] == 1


async def test_the_command_line_reports_in_json_and_exits_0_on_a_clean_log_1_on_a_tampered_one(log, tmp_path):
    await log.relay_publishes()
    clean = await log.command("audit", "verify", "--service", SERVICE, "--json", str(tmp_path / "clean.json"))
    assert clean.exit_code == 0, clean.output
    assert "Journal intègre" in clean.stdout
    assert json.loads((tmp_path / "clean.json").read_text())["ok"] is True

    await log.sql(
        """UPDATE events SET payload = '{"note": "réécrit", "rate": 1}'"""
        " WHERE stream_id = 'action-a' AND stream_version = 2"
    )
    tampered = await log.command(
        "audit", "verify", "--service", SERVICE, "--json", str(tmp_path / "tampered.json")
    )
    assert tampered.exit_code == 1
    assert "hash-mismatch" in tampered.stdout and "action-a v2" in tampered.stdout
    document = json.loads((tmp_path / "tampered.json").read_text())
    assert found(document["services"][0]) == {
        ("hash-mismatch", "action-a", 2),
        ("different-on-topic", "action-a", 2),
    }


TABLE_TAMPERING = {
    "a payload altered": (
        [
            "UPDATE events SET payload = jsonb_set(payload, '{note}', '\"autre\"')"
            " WHERE stream_id = 'action-a' AND stream_version = 2"
        ],
        {("hash-mismatch", "action-a", 2)},
        {("different-on-topic", "action-a", 2)},
    ),
    "a version-1 payload altered": (
        [
            "UPDATE events SET payload = jsonb_set(payload, '{rate}', '0.5')"
            " WHERE stream_id = 'legacy-g' AND stream_version = 1"
        ],
        {("hash-mismatch", "legacy-g", 1)},
        {("different-on-topic", "legacy-g", 1)},
    ),
    "an event deleted in the middle": (
        ["DELETE FROM events WHERE stream_id = 'action-b' AND stream_version = 2"],
        {("version-gap", "action-b", 2)},
        {("missing-in-db", "action-b", 2)},
    ),
    "the tail deleted": (
        ["DELETE FROM events WHERE stream_id = 'action-c' AND stream_version = 3"],
        set(),  # the table alone cannot see it
        {("missing-in-db", "action-c", 3)},
    ),
    "a whole stream deleted": (
        ["DELETE FROM events WHERE stream_id = 'action-d'"],
        set(),
        {("missing-in-db", "action-d", 1), ("missing-in-db", "action-d", 2)},
    ),
    "two events reordered": (
        [
            "UPDATE events SET stream_version = 100 WHERE stream_id = 'action-e' AND stream_version = 2",
            "UPDATE events SET stream_version = 2 WHERE stream_id = 'action-e' AND stream_version = 3",
            "UPDATE events SET stream_version = 3 WHERE stream_id = 'action-e' AND stream_version = 100",
        ],
        {
            ("hash-mismatch", "action-e", 2),
            ("hash-mismatch", "action-e", 3),
            ("broken-link", "action-e", 2),
            ("broken-link", "action-e", 3),
            ("position-order", "action-e", 3),
        },
        {("different-on-topic", "action-e", 2), ("different-on-topic", "action-e", 3)},
    ),
    "a restricted event altered": (
        [
            """UPDATE events SET actor = '{"subject": "dpip-1", "role": "dpip"}'"""
            " WHERE stream_id = 'secret-f' AND stream_version = 3"
        ],
        {("hash-mismatch", "secret-f", 3)},
        {("different-on-topic", "secret-f", 3)},
    ),
}


@pytest.mark.parametrize("case", list(TABLE_TAMPERING))
async def test_tampering_with_the_table_is_reported_and_both_verifiers_agree(log, tmp_path, case):
    statements, in_table, against_topics = TABLE_TAMPERING[case]
    await log.relay_publishes()
    await log.sql(*statements)

    table_only = await log.verify("db")
    assert found(table_only) == in_table, table_only.summary()
    both = await log.verify("both")
    assert found(both) == in_table | against_topics, both.summary()
    assert not both.ok
    independent = await log.independent(tmp_path)
    assert found(independent) == found(table_only)


@pytest.mark.parametrize("case", list(TABLE_TAMPERING))
async def test_the_table_checked_by_three_processes_gives_what_one_gives(log, monkeypatch, case):
    """A large table is checked by a process per core, each reading a range of positions: streams run across
    the ranges (20 events, 7 streams), and their parts are linked up after."""
    statements, in_table, against_topics = TABLE_TAMPERING[case]
    await log.relay_publishes()
    await log.sql(*statements)
    monkeypatch.setattr(audit, "PARALLEL_FROM", 0)  # this table is small

    for source, expected in (("db", in_table), ("both", in_table | against_topics)):
        one = await log.verify(source)
        three = await log.verify(source, dsn=log.dsn, processes=3)
        assert found(three) == found(one) == expected, three.summary()
        assert (three.events, three.streams, three.position_holes, three.unpublished) == (
            one.events,
            one.streams,
            one.position_holes,
            one.unpublished,
        )


def changed_payload(envelopes):
    return [
        e.model_copy(update={"payload": {**e.payload, "note": "falsifié"}})
        if (e.stream_id, e.stream_version) == ("action-a", 2)
        else e
        for e in envelopes
    ]


def without(stream_id, version):
    return lambda envelopes: [e for e in envelopes if (e.stream_id, e.stream_version) != (stream_id, version)]


def doubled(envelopes):
    return envelopes + [e for e in envelopes if (e.stream_id, e.stream_version) == ("action-a", 2)]


def swapped(envelopes):
    at = {(e.stream_id, e.stream_version): i for i, e in enumerate(envelopes)}
    i, j = at[("action-e", 2)], at[("action-e", 3)]
    envelopes[i], envelopes[j] = envelopes[j], envelopes[i]
    return envelopes


def leaked(envelopes):
    return [
        e.model_copy(update={"restricted": False})
        if (e.stream_id, e.stream_version) == ("secret-f", 1)
        else e
        for e in envelopes
    ]


TOPIC_TAMPERING = {
    "a payload altered on the topic": (
        changed_payload,
        {("hash-mismatch", "action-a", 2)},
        {("different-on-topic", "action-a", 2)},
    ),
    "an event missing from the topic": (
        without("action-b", 2),
        {("version-gap", "action-b", 2)},
        {("missing-on-topic", "action-b", 2)},
    ),
    "the last event missing from the topic": (
        without("action-c", 3),
        set(),
        {("missing-on-topic", "action-c", 3)},
    ),
    "an event duplicated on the topic": (
        doubled,
        {("duplicate-on-topic", "action-a", 2)},
        {("duplicate-on-topic", "action-a", 2)},
    ),
    "two events reordered on the topic": (
        swapped,
        {("order-on-topic", "action-e", 2)},
        {("order-on-topic", "action-e", 2)},
    ),
    "a restricted event on the shareable topic, its flag cleared": (
        leaked,
        {("hash-mismatch", "secret-f", 1)},
        {("different-on-topic", "secret-f", 1)},
    ),
}


@pytest.mark.parametrize("case", list(TOPIC_TAMPERING))
async def test_tampering_with_the_topics_is_reported(log, case):
    change, on_topics, against_table = TOPIC_TAMPERING[case]
    await log.publish_as_relay(change)

    topics_only = await log.verify("kafka")
    assert found(topics_only) == on_topics, topics_only.summary()
    both = await log.verify("both")
    assert found(both) == against_table, both.summary()


async def test_a_redelivered_copy_is_accepted_only_when_asked_and_a_different_one_never(log):
    await log.relay_publishes()
    envelopes = [e for e in await table_envelopes(log) if e.stream_id == "action-a"]
    await log.send(envelopes[1:])  # as a relay re-sends a batch after a crash before its checkpoint
    assert found(await log.verify("both")) == {
        ("duplicate-on-topic", "action-a", 2),
        ("duplicate-on-topic", "action-a", 3),
    }
    assert (await log.verify("both", allow_redelivered=True)).ok

    await log.send([envelopes[2].model_copy(update={"payload": {"note": "autre", "rate": 0.1}})])
    assert found(await log.verify("both", allow_redelivered=True)) == {("conflict-on-topic", "action-a", 3)}


async def test_events_the_relay_has_not_published_yet_are_counted_not_faulted(log):
    report = await log.verify("both")
    assert report.ok and report.unpublished == 20 and report.events["kafka"] == 0


async def table_envelopes(log) -> list[EventEnvelope]:
    connection = await database.connect(log.dsn)
    try:
        return [
            envelope_from_row(r)
            for r in await connection.fetch(f"SELECT {COLUMNS} FROM events ORDER BY position")
        ]
    finally:
        await connection.close()


async def test_new_events_are_hash_version_2_and_old_ones_stay_version_1(log):
    versions = {(e.stream_id, e.hash_version) for e in await table_envelopes(log)}
    assert ("legacy-g", 1) in versions and ("action-a", 2) in versions
    assert {v for s, v in versions if s != "legacy-g"} == {2}
