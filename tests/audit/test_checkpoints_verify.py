"""`passerelle audit verify` against signed checkpoints (issue 16 #2, ADR 27): what the table alone cannot
show, a deleted tail or stream and a history rewritten and re-hashed by someone holding the database, is
reported once a checkpoint signed by the service's key covered it; a checkpoint signed by another key is
reported, not trusted."""

import asyncio
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import ClassVar

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from contracts import Actor, Event
from devinfra.audit import app
from kernel import audit, database, kafka
from kernel.checkpoints import Checkpointer, SigningKey, last_published, new_key_pem, topic_of
from kernel.database import create_pool, migrate
from kernel.eventstore import COLUMNS, EventStore, Metadata
from kernel.hashchain import hash_of
from kernel.kafka import TopicPolicy
from tests.audit.test_audit_verify import tamper

pytestmark = pytest.mark.integration

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_log.py"
ONE_NODE = TopicPolicy(partitions=3, replication_factor=1, min_insync_replicas=1)
SERVICE = "partners"  # whose settings the command line reads; the events are the test's own
META = Metadata(actor=Actor(subject="cpip-42", role="cpip"), correlation_id="corr-1")


class AnchorNoted(Event):
    event_type: ClassVar[str] = "audittest.anchor.noted"
    schema_version: ClassVar[int] = 1
    note: str


class Anchored:
    """A service's log and its checkpoints: events appended through the event store, checkpoints signed by
    the service's key as its checkpointer does."""

    def __init__(self, dsn: str, bootstrap: str, prefix: str, key_file) -> None:
        self.dsn, self.bootstrap, self.prefix = dsn, bootstrap, prefix
        self.key_file = key_file
        self.key = SigningKey.from_file(key_file)
        self.keys_directory = key_file.parent

    def topic(self, name: str) -> str:
        return f"{self.prefix}{name}"

    async def append(self, *streams: tuple[str, int]) -> None:
        pool = await create_pool(self.dsn)
        try:
            store = EventStore(pool)
            for stream_id, count in streams:
                async with store.transaction() as session:
                    head = len(await session.read_stream(stream_id))
                    events = [AnchorNoted(note=f"n°{v}") for v in range(head + 1, count + 1)]
                    await session.append("sample", stream_id, head, events, META, subject="p-1")
        finally:
            await pool.close()

    async def checkpoint(self, key: SigningKey | None = None, *, resume: bool = True):
        """One pass of the service's checkpointer (resumed from the topic, as after a restart), published."""
        signer = Checkpointer(
            SERVICE,
            self.dsn,
            key or self.key,
            self.bootstrap,
            topic_of(SERVICE, self.topic),
            topic_policy=ONE_NODE,
        )
        await kafka.ensure_topics(self.bootstrap, [signer.topic], ONE_NODE)
        connection = await database.connect(self.dsn)
        producer = kafka.idempotent_producer(self.bootstrap)
        await producer.start()
        try:
            if resume:
                await signer.resume(connection, await last_published(self.bootstrap, signer.topic))
            signed = await signer.pass_once(connection)
            await producer.send_and_wait(signer.topic, signed.to_json(), key=SERVICE.encode())
            return signed
        finally:
            await producer.stop()
            await connection.close()

    async def verify(self, **options) -> audit.Report:
        connection = await database.connect(self.dsn)
        try:
            return await audit.verify(
                SERVICE,
                "db",
                connection=connection,
                bootstrap_servers=self.bootstrap,
                topic=self.topic,
                checkpoint_keys={self.key.key_id: self.key.public_key()},
                **options,
            )
        finally:
            await connection.close()

    async def sql(self, *statements: str) -> None:
        await tamper(self.dsn, *statements)

    def environment(self) -> dict[str, str]:
        return {
            "PARTNERS_DATABASE_URL": self.dsn,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "KAFKA_TOPIC_PREFIX": self.prefix,
        }

    async def independent(self, folder: Path) -> dict:
        """The log and its checkpoints as `passerelle audit export --checkpoints` writes them, read by
        tools/verify_log.py in its own process with the service's public keys."""
        name = uuid.uuid4().hex[:6]
        log, records = folder / f"log-{name}.jsonl", folder / f"checkpoints-{name}.jsonl"
        arguments = ["audit", "export", "--service", SERVICE, "--checkpoints", str(records)]
        exported = await asyncio.to_thread(CliRunner().invoke, app, arguments, env=self.environment())
        assert exported.exit_code == 0, exported.output
        log.write_text(exported.stdout)
        run = subprocess.run(
            [sys.executable, str(VERIFIER), str(log), "--checkpoints", str(records)]
            + ["--keys", str(self.keys_directory), "--service", SERVICE],
            capture_output=True,
            text=True,
            check=False,
        )
        report = json.loads(run.stdout)
        assert run.returncode == (0 if report["ok"] else 1), run.stderr
        return report

    async def rewrite(self, stream_id: str, version: int, note: str) -> None:
        """What an insider holding the database would do: change an event, then re-hash its stream from there
        on, so that every chain verifies."""
        connection = await database.connect(self.dsn)
        try:
            await connection.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version", stream_id
            )
            previous = None
            for row in rows:
                content = dict(row)
                if content["stream_version"] == version:
                    content["payload"] = {**content["payload"], "note": note}
                content["previous_hash"] = previous
                content["hash"] = previous = hash_of(content)
                await connection.execute(
                    "UPDATE events SET payload = $2, previous_hash = $3, hash = $4 WHERE event_id = $1",
                    content["event_id"],
                    content["payload"],
                    content["previous_hash"],
                    content["hash"],
                )
        finally:
            await connection.close()


@pytest.fixture
async def anchored(infrastructure, new_database, topic_prefix, tmp_path) -> Anchored:
    """Five streams, a checkpoint over them, then more events and a second checkpoint."""
    dsn = await new_database("anchored")
    await migrate(dsn)
    private, public = new_key_pem()
    (tmp_path / f"{SERVICE}.key").write_bytes(private)
    (tmp_path / f"{SERVICE}.pub").write_bytes(public)
    log = Anchored(dsn, infrastructure.bootstrap_servers, topic_prefix, tmp_path / f"{SERVICE}.key")
    await log.append(("action-a", 3), ("action-b", 2), ("action-c", 3), ("action-d", 2))
    await log.checkpoint()
    await log.append(("action-a", 4), ("action-e", 1))
    await log.checkpoint()
    return log


def found(report: audit.Report) -> list[str]:
    return sorted(finding.kind for finding in report.findings)


async def test_an_untouched_log_verifies_against_every_checkpoint(anchored):
    report = await anchored.verify()
    assert report.findings == [] and report.checkpoints == 2, report.summary()
    assert "2 point(s) de contrôle signé(s)" in report.summary()


async def test_events_appended_after_the_last_checkpoint_are_not_faulted(anchored):
    await anchored.append(("action-b", 5), ("action-f", 2))
    report = await anchored.verify()
    assert report.findings == [] and report.checkpoints == 2


async def test_a_history_rewritten_and_re_hashed_before_a_checkpoint_is_reported(anchored):
    await anchored.rewrite("action-a", 2, "réécrit")

    report = await anchored.verify()
    assert [f for f in report.findings if not f.kind.startswith("checkpoint-")] == []  # every chain verifies
    assert found(report) == ["checkpoint-mismatch", "checkpoint-mismatch"], report.summary()
    assert "point de contrôle n°1" in report.findings[0].detail


async def test_a_rewrite_after_the_first_checkpoint_is_reported_against_the_second_only(anchored):
    await anchored.rewrite("action-a", 4, "réécrit")
    report = await anchored.verify()
    assert found(report) == ["checkpoint-mismatch"] and "n°2" in report.findings[0].detail


@pytest.mark.parametrize(
    "statement, at_the_first",
    [
        (
            "DELETE FROM events WHERE stream_id = 'action-c' AND stream_version = 3",
            "4 flux et 10 événements signés, 4 flux et 9 événements dans la table",
        ),
        (
            "DELETE FROM events WHERE stream_id = 'action-d'",
            "4 flux et 10 événements signés, 3 flux et 8 événements dans la table",
        ),
    ],
    ids=["a stream's tail", "a whole stream"],
)
async def test_a_deleted_tail_or_stream_is_reported_although_every_chain_verifies(
    anchored, statement, at_the_first
):
    await anchored.sql(statement)

    report = await anchored.verify()
    assert found(report) == ["checkpoint-head-missing", "checkpoint-head-missing"], report.summary()
    assert "point de contrôle n°1" in report.findings[0].detail and at_the_first in report.findings[0].detail


async def test_a_checkpoint_signed_by_another_key_is_reported_and_not_trusted(anchored):
    await anchored.sql("DELETE FROM events WHERE stream_id = 'action-e'")
    forger = SigningKey(Ed25519PrivateKey.generate())
    await anchored.checkpoint(key=forger, resume=False)  # blessing the altered log

    report = await anchored.verify()
    assert found(report) == ["checkpoint-head-missing", "checkpoint-signature"], report.summary()
    signature = next(f for f in report.findings if f.kind == "checkpoint-signature")
    assert f"clé '{forger.key_id}' inconnue" in signature.detail


async def test_the_command_line_checks_the_checkpoints_with_the_public_keys_it_is_given(anchored, tmp_path):
    environment = anchored.environment()

    def command(*args: str):
        arguments = ["audit", "verify", "--service", SERVICE, "--source", "db", *args]
        return asyncio.to_thread(CliRunner().invoke, app, arguments, env=environment)

    clean = await command("--checkpoint-keys", str(anchored.keys_directory))
    assert clean.exit_code == 0, clean.output
    assert "2 point(s) de contrôle signé(s)" in clean.stdout

    untrusted = await command("--checkpoint-keys", str(tmp_path / "elsewhere"))
    assert untrusted.exit_code == 1
    assert "checkpoint-signature" in untrusted.stdout

    await anchored.rewrite("action-b", 1, "réécrit")
    tampered = await command("--checkpoint-keys", str(anchored.keys_directory))
    assert tampered.exit_code == 1 and "checkpoint-mismatch" in tampered.stdout


async def forge(anchored: Anchored) -> None:
    await anchored.sql("DELETE FROM events WHERE stream_id = 'action-e'")
    await anchored.checkpoint(key=SigningKey(Ed25519PrivateKey.generate()), resume=False)


ALTERATIONS = {
    "nothing": lambda anchored: asyncio.sleep(0),
    "a history rewritten and re-hashed": lambda anchored: anchored.rewrite("action-a", 2, "réécrit"),
    "a rewrite after the first checkpoint": lambda anchored: anchored.rewrite("action-a", 4, "réécrit"),
    "a stream's tail deleted": lambda anchored: anchored.sql(
        "DELETE FROM events WHERE stream_id = 'action-c' AND stream_version = 3"
    ),
    "a checkpoint signed by another key": forge,
}


@pytest.mark.parametrize("alteration", list(ALTERATIONS))
async def test_the_independent_verifier_checks_the_checkpoints_as_the_project_does(
    anchored, tmp_path, alteration
):
    await ALTERATIONS[alteration](anchored)
    (folder := tmp_path / "export").mkdir()

    project = await anchored.verify()
    independent = await anchored.independent(folder)
    assert sorted(f["kind"] for f in independent["findings"]) == found(project), independent["findings"]
    assert independent["checkpoints"] == project.checkpoints >= 2
    assert independent["ok"] is (alteration == "nothing")
