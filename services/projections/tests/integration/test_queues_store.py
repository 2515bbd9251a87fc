"""The queues' view in PostgreSQL: the same facts whatever order the topics deliver a person's events in, and a
person's queue read by an index range on their id, not a scan of every case or pathway."""

import json
import random
from collections import defaultdict
from datetime import date, time, timedelta

import pytest

from contracts import parse_payload
from contracts.ipro import AffectationDecided, ContractEnded, ContractEndReason, WeeklySlot, WorkRegime
from kernel.database import create_pool
from projections.queues import ingest, store
from projections.queues.rules import ItemKind
from services.projections.tests.queue_facts import ARRAS, TODAY, the_quarter

pytestmark = pytest.mark.integration


async def apply(pool, envelopes) -> None:
    for envelope in envelopes:
        event = parse_payload(envelope.event_type, envelope.schema_version, envelope.payload)
        async with pool.acquire() as connection, connection.transaction():
            await ingest.apply(connection, envelope, event)


async def the_view(pool) -> dict:
    async with pool.acquire() as connection:
        return {
            table: sorted(
                str(sorted(dict(r).items())) for r in await connection.fetch(f"SELECT * FROM {table}")
            )
            for table in ingest.TABLES
        }


def as_delivered(envelopes, seed: int) -> list:
    """One interleaving the consumer may see: a stream's events keep their order on one topic's partition, but
    its restricted ones travel on another topic, and streams and topics interleave at random."""
    queues = defaultdict(list)
    for envelope in envelopes:
        queues[(envelope.stream_id, envelope.restricted)].append(envelope)
    rng, lanes, delivered = random.Random(seed), list(queues.values()), []
    while lanes:
        lane = rng.choice(lanes)
        delivered.append(lane.pop(0))
        if not lane:
            lanes.remove(lane)
    return delivered


async def test_the_facts_do_not_depend_on_the_order_the_topics_deliver_them(new_projections_database):
    envelopes = the_quarter().envelopes
    in_order = await create_pool(await new_projections_database())
    try:
        await apply(in_order, envelopes)
        expected = await the_view(in_order)
    finally:
        await in_order.close()
    assert len(expected["queue_cases"]) == 5 and len(expected["queue_activities"]) == 4
    for seed in range(3):
        delivered = as_delivered(envelopes, seed)
        assert delivered != envelopes
        pool = await create_pool(await new_projections_database())
        try:
            await apply(pool, delivered)
            assert await the_view(pool) == expected, seed
        finally:
            await pool.close()


class Explaining:
    """A connection whose queries are explained before they run: the plans the store's reads get."""

    def __init__(self, connection) -> None:
        self.connection, self.plans = connection, []

    async def fetch(self, sql: str, *args):
        plan = await self.connection.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *args)
        self.plans.append(plan if isinstance(plan, str) else json.dumps(plan))
        return await self.connection.fetch(sql, *args)


async def test_a_cpips_and_an_advisers_queue_read_their_index_range(projections_dsn):
    pool = await create_pool(projections_dsn)
    try:
        async with pool.acquire() as connection:
            # A region's worth of people: 20,000 open cases and pathways among 400 CPIPs and 60 advisers.
            await connection.execute(
                """INSERT INTO queue_cases (case_id, subject_id, establishment, referent, opened_on)
                   SELECT 'case-' || n, 'person-' || n, $1, 'cpip-' || (n % 400), $2
                   FROM generate_series(1, 20000) n""",
                ARRAS,
                TODAY - timedelta(days=10),
            )
            await connection.execute(
                """INSERT INTO queue_pathways (pathway_id, case_id, subject_id, establishment, adviser)
                   SELECT 'pathway-' || n, 'case-' || n, 'person-' || n, $1, 'cip-' || (n % 60)
                   FROM generate_series(1, 20000) n""",
                ARRAS,
            )
            await connection.execute("ANALYZE queue_cases; ANALYZE queue_pathways; ANALYZE queue_activities")
            explaining = Explaining(connection)
            cases = await store.cases(explaining, referent="cpip-7", establishments=[ARRAS])
            pathways = await store.pathways(explaining, adviser="cip-7", establishments=[ARRAS], today=TODAY)
    finally:
        await pool.close()
    assert len(cases) == 50 and len(pathways) == 334
    cases_plan, pathways_plan = explaining.plans
    assert "queue_cases_referent" in cases_plan and '"Seq Scan"' not in cases_plan, cases_plan
    assert "queue_pathways_adviser" in pathways_plan, pathways_plan


async def test_a_post_that_ended_puts_the_person_back_on_the_waiting_list_not_before_the_governor(pool):
    """The employer interview that led to the post is spent: a new one must come before a new affectation."""
    history = the_quarter()
    history.record(
        "work",
        "work-2",
        AffectationDecided(
            work_id="work-2",
            affectation_id="aff-1",
            regime=WorkRegime.SERVICE_GENERAL,
            post="Cuisine",
            workshop="Cuisine",
            employer="Établissement",
            schedule=[WeeklySlot(weekday=0, starts_at=time(8), ends_at=time(12))],
            starts_on=date(2031, 5, 5),
        ),
        subject="person-2",
    )
    await apply(pool, history.envelopes)
    async with pool.acquire() as connection:
        assert [d.kind for d in await store.decisions(connection, establishments=[ARRAS])] == [
            ItemKind.CLASSEMENT,
            ItemKind.LEAVE,
        ]
        assert await store.waiting_for_post(connection, establishments=[ARRAS]) == []
    history.record(
        "work",
        "work-2",
        ContractEnded(
            work_id="work-2", contract_id="c-1", reason=ContractEndReason.AGREEMENT, ended_on=TODAY
        ),
        subject="person-2",
    )
    await apply(pool, history.envelopes[-1:])
    async with pool.acquire() as connection:
        assert ItemKind.AFFECTATION not in {
            d.kind for d in await store.decisions(connection, establishments=[ARRAS])
        }
        assert [w.work_id for w in await store.waiting_for_post(connection, establishments=[ARRAS])] == [
            "work-2"
        ]
