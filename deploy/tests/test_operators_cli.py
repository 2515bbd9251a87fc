"""The operator's commands of `passerelle-dev` act on the services' real databases and topics: a view rebuilt,
dead letters listed and re-driven once, a database rebased on its cluster."""

import asyncio

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from devinfra.cli import app
from devinfra.infra import SERVICES, database_url_variable
from kernel import kafka
from kernel.database import migrate
from projections.bootstrap import DEFINITION

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
