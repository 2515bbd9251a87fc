"""The access matrix (`access_matrix.py`), one test per row, against each service's real app and database.

Each service's world is built once for the module (one database, one app, a few people, cases, groups,
pathways, organisations) with the service's own test flows; every row is then one request. A read changes
nothing; the few commands the matrix expects to succeed add to what the world holds without changing what
any other row checks.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import httpx
import pytest

from devinfra.testkit import SettableClock, ok, service_settings, serving

from .access_matrix import MATRIX, Row, Scope

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
SERVICES = Path(__file__).resolve().parents[2] / "services"


def flows_of(service: str) -> ModuleType:
    """A service's integration-test flows (`services/<svc>/tests/integration/flows.py`), which import no
    sibling module, loaded by path: the services' test folders are not importable packages from here."""
    path = SERVICES / service / "tests" / "integration" / "flows.py"
    spec = importlib.util.spec_from_file_location(f"access_matrix_flows_{service}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class World:
    """A service served once, what it holds, and who each scope is."""

    api: httpx.AsyncClient
    ids: dict[str, str]
    callers: dict[Scope, dict[str, str]]  # the caller's headers; NO_TOKEN has none
    texts: dict[str, str] = field(default_factory=dict)  # the texts rows name, by constant
    bodies: dict[str, dict | None] = field(default_factory=dict)  # the commands' bodies, by name


def user(dev_keys, role: str, subject: str, organisation_id: str | None = None) -> dict[str, str]:
    token = dev_keys.mint(role, subject=subject, organisation_id=organisation_id)
    return {"Authorization": f"Bearer {token}"}


async def served(service: str, settings_class, factory, infrastructure, dev_keys, unique_name):
    dsn = await infrastructure.create_database(unique_name(service).replace("-", "_"))
    settings = service_settings(settings_class, dsn, infrastructure, dev_keys, unique_name("t") + ".")
    return factory(settings, clock=SettableClock(NOW))


# --- assessment -----------------------------------------------------------------------------------------

EVIDENCE = "Hébergé chez un ami condamné pour trafic"
PSYCHOLOGIST_TEXT = "Impulsivité marquée, antécédents de passages à l'acte auto-agressifs"
SOCIAL_WORKER_TEXT = "Dettes locatives importantes, dossier de surendettement en cours"
INTERVIEW_NOTES = "Démarches de soins engagées au CSAPA"
CONFIDENTIAL_NOTES = "Évoque des violences subies pendant l'enfance"
ESPACE_TEXT = "Prosélytisme signalé en cour de promenade"


@contextlib.asynccontextmanager
async def assessment_world(infrastructure, dev_keys, unique_name):
    """Two cases: person-1 followed by cpip-1, with a validated assessment contributed to by psychologue-1 and
    assistant_social-1, a validated plan, an interview by cpip-1, a confidential one by psychologue-1 and an
    ESPACE note; person-2 followed by cpip-2."""
    from assessment.bootstrap import create_app
    from assessment.settings import AssessmentSettings

    flows = flows_of("assessment")
    app = await served("assessment", AssessmentSettings, create_app, infrastructure, dev_keys, unique_name)
    today = NOW.date()
    as_role = lambda role, subject=None: user(dev_keys, role, subject or f"{role}-1")  # noqa: E731
    cpip, dpip = as_role("cpip"), as_role("dpip")
    async with serving(app) as api:
        case = (await flows.opened_case(api, as_role, today, "person-1", referent="cpip-1"))["case_id"]
        await flows.opened_case(api, as_role, today, "person-2", referent="cpip-2")
        assessment = (await flows.drafted_assessment(api, cpip, case))["assessment_id"]
        url = f"/assessments/{assessment}"
        housing = {"risk_factor": True, "nature": "dynamic_stable", "level": "high", "evidence": EVIDENCE}
        await ok(await api.put(f"{url}/domains/housing", headers=cpip, json=housing))
        await ok(await api.put(f"{url}/protective-factors", headers=cpip, json={"factors": ["Sa sœur"]}))
        await ok(
            await api.put(f"{url}/receptivity", headers=cpip, json={"motivation_stage": "contemplation"})
        )
        for contributor, domain, text in (
            ("psychologue", "personality_behaviour", PSYCHOLOGIST_TEXT),
            ("assistant_social", "finances", SOCIAL_WORKER_TEXT),
        ):
            await ok(
                await api.post(f"{url}/contributors", headers=cpip, json={"contributor": f"{contributor}-1"})
            )
            contribution = {"domain": domain, "text": text}
            await ok(
                await api.post(f"{url}/contributions", headers=as_role(contributor), json=contribution), 201
            )
        await ok(await api.post(f"{url}/submit", headers=cpip))
        await ok(await api.post(f"{url}/return", headers=dpip, json={"comments": "Préciser le logement"}))
        await ok(await api.post(f"{url}/resubmit", headers=cpip))
        await ok(await api.post(f"{url}/validate", headers=dpip))
        plan_body = flows.plan_body(assessment, today)
        plan = (await ok(await api.post(f"/cases/{case}/plan", headers=cpip, json=plan_body), 201))["plan_id"]
        await ok(await api.post(f"/plans/{plan}/agreement", headers=cpip, json={"agreement": "agreed"}))
        await ok(await api.post(f"/plans/{plan}/validate", headers=dpip))
        interview = {"held_on": str(today), "interview_type": "follow_up", "notes": INTERVIEW_NOTES}
        await ok(await api.post(f"/cases/{case}/interviews", headers=cpip, json=interview), 201)
        confidential = {
            **interview,
            "interview_type": "other",
            "notes": CONFIDENTIAL_NOTES,
            "confidential": True,
        }
        await ok(
            await api.post(f"/cases/{case}/interviews", headers=as_role("psychologue"), json=confidential),
            201,
        )
        await ok(await api.post(f"/cases/{case}/espace-notes", headers=dpip, json={"text": ESPACE_TEXT}), 201)
        yield World(
            api=api,
            ids={"case_id": case, "assessment_id": assessment, "plan_id": plan},
            callers={
                Scope.REFERENT: cpip,
                Scope.OTHER_CPIP: as_role("cpip", "cpip-2"),
                Scope.DPIP: dpip,
                Scope.PSY_ASKED: as_role("psychologue"),
                Scope.PSY_NOT_ASKED: as_role("psychologue", "psychologue-2"),
                Scope.SOCIAL_ASKED: as_role("assistant_social"),
                Scope.SOCIAL_NOT_ASKED: as_role("assistant_social", "assistant_social-2"),
                Scope.IPRO_ADVISER: as_role("ipro_conseiller"),
                Scope.IPRO_HEAD: as_role("ipro_chef"),
                Scope.RIPRO: as_role("ripro"),
                Scope.DIRECTION: as_role("direction"),
                Scope.AUDITOR: as_role("auditeur"),
                Scope.PARTNER: user(dev_keys, "partenaire", "partenaire-1", "org-1"),
            },
            texts={
                "EVIDENCE": EVIDENCE,
                "PSYCHOLOGIST_TEXT": PSYCHOLOGIST_TEXT,
                "INTERVIEW_NOTES": INTERVIEW_NOTES,
                "CONFIDENTIAL_NOTES": CONFIDENTIAL_NOTES,
                "ESPACE_TEXT": ESPACE_TEXT,
            },
            bodies={
                "interview": {"held_on": str(today), "interview_type": "follow_up", "notes": "Vu ce jour"},
                "sentence": flows.case_body(today)["sentence"],
                "contribution": {"text": "Contribution"},
                "note": {"text": "Note"},
            },
        )


# --- partners -------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def partners_world(infrastructure, dev_keys, unique_name):
    """Two accredited organisations answering one published call, each with a contact person, a draft
    proposal and an approved proposal whose catalogue action has a session and is published. The rows' objects
    are organisation A's; `partenaire` of A is PARTNER, of B OTHER_PARTNER."""
    from partners.bootstrap import create_app
    from partners.settings import PartnersSettings

    flows = flows_of("partners")
    app = await served("partners", PartnersSettings, create_app, infrastructure, dev_keys, unique_name)
    today, next_week = NOW.date(), NOW + timedelta(days=7)
    as_role = lambda role, subject=None, *, organisation_id=None: user(  # noqa: E731
        dev_keys, role, subject or f"{role}-1", organisation_id
    )
    async with serving(app) as api:
        call_id = (await flows.published_call(api, as_role, today))["call_id"]
        organisations = {}
        for n, name in ((1, "A"), (2, "B")):
            partner_id = (await flows.accredited_partner(api, as_role, n, today, name=name))["partner_id"]
            headers = as_role("partenaire", f"partenaire-{name}", organisation_id=partner_id)
            contact = {"full_name": f"Contact {name}"}
            await ok(await api.post(f"/partners/{partner_id}/contacts", json=contact, headers=headers), 201)
            content = flows.proposal_content(next_week, title=f"Projet {name}")
            draft = await ok(
                await api.post("/proposals", headers=headers, json={"call_id": call_id, "content": content}),
                201,
            )
            content = flows.proposal_content(next_week, title=f"Action {name}")
            action = await flows.approved_action(api, as_role, call_id, partner_id, content)
            starts = next_week + timedelta(days=n)
            await flows.scheduled_session(api, headers, action["action_id"], starts, place=f"Salle {name}")
            await ok(await api.post(f"/actions/{action['action_id']}/publish", headers=as_role("ipro_chef")))
            organisations[name] = (partner_id, headers, draft["proposal_id"], action["action_id"])
        partner_id, headers, proposal_id, action_id = organisations["A"]
        yield World(
            api=api,
            ids={
                "partner_id": partner_id,
                "proposal_id": proposal_id,
                "action_id": action_id,
                "call_id": call_id,
            },
            callers={
                Scope.PARTNER: headers,
                Scope.OTHER_PARTNER: organisations["B"][1],
                Scope.PARTNER_WITHOUT_ORGANISATION: as_role("partenaire", "partenaire-X"),
                Scope.REFERENT: as_role("cpip"),
                Scope.DPIP: as_role("dpip"),
                Scope.IPRO_ADVISER: as_role("ipro_conseiller"),
                Scope.IPRO_HEAD: as_role("ipro_chef"),
                Scope.RIPRO: as_role("ripro"),
                Scope.DIRECTION: as_role("direction"),
                Scope.AUDITOR: as_role("auditeur"),
            },
            texts={"PROJECT_A": "Projet A", "PROJECT_B": "Projet B", "CONTACT_A": "Contact A"},
            bodies={
                "contact": {"full_name": "Contact ajouté"},
                "proposal": {
                    "call_id": call_id,
                    "content": flows.proposal_content(next_week, title="Projet X"),
                },
                "revision": flows.proposal_content(next_week, title="Projet A révisé"),
                "session": {
                    "starts_at": (next_week + timedelta(days=3)).isoformat(),
                    "duration_minutes": 60,
                    "place": "Salle 9",
                    "facilitators": ["Camille Martin"],
                },
            },
        )


# --- one test per row -----------------------------------------------------------------------------------


def at(body, path: str):
    """The value at a dotted path, or a KeyError naming what is missing."""
    for part in path.split("."):
        body = body[part]
    return body


BUILDERS = {"assessment": assessment_world, "partners": partners_world}


@pytest.fixture(scope="module")
async def worlds(infrastructure, dev_keys, unique_name):
    """`await worlds(service)`: the service's world, built on first use and kept for the module."""
    built: dict[str, World] = {}
    async with contextlib.AsyncExitStack() as stack:

        async def world_of(service: str) -> World:
            if service not in built:
                builder = BUILDERS[service](infrastructure, dev_keys, unique_name)
                built[service] = await stack.enter_async_context(builder)
            return built[service]

        yield world_of


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.id)
async def test_access_matrix(worlds, row: Row):
    world = await worlds(row.service)
    url = row.route.format(**world.ids)
    headers = world.callers.get(row.scope, {})
    assert headers or row.scope is Scope.NO_TOKEN, f"the {row.service} world has no caller for {row.scope}"
    body = world.bodies[row.body] if row.body else None
    response = await world.api.request(row.method, url, headers=headers, json=body)

    assert response.status_code == row.status, response.text
    if row.status >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        if row.rule:
            assert response.json()["rule"] == row.rule, response.text
        return
    answer = response.json()
    for path in row.present:
        at(answer, path)  # raises KeyError when missing
    for path in row.absent:
        with pytest.raises((KeyError, TypeError)):
            at(answer, path)
    text = json.dumps(answer, ensure_ascii=False)
    for name in row.shows:
        assert world.texts[name] in text, name
    for name in row.hides:
        assert world.texts[name] not in text, name
    if row.items is not None:
        assert len(answer["items"]) == row.items == answer["total"], answer


def test_every_row_is_unique_and_every_scope_of_a_service_is_a_caller_it_can_build():
    ids = [row.id for row in MATRIX]
    assert len(ids) == len(set(ids))
    assert {row.service for row in MATRIX} == set(BUILDERS)
