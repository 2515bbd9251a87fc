"""Every rule of the programmes service, broken through the API: a 4xx problem+json naming the rule (422 for a
broken rule or invalid input, 404 for something unknown, 409 for a conflict, 403 for a caller who may not
act), and no event appended.

People are followed through the real assessment service, so the programmes replica knows their case, latest
assessment and plan. Groups of a small catalogue entry created for the tests (`ATELIER`: one to four people,
two sessions) keep the number of people each test follows low.

Rules the API cannot reach are left to the unit tests: the service chooses the ids of new groups and
referrals (`group-already-exists`, `referral-already-exists`).

The calendar: the clock stands on Friday 2026-11-27 at 09:00 in Arras; `group_body` groups start on Monday
2026-11-30 and meet on Tuesdays at 14:00 for two hours, the first session on 2026-12-01."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest

from devinfra.testkit import event_types, events_in, last_position, ok, refused
from kernel.clock import LOCAL_TIME_ZONE

from .flows import group_body, planned_group, referral_body, referred

pytestmark = pytest.mark.integration

PARCOURS, CAIRN, ADERES, ATELIER = "programme-parcours", "programme-cairn", "programme-aderes", "programme-atelier"
SALLE_2 = {"room": "Salle d'activités 2", "facilitators": ["cpip-3"]}  # another room, another facilitator


# --- helpers -----------------------------------------------------------------------------------------------


def definition(code: str = "ATELIER", **overrides) -> dict:
    """A catalogue entry for one to four people, two sessions of two hours."""
    return {"code": code, "name": "Atelier d'essai", "kind": "thematic_action", "format": "collective",
            "planned_sessions": 2, "session_minutes": 120, "group_min": 1, "group_max": 4,
            "completion_threshold": 0.5, **overrides}


async def atelier(api, as_role) -> str:
    return (await ok(await api.post("/programmes", headers=as_role("dpip"), json=definition()), 201))["programme_id"]


async def following(people, *subjects: str) -> list[dict]:
    """Several people followed at once (each through the real assessment service)."""
    return list(await asyncio.gather(*(people.followed(subject) for subject in subjects)))


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TIME_ZONE).isoformat()


def session(group: dict, number: int) -> str:
    return f"{group['group_id']}-s{number}"


async def enrolled(api, as_role, person: dict, programme_id: str, group: dict) -> dict:
    referral = await referred(api, as_role, person, programme_id)
    return await enrol(api, as_role, referral, group)


async def enrol(api, as_role, referral: dict, group: dict) -> dict:
    return await ok(await api.post(f"/referrals/{referral['referral_id']}/enrol", headers=as_role("cpip"),
                                   json={"group_id": group["group_id"]}))


async def waitlisted(api, as_role, person: dict, programme_id: str, group: dict) -> dict:
    referral = await referred(api, as_role, person, programme_id)
    return await ok(await api.post(f"/referrals/{referral['referral_id']}/waitlist", headers=as_role("cpip"),
                                   json={"group_id": group["group_id"]}))


async def started_atelier(api, as_role, people, *subjects: str, capacity: int = 4) -> tuple[dict, list[dict]]:
    """An ATELIER group started with these people enrolled; returns the group and their referrals."""
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, people.today, capacity=capacity)
    referrals = [await enrolled(api, as_role, person, programme_id, group)
                 for person in await following(people, *subjects)]
    group = await ok(await api.post(f"/groups/{group['group_id']}/start", headers=as_role("cpip"), json={}))
    assert group["status"] == "started"
    return group, referrals


def marks(*pairs: tuple[dict, str], reason: str = "") -> dict:
    return {"marks": [{"referral_id": r["referral_id"], "mark": m, "reason": reason} for r, m in pairs]}


async def get_referral(api, as_role, referral: dict) -> dict:
    return await ok(await api.get(f"/referrals/{referral['referral_id']}", headers=as_role("dpip")))


async def get_group(api, as_role, group: dict) -> dict:
    return await ok(await api.get(f"/groups/{group['group_id']}", headers=as_role("dpip")))


# --- enrolment: seats, overlaps, consent ---------------------------------------------------------------------


async def test_enrolling_in_a_full_group_is_refused(api, people, as_role, programmes_dsn):
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, people.today, capacity=1)
    first, second = await following(people, "p-1", "p-2")
    await enrolled(api, as_role, first, programme_id, group)
    referral = await referred(api, as_role, second, programme_id)
    await refused(programmes_dsn, api.post(f"/referrals/{referral['referral_id']}/enrol", headers=as_role("cpip"),
                                           json={"group_id": group["group_id"]}), 422, "group-full")
    assert (await get_referral(api, as_role, referral))["status"] == "eligible"
    assert (await get_group(api, as_role, group))["participants"] == 1


async def test_enrolling_a_person_already_in_a_group_at_that_time_is_refused(api, people, as_role,
                                                                            programmes_dsn):
    today = people.today
    parcours = await planned_group(api, as_role, PARCOURS, today)
    cairn = await planned_group(api, as_role, CAIRN, today, **SALLE_2)  # Tuesdays at 14:00 as well
    later = await planned_group(api, as_role, "programme-ppr", today, room="Salle 3", facilitators=["cpip-4"],
                                pattern={"weekday": 1, "starts_at": "15:00", "duration_minutes": 120})
    person = await people.followed("p-1")
    await enrolled(api, as_role, person, PARCOURS, parcours)
    for programme_id, group in [(CAIRN, cairn), ("programme-ppr", later)]:
        referral = await referred(api, as_role, person, programme_id)
        await refused(programmes_dsn, api.post(f"/referrals/{referral['referral_id']}/enrol",
                                               headers=as_role("cpip"), json={"group_id": group["group_id"]}),
                      409, "enrolment-overlap")
        assert (await get_referral(api, as_role, referral))["status"] == "eligible"
        assert (await get_group(api, as_role, group))["participants"] == 0
    # Back to back is not an overlap: a group on Tuesdays at 16:00 takes them...
    after = await planned_group(api, as_role, "programme-addictions", today, room="Salle 4",
                                facilitators=["cpip-5"],
                                pattern={"weekday": 1, "starts_at": "16:00", "duration_minutes": 120})
    await enrolled(api, as_role, person, "programme-addictions", after)
    # ...but none of its sessions moves onto their PARCOURS session of Tuesday 2026-12-01 at 14:00.
    onto_parcours = {"starts_at": at(today + timedelta(days=4), 14)}
    await refused(programmes_dsn, api.post(f"/groups/{after['group_id']}/sessions/{session(after, 1)}/move",
                                           headers=as_role("dpip"), json=onto_parcours), 409, "enrolment-overlap")


async def test_placing_a_person_without_their_consent_is_refused(api, people, as_role, programmes_dsn):
    group = await planned_group(api, as_role, PARCOURS, people.today)
    asked, declined = await following(people, "p-1", "p-2")
    not_asked = await referred(api, as_role, asked, PARCOURS, consent=False)
    said_no = await referred(api, as_role, declined, PARCOURS, consent=False)
    await ok(await api.post(f"/referrals/{said_no['referral_id']}/consent", headers=as_role("cpip"),
                            json={"given": False}))
    for referral in (not_asked, said_no):
        for placement in ("enrol", "waitlist"):
            await refused(programmes_dsn, api.post(f"/referrals/{referral['referral_id']}/{placement}",
                                                   headers=as_role("cpip"), json={"group_id": group["group_id"]}),
                          422, "consent-missing")
    assert (await get_group(api, as_role, group))["participants"] == 0


async def test_waitlisting_for_a_group_with_seats_left_is_refused(api, people, as_role, programmes_dsn):
    group = await planned_group(api, as_role, PARCOURS, people.today)
    referral = await referred(api, as_role, await people.followed("p-1"), PARCOURS)
    await refused(programmes_dsn, api.post(f"/referrals/{referral['referral_id']}/waitlist",
                                           headers=as_role("cpip"), json={"group_id": group["group_id"]}),
                  422, "group-has-seats")
    assert (await get_group(api, as_role, group))["waiting"] == []


async def test_placing_in_a_group_of_another_programme_is_refused(api, people, as_role, programmes_dsn):
    cairn = await planned_group(api, as_role, CAIRN, people.today)
    referral = await referred(api, as_role, await people.followed("p-1"), PARCOURS)
    for placement in ("enrol", "waitlist"):
        await refused(programmes_dsn, api.post(f"/referrals/{referral['referral_id']}/{placement}",
                                               headers=as_role("cpip"), json={"group_id": cairn["group_id"]}),
                      422, "group-of-another-programme")


async def test_placing_out_of_turn_is_refused(api, people, as_role, programmes_dsn):
    """Placing follows the referral's and the group's lifecycles: no planned group, no second seat, no drop-out
    before a seat, no refused referral."""
    today = people.today
    planned = await planned_group(api, as_role, PARCOURS, today, open_=False)
    group = await planned_group(api, as_role, PARCOURS, today, **SALLE_2)
    other = await planned_group(api, as_role, PARCOURS, today, room="Salle 3", facilitators=["cpip-4"],
                                pattern={"weekday": 3, "starts_at": "09:00", "duration_minutes": 120})
    aderes = await planned_group(api, as_role, ADERES, today, room="Salle 4", facilitators=["cpip-5"])
    person = await people.followed("p-1")
    referral = await referred(api, as_role, person, PARCOURS)
    url = f"/referrals/{referral['referral_id']}"

    def post(action, body, headers=None):
        return api.post(f"{url}/{action}", headers=headers or as_role("cpip"), json=body)

    await refused(programmes_dsn, post("drop-out", {"reason": "?"}), 422, "referral-not-started")
    await refused(programmes_dsn, post("exclude", {"reason": "?"}, as_role("dpip")), 422, "referral-not-started")
    await refused(programmes_dsn, post("enrol", {"group_id": planned["group_id"]}), 422,
                  "group-not-open-for-enrolment")
    await refused(programmes_dsn, post("enrol", {"group_id": "no-such-group"}), 404, "group-not-found")
    await refused(programmes_dsn, api.post("/referrals/no-such-referral/enrol", headers=as_role("cpip"),
                                           json={"group_id": group["group_id"]}), 404, "referral-not-found")
    await refused(programmes_dsn, api.get(f"{url}/certificate", headers=as_role("cpip")), 404,
                  "certificate-not-found")
    await enrol(api, as_role, referral, group)
    for target, placement in [(group, "enrol"), (other, "enrol"), (group, "waitlist")]:
        await refused(programmes_dsn, post(placement, {"group_id": target["group_id"]}), 422,
                      "referral-already-placed")
    # ADERES is for short sentences: the referral is refused, and a refused referral is not placed.
    not_eligible = await ok(await api.post("/referrals", headers=as_role("cpip"), json=referral_body(
        person, ADERES)), 201)
    await ok(await api.post(f"/referrals/{not_eligible['referral_id']}/consent", headers=as_role("cpip"),
                            json={"given": True}))
    await refused(programmes_dsn, api.post(f"/referrals/{not_eligible['referral_id']}/enrol",
                                           headers=as_role("cpip"), json={"group_id": aderes["group_id"]}),
                  422, "referral-not-eligible")


async def test_a_freed_seat_goes_to_the_first_person_waiting(api, people, as_role, programmes_dsn):
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, people.today, capacity=1)
    seated, first, second = await following(people, "p-1", "p-2", "p-3")
    seated = await enrolled(api, as_role, seated, programme_id, group)
    first = await waitlisted(api, as_role, first, programme_id, group)
    second = await waitlisted(api, as_role, second, programme_id, group)
    assert (await get_group(api, as_role, group))["waiting"] == [first["referral_id"], second["referral_id"]]

    since = await last_position(programmes_dsn)
    await ok(await api.post(f"/referrals/{seated['referral_id']}/drop-out", headers=as_role("cpip"),
                            json={"reason": "Ne souhaite plus participer"}))
    assert await event_types(programmes_dsn, since) == [
        "programmes.referral.dropped_out", "programmes.group.participant_left", "programmes.referral.enrolled",
        "programmes.group.participant_enrolled",
    ]
    assert (await get_referral(api, as_role, first))["status"] == "enrolled"
    assert (await get_referral(api, as_role, second))["status"] == "waiting"
    after = await get_group(api, as_role, group)
    assert after["participants"] == 1 and after["waiting"] == [second["referral_id"]]


async def test_a_freed_seat_skips_a_waiting_person_who_would_overlap(api, people, as_role, programmes_dsn):
    today = people.today
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, today, capacity=1)
    elsewhere = await planned_group(api, as_role, PARCOURS, today, **SALLE_2)  # also Tuesdays at 14:00
    seated, busy, free = await following(people, "p-1", "p-2", "p-3")
    seated = await enrolled(api, as_role, seated, programme_id, group)
    waiting_busy = await waitlisted(api, as_role, busy, programme_id, group)
    waiting_free = await waitlisted(api, as_role, free, programme_id, group)
    await enrolled(api, as_role, busy, PARCOURS, elsewhere)

    await ok(await api.post(f"/referrals/{seated['referral_id']}/drop-out", headers=as_role("cpip"),
                            json={"reason": "Transféré"}))
    assert (await get_referral(api, as_role, waiting_busy))["status"] == "waiting"
    assert (await get_referral(api, as_role, waiting_free))["status"] == "enrolled"
    after = await get_group(api, as_role, group)
    assert after["participants"] == 1 and after["waiting"] == [waiting_busy["referral_id"]]


async def test_an_enrol_replayed_with_its_idempotency_key_answers_the_same_once(api, people, as_role,
                                                                               programmes_dsn):
    group = await planned_group(api, as_role, PARCOURS, people.today)
    other = await planned_group(api, as_role, PARCOURS, people.today, **SALLE_2,
                                pattern={"weekday": 3, "starts_at": "09:00", "duration_minutes": 120})
    referral = await referred(api, as_role, await people.followed("p-1"), PARCOURS)
    url, headers = f"/referrals/{referral['referral_id']}/enrol", {**as_role("cpip"), "Idempotency-Key": "enrol-1"}

    since = await last_position(programmes_dsn)
    first = await api.post(url, headers=headers, json={"group_id": group["group_id"]})
    assert (await ok(first))["status"] == "enrolled"
    appended = await events_in(programmes_dsn)
    replayed = await api.post(url, headers=headers, json={"group_id": group["group_id"]})
    assert await ok(replayed) == first.json()
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert await events_in(programmes_dsn) == appended
    assert await event_types(programmes_dsn, since) == ["programmes.referral.enrolled",
                                                        "programmes.group.participant_enrolled"]
    assert (await get_group(api, as_role, group))["participants"] == 1
    # The same key for another request is refused, not replayed.
    await refused(programmes_dsn, api.post(url, headers=headers, json={"group_id": other["group_id"]}), 422,
                  "idempotency-key-reused")


# --- group planning: capacity, period, room and facilitators ---------------------------------------------------


async def test_planning_a_capacity_outside_the_programme_limits_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()  # PARCOURS groups take 6 to 10 people
    for capacity in (5, 11):
        await refused(programmes_dsn, api.post("/groups", headers=as_role("dpip"),
                                               json=group_body(PARCOURS, today, capacity=capacity)),
                      422, "capacity-outside-programme-limits")


async def test_planning_an_invalid_period_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    for start, end in [(today - timedelta(days=1), today + timedelta(weeks=13)),
                       (today + timedelta(days=10), today + timedelta(days=9))]:
        await refused(programmes_dsn, api.post("/groups", headers=as_role("dpip"), json=group_body(
            PARCOURS, today, start_date=str(start), end_date=str(end))), 422, "group-period-invalid")


async def test_planning_sessions_past_the_group_end_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    body = group_body(PARCOURS, today)  # twelve weekly sessions do not fit in two weeks, nor fortnightly in 12
    for overrides in [{"end_date": str(date.fromisoformat(body["start_date"]) + timedelta(weeks=2))},
                      {"pattern": {**body["pattern"], "every_weeks": 2}}]:
        await refused(programmes_dsn, api.post("/groups", headers=as_role("dpip"), json={**body, **overrides}),
                      422, "session-outside-group-period")


async def test_planning_a_room_already_booked_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    first = await planned_group(api, as_role, PARCOURS, today)
    tuesday_15h = {"weekday": 1, "starts_at": "15:00", "duration_minutes": 60}
    for pattern in [first["pattern"], tuesday_15h]:
        await refused(programmes_dsn, api.post("/groups", headers=as_role("dpip"), json=group_body(
            CAIRN, today, facilitators=["cpip-3"], pattern=pattern)), 409, "room-double-booked")
    for room in ("SALLE D'ACTIVITÉS 1", "salle d'activités 1"):  # whatever its case
        await refused(programmes_dsn, api.post("/groups", headers=as_role("dpip"), json=group_body(
            CAIRN, today, room=room, facilitators=["cpip-3"])), 409, "room-double-booked")
    # Another establishment's room of the same name, or the same room at 16:00, is free.
    await planned_group(api, as_role, CAIRN, today, facilitators=["cpip-3"], establishment="CP Lille")
    await planned_group(api, as_role, "programme-ppr", today, facilitators=["cpip-4"],
                        pattern={"weekday": 1, "starts_at": "16:00", "duration_minutes": 120})
    groups = await ok(await api.get("/groups", headers=as_role("dpip")))
    assert groups["total"] == 3


async def test_moving_or_adding_a_session_into_a_booked_room_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    first = await planned_group(api, as_role, PARCOURS, today)
    wednesdays = await planned_group(api, as_role, CAIRN, today, facilitators=["cpip-3"],
                                     pattern={"weekday": 2, "starts_at": "14:00", "duration_minutes": 120})
    taken = first["sessions"][1]["session"]["starts_at"]  # the PARCOURS session of Tuesday 2026-12-08
    url = f"/groups/{wednesdays['group_id']}"
    await refused(programmes_dsn, api.post(f"{url}/sessions/{session(wednesdays, 1)}/move",
                                           headers=as_role("dpip"), json={"starts_at": taken}),
                  409, "room-double-booked")
    await refused(programmes_dsn, api.post(f"{url}/sessions", headers=as_role("dpip"), json={"starts_at": taken}),
                  409, "room-double-booked")
    # The same slot in another room is free.
    await ok(await api.post(f"{url}/sessions/{session(wednesdays, 1)}/move", headers=as_role("dpip"),
                            json={"starts_at": taken, "room": "Salle d'activités 2"}))


async def test_planning_a_facilitator_already_booked_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    await planned_group(api, as_role, PARCOURS, today)  # cpip-1 and cpip-2, Tuesdays at 14:00
    for facilitators in (["cpip-2", "cpip-3"], ["CPIP-1"]):
        await refused(programmes_dsn, api.post("/groups", headers=as_role("dpip"), json=group_body(
            CAIRN, today, room="Salle d'activités 2", facilitators=facilitators)), 409, "facilitator-double-booked")
    await planned_group(api, as_role, CAIRN, today, room="Salle d'activités 2", facilitators=["cpip-3"])


async def test_a_facilitator_named_twice_is_booked_once(api, as_role, clock, programmes_dsn):
    group = await ok(await api.post("/groups", headers=as_role("dpip"), json=group_body(
        PARCOURS, clock.now.date(), facilitators=["cpip-3", "CPIP-3"])), 201)
    assert len(group["sessions"]) == 12


async def test_sessions_of_an_invalid_period_are_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    for query in ("", f"?from={today}", f"?from={today}&to={today - timedelta(days=1)}"):
        await refused(programmes_dsn, api.get(f"/sessions{query}", headers=as_role("dpip")), 422, "period-invalid")
    await ok(await api.get(f"/sessions?week={today}", headers=as_role("dpip")))


# --- sessions: moves and catch-ups ------------------------------------------------------------------------------


async def test_moving_a_session_outside_the_group_period_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, today, capacity=4,
                                end_date=str(today + timedelta(days=17)))
    saturday, after_end = today + timedelta(days=1), today + timedelta(days=18)  # before the start, after the end
    for day in (saturday, after_end):
        await refused(programmes_dsn, api.post(f"/groups/{group['group_id']}/sessions/{session(group, 1)}/move",
                                               headers=as_role("cpip"), json={"starts_at": at(day, 14)}),
                      422, "session-outside-group-period")


async def test_adding_a_catch_up_session_outside_the_group_period_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, today, capacity=4,
                                end_date=str(today + timedelta(days=17)))
    for day in (today + timedelta(days=1), today + timedelta(days=18)):
        await refused(programmes_dsn, api.post(f"/groups/{group['group_id']}/sessions", headers=as_role("cpip"),
                                               json={"starts_at": at(day, 10)}), 422, "session-outside-group-period")
    added = await ok(await api.post(f"/groups/{group['group_id']}/sessions", headers=as_role("cpip"),
                                    json={"starts_at": at(today + timedelta(days=17), 10)}), 201)
    assert len(added["sessions"]) == 3


async def test_moving_or_adding_a_session_in_the_past_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, today, capacity=4)
    url = f"/groups/{group['group_id']}"
    clock.advance(days=4, hours=6)  # Tuesday 2026-12-01 at 15:00: the first session is under way
    await refused(programmes_dsn, api.post(f"{url}/sessions/{session(group, 1)}/move", headers=as_role("cpip"),
                                           json={"starts_at": at(today + timedelta(days=7), 10)}),
                  422, "session-in-the-past")
    for when in (at(today + timedelta(days=4), 10), at(today + timedelta(days=4), 8)):
        await refused(programmes_dsn, api.post(f"{url}/sessions/{session(group, 2)}/move", headers=as_role("cpip"),
                                               json={"starts_at": when}), 422, "session-in-the-past")
        await refused(programmes_dsn, api.post(f"{url}/sessions", headers=as_role("cpip"), json={"starts_at": when}),
                      422, "session-in-the-past")


async def test_acting_on_a_cancelled_or_unknown_session_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, today, capacity=4)
    url = f"/groups/{group['group_id']}/sessions"
    await ok(await api.post(f"{url}/{session(group, 1)}/cancel", headers=as_role("cpip"),
                            json={"reason": "Mouvement social"}))
    await refused(programmes_dsn, api.post(f"{url}/{session(group, 1)}/cancel", headers=as_role("cpip"),
                                           json={"reason": "Encore"}), 422, "session-cancelled")
    await refused(programmes_dsn, api.post(f"{url}/{session(group, 1)}/move", headers=as_role("cpip"),
                                           json={"starts_at": at(today + timedelta(days=5), 10)}),
                  422, "session-cancelled")
    for action, body in [("cancel", {"reason": "?"}), ("move", {"starts_at": at(today + timedelta(days=5), 10)})]:
        await refused(programmes_dsn, api.post(f"{url}/{group['group_id']}-s9/{action}", headers=as_role("cpip"),
                                               json=body), 404, "session-not-found")


# --- starting and closing groups ---------------------------------------------------------------------------------


async def test_starting_below_the_minimum_is_refused_unless_a_dpip_gives_a_reason(api, people, as_role,
                                                                                 programmes_dsn):
    group = await planned_group(api, as_role, PARCOURS, people.today)  # six people at least
    referral = await enrolled(api, as_role, await people.followed("p-1"), PARCOURS, group)
    url = f"/groups/{group['group_id']}/start"
    for headers, body in [(as_role("cpip"), {}), (as_role("dpip"), {}),
                          (as_role("dpip"), {"below_minimum_reason": "   "})]:
        await refused(programmes_dsn, api.post(url, headers=headers, json=body), 422, "group-below-minimum")
    started = await ok(await api.post(url, headers=as_role("dpip"), json={
        "below_minimum_reason": "Session unique avant les transferts de janvier"}))
    assert started["status"] == "started"
    assert (await get_referral(api, as_role, referral))["status"] == "started"


async def test_a_reason_to_start_below_the_minimum_from_anyone_but_a_dpip_is_refused(api, people, as_role,
                                                                                    programmes_dsn):
    group = await planned_group(api, as_role, PARCOURS, people.today)
    await enrolled(api, as_role, await people.followed("p-1"), PARCOURS, group)
    await refused(programmes_dsn, api.post(f"/groups/{group['group_id']}/start", headers=as_role("cpip"), json={
        "below_minimum_reason": "Je m'en charge"}), 403, "override-needs-dpip")
    assert (await get_group(api, as_role, group))["status"] == "open"


async def test_starting_or_closing_a_group_out_of_turn_is_refused(api, as_role, clock, programmes_dsn):
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, clock.now.date(), open_=False, capacity=4)
    url = f"/groups/{group['group_id']}"
    await refused(programmes_dsn, api.post(f"{url}/start", headers=as_role("dpip"), json={
        "below_minimum_reason": "Essai"}), 422, "group-not-open-for-enrolment")
    await refused(programmes_dsn, api.post(f"{url}/close", headers=as_role("dpip")), 422, "group-not-started")
    await ok(await api.post(f"{url}/open", headers=as_role("dpip")))
    await refused(programmes_dsn, api.post(f"{url}/open", headers=as_role("dpip")), 422, "group-not-planned")
    await refused(programmes_dsn, api.post(f"{url}/sessions/{session(group, 1)}/attendance",
                                           headers=as_role("cpip"), json={"marks": []}), 422, "group-not-started")


async def test_closing_a_group_with_sessions_not_recorded_is_refused(api, people, as_role, clock, programmes_dsn):
    group, (referral,) = await started_atelier(api, as_role, people, "p-1", capacity=1)
    waiting = await waitlisted(api, as_role, await people.followed("p-2"), ATELIER, group)
    url = f"/groups/{group['group_id']}"
    await refused(programmes_dsn, api.post(f"{url}/close", headers=as_role("cpip")), 422, "sessions-not-recorded")
    clock.advance(days=5)  # Wednesday 2026-12-02: the first session was held, the second is to come
    await ok(await api.post(f"{url}/sessions/{session(group, 1)}/attendance", headers=as_role("cpip"),
                            json=marks((referral, "present"))))
    await refused(programmes_dsn, api.post(f"{url}/close", headers=as_role("cpip")), 422, "sessions-not-recorded")
    await ok(await api.post(f"{url}/sessions/{session(group, 2)}/cancel", headers=as_role("cpip"),
                            json={"reason": "Fermeture de la salle"}))
    closed = await ok(await api.post(f"{url}/close", headers=as_role("cpip")))
    assert closed["status"] == "closed"
    assert (await get_referral(api, as_role, referral))["status"] == "completed"
    still_waiting = await get_referral(api, as_role, waiting)  # withdrawn, not left waiting (ADR 12)
    assert still_waiting["status"] == "withdrawn"
    assert still_waiting["end_reason"] == "the group closed before a seat was free"
    await refused(programmes_dsn, api.post(f"{url}/close", headers=as_role("cpip")), 422, "group-closed")


# --- attendance --------------------------------------------------------------------------------------------------


async def test_attendance_on_a_cancelled_session_is_refused(api, people, as_role, clock, programmes_dsn):
    group, (referral,) = await started_atelier(api, as_role, people, "p-1")
    url = f"/groups/{group['group_id']}/sessions/{session(group, 1)}"
    await ok(await api.post(f"{url}/cancel", headers=as_role("cpip"), json={"reason": "Grève"}))
    clock.advance(days=5)
    await refused(programmes_dsn, api.post(f"{url}/attendance", headers=as_role("cpip"),
                                           json=marks((referral, "present"))), 422, "session-cancelled")


async def test_attendance_for_someone_not_taking_part_is_refused(api, people, as_role, clock, programmes_dsn):
    group, (participant,) = await started_atelier(api, as_role, people, "p-1")
    elsewhere = await planned_group(api, as_role, PARCOURS, people.today, **SALLE_2,
                                    pattern={"weekday": 3, "starts_at": "09:00", "duration_minutes": 120})
    stranger = await enrolled(api, as_role, await people.followed("p-2"), PARCOURS, elsewhere)
    clock.advance(days=5)
    url = f"/groups/{group['group_id']}/sessions/{session(group, 1)}/attendance"
    for body in [marks((participant, "present"), (stranger, "present")),
                 {"marks": [{"referral_id": participant["referral_id"], "mark": "present"},
                            {"referral_id": "no-such-referral", "mark": "absent_unexcused"}]}]:
        await refused(programmes_dsn, api.post(url, headers=as_role("cpip"), json=body), 422,
                      "attendance-non-participant")
    # Nor is it recorded by someone who does not run the group.
    for headers in (as_role("cpip", "cpip-3"), as_role("psychologue")):
        await refused(programmes_dsn, api.post(url, headers=headers, json=marks((participant, "present"))),
                      403, "not-a-facilitator")
    await refused(programmes_dsn, api.post(url, headers=as_role("partenaire"), json=marks((participant, "present"))),
                  404, "group-not-found")


async def test_attendance_before_the_session_started_is_refused(api, people, as_role, clock, programmes_dsn):
    group, (referral,) = await started_atelier(api, as_role, people, "p-1")
    url = f"/groups/{group['group_id']}/sessions"
    await refused(programmes_dsn, api.post(f"{url}/{session(group, 1)}/attendance", headers=as_role("cpip"),
                                           json=marks((referral, "present"))), 422, "session-not-yet-started")
    clock.advance(days=4, hours=4, minutes=59)  # Tuesday 2026-12-01 at 13:59
    await refused(programmes_dsn, api.post(f"{url}/{session(group, 1)}/attendance", headers=as_role("cpip"),
                                           json=marks((referral, "present"))), 422, "session-not-yet-started")
    await refused(programmes_dsn, api.post(f"{url}/{session(group, 2)}/attendance", headers=as_role("cpip"),
                                           json=marks((referral, "present"))), 422, "session-not-yet-started")
    clock.advance(minutes=1)
    await ok(await api.post(f"{url}/{session(group, 1)}/attendance", headers=as_role("cpip"),
                            json=marks((referral, "present"))))
    # A later record of the session replaces it (ADR 12).
    corrected = await ok(await api.post(f"{url}/{session(group, 1)}/attendance", headers=as_role("cpip"),
                                        json=marks((referral, "late"))))
    assert [s["held"] for s in corrected["sessions"]] == [True, False]
    # Held, it is neither cancelled nor moved.
    await refused(programmes_dsn, api.post(f"{url}/{session(group, 1)}/cancel", headers=as_role("cpip"),
                                           json={"reason": "Erreur"}), 422, "session-already-held")
    await refused(programmes_dsn, api.post(f"{url}/{session(group, 1)}/move", headers=as_role("cpip"),
                                           json={"starts_at": at(people.today + timedelta(days=9), 10)}),
                  422, "session-already-held")


async def test_attendance_leaving_a_participant_unmarked_is_refused(api, people, as_role, clock, programmes_dsn):
    group, (first, second) = await started_atelier(api, as_role, people, "p-1", "p-2")
    clock.advance(days=5)
    url = f"/groups/{group['group_id']}/sessions/{session(group, 1)}/attendance"
    for body in [marks((first, "present")), {"marks": []}]:
        await refused(programmes_dsn, api.post(url, headers=as_role("cpip"), json=body), 422, "attendance-incomplete")
    await refused(programmes_dsn, api.post(url, headers=as_role("cpip"), json=marks(
        (first, "present"), (second, "late"), (first, "late"))), 422, "value-invalid")
    await ok(await api.post(url, headers=as_role("cpip"), json=marks((first, "present"), (second, "late"))))


async def test_an_excused_absence_or_an_exclusion_without_a_reason_is_refused(api, people, as_role, clock,
                                                                             programmes_dsn):
    group, (referral,) = await started_atelier(api, as_role, people, "p-1")
    clock.advance(days=5)
    url = f"/groups/{group['group_id']}/sessions/{session(group, 1)}/attendance"
    for mark in ("absent_excused", "excluded_from_session"):
        for reason in ("", "   "):
            await refused(programmes_dsn, api.post(url, headers=as_role("cpip"), json=marks((referral, mark),
                                                                                           reason=reason)),
                          422, "reason-required")
    await ok(await api.post(url, headers=as_role("cpip"), json=marks((referral, "absent_excused"),
                                                                     reason="Parloir famille")))


# --- referrals ---------------------------------------------------------------------------------------------------


async def test_referring_from_an_objective_not_in_the_plan_is_refused(api, people, as_role, programmes_dsn):
    person = await people.followed("p-1")
    for objective in ("obj-9", "OBJ-1"):
        await refused(programmes_dsn, api.post("/referrals", headers=as_role("cpip"), json={
            **referral_body(person, PARCOURS), "objective_id": objective}), 422, "objective-not-in-plan")
    await refused(programmes_dsn, api.post("/referrals", headers=as_role("cpip"), json={
        **referral_body(person, PARCOURS), "plan_id": "no-such-plan"}), 422, "objective-not-in-plan")


async def test_referring_an_unknown_case_is_refused(api, people, as_role, programmes_dsn):
    person = await people.followed("p-1")
    await refused(programmes_dsn, api.post("/referrals", headers=as_role("dpip"), json={
        **referral_body(person, PARCOURS), "case_id": "no-such-case"}), 404, "case-not-found")
    await refused(programmes_dsn, api.post("/referrals", headers=as_role("cpip"), json=referral_body(
        person, "programme-nothing")), 404, "programme-not-found")
    await refused(programmes_dsn, api.post("/referrals", headers=as_role("cpip"), json=referral_body(
        person, "programme-espace")), 404, "programme-not-found")  # sensitive: a DPIP's
    await refused(programmes_dsn, api.post("/referrals", headers=as_role("cpip", "cpip-2"), json=referral_body(
        person, PARCOURS)), 403, "not-on-caseload")
    withdrawn = await atelier(api, as_role)
    await ok(await api.post(f"/programmes/{withdrawn}/withdraw", headers=as_role("dpip"), json={"reason": "Remplacé"}))
    await refused(programmes_dsn, api.post("/referrals", headers=as_role("cpip"), json=referral_body(
        person, withdrawn)), 422, "programme-withdrawn")
    await people.close_case(person["case_id"])
    await refused(programmes_dsn, api.post("/referrals", headers=as_role("cpip"), json=referral_body(
        person, PARCOURS)), 422, "case-closed")


async def test_referring_a_person_twice_to_one_programme_is_refused(api, people, as_role, programmes_dsn):
    person = await people.followed("p-1")
    first = await referred(api, as_role, person, PARCOURS)
    for headers in (as_role("cpip"), as_role("dpip")):
        await refused(programmes_dsn, api.post("/referrals", headers=headers, json=referral_body(person, PARCOURS)),
                      409, "referral-already-open")
    await referred(api, as_role, person, CAIRN)  # another programme is another referral
    await ok(await api.post(f"/referrals/{first['referral_id']}/withdraw", headers=as_role("cpip"),
                            json={"reason": "Orientation revue"}))
    await referred(api, as_role, person, PARCOURS)  # ended, it no longer counts


async def test_overriding_a_referral_not_refused_is_refused(api, people, as_role, programmes_dsn):
    long_sentence = await people.followed("p-1")  # ADERES is for short sentences
    refused_referral = await ok(await api.post("/referrals", headers=as_role("cpip"), json=referral_body(
        long_sentence, ADERES)), 201)
    assert refused_referral["status"] == "refused"
    assert refused_referral["failed_rules"] == ["eligibility-short-sentence"]
    url = f"/referrals/{refused_referral['referral_id']}"
    await refused(programmes_dsn, api.post(f"{url}/override", headers=as_role("cpip"), json={"reason": "Motivé"}),
                  403, "role-not-allowed")
    overridden = await ok(await api.post(f"{url}/override", headers=as_role("dpip"), json={
        "reason": "Peine longue mais fin de peine dans six mois"}))
    assert overridden["status"] == "eligible"
    await refused(programmes_dsn, api.post(f"{url}/override", headers=as_role("dpip"), json={"reason": "Encore"}),
                  422, "referral-not-refused")
    eligible = await referred(api, as_role, long_sentence, PARCOURS, consent=False)
    await refused(programmes_dsn, api.post(f"/referrals/{eligible['referral_id']}/override", headers=as_role("dpip"),
                                           json={"reason": "Sans objet"}), 422, "referral-not-refused")


async def test_recording_consent_twice_is_refused(api, people, as_role, programmes_dsn):
    given = await referred(api, as_role, await people.followed("p-1"), PARCOURS)
    for answer in (True, False):
        await refused(programmes_dsn, api.post(f"/referrals/{given['referral_id']}/consent", headers=as_role("cpip"),
                                               json={"given": answer}), 422, "consent-already-recorded")


async def test_acting_on_a_withdrawn_referral_is_refused(api, people, as_role, programmes_dsn):
    group = await planned_group(api, as_role, PARCOURS, people.today)
    referral = await referred(api, as_role, await people.followed("p-1"), PARCOURS, consent=False)
    url = f"/referrals/{referral['referral_id']}"
    await ok(await api.post(f"{url}/withdraw", headers=as_role("cpip"), json={"reason": "Ne souhaite pas"}))
    for action, body, headers in [
        ("consent", {"given": True}, as_role("cpip")), ("enrol", {"group_id": group["group_id"]}, as_role("cpip")),
        ("waitlist", {"group_id": group["group_id"]}, as_role("cpip")),
        ("withdraw", {"reason": "Encore"}, as_role("cpip")), ("override", {"reason": "?"}, as_role("dpip")),
        ("exclude", {"reason": "?"}, as_role("dpip")),
    ]:
        await refused(programmes_dsn, api.post(f"{url}/{action}", headers=headers, json=body), 422,
                      "referral-ended")


# --- catalogue ---------------------------------------------------------------------------------------------------


async def test_a_catalogue_entry_with_a_taken_code_is_refused_as_a_conflict(api, as_role, programmes_dsn):
    problem = await refused(programmes_dsn, api.post("/programmes", headers=as_role("dpip"),
                                                     json=definition("PARCOURS")), 409, "programme-code-taken")
    assert "PARCOURS" in problem["detail"]
    await atelier(api, as_role)
    await refused(programmes_dsn, api.post(f"/programmes/{ATELIER}/revisions", headers=as_role("dpip"),
                                           json=definition("ATELIER-2")), 409, "programme-code-taken")


async def test_a_catalogue_entry_with_its_minimum_above_its_maximum_is_refused(api, as_role, programmes_dsn):
    await refused(programmes_dsn, api.post("/programmes", headers=as_role("dpip"), json=definition(
        group_min=8, group_max=4)), 422, "group-size-min-above-max")
    await atelier(api, as_role)
    await refused(programmes_dsn, api.post(f"/programmes/{ATELIER}/revisions", headers=as_role("dpip"),
                                           json=definition(group_min=8, group_max=4)), 422, "group-size-min-above-max")


async def test_a_withdrawn_or_unknown_programme_takes_no_group(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    await refused(programmes_dsn, api.post("/groups", headers=as_role("dpip"), json=group_body(
        "programme-nothing", today)), 404, "programme-not-found")
    programme_id = await atelier(api, as_role)
    await ok(await api.post(f"/programmes/{programme_id}/withdraw", headers=as_role("dpip"),
                            json={"reason": "Remplacé"}))
    await refused(programmes_dsn, api.post("/groups", headers=as_role("dpip"), json=group_body(
        programme_id, today, capacity=2)), 422, "programme-withdrawn")
    await refused(programmes_dsn, api.post(f"/programmes/{programme_id}/revisions", headers=as_role("dpip"),
                                           json=definition()), 422, "programme-withdrawn")


# --- malformed requests --------------------------------------------------------------------------------------------


async def test_malformed_requests_are_refused_before_any_rule(api, people, as_role, programmes_dsn):
    today = people.today
    group = await planned_group(api, as_role, PARCOURS, today)
    person = await people.followed("p-1")
    referral = await referred(api, as_role, person, PARCOURS)
    body = group_body(CAIRN, today, **SALLE_2)
    for bad in [
        api.post("/referrals", headers=as_role("cpip"), json={**referral_body(person, CAIRN), "priority": 1}),
        api.post("/referrals", headers=as_role("cpip"), json={**referral_body(person, CAIRN), "objective_id": ""}),
        api.post(f"/referrals/{referral['referral_id']}/withdraw", headers=as_role("cpip"), json={"reason": "   "}),
        api.post(f"/referrals/{referral['referral_id']}/withdraw", headers=as_role("cpip"), json={}),
        api.post(f"/referrals/{referral['referral_id']}/consent", headers=as_role("cpip"), json={"given": "maybe"}),
        api.post(f"/referrals/{referral['referral_id']}/enrol", headers=as_role("cpip"),
                 json={"group_id": group["group_id"], "seat": 3}),
        api.post("/groups", headers=as_role("dpip"), json={**body, "pattern": {**body["pattern"], "weekday": 7}}),
        api.post("/groups", headers=as_role("dpip"), json={**body, "pattern": {**body["pattern"], "day": "mardi"}}),
        api.post("/groups", headers=as_role("dpip"), json={**body, "facilitators": []}),
        api.post("/groups", headers=as_role("dpip"), json={**body, "room": "  "}),
        api.post("/groups", headers=as_role("dpip"), json={**body, "capacity": 0}),
        api.post("/groups", headers=as_role("dpip"), content=b"{not json",
                 ),
        api.post(f"/groups/{group['group_id']}/sessions/{session(group, 1)}/cancel", headers=as_role("cpip"),
                 json={"reason": ""}),
        api.post(f"/groups/{group['group_id']}/sessions/{session(group, 1)}/move", headers=as_role("cpip"),
                 json={"starts_at": "2026-12-03T10:00:00"}),  # no offset: ambiguous
        api.post(f"/groups/{group['group_id']}/sessions/{session(group, 1)}/attendance", headers=as_role("cpip"),
                 json={"marks": [{"referral_id": referral["referral_id"], "mark": "asleep"}]}),
        api.post("/programmes", headers=as_role("dpip"), json=definition("atelier")),
    ]:
        await refused(programmes_dsn, bad, 422, "request-validation")
    assert (await get_referral(api, as_role, referral))["status"] == "eligible"
