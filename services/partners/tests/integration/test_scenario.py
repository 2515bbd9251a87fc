"""The life of a call, through the API against the real database and broker: an AMI is published, two
organisations answer, one proposal goes through a change request and is approved, sessions are scheduled,
one is cancelled, one is delivered. Every event published on the way validates against its schema."""

from collections import Counter
from datetime import timedelta

import pytest

from contracts import known_events
from devinfra.testkit import published_and_valid, serving
from partners.bootstrap import create_app

from .flows import accredited_partner, call_body, ok, proposal_content, published_call, scheduled_session

pytestmark = pytest.mark.integration


@pytest.fixture
async def api_with_relay(partners_settings, clock):
    settings = partners_settings.model_copy(update={"run_relay": True})
    async with serving(create_app(settings, clock=clock)) as client:
        yield client


async def test_a_call_from_publication_to_a_delivered_session(
    api_with_relay, as_role, clock, partners_settings, partners_dsn
):
    api, today = api_with_relay, clock.now.date()
    call = await published_call(api, as_role, today)
    first = await accredited_partner(api, as_role, 1, today, name="Mission locale")
    second = await accredited_partner(api, as_role, 2, today, name="Cinéma citoyen")
    mission_locale = as_role("partenaire", organisation_id=first["partner_id"])
    cinema = as_role("partenaire", organisation_id=second["partner_id"])

    # Two organisations answer the call.
    next_week = clock.now + timedelta(days=7)
    workshop = await ok(
        await api.post(
            "/proposals",
            headers=mission_locale,
            json={"call_id": call["call_id"], "content": proposal_content(next_week)},
        ),
        201,
    )
    debate = await ok(
        await api.post(
            "/proposals",
            headers=cinema,
            json={
                "call_id": call["call_id"],
                "content": proposal_content(
                    next_week, title="Ciné-débat citoyenneté", action_type="citizenship"
                ),
            },
        ),
        201,
    )
    for proposal, headers in ((workshop, mission_locale), (debate, cinema)):
        await ok(await api.post(f"/proposals/{proposal['proposal_id']}/submit", headers=headers))

    # IPRO reviews the workshop, asks for a change; the partner answers in the thread and revises.
    url = f"/proposals/{workshop['proposal_id']}"
    await ok(await api.post(f"{url}/start-review", headers=as_role("ripro")))
    await ok(
        await api.post(
            f"{url}/request-changes",
            json={"reason": "Prévoir 8 participants au plus"},
            headers=as_role("ripro"),
        )
    )
    await ok(
        await api.post(
            f"{url}/comments", json={"text": "C'est noté, nous ajustons."}, headers=mission_locale
        ),
        201,
    )
    await ok(await api.put(url, json=proposal_content(next_week, capacity_max=8), headers=mission_locale))
    await ok(await api.post(f"{url}/resubmit", headers=mission_locale))
    await ok(await api.post(f"{url}/start-review", headers=as_role("ripro")))
    approved = await ok(await api.post(f"{url}/approve", headers=as_role("ripro")))
    assert approved["status"] == "approved" and approved["content"]["capacity_max"] == 8
    assert [c["author_role"] for c in approved["comments"]] == ["partenaire"]

    # The catalogue action: the session the proposal planned came with the approval (issue 13 #12); a
    # second is scheduled, the action published, the second cancelled, the first delivered.
    (planned,) = approved["scheduled_sessions"]
    assert approved["planned_sessions_not_scheduled"] == []
    assert planned["slot"]["place"] == "Salle 1" and planned["slot"]["facilitators"] == ["Camille Martin"]
    action_url = f"/actions/{approved['action_id']}"
    slot = {"duration_minutes": 120, "place": "Salle 1", "facilitators": ["Camille Martin"]}
    second_session = await ok(
        await api.post(
            f"{action_url}/sessions",
            headers=mission_locale,
            json={**slot, "starts_at": (next_week + timedelta(days=7)).isoformat()},
        ),
        201,
    )
    delivered_id = planned["session_id"]
    cancelled_id = next(
        s["session_id"] for s in second_session["sessions"] if s["session_id"] != delivered_id
    )
    await ok(await api.post(f"{action_url}/publish", headers=as_role("ipro_chef")))
    catalogue = await ok(await api.get("/catalogue", headers=as_role("cpip")))
    assert [(e["title"], len(e["sessions"])) for e in catalogue["items"]] == [
        ("Atelier CV et lettre de motivation", 2)
    ]

    await ok(
        await api.post(
            f"{action_url}/sessions/{cancelled_id}/cancel",
            headers=mission_locale,
            json={"reason": "Fermeture de la salle"},
        )
    )
    clock.advance(days=7, hours=3)
    action = await ok(
        await api.post(
            f"{action_url}/sessions/{delivered_id}/report",
            headers=mission_locale,
            json={"held": True, "present_count": 7, "notes": "Bonne dynamique"},
        )
    )
    assert {s["session_id"]: (s["cancelled"], s["reported"]) for s in action["sessions"]} == {
        delivered_id: (False, True),
        cancelled_id: (True, False),
    }
    closed = await ok(await api.post(f"{action_url}/close", headers=as_role("ipro_chef")))
    assert closed["closed"] is True

    # Downstream: every event is on partners.events and matches its committed schema.
    envelopes, _ = await published_and_valid(partners_settings, partners_dsn, "partners")
    counts = Counter(e["event_type"] for e in envelopes)
    assert counts["partners.proposal.submitted"] == 2 and counts["partners.proposal.approved"] == 1
    assert (
        counts["partners.action.session_scheduled"] == 2 and counts["partners.action.session_cancelled"] == 1
    )
    assert counts["partners.action.session_reported"] == 1 and counts["partners.action.closed"] == 1


async def test_every_event_type_of_the_service_is_published_valid_against_its_schema(
    api_with_relay, as_role, clock, partners_settings, partners_dsn
):
    api, today, chef, ripro = api_with_relay, clock.now.date(), as_role("ipro_chef"), as_role("ripro")
    draft = await ok(await api.post("/calls", json=call_body(today), headers=chef), 201)
    call_url = f"/calls/{draft['call_id']}"
    await ok(await api.put(call_url, json=call_body(today, title="Espace citoyen, 2e appel"), headers=chef))
    await ok(await api.post(f"{call_url}/publish", headers=chef))

    running = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    leaving = (await accredited_partner(api, as_role, 2, today))["partner_id"]
    contact = await ok(
        await api.post(f"/partners/{leaving}/contacts", json={"full_name": "Léa Petit"}, headers=chef), 201
    )
    contact_id = contact["contacts"][0]["contact_id"]
    await ok(await api.post(f"/partners/{leaving}/contacts/{contact_id}/remove", headers=chef))
    for step, body in (
        ("suspend", {"reason": "Incident"}),
        ("reinstate", None),
        ("withdraw", {"reason": "Fin"}),
    ):
        await ok(await api.post(f"/partners/{leaving}/{step}", json=body, headers=chef))

    partner = as_role("partenaire", organisation_id=running)
    next_week = clock.now + timedelta(days=7)

    async def proposal(*steps):
        drafted = await ok(
            await api.post(
                "/proposals",
                headers=partner,
                json={"call_id": draft["call_id"], "content": proposal_content(next_week)},
            ),
            201,
        )
        url = f"/proposals/{drafted['proposal_id']}"
        for step, headers, body in steps:
            if step == "revise":
                answer = await ok(await api.put(url, json=body, headers=headers))
            else:
                answer = await ok(
                    await api.post(f"{url}/{step}", json=body, headers=headers),
                    201 if step == "comments" else 200,
                )
        return answer

    reviewed = [("submit", partner, None), ("start-review", ripro, None)]
    # Two planned sessions in one room, the second starting an hour into the first: it is not scheduled.
    plan = [
        {
            "starts_at": (next_week + timedelta(hours=h)).isoformat(),
            "duration_minutes": 120,
            "place": "Salle 1",
        }
        for h in (0, 1)
    ]
    await proposal(("withdraw", partner, {"reason": "Plus de formateur"}))
    await proposal(*reviewed, ("reject", ripro, {"reason": "Hors du champ de l'appel"}))
    approved = await proposal(
        *reviewed,
        ("request-changes", ripro, {"reason": "Préciser le public"}),
        ("comments", partner, {"text": "Public : sortants à 6 mois"}),
        (
            "revise",
            partner,
            proposal_content(next_week, target_public="Sortants à 6 mois", planned_sessions=plan),
        ),
        ("resubmit", partner, None),
        ("start-review", ripro, None),
        ("approve", ripro, None),
    )
    await ok(
        await api.put(
            f"/proposals/{approved['proposal_id']}", headers=partner, json=proposal_content(next_week)
        ),
        422,
    )  # approved: no longer editable

    action_url = f"/actions/{approved['action_id']}"
    (kept,) = [s["session_id"] for s in approved["scheduled_sessions"]]
    assert [s["rule"] for s in approved["planned_sessions_not_scheduled"]] == ["place-double-booked"]
    dropped = await scheduled_session(api, partner, approved["action_id"], next_week + timedelta(days=1))
    moved = {
        "starts_at": (next_week + timedelta(hours=3)).isoformat(),
        "duration_minutes": 60,
        "place": "Salle 2",
    }
    await ok(await api.post(f"{action_url}/sessions/{kept}/move", json=moved, headers=partner))
    await ok(
        await api.post(
            f"{action_url}/sessions/{dropped}/cancel", json={"reason": "Salle fermée"}, headers=partner
        )
    )
    await ok(await api.post(f"{action_url}/publish", headers=chef))
    clock.advance(days=8)
    await ok(
        await api.post(
            f"{action_url}/sessions/{kept}/report", headers=partner, json={"held": True, "present_count": 6}
        )
    )
    await ok(await api.post(f"{action_url}/close", headers=chef))
    await ok(await api.post(f"{call_url}/close", headers=chef))
    await ok(await api.post(f"{call_url}/archive", headers=chef))

    envelopes, _ = await published_and_valid(partners_settings, partners_dsn, "partners")
    service_types = {cls.event_type for cls in known_events() if cls.service() == "partners"}
    assert {e["event_type"] for e in envelopes} == service_types
