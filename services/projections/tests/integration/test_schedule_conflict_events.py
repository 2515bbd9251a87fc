"""The schedule's conflicts told as events of the projections service (issue 15 #2, ADR 29): a facilitator
booked twice across services found like a room; each conflict's appearance and end appended in the
transaction that changes the view; a replay of the same history (a rebuild), in any order, tells nothing
twice; and, from the real broker, the week's conflicts read back from `projections.events`."""

import random
from collections import Counter
from datetime import timedelta

import pytest

from contracts import parse_payload
from contracts.projections import ScheduleConflictDetected, ScheduleConflictResolved
from devinfra.testkit import read_topic, wait_for
from kernel import kafka
from kernel.clock import start_of_day
from kernel.database import create_pool
from kernel.relay import Relay, topic_router
from kernel.views import rebuild
from projections.schedule import ingest, store
from projections.schedule.occupancy import facilitator_key
from projections.schedule.publication import stream_of
from projections.settings import ProjectionsSettings
from services.projections.tests.builders import History
from services.projections.tests.integration.test_replay import (
    caught_up,
    consuming,
    end_offsets,
    policy,
    publish,
)
from services.projections.tests.integration.test_schedule_replay import by_topic, schedule_subscription
from services.projections.tests.schedule_week import (
    FACILITATOR,
    MONDAY,
    PARTNER_FACILITATOR,
    at,
    facilitator_double_booked,
    facilitator_replaced,
    positioning_cancelled,
    room_moved,
    the_week,
    thursday_moved_to_afternoon,
)

pytestmark = pytest.mark.integration

WEEK = {"lower": start_of_day(MONDAY), "upper": start_of_day(MONDAY + timedelta(days=7))}
G2, A2 = "programmes/group:group-1/g-1-s-2", "partners/action:action-1/a-1-s-2"
KINDS = {"person_double_booked", "room_double_booked", "facilitator_double_booked", "during_work_hours"}


def planned():
    week = the_week()
    facilitator_double_booked(week)
    return week


def resolve_everything(week) -> None:
    room_moved(week)
    positioning_cancelled(week)
    facilitator_replaced(week)
    thursday_moved_to_afternoon(week)


async def conflicts(pool, **filters) -> dict:
    async with pool.acquire() as connection:
        rows = await store.conflicts(connection, **WEEK, **filters)
    return {r["conflict_id"]: r for r in rows}


async def told(pool) -> list:
    """The conflict events the service appended, in the order it appended them."""
    rows = await pool.fetch(
        """SELECT event_type, schema_version, stream_id, stream_version, subject, causation_id, payload
           FROM events WHERE stream_type = 'schedule_conflict' ORDER BY position"""
    )
    return [(r, parse_payload(r["event_type"], r["schema_version"], r["payload"])) for r in rows]


def moment(event) -> tuple:
    """When a transition happened, in event time."""
    if isinstance(event, ScheduleConflictDetected):
        return (event.detected_at,)
    return (event.resolved_at, event.never_existed)


async def test_a_facilitator_in_a_group_session_and_a_partner_session_at_once_is_double_booked(
    pool, apply_all
):
    week = planned()
    await apply_all(ingest.apply, *week.envelopes)
    key = facilitator_key(FACILITATOR)
    (found,) = (await conflicts(pool, facilitator=key)).values()
    assert (found["kind"], found["first_item"], found["second_item"]) == ("facilitator_double_booked", A2, G2)
    assert (found["starts_at"], found["ends_at"], found["establishment"]) == (
        at(3, 10),
        at(3, 11),
        "CP d'Arras",
    )
    assert found["detected_at"] == week.envelopes[-1].occurred_at  # when the partner named them
    assert await conflicts(pool, facilitator=facilitator_key(PARTNER_FACILITATOR)) == {}

    facilitator_replaced(week)
    await apply_all(ingest.apply, week.envelopes[-1])
    (ended,) = (await conflicts(pool, facilitator=key)).values()
    assert (ended["resolved_at"], ended["resolved_by"]) == (
        week.envelopes[-1].occurred_at,
        "partners.action.session_moved",
    )


async def test_a_cancelled_session_frees_its_facilitator(pool, apply_all):
    from contracts.partners import SessionCancelled

    week = planned()
    week.record(
        "action", "action-1", SessionCancelled(action_id="action-1", session_id="a-1-s-2", reason="x")
    )
    await apply_all(ingest.apply, *week.envelopes)
    # Detected then resolved by the cancellation, both read in order.
    (found,) = (await conflicts(pool, facilitator=facilitator_key(FACILITATOR))).values()
    assert found["resolved_by"] == "partners.action.session_cancelled"


async def test_each_conflict_is_told_when_it_appears_and_when_it_is_resolved(pool, apply_all):
    week = planned()
    await apply_all(ingest.apply, *week.envelopes)
    opened = await conflicts(pool)
    assert {c["kind"] for c in opened.values()} == KINDS and len(opened) == 5
    detected = await told(pool)
    assert [type(e) for _, e in detected] == [ScheduleConflictDetected] * 5
    by_stream = {e.conflict_id: (row, e) for row, e in detected}
    assert set(by_stream) == {stream_of(c) for c in opened}
    for conflict_id, conflict in opened.items():
        row, event = by_stream[stream_of(conflict_id)]
        assert (row["stream_id"], row["stream_version"], row["subject"]) == (
            event.conflict_id,
            1,
            conflict["subject_id"],
        )
        assert (event.kind, event.severity, event.subject_id, event.establishment) == (
            conflict["kind"],
            conflict["severity"],
            conflict["subject_id"],
            "CP d'Arras",
        )
        assert (event.first_item, event.second_item, event.starts_at, event.ends_at, event.detected_at) == (
            conflict["first_item"],
            conflict["second_item"],
            conflict["starts_at"],
            conflict["ends_at"],
            conflict["detected_at"],
        )
        # Caused by the event that made the second item: the one whose time it appeared at.
        cause = next(e for e in week.envelopes if str(e.event_id) == row["causation_id"])
        assert cause.occurred_at == conflict["detected_at"]

    planned_count = len(week.envelopes)
    resolve_everything(week)
    await apply_all(ingest.apply, *week.envelopes[planned_count:])
    resolved = [(row, e) for row, e in await told(pool)][5:]
    assert [type(e) for _, e in resolved] == [ScheduleConflictResolved] * 5
    ended = await conflicts(pool)
    for row, event in resolved:
        (conflict,) = [c for cid, c in ended.items() if stream_of(cid) == event.conflict_id]
        assert (row["stream_version"], event.resolved_at, event.resolved_by, event.never_existed) == (
            2,
            conflict["resolved_at"],
            conflict["resolved_by"],
            False,
        )

    # Names never travel: neither the people's nor the facilitators' (not even as digests).
    payloads = " ".join(str(row["payload"]) for row, _ in await told(pool))
    for personal in ("Lefèvre", "Benali", FACILITATOR, PARTNER_FACILITATOR, facilitator_key(FACILITATOR)):
        assert personal not in payloads


async def test_replaying_the_history_in_any_order_tells_nothing_twice(pool, apply_all):
    """A rebuild empties the view (not what was told) and replays the topics, whose streams interleave as the
    consumer reads them: no transition is told twice, each stream alternates appearance and end, and once
    the whole history is replayed everything told is resolved, as the view says."""
    week = planned()
    resolve_everything(week)
    await apply_all(ingest.apply, *week.envelopes)
    first = await told(pool)
    assert Counter(type(e).__name__ for _, e in first) == {
        "ScheduleConflictDetected": 5,
        "ScheduleConflictResolved": 5,
    }

    async with pool.acquire() as connection:
        await connection.execute(f"TRUNCATE {', '.join(ingest.TABLES)}")
    await apply_all(ingest.apply, *week.envelopes)
    assert len(await told(pool)) == len(first)  # the same order: nothing at all

    streams: dict[str, list] = {}
    for envelope in week.envelopes:
        streams.setdefault(envelope.stream_id, []).append(envelope)
    for seed in (1, 15, 2031):
        order = list(streams)
        random.Random(seed).shuffle(order)
        async with pool.acquire() as connection:
            await connection.execute(f"TRUNCATE {', '.join(ingest.TABLES)}")
        await apply_all(ingest.apply, *(e for stream in order for e in streams[stream]))

    everything = await told(pool)
    transitions = [(e.conflict_id, type(e).__name__, moment(e)) for _, e in everything]
    assert len(set(transitions)) == len(transitions), "a transition told twice"
    per_stream: dict[str, list] = {}
    for row, event in everything:
        per_stream.setdefault(row["stream_id"], []).append((row["stream_version"], type(event)))
    for stream, events in per_stream.items():
        assert [v for v, _ in events] == list(range(1, len(events) + 1)), stream
        assert [t for _, t in events] == [ScheduleConflictDetected, ScheduleConflictResolved] * (
            len(events) // 2
        ), stream
    assert all(c["resolved_at"] is not None for c in (await conflicts(pool)).values())


async def publish_projections_events(pool, settings: ProjectionsSettings, already: int = 0) -> int:
    """What the projections service's relay sends to its topics, until every event appended is sent (a
    transaction open elsewhere in the cluster may hold it back a moment, ADR 2): how many in all."""
    relay = Relay(
        "unused",
        settings.kafka_bootstrap_servers,
        topic_router(settings, "projections"),
        topics=[settings.topic("projections.events"), settings.topic("projections.restricted")],
        topic_policy=policy(),
    )
    await kafka.ensure_topics(settings.kafka_bootstrap_servers, relay.topics, policy())
    producer = kafka.idempotent_producer(settings.kafka_bootstrap_servers)
    await producer.start()
    published = already
    try:
        async with pool.acquire() as connection:

            async def all_sent() -> bool:
                nonlocal published
                published += await relay.publish_batch(connection, producer)
                return published == await connection.fetchval("SELECT count(*) FROM events")

            await wait_for(all_sent, timeout=30, message="every event of projections sent")
    finally:
        await producer.stop()
    return published


async def on_the_topic(settings: ProjectionsSettings, at_least: int) -> dict[str, list]:
    """The conflict events on `projections.events`, per conflict in the order told."""
    records = await read_topic(
        settings.kafka_bootstrap_servers, settings.topic("projections.events"), at_least=at_least
    )
    streams: dict[str, list] = {}
    for record in records:
        envelope = kafka.decode(record.value)
        event = parse_payload(envelope.event_type, envelope.schema_version, envelope.payload)
        streams.setdefault(envelope.stream_id, []).append(event)
    return streams


async def test_the_weeks_conflicts_are_told_on_the_topic_as_they_appear_and_end_and_a_rebuild_tells_nothing_again(
    infrastructure, new_projections_database, unique_name
):
    """Acceptance (issue 15 #2): the four services' topics carry a week with a conflict of each kind; the
    schedule's consumer finds them, the service's relay puts them on `projections.events`; then the moves and
    cancellations resolve each, and the topic says so; a rebuild from offset 0 adds nothing to it."""
    bootstrap = infrastructure.bootstrap_servers
    settings = ProjectionsSettings(
        database_url="unused", kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=unique_name("told") + "."
    )
    week = planned()
    for topic, envelopes in by_topic(week).items():
        await publish(bootstrap, settings.topic(topic), envelopes)
    topics = [settings.topic(t) for t in ingest.TOPICS]
    subscription = schedule_subscription(settings)
    dsn = await new_projections_database()
    pool = await create_pool(dsn)
    try:
        async with consuming(pool, dsn, bootstrap, [subscription]) as tasks:
            await caught_up(pool, [subscription], tasks, await end_offsets(bootstrap, *topics))
            opened = {stream_of(cid): c for cid, c in (await conflicts(pool)).items()}
            sent = await publish_projections_events(pool, settings)
            streams = await on_the_topic(settings, at_least=sent)
            assert {c["kind"] for c in opened.values()} == KINDS
            assert {
                s for s, told in streams.items() if isinstance(told[-1], ScheduleConflictDetected)
            } == set(opened)

            before = len(week.envelopes)
            resolve_everything(week)
            resolutions = History()
            resolutions.envelopes.extend(week.envelopes[before:])
            for topic, envelopes in by_topic(resolutions).items():
                await publish(bootstrap, settings.topic(topic), envelopes)
            await caught_up(pool, [subscription], tasks, await end_offsets(bootstrap, *topics))
            sent = await publish_projections_events(pool, settings, already=sent)
            streams = await on_the_topic(settings, at_least=sent)
            assert sum(map(len, streams.values())) == sent
            assert set(opened) <= set(streams)
            assert all(isinstance(told[-1], ScheduleConflictResolved) for told in streams.values())
            assert {told[-1].kind for told in streams.values()} == KINDS
            assert all(c["resolved_at"] is not None for c in (await conflicts(pool)).values())

            await rebuild(pool, subscription)
            await caught_up(pool, [subscription], tasks, await end_offsets(bootstrap, *topics))
            # The view is back with no conflict open (the order it read the topics in may have hidden some of
            # history's: the rebuild test's caveat), and it told nothing again.
            assert all(c["resolved_at"] for c in (await conflicts(pool)).values())
            assert await publish_projections_events(pool, settings, already=sent) == sent
    finally:
        await pool.close()
