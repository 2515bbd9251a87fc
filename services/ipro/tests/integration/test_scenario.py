"""A person's professional-insertion pathway through the API against the real database and broker: the
admission the assessment service publishes opens it, partner actions come from the partners' catalogue
events (both published on their topics as those services do)."""

import json
from datetime import timedelta

import pytest

from contracts import known_events
from contracts.registry import event_class, latest_version
from devinfra.testkit import ok, published_and_valid, serving
from ipro import deadlines
from ipro.bootstrap import create_app
from kernel.clock import LOCAL_TIME_ZONE
from kernel.database import create_pool
from kernel.eventstore import EventStore

pytestmark = pytest.mark.integration

MORNINGS = [{"weekday": day, "starts_at": "08:00", "ends_at": "12:00"} for day in range(5)]
PROFILE = {
    "education_level": "vocational",
    "qualifications": ["CAP cuisine"],
    "work_experience": ["Plonge, 2 ans"],
    "languages": ["français"],
    "driving_licence": False,
    "target_trades": [{"rome_code": "H3302", "label": "Opérations manuelles d'assemblage, tri ou emballage"}],
}


# What only IPRO and the SPIP read (ADR 25): on `ipro.restricted`, never on `ipro.events`.
SYNTHESIS, HEALTH, NOTES = "Synthèse : projet en concession", "Port de charges limité", "Point logement et CV"


def place_on(action: dict) -> dict:
    return {"action_id": action["action_id"], "session_id": action["session_id"]}


async def assigned_a_post(api, as_role, pathway_url: str, today, *, signed: bool) -> None:
    """Followed by the adviser, classed, assigned a concession post on weekday mornings from next Monday,
    and (if `signed`) under contract for it."""
    await ok(
        await api.post(
            f"{pathway_url}/adviser", headers=as_role("ipro_chef"), json={"adviser": "ipro_conseiller-1"}
        )
    )
    await classed_and_at_work(api, as_role, pathway_url, today)
    monday = today + timedelta(days=7 - today.weekday())
    work = await ok(
        await api.post(
            f"{pathway_url}/work/affectation",
            headers=as_role("direction"),
            json={
                "regime": "concession",
                "post": "Opérateur",
                "workshop": "Atelier 2",
                "employer": "Conditionnement Artois",
                "schedule": MORNINGS,
                "starts_on": str(monday),
            },
        ),
        201,
    )
    if signed:
        (affectation_id,) = work["affectations"]
        body = {"affectation_id": affectation_id, "starts_on": str(monday), "trial_days": 1}
        await ok(await api.post(f"{pathway_url}/work/contract", headers=as_role("ipro_chef"), json=body), 201)


@pytest.fixture
async def app_with_relay(ipro_settings, clock):
    return create_app(ipro_settings.model_copy(update={"run_relay": True}), clock=clock)


@pytest.fixture
async def api_with_relay(app_with_relay):
    async with serving(app_with_relay) as client:
        yield client


async def overdue_syntheses_published(dsn: str, clock) -> int:
    """One run of the synthesis scheduler, on the service's database and clock."""
    pool = await create_pool(dsn, max_size=2)
    try:
        return await deadlines.publish_overdue(EventStore(pool, clock))
    finally:
        await pool.close()


async def classed_and_at_work(api, as_role, pathway_url: str, today) -> dict:
    """Classement requested, CPU opinion, granted for service général and concession, employer interview,
    affectation to a concession post on weekday mornings: returns the work file."""
    adviser, chef, governor = as_role("ipro_conseiller"), as_role("ipro_chef"), as_role("direction")
    await ok(await api.post(f"{pathway_url}/work/classement-request", headers=adviser), 201)
    await ok(
        await api.post(
            f"{pathway_url}/work/cpu-opinion",
            headers=chef,
            json={"held_on": str(today), "favourable": True, "opinion": "Projet cohérent"},
        )
    )
    await ok(
        await api.post(
            f"{pathway_url}/work/decision",
            headers=governor,
            json={"granted": True, "regimes": ["service_general", "concession"]},
        )
    )
    await ok(
        await api.post(
            f"{pathway_url}/work/employer-interviews",
            headers=adviser,
            json={
                "regime": "concession",
                "employer": "Conditionnement Artois",
                "post": "Opérateur",
                "held_on": str(today),
            },
        ),
        201,
    )
    return today


async def test_a_pathway_from_admission_to_release(api, residents, catalogue, as_role, clock):
    adviser, chef, governor = as_role("ipro_conseiller"), as_role("ipro_chef"), as_role("direction")
    person = await residents.admitted("person-1", release_in_days=240)
    url = f"/pathways/{person['pathway_id']}"
    today = residents.today
    await ok(await api.post(f"{url}/adviser", headers=chef, json={"adviser": "ipro_conseiller-1"}))
    await ok(
        await api.post(
            f"{url}/synthesis",
            headers=adviser,
            json={"interview_held_on": str(today), "synthesis": "Motivé, souhaite travailler en concession"},
        )
    )
    await ok(await api.put(f"{url}/profile", headers=adviser, json=PROFILE))
    pathway = await ok(await api.post(f"{url}/readiness", headers=adviser, json={"status": "ready_to_work"}))
    assert pathway["readiness"] == "ready_to_work" and pathway["synthesis_written_on"] == str(today)

    await classed_and_at_work(api, as_role, url, today)
    waiting = await ok(await api.get("/waiting-lists", params={"regime": "concession"}, headers=chef))
    assert [(w["subject_id"], w["rank"]) for w in waiting] == [("person-1", 1)]

    monday = today + timedelta(days=7 - today.weekday())
    work = await ok(
        await api.post(
            f"{url}/work/affectation",
            headers=governor,
            json={
                "regime": "concession",
                "post": "Opérateur de conditionnement",
                "workshop": "Atelier 2",
                "employer": "Conditionnement Artois",
                "schedule": MORNINGS,
                "starts_on": str(monday),
            },
        ),
        201,
    )
    (affectation_id,) = work["affectations"]
    assert await ok(await api.get("/waiting-lists", params={"regime": "concession"}, headers=chef)) == []
    work = await ok(
        await api.post(
            f"{url}/work/contract",
            headers=chef,
            json={
                "affectation_id": affectation_id,
                "starts_on": str(monday),
                "ends_on": str(monday + timedelta(weeks=12)),
                "trial_days": 5,
            },
        ),
        201,
    )
    (contract,) = work["contracts"].values()
    assert (contract["status"], contract["trial_days"]) == ("active", 5)
    await ok(await api.post(f"{url}/work/contract/suspend", headers=chef, json={"reason": "illness"}))
    work = await ok(await api.post(f"{url}/work/contract/resume", headers=chef))
    assert [*work["contracts"].values()][0]["status"] == "active"
    posts = await ok(await api.get("/posts", params={"workshop": "Atelier 2"}, headers=governor))
    assert [(p["subject_id"], p["post"], p["contract_status"]) for p in posts] == [
        ("person-1", "Opérateur de conditionnement", "active")
    ]

    # A job dating in the afternoon: positioned, confirmed by the partner, attended, an interview obtained.
    job_dating = await catalogue.published_action(days_ahead=14, hour=14)
    positioning = await ok(
        await api.post(
            f"{url}/positionings",
            headers=adviser,
            json={"action_id": job_dating["action_id"], "session_id": job_dating["session_id"]},
        ),
        201,
    )
    partner = as_role("partenaire", organisation_id=job_dating["partner_id"])
    positioning_url = f"/positionings/{positioning['positioning_id']}"
    await ok(await api.post(f"{positioning_url}/confirm", headers=partner))
    clock.now = job_dating["starts_at"] + timedelta(hours=1)
    await ok(await api.post(f"{positioning_url}/attendance", headers=partner, json={"attended": True}))
    done = await ok(
        await api.post(
            f"{positioning_url}/outcome",
            headers=partner,
            json={"outcome": "interview_obtained", "details": "Entretien chez un logisticien"},
        )
    )
    assert (done["status"], done["outcome"]) == ("attended", "interview_obtained")
    seen = await ok(
        await api.get("/positionings", params={"session_id": job_dating["session_id"]}, headers=partner)
    )
    assert [(p["last_name"], p["status"]) for p in seen["items"]] == [("Martin", "attended")]
    assert "subject_id" not in seen["items"][0]

    indicator = await ok(await api.get("/indicators/inserre", headers=governor))
    assert [(i["establishment"], i["residents"], i["in_work"], i["share"]) for i in indicator] == [
        ("InSERRE Arras", 1, 1, 1.0)
    ]

    # Five months before release: France Travail registration opens; the outcome is recorded, then release.
    release = today + timedelta(days=240)
    clock.now = (clock.now + timedelta(days=(release - today).days - 150)).astimezone(LOCAL_TIME_ZONE)
    registered = await ok(await api.post(f"{url}/france-travail", headers=adviser))
    assert registered["france_travail_registered_on"] == str(residents.today)
    await ok(
        await api.put(
            f"{url}/exit-outcome",
            headers=adviser,
            json={"situation": "job", "contract_type": "cdd", "details": "CDD de 6 mois chez le logisticien"},
        )
    )
    clock.now += timedelta(days=150)
    await residents.released(person["case_id"], release)
    closed = await ok(await api.get(url, headers=chef))
    assert closed["closed_on"] == str(release)
    assert (closed["exit_outcome"]["situation"], closed["exit_outcome"]["contract_type"]) == ("job", "cdd")
    history = await ok(await api.get(f"{url}/history", headers=chef))
    # Personal values read in clear, as every reader of the log opens them, never as sealed ciphertext.
    (written,) = [e["payload"] for e in history if e["event_type"] == "ipro.pathway.synthesis_written"]
    assert written["synthesis"] == "Motivé, souhaite travailler en concession"
    assert '"enc"' not in json.dumps(history)
    # The contract still running ends with the release (issue 13 #4).
    assert history[0]["event_type"] == "ipro.pathway.opened"
    assert [e["event_type"] for e in history[-2:]] == [
        "ipro.pathway.closed",
        "ipro.work.contract_ended_on_release",
    ]


async def test_every_event_type_of_the_service_is_published_valid_against_its_schema(
    app_with_relay, api_with_relay, residents, catalogue, as_role, clock, ipro_settings, ipro_dsn
):
    api, adviser, chef, governor = (
        api_with_relay,
        as_role("ipro_conseiller"),
        as_role("ipro_chef"),
        as_role("direction"),
    )
    today = residents.today
    person, other = (
        await residents.admitted("person-1", release_in_days=100),
        await residents.admitted("person-2"),
    )
    url, other_url = f"/pathways/{person['pathway_id']}", f"/pathways/{other['pathway_id']}"
    await ok(await api.post(f"{url}/adviser", headers=chef, json={"adviser": "ipro_conseiller-1"}))
    await ok(
        await api.post(
            f"{url}/synthesis",
            headers=adviser,
            json={"interview_held_on": str(today), "synthesis": SYNTHESIS},
        )
    )
    await ok(
        await api.put(f"{url}/profile", headers=adviser, json={**PROFILE, "health_restrictions": HEALTH})
    )
    await ok(await api.post(f"{url}/readiness", headers=adviser, json={"status": "support_needed"}))
    await ok(
        await api.post(f"{url}/interviews", headers=adviser, json={"held_on": str(today), "notes": NOTES}),
        201,
    )
    goal = await ok(
        await api.post(
            f"{url}/goals",
            headers=adviser,
            json={
                "description": "Obtenir le CACES",
                "steps": [{"step_id": "s1", "description": "Test de positionnement"}],
            },
        ),
        201,
    )
    (goal_id,) = goal["goals"]
    await ok(
        await api.post(
            f"{url}/goals/{goal_id}/status", headers=adviser, json={"status": "achieved", "step_id": "s1"}
        )
    )
    leave = await ok(
        await api.post(
            f"{url}/leaves",
            headers=adviser,
            json={
                "kind": "pmsmp",
                "starts_on": str(today),
                "ends_on": str(today + timedelta(days=5)),
                "purpose": "Découverte",
            },
        ),
        201,
    )
    (leave_id,) = leave["leaves"]
    await ok(await api.post(f"{url}/leaves/{leave_id}/decision", headers=governor, json={"approved": True}))
    await ok(await api.post(f"{url}/leaves/{leave_id}/done", headers=adviser))
    await ok(await api.post(f"{url}/france-travail", headers=adviser))

    await classed_and_at_work(api, as_role, url, today)
    monday = today + timedelta(days=7 - today.weekday())
    work = await ok(
        await api.post(
            f"{url}/work/affectation",
            headers=governor,
            json={
                "regime": "concession",
                "post": "Opérateur",
                "workshop": "Atelier 2",
                "employer": "Conditionnement Artois",
                "schedule": MORNINGS,
                "starts_on": str(monday),
            },
        ),
        201,
    )
    (affectation_id,) = work["affectations"]
    await ok(
        await api.post(
            f"{url}/work/contract",
            headers=chef,
            json={"affectation_id": affectation_id, "starts_on": str(monday), "trial_days": 2},
        ),
        201,
    )
    await ok(await api.post(f"{url}/work/contract/suspend", headers=chef, json={"reason": "work_accident"}))
    await ok(await api.post(f"{url}/work/contract/resume", headers=chef))
    await ok(await api.post(f"{url}/work/contract/preliminary-interview", headers=chef))
    await ok(
        await api.post(f"{url}/work/contract/end", headers=chef, json={"reason": "professional_inadequacy"})
    )
    await ok(await api.post(f"{url}/work/adversarial-hearing", headers=chef))
    declassified = await ok(
        await api.post(f"{url}/work/declassify", headers=governor, json={"reason": "Refus répété du poste"})
    )
    assert declassified["classement"] == "declassified"
    # The pathway's history still tells the reason to whoever read it there: from the restricted event after
    # the declassification, which no longer carries it (ADR 25).
    history = await ok(await api.get(f"{url}/history", headers=chef))
    told = [(e["event_type"], e["payload"].get("reason")) for e in history if "declassif" in e["event_type"]]
    assert told == [
        ("ipro.work.declassified", None),
        ("ipro.work.declassification_reason_recorded", "Refus répété du poste"),
    ]
    await ok(await api.post(f"{other_url}/work/classement-request", headers=chef), 201)
    await ok(
        await api.post(
            f"{other_url}/work/cpu-opinion", headers=chef, json={"held_on": str(today), "favourable": False}
        )
    )
    await ok(
        await api.post(
            f"{other_url}/work/decision",
            headers=governor,
            json={
                "granted": False,
                "reasons": "Incidents récents",
                "appeal_information": "Recours hiérarchique sous 2 mois",
            },
        )
    )

    training = {
        "body": "AFPA",
        "title": "Agent magasinier",
        "certification": "Titre professionnel",
        "starts_on": str(today),  # started today: a training does not start before its start date
        "ends_on": str(monday + timedelta(weeks=10)),
        "hours": 300,
        "schedule": [{"weekday": 2, "starts_at": "13:30", "ends_at": "17:00"}],
    }
    first = await ok(await api.post(f"{url}/trainings", headers=adviser, json=training), 201)
    await ok(await api.post(f"/trainings/{first['training_id']}/start", headers=adviser))
    await ok(
        await api.post(
            f"/trainings/{first['training_id']}/complete",
            headers=adviser,
            json={"certification_obtained": True},
        )
    )
    second = await ok(await api.post(f"{other_url}/trainings", headers=chef, json=training), 201)
    await ok(
        await api.post(
            f"/trainings/{second['training_id']}/drop-out", headers=chef, json={"reason": "Transfert"}
        )
    )

    action = await catalogue.published_action(days_ahead=3, hour=15)
    body = {"action_id": action["action_id"], "session_id": action["session_id"]}
    attended = await ok(await api.post(f"{url}/positionings", headers=adviser, json=body), 201)
    absent = await ok(await api.post(f"{other_url}/positionings", headers=chef, json=body), 201)
    partner = as_role("partenaire", organisation_id=action["partner_id"])
    for positioning in (attended, absent):
        await ok(await api.post(f"/positionings/{positioning['positioning_id']}/confirm", headers=partner))
    later = await catalogue.published_action(days_ahead=20, hour=15)
    withdrawn = await ok(
        await api.post(
            f"{url}/positionings",
            headers=adviser,
            json={"action_id": later["action_id"], "session_id": later["session_id"]},
        ),
        201,
    )
    await ok(
        await api.post(
            f"/positionings/{withdrawn['positioning_id']}/withdraw",
            headers=adviser,
            json={"reason": "Libéré avant"},
        )
    )
    # The partner moves a session, then cancels it: the place follows it, then is cancelled.
    moving = await catalogue.published_action(days_ahead=21, hour=15)
    await ok(await api.post(f"{other_url}/positionings", headers=chef, json=place_on(moving)), 201)
    await catalogue.session_moved(moving, moving["starts_at"] + timedelta(days=1))
    await catalogue.session_cancelled(moving)
    clock.now = action["starts_at"] + timedelta(hours=1)
    await ok(
        await api.post(
            f"/positionings/{attended['positioning_id']}/attendance", headers=partner, json={"attended": True}
        )
    )
    await ok(
        await api.post(
            f"/positionings/{absent['positioning_id']}/attendance", headers=partner, json={"attended": False}
        )
    )
    await ok(
        await api.post(
            f"/positionings/{attended['positioning_id']}/outcome",
            headers=partner,
            json={"outcome": "pmsmp_agreed"},
        )
    )

    clock.now += timedelta(days=10)  # person-2's synthesis (due 4 December) is overdue
    assert await overdue_syntheses_published(ipro_dsn, clock) == 1
    assert await overdue_syntheses_published(ipro_dsn, clock) == 0
    await ok(await api.put(f"{url}/exit-outcome", headers=adviser, json={"situation": "training"}))
    await residents.released(person["case_id"])
    # Released holding a contract, and holding a post whose contract was not signed yet.
    for subject, signed in (("person-3", True), ("person-4", False)):
        at_work = await residents.admitted(subject)
        await assigned_a_post(
            api, as_role, f"/pathways/{at_work['pathway_id']}", residents.today, signed=signed
        )
        await residents.released(at_work["case_id"])

    shared, restricted = await published_and_valid(ipro_settings, ipro_dsn, "ipro")
    newest = [
        event_class(t, latest_version(t))
        for t in {c.event_type for c in known_events() if c.service() == "ipro"}
    ]
    assert {e["event_type"] for e in shared} == {c.event_type for c in newest if not c.restricted}
    assert {e["event_type"] for e in restricted} == {c.event_type for c in newest if c.restricted}
    # What only IPRO and the SPIP read never reaches the topic every subscribing service reads (ADR 25).
    need_to_know = [SYNTHESIS, HEALTH, NOTES, "Projet cohérent", "Refus répété du poste", "Incidents récents"]
    assert [text for text in need_to_know if text in str([e["payload"] for e in shared])] == []
    assert [text for text in need_to_know if text not in str([e["payload"] for e in restricted])] == []
