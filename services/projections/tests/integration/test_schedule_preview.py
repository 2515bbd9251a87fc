"""What a proposed session would conflict with (issue 15 #2, `/schedule/conflicts/preview`): the sessions already
in its room or run by its facilitators at that time, read from the week's schedule; nothing written; for those
who review partners' proposals only; bad input refused by name."""

import pytest

from devinfra.testkit import assert_refused, ok, serving
from projections.bootstrap import create_app
from projections.schedule import ingest
from services.projections.tests.integration.test_schedule_store import A1, G1
from services.projections.tests.schedule_week import ARRAS, FACILITATOR, NOW, at, the_week

pytestmark = pytest.mark.integration

# Tuesday 15:00-17:00 in the multi-purpose room, run by the group's facilitator: the partner session is there
# until 16:00, the group's first session (same room, same facilitator) until 16:30.
TUESDAY_AFTERNOON = {
    "establishment": ARRAS,
    "room": "salle  Polyvalente",  # as a proposal may spell it: case and spaces aside
    "starts_at": at(1, 15).isoformat(),
    "ends_at": at(1, 17).isoformat(),
    "facilitator": [FACILITATOR, "Quelqu'un d'autre"],
}
VIEW_TABLES = ("schedule_sessions", "schedule_conflicts", "schedule_facilitator_slots", "events")


@pytest.fixture
async def api(views_settings, apply_all, pool, dev_keys):
    await apply_all(ingest.apply, *the_week().envelopes)  # the schedule alone: a preview names no one
    async with serving(create_app(views_settings, clock=lambda: NOW)) as client:

        def as_user(role: str, **claims) -> dict[str, str]:
            return {"Authorization": f"Bearer {dev_keys.mint(role, subject=f'{role}-1', **claims)}"}

        yield client, as_user


async def counts(pool) -> dict[str, int]:
    return {table: await pool.fetchval(f"SELECT count(*) FROM {table}") for table in VIEW_TABLES}


async def test_the_head_of_ipro_reads_what_a_proposed_session_would_double_book(api, pool):
    client, as_user = api
    before = await counts(pool)
    preview = await ok(
        await client.get(
            "/schedule/conflicts/preview", params=TUESDAY_AFTERNOON, headers=as_user("ipro_chef")
        )
    )
    found = [(c["kind"], c["item_id"], c["starts_at"], c["ends_at"]) for c in preview["items"]]
    assert found == [
        ("facilitator_double_booked", G1, at(1, 15).isoformat(), at(1, 16, 30).isoformat()),
        ("room_double_booked", A1, at(1, 15).isoformat(), at(1, 16).isoformat()),
        ("room_double_booked", G1, at(1, 15).isoformat(), at(1, 16, 30).isoformat()),
    ]
    by_room = preview["items"][1]
    assert by_room["room"] == "salle  Polyvalente" and by_room["facilitator"] is None
    assert by_room["place"] == "Salle polyvalente" and by_room["establishment"] == ARRAS
    assert by_room["item_starts_at"] == at(1, 14).isoformat() and by_room["severity"] == "conflict"
    assert preview["items"][0]["facilitator"] == FACILITATOR and preview["items"][0]["title"]
    assert await counts(pool) == before  # read only: no session, conflict, slot or event written

    # An hour later the partner session has ended; touching is not overlapping. Elsewhere or at night: nothing.
    later = {**TUESDAY_AFTERNOON, "starts_at": at(1, 16).isoformat(), "ends_at": at(1, 18).isoformat()}
    assert [
        c["item_id"]
        for c in (
            await ok(await client.get("/schedule/conflicts/preview", params=later, headers=as_user("ripro")))
        )["items"]
    ] == [G1, G1]
    for free in (
        {**TUESDAY_AFTERNOON, "room": "Salle 3", "facilitator": ["Quelqu'un d'autre"]},
        {**TUESDAY_AFTERNOON, "starts_at": at(1, 20).isoformat(), "ends_at": at(1, 21).isoformat()},
    ):
        answer = await client.get("/schedule/conflicts/preview", params=free, headers=as_user("dpip"))
        assert (await ok(answer))["items"] == [], free


async def test_only_proposal_reviewers_of_the_establishment_may_ask(api):
    client, as_user = api
    ask = "/schedule/conflicts/preview"
    for role in ("cpip", "psychologue", "ipro_conseiller", "direction", "auditeur"):
        assert_refused(
            await client.get(ask, params=TUESDAY_AFTERNOON, headers=as_user(role)), 403, "role-not-allowed"
        )
    partner = as_user("partenaire", organisation_id="partner-1")
    assert_refused(await client.get(ask, params=TUESDAY_AFTERNOON, headers=partner), 403, "role-not-allowed")
    elsewhere = as_user("ipro_chef", establishments=["CD Bapaume"])
    refused = await client.get(ask, params=TUESDAY_AFTERNOON, headers=elsewhere)
    assert_refused(refused, 403, "establishment-not-reached")
    assert (await client.get(ask, params=TUESDAY_AFTERNOON)).status_code == 401


async def test_a_preview_names_what_it_refuses(api):
    client, as_user = api
    headers = as_user("ipro_chef")
    ask = "/schedule/conflicts/preview"
    backwards = {**TUESDAY_AFTERNOON, "ends_at": at(1, 14).isoformat()}
    assert_refused(await client.get(ask, params=backwards, headers=headers), 422, "session-span-invalid")
    two_days = {**TUESDAY_AFTERNOON, "ends_at": at(3, 15).isoformat()}
    assert_refused(await client.get(ask, params=two_days, headers=headers), 422, "session-span-invalid")
    for start, end in (
        ("0001-01-01T00:00:00+05:00", "0001-01-01T01:00:00+05:00"),
        ("9999-12-31T22:00:00-05:00", "9999-12-31T23:00:00-05:00"),
    ):
        edge = {**TUESDAY_AFTERNOON, "starts_at": start, "ends_at": end}  # no UTC instant, or barely one
        assert_refused(await client.get(ask, params=edge, headers=headers), 422, "session-span-invalid")
    crowd = {**TUESDAY_AFTERNOON, "facilitator": [f"anim-{n}" for n in range(51)]}
    assert_refused(await client.get(ask, params=crowd, headers=headers), 422, "preview-too-many-facilitators")
    nothing = {k: v for k, v in TUESDAY_AFTERNOON.items() if k not in ("room", "facilitator")}
    assert_refused(await client.get(ask, params=nothing, headers=headers), 422, "preview-empty")
    naive = {**TUESDAY_AFTERNOON, "starts_at": "2031-03-11T15:00:00"}
    answer = await client.get(ask, params=naive, headers=headers)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
