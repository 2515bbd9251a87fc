"""The local infrastructure is real: PostgreSQL commits, Kafka delivers, dev tokens verify."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import UTC, datetime, timedelta

import asyncpg
import jwt
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from devinfra.kafka import console_consumer_command
from devinfra.tokens import AUDIENCE, ISSUER

pytestmark = pytest.mark.integration


async def test_postgres_commits_a_transaction_and_rolls_back_a_failed_one(new_database):
    connection = await asyncpg.connect(await new_database("infra"))
    try:
        async with connection.transaction():
            await connection.execute("CREATE TABLE events (id int PRIMARY KEY)")
            await connection.execute("INSERT INTO events VALUES (1)")
        with pytest.raises(asyncpg.UniqueViolationError):
            async with connection.transaction():
                await connection.execute("INSERT INTO events VALUES (2)")
                await connection.execute("INSERT INTO events VALUES (1)")
        assert await connection.fetchval("SELECT array_agg(id) FROM events") == [1]
    finally:
        await connection.close()


async def test_kafka_delivers_a_produced_record_to_a_consumer_and_the_console_consumer(
    infrastructure, unique_name
):
    topic, bootstrap = unique_name("infra"), infrastructure.bootstrap_servers
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b'{"type": "CaseOpened"}', key=b"case-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=unique_name("group"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), timeout=30)
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"case-1", b'{"type": "CaseOpened"}')

    console = await asyncio.to_thread(
        subprocess.run,
        [*console_consumer_command(bootstrap, topic), "--max-messages", "1", "--timeout-ms", "30000"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert console.stdout.strip() == '{"type": "CaseOpened"}', console.stderr


def test_starting_again_reuses_the_running_servers(infrastructure):
    servers = [server for server in (infrastructure.postgres, infrastructure.kafka) if server is not None]
    for server in servers:
        server.start()
        assert server.is_running()


def test_a_minted_token_verifies_against_the_published_jwks(dev_keys):
    token = dev_keys.mint("partenaire", subject="alice", organisation_id="org-42")

    jwks = jwt.PyJWKSet.from_dict(json.loads(dev_keys.jwks_path.read_text()))
    key = jwks[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key=key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)

    assert (claims["sub"], claims["roles"], claims["org"]) == ("alice", ["partenaire"], "org-42")
    assert claims["exp"] - claims["iat"] == 8 * 3600 and claims["jti"]


def test_a_token_without_organisation_has_no_org_claim_and_expires(dev_keys):
    yesterday = datetime.now(UTC) - timedelta(days=1)
    token = dev_keys.mint("cpip", now=yesterday)

    jwks = jwt.PyJWKSet.from_dict(json.loads(dev_keys.jwks_path.read_text()))
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, key=jwks[dev_keys.kid], algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)
    assert "org" not in jwt.decode(token, options={"verify_signature": False})


def test_a_broker_that_cannot_start_is_an_error_not_a_skip(tmp_path):
    """What the session fixture relies on: infrastructure that cannot start raises, so tests fail."""
    import socket

    from devinfra.infra import free_port
    from devinfra.kafka import KafkaStartError, LocalKafka

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        with pytest.raises(KafkaStartError, match="already in use"):
            LocalKafka(tmp_path / "kafka", port=taken, controller_port=free_port()).start(timeout=10)
