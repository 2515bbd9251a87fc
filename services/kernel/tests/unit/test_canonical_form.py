"""The portable canonical form of event hashes (docs/audit.md): RFC 8785 for version 2, version 1 unchanged."""

import json
import struct
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from contracts import Actor, EventEnvelope
from kernel.hashchain import (
    UnhashableEvent,
    _dumps,
    _load_plain,
    _NotPlain,
    _plain,
    broken_links,
    canonical_text,
    canonical_version_2,
    envelope_hash,
    event_hash,
    hash_of,
    jcs,
    uncovered_fields,
)

AUDIT_DOC = Path(__file__).resolve().parents[4] / "docs" / "audit.md"

# RFC 8785, appendix B: IEEE 754 doubles (as hex) and their canonical text.
NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), NUMBERS)
def test_numbers_are_written_as_rfc_8785_says(bits, text):
    (number,) = struct.unpack(">d", bytes.fromhex(bits))
    assert jcs([number]) == f"[{text}]".encode()


def test_numbers_json_cannot_say_are_refused():
    for number in (float("nan"), float("inf"), 2**53):
        with pytest.raises(UnhashableEvent):
            jcs({"n": number})


def test_strings_are_escaped_as_rfc_8785_says():
    # RFC 8785, 3.2.4 (the numbers' input spelled as Python floats).
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert jcs(value) == expected.encode()


def test_control_characters_have_their_short_or_lowercase_escapes_and_nothing_else_is_escaped():
    assert (
        jcs({"s": "\b\f\n\r\t\x00\x1f\x7f\u2028é"})
        == '{"s":"\\b\\f\\n\\r\\t\\u0000\\u001f\x7f\u2028é"}'.encode()
    )


def test_keys_are_sorted_by_their_utf_16_code_units():
    # RFC 8785, 3.2.3: the emoji (a surrogate pair in UTF-16) sorts before U+FB33, unlike by code point.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(jcs(value)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_the_fast_path_writes_what_the_reference_writes(value):
    assert jcs(value) == rfc8785.dumps(value)


# Without floats, and with keys mostly in the BMP, so that most values take the C encoder's path (`_plain`):
# escapes, control characters, U+E000-U+FFFF beside surrogate pairs, integers at a double's limits.
bmp_text = st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",)), max_size=6)
keys = bmp_text | st.text(max_size=3) | st.sampled_from(["\ufb33", "\U0001f600", "\u20ac", "\r", "", 'a"b'])
plain_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


@given(plain_values)
def test_the_c_encoders_path_is_rfc_8785_for_every_value_it_accepts(value):
    if _plain(value):
        assert _dumps(value).encode() == rfc8785.dumps(value)
    assert jcs(value) == rfc8785.dumps(value)


@given(plain_values | json_values, st.booleans())
def test_a_json_text_is_canonicalised_as_its_value_is(value, ascii_only):
    # The table gives the payload as text: checked while it is parsed (`_load_plain`), encoded once.
    text = json.dumps(
        value, ensure_ascii=ascii_only
    )  # escapes \uXXXX, surrogate pairs included, or raw UTF-8
    assert canonical_text(text).encode() == rfc8785.dumps(value)
    if _plain(value):
        assert _load_plain(text) == value
    else:
        with pytest.raises(_NotPlain):
            _load_plain(text)


atoms = st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8)


@given(
    st.fixed_dictionaries(
        {
            name: atoms
            for name in ("event_id", "event_type", "correlation_id", "causation_id", "previous_hash")
        }
        | {name: atoms for name in ("subject", "restricted", "schema_version", "stream_version", "stream_id")}
        | {"stream_type": atoms | st.floats(allow_nan=False, allow_infinity=False)}
    ),
    st.fixed_dictionaries({"subject": atoms, "role": atoms, "organisation_id": atoms | st.just([1])}),
    plain_values | json_values,
)
def test_the_envelopes_canonical_form_is_rfc_8785_of_its_16_members(fields, actor, payload):
    content = {**fields, "actor": actor, "payload": payload}
    content |= {"occurred_at": "2026-11-27T08:30:00Z", "recorded_at": "2026-11-27T09:30:00.5+01:00"}
    reference = {**content, "hash_version": 2, "event_id": str(content["event_id"])}
    reference |= {"occurred_at": "2026-11-27T08:30:00.000000Z", "recorded_at": "2026-11-27T08:30:00.500000Z"}
    assert canonical_version_2(content) == rfc8785.dumps(reference)
    assert canonical_version_2(content, json.dumps(payload)) == rfc8785.dumps(reference)


def test_a_payload_given_as_text_hashes_as_the_payload_itself():
    envelope = an_envelope(payload={"n": 12, "t": "é\n", "l": [None, True], "\U0001f600": {}, "x": 0.75})
    text = json.dumps(envelope.pop("payload"))
    assert canonical_version_2(envelope, text) == canonical_version_2(
        {**envelope, "payload": json.loads(text)}
    )
    assert hash_of(an_envelope(hash_version=1), payload_text=json.dumps(an_envelope()["payload"])) == hash_of(
        an_envelope(hash_version=1)
    )


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ({"a": [1, "é", None, True, {"\uffff": -(2**53) + 1}]}, True),
        ({"n": 0.5}, False),  # Python writes floats unlike ECMAScript (1.0, 1e-05): always the slow path
        ({"n": 1.0}, False),
        ({"\U0001f600": 1}, False),  # outside the BMP: UTF-16 order is not code point order
        ({"a": {"b": ["\U0001f600"]}}, True),  # only keys are sorted
        ({"n": 2**53}, False),
        ({1: "x"}, False),
        ((1, 2), False),
    ],
)
def test_the_fast_path_takes_only_what_it_writes_as_rfc_8785_does(value, plain):
    assert _plain(value) is plain


def test_keys_outside_the_bmp_take_the_slow_path_and_sort_by_utf_16():
    value = {"\ufb33": 1, "\U0001f600": 2}
    assert _dumps(value) == '{"\ufb33":1,"\U0001f600":2}'  # code point order: not RFC 8785's
    assert jcs(value) == '{"\U0001f600":2,"\ufb33":1}'.encode() == rfc8785.dumps(value)


def an_envelope(**overrides):
    content = {
        "event_id": "0b6f3c1e-5d2a-4c1b-9e8f-2a7d4c6b1e90",
        "event_type": "programmes.referral.requested",
        "schema_version": 1,
        "stream_type": "referral",
        "stream_id": "referral-7c1d",
        "stream_version": 2,
        "position": 41,
        "occurred_at": "2026-11-27T08:30:00Z",
        "recorded_at": "2026-11-27T08:30:00.250000Z",
        "actor": {"subject": "cpip-42", "role": "cpip"},
        "subject": "personne-1f3a",
        "correlation_id": "c-9",
        "payload": {
            "motif": "Orientation vers le PPR « Éviter la récidive »\n",
            "seuil": 0.75,
            "séances": 12,
        },
        "hash_version": 2,
        "previous_hash": "5d41402abc4b2a76b9719d911017c592ae2b3d51a93b6d3b3b7d7d5f2a1b9e0c",
    }
    return {**content, **overrides}


EXAMPLE_CANONICAL = (
    '{"actor":{"organisation_id":null,"role":"cpip","subject":"cpip-42"},"causation_id":null,'
    '"correlation_id":"c-9","event_id":"0b6f3c1e-5d2a-4c1b-9e8f-2a7d4c6b1e90",'
    '"event_type":"programmes.referral.requested","hash_version":2,"occurred_at":"2026-11-27T08:30:00.000000Z",'
    '"payload":{"motif":"Orientation vers le PPR « Éviter la récidive »\\n","seuil":0.75,"séances":12},'
    '"previous_hash":"5d41402abc4b2a76b9719d911017c592ae2b3d51a93b6d3b3b7d7d5f2a1b9e0c",'
    '"recorded_at":"2026-11-27T08:30:00.250000Z","restricted":false,"schema_version":1,'
    '"stream_id":"referral-7c1d","stream_type":"referral","stream_version":2,"subject":"personne-1f3a"}'
)
EXAMPLE_HASH = "6f9d26c9604fc9d54b92e6b05d8cf335b320500c42aab640595db75e7651d3e8"


def test_the_worked_example_of_the_audit_doc_hashes_as_it_says():
    assert canonical_version_2(an_envelope()) == EXAMPLE_CANONICAL.encode()
    assert hash_of(an_envelope()) == EXAMPLE_HASH
    doc = AUDIT_DOC.read_text()
    assert EXAMPLE_CANONICAL in doc and EXAMPLE_HASH in doc


def test_instants_are_hashed_in_utc_with_microseconds_whatever_their_offset():
    paris = timezone(timedelta(hours=1))
    assert hash_of(an_envelope(occurred_at=datetime(2026, 11, 27, 9, 30, tzinfo=paris))) == EXAMPLE_HASH
    assert hash_of(an_envelope(occurred_at="2026-11-27T09:30:00.000000+01:00")) == EXAMPLE_HASH


def test_every_hashed_field_changes_the_hash():
    changed = {
        "event_id": str(uuid.uuid4()),
        "event_type": "programmes.referral.refused",
        "schema_version": 2,
        "stream_type": "group",
        "stream_id": "referral-7c1e",
        "stream_version": 3,
        "occurred_at": "2026-11-27T08:30:00.000001Z",
        "recorded_at": "2026-11-27T08:30:01Z",
        "actor": {"subject": "cpip-43", "role": "cpip"},
        "subject": None,
        "correlation_id": "c-10",
        "causation_id": "e-1",
        "restricted": True,
        "payload": {"motif": "Orientation", "seuil": 0.75, "séances": 12},
        "previous_hash": None,
    }
    for name, value in changed.items():
        assert hash_of(an_envelope(**{name: value})) != EXAMPLE_HASH, name


def test_position_and_hash_are_not_hashed():
    assert hash_of(an_envelope(position=99, hash="anything")) == EXAMPLE_HASH


def test_an_absent_optional_field_counts_as_its_default():
    spelled_out = an_envelope(
        causation_id=None,
        restricted=False,
        actor={"subject": "cpip-42", "role": "cpip", "organisation_id": None},
    )
    assert hash_of(spelled_out) == EXAMPLE_HASH
    without_subject = {k: v for k, v in an_envelope().items() if k != "subject"}
    assert hash_of(without_subject) == hash_of(an_envelope(subject=None))


def test_a_field_added_to_the_envelope_or_the_actor_later_does_not_change_past_hashes():
    newer = an_envelope(tenant=None, actor={"subject": "cpip-42", "role": "cpip", "on_behalf_of": None})
    assert hash_of(newer) == EXAMPLE_HASH
    assert hash_of({**newer, "hash_version": 1}) == hash_of(an_envelope(hash_version=1))
    assert uncovered_fields(newer) == []


def test_a_value_in_a_field_no_hash_version_covers_is_reported():
    newer = an_envelope(
        tenant="spip-62", actor={"subject": "cpip-42", "role": "cpip", "on_behalf_of": "dpip-1"}
    )
    assert uncovered_fields(newer) == ["tenant", "actor.on_behalf_of"]


def test_an_envelope_without_a_required_field_or_with_an_unknown_version_cannot_be_hashed():
    with pytest.raises(UnhashableEvent, match="correlation_id"):
        hash_of({k: v for k, v in an_envelope().items() if k != "correlation_id"})
    with pytest.raises(UnhashableEvent, match="hash_version 3"):
        hash_of(an_envelope(hash_version=3))
    with pytest.raises(UnhashableEvent, match="offset"):
        hash_of(an_envelope(occurred_at="2026-11-27T08:30:00"))


# An event hashed by the event store before issue 16 (computed then with `event_hash`, before `hash_version`).
VERSION_1 = dict(
    event_id=uuid.UUID("5f0e8b7a-8c1d-4f7e-9a41-3c2b1d0e9f87"),
    event_type="kerneltest.sample.recorded",
    schema_version=1,
    stream_type="sample",
    stream_id="s-1",
    stream_version=1,
    occurred_at=datetime(2026, 11, 27, 9, 30, 0, 120000, tzinfo=UTC),
    recorded_at=datetime(2026, 11, 27, 9, 30, 0, 120000, tzinfo=UTC),
    actor={"subject": "cpip-42", "role": "cpip", "organisation_id": None},
    subject="p-1",
    correlation_id="corr-1",
    causation_id=None,
    restricted=False,
    payload={"number": 7, "note": "Entretien réalisé"},
    previous_hash=None,
)
VERSION_1_HASH = (
    "50f4809b896fad7f98cdabe3528043d1174e40f573503f400f5fa3c5243b5ce9"  # from the code of 29ea099
)


def test_a_version_1_event_keeps_its_hash():
    assert event_hash(None, VERSION_1) == VERSION_1_HASH
    assert hash_of(VERSION_1) == VERSION_1_HASH
    envelope = EventEnvelope(
        **{**VERSION_1, "actor": Actor(subject="cpip-42", role="cpip"), "position": 1}, hash=VERSION_1_HASH
    )
    assert envelope.hash_version == 1 and envelope_hash(envelope) == VERSION_1_HASH
    # As an export or a topic carries it: JSON, the actor without its null organisation.
    exported = json.loads(envelope.model_dump_json(exclude={"hash_version"}))
    del exported["actor"]["organisation_id"]
    assert hash_of(exported) == VERSION_1_HASH


def test_a_stream_may_mix_hash_versions():
    first = {**VERSION_1, "position": 1}
    first["hash"] = hash_of(first)
    second = {**VERSION_1, "event_id": uuid.uuid4(), "stream_version": 2, "position": 2, "hash_version": 2}
    second["previous_hash"] = first["hash"]
    second["hash"] = hash_of(second)
    envelopes = [EventEnvelope(**{**e, "actor": Actor(**e["actor"])}) for e in (first, second)]
    assert broken_links(envelopes) == []
    assert broken_links([envelopes[0], envelopes[1].model_copy(update={"hash_version": 1})]) == [
        "s-1@2: content does not match its hash"
    ]
