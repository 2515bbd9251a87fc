"""The consolidated person file end to end (issue 14): the four domain services, each its real app with its
relay, and the projections service reading their topics. A person is followed by the SPIP, referred to a
programme group, gets an IPRO pathway and a place on a partner's action; the file gathers it all, as of any
instant equals an independent fold of the raw events read from Kafka, and each role reads its part."""

import re
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from aiokafka import AIOKafkaConsumer

from assessment.bootstrap import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from devinfra.testkit import (
    assert_refused,
    followed_with_a_plan,
    ok,
    pseudonym_of,
    service_settings,
    serving,
    wait_for,
)
from ipro.bootstrap import create_app as create_ipro_app
from ipro.settings import IproSettings
from kernel import kafka
from kernel.clock import LOCAL_TIME_ZONE, local_date
from partners.bootstrap import create_app as create_partners_app
from partners.settings import PartnersSettings
from programmes.bootstrap import create_app as create_programmes_app
from programmes.settings import ProgrammesSettings
from projections.bootstrap import create_app as create_projections_app
from projections.settings import ProjectionsSettings
from tests.e2e.test_assessment_to_programmes import referred_and_enrolled
from tests.e2e.test_partners_to_ipro import published_action

pytestmark = pytest.mark.integration

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
async def system(new_database, infrastructure, dev_keys, topic_prefix, clock):
    """The five services on their own databases, sharing fresh topics and one clock."""
    settings = {
        name: service_settings(
            cls, await new_database(name), infrastructure, dev_keys, topic_prefix, run_relay=True
        )
        for name, cls in (
            ("assessment", AssessmentSettings),
            ("programmes", ProgrammesSettings),
            ("ipro", IproSettings),
            ("partners", PartnersSettings),
            ("projections", ProjectionsSettings),
        )
    }
    async with (
        serving(create_assessment_app(settings["assessment"], clock=clock)) as assessment,
        serving(create_programmes_app(settings["programmes"], clock=clock)) as programmes,
        serving(create_ipro_app(settings["ipro"], clock=clock)) as ipro,
        serving(create_partners_app(settings["partners"], clock=clock)) as partners,
        serving(create_projections_app(settings["projections"], clock=clock)) as projections,
    ):
        yield {
            "assessment": assessment,
            "programmes": programmes,
            "ipro": ipro,
            "partners": partners,
            "projections": projections,
            "settings": settings["projections"],
        }


async def file_of(projections, person: str, headers, *, purpose: str = "", **params) -> dict:
    headers = {**headers, "Purpose": quote(purpose)} if purpose else headers  # headers are ASCII
    return await ok(await projections.get(f"/persons/{person}/file", headers=headers, params=params))


async def test_the_file_gathers_four_services_as_of_any_instant_for_each_role(system, as_role, clock):
    assessment, programmes, ipro = system["assessment"], system["programmes"], system["ipro"]
    partners, projections = system["partners"], system["projections"]
    cpip, dpip, chef = as_role("cpip"), as_role("dpip"), as_role("ipro_chef")
    today = local_date(clock())

    # 1. The SPIP: a case, a validated assessment, a plan; IPRO opens the pathway on its own.
    case_id, plan_id, person = await followed_with_a_plan(assessment, as_role, today)
    pathway = f"/pathways/pathway-{case_id}"
    await wait_for(
        lambda: _found(ipro, pathway, chef), timeout=30, message="the pathway opened from the case"
    )
    after_the_spip = clock()
    clock.advance(hours=1)

    # 2. Programmes: referred, consenting, enrolled in a group starting next week.
    referral = await referred_and_enrolled(programmes, as_role, case_id, plan_id, today)
    after_programmes = clock()
    clock.advance(hours=1)

    # 3. A partner's action, a place on it for the person, confirmed by the organisation.
    starts_at = datetime.combine(today + timedelta(days=14), datetime.min.time(), tzinfo=LOCAL_TIME_ZONE)
    partner_id, action_id, session_id = await published_action(
        partners, as_role, today, starts_at.replace(hour=10)
    )
    positioning = await wait_for(
        lambda: _positioned(ipro, pathway, chef, action_id, session_id),
        timeout=30,
        message="the action in IPRO's catalogue, and a place on it",
    )
    await ok(
        await ipro.post(
            f"/positionings/{positioning['positioning_id']}/confirm",
            headers=as_role("partenaire", organisation_id=partner_id),
        )
    )
    clock.advance(hours=1)

    async def everything_in_the_file():
        response = await projections.get(f"/persons/{person}/file", headers=dpip)
        return response.json() if response.status_code == 200 and _caught_up(response.json()) else None

    await wait_for(
        everything_in_the_file,
        timeout=60,
        message="the confirmed place, the enrolment and what the file joins to them",
    )

    # The whole file, as the referent CPIP reads it.
    file = await file_of(projections, person, cpip, purpose="synthèse avant CAP")
    assert file["identity"] == {
        "last_name": "Martin",
        "first_names": "Lucas",
        "birth_date": "1994-03-12",
        "ecrou_number": "62041",
    }
    case = file["case"]
    assert (case["case_id"], case["establishment"], case["referent"], case["status"]) == (
        case_id,
        "InSERRE Arras",
        "cpip-1",
        "open",
    )
    assert case["sentence"]["offence_categories"] == ["theft"]
    assert (file["assessment"]["overall_risk_level"], file["assessment"]["priority_axes"]) == (
        "moderate",
        ["alcohol_drugs", "education_employment"],
    )
    assert file["assessment_in_progress"] is None
    plan = file["plan"]
    assert plan["plan_id"] == plan_id and [o["objective_id"] for o in plan["objectives"]] == [
        "obj-1",
        "obj-2",
    ]
    first, second = plan["objectives"]
    assert [(a["kind"], a["ref_id"]) for a in first["actions"]] == [("referral", referral)]
    assert [a["kind"] for a in second["actions"]] == ["positioning"]
    (programme,) = file["programmes"]
    assert (programme["referral_id"], programme["status"], programme["room"]) == (
        referral,
        "enrolled",
        "Salle 1",
    )
    assert programme["programme_name"] and programme["consent"] is True
    ipro_part = file["ipro"]
    assert ipro_part["pathway_id"] == f"pathway-{case_id}"
    (place,) = ipro_part["positionings"]
    assert (place["action_title"], place["partner_name"], place["status"]) == (
        "Job dating logistique",
        "Association Emploi Artois",
        "confirmed",
    )
    assert {"programme_session", "partner_session"} <= {u["kind"] for u in file["upcoming"]}
    assert {"plan_review", "ipro_synthesis", "sentence_end"} <= {d["kind"] for d in file["due"]}
    services = {entry["service"] for entry in file["timeline"]}
    assert services == {"assessment", "programmes", "ipro"}
    for entry in file["timeline"]:
        assert not UUID.search(entry["sentence"]), entry  # things are named as users know them
    assert all(entry["actor_id"] for entry in file["timeline"])  # a SPIP reading names who did what

    # As of three instants: what an independent fold of the raw events from Kafka says.
    raw = await _raw_events(system["settings"])
    for instant in (after_the_spip, after_programmes, clock()):
        as_of = await file_of(projections, person, dpip, as_of=instant.isoformat())
        assert _summary(as_of) == _independent_fold(raw, case_id, until=instant), instant
    assert (
        _summary(await file_of(projections, person, dpip, as_of=after_the_spip.isoformat()))["programmes"]
        == {}
    )

    # Each role its part.
    for reader in (as_role("ipro_conseiller"), as_role("direction")):
        part = await file_of(projections, person, reader)
        assert part["case"]["sentence"]["offence_categories"] == []
        assert part["programmes"] == [] and part["plan"]["objectives"][0]["objective_id"] == "obj-2"
        assert {e["part"] for e in part["timeline"]} <= {"identity", "ipro"}
        assert not any(e["actor_id"] for e in part["timeline"])
        assert part["ipro"]["positionings"][0]["status"] == "confirmed"
    audit = await file_of(projections, person, as_role("auditeur"))
    # Under the pseudonym the assessment service gives the same person (ADR 31): one per deployment.
    audited_case = await ok(await assessment.get(f"/cases/{case_id}", headers=as_role("auditeur")))
    assert audit["identity"]["last_name"] == audited_case["identity"]["last_name"] == pseudonym_of(person)
    assert "Martin" not in str(audit) and "Martin" not in str(audited_case)
    assert all(not e["actor_id"] or e["actor_id"].startswith("acteur-") for e in audit["timeline"])
    url = f"/persons/{person}/file"
    assert_refused(await projections.get(url, headers=as_role("cpip", "cpip-2")), 403, "not-on-caseload")
    assert_refused(await projections.get(url, headers=as_role("psychologue")), 403, "not-on-caseload")
    assert_refused(
        await projections.get(url, headers=as_role("partenaire", organisation_id=partner_id)),
        403,
        "role-not-allowed",
    )
    assert_refused(await projections.get("/persons/nobody/file", headers=dpip), 404, "person-not-found")

    # Every read was recorded, with its reader, role and purpose.
    history = await ok(await projections.get(f"/persons/{person}/consultations", headers=dpip))
    readers = [(c["reader"], c["role"]) for c in history["items"]]
    assert ("cpip-1", "cpip") in readers and ("auditeur-1", "auditeur") in readers
    assert ("cpip-2", "cpip") not in readers  # a refused read shows nothing, so records nothing
    assert "synthèse avant CAP" in {c["purpose"] for c in history["items"]}
    assert_refused(
        await projections.get(f"/persons/{person}/consultations", headers=cpip), 403, "role-not-allowed"
    )

    # Found by name; a front-end polls for changes.
    found = await ok(await projections.get("/persons", headers=chef, params={"q": "martin 620"}))
    assert [p["subject_id"] for p in found["items"]] == [person]
    changes = await ok(await projections.get(f"/persons/{person}/file/changes", headers=cpip))
    again = await ok(
        await projections.get(
            f"/persons/{person}/file/changes", headers=cpip, params={"since": changes["cursor"]}
        )
    )
    assert changes["changed"] and not again["changed"] and again["cursor"] == changes["cursor"]


# --- the steps ---


def _caught_up(file: dict) -> bool:
    """Every stream the test reads the file for is folded. Each reaches the file on its own topic and
    partition, in any order: the confirmed place and the enrolment, and what the file joins to them from other
    streams (the action's title and the partner's name, the group's room, the programme's name), beside the
    SPIP's part (its offences travel on the restricted topic)."""
    places = (file.get("ipro") or {}).get("positionings") or []
    enrolled = [p for p in file.get("programmes") or [] if p["status"] == "enrolled"]
    case = file.get("case") or {}
    return bool(
        places
        and places[0]["status"] == "confirmed"
        and places[0]["action_title"]
        and places[0]["partner_name"]
        and enrolled
        and enrolled[0]["room"]
        and enrolled[0]["programme_name"]
        and file.get("identity")
        and case.get("referent")
        and case["sentence"]["offence_categories"]
        and file.get("assessment")
        and file.get("plan")
    )


async def _found(api, url: str, headers) -> bool:
    return (await api.get(url, headers=headers)).status_code == 200


async def _positioned(ipro, pathway: str, headers, action_id: str, session_id: str) -> dict | None:
    response = await ipro.post(
        f"{pathway}/positionings", headers=headers, json={"action_id": action_id, "session_id": session_id}
    )
    return response.json() if response.status_code == 201 else None


# --- the independent fold ---


async def _raw_events(settings: ProjectionsSettings) -> list:
    """Every envelope of the four topics, read from the broker from offset 0 to their ends."""
    topics = [settings.topic(f"{s}.events") for s in ("assessment", "programmes", "ipro", "partners")]
    bootstrap = settings.kafka_bootstrap_servers
    # The topics exist: this only describes them, for their partitions.
    partitions = await kafka.ensure_topics(bootstrap, topics, settings.topic_policy())
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        envelopes = []
        for partition in partitions:
            while await consumer.position(partition) < ends[partition]:
                batch = await consumer.getmany(partition, timeout_ms=1000)
                envelopes += [kafka.decode(r.value) for records in batch.values() for r in records]
        return envelopes
    finally:
        await consumer.stop()


def _summary(file: dict) -> dict:
    """What the independent fold computes, read off the service's file."""
    return {
        "referent": (file["case"] or {}).get("referent"),
        "risk": (file["assessment"] or {}).get("overall_risk_level"),
        "objectives": [o["objective_id"] for o in (file["plan"] or {}).get("objectives", [])],
        "programmes": {p["referral_id"]: p["status"] for p in file["programmes"]},
        "pathway": (file["ipro"] or {}).get("pathway_id"),
        "positionings": {
            p["positioning_id"]: p["status"] for p in (file["ipro"] or {}).get("positionings", [])
        },
    }


_REFERRAL_STATUS = {
    "programmes.referral.requested": "requested",
    "programmes.referral.found_eligible": "eligible",
    "programmes.referral.waitlisted": "waitlisted",
    "programmes.referral.enrolled": "enrolled",
    "programmes.referral.participation_started": "participating",
}
_POSITIONING_STATUS = {"ipro.positioning.proposed": "proposed", "ipro.positioning.confirmed": "confirmed"}


def _independent_fold(envelopes: list, case_id: str, *, until: datetime) -> dict:
    """The same facts, folded here from the raw envelopes by their ids, without the service's code."""
    summary = {
        "referent": None,
        "risk": None,
        "objectives": [],
        "programmes": {},
        "pathway": None,
        "positionings": {},
    }
    assessments, referrals, positionings = set(), set(), set()
    for envelope in sorted(envelopes, key=lambda e: (e.occurred_at, e.service, e.position)):
        if envelope.occurred_at > until:
            continue
        kind, p = envelope.event_type, envelope.payload
        if kind == "assessment.case.referent_assigned" and p["case_id"] == case_id:
            summary["referent"] = p["referent"]
        elif kind == "assessment.assessment.started" and p["case_id"] == case_id:
            assessments.add(p["assessment_id"])
        elif kind == "assessment.assessment.validated" and p["assessment_id"] in assessments:
            summary["risk"] = p["overall_risk_level"]
        elif kind == "assessment.plan.adopted" and p["case_id"] == case_id:
            summary["objectives"] = [o["objective_id"] for o in p["objectives"]]
        elif kind == "programmes.referral.requested" and p["case_id"] == case_id:
            referrals.add(p["referral_id"])
        elif kind == "ipro.pathway.opened" and p["case_id"] == case_id:
            summary["pathway"] = p["pathway_id"]
        elif kind == "ipro.positioning.proposed" and p["pathway_id"] == summary["pathway"]:
            positionings.add(p["positioning_id"])
        if kind in _REFERRAL_STATUS and p["referral_id"] in referrals:
            summary["programmes"][p["referral_id"]] = _REFERRAL_STATUS[kind]
        if kind in _POSITIONING_STATUS and p["positioning_id"] in positionings:
            summary["positionings"][p["positioning_id"]] = _POSITIONING_STATUS[kind]
    return summary
