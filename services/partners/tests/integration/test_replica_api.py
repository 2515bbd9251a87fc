"""The catalogue's seats left count the places IPRO's positionings hold (issue 13 #6): the partners service
replicates the positioning events of `ipro.events`, fed here as IPRO publishes them (`Upstream`)."""

import uuid
from datetime import timedelta

import pytest

from contracts.ipro import (
    PositioningCancelled,
    PositioningConfirmed,
    PositioningProposed,
    PositioningWithdrawn,
)
from devinfra.testkit import Upstream, query_value, wait_for

from .flows import (
    accredited_partner,
    approved_action,
    ok,
    proposal_content,
    published_call,
    scheduled_session,
)

pytestmark = pytest.mark.integration

REPLICA_TIMEOUT = 30


@pytest.fixture
def ipro(partners_settings):
    return Upstream(partners_settings, "ipro", role="cip")


async def published_action(api, as_role, clock, capacity_max: int) -> tuple[dict, list[str]]:
    """A published action of `capacity_max` places with two sessions, next week and the week after."""
    today = clock.now.date()
    call_id = (await published_call(api, as_role, today))["call_id"]
    partner_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    partner = as_role("partenaire", organisation_id=partner_id)
    content = proposal_content(clock.now + timedelta(days=7), capacity_max=capacity_max, planned_sessions=[])
    action = await approved_action(api, as_role, call_id, partner_id, content)
    sessions = [
        await scheduled_session(api, partner, action["action_id"], clock.now + timedelta(days=days))
        for days in (7, 14)
    ]
    await ok(await api.post(f"/actions/{action['action_id']}/publish", headers=as_role("ipro_chef")))
    return action, sessions


def proposed(action: dict, session_id: str, positioning_id: str, clock) -> PositioningProposed:
    return PositioningProposed(
        positioning_id=positioning_id,
        pathway_id=f"pathway-{uuid.uuid4()}",
        subject_id=f"person-{positioning_id}",
        action_id=action["action_id"],
        session_id=session_id,
        partner_id=action["partner_id"],
        starts_at=clock.now + timedelta(days=7),
        ends_at=clock.now + timedelta(days=7, hours=2),
    )


async def test_the_catalogue_counts_the_places_ipro_positionings_hold_until_given_back(
    api, as_role, clock, ipro, partners_dsn
):
    """issue 13 #6: proposed (and confirmed) positionings take a place; a withdrawn one and one cancelled
    with its session give it back; a positioning published twice counts once."""
    action, (next_week, week_after) = await published_action(api, as_role, clock, capacity_max=4)
    kept, withdrawn, cancelled = (str(uuid.uuid4()) for _ in range(3))
    for positioning_id in (kept, withdrawn, cancelled):
        await ipro.publish(positioning_id, proposed(action, next_week, positioning_id, clock))
    await ipro.publish(kept, PositioningConfirmed(positioning_id=kept))
    await ipro.publish(kept, proposed(action, next_week, kept, clock))  # redelivered: counted once
    cpip = as_role("cpip")

    async def seats_left() -> dict[str, int]:
        (entry,) = (await ok(await api.get("/catalogue", headers=cpip)))["items"]
        return {s["session_id"]: s["seats_left"] for s in entry["sessions"]}

    async def booked(count: int):
        return await query_value(
            partners_dsn, "SELECT booked = $2 FROM action_sessions WHERE session_id = $1", next_week, count
        )

    await wait_for(lambda: booked(3), timeout=REPLICA_TIMEOUT, message="three places held")
    assert await seats_left() == {next_week: 1, week_after: 4}
    filtered = await ok(await api.get("/catalogue?min_seats_left=2", headers=cpip))
    assert [s["session_id"] for s in filtered["items"][0]["sessions"]] == [week_after]

    await ipro.publish(withdrawn, PositioningWithdrawn(positioning_id=withdrawn, reason="Libération"))
    await ipro.publish(cancelled, PositioningCancelled(positioning_id=cancelled, reason="Séance annulée"))
    await wait_for(lambda: booked(1), timeout=REPLICA_TIMEOUT, message="two places given back")
    assert await seats_left() == {next_week: 3, week_after: 4}


async def test_a_positioning_on_a_session_unknown_here_changes_no_count(
    api, as_role, clock, ipro, partners_dsn
):
    action, (next_week, _) = await published_action(api, as_role, clock, capacity_max=4)
    stray, counted = str(uuid.uuid4()), str(uuid.uuid4())
    await ipro.publish(stray, proposed(action, "no-such-session", stray, clock))
    await ipro.publish(stray, PositioningWithdrawn(positioning_id=stray, reason="Erreur"))
    await ipro.publish(counted, proposed(action, next_week, counted, clock))

    async def counted_once():
        return await query_value(partners_dsn, "SELECT sum(booked) = 1 FROM action_sessions")

    await wait_for(counted_once, timeout=REPLICA_TIMEOUT, message="the known session's place")


# --- the sessions an approved proposal planned (issue 13 #12) ---


async def test_an_approved_proposal_brings_its_planned_sessions_and_says_which_it_could_not_schedule(
    api, as_role, clock, partners_dsn
):
    """issue 13 #12: the planned sessions still ahead are scheduled under the scheduling rules, checked
    against the other actions' sessions in the read tables; one taken by another action, one past by the
    approval and one after the accreditation ends are listed, with their rule, and the approval succeeds."""
    today = clock.now.date()
    call_id = (await published_call(api, as_role, today))["call_id"]
    partner_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    other_id = (await accredited_partner(api, as_role, 2, today))["partner_id"]
    await ok(
        await api.post(
            f"/partners/{partner_id}/accredit",
            json={"establishment": "InSERRE Arras", "accredited_until": str(today + timedelta(days=20))},
            headers=as_role("dpip"),
        )
    )
    partner = as_role("partenaire", organisation_id=partner_id)
    day = clock.now + timedelta(days=7)
    # Another organisation's action holds Salle 2 on the third planned session's afternoon.
    other = await approved_action(
        api, as_role, call_id, other_id, proposal_content(day, title="Ciné-débat", planned_sessions=[])
    )
    other_partner = as_role("partenaire", organisation_id=other_id)
    await scheduled_session(
        api,
        other_partner,
        other["action_id"],
        day + timedelta(days=2),
        place="salle 2",
        facilitators=("Léa",),
    )

    def planned(starts_at, place: str = "Salle 1") -> dict:
        return {"starts_at": starts_at.isoformat(), "duration_minutes": 120, "place": place}

    plan = [
        planned(clock.now + timedelta(days=1)),  # past once the review has taken two days
        planned(day),
        planned(day + timedelta(days=2, hours=1), place="Salle 2"),  # Salle 2 taken by the other action
        planned(day + timedelta(days=30)),  # after the accreditation ends
    ]
    proposal = await ok(
        await api.post(
            "/proposals",
            json={"call_id": call_id, "content": proposal_content(day, planned_sessions=plan)},
            headers=partner,
        ),
        201,
    )
    url = f"/proposals/{proposal['proposal_id']}"
    await ok(await api.post(f"{url}/submit", headers=partner))
    await ok(await api.post(f"{url}/start-review", headers=as_role("ripro")))
    clock.advance(days=2)
    approved = await ok(await api.post(f"{url}/approve", headers=as_role("ripro")))

    (scheduled,) = approved["scheduled_sessions"]
    assert scheduled["slot"]["place"] == "Salle 1" and scheduled["slot"]["facilitators"] == ["Camille Martin"]
    not_scheduled = [(s["place"], s["rule"]) for s in approved["planned_sessions_not_scheduled"]]
    assert not_scheduled == [
        ("Salle 1", "session-in-the-past"),
        ("Salle 2", "place-double-booked"),
        ("Salle 1", "partner-accreditation-expired"),
    ]
    action = await ok(await api.get(f"/actions/{approved['action_id']}", headers=partner))
    assert [s["session_id"] for s in action["sessions"]] == [scheduled["session_id"]]
    assert action["planned_sessions_not_scheduled"] == approved["planned_sessions_not_scheduled"]
    # The session holds its place and facilitator in the read tables, like one scheduled by hand.
    await refused_elsewhere(api, other_partner, other["action_id"], day)
    assert (
        await query_value(
            partners_dsn, "SELECT count(*) FROM action_sessions WHERE action_id = $1", approved["action_id"]
        )
        == 1
    )


async def refused_elsewhere(api, headers, action_id: str, starts_at) -> None:
    body = {
        "starts_at": starts_at.isoformat(),
        "duration_minutes": 60,
        "place": "SALLE 1",
        "facilitators": [],
    }
    answer = await api.post(f"/actions/{action_id}/sessions", json=body, headers=headers)
    assert answer.status_code == 409 and answer.json()["rule"] == "place-double-booked", answer.text
