"""The log for auditors over HTTP (issue 16 item 4, ADR 30): two people's months published on the topics their
services' relays use (restricted types on `.restricted`), one event tampered with after it was hashed,
consumed by `projections.audit-log`, then read by stream and by person through the app: as published,
personal values masked, auditors only, within their establishments, each read journaled; and the view
rebuilt from offset 0 holds the same rows."""

import json
from collections import defaultdict
from datetime import datetime, timedelta

import pytest

from devinfra.audit_log import as_json
from devinfra.testkit import assert_refused, headers_for, ok, read_topic, serving
from kernel.database import create_pool
from kernel.hashchain import envelope_hash
from kernel.views import rebuild
from projections.audit_log import ingest
from projections.bootstrap import create_app, subscriptions
from projections.settings import ProjectionsSettings
from services.projections.tests.builders import History
from services.projections.tests.integration.test_replay import caught_up, consuming, end_offsets, publish
from services.projections.tests.person_history import two_people

pytestmark = pytest.mark.integration

LILLE = "CP de Lille-Annœullin"


def tampered_history() -> tuple[History, object]:
    """Two people's history, person-1's referent changed after the event was hashed (the hash kept)."""
    history = two_people()
    n, original = next(
        (n, e)
        for n, e in enumerate(history.envelopes)
        if e.event_type == "assessment.case.referent_assigned" and e.subject == "person-1"
    )
    tampered = original.model_copy(
        update={"payload": {**original.payload, "referent": "cpip-mallory"}, "hash": envelope_hash(original)}
    )
    history.envelopes[n] = tampered
    return history, tampered


async def the_view(pool) -> list[tuple]:
    rows = await pool.fetch("SELECT * FROM audit_log ORDER BY event_id")
    return [tuple(sorted((k, str(v)) for k, v in dict(row).items())) for row in rows]


@pytest.fixture
async def world(infrastructure, new_projections_database, unique_name, dev_keys):
    """The view filled from the broker, then rebuilt in place while its consumer runs; the app over it."""
    bootstrap = infrastructure.bootstrap_servers
    dsn = await new_projections_database()
    settings = ProjectionsSettings(
        database_url=dsn,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=unique_name("auditlog") + ".",
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,
        run_consumers=False,
        run_background=False,
    )
    history, tampered = tampered_history()
    topics: dict[str, History] = defaultdict(History)
    for envelope in history.envelopes:
        topics[ingest.topic_of(envelope)].envelopes.append(envelope)
    published_twice = topics["assessment.events"].envelopes[0]
    topics["assessment.events"].envelopes.append(published_twice)  # by a relay that restarted: kept once
    for topic, envelopes in topics.items():
        await publish(bootstrap, settings.topic(topic), envelopes)
    ends = await end_offsets(bootstrap, *(settings.topic(topic) for topic in ingest.TOPICS))
    (subscription,) = [
        s for s in subscriptions(settings) if s.name == settings.topic("projections.audit-log")
    ]
    pool = await create_pool(dsn)
    try:
        async with consuming(pool, dsn, bootstrap, [subscription]) as tasks:
            await caught_up(pool, [subscription], tasks, ends)
            live = await the_view(pool)
            await rebuild(pool, subscription)
            await caught_up(pool, [subscription], tasks, ends)
        rebuilt = await the_view(pool)
        # The view keeps each event once by its id: the consumer records none of them besides (ADR 41).
        processed = await pool.fetchval(
            "SELECT count(*) FROM processed_events WHERE consumer = $1", subscription.name
        )
    finally:
        await pool.close()
    async with serving(create_app(settings)) as client:
        yield {
            "client": client,
            "as_role": headers_for(dev_keys),
            "settings": settings,
            "history": history,
            "tampered": tampered,
            "live": live,
            "rebuilt": rebuilt,
            "processed": processed,
        }


async def test_the_view_holds_every_event_once_no_personal_value_and_a_rebuild_gives_the_same_rows(world):
    assert len(world["live"]) == len(world["history"].envelopes)  # one of them published twice
    assert world["rebuilt"] == world["live"]
    assert world["processed"] == 0
    payloads = " ".join(dict(row)["payload"] for row in world["live"])
    assert "'facilitators': '[scellé]'" in payloads and "'last_name': '[scellé]'" in payloads
    assert not any(clear in payloads for clear in ("Lefèvre", "Benali", "A12345", "Camille Animatrice"))


async def test_a_stream_reads_in_version_order_with_the_command_line_s_keys_personal_values_masked(world):
    client, as_role = world["client"], world["as_role"]

    response = await client.get("/audit/streams/group-1", headers=as_role("auditeur"))
    group = await ok(response)

    items = group["items"]
    assert [e["stream_version"] for e in items] == list(range(1, len(items) + 1)) and group["total"] == len(
        items
    )
    first = items[0]
    as_the_cli = as_json(
        first["service"],
        {
            **first,
            "occurred_at": datetime.fromisoformat(first["occurred_at"]),
            "recorded_at": datetime.fromisoformat(first["recorded_at"]),
        },
    )
    assert set(first) == set(as_the_cli)
    assert "Camille Animatrice" not in response.text
    assert {e["subject"] for e in items} == {None, "person-1", "person-2"}


async def test_a_tampered_event_shows_as_it_was_published(world):
    client, as_role, tampered = world["client"], world["as_role"], world["tampered"]

    case = await ok(await client.get("/audit/streams/case-1", headers=as_role("auditeur")))

    (shown,) = [e for e in case["items"] if e["event_id"] == str(tampered.event_id)]
    assert shown["payload"]["referent"] == "cpip-mallory"
    assert shown["hash"] == tampered.hash and shown["previous_hash"] == tampered.previous_hash
    assert envelope_hash(tampered) != tampered.hash  # it does not verify, and the view does not fix it


async def test_a_person_s_log_holds_their_events_of_every_service_restricted_ones_included(world):
    client, as_role = world["client"], world["as_role"]

    response = await client.get("/audit/subjects/person-1", headers=as_role("auditeur"))
    log = await ok(response)

    items = log["items"]
    assert {e["subject"] for e in items} == {"person-1"}
    assert [e["recorded_at"] for e in items] == sorted(e["recorded_at"] for e in items)
    assert {e["service"] for e in items} >= {"assessment", "programmes", "ipro"}
    (offences,) = [e for e in items if e["event_type"] == "assessment.case.offences_recorded"]
    assert offences["restricted"] and offences["payload"]["offence_categories"] == ["violence"]
    assert "Lefèvre" not in response.text and "A12345" not in response.text
    expected = [e for e in world["history"].envelopes if e.subject == "person-1"]
    assert [e["event_id"] for e in items] == [str(e.event_id) for e in expected]


async def test_a_person_s_log_as_of_an_instant_holds_what_was_recorded_then(world):
    client, as_role = world["client"], world["as_role"]
    theirs = [e for e in world["history"].envelopes if e.subject == "person-1"]

    at_third = await ok(
        await client.get(
            "/audit/subjects/person-1",
            params={"as_of": theirs[2].recorded_at.isoformat()},
            headers=as_role("auditeur"),
        )
    )
    before = await ok(
        await client.get(
            "/audit/subjects/person-1",
            params={"as_of": (theirs[0].recorded_at - timedelta(seconds=1)).isoformat()},
            headers=as_role("auditeur"),
        )
    )

    assert [e["event_id"] for e in at_third["items"]] == [str(e.event_id) for e in theirs[:3]]
    assert before == {"total": 0, "total_exact": True, "items": [], "next": None}


async def test_bad_input_and_unknown_ids_answer_the_rule(world):
    client, auditor = world["client"], world["as_role"]("auditeur")

    for as_of in ("hier", "2031-01-06T08:00:00"):  # not an instant; no offset
        response = await client.get("/audit/subjects/person-1", params={"as_of": as_of}, headers=auditor)
        assert_refused(response, 422, "request-validation", as_of)
        assert "query.as_of" in response.json()["detail"]
    assert_refused(await client.get("/audit/streams/case_1!", headers=auditor), 422, "request-validation")
    assert_refused(await client.get("/audit/subjects/person-9", headers=auditor), 404, "subject-not-found")
    assert_refused(await client.get("/audit/streams/case-9", headers=auditor), 404, "stream-not-found")


async def test_auditors_only_within_their_establishments(world):
    client, as_role = world["client"], world["as_role"]
    routes = ("/audit/subjects/person-1", "/audit/streams/case-1", "/audit/streams/group-1")

    for role in ("dpip", "cpip", "ipro_chef", "direction", "partenaire"):
        organisation = "partner-1" if role == "partenaire" else None
        for route in routes:
            response = await client.get(route, headers=as_role(role, organisation_id=organisation))
            assert_refused(response, 403, "role-not-allowed", role)
    elsewhere, unplaced = (
        as_role("auditeur", establishments=[LILLE]),
        as_role("auditeur", establishments=None),
    )
    for headers in (elsewhere, unplaced):
        assert_refused(await client.get(routes[0], headers=headers), 404, "subject-not-found")
        for route in routes[1:]:
            assert_refused(await client.get(route, headers=headers), 404, "stream-not-found")
        # An organisation is nobody's establishment's: not limited (ADR 26, as the partners service).
        partner = await ok(await client.get("/audit/streams/partner-1", headers=headers))
        assert [e["event_type"] for e in partner["items"]] == ["partners.partner.registered"]


async def test_each_read_is_journaled_with_the_persons_it_showed(world):
    client, as_role, settings = world["client"], world["as_role"], world["settings"]
    auditor = as_role("auditeur", "auditeur-journal")

    await ok(await client.get("/audit/subjects/person-1", headers=auditor))
    await ok(await client.get("/audit/streams/group-1", headers=auditor))
    await client.get(
        "/audit/subjects/person-2", headers=as_role("auditeur", "auditeur-journal", establishments=[LILLE])
    )

    bootstrap = settings.kafka_bootstrap_servers
    records = await read_topic(bootstrap, settings.topic("access.journal"), at_least=3)
    entries = {
        (e["route"], e["status"], tuple(sorted(e["subject_ids"])))
        for e in map(json.loads, (r.value for r in records))
        if e["user"] == "auditeur-journal"
    }
    assert entries == {
        ("/audit/subjects/{subject_id}", 200, ("person-1",)),
        ("/audit/streams/{stream_id}", 200, ("person-1", "person-2")),
        ("/audit/subjects/{subject_id}", 404, ("person-2",)),
    }
