"""The IPRO service's replicas of the assessment and partners events, fed as those services publish them: an
admission opens the person's pathway, a published action takes positionings, a release closes the pathway
and gives its places back."""

from datetime import date, datetime

import asyncpg
import pytest

from contracts import parse_payload
from contracts.assessment import Identity, IdentityCorrected
from devinfra.testkit import events_in, ok, query_value, refused, wait_for
from ipro import replica
from kernel.clock import LOCAL_TIME_ZONE
from kernel.eventstore import EventStore

from .test_rules_api import MONDAY, MONDAY_MORNING, affected, positioned

pytestmark = pytest.mark.integration


async def test_an_admission_opens_a_pathway_and_the_release_closes_it_giving_its_places_back(
    api, residents, catalogue, as_role
):
    person = await residents.admitted("p-1", release_in_days=150)
    chef = as_role("ipro_chef")
    pathway = await ok(await api.get(f"/pathways/{person['pathway_id']}", headers=chef))
    assert (pathway["subject_id"], pathway["establishment"]) == ("p-1", "InSERRE Arras")
    assert (pathway["opened_on"], pathway["synthesis_due_on"]) == ("2026-11-27", "2026-12-04")
    action = await catalogue.published_action()
    positioned = await ok(
        await api.post(
            f"/pathways/{person['pathway_id']}/positionings",
            headers=chef,
            json={"action_id": action["action_id"], "session_id": action["session_id"]},
        ),
        201,
    )
    assert (positioned["status"], positioned["partner_id"]) == ("proposed", action["partner_id"])

    await residents.released(person["case_id"])
    closed = await ok(await api.get(f"/pathways/{person['pathway_id']}", headers=chef))
    assert closed["closed_on"] == "2026-11-27" and closed["exit_outcome"]["situation"] == "not_recorded"
    given_back = await ok(await api.get(f"/positionings/{positioned['positioning_id']}", headers=chef))
    assert given_back["status"] == "withdrawn"


# --- issue 13 ----------------------------------------------------------------------------------------------


async def caused_by(dsn: str, event_id: str) -> tuple[int, list[str]]:
    """How many transactions wrote the events `event_id` caused, and their types in order."""
    connection = await asyncpg.connect(dsn)
    try:
        row = await connection.fetchrow(
            """SELECT count(DISTINCT transaction_id) AS transactions, array_agg(event_type ORDER BY position) AS types
               FROM events WHERE causation_id = $1""",
            event_id,
        )
    finally:
        await connection.close()
    return row["transactions"], row["types"]


async def indicator(api, as_role) -> dict:
    (arras,) = await ok(await api.get("/indicators/inserre", headers=as_role("direction")))
    return arras


async def test_the_release_ends_the_running_contract_and_abandons_the_active_goals_in_its_transaction(
    api, residents, as_role, ipro_dsn
):
    """Issue 13 #4: after the release the work file no longer reads an active contract nor the pathway an
    active goal: the reaction that closes the pathway writes why, in the same transaction."""
    person = await residents.admitted("p-1")
    chef, url = as_role("ipro_chef"), f"/pathways/{person['pathway_id']}"
    await ok(await api.post(f"{url}/goals", headers=chef, json={"description": "Obtenir le CACES"}), 201)
    affectation_id = await affected(api, as_role, person, MONDAY_MORNING)
    body = {"affectation_id": affectation_id, "starts_on": str(MONDAY), "trial_days": 1}
    await ok(await api.post(f"{url}/work/contract", headers=chef, json=body), 201)
    assert (await indicator(api, as_role))["in_work"] == 1

    closure = await residents.released(person["case_id"])
    work = await ok(await api.get(f"{url}/work", headers=chef))
    assert [c["status"] for c in work["contracts"].values()] == ["ended"]
    assert [a["ended"] for a in work["affectations"].values()] == [True]
    pathway = await ok(await api.get(url, headers=chef))
    assert [g["status"] for g in pathway["goals"].values()] == ["abandoned"]
    transactions, types = await caused_by(ipro_dsn, closure)
    assert transactions == 1 and types == [
        "ipro.pathway.goal_status_changed",
        "ipro.pathway.closed",
        "ipro.work.contract_ended_on_release",
    ]
    history = await ok(await api.get(f"{url}/history", headers=chef))
    (abandoned,) = [e for e in history if e["event_type"] == "ipro.pathway.goal_status_changed"]
    # Abandoned by the release: a code in clear, not a reason sealed with the person's key (issue 17).
    payload = abandoned["payload"]
    assert (payload["status"], payload["released"], payload["reason"]) == ("abandoned", True, "")
    assert await ok(await api.get("/posts", headers=chef)) == []
    # The person's hours are free again: nothing of that custody books a later one.
    assert await query_value(ipro_dsn, "SELECT count(*) FROM bookings WHERE subject_id = 'p-1'") == 0


async def test_a_session_the_partner_cancels_cancels_its_places_which_the_indicator_stops_counting(
    api, residents, catalogue, as_role, ipro_dsn
):
    """Issue 13 #5."""
    person = await residents.admitted("p-1")
    action = await catalogue.published_action()
    positioning = await positioned(api, as_role, person, action)
    partner = as_role("partenaire", organisation_id=action["partner_id"])
    await ok(await api.post(f"/positionings/{positioning['positioning_id']}/confirm", headers=partner))
    assert (await indicator(api, as_role))["in_active_step"] == 1

    await catalogue.session_cancelled(action, "Intervenant malade")
    cancelled = await ok(await api.get(f"/positionings/{positioning['positioning_id']}", headers=partner))
    assert cancelled["status"] == "cancelled"
    assert (await indicator(api, as_role))["in_active_step"] == 0
    history = await ok(
        await api.get(f"/pathways/{person['pathway_id']}/history", headers=as_role("ipro_chef"))
    )
    (event,) = [e for e in history if e["event_type"] == "ipro.positioning.cancelled"]
    assert event["payload"]["reason"] == "the partner cancelled the session: Intervenant malade"
    assert event["actor_role"] == "system"
    assert await query_value(ipro_dsn, "SELECT count(*) FROM bookings WHERE subject_id = 'p-1'") == 0


async def test_a_session_the_partner_moves_moves_its_places_or_cancels_those_of_people_booked_then(
    api, residents, catalogue, as_role, ipro_dsn
):
    """Issue 13 #5: moved from Friday 11 December 10:00 to Monday 14 December 09:00, when p-2 works."""
    free, working = await residents.admitted("p-1"), await residents.admitted("p-2")
    await affected(api, as_role, working, MONDAY_MORNING)
    action = await catalogue.published_action()  # Friday 2026-12-11, 10:00 to 12:00
    followed = await positioned(api, as_role, free, action)
    ended = await positioned(api, as_role, working, action)
    assert (await indicator(api, as_role))["in_active_step"] == 2

    new_start = datetime(2026, 12, 14, 9, 0, tzinfo=LOCAL_TIME_ZONE)
    await catalogue.session_moved(action, new_start, place="Salle B")
    chef = as_role("ipro_chef")
    moved = await ok(await api.get(f"/positionings/{followed['positioning_id']}", headers=chef))
    assert (moved["status"], datetime.fromisoformat(moved["starts_at"])) == ("proposed", new_start)
    cancelled = await ok(await api.get(f"/positionings/{ended['positioning_id']}", headers=chef))
    assert cancelled["status"] == "cancelled"
    assert (await indicator(api, as_role))["in_active_step"] == 1
    listed = await ok(
        await api.get("/positionings", params={"session_id": action["session_id"]}, headers=chef)
    )
    assert {
        (p["subject_id"], p["status"], datetime.fromisoformat(p["starts_at"])) for p in listed["items"]
    } == {("p-1", "proposed", new_start), ("p-2", "cancelled", action["starts_at"])}
    booked_at = await query_value(ipro_dsn, "SELECT starts_at FROM bookings WHERE subject_id = 'p-1'")
    assert booked_at == new_start
    # The cancelled place no longer holds p-2's one place on the session.
    assert await query_value(ipro_dsn, "SELECT booked FROM catalogue_sessions") == 1


async def test_a_pathway_opens_on_the_admission_date_and_refuses_a_synthesis_dated_before(
    api, residents, as_role, ipro_dsn
):
    """Issue 13 #13: admitted on Tuesday 24 November, reaching IPRO on Friday 27: the synthesis is due on
    Tuesday 1 December, and an interview on the 23rd predates the pathway."""
    person = await residents.admitted("p-1", admitted_on=date(2026, 11, 24))
    chef, url = as_role("ipro_chef"), f"/pathways/{person['pathway_id']}"
    pathway = await ok(await api.get(url, headers=chef))
    assert (pathway["opened_on"], pathway["synthesis_due_on"]) == ("2026-11-24", "2026-12-01")
    problem = await refused(
        ipro_dsn,
        api.post(
            f"{url}/synthesis", headers=chef, json={"interview_held_on": "2026-11-23", "synthesis": "Vu"}
        ),
        422,
        "date-before-opening",
    )
    assert problem["detail"] == (
        "the initial interview cannot be dated before the pathway opened on Tuesday 24 November 2026"
    )
    body = {"interview_held_on": "2026-11-24", "synthesis": "Vu à l'arrivée"}
    await ok(await api.post(f"{url}/synthesis", headers=chef, json=body))


async def test_a_corrected_identity_reaches_the_replica_and_a_redelivery_changes_nothing(
    api, residents, ipro_dsn, ipro_settings, clock
):
    person = await residents.admitted("p-9", last_name="Martin", first_names="Jean")
    case_id = person["case_id"]
    corrected = Identity(
        last_name="Martins", first_names="Jean Paul", birth_date=date(1990, 5, 4), ecrou_number="1"
    )
    [correction] = await residents.assessment.publish(
        case_id,
        IdentityCorrected(case_id=case_id, identity=corrected, reason="Erreur de saisie"),
        subject="p-9",
    )

    async def known_as() -> str:
        return await query_value(
            ipro_dsn, "SELECT last_name || ' ' || first_names FROM followed_cases WHERE case_id = $1", case_id
        )

    async def corrected_in_replica() -> bool:
        return await known_as() == "Martins Jean Paul"

    await wait_for(corrected_in_replica, timeout=30, message="the correction in the IPRO replica")
    appended = await events_in(ipro_dsn)

    pool = await asyncpg.create_pool(ipro_dsn, min_size=1, max_size=1)
    try:
        apply = replica.assessment_applier(EventStore(pool, clock), ipro_settings)
        async with pool.acquire() as connection, connection.transaction():
            await apply(connection, correction, parse_payload(correction.event_type, 1, correction.payload))
    finally:
        await pool.close()
    assert (await known_as(), await events_in(ipro_dsn)) == ("Martins Jean Paul", appended)
