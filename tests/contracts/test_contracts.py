"""The committed schemas are the contract: models must match them and published versions never break."""

import json
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from contracts import parse_payload
from contracts.compatibility import breaking_changes
from contracts.generate import published_events, rendered
from contracts.partners import PartnerRegistered
from contracts.registry import upcaster

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"


def test_committed_schemas_match_the_models():
    stale = [
        name
        for name, content in rendered().items()
        if not (CONTRACTS_DIR / name).exists() or (CONTRACTS_DIR / name).read_text(encoding="utf-8") != content
    ]
    assert not stale, f"run `make contracts` and commit: {stale}"


def _first_published(path: Path) -> str | None:
    relative = path.relative_to(CONTRACTS_DIR.parent)
    commits = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", str(relative)],
        cwd=CONTRACTS_DIR.parent, capture_output=True, text=True, check=True,
    ).stdout.split()
    if not commits:
        return None  # not committed yet: nothing has been published under this version
    return subprocess.run(
        ["git", "show", f"{commits[-1]}:{relative}"],
        cwd=CONTRACTS_DIR.parent, capture_output=True, text=True, check=True,
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


IRREGULAR_PAST = {"sent", "held", "made", "done", "begun", "withdrawn", "taken", "given", "written", "left", "found", "overridden", "set"}


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
    old = {"$defs": {"E": {"type": "string", "enum": ["x", "y"]}}, **_schema({"e": {"$ref": "#/$defs/E"}}, ["e"])}
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
