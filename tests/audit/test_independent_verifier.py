"""tools/verify_log.py writes RFC 8785 on its own: held to the project's canonical form, no infrastructure."""

import importlib.util
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from kernel.hashchain import hash_of, jcs

spec = importlib.util.spec_from_file_location(
    "verify_log", Path(__file__).resolve().parents[2] / "tools" / "verify_log.py"
)
verify_log = importlib.util.module_from_spec(spec)
spec.loader.exec_module(verify_log)

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
def test_its_canonical_json_is_the_projects(value):
    assert verify_log.jcs(value).encode() == jcs(value)


@given(st.dictionaries(st.text(max_size=5), json_values, max_size=4), st.sampled_from([1, 2]))
def test_it_hashes_an_exported_envelope_as_the_project_does(payload, version):
    envelope = {
        "event_id": "0b6f3c1e-5d2a-4c1b-9e8f-2a7d4c6b1e90",
        "event_type": "programmes.referral.requested",
        "schema_version": 1,
        "stream_type": "referral",
        "stream_id": "referral-7c1d",
        "stream_version": 1,
        "position": 1,
        "occurred_at": "2026-11-27T08:30:00.000001+00:00",
        "recorded_at": "2026-11-27T08:30:00Z",
        "actor": {"subject": "cpip-42", "role": "cpip"},
        "correlation_id": "c-9",
        "payload": payload,
        "hash_version": version,
        "previous_hash": None,
    }
    envelope["hash"] = hash_of(envelope)
    report = verify_log.verify([json.dumps(envelope)])
    assert report["ok"], report
