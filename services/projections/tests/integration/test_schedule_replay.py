"""The schedule from the real broker (issue 15): built by its consumer from the four topics (and the leaves'
decisions from `ipro.restricted`), then rebuilt in place from offset 0 and in a fresh database: the same
sessions, people, hours, leaves and open conflicts."""

import dataclasses

import pytest

from kernel.database import create_pool
from kernel.views import rebuild
from projections.bootstrap import subscriptions
from projections.schedule import ingest
from projections.settings import ProjectionsSettings
from services.projections.tests.builders import History
from services.projections.tests.integration.test_replay import (
    catch_up,
    caught_up,
    consuming,
    end_offsets,
    publish,
)
from services.projections.tests.schedule_week import leaves_and_the_partner, room_moved, the_week

pytestmark = pytest.mark.integration


def by_topic(history: History) -> dict[str, History]:
    """The envelopes each service's relay publishes: restricted ones on `<service>.restricted` (ADR 25)."""
    topics: dict[str, History] = {}
    for envelope in history.envelopes:
        topic = f"{envelope.service}.{'restricted' if envelope.restricted else 'events'}"
        topics.setdefault(topic, History()).envelopes.append(envelope)
    return topics


def schedule_subscription(settings: ProjectionsSettings):
    (found,) = [s for s in subscriptions(settings) if s.name == settings.topic("projections.schedule")]
    return found


async def the_view(pool) -> dict:
    """Every table of the view in a stable order; of the conflicts, those open (a conflict's history is as
    the consumer interleaved the topics, which a replay may do otherwise)."""
    async with pool.acquire() as connection:
        tables = {
            table: sorted(
                tuple(sorted((k, str(v)) for k, v in dict(r).items()))
                for r in await connection.fetch(
                    f"SELECT * FROM {table}"
                    + (" WHERE resolved_at IS NULL" if table == "schedule_conflicts" else "")
                )
            )
            for table in ingest.TABLES
        }
    return tables


async def test_the_schedule_is_rebuilt_from_the_topics_as_it_was_built_live(
    infrastructure, new_projections_database, unique_name
):
    bootstrap = infrastructure.bootstrap_servers
    settings = ProjectionsSettings(
        database_url="unused",
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=unique_name("sched") + ".",
    )
    week = the_week()
    room_moved(week)
    leaves_and_the_partner(week)
    for topic, envelopes in by_topic(week).items():
        await publish(bootstrap, settings.topic(topic), envelopes)
    ends = await end_offsets(bootstrap, *(settings.topic(t) for t in ingest.TOPICS))

    subscription = schedule_subscription(settings)
    dsn = await new_projections_database()
    pool = await create_pool(dsn)
    try:
        async with consuming(pool, dsn, bootstrap, [subscription]) as tasks:
            await caught_up(pool, [subscription], tasks, ends)
            live = await the_view(pool)
            await rebuild(pool, subscription)
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
    assert len(live["schedule_sessions"]) == 3 and len(live["schedule_recurring"]) == 2
    assert len(live["schedule_conflicts"]) == 3  # the room's was resolved by the move
    leaves = {dict(row)["leave_id"]: dict(row)["approved"] for row in live["schedule_leaves"]}
    assert leaves == {"leave-1": "False", "leave-2": "True"}  # each decision read from ipro.restricted
