"""`make bench`: the system's throughput, latency and memory beside the physical references, in one run.

Everything runs on this machine in a temporary folder on free ports, never on the `make up` instance: a
fresh PostgreSQL and Kafka broker, then the five services as real uvicorn processes. The references and
the kernel are measured before the services start, so that nothing else of ours competes for the cores.
Then a year of a regional direction is generated into the stores and verified (`audit_verify`, issue 16), and
the services start on it: their relays publish it, and the person file is measured with it loaded
(`person_file_phases`, issue 14), then the schedule (`schedule_phases`, issue 15).
ARCHITECTURE.md §9; the targets come from the issue. Prints a table, writes var/bench/<stamp>.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import ClassVar

import asyncpg
import audit_verify
import httpx
import list_phases as lists
import person_file_phases as person_file
import psutil
import schedule_phases as schedule
import sweep
import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cpuclock import cpu_window, describe
from loadgen import BODIES_SCRIPT, PATHS_SCRIPT, Operation, closed_loop, measured_wrk, wait_until, wrk
from table import Row, as_json, at_most_row, failed_row, ratio_row, render, write_json

from contracts import Actor, Event, personal_data
from devinfra.infra import SERVICES, Infrastructure, Ports, database_url_variable
from devinfra.kafka import kafka_version
from devinfra.keyring import keyring_environment
from devinfra.subject_ids import subject_id_environment
from devinfra.testkit import LocalSystem, valid_siret
from devinfra.tokens import DevKeys
from kernel import database
from kernel import kafka as kernel_kafka
from kernel.eventstore import EventStore, Metadata
from kernel.keyring import Keyring, KeyringSettings, LocalKeyWrapper

REPO_ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = 8  # database connections, for the raw and kernel figures alike
WARMUP_S, MEASURE_S = 1.0, 8.0
WRK_SECONDS = 8
HTTP_CONCURRENCY = 16  # enough in-flight requests to keep one uvicorn process busy
KAFKA_PRODUCE_S = 4.0
KERNEL_RATIO, HTTP_RATIO, RSS_LIMIT_MB = 0.70, 0.15, 150
WINDOWS = 4  # figures compared side by side alternate, each measured MEASURE_S / 4 s per window
ACTOR = Actor(subject="bench", role="ipro_chef")
# Distinct SIRET ranges per phase: the service refuses a SIRET registered twice.
WARMUP_SIRETS, THROUGHPUT_SIRETS, LATENCY_SIRETS = count(1), count(1_000_000), count(2_000_000)


class SampleRecorded(Event):
    """A small event of the benchmark's own, so the kernel figure does not depend on any service."""

    event_type: ClassVar[str] = "bench.sample.recorded"
    schema_version: ClassVar[int] = 1
    sample_id: str
    label: str
    quantity: int
    note: str


class PersonalSampleRecorded(Event):
    """The same, its texts marked personal: sealed by the event store (issue 17)."""

    event_type: ClassVar[str] = "bench.sample.personal_recorded"
    schema_version: ClassVar[int] = 1
    sample_id: str
    label: str = personal_data()
    quantity: int
    note: str = personal_data()


def a_sample(kind: type[Event] = SampleRecorded) -> Event:
    return kind(
        sample_id=str(uuid.uuid4()),
        label="Atelier emploi",
        quantity=3,
        note="Séance collective, présence confirmée par le partenaire.",
    )


def an_event_row() -> dict:
    """An event row's main columns as one JSON document: the raw insert writes about as many bytes
    (compare `row_bytes` of both phases in the JSON output)."""
    return {
        "event_id": str(uuid.uuid4()),
        "stream_id": str(uuid.uuid4()),
        "event_type": SampleRecorded.event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
        "actor": ACTOR.model_dump(),
        "payload": a_sample().model_dump(),
        "hash": "f" * 64,
    }


def partner_body(number: int) -> dict:
    return {
        "name": f"Association bench {number}",
        "siret": valid_siret(number),
        "organisation_type": "association",
    }


@dataclass
class Run:
    infra: Infrastructure
    keys: DevKeys
    workdir: Path
    stamp: str = ""  # the run's name: var/bench/<stamp>.json, <stamp>-latency.png
    system: LocalSystem | None = None
    projections: asyncpg.Connection | None = None  # reads the directory table directly, no HTTP polling
    partners: asyncpg.Connection | None = None  # reads the partners event store: the registrations made
    year: dict | None = None  # the generated year's summary: its people, their cases (person_file_phases)
    rows: list[Row] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    def groups(self) -> dict[str, list[psutil.Process]]:
        """Our processes, by role, for the CPU accounting of each measured window."""
        groups = {"bench client": [psutil.Process()]}
        postmaster = _postmaster(self.infra)
        groups["postgres"] = [postmaster, *postmaster.children(recursive=True)]
        groups["kafka"] = [_broker(self.infra)]
        for name, service in self.system.services.items() if self.system else []:
            if (process := service.process()) is not None:
                key = name if name in ("partners", "projections") else "other services"
                groups.setdefault(key, []).append(process)
        return groups

    async def close_connections(self) -> None:
        for connection in (self.projections, self.partners):
            if connection is not None:
                await connection.close()

    def record(self, phase: str, result: dict, cpu: dict, operations: int) -> None:
        self.details[phase] = {**result, "cpu_seconds": cpu, "cpu": describe(cpu, operations)}


def _postmaster(infra: Infrastructure) -> psutil.Process:
    return psutil.Process(int((infra.postgres.data_dir / "postmaster.pid").read_text().split()[0]))


def _broker(infra: Infrastructure) -> psutil.Process:
    return psutil.Process(int(infra.kafka.pid_file.read_text()))


# --- 1. and 2.: PostgreSQL, raw and through the kernel's event store --------------------------------------


@contextlib.asynccontextmanager
async def raw_inserts(dsn: str) -> AsyncIterator[tuple[Operation, asyncpg.Connection]]:
    """The physical reference: single-row insert transactions of an event-sized JSON document, one connection
    per worker (and one of them, to look at the table)."""
    connections = [await asyncpg.connect(dsn) for _ in range(CONCURRENCY)]
    try:
        await connections[0].execute(
            "CREATE TABLE raw_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body jsonb NOT NULL)"
        )
        body = json.dumps(an_event_row())

        async def insert(worker: int) -> bool:
            await connections[worker].execute("INSERT INTO raw_rows (body) VALUES ($1::jsonb)", body)
            return True

        yield insert, connections[0]
    finally:
        for connection in connections:
            await connection.close()


async def raw_postgres(run: Run) -> list[Row]:
    async with raw_inserts(await run.infra.create_database("bench_raw")) as (insert, connection):
        await closed_loop(insert, workers=CONCURRENCY, duration=WARMUP_S)
        with cpu_window(run.groups) as cpu:
            result = await closed_loop(insert, workers=CONCURRENCY, duration=MEASURE_S)
        result["row_bytes"] = float(
            await connection.fetchval("SELECT avg(pg_column_size(r.*)) FROM raw_rows r")
        )
    run.record("pg_raw", result, cpu, result["done"])
    return [Row("PostgreSQL raw insert tx (8 conn)", result["per_second"], "tx/s", note=_failures(result))]


async def interleaved(run: Run, operations: dict[str, Operation]) -> dict[str, dict]:
    """Each of `operations` measured in `WINDOWS` windows alternating with the others', MEASURE_S in all each,
    so that both sides of a ratio meet the same load from the rest of the machine. Measured a minute apart,
    the kernel's ratio to raw inserts ranged from 57 % to 73 % for the same code, and a sealed figure once
    came out above the plain one. Returns each side's rate, failures and CPU."""
    window = MEASURE_S / WINDOWS
    sides = {name: {"done": 0, "failed": 0, "cpu": {}} for name in operations}
    for _ in range(WINDOWS):
        for name, operation in operations.items():
            with cpu_window(run.groups) as cpu:
                result = await closed_loop(operation, workers=CONCURRENCY, duration=window)
            side = sides[name]
            side["done"] += result["done"]
            side["failed"] += result["failed"]
            for group, seconds in cpu.items():
                side["cpu"][group] = side["cpu"].get(group, 0.0) + seconds
    for side in sides.values():
        side.update(per_second=side["done"] / MEASURE_S, seconds=MEASURE_S, windows=WINDOWS)
    return sides


async def kernel_appends(run: Run) -> list[Row]:
    """Two shapes: `EventStore.append` (its own transaction, shared with the appends made at the same time by
    group commit: the figure the target is about), measured in windows alternating with raw inserts on the same
    database, and the same append inside an explicit transaction, as a command holding other statements runs
    it (one connection each, no group)."""
    dsn = await run.infra.create_database("bench_kernel")
    await database.migrate(dsn)
    pool = await database.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)
    store = EventStore(pool)

    async def append(_: int) -> bool:
        await store.append("bench", str(uuid.uuid4()), 0, [a_sample()], Metadata(actor=ACTOR))
        return True

    async def append_in_transaction(_: int) -> bool:
        async with store.transaction() as session:
            await session.append("bench", str(uuid.uuid4()), 0, [a_sample()], Metadata(actor=ACTOR))
        return True

    try:
        async with raw_inserts(dsn) as (insert, _):
            for operation in (insert, append):
                await closed_loop(operation, workers=CONCURRENCY, duration=WARMUP_S)
            sides = await interleaved(run, {"raw": insert, "kernel": append})
        kernel, raw = sides["kernel"], sides["raw"]
        kernel["row_bytes"] = float(await pool.fetchval("SELECT avg(pg_column_size(e.*)) FROM events e"))
        # Group commit at work: events per transaction.
        kernel["appends_per_commit"] = float(
            await pool.fetchval("SELECT count(*)::float / count(DISTINCT transaction_id) FROM events")
        )
        run.record("kernel", kernel, kernel["cpu"], kernel["done"])
        run.record("kernel_raw", raw, raw["cpu"], raw["done"])
        row = ratio_row(
            "Kernel appends (8 callers)",
            kernel["per_second"],
            "appends/s",
            "pg raw, interleaved",
            raw["per_second"],
            KERNEL_RATIO,
        )
        row.note = _failures(kernel) or f"{kernel['appends_per_commit']:.1f} appends per commit"
        rows = [row]

        await closed_loop(append_in_transaction, workers=CONCURRENCY, duration=WARMUP_S)
        with cpu_window(run.groups) as cpu:
            result = await closed_loop(append_in_transaction, workers=CONCURRENCY, duration=MEASURE_S)
        run.record("kernel_tx", result, cpu, result["done"])
        row = ratio_row(
            "  same, in a BEGIN…COMMIT transaction",
            result["per_second"],
            "appends/s",
            "pg raw",
            run.details.get("pg_raw", {}).get("per_second"),
            None,
        )
        row.note = _failures(result)
        rows.append(row)
        rows.append(await sealed_appends(run, pool))
    finally:
        await pool.close()
    return rows


async def sealed_appends(run: Run, pool: asyncpg.Pool) -> Row:
    """Issue 17: the kernel figure again, two personal fields sealed per append with the keys of 1,000 people
    (their keys made and cached before measuring, as a service keeps those of the people it writes about).

    Compared with plain appends measured in alternating windows (`interleaved`), not with the kernel row."""
    keyring = await Keyring.open(
        KeyringSettings(
            KEYRING_DATABASE_URL=await run.infra.create_database("bench_keyring"),
            KEYRING_KEK=LocalKeyWrapper.generate_spec("bench"),
        )
    )
    plain, sealed = EventStore(pool), EventStore(pool, keyring=keyring)
    people = [f"person-{n}" for n in range(1000)]

    # Both sides differ only by the sealing: the same kind of person, the same model construction (each
    # event about someone, as a service's are: a subject costs its index entry either way).
    def append_to(store: EventStore, kind: type[Event]):
        async def append(worker: int) -> bool:
            subject = people[(worker * 7919 + int(time.perf_counter_ns())) % len(people)]
            await store.append(
                "bench", str(uuid.uuid4()), 0, [a_sample(kind)], Metadata(actor=ACTOR), subject=subject
            )
            return True

        return append

    append_plain = append_to(plain, SampleRecorded)
    append_sealed = append_to(sealed, PersonalSampleRecorded)

    try:
        # Every person's key exists and is cached before measuring, as a service holds those of the people it
        # writes about: a key is made once per person (a keyring round trip), not per append. A second of
        # warm-up appends met only about 40 % of them, and the rest were created in the measured windows.
        for person in people:
            await keyring.for_writing(person)
        await closed_loop(append_sealed, workers=CONCURRENCY, duration=WARMUP_S)
        sides = await interleaved(run, {"plain": append_plain, "sealed": append_sealed})
    finally:
        await keyring.close()
    plain, sealed = sides["plain"], sides["sealed"]
    result = {**sealed, "plain_per_second": plain["per_second"], "failed": plain["failed"] + sealed["failed"]}
    # Each side's CPU per append (this client and PostgreSQL): the box's other load moves it far less than it
    # moves a throughput, so it says what sealing costs when the ratio is noisy.
    ours = {
        name: sum(side["cpu"].get(group, 0.0) for group in ("bench client", "postgres"))
        / max(side["done"], 1)
        for name, side in sides.items()
    }
    result["cpu_ms_per_append"] = {name: 1000 * used for name, used in ours.items()}
    run.record("kernel_sealed", result, sealed["cpu"], sealed["done"])
    run.record("kernel_plain", {"done": plain["done"]}, plain["cpu"], plain["done"])
    row = ratio_row(
        "  same, personal fields sealed",
        result["per_second"],
        "appends/s",
        "plain, interleaved",
        result["plain_per_second"],
        0.85,
    )
    row.note = _failures(result) or (
        f"CPU per append (client and PostgreSQL): plain {1000 * ours['plain']:.2f} ms, sealed "
        f"{1000 * ours['sealed']:.2f} ms ({ours['plain'] / ours['sealed']:.0%} of the appends for the same CPU)"
    )
    return row


# --- 5.: Kafka, raw -----------------------------------------------------------------------------------------


async def raw_kafka(run: Run) -> list[Row]:
    """acks=all idempotent producer, ~1 KB values, sends awaited together at the end; then read them all."""
    bootstrap, topic = run.infra.bootstrap_servers, "bench.raw-reference"
    await kernel_kafka.ensure_topics(bootstrap, [topic], kernel_kafka.TopicPolicy(3, 1, 1))
    value = os.urandom(512).hex().encode()  # 1 KiB that does not compress
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        await asyncio.gather(*[await producer.send(topic, value, key=b"warm-%d" % i) for i in range(1000)])
        sent, pending = 0, []
        with cpu_window(run.groups) as produce_cpu:
            started = time.perf_counter()
            while time.perf_counter() - started < KAFKA_PRODUCE_S:
                pending.append(await producer.send(topic, value, key=b"%d" % sent))
                sent += 1
            await asyncio.gather(*pending)
            produce_s = time.perf_counter() - started
    finally:
        await producer.stop()
    produced = {"per_second": sent / produce_s, "done": sent, "seconds": produce_s}
    run.record("kafka_produce", produced, produce_cpu, sent)

    total, received = sent + 1000, 0
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        with cpu_window(run.groups) as consume_cpu:
            started = time.perf_counter()
            while received < total:
                if time.perf_counter() - started > 60:
                    raise TimeoutError(f"read {received} of {total} messages in 60 s")
                batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
                received += sum(len(records) for records in batches.values())
            consume_s = time.perf_counter() - started
    finally:
        await consumer.stop()
    consumed = {"per_second": total / consume_s, "done": total, "seconds": consume_s}
    run.record("kafka_consume", consumed, consume_cpu, total)
    return [
        Row("Kafka raw produce (acks=all, 1 KB)", produced["per_second"], "msgs/s"),
        Row("Kafka raw consume (1 KB)", consumed["per_second"], "msgs/s"),
    ]


# --- the services -----------------------------------------------------------------------------------------


async def start_services(run: Run) -> None:
    environment = {
        **run.infra.kafka_environment(),
        "KAFKA_TOPIC_PREFIX": "bench.",
        "AUTH_JWKS_FILE": str(run.keys.jwks_path),
        "LOG_LEVEL": "WARNING",
        # One token reads thousands of files a second: the per-user rate limit would measure itself (ADR 21).
        "RATE_LIMIT_USER_PER_SECOND": "0",
        **await keyring_environment(run.infra, run.workdir / "keys"),
        **subject_id_environment(run.workdir / "keys"),
    }
    for service in SERVICES:
        environment[database_url_variable(service)] = await run.infra.create_database(service)
    run.system = LocalSystem(run.workdir / "services", environment, list(SERVICES))
    started = time.perf_counter()
    await asyncio.to_thread(run.system.start)
    async with httpx.AsyncClient(timeout=5) as http:
        for service in SERVICES:
            url = f"{run.system.url(service)}/ready"
            await wait_until(
                lambda url=url: _answers_200(http, url), timeout=60, what=f"{service} ready", interval=0.2
            )
    run.details["services_start_s"] = time.perf_counter() - started
    run.projections = await asyncpg.connect(environment["PROJECTIONS_DATABASE_URL"])
    run.partners = await asyncpg.connect(environment[database_url_variable("partners")])


async def _answers_200(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


def rss_rows(run: Run, moment: str) -> list[Row]:
    rows = [
        at_most_row(f"RSS {name} ({moment})", service.process().memory_info().rss / 2**20, "MB", RSS_LIMIT_MB)
        for name, service in run.system.services.items()
    ]
    servers = (("Kafka broker", _broker(run.infra)), ("PostgreSQL postmaster", _postmaster(run.infra)))
    for name, process in servers:
        rows.append(Row(f"RSS {name} ({moment})", process.memory_info().rss / 2**20, "MB"))
    return rows


def partners_client(run: Run, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=run.system.url("partners"),
        timeout=30,
        headers={"Authorization": f"Bearer {run.keys.mint('ipro_chef', subject='bench')}"},
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


async def projected_count(run: Run) -> int:
    return await run.projections.fetchval("SELECT count(*) FROM directory_partners")


async def registered_count(run: Run) -> int:
    """The organisations registered so far, as the partners service's event store holds them. Not a tally of
    the 201s the load generators read: wrk stops with requests in flight, which the service still completes."""
    return await run.partners.fetchval("SELECT count(*) FROM events WHERE event_type = $1", sweep.REGISTERED)


async def settle(run: Run, http: httpx.AsyncClient) -> float:
    """Register one partner and wait until the projection holds every partner registered so far.

    Both a warm-up (the first event also waits for the relay and the consumer to be running) and a
    barrier: no backlog of an earlier phase may inflate the next one. Returns how long it took."""
    started = time.perf_counter()
    response = await http.post("/partners", json=partner_body(next(WARMUP_SIRETS)))
    response.raise_for_status()
    await wait_until(lambda: _all_projected(run), timeout=90, what="the projection to catch up")
    return time.perf_counter() - started


async def _all_projected(run: Run) -> bool:
    return await projected_count(run) >= await registered_count(run)


# --- 3. and 4.: HTTP commands through the partners service ------------------------------------------------


async def http_throughput(run: Run) -> list[Row]:
    """`POST /partners` back to back with 16 in flight, beside `GET /health` (this HTTP stack's floor: same
    server, middlewares and token, no work), with wrk so that the figures are the service's, not the
    load generator's (issue 19 §1); with the benchmark's Python client when wrk is missing."""
    async with partners_client(run, HTTP_CONCURRENCY) as http:
        await settle(run, http)
        if shutil.which("wrk"):
            floor, result, cpu = await _http_with_wrk(run)
        else:
            floor, result, cpu = await _http_with_python(run, http)
        # How far the relay and the projection fell behind the commands: the backlog they still had.
        result["backlog_at_end"] = await registered_count(run) - await projected_count(run)
        result["catch_up_s"] = await settle(run, http)
    run.record("http", result, cpu, result["done"])
    reference = run.details.get("pg_raw", {}).get("per_second")
    row = ratio_row(
        f"HTTP POST /partners ({HTTP_CONCURRENCY} in flight)",
        result["per_second"],
        "commands/s",
        "pg raw",
        reference,
        HTTP_RATIO,
    )
    row.note = "; ".join(filter(None, [result["tool"], _failures(result)]))
    return [
        row,
        ratio_row(
            "  same, against the HTTP floor",
            result["per_second"],
            "commands/s",
            "GET /health",
            floor["per_second"],
            None,
        ),
        Row(
            "  projection backlog at end of that run",
            result["backlog_at_end"],
            "events",
            note=f"caught up {result['catch_up_s']:.1f} s later",
        ),
    ]


async def _http_with_wrk(run: Run) -> tuple[dict, dict, dict]:
    url, token = run.system.url("partners"), run.keys.mint("ipro_chef", subject="bench")
    health = run.workdir / "health.paths"
    health.write_text("/health\n")
    floor = await asyncio.to_thread(wrk, url, PATHS_SCRIPT, [health, token], HTTP_CONCURRENCY, WRK_SECONDS)

    def bodies(name: str, sirets: count, lines: int) -> Path:
        path = run.workdir / f"{name}.bodies"
        path.write_text("".join(json.dumps(partner_body(next(sirets))) + "\n" for _ in range(lines)))
        return path

    warm_up, measured = bodies("warm-up", WARMUP_SIRETS, 2_000), bodies("partners", THROUGHPUT_SIRETS, 50_000)
    await asyncio.to_thread(wrk, url, BODIES_SCRIPT, ["/partners", warm_up, token], HTTP_CONCURRENCY, 1)
    result, cpu = await measured_wrk(
        run.groups, url, BODIES_SCRIPT, ["/partners", measured, token], HTTP_CONCURRENCY, WRK_SECONDS
    )
    created = result["done"] - result["failed"]  # wrk counts every answer; only 201s are commands done
    result["per_second"] *= created / max(1, result["done"])
    result["done"] = created
    return floor, result, cpu


async def _http_with_python(run: Run, http: httpx.AsyncClient) -> tuple[dict, dict, dict]:
    async def register(_: int) -> bool:
        response = await http.post("/partners", json=partner_body(next(THROUGHPUT_SIRETS)))
        return response.status_code == 201

    async def health(_: int) -> bool:
        return (await http.get("/health")).status_code == 200

    floor = await closed_loop(health, workers=HTTP_CONCURRENCY, duration=WARMUP_S)
    await closed_loop(register, workers=HTTP_CONCURRENCY, duration=WARMUP_S)
    with cpu_window(run.groups) as cpu:
        result = await closed_loop(register, workers=HTTP_CONCURRENCY, duration=MEASURE_S)
    return floor, {**result, "tool": "httpx (wrk is not installed)"}, cpu


async def e2e_sweep(run: Run) -> list[Row]:
    """Issue 19 §5: the open-loop sweep (`sweep.py`), each rate once the projection caught up with the last."""
    points, token = [], run.keys.mint("ipro_chef", subject="bench")
    bodies = (partner_body(number) for number in LATENCY_SIRETS)
    async with partners_client(run, 1) as http:
        for rate in sweep.RATES:
            await settle(run, http)
            points.append(await sweep.point(run, bodies, rate, token))
            if sweep.enough(points):
                break
    (charts := REPO_ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    run.details["chart"] = str(sweep.chart(points, charts / f"{run.stamp}-latency.png"))
    return sweep.rows(points)


def _failures(result: dict) -> str:
    return f"{result['failed']} operations failed" if result.get("failed") else ""


# --- the run ----------------------------------------------------------------------------------------------


async def step(run: Run, name: str, phase) -> bool:
    """Run one phase; a failure becomes an ERROR row (the other figures are still worth having)."""
    print(f"  {name} ...", flush=True)
    try:
        run.rows += await phase(run)
        return True
    except Exception as error:
        traceback.print_exc()
        run.rows.append(failed_row(name, "", error))
        return False


async def measure(run: Run) -> None:
    await step(run, "raw PostgreSQL", raw_postgres)
    await step(run, "kernel appends", kernel_appends)
    await step(run, "raw Kafka", raw_kafka)
    # Issue 14: a year of a regional direction in the four stores before they start (their relays publish it).
    await step(run, "a year of people, generated", person_file.generate_year)
    await step(run, "audit verify of the year", audit_verify.verify_year)
    if not await step(run, "services start", _start):
        return
    try:
        if run.year is not None:
            await step(run, "the year published and read", person_file.initial_load)
        await step(run, "idle", _idle)
        await step(run, "list reads at two sizes", lists.list_reads)
        await step(run, "HTTP throughput", http_throughput)
        await step(run, "end-to-end latency against offered load", e2e_sweep)
        if run.year is not None:
            await _person_file_phases(run)
            await step(run, "schedule week reads", schedule.week_reads)
            await step(run, "schedule conflict detection", schedule.conflict_detection)
        await asyncio.sleep(3)  # let the last batches finish: "after load" means idle again
        run.rows += rss_rows(run, "after load")
    finally:
        await run.close_connections()


async def measure_kernel(run: Run) -> None:
    """`uv run python bench/run.py --kernel`: the PostgreSQL reference and the kernel rows alone, sealed appends
    included (about a minute: no year, no services)."""
    await step(run, "raw PostgreSQL", raw_postgres)
    await step(run, "kernel appends", kernel_appends)


async def measure_commands(run: Run) -> None:
    """`uv run python bench/run.py --commands`: the PostgreSQL reference, then `POST /partners` beside the HTTP
    floor on services with no year (about a minute)."""
    await step(run, "raw PostgreSQL", raw_postgres)
    await _on_services(run, "HTTP throughput", http_throughput)


async def measure_lists(run: Run) -> None:
    """`uv run python bench/run.py --lists`: reads by id and lists at two sizes, on services with no year (a
    minute or two)."""
    await _on_services(run, "list reads at two sizes", lists.list_reads)


async def measure_sweep(run: Run) -> None:
    """`uv run python bench/run.py --sweep`: the raw PostgreSQL reference, then the open-loop sweep and its
    chart, on services with no year (a few minutes)."""
    await step(run, "raw PostgreSQL", raw_postgres)
    await _on_services(run, "end-to-end latency against offered load", e2e_sweep)


async def measure_file(run: Run) -> None:
    """`BENCH_PEOPLE=300 uv run python bench/run.py --file`: a year, then the person file's rebuild (beside raw
    consume), reads, reads as of an instant and commands to the file (issue 14), without the other phases (a
    few minutes)."""
    await step(run, "a year of people, generated", person_file.generate_year)
    if run.year is not None:
        await _on_services(run, "the person file", _file_phases)


async def _file_phases(run: Run) -> list[Row]:
    await step(run, "the year published and read", person_file.initial_load)
    await _person_file_phases(run)
    return rss_rows(run, "after load")


async def _person_file_phases(run: Run) -> None:
    """Issue 14's measures once the year is read, in the full run and in `--file` alike."""
    for name, phase in (
        ("raw consume of the four topics", person_file.raw_consume),
        ("person-file rebuild", person_file.rebuild),
        ("file reads", person_file.file_reads),
        ("file as_of", person_file.file_as_of),
        ("command to file", person_file.command_to_file),
    ):
        await step(run, name, phase)


async def _on_services(run: Run, name: str, phase) -> None:
    if await step(run, "services start", _start):
        try:
            await step(run, name, phase)
        finally:
            await run.close_connections()


PARTIAL_RUNS = {
    "--kernel": measure_kernel,
    "--commands": measure_commands,
    "--lists": measure_lists,
    "--sweep": measure_sweep,
    "--file": measure_file,
}


async def _start(run: Run) -> list[Row]:
    await start_services(run)
    return []


async def _idle(run: Run) -> list[Row]:
    await asyncio.sleep(2)  # consumers and relays finish starting in the background after /ready
    label = "idle, started" if run.year is None else "idle, the year read"
    return rss_rows(run, label)


async def _server_then(run: Run, phases) -> None:
    """The PostgreSQL version for the machine line, whichever phases run, then the phases."""
    connection = await asyncpg.connect(run.infra.postgres.dsn())
    try:
        run.details["postgresql"] = await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()
    await phases(run)


def machine_facts(run: Run) -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "postgresql": run.details.get("postgresql"),
        "kafka": kafka_version(),
        "load_average_at_start": run.details.get("load_average_at_start"),
        "load_average_at_end": os.getloadavg(),
    }


def report(run: Run, facts: dict, stamp: str) -> None:
    print(
        f"\nMachine: {facts['cores']} cores ({facts['cpu']}), {facts['memory_gb']} GB, "
        f"Python {facts['python']}, "
        f"PostgreSQL {facts['postgresql']}, Kafka {facts['kafka']}, "
        f"load average (1 min) {facts['load_average_at_start'][0]:.2f} at start, "
        f"{facts['load_average_at_end'][0]:.2f} at end\n"
    )
    print(render(run.rows))
    print("\nWhere the CPU went in each measured window (ms of CPU per operation, share of the machine):")
    for phase, detail in run.details.items():
        if isinstance(detail, dict) and "cpu" in detail:
            print(f"  {phase:14} {detail['cpu']}")
    document = {"stamp": stamp, "machine": facts, "rows": as_json(run.rows), "details": run.details}
    print(f"\nWritten to {write_json(REPO_ROOT / 'var' / 'bench', stamp, document)}")


def main() -> int:
    # `kill` must run the finally below too, or the servers we started would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    workdir = Path(tempfile.mkdtemp(prefix="passerelle-bench-"))
    infra = Infrastructure.local(root=workdir / "infra", ports=Ports.free())
    run = Run(infra=infra, keys=DevKeys.load_or_create(workdir / "keys"), workdir=workdir, stamp=stamp)
    started = time.perf_counter()
    run.details["load_average_at_start"] = os.getloadavg()  # other work on the box skews every figure
    try:
        print(f"Starting PostgreSQL and Kafka under {workdir} ...", flush=True)
        infra.start()
        # On uvloop, as uvicorn runs the services: the kernel rows measure the kernel as a service runs it, and
        # the raw references meet the same loop.
        uvloop.run(_server_then(run, PARTIAL_RUNS.get(" ".join(sys.argv[1:]), measure)))
        facts = machine_facts(run)
    finally:
        if run.system is not None:
            run.system.stop()
        infra.stop()
        if any(row.value is None for row in run.rows) and (run.workdir / "services").exists():
            # Keep the service logs of a failed run for the post-mortem; the rest goes.
            shutil.copytree(
                run.workdir / "services",
                REPO_ROOT / "var" / "bench" / f"{stamp}-logs",
                ignore=shutil.ignore_patterns("*.pid"),
            )
        shutil.rmtree(workdir, ignore_errors=True)
    run.details["total_s"] = time.perf_counter() - started
    report(run, facts, stamp)
    return 1 if any(row.value is None for row in run.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
