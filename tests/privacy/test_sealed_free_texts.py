"""Every free text IPRO writes about a person (issue 17: goals and their steps, a leave's purpose and its
refusal's reasons, reasons, outcomes' details, the CPU's opinion, a refused classement's reasons, the profile's
lists) is stored sealed in IPRO's events table, read back in clear by the service's event store, and read as
erased, still valid for its contract, once the person's key is destroyed."""

from __future__ import annotations

import json

import pytest

from contracts import Actor, parse_payload
from kernel.database import create_pool
from kernel.eventstore import NEW_STREAM, EventStore, Metadata
from kernel.keyring import Keyring, KeyringSettings
from kernel.sealing import clear_values, erased_payload, has_values, is_sealed, plan_of
from tests.privacy.personal_texts import SAMPLES, TEXT

pytestmark = pytest.mark.integration


@pytest.fixture
async def keyring(infrastructure):
    keyring = await Keyring.open(KeyringSettings())
    yield keyring
    await keyring.close()


@pytest.fixture
async def ipro_store(new_database, keyring):
    pool = await create_pool(await new_database("ipro"))
    yield EventStore(pool, keyring=keyring)
    await pool.close()


def sealed_values(payload: dict) -> list[dict]:
    """Every sealed object of a stored payload, at any depth."""
    found: list[dict] = []

    def walk(value) -> None:
        if is_sealed(value):
            found.append(value)
        elif isinstance(value, dict):
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(payload)
    return found


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.id)
async def test_a_free_text_about_a_person_is_stored_sealed_read_in_clear_and_erased_with_their_key(
    ipro_store, keyring, unique_name, sample
):
    subject = unique_name("person")  # the run's keyring is shared: this person's key is destroyed below
    event, plan = sample.event, plan_of(type(sample.event))
    clear = event.model_dump(mode="json")
    async with ipro_store.transaction() as session:
        await session.append(
            sample.stream_type,
            sample.stream_id,
            NEW_STREAM,
            [event],
            Metadata(actor=Actor(subject="cip-1", role="ipro_conseiller")),
            subject=subject,
        )

    stored = json.loads(
        await ipro_store.pool.fetchval(
            "SELECT payload::text FROM events WHERE stream_id = $1", sample.stream_id
        )
    )
    assert has_values(clear, plan) and clear_values(stored, plan) == []
    assert TEXT not in json.dumps(stored, ensure_ascii=False)
    assert {value["enc"] for value in sealed_values(stored)} == {"v1"}
    (read,) = await ipro_store.read_stream(sample.stream_id)
    assert read.payload == clear

    assert await keyring.destroy(subject)
    (erased,) = await ipro_store.read_stream(sample.stream_id)
    assert erased.payload == erased_payload(clear, plan)
    assert TEXT not in json.dumps(erased.payload, ensure_ascii=False)
    parse_payload(event.event_type, event.schema_version, erased.payload)  # every reader still validates it
