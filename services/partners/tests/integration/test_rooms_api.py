"""Rooms as the establishment's reference data (issue 15 #2, ADR 29): once the call's establishment has a list
(PARTNERS_ROOMS_FILE), an action's sessions inside the walls are scheduled, moved and approved in its rooms only;
a place not on it is refused 422 `room-unknown`, naming the list, with no event appended. An establishment
without a list, and actions that take people outside (a PMSMP), accept any place."""

import json
from datetime import timedelta

import pytest

from devinfra.testkit import ok, refused, serving
from partners.bootstrap import create_app

from .flows import accredited_partner, approved_action, proposal_content, published_call, scheduled_session

pytestmark = pytest.mark.integration

ROOMS = {
    "establishments": [
        {
            "establishment": "InSERRE Arras",
            "rooms": [
                {"room_id": "arras-1", "name": "Salle 1"},
                {"room_id": "arras-polyvalente", "name": "Salle polyvalente", "aliases": ["Polyvalente"]},
            ],
        }
    ]
}


@pytest.fixture
async def api(partners_settings, clock, tmp_path):
    rooms = tmp_path / "rooms.json"
    rooms.write_text(json.dumps(ROOMS), encoding="utf-8")
    settings = partners_settings.model_copy(update={"rooms_file": rooms})
    async with serving(create_app(settings, clock=clock)) as client:
        yield client


async def an_action(api, as_role, clock, n: int, **call):
    today = clock.now.date()
    found = await published_call(api, as_role, today, **call)
    partner = await accredited_partner(api, as_role, n, today)
    first = clock.now + timedelta(days=10)
    action = await approved_action(
        api, as_role, found["call_id"], partner["partner_id"], proposal_content(first, planned_sessions=[])
    )
    return action, as_role("partenaire", organisation_id=partner["partner_id"])


def a_session(starts_at, place: str) -> dict:
    return {
        "starts_at": starts_at.isoformat(),
        "duration_minutes": 120,
        "place": place,
        "facilitators": ["Camille Martin"],
    }


async def test_a_session_is_scheduled_and_moved_in_one_of_its_calls_establishments_rooms(
    api, as_role, clock, partners_dsn
):
    action, partner = await an_action(api, as_role, clock, 1)
    url = f"/actions/{action['action_id']}"
    starts_at = clock.now + timedelta(days=12)
    problem = await refused(
        partners_dsn,
        api.post(f"{url}/sessions", json=a_session(starts_at, "Gymnase"), headers=partner),
        422,
        "room-unknown",
    )
    assert "Salle 1" in problem["detail"] and "Salle polyvalente" in problem["detail"]
    # By an alias, case and spaces aside.
    session_id = await scheduled_session(api, partner, action["action_id"], starts_at, place=" polyvalente ")
    await refused(
        partners_dsn,
        api.post(f"{url}/sessions/{session_id}/move", json=a_session(starts_at, "Cour"), headers=partner),
        422,
        "room-unknown",
    )
    await ok(
        await api.post(
            f"{url}/sessions/{session_id}/move",
            json=a_session(starts_at + timedelta(hours=2), "Salle 1"),
            headers=partner,
        )
    )


async def test_a_proposal_planned_in_no_room_of_the_list_is_not_approved(api, as_role, clock, partners_dsn):
    today = clock.now.date()
    found = await published_call(api, as_role, today)
    partner = await accredited_partner(api, as_role, 2, today)
    headers = as_role("partenaire", organisation_id=partner["partner_id"])
    content = proposal_content(clock.now + timedelta(days=10))
    content["planned_sessions"][0]["place"] = "Gymnase"
    proposal = await ok(
        await api.post("/proposals", json={"call_id": found["call_id"], "content": content}, headers=headers),
        201,
    )
    url = f"/proposals/{proposal['proposal_id']}"
    await ok(await api.post(f"{url}/submit", headers=headers))
    await ok(await api.post(f"{url}/start-review", headers=as_role("ripro")))
    await refused(partners_dsn, api.post(f"{url}/approve", headers=as_role("ripro")), 422, "room-unknown")


async def test_another_establishment_and_actions_outside_the_walls_take_any_place(api, as_role, clock):
    starts_at = clock.now + timedelta(days=12)
    elsewhere, partner = await an_action(api, as_role, clock, 3, establishment="CD Bapaume")
    await scheduled_session(api, partner, elsewhere["action_id"], starts_at, place="Gymnase")

    today = clock.now.date()
    found = await published_call(api, as_role, today, target_themes=["pmsmp"])
    organisation = await accredited_partner(api, as_role, 4, today)
    content = proposal_content(clock.now + timedelta(days=10), action_type="pmsmp", planned_sessions=[])
    outside = await approved_action(api, as_role, found["call_id"], organisation["partner_id"], content)
    headers = as_role("partenaire", organisation_id=organisation["partner_id"])
    elsewhere_day = starts_at + timedelta(days=1)  # its own day and tutor: only the place is under test
    await scheduled_session(
        api,
        headers,
        outside["action_id"],
        elsewhere_day,
        place="Entreprise Dupont",
        facilitators=("Alex Tuteur",),
    )
