"""Idempotency records keep no personal data, and a replay re-reads the resource (issue 17 #4, ADR 5 revised):
the record holds the request's digest, the status and the path of the resource the command acted on; a retry
answers that resource's GET as its caller may read it now, or the refusal that GET gives them."""

import json
from datetime import timedelta

import pytest

from devinfra.testkit import assert_refused, events_in, query_value

from .flows import case_body, ok, opened_case

pytestmark = pytest.mark.integration


async def idempotency_records(dsn: str) -> list[dict]:
    return json.loads(await query_value(dsn, "SELECT coalesce(json_agg(k), '[]') FROM idempotency_keys k"))


async def test_the_record_of_an_admission_holds_no_value_of_the_person(api, as_role, clock, assessment_dsn):
    # Given a DPIP opens a case naming the person, with an Idempotency-Key
    body = case_body(clock.now.date(), referent="cpip-1")
    dpip = as_role("dpip", **{"Idempotency-Key": "admission-1"})
    case = await ok(await api.post("/cases", json=body, headers=dpip), 201)
    case_id = case["case_id"]

    # Then the record is the request's digest, the status and the case's path
    [record] = await idempotency_records(assessment_dsn)
    assert {k: v for k, v in record.items() if k not in ("request_hash", "created_at")} == {
        "principal": "dpip-1",
        "key": "admission-1",
        "status_code": 201,
        "resource": f"/cases/{case_id}",
    }
    assert len(record["request_hash"]) == 64
    # and none of the person's values is anywhere in it
    identity, sentence = body["identity"], body["sentence"]
    stored = json.dumps(record, ensure_ascii=False)
    for value in [
        identity["last_name"],
        *identity["first_names"].split(),
        identity["birth_date"],
        identity["ecrou_number"],
        case["subject_id"],
        *sentence["offence_categories"],
        sentence["expected_end_date"],
    ]:
        assert value not in stored, value


async def test_a_replayed_admission_answers_the_case_as_it_is_now(api, as_role, clock, assessment_dsn):
    # Given a case opened with an Idempotency-Key, whose referent a DPIP has changed since
    body = case_body(clock.now.date(), referent="cpip-1")
    dpip = as_role("dpip", **{"Idempotency-Key": "admission-1"})
    first = await api.post("/cases", json=body, headers=dpip)
    case_id = (await ok(first, 201))["case_id"]
    await ok(
        await api.post(f"/cases/{case_id}/referent", json={"referent": "cpip-2"}, headers=as_role("dpip"))
    )
    appended = await events_in(assessment_dsn)

    # When the admission is sent again with the same key
    replayed = await api.post("/cases", json=body, headers=dpip)

    # Then it answers the first status and Location, with the case as its GET shows it now; nothing is appended
    assert replayed.status_code == 201, replayed.text
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.headers["Location"] == first.headers["Location"] == f"/cases/{case_id}"
    now = await ok(await api.get(f"/cases/{case_id}", headers=as_role("dpip")))
    assert (
        replayed.json()
        == now
        == {**first.json(), "referent": "cpip-2", "version": first.json()["version"] + 1}
    )
    assert await events_in(assessment_dsn) == appended


async def test_a_cpip_taken_off_the_case_replaying_an_old_key_gets_what_reading_the_case_answers_them(
    api, as_role, clock, assessment_dsn
):
    # Given cpip-1 updated the sentence of their case with an Idempotency-Key
    today = clock.now.date()
    case_id = (await opened_case(api, as_role, today, referent="cpip-1"))["case_id"]
    sentence = {**case_body(today)["sentence"], "expected_end_date": str(today + timedelta(days=900))}
    cpip = as_role("cpip", **{"Idempotency-Key": "sentence-1"})
    updated = await ok(await api.post(f"/cases/{case_id}/sentence", json=sentence, headers=cpip))
    assert updated["sentence"]["expected_end_date"] == sentence["expected_end_date"]
    # and the DPIP then gave the case to cpip-2
    await ok(
        await api.post(f"/cases/{case_id}/referent", json={"referent": "cpip-2"}, headers=as_role("dpip"))
    )

    appended = await events_in(assessment_dsn)

    # When cpip-1 sends the update again with the same key
    replayed = await api.post(f"/cases/{case_id}/sentence", json=sentence, headers=cpip)

    # Then they get the refusal reading the case gives them now, not the old view; nothing is appended
    assert_refused(replayed, 403, "not-on-caseload")
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert await events_in(assessment_dsn) == appended


async def test_a_replayed_espace_note_shows_the_notes_as_the_dpip_may_read_them_now(
    api, as_role, clock, assessment_dsn
):
    # Given a DPIP recorded an ESPACE note with an Idempotency-Key, and another DPIP a second note since
    case_id = (await opened_case(api, as_role, clock.now.date()))["case_id"]
    url, dpip = f"/cases/{case_id}/espace-notes", as_role("dpip", **{"Idempotency-Key": "espace-1"})
    first = await ok(await api.post(url, json={"text": "Premier signalement"}, headers=dpip), 201)
    await ok(await api.post(url, json={"text": "Suivi"}, headers=as_role("dpip", "dpip-2")), 201)

    # When the first note is sent again with the same key
    replayed = await api.post(url, json={"text": "Premier signalement"}, headers=dpip)

    # Then it answers the notes as they stand, the first one once; no third note
    assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
    assert [note["text"] for note in replayed.json()] == ["Premier signalement", "Suivi"]
    assert replayed.json()[0] == first[0]
    assert "location" not in replayed.headers
