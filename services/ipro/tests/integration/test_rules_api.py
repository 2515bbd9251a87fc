"""The IPRO rules the unit tests cannot express, broken through the API against the real database and
broker: what only the inline tables enforce across aggregates (a session's places, one place per session,
the person's bookings as later commands find them), what the loaders answer (an unknown pathway, case,
session), what a release ends, and requests malformed before any rule. Each refusal is a problem+json naming
the rule, with no event appended. The rules of one aggregate are its unit tests' (`tests/unit`), and the
table of every rule's code and status is `tests/unit/test_errors.py`.

People are admitted, and partner actions published, by the assessment and partners events the IPRO replicas
consume (`flows.py`). IPRO management (`ipro_chef`) acts for the advisers, records the CPU's opinion and signs
the contracts; the governor's office (`direction`) decides classement and affectations.

The calendar: the clock stands on Friday 2026-11-27 at 09:00 in Arras. Posts start on Monday 2026-11-30;
`catalogue.published_action()` holds its one session on Friday 2026-12-11 from 10:00 to 12:00."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
import pytest

from devinfra.testkit import event_types, events_in, last_position, ok, refused

pytestmark = pytest.mark.integration

TODAY, TOMORROW = date(2026, 11, 27), date(2026, 11, 28)
MONDAY = date(2026, 11, 30)
MONDAY_MORNING = {"weekday": 0, "starts_at": "08:00", "ends_at": "12:00"}
FRIDAY_MORNING = {"weekday": 4, "starts_at": "08:00", "ends_at": "12:00"}  # the catalogue session's time
TUESDAY_MORNING = {"weekday": 1, "starts_at": "09:00", "ends_at": "12:00"}


# --- helpers -----------------------------------------------------------------------------------------------


def work_url(person: dict) -> str:
    return f"/pathways/{person['pathway_id']}/work"


def pathway_url(person: dict) -> str:
    return f"/pathways/{person['pathway_id']}"


async def classement_requested(api, as_role, person: dict, *, opinion: bool = True) -> dict:
    """The person's written request to work recorded, with the CPU's (favourable) opinion if `opinion`."""
    url, chef = work_url(person), as_role("ipro_chef")
    work = await ok(await api.post(f"{url}/classement-request", headers=chef), 201)
    if opinion:
        work = await ok(
            await api.post(
                f"{url}/cpu-opinion",
                headers=chef,
                json={"held_on": str(TODAY), "favourable": True, "opinion": "Projet cohérent"},
            )
        )
    return work


async def classed(api, as_role, person: dict, *regimes: str) -> dict:
    """Classed for work by the governor, for these regimes (the general service by default)."""
    await classement_requested(api, as_role, person)
    work = await ok(
        await api.post(
            f"{work_url(person)}/decision",
            headers=as_role("direction"),
            json={"granted": True, "regimes": list(regimes or ["service_general"])},
        )
    )
    assert work["classement"] == "granted"
    return work


async def interviewed(
    api,
    as_role,
    person: dict,
    *,
    regime: str = "service_general",
    employer: str = "Administration pénitentiaire",
) -> dict:
    return await ok(
        await api.post(
            f"{work_url(person)}/employer-interviews",
            headers=as_role("ipro_chef"),
            json={
                "regime": regime,
                "employer": employer,
                "post": "Auxiliaire d'étage",
                "held_on": str(TODAY),
            },
        ),
        201,
    )


def affectation_body(
    *schedule: dict, regime: str = "service_general", employer: str = "Administration pénitentiaire"
) -> dict:
    return {
        "regime": regime,
        "post": "Auxiliaire d'étage",
        "workshop": "Bâtiment A",
        "employer": employer,
        "schedule": list(schedule or [MONDAY_MORNING]),
        "starts_on": str(MONDAY),
    }


def current_affectation(work: dict) -> str:
    (affectation_id,) = [a["affectation_id"] for a in work["affectations"].values() if not a["ended"]]
    return affectation_id


async def affected(api, as_role, person: dict, *schedule: dict) -> str:
    """Classed for the general service, interviewed, and assigned a post: the affectation's id."""
    await classed(api, as_role, person)
    await interviewed(api, as_role, person)
    work = await ok(
        await api.post(
            f"{work_url(person)}/affectation", headers=as_role("direction"), json=affectation_body(*schedule)
        ),
        201,
    )
    return current_affectation(work)


def training_body(*schedule: dict, **overrides) -> dict:
    return {
        "body": "AFPA",
        "title": "Titre professionnel Agent de propreté",
        "certification": "TP APH",
        "starts_on": str(MONDAY),
        "ends_on": "2027-03-26",
        "hours": 240,
        "schedule": list(schedule or [TUESDAY_MORNING]),
        **overrides,
    }


async def enrolled(api, as_role, person: dict, *schedule: dict) -> dict:
    return await ok(
        await api.post(
            f"{pathway_url(person)}/trainings", headers=as_role("ipro_chef"), json=training_body(*schedule)
        ),
        201,
    )


def place_on(action: dict) -> dict:
    return {"action_id": action["action_id"], "session_id": action["session_id"]}


async def positioned(api, as_role, person: dict, action: dict) -> dict:
    positioning = await ok(
        await api.post(
            f"{pathway_url(person)}/positionings", headers=as_role("ipro_chef"), json=place_on(action)
        ),
        201,
    )
    assert positioning["status"] == "proposed"
    return positioning


async def booked(dsn: str, session_id: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(
            "SELECT booked FROM catalogue_sessions WHERE session_id = $1", session_id
        )
    finally:
        await connection.close()


# --- booking overlaps ---------------------------------------------------------------------------------------------


async def test_training_hours_over_work_hours_are_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await affected(api, as_role, person, MONDAY_MORNING)
    url, chef = f"{pathway_url(person)}/trainings", as_role("ipro_chef")
    monday_late_morning = {"weekday": 0, "starts_at": "11:00", "ends_at": "14:00"}
    await refused(
        ipro_dsn,
        api.post(url, headers=chef, json=training_body(TUESDAY_MORNING, monday_late_morning)),
        409,
        "booking-overlap",
    )
    # Back to back is not an overlap.
    await ok(
        await api.post(
            url, headers=chef, json=training_body({"weekday": 0, "starts_at": "12:00", "ends_at": "15:00"})
        ),
        201,
    )


async def test_a_positioning_during_work_hours_is_refused(api, residents, catalogue, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await affected(api, as_role, person, FRIDAY_MORNING)
    action = await catalogue.published_action(capacity=5)  # Friday 2026-12-11, 10:00 to 12:00
    await refused(
        ipro_dsn,
        api.post(f"{pathway_url(person)}/positionings", headers=as_role("ipro_chef"), json=place_on(action)),
        409,
        "booking-overlap",
    )
    assert await booked(ipro_dsn, action["session_id"]) == 0


async def test_an_affectation_over_a_training_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await enrolled(api, as_role, person, TUESDAY_MORNING)
    await classed(api, as_role, person)
    await interviewed(api, as_role, person)
    tuesday_early = {"weekday": 1, "starts_at": "07:00", "ends_at": "10:00"}
    await refused(
        ipro_dsn,
        api.post(
            f"{work_url(person)}/affectation",
            headers=as_role("direction"),
            json=affectation_body(MONDAY_MORNING, tuesday_early),
        ),
        409,
        "booking-overlap",
    )
    work = await ok(await api.get(work_url(person), headers=as_role("direction")))
    assert work["affectations"] == {}


# --- positionings ---------------------------------------------------------------------------------------------------


async def test_positioning_over_capacity_is_refused(api, residents, catalogue, as_role, ipro_dsn):
    first, second = await residents.admitted("p-1"), await residents.admitted("p-2")
    action = await catalogue.published_action(capacity=1)
    await positioned(api, as_role, first, action)
    await refused(
        ipro_dsn,
        api.post(f"{pathway_url(second)}/positionings", headers=as_role("ipro_chef"), json=place_on(action)),
        409,
        "positioning-over-capacity",
    )
    assert await booked(ipro_dsn, action["session_id"]) == 1


async def test_a_withdrawn_positioning_ends_and_frees_its_place(
    api, residents, catalogue, as_role, clock, ipro_dsn
):
    first, second = await residents.admitted("p-1"), await residents.admitted("p-2")
    action = await catalogue.published_action(capacity=1)
    positioning = await positioned(api, as_role, first, action)
    url, chef = f"/positionings/{positioning['positioning_id']}", as_role("ipro_chef")
    withdrawn = await ok(await api.post(f"{url}/withdraw", headers=chef, json={"reason": "Transféré"}))
    assert withdrawn["status"] == "withdrawn"
    assert await booked(ipro_dsn, action["session_id"]) == 0
    for step, body in [
        ("confirm", None),
        ("attendance", {"attended": True}),
        ("outcome", {"outcome": "none"}),
        ("withdraw", {"reason": "Encore"}),
    ]:
        await refused(ipro_dsn, api.post(f"{url}/{step}", headers=chef, json=body), 422, "positioning-ended")
    await positioned(api, as_role, second, action)
    assert await booked(ipro_dsn, action["session_id"]) == 1
    clock.now = action["starts_at"] + timedelta(hours=1)  # held: still nothing to record on the withdrawn one
    await refused(
        ipro_dsn,
        api.post(f"{url}/attendance", headers=chef, json={"attended": True}),
        422,
        "positioning-ended",
    )


async def test_a_second_positioning_on_the_same_session_is_refused(
    api, residents, catalogue, as_role, ipro_dsn
):
    person = await residents.admitted("p-1")
    action = await catalogue.published_action(capacity=5)
    await positioned(api, as_role, person, action)
    await refused(
        ipro_dsn,
        api.post(f"{pathway_url(person)}/positionings", headers=as_role("ipro_chef"), json=place_on(action)),
        409,
        "already-positioned",
    )


async def test_positioning_on_an_unknown_or_a_past_session_is_refused(
    api, residents, catalogue, as_role, clock, ipro_dsn
):
    person = await residents.admitted("p-1")
    action = await catalogue.published_action(capacity=5)
    url, chef = f"{pathway_url(person)}/positionings", as_role("ipro_chef")
    for body in [
        {"action_id": action["action_id"], "session_id": "no-such-session"},
        {"action_id": "no-such-action", "session_id": action["session_id"]},
    ]:
        await refused(ipro_dsn, api.post(url, headers=chef, json=body), 404, "action-session-not-found")
    for unknown, body in [("confirm", None), ("withdraw", {"reason": "?"})]:
        await refused(
            ipro_dsn,
            api.post(f"/positionings/no-such-positioning/{unknown}", headers=chef, json=body),
            404,
            "positioning-not-found",
        )
    clock.now = action["starts_at"]  # the session has begun: too late to take a place
    await refused(
        ipro_dsn, api.post(url, headers=chef, json=place_on(action)), 422, "action-session-not-open"
    )


async def test_a_positioning_replayed_with_its_idempotency_key_answers_the_same_once(
    api, residents, catalogue, as_role, ipro_dsn
):
    person = await residents.admitted("p-1")
    action = await catalogue.published_action(capacity=5)
    url = f"{pathway_url(person)}/positionings"
    headers = as_role("ipro_chef", **{"Idempotency-Key": "position-1"})
    since = await last_position(ipro_dsn)
    first = await api.post(url, headers=headers, json=place_on(action))
    assert (await ok(first, 201))["status"] == "proposed"
    appended = await events_in(ipro_dsn)
    replayed = await api.post(url, headers=headers, json=place_on(action))
    assert await ok(replayed, 201) == first.json()
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert await events_in(ipro_dsn) == appended
    assert await event_types(ipro_dsn, since) == ["ipro.positioning.proposed"]
    assert await booked(ipro_dsn, action["session_id"]) == 1
    # The same key for another request is refused, not replayed.
    await refused(
        ipro_dsn,
        api.post(url, headers=headers, json={**place_on(action), "session_id": "other"}),
        422,
        "idempotency-key-reused",
    )
    await refused(
        ipro_dsn,
        api.post(url, headers=as_role("ipro_chef", **{"Idempotency-Key": "k" * 201}), json=place_on(action)),
        400,
        "idempotency-key-invalid",
    )


# --- the pathway -----------------------------------------------------------------------------------------------


async def test_an_unknown_pathway_or_case_or_a_second_pathway_is_refused(api, residents, as_role, ipro_dsn):
    chef, url = as_role("ipro_chef"), "/pathways/no-such-pathway"
    await refused(ipro_dsn, api.get(url, headers=chef), 404, "pathway-not-found")
    await refused(ipro_dsn, api.get(f"{url}/work", headers=chef), 404, "pathway-not-found")
    for path, body in [
        ("synthesis", {"interview_held_on": str(TODAY), "synthesis": "?"}),
        ("work/classement-request", None),
        ("trainings", training_body()),
        ("positionings", {"action_id": "a", "session_id": "s"}),
    ]:
        await refused(ipro_dsn, api.post(f"{url}/{path}", headers=chef, json=body), 404, "pathway-not-found")
    person = await residents.admitted("p-1")
    await refused(
        ipro_dsn, api.post("/pathways", headers=chef, json={"case_id": "no-such-case"}), 404, "case-not-found"
    )
    await refused(
        ipro_dsn,
        api.post("/pathways", headers=chef, json={"case_id": person["case_id"]}),
        409,
        "pathway-already-open",
    )


async def test_a_job_at_release_without_its_contract_type_then_acting_after_release_is_refused(
    api, residents, as_role, ipro_dsn
):
    person = await residents.admitted("p-1")
    chef, url = as_role("ipro_chef"), pathway_url(person)
    job = {"situation": "job", "details": "Plongeur à Arras"}
    await refused(
        ipro_dsn, api.put(f"{url}/exit-outcome", headers=chef, json=job), 422, "contract-type-required"
    )
    await ok(await api.put(f"{url}/exit-outcome", headers=chef, json={**job, "contract_type": "cdd"}))
    await residents.released(person["case_id"])
    closed = await ok(await api.get(url, headers=chef))
    assert closed["closed_on"] == str(TODAY) and closed["exit_outcome"]["contract_type"] == "cdd"
    for path, body in [
        ("synthesis", {"interview_held_on": str(TODAY), "synthesis": "Projet cuisine"}),
        ("readiness", {"status": "support_needed"}),
        ("interviews", {"held_on": str(TODAY)}),
        ("work/classement-request", None),
        ("trainings", training_body()),
        ("positionings", {"action_id": "any-action", "session_id": "any-session"}),
    ]:
        await refused(ipro_dsn, api.post(f"{url}/{path}", headers=chef, json=body), 422, "pathway-closed")
    await refused(
        ipro_dsn,
        api.put(f"{url}/exit-outcome", headers=chef, json={"situation": "no_solution"}),
        422,
        "pathway-closed",
    )
    await refused(
        ipro_dsn,
        api.post("/pathways", headers=chef, json={"case_id": person["case_id"]}),
        409,
        "pathway-already-open",
    )


async def test_a_release_ends_the_trainings_and_gives_back_the_places(
    api, residents, catalogue, as_role, ipro_dsn
):
    person, other = await residents.admitted("p-1"), await residents.admitted("p-2")
    training = await enrolled(api, as_role, person)
    action = await catalogue.published_action(capacity=1)
    positioning = await positioned(api, as_role, person, action)
    await residents.released(person["case_id"])
    chef = as_role("ipro_chef")
    ended = await ok(await api.get(f"/trainings/{training['training_id']}", headers=chef))
    given_back = await ok(await api.get(f"/positionings/{positioning['positioning_id']}", headers=chef))
    assert (ended["status"], given_back["status"]) == ("dropped_out", "withdrawn")
    for path in (
        f"/trainings/{training['training_id']}/start",
        f"/positionings/{positioning['positioning_id']}/confirm",
    ):
        await refused(ipro_dsn, api.post(path, headers=chef), 422, "pathway-closed")
    await positioned(api, as_role, other, action)  # the only place is free again


# --- what refusals say ------------------------------------------------------------------------------------------


async def test_refusals_name_the_person_the_training_and_the_session_as_users_know_them(
    api, residents, catalogue, as_role, ipro_dsn
):
    """Issue 13 #18: not by their ids; the `contract-without-affectation` refusal reads as a sentence."""
    person = await residents.admitted("p-1", last_name="Durand", first_names="Léa")
    action = await catalogue.published_action()  # Friday 2026-12-11, 10:00 to 12:00, "Salle 1"
    await positioned(api, as_role, person, action)
    chef = as_role("ipro_chef")
    problem = await refused(
        ipro_dsn,
        api.post(f"{pathway_url(person)}/trainings", headers=chef, json=training_body(FRIDAY_MORNING)),
        409,
        "booking-overlap",
    )
    assert problem["detail"] == (
        "the hours of the training «Titre professionnel Agent de propreté» overlap the session of «Job dating» "
        "on Friday 11 December 2026 at 10:00 (Salle 1), which Léa Durand is booked for"
    )
    problem = await refused(
        ipro_dsn,
        api.post(f"{pathway_url(person)}/positionings", headers=chef, json=place_on(action)),
        409,
        "already-positioned",
    )
    assert problem["detail"] == (
        "Léa Durand already holds a place on the session of «Job dating» on Friday 11 December 2026 at 10:00 "
        "(Salle 1)"
    )
    await classed(api, as_role, person)
    problem = await refused(
        ipro_dsn,
        api.post(
            f"{work_url(person)}/contract",
            headers=chef,
            json={"affectation_id": "no-such-affectation", "starts_on": str(MONDAY), "trial_days": 1},
        ),
        422,
        "contract-without-affectation",
    )
    assert problem["detail"] == (
        "Léa Durand was assigned no post under this affectation: a contract is signed for the post the governor "
        "assigned."
    )


# --- malformed requests ----------------------------------------------------------------------------------------


async def test_malformed_requests_are_refused_before_any_rule(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    chef, governor, url = as_role("ipro_chef"), as_role("direction"), pathway_url(person)
    await classed(api, as_role, person)
    await interviewed(api, as_role, person)
    cases = [
        (
            chef,
            "post",
            f"{url}/synthesis",
            {"interview_held_on": str(TODAY), "synthesis": "?", "mood": "good"},
        ),
        (
            chef,
            "put",
            f"{url}/profile",
            {"education_level": "primary", "target_trades": [{"rome_code": "G16021", "label": "Cuisinier"}]},
        ),
        (
            chef,
            "put",
            f"{url}/profile",
            {"education_level": "primary", "target_trades": [{"rome_code": "g1602", "label": "Cuisinier"}]},
        ),
        (
            chef,
            "post",
            f"{url}/trainings",
            training_body({"weekday": 7, "starts_at": "09:00", "ends_at": "12:00"}),
        ),
        (
            governor,
            "post",
            f"{url}/work/affectation",
            affectation_body({"weekday": 7, "starts_at": "08:00", "ends_at": "12:00"}),
        ),
        (governor, "post", f"{url}/work/declassify", {"reason": "   "}),
        (
            chef,
            "post",
            f"{url}/leaves",
            {"kind": "pmsmp", "starts_on": str(MONDAY), "ends_on": str(MONDAY), "purpose": " "},
        ),
        (chef, "post", "/positionings/any-positioning/withdraw", {"reason": "  "}),
        (chef, "post", "/trainings/any-training/drop-out", {"reason": ""}),
        (chef, "post", f"{url}/work/contract/suspend", {"reason": "holidays"}),
        (chef, "post", f"{url}/readiness", {"status": "ready"}),
        (
            chef,
            "post",
            f"{url}/work/contract",
            {"affectation_id": "a", "starts_on": str(MONDAY), "trial_days": -1},
        ),
    ]
    for headers, method, path, body in cases:
        await refused(
            ipro_dsn, getattr(api, method)(path, headers=headers, json=body), 422, "request-validation"
        )
