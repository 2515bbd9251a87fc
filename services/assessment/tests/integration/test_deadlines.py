"""Deadlines with an injected clock: the initial assessment is due 90 days after the case opens; once
overdue it is listed as such and `assessment.deadline.missed` is published once, whatever the restarts or
concurrent schedulers."""

import asyncio
import json
from datetime import timedelta

import asyncpg
import pytest

from assessment import deadlines
from assessment.bootstrap import create_app
from devinfra.testkit import ok, read_topic, serving, wait_for
from kernel.database import create_pool
from kernel.eventstore import EventStore

from .flows import opened_case, validated_assessment

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(api, assessment_dsn, clock):
    """An event store on the service's database and clock (once `api` has migrated it): the scheduler's."""
    pool = await create_pool(assessment_dsn)
    try:
        yield EventStore(pool, clock)
    finally:
        await pool.close()


async def missed_events(dsn) -> list[dict]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT stream_id, payload FROM events WHERE event_type = 'assessment.deadline.missed' ORDER BY position"
        )
    finally:
        await connection.close()
    return [{"stream_id": row["stream_id"], "payload": json.loads(row["payload"])} for row in rows]


async def overdue(api, headers) -> list[dict]:
    return (await ok(await api.get("/deadlines", params={"overdue_only": "true"}, headers=headers)))["items"]


async def test_an_initial_assessment_not_validated_by_day_90_is_overdue_and_published_once(
    api, store, as_role, clock, assessment_dsn
):
    case = await opened_case(api, as_role, clock.now.date())
    cpip = as_role("cpip")

    clock.advance(days=90)  # due today: not yet overdue
    due = (await ok(await api.get("/deadlines", headers=cpip)))["items"]
    assert [(d["kind"], d["overdue"]) for d in due] == [("initial_assessment", False)]
    assert await deadlines.publish_missed(store) == 0

    clock.advance(days=1)
    assert [(d["case_id"], d["kind"]) for d in await overdue(api, cpip)] == [
        (case["case_id"], "initial_assessment")
    ]
    assert [d["case_id"] for d in await overdue(api, as_role("dpip"))] == [case["case_id"]]
    assert await overdue(api, as_role("cpip", "cpip-2")) == []  # another CPIP's caseload

    # Two schedulers at once, then a restart: one event.
    published = await asyncio.gather(deadlines.publish_missed(store), deadlines.publish_missed(store))
    assert sorted(published) == [0, 1]
    assert await deadlines.publish_missed(store) == 0
    (event,) = await missed_events(assessment_dsn)
    assert event["payload"]["kind"] == "initial_assessment" and event["payload"]["referent"] == "cpip-1"
    assert event["payload"]["due_on"] == str(clock.now.date() - timedelta(days=1))


async def test_a_validated_initial_assessment_meets_the_deadline_and_sets_the_annual_one(
    api, store, as_role, clock
):
    case = await opened_case(api, as_role, clock.now.date())
    clock.advance(days=30)
    await validated_assessment(api, as_role, case["case_id"])

    clock.advance(days=100)
    assert await overdue(api, as_role("dpip")) == []
    assert await deadlines.publish_missed(store) == 0
    upcoming = (await ok(await api.get("/deadlines", params={"within_days": 366}, headers=as_role("cpip"))))[
        "items"
    ]
    assert [(d["kind"], d["due_on"]) for d in upcoming] == [
        ("annual_assessment", str(clock.now.date() - timedelta(days=100) + timedelta(days=365)))
    ]


async def test_a_closed_case_has_no_deadline_left(api, as_role, clock):
    case = await opened_case(api, as_role, clock.now.date())
    await ok(
        await api.post(
            f"/cases/{case['case_id']}/close",
            headers=as_role("dpip"),
            json={"reason": "release", "closed_on": str(clock.now.date())},
        )
    )
    clock.advance(days=200)
    assert await overdue(api, as_role("dpip")) == []


async def test_the_services_scheduler_publishes_the_missed_deadline_on_its_topic(
    assessment_settings, as_role, clock, assessment_dsn
):
    settings = assessment_settings.model_copy(
        update={"run_relay": True, "run_background": True, "deadline_check_seconds": 0.05}
    )
    async with serving(create_app(settings, clock=clock)) as api:
        case = await opened_case(api, as_role, clock.now.date())
        clock.advance(days=91)

        async def published():
            return await missed_events(assessment_dsn)

        await wait_for(published, timeout=10, message="the scheduler's missed-deadline event")
        records = await read_topic(
            settings.kafka_bootstrap_servers, settings.topic("assessment.events"), at_least=3
        )
    missed = [
        json.loads(r.value)
        for r in records
        if json.loads(r.value)["event_type"] == "assessment.deadline.missed"
    ]
    assert [m["payload"]["case_id"] for m in missed] == [case["case_id"]]
    assert missed[0]["subject"] == case["subject_id"] and missed[0]["actor"]["role"] == "system"
    assert len(await missed_events(assessment_dsn)) == 1
