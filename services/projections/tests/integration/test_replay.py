"""The acceptance of the partner directory and catalogue: built from the real broker, then rebuilt by
replaying `partners.events` and `ipro.events` (the places positionings hold) from offset 0 into a fresh
database, the two answer exactly the same; and rebuilt in place, through changed logic which then applies
to the whole history."""

import asyncio
import contextlib
import dataclasses
from datetime import date, timedelta

import pytest
from aiokafka import AIOKafkaConsumer

from contracts.ipro import (
    FranceTravailRegistered,
    PositioningCancelled,
    PositioningConfirmed,
    PositioningWithdrawn,
)
from contracts.partners import (
    ActionClosed,
    ActionPublished,
    ActionType,
    CallContent,
    CallDrafted,
    ContactPersonAdded,
    PartnerReinstated,
    PartnerSuspended,
    PartnerWithdrawn,
    SessionCancelled,
    SessionMoved,
)
from devinfra.testkit import cancelled, wait_for
from kernel import kafka
from kernel.consumer import ConsumerRunner, Subscription
from kernel.database import create_pool
from kernel.views import rebuild
from projections import catalogue, partner_directory
from projections.bootstrap import subscriptions
from projections.settings import ProjectionsSettings
from services.projections.tests.builders import (
    NOW,
    TODAY,
    History,
    a_partner_accredited,
    a_partner_registered,
    a_positioning_proposed,
    a_session_scheduled,
    a_slot,
    an_action_created,
)

pytestmark = pytest.mark.integration


def the_partners_history() -> History:
    """A few weeks of the partners service, including events the views ignore and one duplicate."""
    history = History()
    history.record(
        "call",
        "call-1",
        CallDrafted(
            call_id="call-1",
            content=CallContent(
                title="AMI 2031",
                theme="Espace emploi",
                establishment="CP Arras",
                opens_on=date(2031, 1, 1),
                closes_on=date(2031, 2, 1),
                target_themes=[ActionType.JOB_SEARCH_WORKSHOP],
            ),
        ),
    )
    names = {
        "p-1": "Association Ressources Emploi",
        "p-2": "Mission locale",
        "p-3": "Auto-école sociale",
        "p-4": "Intérim solidaire",
    }
    for n, (partner_id, name) in enumerate(names.items()):
        history.partner(a_partner_registered(partner_id=partner_id, name=name, siret=f"{n:014d}"))
    history.partner(
        ContactPersonAdded(
            partner_id="p-1", contact_id="c-1", full_name="Jeanne Martin", email="jeanne.martin@example.org"
        )
    )
    for partner_id, days in {"p-1": 300, "p-2": 20, "p-3": 90}.items():
        history.partner(a_partner_accredited(partner_id, until=TODAY + timedelta(days=days)))
    suspended = history.partner(PartnerSuspended(partner_id="p-3", reason="incident"))
    history.partner(PartnerReinstated(partner_id="p-3"))
    history.envelopes.append(suspended)  # published twice by a relay that restarted: applied once
    history.partner(PartnerSuspended(partner_id="p-2", reason="incident"))
    history.partner(PartnerWithdrawn(partner_id="p-4", reason="fermeture"))

    history.action(an_action_created(action_id="a-1", partner_id="p-1"))
    history.action(a_session_scheduled("a-1", "s-1", NOW + timedelta(days=2)))
    history.action(a_session_scheduled("a-1", "s-2", NOW + timedelta(days=9)))
    history.action(a_session_scheduled("a-1", "s-3", NOW + timedelta(days=16)))
    history.action(ActionPublished(action_id="a-1"))
    history.action(SessionCancelled(action_id="a-1", session_id="s-2", reason="salle indisponible"))
    history.action(
        SessionMoved(
            action_id="a-1", session_id="s-3", slot=a_slot(NOW + timedelta(days=17), place="Salle B")
        )
    )
    history.action(
        an_action_created(
            action_id="a-2",
            partner_id="p-3",
            title="Code de la route",
            action_type=ActionType.ROAD_SAFETY,
            theme="Espace citoyen",
        )
    )
    history.action(a_session_scheduled("a-2", "s-1", NOW + timedelta(days=5)))
    history.action(ActionPublished(action_id="a-2"))
    history.action(an_action_created(action_id="a-3", partner_id="p-1", title="Brouillon"))
    history.action(a_session_scheduled("a-3", "s-1", NOW + timedelta(days=5)))
    history.action(an_action_created(action_id="a-4", partner_id="p-2", title="Fini"))
    history.action(a_session_scheduled("a-4", "s-1", NOW + timedelta(days=1)))
    history.action(ActionPublished(action_id="a-4"))
    history.action(SessionCancelled(action_id="a-4", session_id="s-1", reason="annulé"))
    history.action(ActionClosed(action_id="a-4"))
    return history


def the_ipro_history() -> History:
    """Positionings on a-1's first session (three, one withdrawn) and on a-2's (one, cancelled with the
    session), beside an event of IPRO the catalogue ignores; one published twice."""
    history = History()
    history.record(
        "pathway", "pathway-1", FranceTravailRegistered(pathway_id="pathway-1", registered_on=TODAY)
    )
    for n in range(1, 4):
        history.positioning(a_positioning_proposed(f"pos-{n}", "a-1", "s-1", partner_id="p-1"))
    duplicate = history.positioning(a_positioning_proposed("pos-4", "a-2", "s-1", partner_id="p-3"))
    history.positioning(PositioningConfirmed(positioning_id="pos-1"))
    history.positioning(PositioningWithdrawn(positioning_id="pos-2", reason="libéré"))
    history.envelopes.append(duplicate)
    history.positioning(PositioningCancelled(positioning_id="pos-4", reason="séance annulée"))
    return history


def policy() -> kafka.TopicPolicy:
    """The test broker's, as the session's environment gives it."""
    return ProjectionsSettings(database_url="unused").topic_policy()


async def publish(bootstrap: str, topic: str, history: History) -> None:
    """As the relay does: keyed by stream id (one stream, one partition), idempotent producer."""
    await kafka.ensure_topics(bootstrap, [topic], policy())
    producer = kafka.idempotent_producer(bootstrap)
    await producer.start()
    try:
        for envelope in history.envelopes:
            key, value, headers = kafka.encode(envelope)
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


async def end_offsets(bootstrap: str, *topics: str) -> dict[tuple[str, int], int]:
    partitions = await kafka.ensure_topics(bootstrap, list(topics), policy())  # those of existing topics
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        ends = await consumer.end_offsets(partitions)
        return {(tp.topic, tp.partition): offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


@contextlib.asynccontextmanager
async def consuming(pool, dsn: str, bootstrap: str, subs: list[Subscription]):
    tasks = [
        asyncio.create_task(ConsumerRunner(s, pool, bootstrap, dsn=dsn, topic_policy=policy()).run())
        for s in subs
    ]
    try:
        yield tasks
    finally:
        await cancelled(tasks)


async def catch_up(
    pool, dsn: str, bootstrap: str, subs: list[Subscription], ends: dict[tuple[str, int], int]
) -> None:
    """Run the consumers until every one's checkpoint is at the end of every partition."""
    async with consuming(pool, dsn, bootstrap, subs) as tasks:
        await caught_up(pool, subs, tasks, ends)


async def caught_up(pool, subs: list[Subscription], tasks, ends: dict[tuple[str, int], int]) -> None:
    """Every consumer's checkpoint at the end of every partition of the topics it reads."""
    names = [s.name for s in subs]

    async def at_the_end() -> bool:
        for task in tasks:
            if task.done():
                raise AssertionError(f"a consumer stopped: {task.exception()!r}")
        rows = await pool.fetch(
            """SELECT consumer, topic, partition, next_offset FROM consumer_checkpoints
               WHERE consumer = ANY($1)""",
            names,
        )
        have = {(r["consumer"], r["topic"], r["partition"]): r["next_offset"] for r in rows}
        return all(
            have.get((s.name, topic, p), 0) == end
            for s in subs
            for (topic, p), end in ends.items()
            if topic in s.topics
        )

    await wait_for(at_the_end, timeout=60, message=f"{names} at the end of the topic")


async def views(pool) -> dict:
    """What the routes answer (staff and a partner) and what the tables hold, "today" being fixed."""
    async with pool.acquire() as connection:
        directories = {
            "directory": await partner_directory.search(connection, today=TODAY),
            "accredited": await partner_directory.search(
                connection, today=TODAY, accreditation_status="accredited"
            ),
            "p-1's directory": await partner_directory.search(connection, today=TODAY, only_partner="p-1"),
        }
        catalogues = {
            "catalogue": await catalogue.search(connection, now=NOW),
            "p-1's catalogue": await catalogue.search(connection, now=NOW, only_partner="p-1"),
        }
        tables = {
            table: [dict(r) for r in await connection.fetch(f"SELECT * FROM {table} ORDER BY {order}")]
            for table, order in [
                ("directory_partners", "partner_id"),
                ("catalogue_actions", "action_id"),
                ("catalogue_sessions", "action_id, session_id"),
                ("catalogue_places", "positioning_id"),
            ]
        }
    for rows in tables.values():
        for row in rows:
            row.pop("projected_at", None)  # when the row was written: the one thing a replay changes
    answers = {name: (listed.total, [dict(r) for r in listed.rows]) for name, listed in directories.items()}
    answers |= {name: (listed.total, items) for name, (listed, items) in catalogues.items()}
    return {**answers, "tables": tables}


async def test_the_views_rebuilt_from_offset_0_into_a_fresh_database_are_identical(
    infrastructure, new_projections_database, unique_name
):
    bootstrap = infrastructure.bootstrap_servers
    settings = ProjectionsSettings(
        database_url="unused",
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=unique_name("replay") + ".",
    )
    topic, ipro_topic = settings.topic("partners.events"), settings.topic("ipro.events")
    history, ipro = the_partners_history(), the_ipro_history()
    await publish(bootstrap, topic, history)
    await publish(bootstrap, ipro_topic, ipro)
    ends = await end_offsets(bootstrap, topic, ipro_topic)
    on_partners = [end for (t, _), end in ends.items() if t == topic]
    assert sum(on_partners) == len(history.envelopes) and len([p for p in on_partners if p]) > 1
    assert sum(ends.values()) == len(history.envelopes) + len(ipro.envelopes)

    dsn_a, dsn_b = await new_projections_database(), await new_projections_database()
    pool_a, pool_b = await create_pool(dsn_a), await create_pool(dsn_b)
    try:
        await catch_up(pool_a, dsn_a, bootstrap, subscriptions(settings), ends)
        built = await views(pool_a)
        # Each row keeps its stream's version, so the duplicate was handed to the views and changed nothing:
        # the consumer records no event ids for them (ADR 41).
        processed = await pool_a.fetchval(
            "SELECT count(*) FROM processed_events WHERE consumer = $1",
            settings.topic("projections.partner-views"),
        )

        # A fresh database, fresh consumer names: no checkpoint, so the consumers start at offset 0.
        fresh = [dataclasses.replace(s, name=unique_name(s.name)) for s in subscriptions(settings)]
        await catch_up(pool_b, dsn_b, bootstrap, fresh, ends)
        rebuilt = await views(pool_b)

        # The directory learns to count contact persons. Kernel review M1: running the new logic on, or under
        # a new name over the rows already there (the old procedure), never applies it to past events.
        await pool_a.execute("ALTER TABLE directory_partners ADD COLUMN contacts int NOT NULL DEFAULT 0")
        partner_views, places, *_other_views = subscriptions(settings)
        counting = [_counting_contacts(partner_views), places]
        async with consuming(pool_a, dsn_a, bootstrap, counting) as tasks:
            await caught_up(pool_a, counting, tasks, ends)
            assert await _contacts(pool_a) == {"p-1": 0, "p-2": 0, "p-3": 0, "p-4": 0}
            await rebuild(pool_a, counting[0])  # while it runs: its consumer replays from offset 0
            await rebuild(pool_a, places)  # the places, from IPRO's topic, on their own
            await caught_up(pool_a, counting, tasks, ends)
            counted = await _contacts(pool_a)
        rebuilt_in_place = await views(pool_a)
    finally:
        await pool_a.close()
        await pool_b.close()

    assert rebuilt == built
    assert processed == 0
    assert counted == {"p-1": 1, "p-2": 0, "p-3": 0, "p-4": 0}  # p-1's contact, its stream's version 2
    for row in rebuilt_in_place["tables"]["directory_partners"]:
        row.pop("contacts")
    assert rebuilt_in_place == built
    assert_correct(built)
    dead_letters = await end_offsets(bootstrap, f"{topic}.dlq", f"{ipro_topic}.dlq")
    assert set(dead_letters.values()) == {0}  # nothing dead-lettered


def _counting_contacts(subscription: Subscription) -> Subscription:
    """The same views, with the directory counting each partner's contact persons (never their names)."""

    async def apply(connection, envelope, event) -> None:
        if isinstance(event, ContactPersonAdded):
            await connection.execute(
                """UPDATE directory_partners SET contacts = contacts + 1, stream_version = $2
                   WHERE partner_id = $1 AND stream_version < $2""",
                event.partner_id,
                envelope.stream_version,
            )
        else:
            await subscription.handler(connection, envelope, event)

    return dataclasses.replace(
        subscription, handler=apply, event_types=subscription.event_types | {ContactPersonAdded.event_type}
    )


async def _contacts(pool) -> dict[str, int]:
    return {
        r["partner_id"]: r["contacts"]
        for r in await pool.fetch("SELECT partner_id, contacts FROM directory_partners")
    }


def assert_correct(views: dict) -> None:
    total, directory = views["directory"]
    status = {
        p["partner_id"]: (p["accreditation_status"], p["accreditation_expires_soon"]) for p in directory
    }
    assert total == 4 and status == {
        "p-1": ("accredited", False),
        "p-2": ("suspended", False),
        "p-3": ("accredited", False),
        "p-4": ("withdrawn", False),
    }
    assert [p["partner_id"] for p in views["accredited"][1]] == ["p-1", "p-3"]
    assert [p["partner_id"] for p in views["p-1's directory"][1]] == ["p-1"]

    total, actions = views["catalogue"]
    assert total == 2
    assert [(a["action_id"], [(s["session_id"], s["place"]) for s in a["sessions"]]) for a in actions] == [
        ("a-1", [("s-1", "Salle polyvalente"), ("s-3", "Salle B")]),
        ("a-2", [("s-1", "Salle polyvalente")]),
    ]
    assert actions[0]["sessions"][1]["starts_at"] == NOW + timedelta(days=17)
    # Seats left (issue 13 #6): a-1's first session holds two places (pos-2 withdrawn), a-2's none (pos-4
    # cancelled with its session, its duplicate applied once).
    seats = {(a["action_id"], s["session_id"]): s["seats_left"] for a in actions for s in a["sessions"]}
    assert seats == {("a-1", "s-1"): 8, ("a-1", "s-3"): 10, ("a-2", "s-1"): 10}
    assert [a["action_id"] for a in views["p-1's catalogue"][1]] == ["a-1"]

    stored = repr(views["tables"])
    assert "Jeanne" not in stored and "Camille" not in stored and "incident" not in stored
    assert "person-" not in stored and "libéré" not in stored
