"""The rules of the programmes service that only its database enforces, and what its unit tests cannot
express, through the API against the real database and broker: a 4xx problem+json naming the rule, and no
event appended. Every other rule is a unit test of its decider or policy (`tests/unit`), and each error's
problem+json is `tests/unit/test_errors.py`.

* The read tables' constraints: no room, facilitator or person booked twice at a time, one open referral
  per person and programme (races included, ADR 9).
* What needs the tables: the freed seat skipping whoever is busy elsewhere, an unknown case or plan.
* The command path: a replayed Idempotency-Key, people placed into one group at once (its lock),
  requests refused before any rule.

People are followed as the assessment service publishes them (`flows.People`). Groups of a small catalogue
entry created for the tests (`ATELIER`: one to four people, two sessions) keep the number of people low.

The calendar: the clock stands on Friday 2026-11-27 at 09:00 in Arras; `group_body` groups start on Monday
2026-11-30 and meet on Tuesdays at 14:00 for two hours, the first session on 2026-12-01."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest

from devinfra.testkit import event_types, events_in, last_position, ok, query_value, refused
from kernel.clock import LOCAL_TIME_ZONE

from .flows import group_body, planned_group, referral_body, referred

pytestmark = pytest.mark.integration

PARCOURS, CAIRN = "programme-parcours", "programme-cairn"
SALLE_2 = {"room": "Salle d'activités 2", "facilitators": ["cpip-3"]}  # another room, another facilitator


# --- helpers -----------------------------------------------------------------------------------------------


def definition(code: str = "ATELIER", **overrides) -> dict:
    """A catalogue entry for one to four people, two sessions of two hours."""
    return {
        "code": code,
        "name": "Atelier d'essai",
        "kind": "thematic_action",
        "format": "collective",
        "planned_sessions": 2,
        "session_minutes": 120,
        "group_min": 1,
        "group_max": 4,
        "completion_threshold": 0.5,
        **overrides,
    }


async def atelier(api, as_role) -> str:
    return (await ok(await api.post("/programmes", headers=as_role("dpip"), json=definition()), 201))[
        "programme_id"
    ]


async def following(people, *subjects: str) -> list[dict]:
    """Several people followed at once."""
    return list(await asyncio.gather(*(people.followed(subject) for subject in subjects)))


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TIME_ZONE).isoformat()


def session(group: dict, number: int) -> str:
    return f"{group['group_id']}-s{number}"


async def enrolled(api, as_role, person: dict, programme_id: str, group: dict) -> dict:
    referral = await referred(api, as_role, person, programme_id)
    return await enrol(api, as_role, referral, group)


async def enrol(api, as_role, referral: dict, group: dict) -> dict:
    return await ok(
        await api.post(
            f"/referrals/{referral['referral_id']}/enrol",
            headers=as_role("cpip"),
            json={"group_id": group["group_id"]},
        )
    )


async def waitlisted(api, as_role, person: dict, programme_id: str, group: dict) -> dict:
    referral = await referred(api, as_role, person, programme_id)
    return await ok(
        await api.post(
            f"/referrals/{referral['referral_id']}/waitlist",
            headers=as_role("cpip"),
            json={"group_id": group["group_id"]},
        )
    )


async def get_referral(api, as_role, referral: dict) -> dict:
    return await ok(await api.get(f"/referrals/{referral['referral_id']}", headers=as_role("dpip")))


async def get_group(api, as_role, group: dict) -> dict:
    return await ok(await api.get(f"/groups/{group['group_id']}", headers=as_role("dpip")))


# --- the read tables' constraints: bookings and open referrals ---------------------------------------------


async def test_enrolling_a_person_already_in_a_group_at_that_time_is_refused(
    api, people, as_role, programmes_dsn
):
    today = people.today
    parcours = await planned_group(api, as_role, PARCOURS, today)
    cairn = await planned_group(api, as_role, CAIRN, today, **SALLE_2)  # Tuesdays at 14:00 as well
    later = await planned_group(
        api,
        as_role,
        "programme-ppr",
        today,
        room="Salle 3",
        facilitators=["cpip-4"],
        pattern={"weekday": 1, "starts_at": "15:00", "duration_minutes": 120},
    )
    person = await people.followed("p-1")
    await enrolled(api, as_role, person, PARCOURS, parcours)
    for programme_id, group in [(CAIRN, cairn), ("programme-ppr", later)]:
        referral = await referred(api, as_role, person, programme_id)
        await refused(
            programmes_dsn,
            api.post(
                f"/referrals/{referral['referral_id']}/enrol",
                headers=as_role("cpip"),
                json={"group_id": group["group_id"]},
            ),
            409,
            "enrolment-overlap",
        )
        assert (await get_referral(api, as_role, referral))["status"] == "eligible"
        assert (await get_group(api, as_role, group))["participants"] == 0
    # Back to back is not an overlap: a group on Tuesdays at 16:00 takes them...
    after = await planned_group(
        api,
        as_role,
        "programme-addictions",
        today,
        room="Salle 4",
        facilitators=["cpip-5"],
        pattern={"weekday": 1, "starts_at": "16:00", "duration_minutes": 120},
    )
    await enrolled(api, as_role, person, "programme-addictions", after)
    # ...but none of its sessions moves onto their PARCOURS session of Tuesday 2026-12-01 at 14:00.
    onto_parcours = {"starts_at": at(today + timedelta(days=4), 14)}
    await refused(
        programmes_dsn,
        api.post(
            f"/groups/{after['group_id']}/sessions/{session(after, 1)}/move",
            headers=as_role("dpip"),
            json=onto_parcours,
        ),
        409,
        "enrolment-overlap",
    )


async def test_planning_a_room_already_booked_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    first = await planned_group(api, as_role, PARCOURS, today)
    tuesday_15h = {"weekday": 1, "starts_at": "15:00", "duration_minutes": 60}
    for pattern in [first["pattern"], tuesday_15h]:
        await refused(
            programmes_dsn,
            api.post(
                "/groups",
                headers=as_role("dpip"),
                json=group_body(CAIRN, today, facilitators=["cpip-3"], pattern=pattern),
            ),
            409,
            "room-double-booked",
        )
    for room in ("SALLE D'ACTIVITÉS 1", "salle d'activités 1"):  # whatever its case
        await refused(
            programmes_dsn,
            api.post(
                "/groups",
                headers=as_role("dpip"),
                json=group_body(CAIRN, today, room=room, facilitators=["cpip-3"]),
            ),
            409,
            "room-double-booked",
        )
    # Another establishment's room of the same name, or the same room at 16:00, is free.
    await planned_group(api, as_role, CAIRN, today, facilitators=["cpip-3"], establishment="CP Lille")
    await planned_group(
        api,
        as_role,
        "programme-ppr",
        today,
        facilitators=["cpip-4"],
        pattern={"weekday": 1, "starts_at": "16:00", "duration_minutes": 120},
    )
    groups = await ok(await api.get("/groups", headers=as_role("dpip")))
    assert groups["total"] == 3


async def test_moving_or_adding_a_session_into_a_booked_room_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    first = await planned_group(api, as_role, PARCOURS, today)
    wednesdays = await planned_group(
        api,
        as_role,
        CAIRN,
        today,
        facilitators=["cpip-3"],
        pattern={"weekday": 2, "starts_at": "14:00", "duration_minutes": 120},
    )
    taken = first["sessions"][1]["session"]["starts_at"]  # the PARCOURS session of Tuesday 2026-12-08
    url = f"/groups/{wednesdays['group_id']}"
    await refused(
        programmes_dsn,
        api.post(
            f"{url}/sessions/{session(wednesdays, 1)}/move",
            headers=as_role("dpip"),
            json={"starts_at": taken},
        ),
        409,
        "room-double-booked",
    )
    await refused(
        programmes_dsn,
        api.post(f"{url}/sessions", headers=as_role("dpip"), json={"starts_at": taken}),
        409,
        "room-double-booked",
    )
    # The same slot in another room is free.
    await ok(
        await api.post(
            f"{url}/sessions/{session(wednesdays, 1)}/move",
            headers=as_role("dpip"),
            json={"starts_at": taken, "room": "Salle d'activités 2"},
        )
    )


async def test_planning_a_facilitator_already_booked_is_refused(api, as_role, clock, programmes_dsn):
    today = clock.now.date()
    await planned_group(api, as_role, PARCOURS, today)  # cpip-1 and cpip-2, Tuesdays at 14:00
    for facilitators in (["cpip-2", "cpip-3"], ["CPIP-1"]):
        await refused(
            programmes_dsn,
            api.post(
                "/groups",
                headers=as_role("dpip"),
                json=group_body(CAIRN, today, room="Salle d'activités 2", facilitators=facilitators),
            ),
            409,
            "facilitator-double-booked",
        )
    await planned_group(api, as_role, CAIRN, today, room="Salle d'activités 2", facilitators=["cpip-3"])


async def test_a_facilitator_named_twice_is_booked_once(api, as_role, clock, programmes_dsn):
    group = await ok(
        await api.post(
            "/groups",
            headers=as_role("dpip"),
            json=group_body(PARCOURS, clock.now.date(), facilitators=["cpip-3", "CPIP-3"]),
        ),
        201,
    )
    assert len(group["sessions"]) == 12


async def test_referring_a_person_twice_to_one_programme_is_refused(api, people, as_role, programmes_dsn):
    """The refusal names the open referral (issue 13 #14): a client goes on with it; its detail names the
    person and the programme as users know them (issue 13 #18)."""
    person = await people.followed("p-1")
    first = await referred(api, as_role, person, PARCOURS)
    for headers in (as_role("cpip"), as_role("dpip")):
        problem = await refused(
            programmes_dsn,
            api.post("/referrals", headers=headers, json=referral_body(person, PARCOURS)),
            409,
            "referral-already-open",
        )
        assert problem["existing"] == f"/referrals/{first['referral_id']}"
        assert problem["referral_id"] == first["referral_id"]
        assert problem["detail"] == (
            "Lucas p-1 Martin (écrou p-1) already has an open referral to PARCOURS «PARCOURS» (eligible): go on "
            "with it"
        )
    await referred(api, as_role, person, CAIRN)  # another programme is another referral
    await ok(
        await api.post(
            f"/referrals/{first['referral_id']}/withdraw",
            headers=as_role("cpip"),
            json={"reason": "Orientation revue"},
        )
    )
    await referred(api, as_role, person, PARCOURS)  # ended, it no longer counts


# --- freed seats: the waiting list, in order, skipping whoever is busy elsewhere ----------------------------


async def test_a_freed_seat_goes_to_the_first_person_waiting(api, people, as_role, programmes_dsn):
    programme_id = await atelier(api, as_role)
    group = await planned_group(api, as_role, programme_id, people.today, capacity=1)
    seated, first, second = await following(people, "p-1", "p-2", "p-3")
    seated = await enrolled(api, as_role, seated, programme_id, group)
    first = await waitlisted(api, as_role, first, programme_id, group)
    second = await waitlisted(api, as_role, second, programme_id, group)
    assert (await get_group(api, as_role, group))["waiting"] == [first["referral_id"], second["referral_id"]]

    since = await last_position(programmes_dsn)
    await ok(
        await api.post(
            f"/referrals/{seated['referral_id']}/drop-out",
            headers=as_role("cpip"),
            json={"reason": "Ne souhaite plus participer"},
        )
    )
    assert await event_types(programmes_dsn, since) == [
        "programmes.referral.dropped_out",
        "programmes.group.participant_left",
        "programmes.referral.enrolled",
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

    await ok(
        await api.post(
            f"/referrals/{seated['referral_id']}/drop-out",
            headers=as_role("cpip"),
            json={"reason": "Transféré"},
        )
    )
    assert (await get_referral(api, as_role, waiting_busy))["status"] == "waiting"
    assert (await get_referral(api, as_role, waiting_free))["status"] == "enrolled"
    after = await get_group(api, as_role, group)
    assert after["participants"] == 1 and after["waiting"] == [waiting_busy["referral_id"]]


# --- what only the API answers --------------------------------------------------------------------------------


async def test_unknown_things_and_rules_read_from_the_tables_travel_as_problems(
    api, people, as_role, programmes_dsn
):
    person = await people.followed("p-1")
    cpip, dpip = as_role("cpip"), as_role("dpip")
    for request, status, rule in [
        (
            api.post(
                "/referrals",
                headers=dpip,
                json={**referral_body(person, PARCOURS), "case_id": "no-such-case"},
            ),
            404,
            "case-not-found",
        ),
        (
            api.post(
                "/referrals",
                headers=cpip,
                json={**referral_body(person, PARCOURS), "plan_id": "no-such-plan"},
            ),
            422,
            "objective-not-in-plan",
        ),  # a plan of another case, or unknown, names no objective of theirs
        (
            api.post("/referrals", headers=cpip, json=referral_body(person, "programme-nothing")),
            404,
            "programme-not-found",
        ),
        (
            api.post("/groups", headers=dpip, json=group_body("programme-nothing", people.today)),
            404,
            "programme-not-found",
        ),
        (
            api.post("/referrals/no-such-referral/enrol", headers=cpip, json={"group_id": "no-such-group"}),
            404,
            "referral-not-found",
        ),
        (api.post("/programmes", headers=dpip, json=definition("PARCOURS")), 409, "programme-code-taken"),
        (api.get("/sessions", headers=dpip), 422, "period-invalid"),
    ]:
        await refused(programmes_dsn, request, status, rule)
    referral = await referred(api, as_role, person, PARCOURS)
    url = f"/referrals/{referral['referral_id']}"
    await refused(
        programmes_dsn,
        api.post(f"{url}/enrol", headers=cpip, json={"group_id": "no-such-group"}),
        404,
        "group-not-found",
    )
    await refused(programmes_dsn, api.get(f"{url}/certificate", headers=cpip), 404, "certificate-not-found")


async def test_a_refusal_on_a_referral_names_the_person_the_programme_and_the_group_from_the_tables(
    api, people, as_role, programmes_dsn
):
    """Issue 13 #18: the names come from the replica of the person's case and the catalogue, read with what
    access to the referral depends on."""
    person = await people.followed("p-1")
    group = await planned_group(api, as_role, PARCOURS, people.today)
    referral = await referred(api, as_role, person, PARCOURS, consent=False)
    url, cpip = f"/referrals/{referral['referral_id']}", as_role("cpip")
    problem = await refused(
        programmes_dsn,
        api.post(f"{url}/enrol", headers=cpip, json={"group_id": group["group_id"]}),
        422,
        "consent-missing",
    )
    assert problem["detail"] == (
        "the consent of Lucas p-1 Martin (écrou p-1) is recorded before they are placed in the group starting "
        "on Monday 30 November 2026: taking part is voluntary"
    )
    await ok(await api.post(f"{url}/consent", headers=cpip, json={"given": False}))
    problem = await refused(
        programmes_dsn,
        api.post(f"{url}/consent", headers=cpip, json={"given": True}),
        422,
        "consent-already-recorded",
    )
    assert problem["detail"] == (
        "Lucas p-1 Martin (écrou p-1) already refused their consent to the referral to PARCOURS «PARCOURS»: "
        "withdraw the referral to end it"
    )


async def test_an_enrol_replayed_with_its_idempotency_key_answers_the_same_once(
    api, people, as_role, programmes_dsn
):
    group = await planned_group(api, as_role, PARCOURS, people.today)
    other = await planned_group(
        api,
        as_role,
        PARCOURS,
        people.today,
        **SALLE_2,
        pattern={"weekday": 3, "starts_at": "09:00", "duration_minutes": 120},
    )
    referral = await referred(api, as_role, await people.followed("p-1"), PARCOURS)
    url, headers = (
        f"/referrals/{referral['referral_id']}/enrol",
        {**as_role("cpip"), "Idempotency-Key": "enrol-1"},
    )

    since = await last_position(programmes_dsn)
    first = await api.post(url, headers=headers, json={"group_id": group["group_id"]})
    assert (await ok(first))["status"] == "enrolled"
    appended = await events_in(programmes_dsn)
    replayed = await api.post(url, headers=headers, json={"group_id": group["group_id"]})
    assert await ok(replayed) == first.json()
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert await events_in(programmes_dsn) == appended
    assert await event_types(programmes_dsn, since) == [
        "programmes.referral.enrolled",
        "programmes.group.participant_enrolled",
    ]
    assert (await get_group(api, as_role, group))["participants"] == 1
    # The same key for another request is refused, not replayed.
    await refused(
        programmes_dsn,
        api.post(url, headers=headers, json={"group_id": other["group_id"]}),
        422,
        "idempotency-key-reused",
    )


async def test_people_placed_into_one_group_at_once_take_their_turn_instead_of_conflicting(
    api, people, as_role, programmes_dsn
):
    """Issue 13 #9: 20 people, each placed twice at the same moment (a double click: 40 enrol-or-waitlist
    requests at once) into a group of five. Commands on one group hold its lock (`handlers.group_lock`), so
    none answers 409: five people enrolled, fifteen waiting, each once, and the streams agree."""
    dpip, cpip = as_role("dpip"), as_role("cpip")
    created = await api.post("/programmes", headers=dpip, json=definition("RUSH", group_max=5))
    programme_id = (await ok(created, 201))["programme_id"]
    group = await planned_group(api, as_role, programme_id, people.today, capacity=5)
    placing = {"group_id": group["group_id"]}
    persons = await following(people, *(f"rush-{n}" for n in range(20)))
    referrals = await asyncio.gather(*(referred(api, as_role, p, programme_id) for p in persons))
    answers = []

    async def enrol_or_waitlist(referral: dict) -> None:
        url = f"/referrals/{referral['referral_id']}"
        answers.append(answer := await api.post(f"{url}/enrol", headers=cpip, json=placing))
        if answer.status_code == 422 and answer.json()["rule"] == "group-full":
            answers.append(await api.post(f"{url}/waitlist", headers=cpip, json=placing))

    await asyncio.gather(*(enrol_or_waitlist(r) for r in referrals for _ in range(2)))

    assert len(answers) >= 40
    assert [a.text for a in answers if a.status_code not in (200, 422)] == []  # no 409, no 5xx
    refusals = {a.json()["rule"] for a in answers if a.status_code == 422}
    assert refusals <= {"group-full", "referral-already-placed"}
    statuses = [(await get_referral(api, as_role, r))["status"] for r in referrals]
    assert sorted(statuses) == ["enrolled"] * 5 + ["waiting"] * 15
    seated = await get_group(api, as_role, group)
    assert (seated["participants"], len(seated["waiting"])) == (5, 15)
    on_the_group = await query_value(
        programmes_dsn,
        """SELECT array_agg(payload->>'referral_id' ORDER BY stream_version) FROM events
           WHERE stream_id = $1 AND event_type = ANY($2::text[])""",
        group["group_id"],
        ["programmes.group.participant_enrolled", "programmes.group.participant_waitlisted"],
    )
    assert sorted(on_the_group) == sorted(r["referral_id"] for r in referrals)  # each person placed once
    assert seated["waiting"] == on_the_group[5:]  # the waiting list in the order people were placed


async def test_malformed_requests_are_refused_before_any_rule(api, people, as_role, programmes_dsn):
    today = people.today
    group = await planned_group(api, as_role, PARCOURS, today)
    person = await people.followed("p-1")
    referral = await referred(api, as_role, person, PARCOURS)
    body = group_body(CAIRN, today, **SALLE_2)
    for bad in [
        api.post("/referrals", headers=as_role("cpip"), json={**referral_body(person, CAIRN), "priority": 1}),
        api.post(
            "/referrals", headers=as_role("cpip"), json={**referral_body(person, CAIRN), "objective_id": ""}
        ),
        api.post(
            f"/referrals/{referral['referral_id']}/withdraw", headers=as_role("cpip"), json={"reason": "   "}
        ),
        api.post(f"/referrals/{referral['referral_id']}/withdraw", headers=as_role("cpip"), json={}),
        api.post(
            f"/referrals/{referral['referral_id']}/consent", headers=as_role("cpip"), json={"given": "maybe"}
        ),
        api.post(
            f"/referrals/{referral['referral_id']}/enrol",
            headers=as_role("cpip"),
            json={"group_id": group["group_id"], "seat": 3},
        ),
        api.post(
            "/groups", headers=as_role("dpip"), json={**body, "pattern": {**body["pattern"], "weekday": 7}}
        ),
        api.post(
            "/groups", headers=as_role("dpip"), json={**body, "pattern": {**body["pattern"], "day": "mardi"}}
        ),
        api.post("/groups", headers=as_role("dpip"), json={**body, "facilitators": []}),
        api.post("/groups", headers=as_role("dpip"), json={**body, "room": "  "}),
        api.post("/groups", headers=as_role("dpip"), json={**body, "capacity": 0}),
        api.post("/groups", headers=as_role("dpip"), content=b"{not json"),
        api.post(
            f"/groups/{group['group_id']}/sessions/{session(group, 1)}/cancel",
            headers=as_role("cpip"),
            json={"reason": ""},
        ),
        api.post(
            f"/groups/{group['group_id']}/sessions/{session(group, 1)}/move",
            headers=as_role("cpip"),
            json={"starts_at": "2026-12-03T10:00:00"},
        ),  # no offset: ambiguous
        api.post(
            f"/groups/{group['group_id']}/sessions/{session(group, 1)}/attendance",
            headers=as_role("cpip"),
            json={"marks": [{"referral_id": referral["referral_id"], "mark": "asleep"}]},
        ),
        api.post("/programmes", headers=as_role("dpip"), json=definition("atelier")),
    ]:
        await refused(programmes_dsn, bad, 422, "request-validation")
    assert (await get_referral(api, as_role, referral))["status"] == "eligible"
