"""The committed schemas are the contract: models must match them and published versions never break."""

import json
import subprocess
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from hypothesis import find
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts import parse_payload
from contracts.compatibility import breaking_changes
from contracts.generate import asyncapi_document, published_events, rendered
from contracts.partners import PartnerRegistered
from contracts.registry import upcaster

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"


def test_committed_schemas_match_the_models():
    stale = [
        name
        for name, content in rendered().items()
        if not (CONTRACTS_DIR / name).exists()
        or (CONTRACTS_DIR / name).read_text(encoding="utf-8") != content
    ]
    assert not stale, f"run `make contracts` and commit: {stale}"


@cache
def _first_published(path: Path) -> str | None:
    relative = path.relative_to(CONTRACTS_DIR.parent)
    commits = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", str(relative)],
        cwd=CONTRACTS_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not commits:
        return None  # not committed yet: nothing has been published under this version
    return subprocess.run(
        ["git", "show", f"{commits[-1]}:{relative}"],
        cwd=CONTRACTS_DIR.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_no_published_event_version_changed_incompatibly():
    problems = {}
    for schema_file in sorted((CONTRACTS_DIR / "schemas").glob("*.v*.json")):
        original = _first_published(schema_file)
        if original is None:
            continue
        found = breaking_changes(json.loads(original), json.loads(schema_file.read_text(encoding="utf-8")))
        if found:
            problems[schema_file.name] = found
    assert not problems, f"add a new version and an upcaster instead: {problems}"


def _tolerant(schema):
    """A schema as a consumer built from it reads: fields it does not know are ignored (`parse_payload`)."""
    if isinstance(schema, dict):
        return {key: _tolerant(value) for key, value in schema.items() if key != "additionalProperties"}
    if isinstance(schema, list):
        return [_tolerant(value) for value in schema]
    return schema


def refused_by_old_readers(old: dict, new: dict) -> list[str]:
    """What a consumer built from `old` says of payloads producers write under `new`: payloads that together
    use every field, every allowed value, every branch and every bound of the new schema, validated against
    the old one as such a consumer reads."""
    reader = jsonschema.Draft202012Validator(_tolerant(old))
    return sorted(
        {
            f"{list(e.absolute_path)}: {e.message}"
            for payload in examples(new)
            for e in reader.iter_errors(payload)
        }
    )


FORMATS = {
    "date": "2026-11-27",
    "date-time": "2026-11-27T09:00:00+01:00",
    "time": "14:00:00",
    "uuid": "3f2b6c1e-8d4a-4f7e-9b1a-2c5d6e7f8a9b",
}


def examples(schema: dict, root: dict | None = None) -> list:
    """Values valid under `schema` that together cover it: each property present, each enum value, each
    branch of a union, strings and numbers at their bounds, arrays empty and full."""
    root = root or schema
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].removeprefix("#/$defs/")]
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return [value for branch in schema[union] for value in examples(branch, root)]
    kind = schema.get("type")
    if kind == "object":
        values = {name: examples(sub, root) for name, sub in schema.get("properties", {}).items()}
        count = max(map(len, values.values()), default=1)
        return [{name: found[i % len(found)] for name, found in values.items()} for i in range(count)]
    if kind == "array":
        items, size = examples(schema.get("items", {}), root), schema.get("maxItems", 3)
        full = [[items[(i + j) % len(items)] for j in range(size)] for i in range(len(items))]
        return full + ([[]] if schema.get("minItems", 0) == 0 else [])
    if kind == "string":
        if "pattern" in schema:
            return [find(st.from_regex(schema["pattern"], fullmatch=True), lambda _: True)]
        if "format" in schema:
            return [FORMATS[schema["format"]]]
        return ["é" * length for length in {schema.get("minLength", 0), schema.get("maxLength", 300)}]
    if kind in ("integer", "number"):
        return sorted(
            {
                schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1),
                schema.get("maximum", schema.get("exclusiveMaximum", 1_000_001) - 1),
            }
        )
    if kind == "boolean":
        return [True, False]
    if kind == "null":
        return [None]
    return [None]


PUBLISHED = sorted(path for path in (CONTRACTS_DIR / "schemas").glob("*.v*.json"))


@pytest.mark.parametrize("schema_file", PUBLISHED, ids=lambda path: path.name)
def test_a_consumer_built_from_the_published_contract_reads_what_producers_write_today(schema_file):
    """Kernel review H2: the check said "compatible" while old consumers refused the new events. A version not
    committed yet is its own first publication: its examples must at least satisfy it."""
    current = schema_file.read_text(encoding="utf-8")
    original = _first_published(schema_file) or current
    assert refused_by_old_readers(json.loads(original), json.loads(current)) == []


def test_an_old_consumer_reads_a_new_optional_field_but_refuses_a_widened_enum():
    old = _schema({"a": {"type": "string", "enum": ["x", "y"]}}, ["a"]) | {"additionalProperties": False}
    with_field = _schema({"a": {"type": "string", "enum": ["x", "y"]}, "b": {"type": "integer"}}, ["a"])
    widened = _schema({"a": {"type": "string", "enum": ["x", "y", "z"]}}, ["a"])

    assert refused_by_old_readers(old, with_field) == []
    assert refused_by_old_readers(old, widened) == ["['a']: 'z' is not one of ['x', 'y']"]
    assert any("widened" in p for p in breaking_changes(old, widened))


IRREGULAR_PAST = {
    "sent",
    "held",
    "made",
    "done",
    "begun",
    "withdrawn",
    "taken",
    "given",
    "written",
    "left",
    "found",
    "overridden",
    "set",
}


def test_every_event_is_named_service_aggregate_past_tense_and_forbids_unknown_fields():
    for cls in published_events():
        service, aggregate, verb = cls.event_type.split(".")
        # A past participle somewhere in the verb: "session_moved", "found_eligible", "dropped_out".
        assert any(word.endswith("ed") or word in IRREGULAR_PAST for word in verb.split("_")), cls.event_type
        assert cls.model_config.get("extra") == "forbid"
        assert cls.model_config.get("frozen") is True


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError):
        PartnerRegistered.model_validate(
            {"partner_id": "p", "name": "n", "siret": "73282932000074", "organisation_type": "other", "x": 1}
        )


# --- compatibility rules -------------------------------------------------------------------------


def _schema(properties, required):
    return {"type": "object", "properties": properties, "required": required}


def test_adding_an_optional_field_is_compatible():
    old = _schema({"a": {"type": "string"}}, ["a"])
    new = _schema({"a": {"type": "string"}, "b": {"type": "integer"}}, ["a"])
    assert breaking_changes(old, new) == []


@pytest.mark.parametrize(
    "new, expected",
    [
        (_schema({}, []), "field removed"),
        (_schema({"a": {"type": "integer"}}, ["a"]), "type changed"),
        (_schema({"a": {"type": "string"}, "b": {"type": "string"}}, ["a", "b"]), "now required"),
        (_schema({"a": {"type": "string", "maxLength": 3}}, ["a"]), "maxLength tightened"),
        (_schema({"a": {"type": "string", "enum": ["x"]}}, ["a"]), "allowed values narrowed"),
    ],
)
def test_breaking_changes_are_named(new, expected):
    old = _schema({"a": {"type": "string"}}, ["a"])
    problems = breaking_changes(old, new)
    assert any(expected in p for p in problems), problems


def test_enum_values_removed_through_a_ref_are_breaking():
    old = {
        "$defs": {"E": {"type": "string", "enum": ["x", "y"]}},
        **_schema({"e": {"$ref": "#/$defs/E"}}, ["e"]),
    }
    new = {"$defs": {"E": {"type": "string", "enum": ["x"]}}, **_schema({"e": {"$ref": "#/$defs/E"}}, ["e"])}
    assert breaking_changes(old, new) == [".e: allowed values narrowed (removed ['y'])"]


def test_an_old_payload_is_upcast_to_the_newest_version():
    from contracts.events import Event

    class _SampleRenamedV1(Event):
        event_type = "testonly.sample.renamed"
        schema_version = 1
        label: str

    class _SampleRenamedV2(Event):
        event_type = "testonly.sample.renamed"
        schema_version = 2
        title: str

    @upcaster("testonly.sample.renamed", from_version=1)
    def _label_became_title(payload):
        return {"title": payload["label"]}

    event = parse_payload("testonly.sample.renamed", 1, {"label": "Atelier CV"})
    assert isinstance(event, _SampleRenamedV2) and event.title == "Atelier CV"


def test_a_service_describes_the_events_it_publishes_and_those_it_consumes_only():
    """Issue 13 #17: each service serves its own AsyncAPI, not the whole system's."""
    document = asyncapi_document(publisher="programmes", consumed=frozenset({"assessment.events"}))
    assert set(document["channels"]) == {"programmes.events", "programmes.restricted", "assessment.events"}
    actions = {name: operation["action"] for name, operation in document["operations"].items()}
    assert actions == {
        "publish.programmes.events": "send",
        "publish.programmes.restricted": "send",
        "consume.assessment.events": "receive",
    }
    assert all(
        name.split(".")[0] in {"programmes", "assessment"} for name in document["components"]["messages"]
    )
