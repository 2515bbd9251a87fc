"""Every rule of the IPRO service, broken through the API: a 4xx problem+json naming the rule (422 for a
broken rule or invalid input, 404 for something unknown, 409 for a conflict or an overlap), and no event
appended.

People are admitted through the real assessment service (its case events open their pathways here) and
partner actions published through the real partners service (their sessions reach the IPRO catalogue
replica), as in production. IPRO management (`ipro_chef`) acts for the advisers, records the CPU's opinion
and signs the contracts; the governor's office (`direction`) decides classement, affectations and leaves.

Rules the API cannot reach are left to the unit tests: the service chooses the ids of new goals, leaves,
trainings and positionings (`goal-already-set`, `leave-already-requested`, `training-already-exists`,
`positioning-already-exists`); a pathway is open as soon as its case is known (`case-closed`).

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
        work = await ok(await api.post(f"{url}/cpu-opinion", headers=chef, json={
            "held_on": str(TODAY), "favourable": True, "opinion": "Projet cohérent"}))
    return work


async def classed(api, as_role, person: dict, *regimes: str) -> dict:
    """Classed for work by the governor, for these regimes (the general service by default)."""
    await classement_requested(api, as_role, person)
    work = await ok(await api.post(f"{work_url(person)}/decision", headers=as_role("direction"), json={
        "granted": True, "regimes": list(regimes or ["service_general"])}))
    assert work["classement"] == "granted"
    return work


async def interviewed(api, as_role, person: dict, *, regime: str = "service_general",
                      employer: str = "Administration pénitentiaire") -> dict:
    return await ok(await api.post(f"{work_url(person)}/employer-interviews", headers=as_role("ipro_chef"), json={
        "regime": regime, "employer": employer, "post": "Auxiliaire d'étage", "held_on": str(TODAY)}), 201)


def affectation_body(*schedule: dict, regime: str = "service_general",
                     employer: str = "Administration pénitentiaire") -> dict:
    return {"regime": regime, "post": "Auxiliaire d'étage", "workshop": "Bâtiment A", "employer": employer,
            "schedule": list(schedule or [MONDAY_MORNING]), "starts_on": str(MONDAY)}


def current_affectation(work: dict) -> str:
    (affectation_id,) = [a["affectation_id"] for a in work["affectations"].values() if not a["ended"]]
    return affectation_id


async def affected(api, as_role, person: dict, *schedule: dict) -> str:
    """Classed for the general service, interviewed, and assigned a post: the affectation's id."""
    await classed(api, as_role, person)
    await interviewed(api, as_role, person)
    work = await ok(await api.post(f"{work_url(person)}/affectation", headers=as_role("direction"),
                                   json=affectation_body(*schedule)), 201)
    return current_affectation(work)


def contract_body(affectation_id: str, *, ends_on: date | None = None, trial_days: int = 2) -> dict:
    return {"affectation_id": affectation_id, "starts_on": str(MONDAY),
            "ends_on": ends_on and str(ends_on), "trial_days": trial_days}


async def under_contract(api, as_role, person: dict) -> str:
    """Assigned a post and under contract for it: the affectation's id."""
    affectation_id = await affected(api, as_role, person)
    work = await ok(await api.post(f"{work_url(person)}/contract", headers=as_role("ipro_chef"),
                                   json=contract_body(affectation_id)), 201)
    assert [c["status"] for c in work["contracts"].values()] == ["active"]
    return affectation_id


def training_body(*schedule: dict, **overrides) -> dict:
    return {"body": "AFPA", "title": "Titre professionnel Agent de propreté", "certification": "TP APH",
            "starts_on": str(MONDAY), "ends_on": "2027-03-26", "hours": 240,
            "schedule": list(schedule or [TUESDAY_MORNING]), **overrides}


async def enrolled(api, as_role, person: dict, *schedule: dict) -> dict:
    return await ok(await api.post(f"{pathway_url(person)}/trainings", headers=as_role("ipro_chef"),
                                   json=training_body(*schedule)), 201)


def place_on(action: dict) -> dict:
    return {"action_id": action["action_id"], "session_id": action["session_id"]}


async def positioned(api, as_role, person: dict, action: dict) -> dict:
    positioning = await ok(await api.post(f"{pathway_url(person)}/positionings", headers=as_role("ipro_chef"),
                                          json=place_on(action)), 201)
    assert positioning["status"] == "proposed"
    return positioning


async def confirmed(api, as_role, positioning: dict) -> dict:
    partner = as_role("partenaire", organisation_id=positioning["partner_id"])
    return await ok(await api.post(f"/positionings/{positioning['positioning_id']}/confirm", headers=partner))


async def booked(dsn: str, session_id: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval("SELECT booked FROM catalogue_sessions WHERE session_id = $1", session_id)
    finally:
        await connection.close()


# --- classement ----------------------------------------------------------------------------------------------


async def test_a_classement_request_while_one_is_pending_or_granted_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    url = f"{work_url(person)}/classement-request"
    await classement_requested(api, as_role, person, opinion=False)
    await refused(ipro_dsn, api.post(url, headers=as_role("ipro_chef")), 422, "classement-already-requested")
    await ok(await api.post(f"{work_url(person)}/cpu-opinion", headers=as_role("ipro_chef"), json={
        "held_on": str(TODAY), "favourable": True}))
    await ok(await api.post(f"{work_url(person)}/decision", headers=as_role("direction"), json={
        "granted": True, "regimes": ["service_general"]}))
    await refused(ipro_dsn, api.post(url, headers=as_role("ipro_chef")), 422, "already-classed")


async def test_a_decision_before_the_cpu_opinion_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await classement_requested(api, as_role, person, opinion=False)
    url = f"{work_url(person)}/decision"
    for body in [{"granted": True, "regimes": ["service_general"]},
                 {"granted": False, "reasons": "Comportement", "appeal_information": "Recours sous deux mois"}]:
        await refused(ipro_dsn, api.post(url, headers=as_role("direction"), json=body), 422, "cpu-opinion-missing")
    work = await ok(await api.get(work_url(person), headers=as_role("direction")))
    assert work["classement"] == "requested" and work["cpu_opinion"] is None
    # The CPU gives one opinion on a request.
    opinion = {"held_on": str(TODAY), "favourable": False}
    await ok(await api.post(f"{work_url(person)}/cpu-opinion", headers=as_role("ipro_chef"), json=opinion))
    await refused(ipro_dsn, api.post(f"{work_url(person)}/cpu-opinion", headers=as_role("ipro_chef"), json=opinion),
                  422, "cpu-opinion-already-recorded")


async def test_an_opinion_or_a_decision_without_a_pending_request_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    url, chef, governor = work_url(person), as_role("ipro_chef"), as_role("direction")
    opinion = {"held_on": str(TODAY), "favourable": True}
    grant = {"granted": True, "regimes": ["service_general"]}
    await refused(ipro_dsn, api.post(f"{url}/cpu-opinion", headers=chef, json=opinion), 422,
                  "classement-not-requested")
    await refused(ipro_dsn, api.post(f"{url}/decision", headers=governor, json=grant), 422,
                  "classement-not-requested")
    # Once decided, the request no longer awaits anything.
    await classed(api, as_role, person)
    await refused(ipro_dsn, api.post(f"{url}/cpu-opinion", headers=chef, json=opinion), 422,
                  "classement-not-requested")
    await refused(ipro_dsn, api.post(f"{url}/decision", headers=governor, json=grant), 422,
                  "classement-not-requested")


async def test_a_grant_without_regimes_or_a_refusal_without_reasons_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await classement_requested(api, as_role, person)
    url = f"{work_url(person)}/decision"
    for body in [{"granted": True}, {"granted": True, "regimes": []}]:
        await refused(ipro_dsn, api.post(url, headers=as_role("direction"), json=body), 422, "regimes-required")
    # A refusal gives its reasons and how to appeal.
    for body in [{"granted": False}, {"granted": False, "reasons": "Comportement en détention"},
                 {"granted": False, "appeal_information": "Recours gracieux sous deux mois"},
                 {"granted": False, "reasons": "   ", "appeal_information": "  "}]:
        await refused(ipro_dsn, api.post(url, headers=as_role("direction"), json=body), 422, "reason-required")
    work = await ok(await api.post(url, headers=as_role("direction"), json={
        "granted": False, "reasons": "Comportement en détention",
        "appeal_information": "Recours gracieux sous deux mois"}))
    assert work["classement"] == "refused"


# --- affectation -----------------------------------------------------------------------------------------------


async def test_an_affectation_without_classement_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    url, governor = f"{work_url(person)}/affectation", as_role("direction")
    await classement_requested(api, as_role, person)  # requested, not yet granted
    await refused(ipro_dsn, api.post(url, headers=governor, json=affectation_body()), 422,
                  "affectation-without-classement")
    await ok(await api.post(f"{work_url(person)}/decision", headers=governor, json={
        "granted": True, "regimes": ["service_general"]}))
    # Classed for the general service only: no concession post, nor an interview for one.
    await refused(ipro_dsn, api.post(url, headers=governor, json=affectation_body(
        regime="concession", employer="Sodexo")), 422, "affectation-without-classement")
    await refused(ipro_dsn, api.post(f"{work_url(person)}/employer-interviews", headers=as_role("ipro_chef"), json={
        "regime": "concession", "employer": "Sodexo", "post": "Opérateur", "held_on": str(TODAY)}),
        422, "not-classed-for-regime")
    work = await ok(await api.get(work_url(person), headers=governor))
    assert work["affectations"] == {}


async def test_an_affectation_without_an_employer_interview_or_a_second_one_is_refused(api, residents, as_role,
                                                                                      ipro_dsn):
    person = await residents.admitted("p-1")
    await classed(api, as_role, person, "service_general", "concession")
    url, governor = f"{work_url(person)}/affectation", as_role("direction")
    await refused(ipro_dsn, api.post(url, headers=governor, json=affectation_body()), 422,
                  "employer-interview-missing")
    # An interview with another employer, or for another regime, is not the one the post needs.
    await interviewed(api, as_role, person, employer="Sodexo", regime="concession")
    for body in [affectation_body(), affectation_body(regime="service_general", employer="Sodexo")]:
        await refused(ipro_dsn, api.post(url, headers=governor, json=body), 422, "employer-interview-missing")
    await ok(await api.post(url, headers=governor, json=affectation_body(regime="concession",
                                                                         employer="SODEXO")), 201)
    # One post at a time, whatever the regime.
    await interviewed(api, as_role, person)
    for body in [affectation_body(TUESDAY_MORNING), affectation_body(TUESDAY_MORNING, regime="concession",
                                                                     employer="Sodexo")]:
        await refused(ipro_dsn, api.post(url, headers=governor, json=body), 422, "already-affected")


# --- contracts ---------------------------------------------------------------------------------------------------


async def test_a_contract_without_affectation_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await classed(api, as_role, person)
    url, chef = f"{work_url(person)}/contract", as_role("ipro_chef")
    await refused(ipro_dsn, api.post(url, headers=chef, json=contract_body("no-such-affectation")), 422,
                  "contract-without-affectation")
    # Nor for a post that ended with its contract.
    await interviewed(api, as_role, person)
    work = await ok(await api.post(f"{work_url(person)}/affectation", headers=as_role("direction"),
                                   json=affectation_body()), 201)
    affectation_id = current_affectation(work)
    await ok(await api.post(url, headers=chef, json=contract_body(affectation_id)), 201)
    await ok(await api.post(f"{url}/end", headers=chef, json={"reason": "agreement"}))
    await refused(ipro_dsn, api.post(url, headers=chef, json=contract_body(affectation_id)), 422,
                  "contract-without-affectation")


async def test_a_second_active_contract_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    affectation_id = await under_contract(api, as_role, person)
    await refused(ipro_dsn, api.post(f"{work_url(person)}/contract", headers=as_role("ipro_chef"),
                                     json=contract_body(affectation_id)), 422, "contract-already-active")


async def test_a_trial_period_over_the_cap_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    affectation_id = await affected(api, as_role, person)
    url, chef = f"{work_url(person)}/contract", as_role("ipro_chef")
    four_weeks = MONDAY + timedelta(days=27)  # 28 days: four days of trial at most
    a_year = MONDAY + timedelta(days=364)  # 52 weeks, but never more than the 30 days' cap
    for ends_on, trial_days in [(four_weeks, 5), (a_year, 31), (None, 31)]:
        await refused(ipro_dsn, api.post(url, headers=chef, json=contract_body(
            affectation_id, ends_on=ends_on, trial_days=trial_days)), 422, "trial-period-too-long")
    await refused(ipro_dsn, api.post(url, headers=chef, json=contract_body(
        affectation_id, ends_on=MONDAY - timedelta(days=1))), 422, "dates-out-of-order")
    work = await ok(await api.post(url, headers=chef, json=contract_body(
        affectation_id, ends_on=four_weeks, trial_days=4)), 201)
    assert [c["trial_days"] for c in work["contracts"].values()] == [4]


async def test_a_dismissal_for_inadequacy_needs_the_preliminary_interview(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await under_contract(api, as_role, person)
    url, chef = f"{work_url(person)}/contract", as_role("ipro_chef")
    inadequacy = {"reason": "professional_inadequacy"}
    await refused(ipro_dsn, api.post(f"{url}/end", headers=chef, json=inadequacy), 422,
                  "preliminary-interview-missing")
    await ok(await api.post(f"{url}/preliminary-interview", headers=chef))
    work = await ok(await api.post(f"{url}/end", headers=chef, json=inadequacy))
    assert [c["status"] for c in work["contracts"].values()] == ["ended"]


async def test_suspending_resuming_or_ending_a_contract_out_of_turn_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    affectation_id = await affected(api, as_role, person)  # a post, no contract yet
    url, chef = f"{work_url(person)}/contract", as_role("ipro_chef")
    not_running = [("suspend", {"reason": "illness"}), ("resume", None), ("preliminary-interview", None),
                   ("end", {"reason": "agreement"})]
    for action, body in not_running:
        await refused(ipro_dsn, api.post(f"{url}/{action}", headers=chef, json=body), 422, "contract-not-active")
    await ok(await api.post(url, headers=chef, json=contract_body(affectation_id)), 201)
    await refused(ipro_dsn, api.post(f"{url}/resume", headers=chef), 422, "contract-not-suspended")
    await ok(await api.post(f"{url}/suspend", headers=chef, json={"reason": "work_accident"}))
    await refused(ipro_dsn, api.post(f"{url}/suspend", headers=chef, json={"reason": "illness"}), 422,
                  "contract-already-suspended")
    await ok(await api.post(f"{url}/resume", headers=chef))
    await ok(await api.post(f"{url}/end", headers=chef, json={"reason": "person_request"}))
    for action, body in not_running:
        await refused(ipro_dsn, api.post(f"{url}/{action}", headers=chef, json=body), 422, "contract-not-active")


# --- declassification --------------------------------------------------------------------------------------------


async def test_declassifying_without_a_hearing_or_under_contract_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    url, chef, governor = work_url(person), as_role("ipro_chef"), as_role("direction")
    reason = {"reason": "Refus de travail répétés"}
    await classement_requested(api, as_role, person)
    for action, body, headers in [("adversarial-hearing", None, chef), ("declassify", reason, governor)]:
        await refused(ipro_dsn, api.post(f"{url}/{action}", headers=headers, json=body), 422, "not-classed")
    await ok(await api.post(f"{url}/decision", headers=governor, json={"granted": True, "regimes": ["service_general"]}))
    await interviewed(api, as_role, person)
    work = await ok(await api.post(f"{url}/affectation", headers=governor, json=affectation_body()), 201)
    await ok(await api.post(f"{url}/contract", headers=chef, json=contract_body(current_affectation(work))), 201)
    await refused(ipro_dsn, api.post(f"{url}/declassify", headers=governor, json=reason), 422,
                  "adversarial-hearing-missing")
    await ok(await api.post(f"{url}/adversarial-hearing", headers=chef))
    await refused(ipro_dsn, api.post(f"{url}/declassify", headers=governor, json=reason), 422,
                  "contract-still-active")
    await ok(await api.post(f"{url}/contract/end", headers=chef, json={"reason": "disciplinary_decision"}))
    work = await ok(await api.post(f"{url}/declassify", headers=governor, json=reason))
    assert work["classement"] == "declassified"


# --- booking overlaps ---------------------------------------------------------------------------------------------


async def test_training_hours_over_work_hours_are_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await affected(api, as_role, person, MONDAY_MORNING)
    url, chef = f"{pathway_url(person)}/trainings", as_role("ipro_chef")
    monday_late_morning = {"weekday": 0, "starts_at": "11:00", "ends_at": "14:00"}
    await refused(ipro_dsn, api.post(url, headers=chef, json=training_body(TUESDAY_MORNING, monday_late_morning)),
                  409, "booking-overlap")
    # Back to back is not an overlap.
    await ok(await api.post(url, headers=chef, json=training_body(
        {"weekday": 0, "starts_at": "12:00", "ends_at": "15:00"})), 201)


async def test_a_positioning_during_work_hours_is_refused(api, residents, catalogue, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await affected(api, as_role, person, FRIDAY_MORNING)
    action = await catalogue.published_action(capacity=5)  # Friday 2026-12-11, 10:00 to 12:00
    await refused(ipro_dsn, api.post(f"{pathway_url(person)}/positionings", headers=as_role("ipro_chef"),
                                     json=place_on(action)), 409, "booking-overlap")
    assert await booked(ipro_dsn, action["session_id"]) == 0


async def test_an_affectation_over_a_training_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    await enrolled(api, as_role, person, TUESDAY_MORNING)
    await classed(api, as_role, person)
    await interviewed(api, as_role, person)
    tuesday_early = {"weekday": 1, "starts_at": "07:00", "ends_at": "10:00"}
    await refused(ipro_dsn, api.post(f"{work_url(person)}/affectation", headers=as_role("direction"),
                                     json=affectation_body(MONDAY_MORNING, tuesday_early)), 409, "booking-overlap")
    work = await ok(await api.get(work_url(person), headers=as_role("direction")))
    assert work["affectations"] == {}


# --- positionings ---------------------------------------------------------------------------------------------------


async def test_positioning_over_capacity_is_refused(api, residents, catalogue, as_role, ipro_dsn):
    first, second = await residents.admitted("p-1"), await residents.admitted("p-2")
    action = await catalogue.published_action(capacity=1)
    await positioned(api, as_role, first, action)
    await refused(ipro_dsn, api.post(f"{pathway_url(second)}/positionings", headers=as_role("ipro_chef"),
                                     json=place_on(action)), 409, "positioning-over-capacity")
    assert await booked(ipro_dsn, action["session_id"]) == 1


async def test_a_withdrawn_positioning_ends_and_frees_its_place(api, residents, catalogue, as_role, clock,
                                                                ipro_dsn):
    first, second = await residents.admitted("p-1"), await residents.admitted("p-2")
    action = await catalogue.published_action(capacity=1)
    positioning = await positioned(api, as_role, first, action)
    url, chef = f"/positionings/{positioning['positioning_id']}", as_role("ipro_chef")
    withdrawn = await ok(await api.post(f"{url}/withdraw", headers=chef, json={"reason": "Transféré"}))
    assert withdrawn["status"] == "withdrawn"
    assert await booked(ipro_dsn, action["session_id"]) == 0
    for step, body in [("confirm", None), ("attendance", {"attended": True}), ("outcome", {"outcome": "none"}),
                       ("withdraw", {"reason": "Encore"})]:
        await refused(ipro_dsn, api.post(f"{url}/{step}", headers=chef, json=body), 422, "positioning-ended")
    await positioned(api, as_role, second, action)
    assert await booked(ipro_dsn, action["session_id"]) == 1
    clock.now = action["starts_at"] + timedelta(hours=1)  # held: still nothing to record on the withdrawn one
    await refused(ipro_dsn, api.post(f"{url}/attendance", headers=chef, json={"attended": True}), 422,
                  "positioning-ended")


async def test_a_second_positioning_on_the_same_session_is_refused(api, residents, catalogue, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    action = await catalogue.published_action(capacity=5)
    await positioned(api, as_role, person, action)
    await refused(ipro_dsn, api.post(f"{pathway_url(person)}/positionings", headers=as_role("ipro_chef"),
                                     json=place_on(action)), 409, "already-positioned")


async def test_confirming_or_recording_attendance_out_of_turn_is_refused(api, residents, catalogue, as_role, clock,
                                                                        ipro_dsn):
    person = await residents.admitted("p-1")
    action = await catalogue.published_action(capacity=5)
    positioning = await positioned(api, as_role, person, action)
    url, chef = f"/positionings/{positioning['positioning_id']}", as_role("ipro_chef")
    await refused(ipro_dsn, api.post(f"{url}/attendance", headers=chef, json={"attended": True}), 422,
                  "positioning-not-confirmed")
    await confirmed(api, as_role, positioning)
    await refused(ipro_dsn, api.post(f"{url}/confirm", headers=chef), 422, "positioning-not-proposed")
    await refused(ipro_dsn, api.post(f"{url}/attendance", headers=chef, json={"attended": True}), 422,
                  "action-session-not-yet-held")
    clock.now = action["starts_at"] - timedelta(minutes=1)
    await refused(ipro_dsn, api.post(f"{url}/attendance", headers=chef, json={"attended": True}), 422,
                  "action-session-not-yet-held")
    clock.now = action["starts_at"] + timedelta(hours=1)
    attended = await ok(await api.post(f"{url}/attendance", headers=chef, json={"attended": True}))
    assert attended["status"] == "attended"
    await refused(ipro_dsn, api.post(f"{url}/attendance", headers=chef, json={"attended": False}), 422,
                  "positioning-not-confirmed")


async def test_an_outcome_without_attendance_or_recorded_twice_is_refused(api, residents, catalogue, as_role,
                                                                         clock, ipro_dsn):
    present, absent = await residents.admitted("p-1"), await residents.admitted("p-2")
    action = await catalogue.published_action(capacity=5)
    came = await confirmed(api, as_role, await positioned(api, as_role, present, action))
    missed = await confirmed(api, as_role, await positioned(api, as_role, absent, action))
    chef, offer = as_role("ipro_chef"), {"outcome": "interview_obtained", "details": "Entretien chez Onet"}
    await refused(ipro_dsn, api.post(f"/positionings/{came['positioning_id']}/outcome", headers=chef, json=offer),
                  422, "positioning-not-attended")
    clock.now = action["starts_at"] + timedelta(hours=3)
    await ok(await api.post(f"/positionings/{came['positioning_id']}/attendance", headers=chef,
                            json={"attended": True}))
    no_show = await ok(await api.post(f"/positionings/{missed['positioning_id']}/attendance", headers=chef,
                                      json={"attended": False}))
    assert no_show["status"] == "no_show"
    await refused(ipro_dsn, api.post(f"/positionings/{missed['positioning_id']}/outcome", headers=chef,
                                     json=offer), 422, "positioning-not-attended")
    recorded = await ok(await api.post(f"/positionings/{came['positioning_id']}/outcome", headers=chef,
                                       json=offer))
    assert recorded["outcome"] == "interview_obtained"
    await refused(ipro_dsn, api.post(f"/positionings/{came['positioning_id']}/outcome", headers=chef,
                                     json={"outcome": "job_offer"}), 422, "outcome-already-recorded")
    # Held, a positioning is no longer withdrawn.
    for positioning in (came, missed):
        await refused(ipro_dsn, api.post(f"/positionings/{positioning['positioning_id']}/withdraw", headers=chef,
                                         json={"reason": "Erreur"}), 422, "positioning-ended")


async def test_positioning_on_an_unknown_or_a_past_session_is_refused(api, residents, catalogue, as_role, clock,
                                                                      ipro_dsn):
    person = await residents.admitted("p-1")
    action = await catalogue.published_action(capacity=5)
    url, chef = f"{pathway_url(person)}/positionings", as_role("ipro_chef")
    for body in [{"action_id": action["action_id"], "session_id": "no-such-session"},
                 {"action_id": "no-such-action", "session_id": action["session_id"]}]:
        await refused(ipro_dsn, api.post(url, headers=chef, json=body), 404, "action-session-not-found")
    for unknown, body in [("confirm", None), ("withdraw", {"reason": "?"})]:
        await refused(ipro_dsn, api.post(f"/positionings/no-such-positioning/{unknown}", headers=chef, json=body),
                      404, "positioning-not-found")
    clock.now = action["starts_at"]  # the session has begun: too late to take a place
    await refused(ipro_dsn, api.post(url, headers=chef, json=place_on(action)), 422, "action-session-not-open")


async def test_a_positioning_replayed_with_its_idempotency_key_answers_the_same_once(api, residents, catalogue,
                                                                                    as_role, ipro_dsn):
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
    await refused(ipro_dsn, api.post(url, headers=headers, json={**place_on(action), "session_id": "other"}),
                  422, "idempotency-key-reused")
    await refused(ipro_dsn, api.post(url, headers=as_role("ipro_chef", **{"Idempotency-Key": "k" * 201}),
                                     json=place_on(action)), 400, "idempotency-key-invalid")


# --- trainings ---------------------------------------------------------------------------------------------------


async def test_a_training_with_dates_out_of_order_or_out_of_turn_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    chef = as_role("ipro_chef")
    for body in [training_body(ends_on=str(MONDAY - timedelta(days=1))),
                 training_body({"weekday": 1, "starts_at": "12:00", "ends_at": "09:00"}),
                 training_body({"weekday": 1, "starts_at": "09:00", "ends_at": "09:00"})]:
        await refused(ipro_dsn, api.post(f"{pathway_url(person)}/trainings", headers=chef, json=body), 422,
                      "dates-out-of-order")
    training = await enrolled(api, as_role, person)
    url = f"/trainings/{training['training_id']}"
    await refused(ipro_dsn, api.post(f"{url}/complete", headers=chef, json={"certification_obtained": True}), 422,
                  "training-not-in-progress")
    await ok(await api.post(f"{url}/start", headers=chef))
    await refused(ipro_dsn, api.post(f"{url}/start", headers=chef), 422, "training-not-enrolled")
    await ok(await api.post(f"{url}/complete", headers=chef, json={"certification_obtained": True}))
    for action, body in [("start", None), ("complete", {"certification_obtained": False}),
                         ("drop-out", {"reason": "Transféré"})]:
        await refused(ipro_dsn, api.post(f"{url}/{action}", headers=chef, json=body), 422, "training-ended")
    await refused(ipro_dsn, api.post("/trainings/no-such-training/start", headers=chef), 404, "training-not-found")


# --- the pathway -----------------------------------------------------------------------------------------------


async def test_dates_in_the_future_or_a_second_synthesis_are_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    chef = as_role("ipro_chef")
    url = f"{pathway_url(person)}/synthesis"
    synthesis = {"interview_held_on": str(TOMORROW), "synthesis": "Projet cuisine"}
    await refused(ipro_dsn, api.post(url, headers=chef, json=synthesis), 422, "date-in-the-future")
    await ok(await api.post(url, headers=chef, json={**synthesis, "interview_held_on": str(TODAY)}))
    await refused(ipro_dsn, api.post(url, headers=chef, json={**synthesis, "interview_held_on": str(TODAY)}), 422,
                  "synthesis-already-written")
    await refused(ipro_dsn, api.post(f"{pathway_url(person)}/interviews", headers=chef, json={
        "held_on": str(TOMORROW)}), 422, "date-in-the-future")
    await classement_requested(api, as_role, person, opinion=False)
    await refused(ipro_dsn, api.post(f"{work_url(person)}/cpu-opinion", headers=chef, json={
        "held_on": str(TOMORROW), "favourable": True}), 422, "date-in-the-future")
    await ok(await api.post(f"{work_url(person)}/cpu-opinion", headers=chef, json={
        "held_on": str(TODAY), "favourable": True}))
    await ok(await api.post(f"{work_url(person)}/decision", headers=as_role("direction"), json={
        "granted": True, "regimes": ["service_general"]}))
    await refused(ipro_dsn, api.post(f"{work_url(person)}/employer-interviews", headers=chef, json={
        "regime": "service_general", "employer": "Administration pénitentiaire", "post": "Auxiliaire",
        "held_on": str(TOMORROW)}), 422, "date-in-the-future")


async def test_a_readiness_unchanged_declined_without_reason_or_without_the_right_to_work_is_refused(
        api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    chef, url = as_role("ipro_chef"), f"{pathway_url(person)}/readiness"
    await ok(await api.post(url, headers=chef, json={"status": "support_needed"}))
    await refused(ipro_dsn, api.post(url, headers=chef, json={"status": "support_needed", "reason": "Toujours"}),
                  422, "readiness-unchanged")
    for body in [{"status": "support_declined"}, {"status": "support_declined", "reason": "   "}]:
        await refused(ipro_dsn, api.post(url, headers=chef, json=body), 422, "reason-required")
    await ok(await api.put(f"{pathway_url(person)}/profile", headers=chef, json={
        "education_level": "primary", "right_to_work": False}))
    await refused(ipro_dsn, api.post(url, headers=chef, json={"status": "ready_to_work"}), 422, "no-right-to-work")
    declined = await ok(await api.post(url, headers=chef, json={
        "status": "support_declined", "reason": "Souhaite se consacrer à ses soins"}))
    assert declined["readiness"] == "support_declined"


async def goal_set(api, as_role, person: dict) -> str:
    pathway = await ok(await api.post(f"{pathway_url(person)}/goals", headers=as_role("ipro_chef"), json={
        "description": "Obtenir le CACES", "steps": [{"step_id": "s1", "description": "Visite médicale"}]}), 201)
    (goal_id,) = pathway["goals"]
    return goal_id


async def test_changing_an_unknown_or_a_closed_goal_is_refused(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    chef, url = as_role("ipro_chef"), f"{pathway_url(person)}/goals"
    goal_id = await goal_set(api, as_role, person)
    await refused(ipro_dsn, api.post(f"{url}/no-such-goal/status", headers=chef, json={"status": "achieved"}), 404,
                  "goal-not-found")
    await refused(ipro_dsn, api.post(f"{url}/{goal_id}/status", headers=chef, json={
        "status": "achieved", "step_id": "s9"}), 404, "goal-not-found")
    twice = {"step_id": "s1", "description": "Visite médicale"}
    await refused(ipro_dsn, api.post(url, headers=chef, json={"description": "Permis B", "steps": [twice, twice]}),
                  422, "value-invalid")
    for body in [{"status": "active"}, {"status": "active", "step_id": "s1"}]:  # already active
        await refused(ipro_dsn, api.post(f"{url}/{goal_id}/status", headers=chef, json=body), 422, "goal-closed")
    await ok(await api.post(f"{url}/{goal_id}/status", headers=chef, json={"status": "achieved", "step_id": "s1"}))
    await refused(ipro_dsn, api.post(f"{url}/{goal_id}/status", headers=chef, json={
        "status": "abandoned", "step_id": "s1"}), 422, "goal-closed")
    await ok(await api.post(f"{url}/{goal_id}/status", headers=chef, json={"status": "abandoned"}))
    for body in [{"status": "achieved"}, {"status": "active"}]:
        await refused(ipro_dsn, api.post(f"{url}/{goal_id}/status", headers=chef, json=body), 422, "goal-closed")


async def test_france_travail_registration_opens_six_months_before_release(api, residents, as_role, ipro_dsn):
    far, near = await residents.admitted("p-1", release_in_days=400), await residents.admitted(
        "p-2", release_in_days=150)
    chef = as_role("ipro_chef")
    await refused(ipro_dsn, api.post(f"{pathway_url(far)}/france-travail", headers=chef), 422,
                  "france-travail-too-early")
    registered = await ok(await api.post(f"{pathway_url(near)}/france-travail", headers=chef))
    assert registered["france_travail_registered_on"] == str(TODAY)
    await refused(ipro_dsn, api.post(f"{pathway_url(near)}/france-travail", headers=chef), 422,
                  "france-travail-already-registered")


async def test_leaves_out_of_turn_are_refused(api, residents, as_role, clock, ipro_dsn):
    person = await residents.admitted("p-1")
    chef, governor, url = as_role("ipro_chef"), as_role("direction"), f"{pathway_url(person)}/leaves"

    def leave(starts_on: date, ends_on: date) -> dict:
        return {"kind": "pmsmp", "starts_on": str(starts_on), "ends_on": str(ends_on),
                "purpose": "Découverte du métier de cuisinier"}

    week = TODAY + timedelta(days=14)
    for body in [leave(TODAY - timedelta(days=1), week), leave(week, week - timedelta(days=1))]:
        await refused(ipro_dsn, api.post(url, headers=chef, json=body), 422, "dates-out-of-order")
    pathway = await ok(await api.post(url, headers=chef, json=leave(week, week + timedelta(days=4))), 201)
    (leave_id,) = pathway["leaves"]
    await refused(ipro_dsn, api.post(f"{url}/{leave_id}/done", headers=chef), 422, "leave-not-approved")
    await refused(ipro_dsn, api.post(f"{url}/{leave_id}/decision", headers=governor, json={
        "approved": False, "reason": "  "}), 422, "reason-required")
    await refused(ipro_dsn, api.post(f"{url}/no-such-leave/decision", headers=governor, json={"approved": True}),
                  404, "leave-not-found")
    await ok(await api.post(f"{url}/{leave_id}/decision", headers=governor, json={"approved": True}))
    await refused(ipro_dsn, api.post(f"{url}/{leave_id}/decision", headers=governor, json={
        "approved": False, "reason": "Incident"}), 422, "leave-not-pending")
    await refused(ipro_dsn, api.post(f"{url}/{leave_id}/done", headers=chef), 422, "date-in-the-future")
    clock.now += timedelta(days=15)
    await ok(await api.post(f"{url}/{leave_id}/done", headers=chef))
    await refused(ipro_dsn, api.post(f"{url}/{leave_id}/done", headers=chef), 422, "leave-not-approved")
    # A refused leave does not take place either.
    refused_leave = await ok(await api.post(url, headers=chef, json=leave(
        week + timedelta(days=7), week + timedelta(days=8))), 201)
    (other,) = set(refused_leave["leaves"]) - {leave_id}
    await ok(await api.post(f"{url}/{other}/decision", headers=governor, json={
        "approved": False, "reason": "Avis défavorable du JAP"}))
    await refused(ipro_dsn, api.post(f"{url}/{other}/done", headers=chef), 422, "leave-not-approved")


async def test_an_unknown_pathway_or_case_or_a_second_pathway_is_refused(api, residents, as_role, ipro_dsn):
    chef, url = as_role("ipro_chef"), "/pathways/no-such-pathway"
    await refused(ipro_dsn, api.get(url, headers=chef), 404, "pathway-not-found")
    await refused(ipro_dsn, api.get(f"{url}/work", headers=chef), 404, "pathway-not-found")
    for path, body in [("synthesis", {"interview_held_on": str(TODAY), "synthesis": "?"}),
                       ("work/classement-request", None), ("trainings", training_body()),
                       ("positionings", {"action_id": "a", "session_id": "s"})]:
        await refused(ipro_dsn, api.post(f"{url}/{path}", headers=chef, json=body), 404, "pathway-not-found")
    person = await residents.admitted("p-1")
    await refused(ipro_dsn, api.post("/pathways", headers=chef, json={"case_id": "no-such-case"}), 404,
                  "case-not-found")
    await refused(ipro_dsn, api.post("/pathways", headers=chef, json={"case_id": person["case_id"]}), 409,
                  "pathway-already-open")


async def test_a_job_at_release_without_its_contract_type_then_acting_after_release_is_refused(
        api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    chef, url = as_role("ipro_chef"), pathway_url(person)
    job = {"situation": "job", "details": "Plongeur à Arras"}
    await refused(ipro_dsn, api.put(f"{url}/exit-outcome", headers=chef, json=job), 422, "contract-type-required")
    await ok(await api.put(f"{url}/exit-outcome", headers=chef, json={**job, "contract_type": "cdd"}))
    await residents.released(person["case_id"])
    closed = await ok(await api.get(url, headers=chef))
    assert closed["closed_on"] == str(TODAY) and closed["exit_outcome"]["contract_type"] == "cdd"
    for path, body in [("synthesis", {"interview_held_on": str(TODAY), "synthesis": "Projet cuisine"}),
                       ("readiness", {"status": "support_needed"}), ("interviews", {"held_on": str(TODAY)}),
                       ("work/classement-request", None), ("trainings", training_body()),
                       ("positionings", {"action_id": "any-action", "session_id": "any-session"})]:
        await refused(ipro_dsn, api.post(f"{url}/{path}", headers=chef, json=body), 422, "pathway-closed")
    await refused(ipro_dsn, api.put(f"{url}/exit-outcome", headers=chef, json={"situation": "no_solution"}), 422,
                  "pathway-closed")
    await refused(ipro_dsn, api.post("/pathways", headers=chef, json={"case_id": person["case_id"]}), 409,
                  "pathway-already-open")


async def test_a_release_ends_the_trainings_and_gives_back_the_places(api, residents, catalogue, as_role, ipro_dsn):
    person, other = await residents.admitted("p-1"), await residents.admitted("p-2")
    training = await enrolled(api, as_role, person)
    action = await catalogue.published_action(capacity=1)
    positioning = await positioned(api, as_role, person, action)
    await residents.released(person["case_id"])
    chef = as_role("ipro_chef")
    ended = await ok(await api.get(f"/trainings/{training['training_id']}", headers=chef))
    given_back = await ok(await api.get(f"/positionings/{positioning['positioning_id']}", headers=chef))
    assert (ended["status"], given_back["status"]) == ("dropped_out", "withdrawn")
    for path in (f"/trainings/{training['training_id']}/start", f"/positionings/{positioning['positioning_id']}/confirm"):
        await refused(ipro_dsn, api.post(path, headers=chef), 422, "pathway-closed")
    await positioned(api, as_role, other, action)  # the only place is free again


# --- malformed requests ----------------------------------------------------------------------------------------


async def test_malformed_requests_are_refused_before_any_rule(api, residents, as_role, ipro_dsn):
    person = await residents.admitted("p-1")
    chef, governor, url = as_role("ipro_chef"), as_role("direction"), pathway_url(person)
    await classed(api, as_role, person)
    await interviewed(api, as_role, person)
    cases = [
        (chef, "post", f"{url}/synthesis", {"interview_held_on": str(TODAY), "synthesis": "?", "mood": "good"}),
        (chef, "put", f"{url}/profile", {"education_level": "primary", "target_trades": [
            {"rome_code": "G16021", "label": "Cuisinier"}]}),
        (chef, "put", f"{url}/profile", {"education_level": "primary", "target_trades": [
            {"rome_code": "g1602", "label": "Cuisinier"}]}),
        (chef, "post", f"{url}/trainings", training_body({"weekday": 7, "starts_at": "09:00", "ends_at": "12:00"})),
        (governor, "post", f"{url}/work/affectation", affectation_body({"weekday": 7, "starts_at": "08:00",
                                                                        "ends_at": "12:00"})),
        (governor, "post", f"{url}/work/declassify", {"reason": "   "}),
        (chef, "post", f"{url}/leaves", {"kind": "pmsmp", "starts_on": str(MONDAY), "ends_on": str(MONDAY),
                                         "purpose": " "}),
        (chef, "post", "/positionings/any-positioning/withdraw", {"reason": "  "}),
        (chef, "post", "/trainings/any-training/drop-out", {"reason": ""}),
        (chef, "post", f"{url}/work/contract/suspend", {"reason": "holidays"}),
        (chef, "post", f"{url}/readiness", {"status": "ready"}),
        (chef, "post", f"{url}/work/contract", {"affectation_id": "a", "starts_on": str(MONDAY), "trial_days": -1}),
    ]
    for headers, method, path, body in cases:
        await refused(ipro_dsn, getattr(api, method)(path, headers=headers, json=body), 422, "request-validation")
