"""Every rule of the partners domain, broken through the API: a 4xx problem+json naming the rule (422 for a
broken rule, 404 for something unknown, 409 for a conflict), and no event appended.

Rules the API cannot reach are left to the unit tests: the service chooses the ids of new calls,
organisations, contact persons, proposals, actions and sessions (`call-already-exists`,
`partner-already-registered`, `contact-person-already-added`, `proposal-already-exists`,
`action-already-exists`, `session-already-exists`).

Each test walks through the refusals of one aggregate on one setup, to keep the databases few."""

from datetime import timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager

from devinfra.testkit import refused, valid_siret
from partners.bootstrap import create_app

from .flows import (
    accredited_partner, approved_action, call_body, ok, proposal_content, published_call,
    registered_partner, scheduled_session,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def answering_api(partners_settings, clock):
    """Like `api`, but an unexpected error comes back as the 500 a client would get, instead of being raised
    into the test: for the inputs that should be refused as 4xx and are not."""
    app = create_app(partners_settings, clock=clock)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with LifespanManager(app), httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_organisation_rules_are_refused_by_name_and_append_nothing(api, as_role, clock, partners_dsn):
    today, chef = clock.now.date(), as_role("ipro_chef")
    accredited = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    unaccredited = (await registered_partner(api, as_role, 2))["partner_id"]

    def post(url, body=None, headers=chef):
        return api.post(url, json=body, headers=headers)

    registration = {"name": "Nouvelle association", "siret": valid_siret(3), "organisation_type": "association"}
    await refused(partners_dsn, post("/partners", {**registration, "siret": "73282932000075"}), 422, "siret-invalid")
    await refused(partners_dsn, post("/partners", {**registration, "siret": valid_siret(1)}), 409,
                  "siret-already-registered")
    await refused(partners_dsn, post("/partners", {**registration, "organisation_type": "cartel"}), 422,
                  "request-validation")

    await refused(partners_dsn, api.get("/partners/no-such-partner", headers=chef), 404, "partner-not-found")
    await refused(partners_dsn, post("/partners/no-such-partner/contacts", {"full_name": "Léa Petit"}), 404,
                  "partner-not-found")
    await refused(partners_dsn, post(f"/partners/{accredited}/contacts/no-such-contact/remove"), 404,
                  "contact-person-not-found")
    await refused(partners_dsn, post(f"/partners/{accredited}/contacts", {"full_name": "Léa", "email": "léa"}), 422,
                  "request-validation")

    accreditation = {"establishment": "InSERRE Arras", "accredited_until": str(today)}
    await refused(partners_dsn, post(f"/partners/{accredited}/accredit", accreditation), 422,
                  "accreditation-expiry-in-the-past")
    await refused(partners_dsn, post(f"/partners/{unaccredited}/suspend", {"reason": "Incident"}), 422,
                  "partner-not-accredited")
    await refused(partners_dsn, post(f"/partners/{accredited}/reinstate"), 422, "partner-not-suspended")
    await refused(partners_dsn, post(f"/partners/{accredited}/suspend", {}), 422, "request-validation")

    await ok(await post(f"/partners/{accredited}/suspend", {"reason": "Incident en détention"}))
    await refused(partners_dsn, post(f"/partners/{accredited}/suspend", {"reason": "Encore"}), 422,
                  "partner-suspended")
    renewal = {"establishment": "InSERRE Arras", "accredited_until": str(today + timedelta(days=400))}
    await refused(partners_dsn, post(f"/partners/{accredited}/accredit", renewal), 422, "partner-suspended")

    await ok(await post(f"/partners/{unaccredited}/withdraw", {"reason": "Fin du partenariat"}))
    await refused(partners_dsn, post(f"/partners/{unaccredited}/contacts", {"full_name": "Léa Petit"}), 422,
                  "partner-withdrawn")
    await refused(partners_dsn, post(f"/partners/{unaccredited}/accredit", renewal), 422, "partner-withdrawn")
    await refused(partners_dsn, post(f"/partners/{unaccredited}/withdraw", {"reason": "Encore"}), 422,
                  "partner-withdrawn")


async def test_call_rules_are_refused_by_name_and_append_nothing(api, as_role, clock, partners_dsn):
    today, chef = clock.now.date(), as_role("ipro_chef")
    backwards = {"opens_on": str(today + timedelta(days=10)), "closes_on": str(today + timedelta(days=9))}

    await refused(partners_dsn, api.post("/calls", json=call_body(today, **backwards), headers=chef), 422,
                  "call-dates-invalid")
    await refused(partners_dsn, api.post("/calls", json=call_body(today, target_themes=["juggling"]), headers=chef),
                  422, "request-validation")
    await refused(partners_dsn, api.post("/calls", json=call_body(today, target_themes=[]), headers=chef), 422,
                  "request-validation")
    await refused(partners_dsn, api.post("/calls/no-such-call/publish", headers=chef), 404, "call-not-found")
    await refused(partners_dsn, api.put("/calls/no-such-call", json=call_body(today), headers=chef), 404,
                  "call-not-found")

    draft = (await ok(await api.post("/calls", json=call_body(today), headers=chef), 201))["call_id"]
    await refused(partners_dsn, api.put(f"/calls/{draft}", json=call_body(today, **backwards), headers=chef), 422,
                  "call-dates-invalid")
    await refused(partners_dsn, api.post(f"/calls/{draft}/close", headers=chef), 422, "call-not-published")
    await refused(partners_dsn, api.post(f"/calls/{draft}/archive", headers=chef), 422, "call-not-closed")

    await ok(await api.post(f"/calls/{draft}/publish", headers=chef))
    await refused(partners_dsn, api.post(f"/calls/{draft}/publish", headers=chef), 422, "call-not-draft")
    await refused(partners_dsn, api.put(f"/calls/{draft}", json=call_body(today), headers=chef), 422,
                  "call-not-draft")
    await refused(partners_dsn, api.post(f"/calls/{draft}/archive", headers=chef), 422, "call-not-closed")

    late = (await ok(await api.post("/calls", json=call_body(today), headers=chef), 201))["call_id"]
    clock.advance(days=40)
    await refused(partners_dsn, api.post(f"/calls/{late}/publish", headers=chef), 422, "call-closing-date-passed")


async def test_reading_an_unknown_call_names_the_call_not_found_rule(api, as_role, partners_dsn):
    await refused(partners_dsn, api.get("/calls/no-such-call", headers=as_role("cpip")), 404, "call-not-found")


async def test_proposal_drafting_rules_are_refused_by_name_and_append_nothing(api, as_role, clock, partners_dsn):
    today, chef, next_week = clock.now.date(), as_role("ipro_chef"), clock.now + timedelta(days=7)
    open_call = (await published_call(api, as_role, today))["call_id"]
    draft_call = (await ok(await api.post("/calls", json=call_body(today), headers=chef), 201))["call_id"]
    later_call = (await published_call(api, as_role, today, opens_on=str(today + timedelta(days=5))))["call_id"]
    partner = as_role("partenaire", organisation_id=(await accredited_partner(api, as_role, 1, today))["partner_id"])
    withdrawn = (await accredited_partner(api, as_role, 2, today))["partner_id"]
    leaving = as_role("partenaire", organisation_id=withdrawn)
    drafted_before = (await ok(await api.post("/proposals", headers=leaving, json={
        "call_id": open_call, "content": proposal_content(next_week)}), 201))["proposal_id"]
    await ok(await api.post(f"/partners/{withdrawn}/withdraw", json={"reason": "Fin"}, headers=chef))
    await refused(partners_dsn, api.post(f"/proposals/{drafted_before}/submit", headers=leaving), 422,
                  "partner-withdrawn")

    def draft(call_id=open_call, headers=partner, **content):
        return api.post("/proposals", json={"call_id": call_id, "content": proposal_content(next_week, **content)},
                        headers=headers)

    await refused(partners_dsn, draft("no-such-call"), 404, "call-not-found")
    await refused(partners_dsn, draft(draft_call), 422, "call-not-published")
    await refused(partners_dsn, draft(later_call), 422, "call-not-yet-open")
    await refused(partners_dsn, draft(capacity_min=12, capacity_max=10), 422, "capacity-min-above-max")
    past = [{"starts_at": (clock.now - timedelta(hours=1)).isoformat(), "duration_minutes": 60, "place": "Salle 1"}]
    await refused(partners_dsn, draft(planned_sessions=past), 422, "session-in-the-past")
    await refused(partners_dsn, draft(action_type="pmsmp"), 422, "action-type-not-in-call-themes")
    await refused(partners_dsn, draft(action_type="juggling"), 422, "request-validation")
    await refused(partners_dsn, api.post("/proposals", json={"call_id": open_call}, headers=partner), 422,
                  "request-validation")
    await refused(partners_dsn, draft(headers=as_role("partenaire", organisation_id=withdrawn)), 422,
                  "partner-withdrawn")
    await refused(partners_dsn, draft(headers=as_role("partenaire", organisation_id="no-such-partner")), 404,
                  "partner-not-found")

    clock.advance(days=40)
    await refused(partners_dsn, draft(), 422, "call-closing-date-passed")


async def test_proposal_review_rules_are_refused_by_name_and_append_nothing(api, as_role, clock, partners_dsn):
    today, ripro, next_week = clock.now.date(), as_role("ripro"), clock.now + timedelta(days=7)
    call_id = (await published_call(api, as_role, today))["call_id"]
    partner = as_role("partenaire", organisation_id=(await accredited_partner(api, as_role, 1, today))["partner_id"])

    async def drafted(first_session=next_week) -> str:
        body = {"call_id": call_id, "content": proposal_content(first_session)}
        return "/proposals/" + (await ok(await api.post("/proposals", json=body, headers=partner), 201))["proposal_id"]

    def post(url, headers=partner, body=None):
        return api.post(url, json=body, headers=headers)

    await refused(partners_dsn, api.get("/proposals/no-such-proposal", headers=ripro), 404, "proposal-not-found")
    await refused(partners_dsn, post("/proposals/no-such-proposal/submit"), 404, "proposal-not-found")
    await refused(partners_dsn, post("/proposals/no-such-proposal/comments", ripro, {"text": "?"}), 404,
                  "proposal-not-found")

    decided = await drafted()
    await refused(partners_dsn, post(f"{decided}/start-review", ripro), 422, "proposal-not-awaiting-review")
    await refused(partners_dsn, post(f"{decided}/approve", ripro), 422, "proposal-not-under-review")
    await refused(partners_dsn, post(f"{decided}/resubmit"), 422, "proposal-no-changes-requested")
    await ok(await post(f"{decided}/submit"))
    await refused(partners_dsn, post(f"{decided}/submit"), 422, "proposal-not-draft")
    await refused(partners_dsn, api.put(decided, json=proposal_content(next_week), headers=partner), 422,
                  "proposal-not-editable")
    await refused(partners_dsn, post(f"{decided}/reject", ripro, {"reason": "Hors sujet"}), 422,
                  "proposal-not-under-review")
    await refused(partners_dsn, post(f"{decided}/request-changes", ripro, {"reason": "Précisez"}), 422,
                  "proposal-not-under-review")
    await ok(await post(f"{decided}/start-review", ripro))
    await refused(partners_dsn, post(f"{decided}/reject", ripro, {}), 422, "request-validation")
    await refused(partners_dsn, post(f"{decided}/request-changes", ripro, {"reason": ""}), 422, "request-validation")
    await ok(await post(f"{decided}/reject", ripro, {"reason": "Hors sujet"}))
    await refused(partners_dsn, post(f"{decided}/withdraw", body={}), 422, "proposal-already-decided")
    await refused(partners_dsn, post(f"{decided}/approve", ripro), 422, "proposal-not-under-review")

    withdrawn = await drafted()
    await ok(await post(f"{withdrawn}/withdraw", body={"reason": "Plus disponible"}))
    await refused(partners_dsn, post(f"{withdrawn}/comments", ripro, {"text": "Dommage"}), 422, "proposal-withdrawn")
    await refused(partners_dsn, post(f"{withdrawn}/submit"), 422, "proposal-withdrawn")

    # Time passes: a planned session goes by, then the call's closing date.
    soon, sent_back = await drafted(next_week), await drafted(next_week)
    later = await drafted(clock.now + timedelta(days=60))
    await ok(await post(f"{sent_back}/submit"))
    await ok(await post(f"{sent_back}/start-review", ripro))
    await ok(await post(f"{sent_back}/request-changes", ripro, {"reason": "Précisez le public"}))
    clock.advance(days=8)
    await refused(partners_dsn, post(f"{soon}/submit"), 422, "session-in-the-past")
    await refused(partners_dsn, api.put(soon, json=proposal_content(next_week), headers=partner), 422,
                  "session-in-the-past")
    await refused(partners_dsn, post(f"{sent_back}/resubmit"), 422, "session-in-the-past")
    clock.advance(days=30)
    await refused(partners_dsn, post(f"{later}/submit"), 422, "call-closing-date-passed")


async def test_session_rules_are_refused_by_name_and_append_nothing(api, as_role, clock, partners_dsn):
    today, chef, next_week = clock.now.date(), as_role("ipro_chef"), clock.now + timedelta(days=7)
    call_id = (await published_call(api, as_role, today))["call_id"]
    partner_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    partner = as_role("partenaire", organisation_id=partner_id)
    action = await approved_action(api, as_role, call_id, partner_id, proposal_content(next_week))
    url = f"/actions/{action['action_id']}"

    def post(path, body=None, headers=partner):
        return api.post(f"{url}{path}", json=body, headers=headers)

    def slot(starts_at, place="Salle 1", facilitators=("Camille Martin",), **overrides):
        return {"starts_at": starts_at.isoformat(), "duration_minutes": 120, "place": place,
                "facilitators": list(facilitators), **overrides}

    await refused(partners_dsn, api.get("/actions/no-such-action", headers=chef), 404, "action-not-found")
    await refused(partners_dsn, api.post("/actions/no-such-action/sessions", json=slot(next_week), headers=partner),
                  404, "action-not-found")
    await refused(partners_dsn, api.post("/actions/no-such-action/publish", headers=chef), 404, "action-not-found")
    await refused(partners_dsn, post("/publish", headers=chef), 422, "action-without-session")
    await refused(partners_dsn, post("/sessions", slot(clock.now - timedelta(hours=1))), 422, "session-in-the-past")
    await refused(partners_dsn, post("/sessions", slot(next_week, duration_minutes=0)), 422, "request-validation")
    await refused(partners_dsn, post("/sessions", slot(next_week, duration_minutes=24 * 60 + 1)), 422,
                  "request-validation")
    without_offset = {**slot(next_week), "starts_at": "2026-12-04T14:00:00"}
    await refused(partners_dsn, post("/sessions", without_offset), 422, "request-validation")

    first = await scheduled_session(api, partner, action["action_id"], next_week)
    half_an_hour_later = next_week + timedelta(minutes=30)
    await refused(partners_dsn, post("/sessions", slot(half_an_hour_later, facilitators=["Karim Benali"])), 409,
                  "session-overlap-place")
    await refused(partners_dsn, post("/sessions", slot(half_an_hour_later, place="Salle 2",
                                                       facilitators=[" camille MARTIN "])), 409,
                  "session-overlap-facilitator")
    await refused(partners_dsn, post("/sessions/no-such-session/cancel", {"reason": "?"}), 404, "session-not-found")
    await refused(partners_dsn, post(f"/sessions/{first}/cancel", {}), 422, "request-validation")
    await refused(partners_dsn, post(f"/sessions/{first}/report", {"held": True, "present_count": 5}), 422,
                  "session-not-yet-held")
    await ok(await post("/publish", headers=chef))
    await refused(partners_dsn, post("/publish", headers=chef), 422, "action-already-published")

    second = await scheduled_session(api, partner, action["action_id"], next_week + timedelta(days=7))
    await ok(await post(f"/sessions/{second}/cancel", {"reason": "Salle fermée"}))
    await refused(partners_dsn, post(f"/sessions/{second}/cancel", {"reason": "Encore"}), 422, "session-cancelled")
    await refused(partners_dsn, post(f"/sessions/{second}/move", slot(next_week + timedelta(days=8))), 422,
                  "session-cancelled")
    await refused(partners_dsn, post("/close", headers=chef), 422, "session-report-missing")

    clock.advance(days=7, hours=3)  # the first session took place
    await refused(partners_dsn, post(f"/sessions/{first}/move", slot(next_week + timedelta(days=9))), 422,
                  "session-already-started")
    await refused(partners_dsn, post(f"/sessions/{first}/cancel", {"reason": "Trop tard"}), 422,
                  "session-already-started")
    await refused(partners_dsn, post(f"/sessions/{first}/report", {"held": True, "present_count": 11}), 422,
                  "present-count-invalid")
    await refused(partners_dsn, post(f"/sessions/{first}/report", {"held": False, "present_count": 3}), 422,
                  "present-count-invalid")
    await refused(partners_dsn, post(f"/sessions/{first}/report", {"present_count": 3}), 422, "request-validation")
    await ok(await post(f"/sessions/{first}/report", {"held": True, "present_count": 7}))
    await refused(partners_dsn, post(f"/sessions/{first}/report", {"held": True, "present_count": 7}), 422,
                  "session-already-reported")

    await ok(await post("/close", headers=chef))
    await refused(partners_dsn, post("/sessions", slot(clock.now + timedelta(days=7))), 422, "action-closed")
    await refused(partners_dsn, post("/close", headers=chef), 422, "action-closed")


async def test_sessions_are_refused_to_an_organisation_not_allowed_in_the_establishment_that_day(
    api, as_role, clock, partners_dsn
):
    today, chef, next_week = clock.now.date(), as_role("ipro_chef"), clock.now + timedelta(days=7)
    call_id = (await published_call(api, as_role, today))["call_id"]
    actions = {}
    for n, partner in enumerate([await accredited_partner(api, as_role, 1, today),
                                 await registered_partner(api, as_role, 2),
                                 await accredited_partner(api, as_role, 3, today)], start=1):
        content = proposal_content(next_week, title=f"Atelier {n}")
        actions[n] = (partner["partner_id"], await approved_action(api, as_role, call_id, partner["partner_id"], content))

    def schedule(n, starts_at, path="/sessions"):
        partner_id, action = actions[n]
        body = {"starts_at": starts_at.isoformat(), "duration_minutes": 90, "place": f"Salle {n}"}
        return api.post(f"/actions/{action['action_id']}{path}", json=body,
                        headers=as_role("partenaire", organisation_id=partner_id))

    # Accredited for a year: a session after that is refused even though the organisation is accredited today.
    await refused(partners_dsn, schedule(1, clock.now + timedelta(days=400)), 422, "partner-accreditation-expired")
    # Suspended: nothing is scheduled or moved until it is reinstated.
    planned = await scheduled_session(api, as_role("partenaire", organisation_id=actions[1][0]),
                                      actions[1][1]["action_id"], next_week)
    await ok(await api.post(f"/partners/{actions[1][0]}/suspend", json={"reason": "Incident"}, headers=chef))
    await refused(partners_dsn, schedule(1, next_week + timedelta(days=1)), 422, "partner-suspended")
    await refused(partners_dsn, schedule(1, next_week + timedelta(days=1), f"/sessions/{planned}/move"), 422,
                  "partner-suspended")
    # Never accredited: its approved action cannot be scheduled (IPRO on its behalf neither).
    await refused(partners_dsn, schedule(2, next_week), 422, "partner-not-accredited")
    body = {"starts_at": next_week.isoformat(), "duration_minutes": 90, "place": "Salle 2"}
    await refused(partners_dsn, api.post(f"/actions/{actions[2][1]['action_id']}/sessions", json=body, headers=chef),
                  422, "partner-not-accredited")
    # Withdrawn.
    await ok(await api.post(f"/partners/{actions[3][0]}/withdraw", json={"reason": "Fin"}, headers=chef))
    await refused(partners_dsn, schedule(3, next_week), 422, "partner-withdrawn")


async def test_two_actions_never_share_a_place_or_a_facilitator_at_the_same_time(api, as_role, clock, partners_dsn):
    today, next_week = clock.now.date(), clock.now + timedelta(days=7)
    call_id = (await published_call(api, as_role, today))["call_id"]
    first_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    second_id = (await accredited_partner(api, as_role, 2, today))["partner_id"]
    first = await approved_action(api, as_role, call_id, first_id, proposal_content(next_week))
    second = await approved_action(api, as_role, call_id, second_id,
                                   proposal_content(next_week, title="Ciné-débat", action_type="citizenship"))
    first_partner = as_role("partenaire", organisation_id=first_id)
    second_partner = as_role("partenaire", organisation_id=second_id)
    await scheduled_session(api, first_partner, first["action_id"], next_week, place="Salle 1",
                            facilitators=("Camille Martin",))
    elsewhere = await scheduled_session(api, second_partner, second["action_id"], next_week + timedelta(days=1),
                                        place="Salle 2", facilitators=("Karim Benali",))
    url = f"/actions/{second['action_id']}/sessions"

    def slot(starts_at, place, facilitators):
        return {"starts_at": starts_at.isoformat(), "duration_minutes": 60, "place": place,
                "facilitators": facilitators}

    overlapping = next_week + timedelta(minutes=90)  # the first session runs for two hours
    await refused(partners_dsn, api.post(url, json=slot(overlapping, "salle 1", ["Karim Benali"]),
                                         headers=second_partner), 409, "session-overlap-place")
    await refused(partners_dsn, api.post(url, json=slot(overlapping, "Salle 3", ["CAMILLE MARTIN"]),
                                         headers=second_partner), 409, "session-overlap-facilitator")
    # Moving a session onto the other action's slot is refused the same way, IPRO acting on the partner's behalf.
    await refused(partners_dsn, api.post(f"{url}/{elsewhere}/move", json=slot(overlapping, "Salle 1", []),
                                         headers=as_role("ripro")), 409, "session-overlap-place")
    await refused(partners_dsn, api.post(f"{url}/{elsewhere}/move",
                                         json=slot(overlapping, "Salle 3", ["Karim Benali", "Camille Martin"]),
                                         headers=as_role("ripro")), 409, "session-overlap-facilitator")
    # Right after the first session, the place and the facilitator are free again.
    await ok(await api.post(url, json=slot(next_week + timedelta(hours=2), "Salle 1", ["Camille Martin"]),
                            headers=second_partner), 201)


async def test_a_blank_organisation_name_is_refused_as_invalid_input(answering_api, as_role, partners_dsn):
    body = {"name": "   ", "siret": valid_siret(1), "organisation_type": "association"}
    await refused(partners_dsn, answering_api.post("/partners", json=body, headers=as_role("ipro_chef")), 422,
                  "request-validation")


async def test_a_blank_session_place_is_refused_as_invalid_input(answering_api, as_role, clock, partners_dsn):
    api, today, next_week = answering_api, clock.now.date(), clock.now + timedelta(days=7)
    call_id = (await published_call(api, as_role, today))["call_id"]
    partner_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    action = await approved_action(api, as_role, call_id, partner_id, proposal_content(next_week))
    blank = {"starts_at": next_week.isoformat(), "duration_minutes": 60, "place": "   ", "facilitators": []}

    await refused(partners_dsn, api.post(f"/actions/{action['action_id']}/sessions", json=blank,
                                         headers=as_role("partenaire", organisation_id=partner_id)), 422,
                  "request-validation")
