"""Interview appointments (convocations, issue 15) through the API: scheduled by the referent CPIP, moved,
cancelled, closed by the interview recorded on its day; refusals as problem+json naming their rule, with
nothing appended. The rules themselves are `tests/unit/test_interview_appointment.py`."""

import json
from datetime import datetime, timedelta

import pytest

from assessment.bootstrap import create_app
from devinfra.testkit import refused, serving, stored_payloads
from kernel.clock import LOCAL_TIME_ZONE

from .flows import appointment_body, ok, opened_case

pytestmark = pytest.mark.integration

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=LOCAL_TIME_ZONE)  # the clock says Friday 27 November, 9:00


def appointment(starts_at: datetime = TUESDAY_10, **overrides) -> dict:
    return appointment_body(starts_at, **overrides)


async def test_the_referent_schedules_moves_and_cancels_an_interview(api, as_role, clock, assessment_dsn):
    cpip = as_role("cpip")
    opened = await opened_case(api, as_role, clock.now.date())
    case_id = opened["case_id"]
    made = await ok(await api.post(f"/cases/{case_id}/appointments", json=appointment(), headers=cpip), 201)
    url = f"/cases/{case_id}/appointments/{made['interview_id']}"
    assert made["officer"] == "cpip-1" and made["status"] == "scheduled"
    assert datetime.fromisoformat(made["ends_at"]) == TUESDAY_10 + timedelta(minutes=45)

    later = TUESDAY_10 + timedelta(days=1, hours=4)
    moved = await ok(
        await api.post(
            f"{url}/move", json={"starts_at": later.isoformat(), "place": "Bureau SPIP 1"}, headers=cpip
        )
    )
    assert (datetime.fromisoformat(moved["starts_at"]), moved["place"]) == (later, "Bureau SPIP 1")
    assert datetime.fromisoformat(moved["ends_at"]) == later + timedelta(minutes=45)
    assert await ok(await api.get(url, headers=cpip)) == moved

    cancelled = await ok(await api.post(f"{url}/cancel", headers=cpip))
    assert cancelled["status"] == "cancelled"
    assert [a["status"] for a in await ok(await api.get(f"/cases/{case_id}/appointments", headers=cpip))] == [
        "cancelled"
    ]
    [(_, scheduled)] = await stored_payloads(assessment_dsn, "assessment.interview.scheduled")
    assert scheduled["subject_id"] == opened["subject_id"] and scheduled["establishment"] == "InSERRE Arras"

    await refused(assessment_dsn, api.post(f"{url}/cancel", headers=cpip), 422, "interview-cancelled")
    await refused(
        assessment_dsn,
        api.post(f"{url}/move", json={"starts_at": later.isoformat(), "place": "B"}, headers=cpip),
        422,
        "interview-cancelled",
    )


async def test_recording_the_interview_on_its_day_closes_the_appointment(api, as_role, clock, assessment_dsn):
    cpip = as_role("cpip")
    case_id = (await opened_case(api, as_role, clock.now.date()))["case_id"]
    made = await ok(await api.post(f"/cases/{case_id}/appointments", json=appointment(), headers=cpip), 201)
    clock.advance(days=4, hours=2)  # Tuesday, 11:00
    held = await ok(
        await api.post(
            f"/cases/{case_id}/interviews",
            json={"held_on": str(TUESDAY_10.date()), "interview_type": "follow_up", "notes": "Point d'étape"},
            headers=cpip,
        ),
        201,
    )
    assert held["interview_id"] == made["interview_id"]
    url = f"/cases/{case_id}/appointments/{made['interview_id']}"
    assert (await ok(await api.get(url, headers=cpip)))["status"] == "held"
    await refused(assessment_dsn, api.post(f"{url}/cancel", headers=cpip), 422, "interview-already-held")
    # Another interview that day has no appointment left: it is recorded on its own.
    other = await ok(
        await api.post(
            f"/cases/{case_id}/interviews",
            json={"held_on": str(TUESDAY_10.date()), "interview_type": "other"},
            headers=cpip,
        ),
        201,
    )
    assert other["interview_id"] != made["interview_id"]


async def test_refusals_name_their_rule(api, as_role, clock, assessment_dsn):
    cpip = as_role("cpip")
    case_id = (await opened_case(api, as_role, clock.now.date()))["case_id"]
    made = await ok(await api.post(f"/cases/{case_id}/appointments", json=appointment(), headers=cpip), 201)
    url = f"/cases/{case_id}/appointments"
    past = clock.now - timedelta(hours=1)
    for request, status, rule in [
        (api.post(url, json=appointment(past), headers=cpip), 422, "interview-in-the-past"),
        (api.post(url, json=appointment(), headers=as_role("cpip", "cpip-2")), 403, "not-on-caseload"),
        (api.post(url, json=appointment(), headers=as_role("psychologue")), 403, "role-not-allowed"),
        (
            api.post("/cases/no-such-case/appointments", json=appointment(), headers=cpip),
            404,
            "case-not-found",
        ),
        (
            api.post(
                f"{url}/no-such-interview/move",
                json={"starts_at": TUESDAY_10.isoformat(), "place": "B"},
                headers=cpip,
            ),
            404,
            "interview-not-found",
        ),
        (api.get(f"{url}/no-such-interview", headers=cpip), 404, "interview-not-found"),
        (
            api.post(
                f"{url}/{made['interview_id']}/move",
                json={"starts_at": TUESDAY_10.isoformat(), "place": "Bureau SPIP 2"},
                headers=cpip,
            ),
            422,
            "interview-unchanged",
        ),
        (api.post(url, json=appointment(duration_minutes=600), headers=cpip), 422, "request-validation"),
        (
            api.post(url, json={**appointment(), "starts_at": "2026-12-01T10:00:00"}, headers=cpip),
            422,
            "request-validation",
        ),
        (api.post(url, json=appointment(place="  "), headers=cpip), 422, "request-validation"),
        (api.post(url, json=appointment(interview_type="chat"), headers=cpip), 422, "request-validation"),
    ]:
        await refused(assessment_dsn, request, status, rule)

    closed = {"reason": "release", "closed_on": str(clock.now.date())}
    await ok(await api.post(f"/cases/{case_id}/close", json=closed, headers=cpip))
    await refused(assessment_dsn, api.post(url, json=appointment(), headers=cpip), 422, "case-closed")


async def test_once_the_establishment_lists_its_rooms_an_interview_is_held_in_one_of_them(
    assessment_settings, as_role, clock, assessment_dsn, tmp_path
):
    rooms = tmp_path / "rooms.json"
    listed = [{"room_id": "spip-2", "name": "Bureau SPIP 2", "aliases": ["SPIP 2"]}]
    rooms.write_text(json.dumps({"establishments": [{"establishment": "InSERRE Arras", "rooms": listed}]}))
    settings = assessment_settings.model_copy(update={"rooms_file": rooms})
    async with serving(create_app(settings, clock=clock)) as api:
        cpip = as_role("cpip")
        case_id = (await opened_case(api, as_role, clock.now.date()))["case_id"]
        url = f"/cases/{case_id}/appointments"
        problem = await refused(
            assessment_dsn,
            api.post(url, json=appointment(place="Parloir 3"), headers=cpip),
            422,
            "room-unknown",
        )
        assert "Bureau SPIP 2" in problem["detail"]
        made = await ok(await api.post(url, json=appointment(place=" spip  2 "), headers=cpip), 201)
        move = {"starts_at": TUESDAY_10.isoformat(), "place": "Parloir 3"}
        await refused(
            assessment_dsn,
            api.post(f"{url}/{made['interview_id']}/move", json=move, headers=cpip),
            422,
            "room-unknown",
        )
