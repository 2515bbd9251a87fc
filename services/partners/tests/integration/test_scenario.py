"""The life of a call, through the API against the real database and broker: an AMI is published, two
organisations answer, one proposal goes through a change request and is approved, sessions are scheduled,
one is cancelled, one is delivered. Every event published on the way validates against its schema."""

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

from devinfra.testkit import read_topic, serving
from partners.bootstrap import create_app

from .flows import accredited_partner, events_in, ok, proposal_content, published_call

pytestmark = pytest.mark.integration

SCHEMAS = Path(__file__).resolve().parents[4] / "contracts" / "schemas"


@pytest.fixture
async def api_with_relay(partners_settings, clock):
    settings = partners_settings.model_copy(update={"run_relay": True})
    async with serving(create_app(settings, clock=clock)) as client:
        yield client


async def test_a_call_from_publication_to_a_delivered_session(api_with_relay, as_role, clock, partners_settings,
                                                              partners_dsn):
    api, today = api_with_relay, clock.now.date()
    call = await published_call(api, as_role, today)
    first = await accredited_partner(api, as_role, 1, today, name="Mission locale")
    second = await accredited_partner(api, as_role, 2, today, name="Cinéma citoyen")
    mission_locale = as_role("partenaire", organisation_id=first["partner_id"])
    cinema = as_role("partenaire", organisation_id=second["partner_id"])

    # Two organisations answer the call.
    next_week = clock.now + timedelta(days=7)
    workshop = await ok(await api.post("/proposals", headers=mission_locale, json={
        "call_id": call["call_id"], "content": proposal_content(next_week)}), 201)
    debate = await ok(await api.post("/proposals", headers=cinema, json={
        "call_id": call["call_id"], "content": proposal_content(next_week, title="Ciné-débat citoyenneté",
                                                                 action_type="citizenship")}), 201)
    for proposal, headers in ((workshop, mission_locale), (debate, cinema)):
        await ok(await api.post(f"/proposals/{proposal['proposal_id']}/submit", headers=headers))

    # IPRO reviews the workshop, asks for a change; the partner answers in the thread and revises.
    url = f"/proposals/{workshop['proposal_id']}"
    await ok(await api.post(f"{url}/start-review", headers=as_role("ripro")))
    await ok(await api.post(f"{url}/request-changes", json={"reason": "Prévoir 8 participants au plus"},
                            headers=as_role("ripro")))
    await ok(await api.post(f"{url}/comments", json={"text": "C'est noté, nous ajustons."},
                            headers=mission_locale), 201)
    await ok(await api.put(url, json=proposal_content(next_week, capacity_max=8), headers=mission_locale))
    await ok(await api.post(f"{url}/resubmit", headers=mission_locale))
    await ok(await api.post(f"{url}/start-review", headers=as_role("ripro")))
    approved = await ok(await api.post(f"{url}/approve", headers=as_role("ripro")))
    assert approved["status"] == "approved" and approved["content"]["capacity_max"] == 8
    assert [c["author_role"] for c in approved["comments"]] == ["partenaire"]

    # The catalogue action: two sessions scheduled, published, one cancelled, the other delivered.
    action_url = f"/actions/{approved['action_id']}"
    slot = {"duration_minutes": 120, "place": "Salle 1", "facilitators": ["Camille Martin"]}
    first_session = await ok(await api.post(f"{action_url}/sessions", headers=mission_locale,
                                            json={**slot, "starts_at": next_week.isoformat()}), 201)
    second_session = await ok(await api.post(
        f"{action_url}/sessions", headers=mission_locale,
        json={**slot, "starts_at": (next_week + timedelta(days=7)).isoformat()}), 201)
    delivered_id = first_session["sessions"][0]["session_id"]
    cancelled_id = next(s["session_id"] for s in second_session["sessions"] if s["session_id"] != delivered_id)
    await ok(await api.post(f"{action_url}/publish", headers=as_role("ipro_chef")))
    catalogue = await ok(await api.get("/catalogue", headers=as_role("cpip")))
    assert [(e["title"], len(e["sessions"])) for e in catalogue["items"]] == [("Atelier CV et lettre de motivation", 2)]

    await ok(await api.post(f"{action_url}/sessions/{cancelled_id}/cancel", headers=mission_locale,
                            json={"reason": "Fermeture de la salle"}))
    clock.advance(days=7, hours=3)
    action = await ok(await api.post(f"{action_url}/sessions/{delivered_id}/report", headers=mission_locale,
                                     json={"held": True, "present_count": 7, "notes": "Bonne dynamique"}))
    assert {s["session_id"]: (s["cancelled"], s["reported"]) for s in action["sessions"]} == {
        delivered_id: (False, True), cancelled_id: (True, False)}
    closed = await ok(await api.post(f"{action_url}/close", headers=as_role("ipro_chef")))
    assert closed["closed"] is True

    # Downstream: every event is on partners.events, in order per stream, and matches its committed schema.
    appended = await events_in(partners_dsn)
    records = await read_topic(partners_settings.kafka_bootstrap_servers,
                               partners_settings.topic("partners.events"), at_least=appended)
    envelopes = list({e["event_id"]: e for e in map(json.loads, (r.value for r in records))}.values())
    assert len(envelopes) == appended
    envelope_schema = json.loads((SCHEMAS / "envelope.json").read_text())
    for envelope in envelopes:
        jsonschema.validate(envelope, envelope_schema)
        schema = SCHEMAS / f"{envelope['event_type']}.v{envelope['schema_version']}.json"
        jsonschema.validate(envelope["payload"], json.loads(schema.read_text()))
    counts = Counter(e["event_type"] for e in envelopes)
    assert counts["partners.proposal.submitted"] == 2 and counts["partners.proposal.approved"] == 1
    assert counts["partners.action.session_scheduled"] == 2 and counts["partners.action.session_cancelled"] == 1
    assert counts["partners.action.session_reported"] == 1 and counts["partners.action.closed"] == 1
