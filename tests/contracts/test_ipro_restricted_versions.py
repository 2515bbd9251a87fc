"""Issue 17 #3 (ADR 25), IPRO's half: what only IPRO and the SPIP read left `ipro.events` in version 2 of its
types. The version 1 events stored before, and the messages already on the topic, are still read: upcast
from payloads covering each committed version 1 schema. Runs without infrastructure."""

import json
from pathlib import Path
from typing import Any

import pytest

from contracts import parse_payload
from contracts.ipro import (
    ClassementRefused,
    ClassementRefusedV1,
    CpuOpinionRecorded,
    CpuOpinionRecordedV1,
    DeclassificationReasonRecorded,
    Declassified,
    DeclassifiedV1,
    FollowUpInterviewHeld,
    FollowUpInterviewHeldV1,
    LeaveDecided,
    LeaveDecidedV1,
    ProfileRecorded,
    ProfileRecordedV1,
    SynthesisWritten,
    SynthesisWrittenV1,
)
from contracts.registry import event_class

from .test_contracts import examples

SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"

# Same shape, now restricted: version 1 -> version 2.
MOVED_WHOLE = [
    (SynthesisWrittenV1, SynthesisWritten),
    (ProfileRecordedV1, ProfileRecorded),
    (FollowUpInterviewHeldV1, FollowUpInterviewHeld),
    (LeaveDecidedV1, LeaveDecided),
    (CpuOpinionRecordedV1, CpuOpinionRecorded),
    (ClassementRefusedV1, ClassementRefused),
]


def covering_v1_payloads(cls) -> list[dict[str, Any]]:
    """Payloads that together use every field and bound of the committed version 1 schema, as its producers
    wrote them (the model's own JSON)."""
    schema = json.loads((SCHEMAS / f"{cls.event_type}.v1.json").read_text(encoding="utf-8"))
    return [cls.model_validate(payload).model_dump(mode="json") for payload in examples(schema)]


@pytest.mark.parametrize("old, new", MOVED_WHOLE, ids=lambda cls: cls.__name__)
def test_a_version_1_event_is_read_as_the_restricted_version_2_unchanged(old, new):
    assert (old.schema_version, new.schema_version) == (1, 2)
    assert not old.restricted and new.restricted
    assert event_class(old.event_type, 1) is old  # still registered: the log holds version 1 events
    for payload in covering_v1_payloads(old):
        read = parse_payload(old.event_type, 1, payload)
        assert type(read) is new
        assert read.model_dump(mode="json") == payload


def test_the_restricted_versions_keep_their_personal_data_sealed():
    """ADR 24: the marking moved with the fields, so the kernel still seals them."""
    assert SynthesisWritten.personal_fields() == {"synthesis"}
    assert FollowUpInterviewHeld.personal_fields() == {"notes"}
    profile = ProfileRecorded.model_fields["profile"].annotation
    assert "x-personal-data" in profile.model_json_schema()["properties"]["health_restrictions"]


def test_a_version_1_declassification_is_read_without_its_reason():
    """The reason moved to the restricted `DeclassificationReasonRecorded`; the version 1 events kept it on
    the shareable topic, and no real person's data was loaded under version 1 (issue 17): it is dropped."""
    assert not Declassified.restricted and "reason" not in Declassified.model_fields
    assert DeclassificationReasonRecorded.restricted
    for payload in covering_v1_payloads(DeclassifiedV1):
        read = parse_payload(Declassified.event_type, 1, payload)
        assert type(read) is Declassified
        assert read.model_dump(mode="json") == {
            "work_id": payload["work_id"],
            "decided_on": payload["decided_on"],
        }
