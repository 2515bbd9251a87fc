"""The erasure scan (issue 17 #2, acceptance): a person followed by the SPIP, referred to a programme, with an
IPRO pathway and a person file, is erased by a DPIP after an acquittal. Once every service has acted on
`assessment.subject.erased`, none of their personal values is left anywhere: in any table of the five service
databases and the keyring, in any record of any topic of the run, or in any view's answer about them."""

from __future__ import annotations

import json
import os
import unicodedata
from datetime import datetime, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer

from assessment.bootstrap import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from devinfra.testkit import (
    assert_refused,
    followed_with_a_plan,
    ok,
    query_value,
    service_settings,
    serving,
    wait_for,
)
from ipro.bootstrap import create_app as create_ipro_app
from ipro.settings import IproSettings
from kernel import kafka
from kernel.clock import local_date
from kernel.sealing import ERASED_TEXT
from partners.bootstrap import create_app as create_partners_app
from partners.settings import PartnersSettings
from programmes.bootstrap import create_app as create_programmes_app
from programmes.settings import ProgrammesSettings
from projections.bootstrap import create_app as create_projections_app
from projections.settings import ProjectionsSettings
from tests.e2e.test_assessment_to_programmes import referred_and_enrolled

pytestmark = pytest.mark.integration

IDENTITY = {
    "last_name": "Quintavalle",
    "first_names": "Zéphyrine Ondine",
    "birth_date": "1983-02-17",
    "ecrou_number": "Z8Q4417",
}
NOTES = "Evoque son frere Anselme Quintavalle"  # interview notes: personal too
# The plan `followed_with_a_plan` adopts: an objective and an intervention that say what the person is treated for.
PLAN_TEXTS = ("Engager un suivi en addictologie", "Groupe de parole addictions")
DROP_OUT = "Abandonne apres les menaces de Casimir"  # why they left the programme: the referral's end reason
# Why they missed their group's first session: a mark of the group's event, sealed with their own key.
ABSENCE = "Convoquee au tribunal pour l'affaire Theodule"
# What IPRO's advisers, the governor and the CPU write about the person (issue 17): sealed, erased with the rest.
IPRO_TEXTS = {
    "readiness": "Hesite depuis la rupture Ysaline",
    "goal": "Devenir ebeniste comme Wolfgang",
    "step": "Visiter l'atelier Tiburce",
    "purpose": "Stage chez Evariste Boulangeries",
    "refusal": "Risque de fuite vers Octave",
    "exit": "CDD promis par Leontine Services",
    "opinion": "Avis reserve, dettes Philomene",
    "classement": "Incidents avec Barnabe en detention",
    "dropped_out": "Conflit avec le formateur Hippolyte",
    "qualifications": "CAP Marqueterie Ignace",
}
SERVICES = {
    "assessment": (AssessmentSettings, create_assessment_app),
    "programmes": (ProgrammesSettings, create_programmes_app),
    "ipro": (IproSettings, create_ipro_app),
    "partners": (PartnersSettings, create_partners_app),
    "projections": (ProjectionsSettings, create_projections_app),
}


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Each value as stored, searched for (accents removed, any case), in JSON's \u escapes and as days are written.
NEEDLES = sorted(
    {
        _folded(v)
        for v in (
            *IDENTITY.values(),
            *IDENTITY["first_names"].split(),
            NOTES,
            *PLAN_TEXTS,
            DROP_OUT,
            ABSENCE,
            *IPRO_TEXTS.values(),
        )
    }
    | {"zephyrine", "z\\u00e9phyrine", "17/02/1983", "17 fevrier 1983", "17 february 1983"}
)


def _firsts() -> list[str]:
    return [_folded(name) for name in (IDENTITY["first_names"], *IDENTITY["first_names"].split())]


def found_in(data: bytes | str) -> list[str]:
    text = _folded(data.decode("utf-8", "replace") if isinstance(data, bytes) else data)
    return [needle for needle in NEEDLES if needle in text]


@pytest.fixture
async def system(new_database, infrastructure, dev_keys, topic_prefix, clock, isolated_keyring):
    """The five services on their own databases and fresh topics, with their relays, consumers and loops; on a
    keyring of their own, since the person is erased and their écrou number gives the same id each run."""
    settings = {
        name: service_settings(
            cls, await new_database(name), infrastructure, dev_keys, topic_prefix, run_relay=True
        )
        for name, (cls, _) in SERVICES.items()
    }
    apps = {name: create(settings[name], clock=clock) for name, (_, create) in SERVICES.items()}
    async with (
        serving(apps["assessment"]) as assessment,
        serving(apps["programmes"]) as programmes,
        serving(apps["ipro"]) as ipro,
        serving(apps["partners"]),
        serving(apps["projections"]) as projections,
    ):
        yield {
            "assessment": assessment,
            "programmes": programmes,
            "ipro": ipro,
            "projections": projections,
            "settings": settings,
        }


async def absent_with_a_reason(programmes, dpip: dict, clock, referral_id: str) -> None:
    """Their group started (below its minimum, by a DPIP) and their absence from its first session excused with
    `ABSENCE`: the clock at that session for the record, then back where it was."""
    group_id = (await ok(await programmes.get(f"/referrals/{referral_id}", headers=dpip)))["group_id"]
    started = await ok(
        await programmes.post(
            f"/groups/{group_id}/start", headers=dpip, json={"below_minimum_reason": "Groupe pilote"}
        )
    )
    first = min((s["session"] for s in started["sessions"]), key=lambda session: session["starts_at"])
    was = clock.now
    clock.now = datetime.fromisoformat(first["starts_at"]) + timedelta(minutes=30)
    try:
        mark = {"referral_id": referral_id, "mark": "absent_excused", "reason": ABSENCE}
        url = f"/groups/{group_id}/sessions/{first['session_id']}/attendance"
        await ok(await programmes.post(url, headers=dpip, json={"marks": [mark]}))
    finally:
        clock.now = was


async def test_an_erased_person_leaves_no_personal_value_in_any_table_topic_or_view(
    system, as_role, clock, unique_name, topic_prefix
):
    assessment, programmes, ipro, projections = (
        system[s] for s in ("assessment", "programmes", "ipro", "projections")
    )
    settings = system["settings"]
    cpip, dpip, chef = as_role("cpip"), as_role("dpip"), as_role("ipro_chef")
    today = local_date(clock())

    # Followed by the SPIP, with an interview, a validated assessment and a plan.
    case_id, plan_id, subject = await followed_with_a_plan(
        assessment, as_role, today, identity=IDENTITY, headers={"Idempotency-Key": unique_name("open")}
    )
    await ok(
        await assessment.post(
            f"/cases/{case_id}/interviews",
            headers=cpip,
            json={"held_on": str(today), "interview_type": "follow_up", "notes": NOTES},
        ),
        201,
    )
    # Referred to a programme group; an IPRO pathway opened from the case; the person file read.
    referral_id = await referred_and_enrolled(programmes, as_role, case_id, plan_id, today)
    await absent_with_a_reason(programmes, dpip, clock, referral_id)
    await ok(
        await programmes.post(f"/referrals/{referral_id}/drop-out", headers=cpip, json={"reason": DROP_OUT})
    )
    pathway = f"/pathways/pathway-{case_id}"
    await wait_for(lambda: _answered(ipro, pathway, chef), timeout=30, message="the IPRO pathway")
    await ipro_texts_written(ipro, pathway, as_role, today)
    history = await ok(await ipro.get(f"{pathway}/history", headers=chef))
    assert [t for t in IPRO_TEXTS.values() if t not in json.dumps(history)] == []  # IPRO reads them in clear

    async def leave_purpose():  # the schedule keeps it for the movement list
        return await query_value(
            settings["projections"].database_url, "SELECT string_agg(purpose, '') FROM schedule_leaves"
        )

    await wait_for(
        lambda: _when(leave_purpose, IPRO_TEXTS["purpose"]), timeout=30, message="the schedule's leave"
    )

    async def file_with_identity():  # and the absence's reason, which it shows in clear until the erasure
        file = await _answered(projections, f"/persons/{subject}/file", dpip)
        return file if file and file["identity"] and ABSENCE in json.dumps(file, ensure_ascii=False) else None

    file = await wait_for(
        file_with_identity, timeout=30, message="the person file, the absence's reason in it"
    )
    assert file["identity"] == IDENTITY
    # The scan finds what is there: before the erasure, the replicas hold the name in clear.
    before = await scan_database(settings["programmes"].database_url)
    assert before["followed_cases"] == sorted({_folded(IDENTITY["last_name"]), "z8q4417"} | set(_firsts()))

    # Acquitted: the case closes at the release, a litigation hold first blocks the erasure.
    await ok(
        await assessment.post(
            f"/cases/{case_id}/close", headers=cpip, json={"reason": "release", "closed_on": str(today)}
        )
    )
    erasure = f"/subjects/{subject}/erasure"
    await ok(
        await assessment.post(f"/cases/{case_id}/hold", headers=dpip, json={"reason": "appel du parquet"}),
        201,
    )
    assert_refused(
        await assessment.post(erasure, headers=dpip, json={"reason": "acquittal"}), 422, "erasure-on-hold"
    )
    await ok(await assessment.delete(f"/cases/{case_id}/hold", headers=dpip))
    await ok(await assessment.post(erasure, headers=dpip, json={"reason": "acquittal"}), 201)
    assert_refused(
        await assessment.post(erasure, headers=dpip, json={"reason": "court_order"}),
        409,
        "subject-already-erased",
    )

    # Every service has acted on the erasure (their views say so).
    async def key_destroyed():
        return (await ok(await assessment.get(erasure, headers=dpip)))["key_destroyed_at"]

    async def replica_blanked(service: str):
        name = await query_value(
            settings[service].database_url, "SELECT last_name FROM followed_cases WHERE case_id = $1", case_id
        )
        return name == ERASED_TEXT

    async def file_blanked():
        return (await _answered(projections, f"/persons/{subject}/file", dpip))["identity"]["last_name"] == (
            ERASED_TEXT
        )

    await wait_for(key_destroyed, timeout=10, message="the key destroyed")
    await wait_for(lambda: replica_blanked("programmes"), timeout=30, message="the programmes replica")
    await wait_for(lambda: replica_blanked("ipro"), timeout=30, message="the IPRO replica")
    await wait_for(file_blanked, timeout=30, message="the person file")
    await wait_for(lambda: _when(leave_purpose, ERASED_TEXT), timeout=30, message="the schedule's leave")

    # IPRO reads its free texts about them as erased: a goal and its step, the leave's purpose, the profile.
    # Its keyring learns of the destroyed key by a notification and drops it from a short cache: waited for.
    async def ipro_reads_erased():
        history = await ok(await ipro.get(f"{pathway}/history", headers=chef))
        read = {e["event_type"]: e["payload"] for e in history}
        return read if read["ipro.pathway.goal_set"]["description"] == ERASED_TEXT else None

    erased = await wait_for(ipro_reads_erased, timeout=10, message="IPRO's history read as erased")
    goal, leave = erased["ipro.pathway.goal_set"], erased["ipro.pathway.leave_requested"]
    assert (goal["description"], goal["steps"][0]["description"], leave["purpose"]) == (ERASED_TEXT,) * 3
    assert erased["ipro.pathway.profile_recorded"]["profile"]["qualifications"] == []

    # Every view's answer about them.
    views = [
        (assessment, f"/cases/{case_id}", dpip),
        (assessment, "/cases?include_closed=true&referent=cpip-1", dpip),
        (assessment, f"/cases/{case_id}/interviews", dpip),
        (programmes, f"/referrals/{referral_id}", dpip),
        (programmes, "/referrals", dpip),
        (ipro, pathway, chef),
        (ipro, f"{pathway}/history", chef),
        (ipro, "/pathways", chef),
        (projections, f"/persons/{subject}/file", dpip),
        (projections, f"/persons/{subject}/file.html", dpip),
        (projections, "/persons?q=quintavalle", dpip),
        (projections, "/persons?q=Z8Q4417", dpip),
    ]
    answers = {}
    for client, path, headers in views:
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text)
        answers[path] = found_in(response.content)
    assert answers == {path: [] for path in answers}

    # Every table of every database, the keyring's too.
    databases = {name: s.database_url for name, s in settings.items()}
    databases["keyring"] = os.environ["KEYRING_DATABASE_URL"]
    in_tables = {}
    for name, dsn in databases.items():
        for table, found in (await scan_database(dsn)).items():
            in_tables[f"{name}.{table}"] = found
    assert {table: found for table, found in in_tables.items() if found} == {}
    assert "assessment.events" in in_tables and "keyring.subject_keys" in in_tables  # the scan saw them

    # Every record of every topic of the run, from offset 0.
    in_topics = await scan_topics(settings["assessment"].kafka_bootstrap_servers, topic_prefix)
    assert {topic: found for topic, found in in_topics.items() if found} == {}
    assert settings["assessment"].topic("assessment.events") in in_topics


async def ipro_texts_written(ipro, pathway: str, as_role, today) -> None:
    """Every kind of free text IPRO writes about a person, through its API (`IPRO_TEXTS`)."""
    chef, adviser, governor = as_role("ipro_chef"), as_role("ipro_conseiller"), as_role("direction")
    texts = IPRO_TEXTS
    await ok(await ipro.post(f"{pathway}/adviser", headers=chef, json={"adviser": "ipro_conseiller-1"}))
    profile = {"education_level": "vocational", "qualifications": [texts["qualifications"]]}
    await ok(await ipro.put(f"{pathway}/profile", headers=adviser, json=profile))
    await ok(
        await ipro.post(
            f"{pathway}/readiness",
            headers=adviser,
            json={"status": "support_needed", "reason": texts["readiness"]},
        )
    )
    goal = {"description": texts["goal"], "steps": [{"step_id": "s1", "description": texts["step"]}]}
    await ok(await ipro.post(f"{pathway}/goals", headers=adviser, json=goal), 201)
    leave = {"kind": "pmsmp", "starts_on": str(today), "ends_on": str(today), "purpose": texts["purpose"]}
    (leave_id,) = (await ok(await ipro.post(f"{pathway}/leaves", headers=adviser, json=leave), 201))["leaves"]
    await ok(
        await ipro.post(
            f"{pathway}/leaves/{leave_id}/decision",
            headers=governor,
            json={"approved": False, "reason": texts["refusal"]},
        )
    )
    outcome = {"situation": "job", "contract_type": "cdd", "details": texts["exit"]}
    await ok(await ipro.put(f"{pathway}/exit-outcome", headers=adviser, json=outcome))
    await ok(await ipro.post(f"{pathway}/work/classement-request", headers=chef), 201)
    opinion = {"held_on": str(today), "favourable": False, "opinion": texts["opinion"]}
    await ok(await ipro.post(f"{pathway}/work/cpu-opinion", headers=chef, json=opinion))
    refusal = {
        "granted": False,
        "reasons": texts["classement"],
        "appeal_information": "Recours sous deux mois",
    }
    await ok(await ipro.post(f"{pathway}/work/decision", headers=governor, json=refusal))
    training = {
        "body": "AFPA",
        "title": "Agent magasinier",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(weeks=4)),
        "hours": 30,
        "schedule": [{"weekday": 2, "starts_at": "13:30", "ends_at": "17:00"}],
    }
    enrolled = await ok(await ipro.post(f"{pathway}/trainings", headers=chef, json=training), 201)
    await ok(
        await ipro.post(
            f"/trainings/{enrolled['training_id']}/drop-out",
            headers=chef,
            json={"reason": texts["dropped_out"]},
        )
    )


async def scan_database(dsn: str) -> dict[str, list[str]]:
    """Each table of the public schema, every row cast to text: which personal values it holds."""
    connection = await asyncpg.connect(dsn)
    try:
        tables = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        found = {}
        for (table,) in tables:
            rows = await connection.fetch(f'SELECT t::text AS row FROM "{table}" t')
            found[table] = sorted({needle for row in rows for needle in found_in(row["row"])})
        return found
    finally:
        await connection.close()


async def scan_topics(bootstrap: str, prefix: str) -> dict[str, list[str]]:
    """Every topic of the run read from offset 0 to its end: keys, values and headers."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        topics = sorted(t for t in await consumer.topics() if t.startswith(prefix))
        partitions = await kafka.partitions_of(bootstrap, topics)
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        found: dict[str, set[str]] = {topic: set() for topic in topics}
        for record in await kafka.read_to_end(consumer, partitions, ends):
            headers = [value or b"" for _, value in record.headers or ()]
            found[record.topic].update(found_in(b"".join([record.key or b"", record.value or b"", *headers])))
        return {topic: sorted(values) for topic, values in found.items()}
    finally:
        await consumer.stop()


async def _when(read, expected) -> bool:
    return await read() == expected


async def _answered(client, path: str, headers) -> dict | None:
    response = await client.get(path, headers=headers)
    return response.json() if response.status_code == 200 else None
