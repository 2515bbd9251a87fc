"""Crypto-shredding (issue 17): personal fields sealed per person, opened by readers, erased once the key goes."""

import json
import uuid
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts import Actor, EventEnvelope, parse_payload
from contracts.assessment import CaseOpened
from contracts.programmes import AttendanceMark, AttendanceRecorded, Mark
from kernel.keyring import Keyring, KeyUnwrapFailed, LocalKeyWrapper, SubjectErased, UnknownDataKey
from kernel.sealing import (
    ERASED_DATE,
    ERASED_TEXT,
    Leaf,
    SealBroken,
    Sealer,
    clear_values,
    erased_payload,
    has_values,
    is_sealed,
    plan_of,
)

from ..samples import PersonNoted, a_person_noted


class InMemoryKeyring:
    """The keyring's reading and writing, without its database."""

    def __init__(self) -> None:
        self.keys: dict[str, AESGCM | None] = {}

    async def for_writing(self, kid: str) -> AESGCM:
        if kid not in self.keys:
            self.keys[kid] = AESGCM(AESGCM.generate_key(bit_length=256))
        if self.keys[kid] is None:
            raise SubjectErased(kid)
        return self.keys[kid]

    async def for_reading(self, kids) -> dict:
        if missing := [kid for kid in kids if kid not in self.keys]:
            raise UnknownDataKey(missing[0])
        return {kid: self.keys[kid] for kid in kids}

    async def destroy(self, kid: str) -> None:
        self.keys[kid] = None


def envelope_of(event, payload: dict, *, event_id=None, subject: str | None = "person-1") -> EventEnvelope:
    return EventEnvelope(
        event_id=event_id or uuid.uuid4(),
        event_type=event.event_type,
        schema_version=event.schema_version,
        stream_type="person",
        stream_id="p-1",
        stream_version=1,
        position=1,
        occurred_at=datetime(2026, 1, 5, tzinfo=UTC),
        recorded_at=datetime(2026, 1, 5, tzinfo=UTC),
        actor=Actor(subject="cpip-1", role="cpip"),
        subject=subject,
        correlation_id="c",
        payload=payload,
        previous_hash=None,
        hash="0" * 64,
    )


async def sealed(sealer: Sealer, event, *, subject: str | None = "person-1", stream_id: str = "p-1"):
    event_id = uuid.uuid4()
    payload = await sealer.seal(
        event, event.model_dump(mode="json"), event_id=event_id, subject=subject, stream_id=stream_id
    )
    return envelope_of(event, payload, event_id=event_id, subject=subject)


@pytest.fixture
def keyring() -> InMemoryKeyring:
    return InMemoryKeyring()


@pytest.fixture
def sealer(keyring) -> Sealer:
    return Sealer(keyring)


def test_the_plan_finds_personal_fields_at_every_depth_with_the_value_each_reads_as_once_erased():
    plan = plan_of(PersonNoted)

    assert plan["person"] == {"name": Leaf(ERASED_TEXT), "born_on": Leaf(ERASED_DATE), "nickname": Leaf(None)}
    assert plan["helpers"] == Leaf([ERASED_TEXT])  # may not be empty
    assert plan["note"] == Leaf(ERASED_TEXT)
    assert plan["companions"].plan == plan["person"]
    assert "count" not in plan
    assert set(plan_of(CaseOpened)) == {"identity"}


async def test_every_personal_value_is_sealed_and_none_is_left_in_clear(sealer):
    envelope = await sealed(sealer, a_person_noted())

    stored = json.dumps(envelope.payload, ensure_ascii=False)
    for clear in (
        "Lefèvre",
        "1990-05-17",
        "Jo la Frite",
        "Mme Durand",
        "Martin",
        "1985-01-02",
        "Suivi renforcé",
    ):
        assert clear not in stored
    assert is_sealed(envelope.payload["person"]["name"]) and envelope.payload["person"]["town"] == "Arras"
    assert envelope.payload["companions"][0]["nickname"] is None  # None says nothing: left as it is
    assert envelope.payload["count"] == 3
    assert clear_values(envelope.payload, plan_of(PersonNoted)) == []
    assert envelope.payload["person"]["name"]["kid"] == "person-1"


async def test_a_sealed_payload_opens_to_the_one_the_contract_validated(sealer):
    event = a_person_noted()
    (opened,) = await sealer.open([await sealed(sealer, event)])

    assert opened.payload == event.model_dump(mode="json")
    assert parse_payload(event.event_type, 1, opened.payload) == event


async def test_each_seal_is_fresh_so_equal_values_do_not_show_as_equal(sealer):
    first, second = await sealed(sealer, a_person_noted()), await sealed(sealer, a_person_noted())

    assert first.payload["person"]["name"]["ct"] != second.payload["person"]["name"]["ct"]


async def test_a_tampered_ciphertext_does_not_open(sealer):
    envelope = await sealed(sealer, a_person_noted())
    ct = envelope.payload["note"]["ct"]
    flipped = ct[:10] + ("A" if ct[10] != "A" else "B") + ct[11:]
    tampered = envelope.model_copy(
        update={"payload": {**envelope.payload, "note": {**envelope.payload["note"], "ct": flipped}}}
    )

    with pytest.raises(SealBroken, match="note"):
        await sealer.open([tampered])


async def test_a_sealed_value_moved_to_another_event_or_field_does_not_open(sealer):
    one, other = await sealed(sealer, a_person_noted()), await sealed(sealer, a_person_noted())
    into_other_event = other.model_copy(update={"payload": {**other.payload, "note": one.payload["note"]}})
    into_other_field = one.model_copy(
        update={"payload": {**one.payload, "note": one.payload["person"]["name"]}}
    )

    for moved in (into_other_event, into_other_field):
        with pytest.raises(SealBroken):
            await sealer.open([moved])


async def test_once_the_key_is_destroyed_every_personal_field_reads_as_erased_and_still_validates(
    sealer, keyring
):
    envelope = await sealed(sealer, a_person_noted())
    await keyring.destroy("person-1")

    (opened,) = await sealer.open([envelope])

    assert opened.payload["person"] == {
        "name": ERASED_TEXT,
        "born_on": ERASED_DATE,
        "nickname": None,
        "town": "Arras",
    }
    assert opened.payload["helpers"] == [ERASED_TEXT] and opened.payload["note"] == ERASED_TEXT
    assert opened.payload["count"] == 3
    assert parse_payload(PersonNoted.event_type, 1, opened.payload).person.name == ERASED_TEXT


async def test_nothing_personal_can_be_recorded_for_an_erased_person(sealer, keyring):
    await keyring.destroy("person-1")

    with pytest.raises(SubjectErased):
        await sealed(sealer, a_person_noted())


async def test_without_a_subject_the_stream_holding_the_data_is_keyed(sealer):
    envelope = await sealed(sealer, a_person_noted(), subject=None, stream_id="group-7")

    assert envelope.payload["note"]["kid"] == "stream:kerneltest/group-7"


def attendance(*marks: Mark) -> AttendanceRecorded:
    return AttendanceRecorded(group_id="group-7", session_id="group-7-s1", marks=list(marks))


ABSENT = AttendanceMark.ABSENT_EXCUSED
MARKS = (
    Mark(referral_id="r-1", subject_id="person-1", mark=ABSENT, reason="Audience au tribunal"),
    Mark(referral_id="r-2", subject_id="person-2", mark=ABSENT, reason="Parloir avec sa fille"),
)


async def test_in_a_list_keyed_by_its_items_each_persons_values_are_sealed_with_their_own_key(sealer):
    """A group's attendance (no subject): each mark's reason takes its participant's key, not the group's."""
    envelope = await sealed(sealer, attendance(*MARKS), subject=None, stream_id="group-7")

    assert [m["reason"]["kid"] for m in envelope.payload["marks"]] == ["person-1", "person-2"]
    assert clear_values(envelope.payload, plan_of(AttendanceRecorded)) == []
    (opened,) = await sealer.open([envelope])
    assert opened.payload == attendance(*MARKS).model_dump(mode="json")


async def test_one_participants_erasure_erases_their_values_alone(sealer, keyring):
    envelope = await sealed(sealer, attendance(*MARKS), subject=None, stream_id="group-7")
    await keyring.destroy("person-1")

    (opened,) = await sealer.open([envelope])

    assert [m["reason"] for m in opened.payload["marks"]] == [ERASED_TEXT, "Parloir avec sa fille"]
    parse_payload(AttendanceRecorded.event_type, 2, opened.payload)
    with pytest.raises(SubjectErased):  # nothing more is recorded about them, even in a group's event
        await sealed(sealer, attendance(*MARKS), subject=None, stream_id="group-7")


def test_a_view_erases_the_values_of_the_person_erased_and_of_items_naming_no_one():
    """`erased_payload` for a subject: their marks, and those written before marks named anyone (whose
    they are cannot be told), not the others'."""
    unnamed = Mark(referral_id="r-3", mark=ABSENT, reason="Malade")
    clear = attendance(*MARKS, unnamed).model_dump(mode="json")

    erased = erased_payload(clear, plan_of(AttendanceRecorded), subject="person-1")

    assert [m["reason"] for m in erased["marks"]] == [ERASED_TEXT, "Parloir avec sa fille", ERASED_TEXT]
    assert all(
        m["reason"] == ERASED_TEXT for m in erased_payload(clear, plan_of(AttendanceRecorded))["marks"]
    )


async def test_payloads_written_before_sealing_are_read_as_they_are(sealer):
    event = a_person_noted()
    legacy = envelope_of(event, event.model_dump(mode="json"))

    assert (await sealer.open([legacy]))[0].payload == legacy.payload


def test_a_payload_whose_personal_fields_are_all_absent_needs_no_key():
    plan = plan_of(PersonNoted)

    assert not has_values({"person": {"nickname": None, "town": "Arras"}, "companions": [], "count": 1}, plan)
    assert has_values({"companions": [{"nickname": "Jo"}]}, plan)


async def test_an_event_with_nothing_personal_to_seal_makes_no_key_and_is_recorded_even_once_erased(
    sealer, keyring
):
    nothing = {"person": {"nickname": None, "town": "Arras"}, "companions": [], "count": 1}

    same = await sealer.seal(
        a_person_noted(), nothing, event_id=uuid.uuid4(), subject="person-2", stream_id="p"
    )
    await keyring.destroy("person-1")
    also = await sealer.seal(
        a_person_noted(), nothing, event_id=uuid.uuid4(), subject="person-1", stream_id="p"
    )

    assert same is nothing and also is nothing
    assert "person-2" not in keyring.keys


async def test_sealing_leaves_the_clear_payload_it_was_given_untouched(sealer):
    event = a_person_noted()
    clear = event.model_dump(mode="json")

    await sealer.seal(event, clear, event_id=uuid.uuid4(), subject="person-1", stream_id="p-1")

    assert clear == event.model_dump(mode="json")  # the store returns it to the caller, in clear


async def test_a_key_of_another_keyring_is_not_read_as_erased(sealer):
    envelope = await sealed(sealer, a_person_noted())

    with pytest.raises(UnknownDataKey):
        await Sealer(InMemoryKeyring()).open([envelope])


async def test_a_wrapped_key_opens_only_for_its_subject_and_under_a_kek_the_wrapper_holds():
    old = LocalKeyWrapper.parse(LocalKeyWrapper.generate_spec("kek-1"))
    key = AESGCM.generate_key(bit_length=256)
    wrapped = await old.wrap(key, "person-1")

    assert await old.unwrap(wrapped, "person-1", "kek-1") == key
    with pytest.raises(KeyUnwrapFailed):
        await old.unwrap(wrapped, "person-2", "kek-1")
    with pytest.raises(KeyUnwrapFailed):
        await old.unwrap(wrapped, "person-1", "kek-0")


async def test_after_a_kek_rotation_keys_wrapped_by_the_old_kek_still_open():
    old_spec = LocalKeyWrapper.generate_spec("kek-1")
    key = AESGCM.generate_key(bit_length=256)
    wrapped = await LocalKeyWrapper.parse(old_spec).wrap(key, "person-1")

    rotated = LocalKeyWrapper.parse(f"{LocalKeyWrapper.generate_spec('kek-2')},{old_spec}")

    assert rotated.current == "kek-2"
    assert await rotated.unwrap(wrapped, "person-1", "kek-1") == key


def test_a_malformed_kek_is_refused_at_start():
    for spec in ("", "no-key", "k:not-base64!", "k:" + "QUJD"):
        with pytest.raises(ValueError):
            LocalKeyWrapper.parse(spec)


class RacingKeyTable:
    """A keyring's pool whose every read of a key comes back after the cache was told to forget (a destruction
    announced while the key was on its way)."""

    def __init__(self, row: dict) -> None:
        self.row, self.reads, self.keyring = row, 0, None

    async def fetch(self, *_):
        self.reads += 1
        self.keyring.forget_all()
        return [self.row]


async def test_a_key_read_while_a_destruction_is_announced_is_used_once_and_not_cached():
    wrapper = LocalKeyWrapper.parse(LocalKeyWrapper.generate_spec("k"))
    wrapped = await wrapper.wrap(AESGCM.generate_key(bit_length=256), "person-1")
    table = RacingKeyTable({"subject_id": "person-1", "wrapped_key": wrapped, "kek_id": "k"})
    keyring = table.keyring = Keyring(table, wrapper, cache_seconds=3600)

    assert (await keyring.for_reading(["person-1"]))["person-1"] is not None
    await keyring.for_reading(["person-1"])

    assert table.reads == 2  # read again from the table: it may have been destroyed meanwhile
