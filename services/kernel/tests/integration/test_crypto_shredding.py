"""Crypto-shredding in the kernel (issue 17): personal fields are stored and published sealed, the hash chain
covers the ciphertext, readers get them in clear through the keyring, and as erased once the key is gone."""

import asyncio
import contextlib
import json

import pytest

from devinfra.testkit import read_topic, wait_for
from kernel import database
from kernel import keyring as keyring_module
from kernel.consumer import ConsumerRunner, Subscription
from kernel.database import create_pool, migrate
from kernel.eventstore import NEW_STREAM, EventStore
from kernel.hashchain import hash_of
from kernel.keyring import Keyring, KeyringSettings, KeyUnwrapFailed, LocalKeyWrapper, SubjectErased
from kernel.relay import Relay, topic_router
from kernel.sealing import ERASED_DATE, ERASED_TEXT
from kernel.settings import ServiceSettings

from ..samples import ONE_NODE, PersonNoted, SampleRecorded, a_person_noted, metadata

pytestmark = pytest.mark.integration

CLEAR_VALUES = ("Lefèvre", "1990-05-17", "Mme Durand", "Martin", "Suivi renforcé")


@pytest.fixture
async def keyring(infrastructure):
    keyring = await Keyring.open(KeyringSettings())
    yield keyring
    await keyring.close()


@pytest.fixture
async def sealed_store(dsn, keyring):
    pool = await create_pool(dsn)
    yield EventStore(pool, keyring=keyring)
    await pool.close()


def person_id(unique_name) -> str:
    return unique_name("person")  # the keyring is shared by the whole run


async def stored_rows(dsn):
    connection = await database.connect(dsn)
    try:
        return await connection.fetch("SELECT * FROM events ORDER BY position")
    finally:
        await connection.close()


async def test_personal_values_are_stored_sealed_and_read_back_in_clear(sealed_store, dsn, unique_name):
    subject = person_id(unique_name)
    event = a_person_noted()
    async with sealed_store.transaction() as session:
        appended = await session.append("person", "p-1", NEW_STREAM, [event], metadata(), subject=subject)

    (row,) = await stored_rows(dsn)
    stored = json.dumps(row["payload"], ensure_ascii=False)
    assert not [value for value in CLEAR_VALUES if value in stored]
    assert row["payload"]["person"]["town"] == "Arras" and row["payload"]["count"] == 3
    assert appended[0].payload == event.model_dump(mode="json")  # the caller renders the clear payload
    (read,) = await sealed_store.read_stream("p-1")
    assert read.payload == event.model_dump(mode="json")


async def test_the_hash_chain_covers_the_ciphertext_and_verifies(sealed_store, dsn, unique_name):
    subject = person_id(unique_name)
    async with sealed_store.transaction() as session:
        await session.append(
            "person", "p-1", NEW_STREAM, [a_person_noted(), a_person_noted()], metadata(), subject=subject
        )

    rows = await stored_rows(dsn)
    assert [hash_of(dict(r)) for r in rows] == [r["hash"] for r in rows]
    assert await sealed_store.verify() == {}


async def test_once_the_key_is_destroyed_the_stream_reads_as_erased_and_takes_no_new_personal_data(
    sealed_store, keyring, dsn, unique_name
):
    subject = person_id(unique_name)
    async with sealed_store.transaction() as session:
        await session.append("person", "p-1", NEW_STREAM, [a_person_noted()], metadata(), subject=subject)

    assert await keyring.destroy(subject)
    assert not await keyring.destroy(subject)  # once is enough

    (read,) = await sealed_store.read_stream("p-1")
    event = PersonNoted.model_validate(read.payload)
    assert (event.person.name, event.person.born_on.isoformat()) == (ERASED_TEXT, ERASED_DATE)
    assert event.helpers == [ERASED_TEXT] and event.note == ERASED_TEXT and event.count == 3
    with pytest.raises(SubjectErased):
        async with sealed_store.transaction() as session:
            await session.append("person", "p-1", 1, [a_person_noted()], metadata(), subject=subject)
    async with sealed_store.transaction() as session:  # nothing personal: still recorded
        await session.append("person", "p-1", 1, [SampleRecorded(number=1)], metadata(), subject=subject)
    assert len(await stored_rows(dsn)) == 2
    assert await sealed_store.verify() == {}


async def erased(keyring: Keyring, kid: str) -> bool:
    return (await keyring.for_reading([kid]))[kid] is None


async def test_a_destruction_reaches_every_other_keyring_at_once_not_after_its_cache_time(new_database):
    settings = KeyringSettings(KEYRING_DATABASE_URL=await new_database("keyring"), KEYRING_CACHE_SECONDS=3600)
    eraser, replica = await Keyring.open(settings), await Keyring.open(settings)
    try:
        await eraser.for_writing("person-1")
        assert not await erased(replica, "person-1")  # cached by the replica for an hour

        await eraser.destroy("person-1")

        await wait_for(lambda: erased(replica, "person-1"), timeout=10, message="the replica told")
        with pytest.raises(SubjectErased):
            await replica.for_writing("person-1")
    finally:
        await eraser.close()
        await replica.close()


async def test_a_keyring_whose_listening_connection_drops_trusts_none_of_its_cached_keys(new_database):
    settings = KeyringSettings(KEYRING_DATABASE_URL=await new_database("keyring"), KEYRING_CACHE_SECONDS=3600)
    replica = await Keyring.open(settings)
    try:
        await replica.for_writing("person-1")
        # The key is destroyed behind the replica's back while it cannot be told (its notification is lost).
        async with replica.pool.acquire() as connection:
            await connection.execute("ALTER TABLE subject_keys DISABLE TRIGGER subject_keys_destroyed_notify")
            await connection.execute(
                "UPDATE subject_keys SET wrapped_key = NULL, kek_id = NULL, destroyed_at = now()"
            )
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1"
                " AND datname = current_database()",
                keyring_module.LISTENER_NAME,
            )
        await wait_for(lambda: erased(replica, "person-1"), timeout=10, message="the cache emptied")
    finally:
        await replica.close()


async def test_a_keyring_listens_again_once_its_connection_is_back(new_database, monkeypatch):
    monkeypatch.setattr(keyring_module, "LISTENER_PROBE_SECONDS", 0.2)  # (the test's own: probed often)
    settings = KeyringSettings(KEYRING_DATABASE_URL=await new_database("keyring"), KEYRING_CACHE_SECONDS=3600)
    eraser, replica = await Keyring.open(settings), await Keyring.open(settings)
    listening = (
        "SELECT array_agg(pid) FROM pg_stat_activity"
        f" WHERE application_name = '{keyring_module.LISTENER_NAME}' AND datname = current_database()"
    )
    try:
        before = set(await eraser.pool.fetchval(listening))
        await eraser.pool.execute(
            "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", list(before)
        )
        await wait_for(
            lambda: listeners_besides(eraser, listening, before, 2),
            timeout=10,
            message="both listening again",
        )
        await eraser.for_writing("person-1")
        assert not await erased(replica, "person-1")  # cached again, for an hour

        await eraser.destroy("person-1")

        await wait_for(lambda: erased(replica, "person-1"), timeout=10, message="the replica told")
    finally:
        await eraser.close()
        await replica.close()


async def listeners_besides(keyring: Keyring, listening: str, before: set[int], count: int) -> bool:
    return len(set(await keyring.pool.fetchval(listening) or []) - before) >= count


async def test_a_destroyed_key_never_comes_back(keyring, unique_name):
    subject = person_id(unique_name)
    await keyring.for_writing(subject)
    await keyring.destroy(subject)

    with pytest.raises(Exception, match="cannot come back"):
        await keyring.pool.execute(
            "UPDATE subject_keys SET wrapped_key = '\\x00', destroyed_at = NULL, kek_id = 'k'"
        )
    with pytest.raises(Exception, match="never deleted"):
        await keyring.pool.execute("DELETE FROM subject_keys WHERE subject_id = $1", subject)


async def test_a_kek_rotation_rewraps_every_live_key_and_the_data_still_opens(dsn, new_database):
    """On a keyring of its own: the run's shared one must keep its KEK."""
    old, new, other = (LocalKeyWrapper.generate_spec(kek) for kek in ("kek-old", "kek-new", "kek-other"))
    keyring_dsn = await new_database("keyring")
    before = await Keyring.open(KeyringSettings(KEYRING_DATABASE_URL=keyring_dsn, KEYRING_KEK=old))
    pool = await create_pool(dsn)
    try:
        async with EventStore(pool, keyring=before).transaction() as session:
            await session.append(
                "person", "p-1", NEW_STREAM, [a_person_noted()], metadata(), subject="person-1"
            )
        await before.destroy("person-2")
        rotated = Keyring(before.pool, LocalKeyWrapper.parse(f"{new},{old}"))

        assert await rotated.rewrap() == 1  # the destroyed key stays destroyed
        assert await before.pool.fetchval(
            "SELECT kek_id FROM subject_keys WHERE subject_id = 'person-1'"
        ) == ("kek-new")
        (read,) = await EventStore(pool, keyring=rotated).read_stream("p-1")
        assert read.payload["note"] == "Suivi renforcé"
        not_given_the_new_kek = Keyring(before.pool, LocalKeyWrapper.parse(f"{other},{old}"))
        with pytest.raises(KeyUnwrapFailed, match="kek-new"):
            await EventStore(pool, keyring=not_given_the_new_kek).read_stream("p-1")
    finally:
        await pool.close()
        await before.close()


async def test_the_relay_publishes_ciphertext_and_a_consumer_reads_clear_then_erased(
    sealed_store, keyring, dsn, bootstrap, unique_name, new_database
):
    subject, prefix = person_id(unique_name), unique_name("t") + "."
    async with sealed_store.transaction() as session:
        await session.append("person", "p-1", NEW_STREAM, [a_person_noted()], metadata(), subject=subject)
    settings = ServiceSettings(database_url=dsn, kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=prefix)
    topic = f"{prefix}kerneltest.events"
    relay = Relay(
        dsn,
        bootstrap,
        topic_router(settings, "kerneltest"),
        topics=[topic, f"{prefix}kerneltest.restricted"],
        topic_policy=ONE_NODE,
    )
    relay_task = asyncio.create_task(relay.run())
    try:
        (record,) = await read_topic(bootstrap, topic, at_least=1)
    finally:
        relay_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay_task
    assert not [value for value in CLEAR_VALUES if value.encode() in record.value]

    # A reader in another database, as programmes reads assessment's events: first in clear, then erased.
    reader_dsn = await new_database("reader")
    await migrate(reader_dsn)
    pool = await create_pool(reader_dsn)
    await pool.execute("CREATE TABLE names (event_id uuid, name text)")

    async def keep_name(connection, envelope, event):
        await connection.execute("INSERT INTO names VALUES ($1, $2)", envelope.event_id, event.person.name)

    reader_keyring = await Keyring.open(KeyringSettings(KEYRING_CACHE_SECONDS=3600))
    name = unique_name("names")

    async def read_names() -> list[str]:
        runner = ConsumerRunner(
            Subscription(name, [topic], keep_name),
            pool,
            bootstrap,
            dsn=reader_dsn,
            topic_policy=ONE_NODE,
            keyring=reader_keyring,
        )
        task = asyncio.create_task(runner.run())
        try:
            await wait_for(
                lambda: pool.fetchval("SELECT count(*) FROM names"), timeout=30, message="a name kept"
            )
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        return [r["name"] for r in await pool.fetch("SELECT name FROM names")]

    try:
        assert await read_names() == ["Lefèvre"]  # the reader now holds the key, cached for an hour
        await keyring.destroy(subject)  # by another process's keyring: this one is told at once
        await pool.execute(
            "DELETE FROM names; DELETE FROM consumer_checkpoints; DELETE FROM processed_events"
        )
        await wait_for(lambda: erased(reader_keyring, subject), timeout=10, message="the destruction heard")
        # A replica reading the person's data again (a lagging partition, a rebuild) copies nothing readable.
        assert await read_names() == [ERASED_TEXT]
    finally:
        await pool.close()
        await reader_keyring.close()
