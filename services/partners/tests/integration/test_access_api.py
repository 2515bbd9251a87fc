"""Partners see and act on their own organisation only: anything of another organisation answers as if it
did not exist (404, word for word, nothing appended) and lists are filtered to their own, totals included.
Who reads each route is the access matrix (tests/security/access_matrix.py): staff reading every
organisation and a token naming no organisation seeing nothing are rows there."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from devinfra.testkit import refused

from .flows import (
    accredited_partner,
    approved_action,
    call_body,
    ok,
    proposal_content,
    published_call,
    scheduled_session,
)

pytestmark = pytest.mark.integration


@dataclass
class Organisation:
    partner_id: str
    headers: dict
    draft_proposal_id: str
    approved_proposal_id: str
    action_id: str
    session_id: str
    contact_id: str


async def organisation(api, as_role, clock, call_id: str, n: int, name: str) -> Organisation:
    """An accredited organisation with a contact person, a draft proposal, and an approved proposal whose
    catalogue action has a session and is published."""
    next_week = clock.now + timedelta(days=7)
    partner_id = (await accredited_partner(api, as_role, n, clock.now.date(), name=name))["partner_id"]
    headers = as_role("partenaire", organisation_id=partner_id)
    contact = await ok(
        await api.post(
            f"/partners/{partner_id}/contacts", json={"full_name": f"Contact {name}"}, headers=headers
        ),
        201,
    )
    draft = await ok(
        await api.post(
            "/proposals",
            headers=headers,
            json={"call_id": call_id, "content": proposal_content(next_week, title=f"Projet {name}")},
        ),
        201,
    )
    action = await approved_action(
        api, as_role, call_id, partner_id, proposal_content(next_week, title=f"Action {name}")
    )
    session_id = await scheduled_session(
        api,
        headers,
        action["action_id"],
        next_week + timedelta(days=n),
        place=f"Salle {name}",
        facilitators=(f"Animateur {name}",),
    )
    await ok(await api.post(f"/actions/{action['action_id']}/publish", headers=as_role("ipro_chef")))
    return Organisation(
        partner_id,
        headers,
        draft["proposal_id"],
        action["proposal_id"],
        action["action_id"],
        session_id,
        contact["contacts"][0]["contact_id"],
    )


@pytest.fixture
async def two_organisations(api, as_role, clock):
    call_id = (await published_call(api, as_role, clock.now.date()))["call_id"]
    return (
        await organisation(api, as_role, clock, call_id, 1, "A"),
        await organisation(api, as_role, clock, call_id, 2, "B"),
    )


async def test_a_partner_cannot_read_comment_on_or_modify_anything_of_another_organisation(
    api, as_role, clock, partners_dsn, two_organisations
):
    a, b = two_organisations
    next_month = clock.now + timedelta(days=30)
    slot = {
        "starts_at": next_month.isoformat(),
        "duration_minutes": 60,
        "place": "Salle A",
        "facilitators": [],
    }

    # Another organisation's things answer exactly as things that do not exist: nothing leaks.
    for url, missing in (
        (f"/partners/{b.partner_id}", "partner-not-found"),
        (f"/proposals/{b.draft_proposal_id}", "proposal-not-found"),
        (f"/proposals/{b.approved_proposal_id}", "proposal-not-found"),
        (f"/actions/{b.action_id}", "action-not-found"),
    ):
        problem = await refused(partners_dsn, api.get(url, headers=a.headers), 404, missing)
        unknown = await refused(partners_dsn, api.get(url[:-8] + "00000000", headers=a.headers), 404, missing)
        assert "Projet B" not in problem["detail"]
        assert problem["detail"].replace(url.rsplit("/", 1)[1], "…") == unknown["detail"].replace(
            unknown["instance"].rsplit("/", 1)[1], "…"
        )

    proposal, action = f"/proposals/{b.draft_proposal_id}", f"/actions/{b.action_id}"
    for request, missing in (
        (api.put(proposal, json=proposal_content(next_month), headers=a.headers), "proposal-not-found"),
        (api.post(f"{proposal}/submit", headers=a.headers), "proposal-not-found"),
        (
            api.post(f"{proposal}/withdraw", json={"reason": "Pas à nous"}, headers=a.headers),
            "proposal-not-found",
        ),
        (
            api.post(f"{proposal}/comments", json={"text": "Bonjour B"}, headers=a.headers),
            "proposal-not-found",
        ),
        (
            api.post(
                f"/proposals/{b.approved_proposal_id}/comments", json={"text": "Bonjour B"}, headers=a.headers
            ),
            "proposal-not-found",
        ),
        (
            api.post(f"/partners/{b.partner_id}/contacts", json={"full_name": "Intrus"}, headers=a.headers),
            "partner-not-found",
        ),
        (
            api.post(f"/partners/{b.partner_id}/contacts/{b.contact_id}/remove", headers=a.headers),
            "partner-not-found",
        ),
        (api.post(f"{action}/sessions", json=slot, headers=a.headers), "action-not-found"),
        (
            api.post(f"{action}/sessions/{b.session_id}/move", json=slot, headers=a.headers),
            "action-not-found",
        ),
        (
            api.post(
                f"{action}/sessions/{b.session_id}/cancel", json={"reason": "Pas à nous"}, headers=a.headers
            ),
            "action-not-found",
        ),
    ):
        await refused(partners_dsn, request, 404, missing)
    # What only staff do is refused to partners by role, whichever organisation it concerns.
    renewal = {"establishment": "InSERRE Arras", "accredited_until": str(next_month.date())}
    for request in (
        api.post(f"/partners/{b.partner_id}/accredit", json=renewal, headers=a.headers),
        api.post(f"/partners/{b.partner_id}/suspend", json={"reason": "Concurrence"}, headers=a.headers),
        api.post(f"/partners/{b.partner_id}/withdraw", json={"reason": "Concurrence"}, headers=a.headers),
        api.post(f"/proposals/{b.draft_proposal_id}/start-review", headers=a.headers),
        api.post(f"/proposals/{a.draft_proposal_id}/start-review", headers=a.headers),
        api.post(f"{action}/close", headers=a.headers),
    ):
        await refused(partners_dsn, request, 403, "role-not-allowed")
    clock.advance(days=10)  # B's session took place: only B (or IPRO) reports it
    await refused(
        partners_dsn,
        api.post(
            f"{action}/sessions/{b.session_id}/report",
            json={"held": True, "present_count": 5},
            headers=a.headers,
        ),
        404,
        "action-not-found",
    )

    # B's resources are untouched.
    untouched = await ok(await api.get(proposal, headers=b.headers))
    assert untouched["status"] == "draft" and untouched["comments"] == [] and untouched["version"] == 1
    assert [
        c["full_name"]
        for c in (await ok(await api.get(f"/partners/{b.partner_id}", headers=b.headers)))["contacts"]
    ] == ["Contact B"]


async def test_a_partners_lists_hold_its_own_organisation_only(api, as_role, partners_dsn, two_organisations):
    a, b = two_organisations

    partners = await ok(await api.get("/partners", headers=a.headers))
    proposals = await ok(await api.get("/proposals", headers=a.headers))
    own_proposals = await ok(await api.get(f"/proposals?partner_id={a.partner_id}", headers=a.headers))
    catalogue = await ok(await api.get("/catalogue", headers=a.headers))

    assert partners["total"] == 1 and [p["partner_id"] for p in partners["items"]] == [a.partner_id]
    assert proposals["total"] == 2
    assert {p["proposal_id"] for p in proposals["items"]} == {a.draft_proposal_id, a.approved_proposal_id}
    assert own_proposals == proposals
    assert catalogue["total"] == 1 and [e["action_id"] for e in catalogue["items"]] == [a.action_id]
    # Another organisation's proposals are not there for it, as an unknown organisation's are not.
    assert await ok(await api.get(f"/proposals?partner_id={b.partner_id}", headers=a.headers)) == {
        "total": 0,
        "total_exact": True,
        "items": [],
        "next": None,
    }


async def test_a_partner_does_not_see_draft_calls(api, as_role, clock, two_organisations):
    a, _ = two_organisations
    today = clock.now.date()
    draft = await ok(
        await api.post(
            "/calls", json=call_body(today, title="AMI en préparation"), headers=as_role("ipro_chef")
        ),
        201,
    )

    seen_by_partner = await ok(await api.get("/calls", headers=a.headers))
    seen_by_staff = await ok(await api.get("/calls", headers=as_role("ipro_chef")))
    draft_for_partner = await api.get(f"/calls/{draft['call_id']}", headers=a.headers)

    assert seen_by_partner["total"] == 1 and [c["status"] for c in seen_by_partner["items"]] == ["published"]
    assert seen_by_staff["total"] == 2 and draft["call_id"] in {c["call_id"] for c in seen_by_staff["items"]}
    assert draft_for_partner.status_code == 404
    assert draft_for_partner.headers["content-type"] == "application/problem+json"
    assert (await api.get(f"/calls/{draft['call_id']}", headers=as_role("cpip"))).status_code == 200
