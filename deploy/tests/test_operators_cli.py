"""The operator's commands of `passerelle-dev` act on the services' real databases and topics: a view rebuilt,
dead letters listed and re-driven once, a database rebased on its cluster."""

import asyncio
import contextlib
import re
import threading
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from contracts import Actor, EventEnvelope
from contracts.partners import OrganisationType, PartnerRegistered
from devinfra.audit import app as passerelle
from devinfra.cli import app
from devinfra.infra import SERVICES, database_url_variable
from kernel import kafka
from kernel.consumer import ConsumerRunner
from kernel.database import create_pool, migrate
from projections.bootstrap import DEFINITION, subscriptions
from projections.settings import ProjectionsSettings

pytestmark = pytest.mark.integration


@pytest.fixture
async def operator_env(new_database, infrastructure, unique_name, monkeypatch):
    """The environment `passerelle-dev` reads: this test's broker, topics and a projections database."""
    dsn = await new_database("projections")
    await migrate(dsn, DEFINITION.migrations)
    prefix = unique_name("ops") + "."
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infrastructure.bootstrap_servers)
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", prefix)
    for service in SERVICES:
        monkeypatch.setenv(database_url_variable(service), dsn)
    return {"dsn": dsn, "prefix": prefix, "bootstrap": infrastructure.bootstrap_servers}


def invoke(*arguments: str) -> str:
    result = CliRunner().invoke(app, list(arguments), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_rebuild_empties_the_view_and_sends_its_subscription_back_to_offset_0(operator_env):
    view = f"{operator_env['prefix']}projections.partner-views"
    asyncio.run(
        _execute(
            operator_env["dsn"],
            f"""
        INSERT INTO directory_partners (partner_id, name, siret, organisation_type, registered_at, stream_version)
            VALUES ('p-1', 'Mission locale', '73282932000074', 'mission_locale', now(), 3);
        INSERT INTO consumer_checkpoints VALUES ('{view}', '{operator_env["prefix"]}partners.events', 0, 42);
        INSERT INTO processed_events (consumer, event_id) VALUES ('{view}', gen_random_uuid());
        INSERT INTO consumer_leases (consumer, epoch) VALUES ('{view}', 7)""",
        )
    )

    output = invoke("rebuild", view, "--no-wait")

    assert "emptied, replaying from offset 0" in output
    assert asyncio.run(
        _fetch(
            operator_env["dsn"],
            """
        SELECT (SELECT count(*) FROM directory_partners), (SELECT count(*) FROM consumer_checkpoints),
               (SELECT count(*) FROM processed_events), (SELECT epoch FROM consumer_leases)""",
        )
    ) == (0, 0, 0, 8)


def test_replay_is_the_issue_s_name_for_a_rebuild_and_reports_events_per_second(operator_env):
    """`passerelle replay` (and `passerelle-dev replay`) empties the view, then follows the running service's
    consumer replaying it from offset 0 to the end, and says how many messages it replayed and how fast."""
    settings = ProjectionsSettings(
        database_url=operator_env["dsn"],
        kafka_bootstrap_servers=operator_env["bootstrap"],
        kafka_topic_prefix=operator_env["prefix"],
    )
    (view,) = [s for s in subscriptions(settings) if s.name == settings.topic("projections.partner-views")]
    asyncio.run(_publish_partners(operator_env["bootstrap"], settings.topic("partners.events"), 3))

    with _running(view, operator_env["dsn"], operator_env["bootstrap"]):
        output = CliRunner().invoke(passerelle, ["replay", view.name], catch_exceptions=False).output
        again = invoke("replay", view.name)

    for said in (output, again):
        assert "emptied, replaying from offset 0" in said, said
        assert re.search(rf"{re.escape(view.name)}: 3 messages replayed in [0-9.]+ s \([0-9]+/s\)", said), (
            said
        )
    assert asyncio.run(_fetch(operator_env["dsn"], "SELECT count(*) FROM directory_partners")) == (3,)


def test_a_reaction_cannot_be_rebuilt(operator_env):
    result = CliRunner().invoke(app, ["rebuild", f"{operator_env['prefix']}programmes.assessment-replica"])
    assert result.exit_code == 2 and "reacts with events of its own" in result.output


def test_dead_letters_are_listed_then_redriven_once(operator_env):
    view = f"{operator_env['prefix']}projections.partner-views"
    asyncio.run(_park(operator_env["bootstrap"], f"{operator_env['prefix']}partners.events.dlq", view))

    assert "1 dead letter(s), 1 not re-driven" in invoke("dlq", "list", view)
    assert "1 dead letter(s) re-driven" in invoke("dlq", "redrive", view)
    assert "0 dead letter(s) re-driven" in invoke("dlq", "redrive", view)
    listed = invoke("dlq", "list", view)
    assert "re-driven" in listed and "ValidationError: number: int_parsing" in listed


def test_a_database_on_its_own_cluster_is_rebased_without_a_shift(operator_env):
    assert "transaction ids shifted by 0" in invoke("relay", "rebase", "projections")


async def _park(bootstrap: str, dlq: str, consumer: str) -> None:
    await kafka.ensure_topics(bootstrap, [dlq], kafka.TopicPolicy(3, 1, 1))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            dlq,
            value=b'{"event_type": "partners.partner.registered", "event_id": "e-1"}',
            key=b"p-1",
            headers=[
                ("dlq.consumer", consumer.encode()),
                ("dlq.error", b"ValidationError: number: int_parsing"),
            ],
        )
    finally:
        await producer.stop()


@contextlib.contextmanager
def _running(subscription, dsn: str, bootstrap: str):
    """The view's consumer as the projections service runs it, on a loop of its own beside the command's."""
    stop = threading.Event()

    async def run() -> None:
        pool = await create_pool(dsn)
        runner = ConsumerRunner(
            subscription, pool, bootstrap, dsn=dsn, topic_policy=kafka.TopicPolicy(3, 1, 1)
        )
        task = asyncio.create_task(runner.run())
        try:
            while not stop.is_set() and not task.done():
                await asyncio.sleep(0.1)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await pool.close()

    thread = threading.Thread(target=asyncio.run, args=(run(),))
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


async def _publish_partners(bootstrap: str, topic: str, count: int) -> None:
    await kafka.ensure_topics(bootstrap, [topic], kafka.TopicPolicy(3, 1, 1))
    producer = kafka.idempotent_producer(bootstrap)
    await producer.start()
    try:
        for n in range(1, count + 1):
            event = PartnerRegistered(
                partner_id=f"p-{n}",
                name=f"Partenaire {n}",
                siret=f"{n:014d}",
                organisation_type=OrganisationType.ASSOCIATION,
            )
            envelope = EventEnvelope(
                event_id=uuid.uuid4(),
                event_type=event.event_type,
                schema_version=event.schema_version,
                stream_type="partner",
                stream_id=f"p-{n}",
                stream_version=1,
                position=n,
                occurred_at=datetime.now(UTC),
                recorded_at=datetime.now(UTC),
                actor=Actor(subject="ripro-1", role="ripro"),
                correlation_id=f"c-{n}",
                payload=event.model_dump(mode="json"),
                previous_hash=None,
                hash=f"hash-{n}",
            )
            key, value, headers = kafka.encode(envelope)
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def _execute(dsn: str, sql: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _fetch(dsn: str, sql: str) -> tuple:
    connection = await asyncpg.connect(dsn)
    try:
        return tuple(await connection.fetchrow(sql))
    finally:
        await connection.close()
