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
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import httpx
import pytest

from devinfra import subject_ids
from devinfra.testkit import SettableClock, break_glass, ok, service_settings, serving
from devinfra.tokens import DEV_ESTABLISHMENTS

from .access_matrix import MATRIX, Row, Scope

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
SERVICES = Path(__file__).resolve().parents[2] / "services"
# Every row is a request, many of them refused: the matrix tests access, not the rate limits (ADR 21).
# One token reads hundreds of rows at once (the failed-authentication allowance is lifted by the test kit).
NO_RATE_LIMITS = {"RATE_LIMIT_USER_PER_SECOND": 0}


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


def user(
    dev_keys, role: str, subject: str, organisation_id: str | None = None, establishments=DEV_ESTABLISHMENTS
) -> dict[str, str]:
    token = dev_keys.mint(
        role, subject=subject, organisation_id=organisation_id, establishments=establishments
    )
    return {"Authorization": f"Bearer {token}"}


# Every world's objects are in one of the development sites; this one is none of theirs (ADR 26).
ELSEWHERE = ["Centre pénitentiaire de Maubeuge"]


def elsewhere(dev_keys, users: dict[Scope, tuple[str, str]]) -> dict[Scope, dict[str, str]]:
    """The perimeter's callers: these (role, user) with a token of another establishment only, and a DPIP
    whose token lists none."""
    return {
        **{
            scope: user(dev_keys, role, subject, establishments=ELSEWHERE)
            for scope, (role, subject) in users.items()
        },
        Scope.NO_ESTABLISHMENT: user(dev_keys, "dpip", "dpip-1", establishments=None),
    }


async def served(service: str, settings_class, factory, infrastructure, dev_keys, unique_name):
    dsn = await infrastructure.create_database(unique_name(service).replace("-", "_"))
    settings = service_settings(
        settings_class, dsn, infrastructure, dev_keys, unique_name("t") + ".", **NO_RATE_LIMITS
    )
    return factory(settings, clock=SettableClock(NOW))


# --- assessment -----------------------------------------------------------------------------------------

EVIDENCE = "Hébergé chez un ami condamné pour trafic"
PSYCHOLOGIST_TEXT = "Impulsivité marquée, antécédents de passages à l'acte auto-agressifs"
SOCIAL_WORKER_TEXT = "Dettes locatives importantes, dossier de surendettement en cours"
INTERVIEW_NOTES = "Démarches de soins engagées au CSAPA"
CONFIDENTIAL_NOTES = "Évoque des violences subies pendant l'enfance"
ESPACE_TEXT = "Prosélytisme signalé en cour de promenade"


def _appointment(today) -> dict:
    """An interview appointment (convocation) four days on, at 10:00."""
    starts_at = datetime.combine(today + timedelta(days=4), time(10), tzinfo=NOW.tzinfo)
    return {"starts_at": starts_at.isoformat(), "place": "Bureau SPIP 2", "interview_type": "follow_up"}


@contextlib.asynccontextmanager
async def assessment_world(infrastructure, dev_keys, unique_name):
    """Two cases: a person (écrou 62041) followed by cpip-1, with a validated assessment contributed to by
    psychologue-1 and assistant_social-1, a validated plan, an interview by cpip-1, a confidential one by
    psychologue-1 and an ESPACE note; another (écrou 62042) followed by cpip-2."""
    from assessment.bootstrap import create_app
    from assessment.settings import AssessmentSettings

    flows = flows_of("assessment")
    app = await served("assessment", AssessmentSettings, create_app, infrastructure, dev_keys, unique_name)
    today = NOW.date()
    as_role = lambda role, subject=None: user(dev_keys, role, subject or f"{role}-1")  # noqa: E731
    cpip, dpip = as_role("cpip"), as_role("dpip")
    async with serving(app) as api:
        opened = await flows.opened_case(api, as_role, today, "62041", referent="cpip-1")
        case, subject = opened["case_id"], opened["subject_id"]
        await flows.opened_case(api, as_role, today, "62042", referent="cpip-2")
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
            # Shared with the team, so that every full reading shows it (a psychologist's own is not:
            # services/assessment/tests/integration/test_contributions.py).
            contribution = {"domain": domain, "text": text, "shared": True}
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
        appointment = await ok(
            await api.post(f"/cases/{case}/appointments", headers=cpip, json=_appointment(today)), 201
        )
        yield World(
            api=api,
            ids={
                "case_id": case,
                "assessment_id": assessment,
                "plan_id": plan,
                "subject_id": subject,
                "appointment_id": appointment["interview_id"],
            },
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
                Scope.AUDITOR_BREAK_GLASS: {**as_role("auditeur"), **break_glass()},
                Scope.PARTNER: user(dev_keys, "partenaire", "partenaire-1", "org-1"),
                **elsewhere(
                    dev_keys,
                    {
                        Scope.REFERENT_ELSEWHERE: ("cpip", "cpip-1"),
                        Scope.DPIP_ELSEWHERE: ("dpip", "dpip-1"),
                        Scope.PSY_ASKED_ELSEWHERE: ("psychologue", "psychologue-1"),
                        Scope.IPRO_HEAD_ELSEWHERE: ("ipro_chef", "ipro_chef-1"),
                        Scope.DIRECTION_ELSEWHERE: ("direction", "direction-1"),
                        Scope.AUDITOR_ELSEWHERE: ("auditeur", "auditeur-1"),
                    },
                ),
            },
            texts={
                "CASE": case,
                "NAME": "Martin",
                "EVIDENCE": EVIDENCE,
                "PSYCHOLOGIST_TEXT": PSYCHOLOGIST_TEXT,
                "INTERVIEW_NOTES": INTERVIEW_NOTES,
                "CONFIDENTIAL_NOTES": CONFIDENTIAL_NOTES,
                "ESPACE_TEXT": ESPACE_TEXT,
                "OBJECTIVE": "Engager un suivi en addictologie",  # the plan's first (devinfra.testkit)
            },
            bodies={
                "interview": {"held_on": str(today), "interview_type": "follow_up", "notes": "Vu ce jour"},
                "appointment": _appointment(today),
                "sentence": flows.case_body(today)["sentence"],
                "contribution": {"text": "Contribution"},
                "note": {"text": "Note"},
                "transfer": {"establishment": ELSEWHERE[0], "transferred_on": str(today)},
                "case": flows.case_body(today, "62043"),
                "erasure": {"reason": "acquittal"},
                "identity": {
                    "identity": {**flows.case_body(today)["identity"], "last_name": "Durant-Rectifié"},
                    "reason": "Nom mal orthographié à l'écrou",
                },
            },
        )


# --- partners -------------------------------------------------------------------------------------------

REJECTION = "M. Haddad, intervenant pressenti, n'a pas l'agrément de la détention"


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
            contact = {
                "full_name": f"Contact {name}",
                "job_title": f"Directrice de l'association {name}",
                "email": f"contact.{name.lower()}@exemple.fr",
                "phone": f"03 21 00 00 0{n}",
            }
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
        # B's draft is rejected, with a reason naming someone (a free text auditors read masked, ADR 31).
        rejected = f"/proposals/{organisations['B'][2]}"
        await ok(await api.post(f"{rejected}/submit", headers=organisations["B"][1]))
        await ok(await api.post(f"{rejected}/start-review", headers=as_role("ipro_chef")))
        await ok(
            await api.post(f"{rejected}/reject", headers=as_role("ipro_chef"), json={"reason": REJECTION})
        )
        partner_id, headers, proposal_id, action_id = organisations["A"]
        yield World(
            api=api,
            ids={
                "partner_id": partner_id,
                "proposal_id": proposal_id,
                "proposal_b": organisations["B"][2],
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
                Scope.AUDITOR_BREAK_GLASS: {**as_role("auditeur"), **break_glass()},
            },
            texts={
                "PROJECT_A": "Projet A",
                "PROJECT_B": "Projet B",
                "CONTACT_A": "Contact A",
                "CONTACT_A_EMAIL": "contact.a@exemple.fr",
                "CONTACT_A_PHONE": "03 21 00 00 01",
                "CONTACT_A_TITLE": "Directrice de l'association A",
                "REJECTION": REJECTION,
            },
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


# --- programmes -----------------------------------------------------------------------------------------

WITHDRAWAL = "Ne souhaite plus venir depuis l'incarcération de son frère Yanis"


@contextlib.asynccontextmanager
async def programmes_world(infrastructure, dev_keys, unique_name):
    """The programmes follow-up of `flows.follow_up` (groups parcours, other and espace; referrals r1-r5, re),
    its replica fed with contract-built assessment events, as the service's own access test builds it."""
    from devinfra.testkit import Upstream
    from programmes.bootstrap import create_app
    from programmes.settings import ProgrammesSettings

    flows = flows_of("programmes")
    clock = SettableClock(NOW)
    dsn = await infrastructure.create_database(unique_name("programmes").replace("-", "_"))
    settings = service_settings(
        ProgrammesSettings,
        dsn,
        infrastructure,
        dev_keys,
        unique_name("t") + ".",
        run_relay=True,
        **NO_RATE_LIMITS,
    )
    app = create_app(settings, clock=clock)

    def as_role(role: str, subject: str | None = None) -> dict[str, str]:
        """A partner "partenaire-<n>" belongs to organisation "org-<n>" (the flows' groups name org-1)."""
        subject = subject or f"{role}-1"
        return user(
            dev_keys, role, subject, f"org-{subject.rsplit('-', 1)[1]}" if role == "partenaire" else None
        )

    async with serving(app) as api:
        people = flows.People(Upstream(settings, "assessment"), dsn, clock)
        built = await flows.follow_up(api, people, as_role, clock, later=NOW + timedelta(days=34))
        groups, referrals = built["groups"], built["referrals"]
        withdrawn = {"reason": WITHDRAWAL}  # a free text about the person, read masked by auditors (ADR 31)
        await ok(
            await api.post(f"/referrals/{referrals['r3b']}/withdraw", headers=as_role("dpip"), json=withdrawn)
        )
        yield World(
            api=api,
            ids={**groups, **referrals, "p1_case": built["cases"]["p-1"]},
            callers={
                Scope.REFERENT: as_role("cpip"),  # follows p-1, p-2 and p-4; runs parcours
                Scope.OTHER_CPIP: as_role("cpip", "cpip-2"),  # follows p-3; runs other
                Scope.DPIP: as_role("dpip"),
                Scope.FACILITATOR: as_role("psychologue"),  # runs parcours (and espace)
                Scope.NOT_FACILITATOR: as_role("psychologue", "psychologue-2"),
                Scope.SOCIAL_NOT_ASKED: as_role("assistant_social"),
                Scope.IPRO_ADVISER: as_role("ipro_conseiller"),
                Scope.IPRO_HEAD: as_role("ipro_chef"),
                Scope.DIRECTION: as_role("direction"),
                Scope.AUDITOR: as_role("auditeur"),
                Scope.AUDITOR_BREAK_GLASS: {**as_role("auditeur"), **break_glass()},
                Scope.PARTNER: as_role("partenaire"),  # runs parcours (and espace)
                Scope.OTHER_PARTNER: as_role("partenaire", "partenaire-2"),
                **elsewhere(
                    dev_keys,
                    {
                        Scope.REFERENT_ELSEWHERE: ("cpip", "cpip-1"),
                        Scope.DPIP_ELSEWHERE: ("dpip", "dpip-1"),
                        Scope.FACILITATOR_ELSEWHERE: ("psychologue", "psychologue-1"),
                        Scope.IPRO_HEAD_ELSEWHERE: ("ipro_chef", "ipro_chef-1"),
                        Scope.DIRECTION_ELSEWHERE: ("direction", "direction-1"),
                        Scope.AUDITOR_ELSEWHERE: ("auditeur", "auditeur-1"),
                    },
                ),
            },
            bodies={"group": flows.group_body("programme-parcours", NOW.date())},
            texts={
                "FAILED_RULE": "eligibility-short-sentence",
                "ESPACE_REFERRAL": referrals["re"],
                "ESPACE_GROUP": groups["espace"],
                "ESPACE_NOTES": flows.ESPACE_NOTES,
                "PARCOURS_NOTES": flows.PARCOURS_NOTES,
                "R1": referrals["r1"],
                "RULES_SHOWN": '"short_sentence": true',
                "RULES_HIDDEN": '"eligibility_hidden": true',
                "WITHDRAWAL": WITHDRAWAL,
            },
        )


# --- ipro -----------------------------------------------------------------------------------------------

READINESS_REASON = "Doit d'abord régler la garde de sa fille Inès"


@contextlib.asynccontextmanager
async def ipro_world(infrastructure, dev_keys, unique_name):
    """The IPRO follow-up of `flows.follow_up`: p1 (referent cpip-1, adviser ipro_conseiller-1) classed,
    with training t1, a goal, a leave and positioning pos1 on organisation A's action; p2 (cpip-2,
    ipro_conseiller-2) at a post, with pos2 (A) and posB (B); p3 (cpip-1) and p4 (cpip-2) without adviser."""
    from devinfra.testkit import Upstream
    from ipro.bootstrap import create_app
    from ipro.settings import IproSettings

    flows = flows_of("ipro")
    clock = SettableClock(flows.NOW)
    dsn = await infrastructure.create_database(unique_name("ipro").replace("-", "_"))
    settings = service_settings(
        IproSettings, dsn, infrastructure, dev_keys, unique_name("t") + ".", **NO_RATE_LIMITS
    )
    as_role = lambda role, subject=None, *, organisation_id=None: user(  # noqa: E731
        dev_keys, role, subject or f"{role}-1", organisation_id
    )
    async with serving(create_app(settings, clock=clock)) as api:
        residents = flows.Residents(Upstream(settings, "assessment", role="dpip"), dsn, clock)
        catalogue = flows.Catalogue(Upstream(settings, "partners", role="ipro_chef"), dsn, clock)
        built = await flows.follow_up(api, residents, catalogue, as_role)
        readiness = {"status": "support_needed", "reason": READINESS_REASON}  # masked for auditors (ADR 31)
        await ok(
            await api.post(
                f"/pathways/{built['pathways']['p1']}/readiness",
                headers=as_role("ipro_conseiller"),
                json=readiness,
            )
        )
        organisation = {name: action["partner_id"] for name, action in built["actions"].items()}
        yield World(
            api=api,
            ids={**built["pathways"], **built["trainings"], **built["positionings"]},
            callers={
                Scope.REFERENT: as_role("cpip"),
                Scope.OTHER_CPIP: as_role("cpip", "cpip-2"),
                Scope.DPIP: as_role("dpip"),
                Scope.PSY_NOT_ASKED: as_role("psychologue"),
                Scope.IPRO_ADVISER: as_role("ipro_conseiller"),
                Scope.OTHER_ADVISER: as_role("ipro_conseiller", "ipro_conseiller-2"),
                Scope.IPRO_HEAD: as_role("ipro_chef"),
                Scope.RIPRO: as_role("ripro"),
                Scope.DIRECTION: as_role("direction"),
                Scope.AUDITOR: as_role("auditeur"),
                Scope.AUDITOR_BREAK_GLASS: {**as_role("auditeur"), **break_glass()},
                Scope.PARTNER: as_role("partenaire", "partenaire-A", organisation_id=organisation["A"]),
                Scope.OTHER_PARTNER: as_role("partenaire", "partenaire-B", organisation_id=organisation["B"]),
                Scope.PARTNER_WITHOUT_ORGANISATION: as_role("partenaire", "partenaire-none"),
                **elsewhere(
                    dev_keys,
                    {
                        Scope.REFERENT_ELSEWHERE: ("cpip", "cpip-1"),
                        Scope.DPIP_ELSEWHERE: ("dpip", "dpip-1"),
                        Scope.ADVISER_ELSEWHERE: ("ipro_conseiller", "ipro_conseiller-1"),
                        Scope.IPRO_HEAD_ELSEWHERE: ("ipro_chef", "ipro_chef-1"),
                        Scope.DIRECTION_ELSEWHERE: ("direction", "direction-1"),
                        Scope.AUDITOR_ELSEWHERE: ("auditeur", "auditeur-1"),
                    },
                ),
            },
            texts={
                "DUPONT": "Dupont",
                "P1": built["pathways"]["p1"],
                "P2": built["pathways"]["p2"],
                "P2_SUBJECT": '"subject_id": "p2"',
                "ARRAS": "InSERRE Arras",
                "READINESS_REASON": READINESS_REASON,
            },
            bodies={
                "goal": {
                    "description": "Passer le CACES",
                    "steps": [{"step_id": "s1", "description": "Test"}],
                }
            },
        )


# --- projections: the person file ------------------------------------------------------------------------


def services_package() -> ModuleType:
    """The repository's `services` package, whose test histories import each other by absolute name."""
    import sys

    if "services" not in sys.modules:
        init = SERVICES / "__init__.py"
        spec = importlib.util.spec_from_file_location(
            "services", init, submodule_search_locations=[str(SERVICES)]
        )
        sys.modules["services"] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules["services"]


@contextlib.asynccontextmanager
async def projections_world(infrastructure, dev_keys, unique_name):
    """The person file of Marie Lefèvre (person-1: referent cpip-durand, psy-1 asked to contribute, adviser
    cip-leroy, offence category violence) beside Karim Benali's (person-2), ingested as the consumers would;
    and the schedule their programme group and positionings make (the movement list's rows), the work
    queues' facts, the log as published (the auditors' `/audit/streams`, `/audit/subjects`), the
    indicators' facts, and one consultation in the journal."""
    import importlib

    from contracts import parse_payload
    from kernel.database import create_pool, migrate
    from kernel.journal import JournalEntry
    from projections.access_journal import store as journal
    from projections.audit_log import ingest as audit_log
    from projections.bootstrap import DEFINITION, create_app
    from projections.indicators import ingest as indicators
    from projections.person_file import ingest
    from projections.queues import ingest as queues
    from projections.schedule import ingest as schedule
    from projections.settings import ProjectionsSettings

    services_package()
    history = importlib.import_module("services.projections.tests.person_history").two_people()
    dsn = await infrastructure.create_database(unique_name("projections").replace("-", "_"))
    await migrate(dsn, DEFINITION.migrations)
    pool = await create_pool(dsn)
    try:
        for envelope in history.envelopes:
            event = parse_payload(envelope.event_type, envelope.schema_version, envelope.payload)
            async with pool.acquire() as connection, connection.transaction():
                await ingest.apply(connection, envelope, event)
                await schedule.apply(connection, envelope, event)
                await queues.apply(connection, envelope, event)
                await audit_log.apply(connection, envelope, event)
                await indicators.apply(connection, envelope, event)
        async with pool.acquire() as connection:  # the DPIP's read of Marie's file, in the journal
            await journal.add(
                connection,
                [
                    JournalEntry(
                        entry_id=uuid.uuid4(),
                        recorded_at=datetime(2031, 3, 9, 9, 0, tzinfo=ZoneInfo("UTC")),
                        service="projections",
                        method="GET",
                        route="/persons/{subject_id}/file",
                        status=200,
                        user="dpip-1",
                        role="dpip",
                        subject_ids=["person-1"],
                        subjects_count=1,
                    )
                ],
            )
    finally:
        await pool.close()
    settings = ProjectionsSettings(
        database_url=dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,
        run_consumers=False,
        **NO_RATE_LIMITS,
    )
    later = datetime(2031, 3, 10, 9, 0, tzinfo=ZoneInfo("UTC"))  # after the whole history
    async with serving(create_app(settings, clock=lambda: later)) as api:
        yield World(
            api=api,
            ids={"person": "person-1", "unknown": "person-9"},
            callers={
                Scope.REFERENT: user(dev_keys, "cpip", "cpip-durand"),
                Scope.OTHER_CPIP: user(dev_keys, "cpip", "cpip-autre"),
                Scope.DPIP: user(dev_keys, "dpip", "dpip-1"),
                Scope.PSY_ASKED: user(dev_keys, "psychologue", "psy-1"),
                Scope.PSY_NOT_ASKED: user(dev_keys, "psychologue", "psy-2"),
                Scope.SOCIAL_NOT_ASKED: user(dev_keys, "assistant_social", "as-1"),
                Scope.IPRO_ADVISER: user(dev_keys, "ipro_conseiller", "cip-leroy"),
                Scope.IPRO_HEAD: user(dev_keys, "ipro_chef", "ipro-chef-1"),
                Scope.RIPRO: user(dev_keys, "ripro", "ripro-1"),
                Scope.DIRECTION: user(dev_keys, "direction", "direction-1"),
                Scope.AUDITOR: user(dev_keys, "auditeur", "auditeur-1"),
                Scope.AUDITOR_BREAK_GLASS: {**user(dev_keys, "auditeur", "auditeur-1"), **break_glass()},
                Scope.PARTNER: user(dev_keys, "partenaire", "partner-user", "partner-1"),
                **elsewhere(
                    dev_keys,
                    {
                        Scope.REFERENT_ELSEWHERE: ("cpip", "cpip-durand"),
                        Scope.DPIP_ELSEWHERE: ("dpip", "dpip-1"),
                        Scope.PSY_ASKED_ELSEWHERE: ("psychologue", "psy-1"),
                        Scope.ADVISER_ELSEWHERE: ("ipro_conseiller", "cip-leroy"),
                        Scope.IPRO_HEAD_ELSEWHERE: ("ipro_chef", "ipro-chef-1"),
                        Scope.DIRECTION_ELSEWHERE: ("direction", "direction-1"),
                        Scope.AUDITOR_ELSEWHERE: ("auditeur", "auditeur-1"),
                    },
                ),
            },
            texts={"LEFEVRE": "Lefèvre", "BENALI": "Benali", "OTHER_PERSON": "person-2", "ECROU": "A12345"},
        )


# --- one test per row -----------------------------------------------------------------------------------


def holds(body, path: str) -> bool:
    """Whether the answer holds something at this dotted path: absent, null and empty hold nothing."""
    for part in path.split("."):
        if not isinstance(body, dict) or part not in body:
            return False
        body = body[part]
    return body not in (None, "", [], {})


BUILDERS = {
    "assessment": assessment_world,
    "partners": partners_world,
    "programmes": programmes_world,
    "ipro": ipro_world,
    "projections": projections_world,
}


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
    assert [path for path in row.present if not holds(answer, path)] == [], answer
    assert [path for path in row.absent if holds(answer, path)] == [], answer
    text = json.dumps(answer, ensure_ascii=False)
    for name in row.shows:
        assert world.texts[name] in text, name
    for name in row.hides:
        assert world.texts[name] not in text, name
    if row.items is not None:
        assert len(answer["items"]) == row.items == answer["total"], answer


def test_every_row_is_unique_and_every_service_has_a_world():
    ids = [row.id for row in MATRIX]
    assert len(ids) == len(set(ids))
    assert {row.service for row in MATRIX} == set(BUILDERS)


def test_every_row_names_a_route_its_service_serves(dev_keys):
    """A renamed or removed route fails here, not as a silent 404 row."""
    import re

    from fastapi.routing import APIRoute

    from .test_route_policies import FACTORIES

    for service in {row.service for row in MATRIX}:
        factory, settings = FACTORIES[service]
        app = factory(
            settings(
                database_url="postgresql://unused/unused",
                auth_jwks_file=dev_keys.jwks_path,
                subject_id_secret=subject_ids.TEST_SECRET,
            )
        )
        routes = [route for route in app.routes if isinstance(route, APIRoute)]
        for row in (row for row in MATRIX if row.service == service):
            url = re.sub(r"\{[^}]+\}", "x-1", row.route).split("?")[0]
            assert any(r.path_regex.match(url) and row.method in r.methods for r in routes), row.id
