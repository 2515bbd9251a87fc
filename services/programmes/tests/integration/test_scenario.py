"""A PPR group for domestic-violence offences, through the API against the real database and broker: the
people are followed as the assessment service publishes them, and its events feed the replica.

The issue's figures ("10 referred, 2 ineligible, 1 DPIP override, 8 enrolled, 2 waiting") do not add up
(10 − 2 + 1 = 9 placeable, not 8 + 2): the scenario refers 11 people so that every step it names happens."""

from datetime import datetime, timedelta

import pytest

from contracts import known_events
from devinfra.testkit import ok, published_and_valid, serving
from programmes.bootstrap import create_app

from .flows import planned_group, referred

pytestmark = pytest.mark.integration

PPR_VC = {
    "code": "PPR-VC",
    "name": "PPR violences conjugales",
    "kind": "structured_programme",
    "themes": ["violences conjugales"],
    "format": "collective",
    "planned_sessions": 8,
    "review_session": True,
    "session_minutes": 120,
    "group_min": 6,
    "group_max": 10,
    "completion_threshold": 0.75,
    "facilitator_profile": "CPIP formés aux PPR",
    "eligibility": {"offence_categories": ["domestic_violence"]},
}


@pytest.fixture
async def api_with_relay(programmes_settings, clock):
    async with serving(
        create_app(programmes_settings.model_copy(update={"run_relay": True}), clock=clock)
    ) as client:
        yield client


async def ppr_group_with_participants(
    api, people, as_role, clock
) -> tuple[dict, dict, list[dict], list[dict]]:
    """The PPR-VC entry, its group planned and opened, 11 referrals: (programme, group, enrolled, waiting)."""
    dpip, cpip = as_role("dpip"), as_role("cpip")
    programme = await ok(await api.post("/programmes", headers=dpip, json=PPR_VC), 201)
    group = await planned_group(api, as_role, programme["programme_id"], people.today)
    assert len(group["sessions"]) == 9 and group["sessions"][-1]["session"]["review"]

    offenders = [
        await people.followed(f"vc-{n}", offences=("domestic_violence", "violence")) for n in range(9)
    ]
    others = [await people.followed(f"other-{n}", offences=("theft",)) for n in range(2)]
    referrals = [
        await referred(api, as_role, person, programme["programme_id"]) for person in offenders + others
    ]
    assert [r["status"] for r in referrals] == ["eligible"] * 9 + ["refused"] * 2
    assert referrals[-1]["failed_rules"] == ["eligibility-offence-category"]
    overridden = await ok(
        await api.post(
            f"/referrals/{referrals[9]['referral_id']}/override",
            headers=dpip,
            json={"reason": "Violences intrafamiliales reconnues, hors qualification"},
        )
    )
    assert overridden["status"] == "eligible"

    placed = []
    for referral in referrals[:10]:
        url = f"/referrals/{referral['referral_id']}"
        full = len(placed) >= group["capacity"]
        placed.append(
            await ok(
                await api.post(
                    f"{url}/{'waitlist' if full else 'enrol'}",
                    headers=cpip,
                    json={"group_id": group["group_id"]},
                )
            )
        )
    assert [p["status"] for p in placed] == ["enrolled"] * 8 + ["waiting"] * 2
    group = await ok(await api.get(f"/groups/{group['group_id']}", headers=dpip))
    assert (group["participants"], group["fill_rate"], group["waiting"]) == (
        8,
        1.0,
        [p["referral_id"] for p in placed[8:]],
    )
    return programme, group, placed[:8], placed[8:]


async def test_a_ppr_group_from_planning_to_completions(api, people, as_role, clock):
    dpip, facilitator = as_role("dpip"), as_role("cpip")
    programme, group, enrolled, waiting = await ppr_group_with_participants(api, people, as_role, clock)
    group_url = f"/groups/{group['group_id']}"
    await ok(await api.post(f"{group_url}/start", headers=facilitator, json={}))
    sessions = [s["session"] for s in group["sessions"]]

    # Sessions 1 and 2, everyone present but one absent (excused then unexcused).
    participants = [e["referral_id"] for e in enrolled]
    absentee = participants[1]
    for session in sessions[:2]:
        clock.now = session_start(session)
        marks = [{"referral_id": r, "mark": "present"} for r in participants if r != absentee]
        marks.append({"referral_id": absentee, "mark": "absent_unexcused"})
        await ok(
            await api.post(
                f"{group_url}/sessions/{session['session_id']}/attendance",
                headers=facilitator,
                json={"marks": marks, "notes": "Bonne dynamique de groupe"},
            )
        )

    # One drops out: the first waiting person takes the seat, the second still waits.
    leaver = participants[0]
    await ok(
        await api.post(
            f"/referrals/{leaver}/drop-out", headers=facilitator, json={"reason": "Ne souhaite plus"}
        )
    )
    newcomer = await ok(await api.get(f"/referrals/{waiting[0]['referral_id']}", headers=dpip))
    assert (newcomer["status"], newcomer["group_id"]) == ("started", group["group_id"])
    group = await ok(await api.get(group_url, headers=dpip))
    assert group["participants"] == 8 and group["waiting"] == [waiting[1]["referral_id"]]
    participants = [r for r in participants if r != leaver] + [newcomer["referral_id"]]

    # Session 5 is cancelled and caught up in week 10; the others are held.
    await ok(
        await api.post(
            f"{group_url}/sessions/{sessions[4]['session_id']}/cancel",
            headers=dpip,
            json={"reason": "Animateur absent"},
        )
    )
    catch_up = session_start(sessions[-1]) + timedelta(weeks=1)
    group = await ok(
        await api.post(
            f"{group_url}/sessions", headers=facilitator, json={"starts_at": catch_up.isoformat()}
        ),
        201,
    )
    remaining = [s["session"] for s in group["sessions"] if not s["held"] and not s["cancelled"]]
    assert len(remaining) == 7 and remaining[-1]["catch_up"]
    for session in remaining:
        clock.now = session_start(session)
        marks = [
            {"referral_id": r, "mark": "absent_unexcused" if r == absentee else "present"}
            for r in participants
        ]
        await ok(
            await api.post(
                f"{group_url}/sessions/{session['session_id']}/attendance",
                headers=facilitator,
                json={"marks": marks},
            )
        )

    register = await ok(await api.get(f"{group_url}/register", headers=facilitator))
    assert len(register["participants"]) == 8 and len(register["sessions"]) == 10
    printable = await api.get(f"{group_url}/register", params={"format": "html"}, headers=facilitator)
    assert printable.status_code == 200 and "Feuille d'émargement" in printable.text

    closed = await ok(await api.post(f"{group_url}/close", headers=facilitator))
    assert closed["status"] == "closed"
    outcomes = {r: await ok(await api.get(f"/referrals/{r}", headers=dpip)) for r in participants}
    assert outcomes[absentee]["status"] == "not_completed" and outcomes[absentee]["attendance_rate"] == 0
    assert outcomes[newcomer["referral_id"]]["status"] == "completed"  # 7 of the 7 sessions since joining
    completed = [r for r, o in outcomes.items() if o["status"] == "completed"]
    assert len(completed) == 7
    certificate = await ok(await api.get(f"/referrals/{completed[0]}/certificate", headers=dpip))
    assert certificate["programme_code"] == "PPR-VC" and certificate["sessions_attended"] == 9
    still_waiting = await ok(await api.get(f"/referrals/{waiting[1]['referral_id']}", headers=dpip))
    assert (still_waiting["status"], still_waiting["end_reason"]) == (
        "withdrawn",
        "the group closed before a seat was free",
    )
    left = await ok(await api.get(f"/referrals/{leaver}", headers=dpip))
    assert (left["status"], left["end_reason"]) == ("dropped_out", "Ne souhaite plus")
    person = await ok(
        await api.get(f"/people/{outcomes[absentee]['subject_id']}/participation", headers=dpip)
    )
    assert person["attendance_rate"] == 0 and person["enrolments"][0]["sessions_counted"] == 9
    # The list reads the referrals' rows, written with their events: each is listed as it reads.
    listed = await ok(await api.get("/referrals", params={"limit": 100}, headers=dpip))
    assert listed["total"] == 11
    for item in listed["items"]:
        assert item == await ok(await api.get(f"/referrals/{item['referral_id']}", headers=dpip))


def session_start(session: dict) -> datetime:
    return datetime.fromisoformat(session["starts_at"])


async def test_every_event_type_of_the_service_is_published_valid_against_its_schema(
    api_with_relay, people, as_role, clock, programmes_settings, programmes_dsn
):
    api, dpip, cpip = api_with_relay, as_role("dpip"), as_role("cpip")
    programme, group, enrolled, waiting = await ppr_group_with_participants(api, people, as_role, clock)
    group_url = f"/groups/{group['group_id']}"
    sessions = [s["session"] for s in group["sessions"]]
    await ok(
        await api.post(
            f"/programmes/{programme['programme_id']}/revisions",
            headers=dpip,
            json={**PPR_VC, "planned_sessions": 9},
        )
    )
    await ok(
        await api.post(
            f"{group_url}/sessions/{sessions[0]['session_id']}/move",
            headers=dpip,
            json={"starts_at": (session_start(sessions[0]) + timedelta(hours=1)).isoformat()},
        )
    )
    await ok(await api.post(f"{group_url}/start", headers=dpip, json={}))
    await ok(
        await api.post(
            f"/referrals/{enrolled[0]['referral_id']}/exclude",
            headers=dpip,
            json={"reason": "Comportement violent en séance"},
        )
    )
    await ok(
        await api.post(
            f"/referrals/{enrolled[1]['referral_id']}/drop-out",
            headers=cpip,
            json={"reason": "Ne souhaite plus"},
        )
    )
    await ok(
        await api.post(
            f"/referrals/{waiting[1]['referral_id']}/withdraw",
            headers=cpip,
            json={"reason": "Transfert prévu"},
        )
    )
    group = await ok(await api.get(group_url, headers=dpip))
    for session in [s["session"] for s in group["sessions"]][1:]:
        await ok(
            await api.post(
                f"{group_url}/sessions/{session['session_id']}/cancel",
                headers=dpip,
                json={"reason": "Fin anticipée"},
            )
        )
    clock.now = session_start(sessions[0]) + timedelta(hours=1)
    participants = (
        await ok(await api.get(f"/referrals?group_id={group['group_id']}&status=started", headers=dpip))
    )["items"]
    await ok(
        await api.post(
            f"{group_url}/sessions/{sessions[0]['session_id']}/attendance",
            headers=cpip,
            json={
                "marks": [{"referral_id": p["referral_id"], "mark": "present"} for p in participants],
                "notes": "RAS",
            },
        )
    )
    await ok(
        await api.post(
            f"{group_url}/sessions",
            headers=dpip,
            json={"starts_at": (clock.now + timedelta(days=1)).isoformat()},
        ),
        201,
    )
    await people.close_case(participants[0]["case_id"])  # released: ended, seat freed
    group = await ok(await api.get(group_url, headers=dpip))
    last = [s["session"] for s in group["sessions"] if not s["held"] and not s["cancelled"]][0]
    await ok(
        await api.post(
            f"{group_url}/sessions/{last['session_id']}/cancel", headers=dpip, json={"reason": "Plus utile"}
        )
    )
    await ok(await api.post(f"{group_url}/close", headers=dpip))
    await ok(
        await api.post(
            f"/programmes/{programme['programme_id']}/withdraw", headers=dpip, json={"reason": "Remplacé"}
        )
    )

    shared, restricted = await published_and_valid(programmes_settings, programmes_dsn, "programmes")
    service_types = {cls.event_type for cls in known_events() if cls.service() == "programmes"}
    assert {e["event_type"] for e in shared + restricted} == service_types
    assert [e["event_type"] for e in restricted] == ["programmes.group.facilitator_notes_recorded"]
