"""The person file from the real broker (issue 14): built by its consumer from the four topics, a poison
message dead-lettered while the view goes on, then rebuilt in place from offset 0: row for row the same."""

import dataclasses
import uuid

import pytest

from contracts import EventEnvelope
from kernel.database import create_pool
from kernel.views import rebuild
from projections.bootstrap import subscriptions
from projections.person_file import ingest, store
from projections.settings import ProjectionsSettings
from services.projections.tests.builders import History
from services.projections.tests.integration.test_replay import (
    catch_up,
    caught_up,
    consuming,
    end_offsets,
    publish,
)
from services.projections.tests.person_history import two_people

pytestmark = pytest.mark.integration


def person_file_subscription(settings: ProjectionsSettings):
    (found,) = [s for s in subscriptions(settings) if s.name == settings.topic("projections.person-file")]
    return found


def by_topic(history: History) -> dict[str, History]:
    """The envelopes each service's relay publishes on its own topic, in the order it recorded them."""
    topics: dict[str, History] = {}
    for envelope in history.envelopes:
        topics.setdefault(f"{envelope.service}.events", History()).envelopes.append(envelope)
    return topics


def poison(history: History) -> EventEnvelope:
    """A case opened without a subject nor an identity: no reader can make sense of it."""
    first = history.envelopes[0]
    return first.model_copy(
        update={"event_id": uuid.uuid4(), "stream_id": "case-bad", "payload": {"case_id": "x"}}
    )


async def the_view(pool) -> dict:
    """Every table of the view, in a stable order, without the arrival numbers (a replay renumbers them);
    and what each person's file is made of."""
    async with pool.acquire() as connection:
        tables = {
            table: sorted(
                tuple(sorted((k, str(v)) for k, v in dict(r).items() if k != "seq"))
                for r in await connection.fetch(f"SELECT * FROM {table}")
            )
            for table in ingest.TABLES
        }
        files = {
            subject: [
                (e.event_type, e.occurred_at, e.payload) for e in await store.events_of(connection, subject)
            ]
            for subject in ("person-1", "person-2")
        }
    return {"tables": tables, "files": files}


async def test_the_file_view_survives_a_poison_message_and_is_rebuilt_row_for_row(
    infrastructure, new_projections_database, unique_name
):
    bootstrap = infrastructure.bootstrap_servers
    settings = ProjectionsSettings(
        database_url="unused", kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=unique_name("file") + "."
    )
    history = two_people()
    topics = by_topic(history)
    topics["assessment.events"].envelopes.insert(3, poison(history))
    for topic, envelopes in topics.items():
        await publish(bootstrap, settings.topic(topic), envelopes)
    ends = await end_offsets(bootstrap, *(settings.topic(t) for t in ingest.TOPICS))

    subscription = person_file_subscription(settings)
    dsn = await new_projections_database()
    pool = await create_pool(dsn)
    try:
        async with consuming(pool, dsn, bootstrap, [subscription]) as tasks:
            await caught_up(pool, [subscription], tasks, ends)
            live = await the_view(pool)
            await rebuild(pool, subscription)  # while it runs: it replays the four topics from offset 0
            await caught_up(pool, [subscription], tasks, ends)
        rebuilt = await the_view(pool)

        fresh = await new_projections_database()
        fresh_pool = await create_pool(fresh)
        try:
            renamed = dataclasses.replace(subscription, name=unique_name(subscription.name))
            await catch_up(fresh_pool, fresh, bootstrap, [renamed], ends)
            elsewhere = await the_view(fresh_pool)
        finally:
            await fresh_pool.close()
    finally:
        await pool.close()

    assert rebuilt == live and elsewhere == live
    assert len(live["tables"]["person_file_events"]) == len(history.envelopes)
    assert {e[0] for e in live["files"]["person-1"]} >= {"assessment.case.opened", "ipro.training.enrolled"}
    dead = await end_offsets(bootstrap, settings.topic("assessment.events") + ".dlq")
    assert sum(dead.values()) >= 1  # the poison, parked once (a rebuild may park it again)
