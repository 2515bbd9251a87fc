"""Rooms as the establishment's reference data (issue 15 #2, ADR 29): once an establishment has a list
(PROGRAMMES_ROOMS_FILE), a group is planned, moved and caught up in its rooms only; a place not on it is
refused 422 `room-unknown`, naming the list, with no event appended. Another establishment, without a list,
accepts any place."""

import json

import pytest

from devinfra.testkit import ok, refused, serving
from programmes.bootstrap import create_app

from .flows import group_body, planned_group

pytestmark = pytest.mark.integration

PARCOURS = "programme-parcours"
ROOMS = {
    "establishments": [
        {
            "establishment": "InSERRE Arras",
            "rooms": [
                {"room_id": "arras-1", "name": "Salle d'activités 1"},
                {"room_id": "arras-2", "name": "Salle d'activités 2", "aliases": ["Salle 2"]},
            ],
        }
    ]
}


@pytest.fixture
async def api(programmes_settings, clock, tmp_path):
    rooms = tmp_path / "rooms.json"
    rooms.write_text(json.dumps(ROOMS), encoding="utf-8")
    settings = programmes_settings.model_copy(update={"rooms_file": rooms})
    async with serving(create_app(settings, clock=clock)) as client:
        yield client


async def test_a_group_is_planned_in_one_of_its_establishments_rooms(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    problem = await refused(
        programmes_dsn,
        api.post("/groups", headers=as_role("dpip"), json=group_body(PARCOURS, today, room="Gymnase")),
        422,
        "room-unknown",
    )
    assert "Salle d'activités 1" in problem["detail"] and "Salle d'activités 2" in problem["detail"]
    # By an alias, case and spaces aside.
    group = await planned_group(api, as_role, PARCOURS, today, room="  salle 2 ")
    assert group["sessions"][0]["session"]["room"] == "salle 2"  # as written, trimmed
    # An establishment without a list takes any place.
    await planned_group(
        api, as_role, PARCOURS, today, establishment="CD Bapaume", room="Gymnase", facilitators=["cpip-9"]
    )


async def test_a_session_moves_or_is_caught_up_in_one_of_its_rooms_only(api, as_role, clock, programmes_dsn):
    group = await planned_group(api, as_role, PARCOURS, clock.now.date())
    url = f"/groups/{group['group_id']}"
    first = group["sessions"][0]["session"]
    later = first["starts_at"].replace(first["starts_at"][11:13], "16")
    await refused(
        programmes_dsn,
        api.post(
            f"{url}/sessions/{first['session_id']}/move",
            headers=as_role("dpip"),
            json={"starts_at": later, "room": "Cour"},
        ),
        422,
        "room-unknown",
    )
    await refused(
        programmes_dsn,
        api.post(f"{url}/sessions", headers=as_role("dpip"), json={"starts_at": later, "room": "Cour"}),
        422,
        "room-unknown",
    )
    # Without a room, a session keeps its own; with a room of the list, it moves there.
    await ok(
        await api.post(
            f"{url}/sessions/{first['session_id']}/move",
            headers=as_role("dpip"),
            json={"starts_at": later, "room": "Salle d'activités 2"},
        )
    )
    evening = first["starts_at"].replace(first["starts_at"][11:13], "18")
    await ok(await api.post(f"{url}/sessions", headers=as_role("dpip"), json={"starts_at": evening}), 201)
