"""Every free text IPRO writes about a person (issue 17: goals and their steps, a leave's purpose and its
refusal's reasons, reasons, outcomes' details, the CPU's opinion, a refused classement's reasons, the profile's
lists) is stored sealed in IPRO's events table, read back in clear by the service's event store, and read as
erased, still valid for its contract, once the person's key is destroyed. A group's attendance marks (programmes),
in a stream with no person's key, are each sealed with their participant's key: one erasure erases one mark."""

from __future__ import annotations

import json

import pytest

from contracts import Actor, parse_payload
from contracts.programmes import AttendanceMark, AttendanceRecorded, Mark
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


@pytest.fixture
async def programmes_store(new_database, keyring):
    pool = await create_pool(await new_database("programmes"))
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


async def test_each_attendance_marks_reason_is_sealed_with_its_participants_key_and_erased_with_them_alone(
    programmes_store, keyring, unique_name
):
    first, second = unique_name("person"), unique_name("person")
    excused = AttendanceMark.ABSENT_EXCUSED
    event = AttendanceRecorded(
        group_id="group-1",
        session_id="group-1-s1",
        marks=[
            Mark(referral_id="referral-1", subject_id=first, mark=excused, reason=TEXT),
            Mark(referral_id="referral-2", subject_id=second, mark=excused, reason="Parloir"),
            Mark(referral_id="referral-3", subject_id=None, mark=AttendanceMark.PRESENT),
        ],
    )
    async with programmes_store.transaction() as session:  # a group's event: no subject
        await session.append(
            "group", "group-1", NEW_STREAM, [event], Metadata(actor=Actor(subject="anim-1", role="cpip"))
        )
    stored = json.loads(
        await programmes_store.pool.fetchval("SELECT payload::text FROM events WHERE stream_id = 'group-1'")
    )
    assert TEXT not in json.dumps(stored, ensure_ascii=False)
    # Each mark's reason under its participant's key; one naming no one, under the group's.
    assert [m["reason"]["kid"] for m in stored["marks"]] == [first, second, "stream:programmes/group-1"]
    (read,) = await programmes_store.read_stream("group-1")
    assert read.payload == event.model_dump(mode="json")

    assert await keyring.destroy(first)
    (erased,) = await programmes_store.read_stream("group-1")
    assert [m["reason"] for m in erased.payload["marks"]] == ["[effacé]", "Parloir", ""]
    assert parse_payload(event.event_type, 2, erased.payload).marks[0].mark == excused
