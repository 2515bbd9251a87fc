"""Issue 13 #16 (times of day): a local time of day ("14:00:00", Europe/Paris) is described as what it is, a
string with a pattern and no offset, in every service's OpenAPI and every current event schema, so that a
strict client's validator accepts what the services write; weekdays say how they are numbered. The versions
that said `format: time` are still read, upcast. Runs without infrastructure."""

import json
from datetime import UTC, time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from contracts import parse_payload
from contracts.generate import published_events, schema_file_name
from contracts.ipro import (
    AffectationDecided,
    AffectationDecidedV1,
    TrainingEnrolled,
    TrainingEnrolledV1,
    WeeklySlot,
    WeeklySlotV1,
)
from contracts.programmes import GroupPlanned, GroupPlannedV1
from contracts.registry import event_class, latest_version
from contracts.times import LOCAL_TIME_DESCRIPTION, LOCAL_TIME_PATTERN, WEEKDAY_DESCRIPTION

from ..security.test_route_policies import apps  # noqa: F401  (the five apps, built once)
from .test_contracts import examples

SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"
# Draft 2020-12's own checker: a bare `jsonschema.FormatChecker()` checks "time" as draft 3 did (no offset).
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
VERSIONED = [GroupPlanned, TrainingEnrolled, AffectationDecided]


def strict(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator as a strict client builds it: formats checked."""
    return jsonschema.Draft202012Validator(schema, format_checker=FORMATS)


def current_event_schemas() -> dict[str, dict[str, Any]]:
    """The committed schema of the newest version of every event type: what producers write today."""
    return {
        schema_file_name(cls): json.loads((SCHEMAS / schema_file_name(cls)).read_text(encoding="utf-8"))
        for cls in published_events()
        if cls.schema_version == latest_version(cls.event_type)
    }


# Each service's OpenAPI. The person file (issue 14, built in projections while this landed) has a weekly `Slot`
# of its own typed `time` and an undescribed weekday: strict, so that this mark goes once it uses `LocalTime`
# and `Weekday` (contracts.times), or the contracts' `WeeklySlot`.
SERVICES = ["assessment", "programmes", "ipro", "partners", "projections"]
# Times of day each API has at least, so that a walk that finds nothing fails.
IN_THE_APIS = {
    "programmes": {"WeeklyPattern.starts_at"},
    "ipro": {"WeeklySlot.starts_at", "WeeklySlot.ends_at"},
}


def properties(node: Any, where: str = ""):
    """(where, name, schema) of every property anywhere in a JSON Schema or OpenAPI document."""
    if isinstance(node, dict):
        for name, schema in node.get("properties", {}).items():
            yield where, name, schema
        for key, value in node.items():
            yield from properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from properties(value, where)


def times_of_day(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`Model.field` -> schema of every time of day a document describes, `format: time` or `LocalTime`."""
    return {
        f"{where.rsplit('/', 1)[-1]}.{name}": schema
        for where, name, schema in properties(document)
        if schema.get("format") == "time" or schema.get("pattern") == LOCAL_TIME_PATTERN
    }


def described_as_local_times(found: dict[str, dict[str, Any]]) -> list[str]:
    """What is wrong with each time of day found: `format: time`, another description than `LocalTime`'s, or
    refusing what the services write (the model's own serialisation of what clients send), formats checked."""
    sent = ["14:00", "09:30:15", time(0, 0), time(23, 59, 59)]
    written = [
        WeeklySlot(weekday=1, starts_at=value, ends_at="23:59").model_dump(mode="json")["starts_at"]
        for value in sent
    ]
    problems = []
    for where, schema in found.items():
        if "format" in schema:
            problems.append(f"{where}: format {schema['format']}")
        if schema.get("description") != LOCAL_TIME_DESCRIPTION:
            problems.append(f"{where}: described {schema.get('description')!r}")
        if strict(schema).is_valid("14:00:00+01:00"):
            problems.append(f"{where}: accepts an offset")
        problems += [
            f"{where}: {error.message}" for value in written for error in strict(schema).iter_errors(value)
        ]
    return problems


@pytest.mark.parametrize("service", SERVICES)
def test_every_time_of_day_in_an_api_is_a_local_time_that_validates_what_the_service_answers(apps, service):  # noqa: F811
    """Issue 13 #16: `format: time` (RFC 3339) requires an offset that a local time of day does not have, so a
    strict client refused "14:00:00"; each API now describes it as `LocalTime`, which the values validate."""
    found = times_of_day(apps[service].openapi())
    assert described_as_local_times(found) == []
    assert IN_THE_APIS.get(service, set()) <= set(found)


def test_every_time_of_day_in_a_current_event_is_a_local_time_that_validates_what_is_published():
    """Issue 13 #16: the newest version of every event, as its committed schema says."""
    found = {
        f"{name} {where}": schema
        for name, document in current_event_schemas().items()
        for where, schema in times_of_day(document).items()
    }
    assert described_as_local_times(found) == []
    assert {name.split(" ")[0] for name in found} == {schema_file_name(cls) for cls in VERSIONED}


@pytest.mark.parametrize("name", sorted(current_event_schemas()))
def test_what_a_producer_writes_validates_against_its_current_schema_with_formats_checked(name):
    """Issue 13 #16: payloads covering each current schema, read by its model and written back as the event
    store writes them (`model_dump(mode="json")`), satisfy the committed schema as a strict client reads it."""
    schema = current_event_schemas()[name]
    cls = event_class(schema["x-event-type"], schema["x-schema-version"])
    written = []
    for payload in examples(schema):
        try:
            written.append(cls.model_validate(payload).model_dump(mode="json"))
        except ValidationError:
            continue  # a rule across fields (an end after its start) that a schema does not say
    assert written, name
    assert [e.message for payload in written for e in strict(schema).iter_errors(payload)] == []


def test_a_version_1_schema_was_refused_by_a_strict_client():
    """Issue 13 #16, the bug: under v1's `format: time`, what the services wrote was not a valid time."""
    schema = json.loads((SCHEMAS / "programmes.group.planned.v1.json").read_text(encoding="utf-8"))
    starts_at = strict(schema["$defs"]["WeeklyPatternV1"]["properties"]["starts_at"])
    assert [e.message for e in starts_at.iter_errors("14:00:00")] == ["'14:00:00' is not a 'time'"]


def weekdays(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{where.rsplit('/', 1)[-1]}.{name}": schema
        for where, name, schema in properties(document)
        if name == "weekday"
    }


def numbered_from_monday(found: dict[str, dict[str, Any]]) -> list[str]:
    return [
        f"{where}: {schema}"
        for where, schema in found.items()
        if (schema.get("description"), schema.get("minimum"), schema.get("maximum"))
        != (WEEKDAY_DESCRIPTION, 0, 6)
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_weekday_in_an_api_is_numbered_from_monday(apps, service):  # noqa: F811
    """Issue 13 #16: weekday numbering documented on every field of each API."""
    found = weekdays(apps[service].openapi())
    assert numbered_from_monday(found) == []
    assert {f"{where.split('.')[0]}.weekday" for where in IN_THE_APIS.get(service, set())} <= set(found)


def test_every_weekday_in_every_event_version_is_numbered_from_monday():
    """Issue 13 #16: weekday numbering documented on every field of every event version, old ones included."""
    found = {
        f"{path.name} {where}": schema
        for path in SCHEMAS.glob("*.v*.json")
        for where, schema in weekdays(json.loads(path.read_text(encoding="utf-8"))).items()
    }
    assert numbered_from_monday(found) == []
    assert len(found) == 2 * len(VERSIONED)  # version 1 and version 2 of each


# --- the type -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, written", [("14:00", "14:00:00"), ("09:30:15", "09:30:15"), (time(8, 5), "08:05:00")]
)
def test_a_local_time_is_read_as_hh_mm_or_hh_mm_ss_and_written_hh_mm_ss(given, written):
    slot = WeeklySlot(weekday=0, starts_at=given, ends_at="23:00")
    assert slot.model_dump(mode="json")["starts_at"] == written
    assert WeeklySlot.model_validate_json(slot.model_dump_json()) == slot


@pytest.mark.parametrize(
    "refused",
    [
        "14:00:00+01:00",
        "14:00Z",
        "14:00:00.5",
        "24:00",
        "9:30",
        "14h00",
        time(14, tzinfo=UTC),
        time(14, 0, 0, 5),
    ],
)
def test_a_time_of_day_with_an_offset_or_out_of_its_pattern_is_refused_on_write_and_on_read(refused):
    """Issue 13 #16: an offset-carrying time is refused when an event is built, in strict mode too, and when a
    v2 payload is read (no v2 writer can have written one)."""
    with pytest.raises(ValidationError):
        WeeklySlot(weekday=0, starts_at=refused, ends_at="23:00")
    if isinstance(refused, str):
        with pytest.raises(ValidationError):
            WeeklySlot.model_validate_json(
                json.dumps({"weekday": 0, "starts_at": refused, "ends_at": "23:00"})
            )
        with pytest.raises(ValidationError):
            WeeklySlot.model_validate({"weekday": 0, "starts_at": refused, "ends_at": "23:00"}, strict=True)
        payload = a_training_v1().model_dump(mode="json")
        payload["schedule"][0]["starts_at"] = refused
        with pytest.raises(ValidationError):
            parse_payload(TrainingEnrolled.event_type, 2, payload)


# --- version 1, upcast ----------------------------------------------------------------------------------


def a_v1(cls, **overrides) -> Any:
    """A version-1 event as its producers wrote it: a payload its committed schema allows, with overrides."""
    schema = json.loads((SCHEMAS / f"{cls.event_type}.v1.json").read_text(encoding="utf-8"))
    return cls.model_validate(examples(schema)[0] | overrides)


def a_group_v1() -> GroupPlannedV1:
    return a_v1(GroupPlannedV1, pattern={"weekday": 1, "starts_at": "14:00:00", "duration_minutes": 120})


def a_training_v1(starts_at: str = "08:00:00", ends_at: str = "12:00:00") -> TrainingEnrolledV1:
    return a_v1(TrainingEnrolledV1, schedule=slots_v1(starts_at, ends_at))


def an_affectation_v1() -> AffectationDecidedV1:
    return a_v1(AffectationDecidedV1, schedule=slots_v1("08:00:00", "12:00:00"))


def slots_v1(starts_at: str, ends_at: str) -> list[dict[str, Any]]:
    afternoon = WeeklySlotV1(weekday=4, starts_at=time(13, 30), ends_at=time(17))
    return [{"weekday": 0, "starts_at": starts_at, "ends_at": ends_at}, afternoon.model_dump(mode="json")]


def test_the_services_write_version_2_and_still_know_version_1():
    """Issue 13 #16: each event whose times of day were `format: time` has a version 2, which services append
    (the classes they import); version 1 stays registered so that the events it wrote are read."""
    for cls, old in [
        (GroupPlanned, GroupPlannedV1),
        (TrainingEnrolled, TrainingEnrolledV1),
        (AffectationDecided, AffectationDecidedV1),
    ]:
        assert (cls.schema_version, latest_version(cls.event_type)) == (2, 2)
        assert event_class(cls.event_type, 1) is old and old.event_type == cls.event_type


# Optional fields version 2 gained after its publication (ADR 6), read with their default from older events.
ADDED_TO_VERSION_2 = {GroupPlanned.event_type: {"partner_organisations": []}}


@pytest.mark.parametrize("stored", [a_group_v1, a_training_v1, an_affectation_v1], ids=lambda f: f.__name__)
def test_a_version_1_event_already_stored_is_read_as_version_2_with_the_same_values(stored):
    """Issue 13 #16: the upcasters from v1, as the event store and every consumer read (`parse_payload`)."""
    old = stored()
    payload = old.model_dump(mode="json")
    event = parse_payload(old.event_type, 1, payload)
    assert type(event) is event_class(old.event_type, 2)
    assert event.model_dump(mode="json") == {**payload, **ADDED_TO_VERSION_2.get(old.event_type, {})}


def test_a_version_1_time_sent_with_an_offset_or_a_fraction_is_read_as_its_wall_clock_time():
    """Issue 13 #16: v1's `format: time` let a client send "14:00+01:00"; it was stored as "14:00:00+01:00"."""
    payload = a_training_v1("14:00:00+01:00", "17:30:00.250000").model_dump(mode="json")
    assert payload["schedule"][0]["starts_at"] == "14:00:00+01:00"

    event = parse_payload(TrainingEnrolled.event_type, 1, payload)

    assert (event.schedule[0].starts_at, event.schedule[0].ends_at) == (time(14), time(17, 30))


@pytest.mark.parametrize("cls", VERSIONED, ids=lambda cls: cls.event_type)
def test_a_tolerant_reader_reads_every_version_1_payload(cls):
    """Issue 13 #16: payloads covering every field, value and bound of the v1 schema are read by today's
    reader, upcast to v2."""
    schema = json.loads((SCHEMAS / f"{cls.event_type}.v1.json").read_text(encoding="utf-8"))
    read = []
    for payload in examples(schema):
        try:
            event_class(cls.event_type, 1).model_validate(payload)
        except ValidationError:
            continue  # a rule across fields that a schema does not say: never written
        read.append(parse_payload(cls.event_type, 1, payload))
    assert read and all(type(event) is cls for event in read)
