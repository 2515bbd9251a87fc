"""Signed checkpoints (kernel.checkpoints, ADR 27): a service publishes one after appends and none while idle,
each signed with its key over the heads its table gives; a checkpointer never signs a history rewritten under
its last checkpoint."""

import asyncio

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contracts.roles import ESTABLISHMENT
from devinfra.testkit import serving, wait_for
from kernel import database, kafka
from kernel.checkpoints import (
    Checkpointer,
    HistoryRewritten,
    SigningKey,
    heads_at,
    last_published,
    new_key_pem,
    signature_problem,
    topic_of,
)
from kernel.service import ServiceDefinition, create_service_app
from kernel.settings import ServiceSettings

from ..samples import ONE_NODE, SampleRecorded, metadata

pytestmark = pytest.mark.integration


async def append(store, *streams: tuple[str, list[int]]) -> None:
    """One transaction appending to each stream (id, numbers) after its current head."""
    async with store.transaction() as session:
        for stream_id, numbers in streams:
            head = len(await session.read_stream(stream_id))
            events = [SampleRecorded(number=n) for n in numbers]
            await session.append("sample", stream_id, head, events, metadata())


@pytest.fixture
async def connection(dsn):
    connection = await database.connect(dsn)
    yield connection
    await connection.close()


async def test_a_service_publishes_a_signed_checkpoint_after_appends_and_none_while_idle(
    dsn, bootstrap, unique_name, dev_keys, tmp_path
):
    private, _ = new_key_pem()
    (key_file := tmp_path / "kerneltest.key").write_bytes(private)
    key = SigningKey.from_file(key_file)
    prefix = unique_name("anchor") + "."
    settings = ServiceSettings(
        database_url=dsn,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        auth_jwks_file=dev_keys.jwks_path,
        checkpoint_key_file=key_file,
        checkpoint_seconds=0.1,
        run_relay=False,
    )
    topic = topic_of("kerneltest", settings.topic)
    app = create_service_app(ServiceDefinition(name="kerneltest", roles=ESTABLISHMENT), settings)

    async def published(sequence: int):
        last = await last_published(bootstrap, topic)
        return last if last is not None and last.sequence >= sequence else None

    async with serving(app) as client:
        store = app.state.event_store
        await append(store, ("s-1", [1, 2, 3]), ("s-2", [4]))
        first = await wait_for(lambda: published(1), timeout=30, message="a first checkpoint")
        assert (first.service, first.sequence, first.streams, first.events) == ("kerneltest", 1, 2, 4)
        assert signature_problem(first, {key.key_id: key.public_key()}) is None

        await asyncio.sleep(0.5)  # five intervals with nothing appended: an absence needs time to pass
        assert (await last_published(bootstrap, topic)).sequence == 1
        await append(store, ("s-1", [5]))
        moved = await wait_for(lambda: published(2), timeout=30, message="a checkpoint after the append")
        assert (moved.sequence, moved.streams, moved.events) == (2, 2, 5)
        assert (await client.get("/ready")).status_code == 200

    connection = await database.connect(dsn)
    try:
        assert (await heads_at(connection, moved.cursor)).root() == moved.root
        assert (await heads_at(connection, first.cursor)).root() == first.root
    finally:
        await connection.close()


@pytest.fixture
def checkpointer(dsn, bootstrap, unique_name):
    def make(key: SigningKey | None = None) -> Checkpointer:
        return Checkpointer(
            "kerneltest",
            dsn,
            key or SigningKey(Ed25519PrivateKey.generate()),
            bootstrap,
            unique_name("checkpoints"),
            topic_policy=ONE_NODE,
        )

    return make


async def test_a_pass_over_an_idle_log_signs_nothing(store, connection, checkpointer):
    signer = checkpointer()
    assert await signer.pass_once(connection) is None
    await append(store, ("s-1", [1, 2]))
    signed = await signer.pass_once(connection)
    assert (signed.sequence, signed.streams, signed.events) == (1, 1, 2)
    assert await signer.pass_once(connection) is None


async def test_a_checkpointer_resumes_from_its_last_checkpoint_unless_history_was_rewritten_under_it(
    store, connection, bootstrap, checkpointer
):
    signer = checkpointer()
    await append(store, ("s-1", [1, 2]))
    await append(store, ("s-2", [3]))
    last = await signer.pass_once(connection)
    await kafka.ensure_topics(bootstrap, [signer.topic], ONE_NODE)
    producer = kafka.idempotent_producer(bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(signer.topic, last.to_json(), key=b"kerneltest")
    finally:
        await producer.stop()
    restarted = checkpointer(signer.key)
    restarted.topic = signer.topic
    await restarted.resume(connection, await last_published(bootstrap, signer.topic))
    assert (restarted.sequence, restarted.cursor, restarted.heads.root()) == (1, last.cursor, last.root)

    await connection.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")  # as its owner may
    await connection.execute("DELETE FROM events WHERE stream_id = 's-2'")
    with pytest.raises(HistoryRewritten, match="no longer gives the root of checkpoint 1"):
        await checkpointer(signer.key).resume(connection, last)


async def test_a_checkpointer_stops_at_an_event_that_does_not_extend_its_head(
    store, connection, checkpointer
):
    signer = checkpointer()
    await append(store, ("s-1", [1, 2]))
    await signer.pass_once(connection)
    await connection.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
    await connection.execute("UPDATE events SET hash = repeat('0', 64) WHERE stream_version = 2")
    await append(store, ("s-1", [3]))  # written after the rewritten head, linked to it
    with pytest.raises(HistoryRewritten, match="s-1 v3 .* does not extend the head v2"):
        await signer.pass_once(connection)
