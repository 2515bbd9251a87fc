"""The read routes served by the app, its clock fixed: accreditation status relative to the establishment's
date, the catalogue, and what a partner may see."""

from datetime import UTC, date, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from contracts.partners import ActionPublished
from devinfra.testkit import ok, serving, wait_for
from kernel import kafka
from projections import catalogue, partner_directory
from projections.bootstrap import create_app
from projections.person_file import ingest
from projections.settings import ProjectionsSettings
from services.projections.tests.builders import (
    History,
    a_partner_accredited,
    a_partner_registered,
    a_session_scheduled,
    an_action_created,
)
from services.projections.tests.person_history import two_people

pytestmark = pytest.mark.integration

# 00:30 on 10 March in Arras, still 9 March in UTC.
NOW = datetime(2031, 3, 9, 23, 30, tzinfo=UTC)


@pytest.fixture
async def api(views_settings, pool, apply_all, infrastructure, dev_keys):
    history = History()
    history.partner(a_partner_registered(partner_id="p-ended", name="Accréditation finie hier"))
    history.partner(a_partner_accredited("p-ended", until=date(2031, 3, 9)))
    history.partner(a_partner_registered(partner_id="p-soon", name="Bientôt expirée", siret="78467169500087"))
    history.partner(a_partner_accredited("p-soon", until=date(2031, 4, 1)))
    for partner_id in ("p-ended", "p-soon"):
        history.action(an_action_created(action_id=f"a-{partner_id}", partner_id=partner_id))
        history.action(a_session_scheduled(f"a-{partner_id}", "s-1", NOW + timedelta(days=3)))
        history.action(ActionPublished(action_id=f"a-{partner_id}"))
    for envelope in history.envelopes:
        await apply_all(partner_directory.apply, envelope)
        await apply_all(catalogue.apply, envelope)

    settings = views_settings
    async with serving(create_app(settings, clock=lambda: NOW)) as client:
        yield client


@pytest.fixture
def as_role(dev_keys):
    def headers(role: str, organisation_id: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {dev_keys.mint(role, organisation_id=organisation_id)}"}

    return headers


async def test_the_directory_shows_the_accreditation_as_of_the_establishments_date(api, as_role):
    response = await api.get("/directory/partners", headers=as_role("cpip"))

    assert response.status_code == 200, response.text
    accreditation = {
        p["partner_id"]: (p["accreditation_status"], p["accredited_until"], p["accreditation_expires_soon"])
        for p in response.json()["items"]
    }
    assert accreditation == {
        "p-ended": ("expired", "2031-03-09", False),  # its last day was yesterday in Arras, today in UTC
        "p-soon": ("accredited", "2031-04-01", True),
    }


async def test_the_directory_finds_a_part_of_a_name_literally(api, as_role):
    """Security review L6: `%` and `_` are characters of the name, not wildcards matching every partner."""

    async def found(q: str) -> list[str]:
        response = await api.get("/directory/partners", params={"q": q}, headers=as_role("cpip"))
        return [p["partner_id"] for p in response.json()["items"]]

    assert await found("BIENTÔT") == ["p-soon"]
    assert await found("%") == [] and await found("_") == []


async def test_the_directory_filters_by_accreditation_status(api, as_role):
    expired = await api.get(
        "/directory/partners", params={"accreditation_status": "expired"}, headers=as_role("ipro_conseiller")
    )
    unknown = await api.get(
        "/directory/partners", params={"accreditation_status": "valid"}, headers=as_role("ipro_conseiller")
    )

    assert expired.json()["total"] == 1 and [p["partner_id"] for p in expired.json()["items"]] == ["p-ended"]
    assert unknown.status_code == 422 and unknown.json()["rule"] == "request-validation"


async def test_the_catalogue_lists_published_actions_with_their_sessions(api, as_role):
    response = await api.get(
        "/directory/catalogue", params={"starts_from": "2031-03-12"}, headers=as_role("auditeur")
    )

    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 2
    assert {i["action_id"] for i in page["items"]} == {"a-p-ended", "a-p-soon"}
    assert page["items"][0]["sessions"] == [
        {
            "session_id": "s-1",
            # In the establishment's local time, as every instant is answered (issue 13 #16).
            "starts_at": "2031-03-13T00:30:00+01:00",
            "ends_at": "2031-03-13T02:30:00+01:00",
            "place": "Salle polyvalente",
            "seats_left": 10,
        }
    ]
    assert "facilitators" not in page["items"][0]["sessions"][0]


async def test_a_partner_sees_only_its_own_organisation_and_actions(api, as_role):
    mine = as_role("partenaire", organisation_id="p-soon")

    directory = (await api.get("/directory/partners", headers=mine)).json()
    listed = (await api.get("/directory/catalogue", headers=mine)).json()
    expired = {"accreditation_status": "expired"}
    filtered = (await api.get("/directory/partners", params=expired, headers=mine)).json()
    another = as_role("partenaire", organisation_id="p-x")
    stranger = (await api.get("/directory/catalogue", headers=another)).json()

    assert [p["partner_id"] for p in directory["items"]] == ["p-soon"] and directory["total"] == 1
    assert [a["action_id"] for a in listed["items"]] == ["a-p-soon"] and listed["total"] == 1
    assert filtered == stranger == {"total": 0, "total_exact": True, "items": [], "next": None}


async def test_an_anonymous_caller_is_refused(api):
    response = await api.get("/directory/catalogue")
    assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"


async def test_its_consultations_are_published_to_its_restricted_topic_only(
    projections_dsn, apply_all, infrastructure, dev_keys, unique_name
):
    """Projections reads others' topics; of what it appends itself, who read a person's file (issue 14) is
    restricted: its relay publishes it to `projections.restricted`, never to `projections.events` (where only
    the schedule's conflicts go, ADR 29)."""
    await apply_all(ingest.apply, *two_people().envelopes)
    settings = ProjectionsSettings(
        database_url=projections_dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=unique_name("consulted") + ".",
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=True,
        run_consumers=False,
    )
    token = dev_keys.mint("dpip", subject="dpip-1")
    async with serving(create_app(settings, clock=lambda: NOW)) as client:
        await ok(await client.get("/persons/person-1/file", headers={"Authorization": f"Bearer {token}"}))
        restricted = settings.topic("projections.restricted")
        (envelope,) = await wait_for(
            lambda: records_of(infrastructure.bootstrap_servers, restricted),
            timeout=30,
            message="the consultation on the restricted topic",
        )
    assert (envelope.event_type, envelope.subject, envelope.actor.subject) == (
        "projections.file.consulted",
        "person-1",
        "dpip-1",
    )
    topics = await topics_of(infrastructure.bootstrap_servers)
    assert settings.topic("projections.events") not in topics or not await records_of(
        infrastructure.bootstrap_servers, settings.topic("projections.events")
    )


async def records_of(bootstrap: str, topic: str) -> list:
    """The envelopes on a topic, from its beginning (none if it does not exist yet)."""
    if topic not in await topics_of(bootstrap):
        return []
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=2000)
        return [kafka.decode(record.value) for records in batch.values() for record in records]
    finally:
        await consumer.stop()


async def topics_of(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return await admin.list_topics()
    finally:
        await admin.close()
