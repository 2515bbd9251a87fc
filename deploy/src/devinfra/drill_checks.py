"""What the fault drill checks once the faults are over and the load has stopped: every acknowledged command's
events in its service's store exactly once; every stored event on its service's topics, each stream in version
order with its hash links intact; each view holding every event exactly once (the live partner views equal a
rebuild from offset 0, each replica holds every case and action once, each reaction happened once)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from aiokafka import AIOKafkaConsumer

from devinfra.infra import SERVICES, database_url_variable
from devinfra.postgres import SUPERUSER, create_database
from devinfra.testkit import cancelled, query_value, stream_problems, wait_for
from kernel import kafka
from kernel.consumer import ConsumerRunner
from kernel.database import create_pool, migrate
from kernel.keyring import Keyring, KeyringSettings
from kernel.relay import backlog

CONVERGENCE_TIMEOUT = 120.0
WRITERS = ("assessment", "programmes", "ipro", "partners")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


async def drained(environment: dict[str, str], *, timeout: float) -> None:
    """Every relay has published every committed event."""

    async def nothing_left() -> bool:
        for service in SERVICES:
            connection = await asyncpg.connect(environment[database_url_variable(service)])
            try:
                if (await backlog(connection)).unpublished:
                    return False
            finally:
                await connection.close()
        return True

    await wait_for(nothing_left, timeout=timeout, interval=0.5, message="every relay drained")


async def check_everything(environment: dict[str, str], workload) -> list[Check]:
    acknowledged = defaultdict(list)
    for answer in workload.acknowledged:
        acknowledged[answer.command.service].append(answer.command.correlation_id)
    checks = [
        Check(
            "commands answered",
            not workload.refused and not workload.abandoned,
            f"{len(workload.acknowledged)} acknowledged, {len(workload.refused)} refused, "
            f"{len(workload.abandoned)} never answered",
        )
    ]
    for service in WRITERS:
        checks.append(await _stored_exactly_once(environment, service, acknowledged[service]))
        checks.append(await _published_in_order(environment, service))
    checks += await _views(environment)
    return checks


async def _stored_exactly_once(
    environment: dict[str, str], service: str, correlation_ids: list[str]
) -> Check:
    """Each acknowledged command wrote its events in one transaction, once (a retried command was replayed)."""
    rows = await _fetch(
        environment,
        service,
        """
        SELECT correlation_id, count(DISTINCT transaction_id) AS transactions FROM events
        WHERE correlation_id = ANY($1::text[]) GROUP BY correlation_id""",
        correlation_ids,
    )
    stored = {r["correlation_id"]: r["transactions"] for r in rows}
    lost = [c for c in correlation_ids if c not in stored]
    doubled = [c for c, transactions in stored.items() if transactions > 1]
    return Check(
        f"{service}: acknowledged commands stored exactly once",
        not lost and not doubled,
        f"{len(correlation_ids)} commands, {len(lost)} lost, {len(doubled)} applied twice"
        + (f" (e.g. {(lost + doubled)[0]})" if lost or doubled else ""),
    )


async def _published_in_order(environment: dict[str, str], service: str) -> Check:
    """Every stored event is on the service's topics (shareable or restricted), every stream in order."""
    stored = {r["event_id"] for r in await _fetch(environment, service, "SELECT event_id FROM events")}
    received = []
    for suffix in ("events", "restricted"):
        topic = f"{environment['KAFKA_TOPIC_PREFIX']}{service}.{suffix}"
        received += [(topic, kafka.decode(value)) for value in await whole_topic(environment, topic)]
    published = {envelope.event_id for _, envelope in received}
    problems = stream_problems(received)
    missing, extra = stored - published, published - stored
    return Check(
        f"{service}: every event on its topics, each stream in order",
        not (problems or missing or extra),
        f"{len(stored)} events, {len(received)} messages, {len(missing)} missing, {len(extra)} unknown, "
        f"{len(problems)} order or link problems" + (f" (e.g. {problems[0]})" if problems else ""),
    )


async def whole_topic(environment: dict[str, str], topic: str) -> list[bytes]:
    """Every record value of a topic, from its beginning to its end as it stands now, partition by partition."""
    partitions = await kafka.partitions_of(environment["KAFKA_BOOTSTRAP_SERVERS"], [topic])
    consumer = AIOKafkaConsumer(
        bootstrap_servers=environment["KAFKA_BOOTSTRAP_SERVERS"], enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        return [record.value for record in await kafka.read_to_end(consumer, partitions, ends)]
    finally:
        await consumer.stop()


async def _views(environment: dict[str, str]) -> list[Check]:
    cases = await _count(
        environment, "assessment", "SELECT count(*) FROM events WHERE event_type = 'assessment.case.opened'"
    )
    releases = await _count(
        environment, "assessment", "SELECT count(*) FROM events WHERE event_type = 'assessment.case.closed'"
    )
    actions = await _count(
        environment, "partners", "SELECT count(*) FROM events WHERE event_type = 'partners.action.created'"
    )
    live = environment["PROJECTIONS_DATABASE_URL"]
    async with _rebuilding_partner_views(environment) as rebuilt:
        return [
            await _eventually(
                "projections: the live partner views equal a rebuild from offset 0",
                lambda: _same_views(live, rebuilt),
            ),
            await _eventually(
                "programmes: every case replicated once",
                lambda: _holds(environment, "programmes", "SELECT count(*) FROM followed_cases", cases),
            ),
            await _eventually(
                "ipro: every case replicated once",
                lambda: _holds(environment, "ipro", "SELECT count(*) FROM followed_cases", cases),
            ),
            await _eventually(
                "ipro: one pathway opened per case (a reaction, once each)",
                lambda: _holds(
                    environment,
                    "ipro",
                    "SELECT count(*) FROM events WHERE event_type = 'ipro.pathway.opened'",
                    cases,
                ),
            ),
            await _eventually(
                "ipro: one pathway closed per release (a reaction, once each)",
                lambda: _holds(
                    environment,
                    "ipro",
                    "SELECT count(*) FROM events WHERE event_type = 'ipro.pathway.closed'",
                    releases,
                ),
            ),
            await _eventually(
                "programmes: every release replicated once",
                lambda: _holds(
                    environment,
                    "programmes",
                    "SELECT count(*) FROM followed_cases WHERE closed_on IS NOT NULL",
                    releases,
                ),
            ),
            await _eventually(
                "ipro: every partner action replicated once",
                lambda: _holds(environment, "ipro", "SELECT count(*) FROM catalogue_actions", actions),
            ),
        ]


async def _eventually(name: str, probe) -> Check:
    """A view converges once its consumer caught up: the check is read until it holds, or the time is up."""
    last = ""

    async def holds() -> bool:
        nonlocal last
        ok, last = await probe()
        return ok

    try:
        await wait_for(holds, timeout=CONVERGENCE_TIMEOUT, interval=1.0, message=name)
    except AssertionError:
        return Check(name, False, last)
    return Check(name, True, last)


async def _holds(environment, service: str, sql: str, expected: int) -> tuple[bool, str]:
    found = await _count(environment, service, sql)
    return found == expected, f"{found} rows for {expected} expected"


async def _same_views(live: str, rebuilt: str) -> tuple[bool, str]:
    now, replayed = await _partner_views(live), await _partner_views(rebuilt)
    same = now == replayed
    return same, f"{sum(map(len, now.values()))} rows live, {sum(map(len, replayed.values()))} rebuilt" + (
        "" if same else ", different"
    )


# The partner views the drill compares with their rebuild, and the order their rows are compared in.
PARTNER_VIEW_TABLES = {
    "directory_partners": "partner_id",
    "catalogue_actions": "action_id",
    "catalogue_sessions": "action_id, session_id",
}


@contextlib.asynccontextmanager
async def _rebuilding_partner_views(environment: dict[str, str]) -> AsyncIterator[str]:
    """The partner views replayed from offset 0 into a scratch database by the projections' own code, which
    goes on consuming while the checks read: its database's DSN."""
    from projections.bootstrap import DEFINITION
    from projections.settings import ProjectionsSettings

    # A scratch database is the local server's superuser's to make: the services' roles may not (ADR 20).
    served = urlsplit(environment["PROJECTIONS_DATABASE_URL"])
    base = urlunsplit(served._replace(netloc=f"{SUPERUSER}@{served.hostname}:{served.port}", path=""))
    await create_database(f"{base}/postgres", "drill_rebuilt")
    dsn = f"{base}/drill_rebuilt"
    await migrate(dsn, DEFINITION.migrations)
    settings = ProjectionsSettings(
        database_url=dsn,
        kafka_bootstrap_servers=environment["KAFKA_BOOTSTRAP_SERVERS"],
        kafka_topic_prefix=environment["KAFKA_TOPIC_PREFIX"],
        kafka_replication_factor=int(environment["KAFKA_REPLICATION_FACTOR"]),
        kafka_min_insync_replicas=int(environment["KAFKA_MIN_INSYNC_REPLICAS"]),
    )
    pool = await create_pool(dsn)
    keyring = await Keyring.open(  # partners' contact names arrive sealed (issue 17)
        KeyringSettings(
            KEYRING_DATABASE_URL=environment["KEYRING_DATABASE_URL"], KEYRING_KEK=environment["KEYRING_KEK"]
        )
    )
    tasks = [
        asyncio.create_task(
            ConsumerRunner(
                s,
                pool,
                settings.kafka_bootstrap_servers,
                dsn=dsn,
                topic_policy=settings.topic_policy(),
                keyring=keyring,
            ).run()
        )
        for s in DEFINITION.subscriptions(settings, None)
        if set(s.tables) & set(PARTNER_VIEW_TABLES)  # only what the check compares: the others cost cores
    ]
    try:
        yield dsn
    finally:
        await cancelled(tasks)
        await pool.close()
        await keyring.close()


async def _partner_views(dsn: str) -> dict[str, list]:
    connection = await asyncpg.connect(dsn)
    try:
        views = {}
        for table, order in PARTNER_VIEW_TABLES.items():
            rows = await connection.fetch(f"SELECT * FROM {table} ORDER BY {order}")
            views[table] = [
                json.dumps({k: v for k, v in dict(r).items() if k != "projected_at"}, default=str)
                for r in rows
            ]
        return views
    finally:
        await connection.close()


async def _count(environment, service: str, sql: str) -> int:
    return await query_value(environment[database_url_variable(service)], sql)


async def _fetch(environment, service: str, sql: str, *args) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(environment[database_url_variable(service)])
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()
