"""The consultation journal end to end (issue 18 #1): reads and refusals in two services reach the journal
topic before their answers leave, projections stores them, and auditors and DPIPs find them by person and by
user with `GET /audit/access`. Assessment and projections in process, on their own databases and topics."""

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from assessment.bootstrap import create_app as assessment_app
from assessment.settings import AssessmentSettings
from contracts import parse_payload
from devinfra.testkit import (
    BREAK_GLASS_REASON,
    assert_refused,
    break_glass,
    ok,
    pseudonym_of,
    service_settings,
    serving,
    wait_for,
)
from kernel.database import create_pool
from kernel.journal import JournalEntry
from projections.access_journal import store
from projections.bootstrap import create_app as projections_app
from projections.person_file import ingest
from projections.settings import ProjectionsSettings
from services.projections.tests.person_history import two_people

pytestmark = pytest.mark.integration

NOW = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
async def services(new_database, infrastructure, dev_keys, topic_prefix):
    assessment_dsn, projections_dsn = await new_database("assessment"), await new_database("projections")
    assessment = assessment_app(
        service_settings(AssessmentSettings, assessment_dsn, infrastructure, dev_keys, topic_prefix),
        clock=lambda: NOW,
    )
    # The journal's consumer is a background loop of projections; the person file is fed below, directly.
    projections = projections_app(
        service_settings(
            ProjectionsSettings,
            projections_dsn,
            infrastructure,
            dev_keys,
            topic_prefix,
            run_background=True,
            run_consumers=False,
        ),
        clock=lambda: NOW,
    )
    async with serving(assessment) as to_assessment, serving(projections) as to_projections:
        pool = await create_pool(projections_dsn)
        try:
            for envelope in two_people().envelopes:
                event = parse_payload(envelope.event_type, envelope.schema_version, envelope.payload)
                async with pool.acquire() as connection, connection.transaction():
                    await ingest.apply(connection, envelope, event)
        finally:
            await pool.close()
        yield to_assessment, to_projections


def case_body(referent: str) -> dict:
    return {
        "identity": {
            "last_name": "Lefèvre",
            "first_names": "Marie",
            "birth_date": "1990-01-01",
            "ecrou_number": "A12345",
        },
        "establishment": "InSERRE Arras",
        "admission_date": "2031-03-01",
        "sentence": {
            "short_sentence": False,
            "total_length_months": 30,
            "expected_end_date": "2033-06-30",
            "offence_categories": ["theft"],
        },
        "referent": referent,
    }


async def journal(projections, as_role, **filters) -> list[dict]:
    page = await ok(await projections.get("/audit/access", params=filters, headers=as_role("auditeur")))
    return page["items"]


async def test_reads_and_refusals_of_two_services_reach_the_journal(services, as_role):
    assessment, projections = services
    case = await ok(
        await assessment.post("/cases", json=case_body(referent="cpip-1"), headers=as_role("dpip")), 201
    )
    case_url = f"/cases/{case['case_id']}"
    await ok(await assessment.get(case_url, headers=as_role("dpip", Purpose="bilan%20d%27%C3%A9tape")))
    await ok(await projections.get("/persons/person-1/file", headers=as_role("dpip")))
    assert_refused(await assessment.get(case_url, headers=as_role("cpip", "cpip-2")), 403, "not-on-caseload")
    assert_refused(
        await projections.get("/audit/access", headers=as_role("partenaire", organisation_id="partner-1")),
        403,
        "role-not-allowed",
    )

    # The case's person is the one assessment made an id for; the person file's, "person-1" of its builder.
    async def both_reads() -> list[dict]:
        entries = await journal(projections, as_role, user="dpip-1")
        return (
            entries
            if {e["route"] for e in entries} >= {"/cases/{case_id}", "/persons/{subject_id}/file"}
            else []
        )

    reads = {e["route"]: e for e in await wait_for(both_reads, timeout=30, message="the DPIP's two reads")}
    case_read, file_read = reads["/cases/{case_id}"], reads["/persons/{subject_id}/file"]
    assert (case_read["service"], case_read["user"], case_read["role"], case_read["status"]) == (
        "assessment",
        "dpip-1",
        "dpip",
        200,
    )
    assert case_read["subject_ids"] == [case["subject_id"]] and case_read["object_ids"] == [case["case_id"]]
    by_subject = await journal(projections, as_role, subject_id=case["subject_id"], user="dpip-1")
    assert [e["route"] for e in by_subject] == ["/cases/{case_id}"]
    assert case_read["establishment"] == "InSERRE Arras" and case_read["purpose"] == "bilan d'étape"
    assert datetime.fromisoformat(case_read["recorded_at"]) == NOW
    assert (file_read["service"], file_read["user"], file_read["subject_ids"]) == (
        "projections",
        "dpip-1",
        ["person-1"],
    )

    [refused] = await wait_for(
        lambda: journal(projections, as_role, user="cpip-2"), timeout=30, message="the refusal"
    )
    assert (refused["status"], refused["route"], refused["object_ids"]) == (
        403,
        "/cases/{case_id}",
        [case["case_id"]],
    )
    [partner] = await wait_for(
        lambda: journal(projections, as_role, user="partenaire-1"),
        timeout=30,
        message="the partner's refusal",
    )
    assert (partner["status"], partner["route"], partner["organisation_id"]) == (
        403,
        "/audit/access",
        "partner-1",
    )


async def test_a_break_glass_read_is_in_the_journal_with_its_purpose_and_found_as_such(services, as_role):
    assessment, projections = services
    case = await ok(
        await assessment.post("/cases", json=case_body(referent="cpip-1"), headers=as_role("dpip")), 201
    )
    auditor = as_role("auditeur")
    pseudonymised = await ok(await assessment.get(f"/cases/{case['case_id']}", headers=auditor))
    clear = await ok(await assessment.get(f"/cases/{case['case_id']}", headers={**auditor, **break_glass()}))
    assert (pseudonymised["identity"]["last_name"], clear["identity"]["last_name"]) == (
        pseudonym_of(case["subject_id"]),
        "Lefèvre",
    )

    async def auditors_reads() -> list[dict]:
        # Reading the journal about the person is journaled too: only the reads of the case count here.
        entries = await journal(projections, as_role, subject_id=case["subject_id"], user="auditeur-1")
        reads = [e for e in entries if e["route"] == "/cases/{case_id}"]
        return reads if len(reads) == 2 else []

    glass, plain = await wait_for(auditors_reads, timeout=30, message="the auditor's two reads")
    assert (glass["break_glass"], glass["purpose"]) == (True, "bris-de-glace: " + BREAK_GLASS_REASON)
    assert (plain["break_glass"], plain["purpose"]) == (False, "")
    found = await journal(projections, as_role, break_glass="true")
    assert [e["entry_id"] for e in found] == [glass["entry_id"]]


async def test_the_journal_pages_newest_first_by_a_cursor(services, as_role):
    assessment, projections = services
    for _ in range(3):
        await ok(await projections.get("/persons/person-2/file", headers=as_role("dpip")))

    async def three() -> list[dict]:
        entries = await journal(projections, as_role, subject_id="person-2")
        return entries if len(entries) >= 3 else []

    everything = await wait_for(three, timeout=30, message="three reads")
    first = await ok(
        await projections.get(
            "/audit/access", params={"subject_id": "person-2", "limit": 2}, headers=as_role("dpip")
        )
    )
    rest = await ok(
        await projections.get(
            "/audit/access",
            params={"subject_id": "person-2", "limit": 2, "before": first["next_before"]},
            headers=as_role("dpip"),
        )
    )
    paged = [e["entry_id"] for e in first["items"] + rest["items"]]
    assert len(set(paged)) == len(paged) >= 3
    # Reading the journal is journaled too, so newer entries may have come in front meanwhile: the two pages
    # are still one run of the journal, newest first, with nothing skipped between them.
    now = await journal(projections, as_role, subject_id="person-2")
    ids = [e["entry_id"] for e in now]
    start = ids.index(paged[0])
    assert ids[start : start + len(paged)] == paged
    assert set(e["entry_id"] for e in everything) <= set(ids)


def an_entry(days_ago: float, **overrides) -> JournalEntry:
    return JournalEntry(
        **{
            "entry_id": uuid.uuid4(),
            "recorded_at": datetime.now(UTC) - timedelta(days=days_ago),
            "service": "assessment",
            "method": "GET",
            "route": "/cases/{case_id}",
            "status": 200,
            "user": "dpip-1",
            "role": "dpip",
            "subject_ids": ["person-1"],
            "object_ids": ["case-1"],
            "subjects_count": 1,
            **overrides,
        }
    )


async def test_the_journal_table_keeps_entries_unchanged_until_their_retention(pool):
    old, middle, recent = an_entry(400), an_entry(200), an_entry(1)
    async with pool.acquire() as connection:
        await store.add(connection, [old, middle, recent])
        await store.add(connection, [recent])  # redelivered: stored once
        assert await connection.fetchval("SELECT count(*) FROM access_journal") == 3
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await connection.execute("UPDATE access_journal SET user_id = 'someone-else'")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await connection.execute("DELETE FROM access_journal WHERE entry_id = $1", old.entry_id)
    assert await store.prune(pool, older_than_days=300) == 1
    # Whatever the retention asked, nothing younger than six months goes.
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await store.prune(pool, older_than_days=0)
    async with pool.acquire() as connection:
        left = await connection.fetch("SELECT entry_id FROM access_journal ORDER BY seq")
    assert [row["entry_id"] for row in left] == [middle.entry_id, recent.entry_id]


async def test_a_batch_is_stored_in_its_order_each_entry_once_with_every_field(pool):
    first = an_entry(
        2,
        subject_ids=["person-1", "person-2"],
        object_ids=[],
        subjects_count=2,
        organisation_id="org-1",
        establishment="InSERRE Arras",
        correlation_id="req-1",
        purpose="contrôle",
        break_glass=True,
    )
    refusal = an_entry(1, status=403, user=None, role=None, subject_ids=[], object_ids=[], subjects_count=0)
    last = an_entry(0)
    async with pool.acquire() as connection:
        await store.add(connection, [first, refusal, first, last])  # a redelivery within the same fetch
        await store.add(connection, [])
        rows = await connection.fetch(f"SELECT {store.COLUMNS} FROM access_journal ORDER BY seq")
    stored = [JournalEntry.model_validate({**dict(row), "user": row["user_id"]}) for row in rows]
    assert stored == [first, refusal, last]
