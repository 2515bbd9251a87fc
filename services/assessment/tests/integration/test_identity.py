"""Rectification (issue 17 #5, security review M8): a DPIP corrects the person's identity; the case and the
caseload row answer it, and the event's personal fields are sealed like the case opening's."""

import pytest

from devinfra.testkit import ok, query_value, refused, stored_payloads
from kernel.clock import local_date
from kernel.sealing import is_sealed

from .flows import case_body, opened_case

pytestmark = pytest.mark.integration


async def test_a_corrected_identity_is_what_the_case_answers_and_is_sealed_in_the_store(
    api, assessment_dsn, as_role, clock
):
    today = local_date(clock())
    opened = await opened_case(api, as_role, today)
    case_id = opened["case_id"]
    corrected = {**case_body(today)["identity"], "last_name": "Martins", "ecrou_number": "62042"}
    body = {"identity": corrected, "reason": "Nom mal orthographié à l'écrou"}
    dpip = as_role("dpip")

    answered = await ok(await api.put(f"/cases/{case_id}/identity", headers=dpip, json=body))
    assert answered["identity"] == corrected
    # An id never changes: made from the écrou number at admission, it stays the person's once corrected.
    assert answered["subject_id"] == opened["subject_id"]
    case = await ok(await api.get(f"/cases/{case_id}", headers=dpip))
    assert (case["identity"], case["version"]) == (corrected, answered["version"])
    listed = await query_value(
        assessment_dsn, "SELECT last_name || ' ' || ecrou_number FROM cases WHERE case_id = $1", case_id
    )
    assert listed == "Martins 62042"

    [(_, payload)] = await stored_payloads(assessment_dsn, "assessment.case.identity_corrected")
    assert payload["case_id"] == case_id
    assert is_sealed(payload["reason"])
    assert all(is_sealed(value) for value in payload["identity"].values())

    # The same identity again changes nothing.
    await refused(
        assessment_dsn,
        api.put(f"/cases/{case_id}/identity", headers=dpip, json=body),
        422,
        "identity-unchanged",
    )
