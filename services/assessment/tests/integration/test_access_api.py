"""Who reads and does what through the assessment API (ARCHITECTURE.md §6), against the real app and database.
Who reads each route, and what of it, is the access matrix (tests/security/access_matrix.py); this module
keeps what a row cannot say: no restricted text reaches a non-SPIP reader on any route, every command refuses
every role outside its policy and appends nothing, and an ESPACE note leaves no trace.

Detailed factor evidence, protective factors, receptivity, contributions, return comments and interview notes
are for SPIP roles only: the CPIP on their own caseload, DPIPs, and the psychologists and social workers who
contributed. Confidential interview notes are for their author and DPIPs; ESPACE (radicalisation) notes for
DPIPs only. IPRO roles and auditors read the shareable part of assessments and plans; the governor's office
reads cases only; partners read nothing here.

The reads run on one rich follow-up shared by the module (a read changes nothing); the command tests, which
must append nothing, get a fresh database each.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from assessment.bootstrap import create_app
from assessment.http import routers
from assessment.settings import AssessmentSettings
from contracts.roles import ROLES, SPIP_STAFF
from devinfra.testkit import SettableClock, events_in, headers_for, ok, routes_of, service_settings, serving
from kernel.http import policy_of

from .flows import (
    appointment_body,
    case_body,
    drafted_assessment,
    opened_case,
    plan_body,
    validated_assessment,
)

# They erase people: on a keyring of their own, so the run's shared one keeps its people alive for the others.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("isolated_keyring")]

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
IN_A_WEEK = NOW + timedelta(days=7, hours=1)  # an interview appointment's time, whatever the test clock says

# What only SPIP readers may see, each text unique so that a leak shows up in a plain substring search.
EVIDENCE = "Hébergé chez un ami condamné pour trafic"
PROTECTIVE_FACTOR = "Soutien constant de sa sœur aînée"
OBSTACLES = "Ne lit pas les courriers administratifs"
PSYCHOLOGIST_TEXT = "Impulsivité marquée, antécédents de passages à l'acte auto-agressifs"
SOCIAL_WORKER_TEXT = "Dettes locatives importantes, dossier de surendettement en cours"
RETURN_COMMENTS = "Préciser la situation de logement à la sortie"
INTERVIEW_NOTES = "Démarches de soins engagées au CSAPA"
CONFIDENTIAL_NOTES = "Évoque des violences subies pendant l'enfance"
ESPACE_TEXT = "Prosélytisme signalé en cour de promenade"


@dataclass
class World:
    api: httpx.AsyncClient
    app: FastAPI
    dev_keys: object
    case: str
    other_case: str
    assessment: str
    plan: str
    subject: str
    interview: str

    def headers(self, user: str) -> dict[str, str]:
        role = user.rsplit("-", 1)[0]
        organisation = "org-1" if role == "partenaire" else None
        token = self.dev_keys.mint(role, subject=user, organisation_id=organisation)
        return {"Authorization": f"Bearer {token}"}

    def url(self, path: str, case: str | None = None) -> str:
        url = path.format(
            case_id=case or self.case,
            assessment_id=self.assessment,
            plan_id=self.plan,
            subject_id=self.subject,
            interview_id=self.interview,
        )
        return url + "?within_days=366" if path == "/deadlines" else url  # every deadline of both cases


async def rich_follow_up(api, as_role, today: date) -> dict[str, str]:
    cpip, dpip = as_role("cpip"), as_role("dpip")
    opened = await opened_case(api, as_role, today, "62041", referent="cpip-1")
    case, subject = opened["case_id"], opened["subject_id"]
    other_case = (await opened_case(api, as_role, today, "62042", referent="cpip-2"))["case_id"]

    assessment = (await drafted_assessment(api, cpip, case))["assessment_id"]
    url = f"/assessments/{assessment}"
    await ok(
        await api.put(
            f"{url}/domains/housing",
            headers=cpip,
            json={"risk_factor": True, "nature": "dynamic_stable", "level": "high", "evidence": EVIDENCE},
        )
    )
    await ok(await api.put(f"{url}/protective-factors", headers=cpip, json={"factors": [PROTECTIVE_FACTOR]}))
    await ok(
        await api.put(
            f"{url}/receptivity",
            headers=cpip,
            json={"motivation_stage": "contemplation", "practical_obstacles": OBSTACLES},
        )
    )
    for contributor in ("psychologue-1", "assistant_social-1"):
        await ok(await api.post(f"{url}/contributors", headers=cpip, json={"contributor": contributor}))
    await ok(
        await api.post(
            f"{url}/contributions",
            headers=as_role("psychologue"),
            # Shared with the team, so that every SPIP reader has it to leak (a psychologist's own is not).
            json={"domain": "personality_behaviour", "text": PSYCHOLOGIST_TEXT, "shared": True},
        ),
        201,
    )
    await ok(
        await api.post(
            f"{url}/contributions",
            headers=as_role("assistant_social"),
            json={"domain": "finances", "text": SOCIAL_WORKER_TEXT},
        ),
        201,
    )
    await ok(await api.post(f"{url}/submit", headers=cpip))
    await ok(await api.post(f"{url}/return", headers=dpip, json={"comments": RETURN_COMMENTS}))
    await ok(await api.post(f"{url}/resubmit", headers=cpip))
    await ok(await api.post(f"{url}/validate", headers=dpip))

    plan = (
        await ok(await api.post(f"/cases/{case}/plan", headers=cpip, json=plan_body(assessment, today)), 201)
    )["plan_id"]
    await ok(await api.post(f"/plans/{plan}/agreement", headers=cpip, json={"agreement": "agreed"}))
    await ok(await api.post(f"/plans/{plan}/validate", headers=dpip))

    await ok(
        await api.post(
            f"/cases/{case}/interviews",
            headers=cpip,
            json={"held_on": str(today), "interview_type": "follow_up", "notes": INTERVIEW_NOTES},
        ),
        201,
    )
    await ok(
        await api.post(
            f"/cases/{case}/interviews",
            headers=as_role("psychologue"),
            json={
                "held_on": str(today),
                "interview_type": "other",
                "notes": CONFIDENTIAL_NOTES,
                "confidential": True,
            },
        ),
        201,
    )
    await ok(await api.post(f"/cases/{case}/espace-notes", headers=dpip, json={"text": ESPACE_TEXT}), 201)
    convened = await ok(
        await api.post(f"/cases/{case}/appointments", headers=cpip, json=appointment_body(IN_A_WEEK)), 201
    )
    return {
        "case": case,
        "other_case": other_case,
        "assessment": assessment,
        "plan": plan,
        "subject": subject,
        "interview": convened["interview_id"],
    }


@pytest.fixture(scope="module")
async def world(infrastructure, dev_keys, unique_name):
    """The rich follow-up, served once for every read test of the module (as conftest's `api`)."""
    dsn = await infrastructure.create_database(unique_name("assessment").replace("-", "_"))
    settings = service_settings(AssessmentSettings, dsn, infrastructure, dev_keys, unique_name("t") + ".")
    app = create_app(settings, clock=SettableClock(NOW))
    async with serving(app) as api:
        ids = await rich_follow_up(api, headers_for(dev_keys), NOW.date())
        yield World(api=api, app=app, dev_keys=dev_keys, **ids)


def api_routes(method: str | None = None):
    """(method, path template, policy) of every route of the service's routers."""
    return [
        (verb, path, policy) for verb, path, policy in routes_of(routers) if method is None or verb == method
    ]


# --- need to know: a case a psychologist or social worker was not asked about (review H4) --------------


@pytest.mark.parametrize("user", ["psychologue-2", "assistant_social-2"])
async def test_a_case_they_were_not_asked_about_answers_as_a_missing_one_word_for_word(world, user):
    for url, unknown in (
        (f"/cases/{world.case}", "/cases/no-such-case"),
        (f"/cases/{world.case}/interviews", "/cases/no-such-case/interviews"),
        (f"/plans/{world.plan}", "/plans/no-such-plan"),
    ):
        hidden = await world.api.get(url, headers=world.headers(user))
        missing = await world.api.get(unknown, headers=world.headers(user))
        assert hidden.status_code == missing.status_code == 404, (url, hidden.text)
        hidden_id, missing_id = url.split("/")[2], unknown.split("/")[2]
        assert _problem_without(hidden, hidden_id) == _problem_without(missing, missing_id)


def _problem_without(response, id: str) -> dict[str, str]:
    """The problem's fields, its id blanked (the request's own correlation id left out)."""
    return {k: str(v).replace(id, "…") for k, v in response.json().items() if k != "correlation_id"}


@pytest.mark.parametrize(
    ("query", "theirs"),
    [
        ("", True),
        ("?include_closed=true", True),
        ("?establishment=InSERRE Arras", True),
        ("?referent=cpip-1", True),
        ("?referent=cpip-2", False),  # the other person's referent: a case nobody asked them about
    ],
)
async def test_no_filter_widens_a_psychologists_list_beyond_the_cases_they_were_asked_about(
    world, query, theirs
):
    listed = await ok(await world.api.get(f"/cases{query}", headers=world.headers("psychologue-1")))
    assert [item["case_id"] for item in listed["items"]] == ([world.case] if theirs else [])
    assert listed["total"] == len(listed["items"])
    nothing = await ok(await world.api.get(f"/cases{query}", headers=world.headers("psychologue-2")))
    assert (nothing["total"], nothing["items"]) == (0, [])


# --- restricted content never reaches a non-SPIP reader ------------------------------------------------


async def restricted_texts(world: World) -> set[str]:
    """Every restricted text of the follow-up, as a DPIP reads it."""
    dpip = world.headers("dpip-1")
    full = await ok(await world.api.get(world.url("/assessments/{assessment_id}"), headers=dpip))
    interviews = await ok(await world.api.get(world.url("/cases/{case_id}/interviews"), headers=dpip))
    espace = await ok(await world.api.get(world.url("/cases/{case_id}/espace-notes"), headers=dpip))
    texts = {
        *(domain["evidence"] for domain in full["domains"]),
        *full["protective_factors"],
        *(text for field, text in full["receptivity"].items() if field != "motivation_stage"),
        *(contribution["text"] for contribution in full["contributions"]),
        *full["return_comments"],
        *(interview["notes"] for interview in interviews),
        *(note["text"] for note in espace),
    }
    return {text for text in texts if text}


async def test_no_restricted_content_reaches_ipro_the_governors_office_auditors_or_partners(world):
    restricted = await restricted_texts(world)
    assert {
        EVIDENCE,
        PROTECTIVE_FACTOR,
        OBSTACLES,
        PSYCHOLOGIST_TEXT,
        SOCIAL_WORKER_TEXT,
        RETURN_COMMENTS,
        INTERVIEW_NOTES,
        CONFIDENTIAL_NOTES,
        ESPACE_TEXT,
    } <= restricted
    assert len(restricted) >= 11  # and the two evidence texts of drafted_assessment

    readable = {  # url: whether it is public
        world.url(route.path, case): policy_of(route).is_public
        for route in world.app.routes
        if isinstance(route, APIRoute) and "GET" in route.methods
        for case in (world.case, world.other_case)
    }
    variants = ["/cases?include_closed=true", "/cases?referent=cpip-1", f"/plans/{world.plan}?version=1"]
    readable |= dict.fromkeys(variants, False)
    for user in ("ipro_conseiller-1", "ipro_chef-1", "ripro-1", "direction-1", "auditeur-1", "partenaire-1"):
        answered = 0
        for url, public in sorted(readable.items()):
            response = await world.api.get(url, headers=world.headers(user))
            answered += response.status_code == 200 and not public
            try:
                text = json.dumps(response.json(), ensure_ascii=False)
            except ValueError:
                text = response.text
            assert not [t for t in restricted if t in text], (user, url, response.status_code)
        assert (answered > 0) == (user != "partenaire-1"), (user, answered)  # the scan read real data


# --- commands ---------------------------------------------------------------------------------------------

OFFICER, DIRECTOR = frozenset({"cpip", "dpip"}), frozenset({"dpip"})
CONTRIBUTOR = frozenset({"psychologue", "assistant_social"})

COMMANDS = {  # (method, route): the only roles that may call it
    ("POST", "/cases"): OFFICER,
    ("POST", "/cases/{case_id}/referent"): DIRECTOR,
    ("POST", "/cases/{case_id}/sentence"): OFFICER,
    ("POST", "/cases/{case_id}/transfer"): DIRECTOR,
    ("POST", "/cases/{case_id}/close"): OFFICER,
    ("POST", "/cases/{case_id}/espace-notes"): DIRECTOR,
    ("PUT", "/cases/{case_id}/identity"): DIRECTOR,
    ("POST", "/cases/{case_id}/assessments"): OFFICER,
    ("PUT", "/assessments/{assessment_id}/domains/{domain}"): OFFICER,
    ("PUT", "/assessments/{assessment_id}/protective-factors"): OFFICER,
    ("PUT", "/assessments/{assessment_id}/receptivity"): OFFICER,
    ("PUT", "/assessments/{assessment_id}/conclusion"): OFFICER,
    ("POST", "/assessments/{assessment_id}/contributors"): OFFICER,
    ("POST", "/assessments/{assessment_id}/contributions"): CONTRIBUTOR,
    ("POST", "/assessments/{assessment_id}/submit"): OFFICER,
    ("POST", "/assessments/{assessment_id}/return"): DIRECTOR,
    ("POST", "/assessments/{assessment_id}/resubmit"): OFFICER,
    ("POST", "/assessments/{assessment_id}/validate"): DIRECTOR,
    ("POST", "/cases/{case_id}/plan"): OFFICER,
    ("POST", "/plans/{plan_id}/revisions"): OFFICER,
    ("POST", "/plans/{plan_id}/agreement"): OFFICER,
    ("POST", "/plans/{plan_id}/validate"): DIRECTOR,
    ("POST", "/plans/{plan_id}/objectives/{objective_id}/status"): OFFICER,
    ("POST", "/cases/{case_id}/interviews"): SPIP_STAFF,
    ("POST", "/cases/{case_id}/appointments"): OFFICER,
    ("POST", "/cases/{case_id}/appointments/{interview_id}/move"): OFFICER,
    ("POST", "/cases/{case_id}/appointments/{interview_id}/cancel"): OFFICER,
    ("POST", "/cases/{case_id}/hold"): DIRECTOR,
    ("DELETE", "/cases/{case_id}/hold"): DIRECTOR,
    ("POST", "/subjects/{subject_id}/erasure"): DIRECTOR,
}


def command_bodies(today: date, assessment_id: str) -> dict[str, dict | None]:
    """A valid body per command route: only the caller, never the payload, is what gets refused."""
    return {
        "/cases": case_body(today, "62049"),
        "/cases/{case_id}/referent": {"referent": "cpip-2"},
        "/cases/{case_id}/sentence": case_body(today)["sentence"],
        "/cases/{case_id}/transfer": {"establishment": "CP Lille-Annœullin", "transferred_on": str(today)},
        "/cases/{case_id}/close": {"reason": "release", "closed_on": str(today)},
        "/cases/{case_id}/espace-notes": {"text": "Note"},
        "/cases/{case_id}/identity": {
            "identity": {**case_body(today)["identity"], "last_name": "Martins"},
            "reason": "Erreur de saisie",
        },
        "/cases/{case_id}/assessments": {"kind": "reassessment", "trigger": "Incident disciplinaire"},
        "/assessments/{assessment_id}/domains/{domain}": {"risk_factor": False, "level": "none"},
        "/assessments/{assessment_id}/protective-factors": {"factors": ["Famille présente"]},
        "/assessments/{assessment_id}/receptivity": {"motivation_stage": "action"},
        "/assessments/{assessment_id}/conclusion": {
            "overall_risk_level": "low",
            "priority_axes": ["finances"],
        },
        "/assessments/{assessment_id}/contributors": {"contributor": "psychologue-9"},
        "/assessments/{assessment_id}/contributions": {"text": "Contribution"},
        "/assessments/{assessment_id}/submit": None,
        "/assessments/{assessment_id}/return": {"comments": "À compléter"},
        "/assessments/{assessment_id}/resubmit": None,
        "/assessments/{assessment_id}/validate": None,
        "/cases/{case_id}/plan": plan_body(assessment_id, today),
        "/plans/{plan_id}/revisions": plan_body(assessment_id, today),
        "/plans/{plan_id}/agreement": {"agreement": "agreed"},
        "/plans/{plan_id}/validate": None,
        "/plans/{plan_id}/objectives/{objective_id}/status": {"status": "achieved"},
        "/cases/{case_id}/interviews": {"held_on": str(today), "interview_type": "follow_up", "notes": "Vu"},
        "/cases/{case_id}/appointments": appointment_body(IN_A_WEEK),
        "/cases/{case_id}/appointments/{interview_id}/move": {
            "starts_at": (IN_A_WEEK + timedelta(days=1)).isoformat(),
            "place": "Bureau SPIP 1",
        },
        "/cases/{case_id}/appointments/{interview_id}/cancel": None,
        "/cases/{case_id}/hold": {"reason": "Appel en cours"},
        "/subjects/{subject_id}/erasure": {"reason": "acquittal"},
    }


async def followed_case(api, as_role, today: date) -> dict[str, str]:
    """A case of cpip-1 with a validated assessment and a plan: a real target for every command route."""
    opened = await opened_case(api, as_role, today)
    case = opened["case_id"]
    assessment = (await validated_assessment(api, as_role, case))["assessment_id"]
    plan = await ok(
        await api.post(f"/cases/{case}/plan", headers=as_role("cpip"), json=plan_body(assessment, today)), 201
    )
    convened = await ok(
        await api.post(
            f"/cases/{case}/appointments", headers=as_role("cpip"), json=appointment_body(IN_A_WEEK)
        ),
        201,
    )
    return {
        "interview_id": convened["interview_id"],
        "case_id": case,
        "assessment_id": assessment,
        "plan_id": plan["plan_id"],
        "domain": "housing",
        "objective_id": "obj-1",
        "subject_id": opened["subject_id"],
    }


def test_the_command_table_is_the_policy_every_command_route_declares():
    declared = {(method, path): policy.roles for method, path, policy in api_routes() if method != "GET"}
    assert declared == COMMANDS


async def test_every_command_refuses_the_roles_outside_its_policy_and_appends_nothing(
    api, as_role, clock, assessment_dsn
):
    today = clock.now.date()
    ids = await followed_case(api, as_role, today)
    bodies = command_bodies(today, ids["assessment_id"])
    before = await events_in(assessment_dsn)

    for (method, path), allowed in COMMANDS.items():
        for role in sorted(ROLES - allowed):
            response = await api.request(method, path.format(**ids), json=bodies[path], headers=as_role(role))
            assert response.status_code == 403, (role, method, path, response.text)
            assert response.json()["rule"] == "role-not-allowed", (role, method, path, response.text)
        assert await events_in(assessment_dsn) == before, (method, path)


async def test_a_cpip_gets_not_on_caseload_on_every_command_on_a_case_they_do_not_follow(
    api, as_role, clock, assessment_dsn
):
    today = clock.now.date()
    ids = await followed_case(api, as_role, today)  # followed by cpip-1
    bodies = command_bodies(today, ids["assessment_id"])
    before = await events_in(assessment_dsn)
    on_a_case = [
        (method, path) for (method, path), allowed in COMMANDS.items() if "cpip" in allowed and "{" in path
    ]
    assert len(on_a_case) == 18

    for method, path in on_a_case:
        response = await api.request(
            method, path.format(**ids), json=bodies[path], headers=as_role("cpip", "cpip-2")
        )
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["rule"] == "not-on-caseload", (method, path, response.text)
    assert await events_in(assessment_dsn) == before


# --- ESPACE: not even its existence -----------------------------------------------------------------------


async def test_an_espace_note_leaves_no_trace_in_what_other_roles_read(api, as_role, clock):
    case = (await opened_case(api, as_role, clock.now.date()))["case_id"]
    assessment = (await drafted_assessment(api, as_role("cpip"), case))["assessment_id"]
    for contributor in ("psychologue-1", "assistant_social-1"):  # they read only the cases they are asked on
        await ok(
            await api.post(
                f"/assessments/{assessment}/contributors",
                json={"contributor": contributor},
                headers=as_role("cpip"),
            )
        )
    readers = [
        "cpip",
        "psychologue",
        "assistant_social",
        "ipro_conseiller",
        "ipro_chef",
        "ripro",
        "direction",
        "auditeur",
    ]

    async def what_they_read():
        return {role: await ok(await api.get(f"/cases/{case}", headers=as_role(role))) for role in readers}

    before = await what_they_read()
    noted = await api.post(f"/cases/{case}/espace-notes", headers=as_role("dpip"), json={"text": ESPACE_TEXT})
    await ok(noted, 201)
    assert await what_they_read() == before
