"""`make bench`, issue 14: the person file with a year of a regional direction loaded.

1. `generate_year`, before the services start: `person_year.py` fills the four stores (BENCH_PEOPLE people,
   5,000 by default: about a million events; 0 leaves the year and these phases out).
2. `initial_load`, once they started: their relays publish the year, and every consumer (replicas, views, the
   person file) reads it to the end: how long that takes, and the relays' rate.
3. `raw_consume`: aiokafka reads the four `.events` topics from offset 0 to their ends: the reference.
4. `rebuild`: `kernel.views.rebuild` empties the person-file view; the running projections service replays the
   four topics from offset 0 until its checkpoints reach their ends (>= 50 % of raw, >= 20,000 events/s).
5. `file_reads`: once the refresher has folded every file again after the rebuild (how long it took), wrk,
   `GET /persons/{id}/file` over every person of the year (p99 <= 20 ms).
6. `file_as_of`: wrk, `?as_of=` instants of the year for people whose file holds about 500 events (p99 <=
   100 ms).
7. `command_to_file`: open loop, 200 interviews/s recorded on the people's cases; each is visible once the
   person's `/file/changes` cursor moves (p99 <= 250 ms).

Each phase takes the benchmark's `Run` and returns table rows (`run.py` runs them in order).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from cpuclock import cpu_window
from loadgen import (
    PACED_SCRIPT,
    PATHS_SCRIPT,
    closed_loop,
    measured_wrk,
    percentile,
    quantiles_ms,
    wait_until,
    wrk,
)
from person_year import DEFAULT_PEOPLE
from table import Row, at_most_row, ratio_row

from devinfra.infra import SERVICES, database_url_variable
from devinfra.subject_ids import subject_id_environment
from devinfra.year.cast import ESTABLISHMENTS
from devinfra.year.writer import SERVICES as WRITERS
from kernel import database, views
from kernel import kafka as kernel_kafka
from kernel.clock import local_date
from kernel.eventstore import EventStore

if TYPE_CHECKING:
    from run import Run

HERE = Path(__file__).resolve().parent
# The readers reach every establishment of the region the year is told in (their tokens' perimeter, ADR 26).
REGION = [name for _, name, _ in ESTABLISHMENTS]
PREFIX = "bench."  # the topic prefix `run.start_services` gives the services
FILE_VIEW = f"{PREFIX}projections.person-file"
TOPICS = [f"{PREFIX}{service}.events" for service in WRITERS]
REBUILD_RATIO, REBUILD_AT_LEAST = 0.50, 20_000
READ_P99_MS, AS_OF_P99_MS, COMMAND_P99_MS = 20, 100, 250
AS_OF_EVENTS = 500  # the size of file the as_of target is about
COMMAND_RATE, COMMAND_SECONDS, KEPT_UP = 200, 10, 0.95
COMMAND_CONNECTIONS = 64  # the loop stays open while answers take less than 64 / 200 s
READMITTED = 200  # the people the commands are about
WRK_SECONDS = 10
LOAD_TIMEOUT_S = 3600  # the relays and consumers of a million events on two busy cores
RAW_CONSUME_TIMEOUT_S = 300


def people() -> int:
    return int(os.environ.get("BENCH_PEOPLE", DEFAULT_PEOPLE))


# --- 1. the year, generated into the stores ---------------------------------------------------------------


async def generate_year(run: Run) -> list[Row]:
    """The four stores filled before their services start (the databases `start_services` then uses)."""
    if not people():
        return []  # BENCH_PEOPLE=0: the bench without the year (and without the person-file phases)
    # The secret the assessment service gets (bench/run.py): the year's people are the ones it would make.
    environment = {**os.environ, **subject_id_environment(run.workdir / "keys")}
    for service in WRITERS:
        environment[database_url_variable(service)] = await run.infra.create_database(service)
    summary = run.workdir / "year.json"
    command = [
        sys.executable,
        str(HERE / "person_year.py"),
        "--people",
        str(people()),
        "--summary",
        str(summary),
    ]
    process = await asyncio.create_subprocess_exec(*command, env=environment)
    if await process.wait():
        raise RuntimeError(f"person_year.py exited with {process.returncode}")
    run.year = json.loads(summary.read_text())
    year = {k: v for k, v in run.year.items() if k != "persons"}
    run.details["year"] = year
    return [
        Row(
            f"Year generated ({year['people']:,} people, {year['year'][0]} to {year['year'][1]})",
            year["events"],
            "events",
            note=f"{year['shared_events']:,} shareable (the four .events topics); generated through the deciders and "
            f"appended in {year['seconds']:.0f} s by {year['workers']} processes",
        ),
        Row("  generation rate", year["events"] / year["seconds"], "events/s"),
    ]


# --- 2. the services publish and read it ------------------------------------------------------------------


async def initial_load(run: Run) -> list[Row]:
    """From the services' start until the relays published the year and every consumer read it to the end."""
    started = time.perf_counter()
    dsns = {service: run.system.environment[database_url_variable(service)] for service in SERVICES}
    with cpu_window(run.groups) as cpu:
        await wait_until(
            lambda: _relays_done(dsns),
            timeout=LOAD_TIMEOUT_S,
            what="the relays to publish the year",
            interval=1,
        )
        published = time.perf_counter() - started
        ends = await _ends(run.infra.bootstrap_servers)
        await wait_until(
            lambda: _consumers_done(dsns, ends),
            timeout=LOAD_TIMEOUT_S,
            what="every consumer to read the year",
            interval=1,
        )
        read = time.perf_counter() - started
    # Then the refresher folds every file the year touched (most of a minute): the phases after this one
    # measure a system at rest, not one folding a thousand files beside them.
    await wait_until(
        lambda: _files_warm(dsns["projections"]),
        timeout=LOAD_TIMEOUT_S,
        what="the refresher to fold every file",
        interval=1,
    )
    folded = time.perf_counter() - started
    events = run.year["events"]
    run.record("initial_load", {"published_s": published, "read_s": read, "events": events}, cpu, events)
    # Issue 19 §6: the relays beside the raw client's produce of the same run (acks=all, no database).
    relays = ratio_row(
        "Relays publish the year (4 stores, from start)",
        events / published,
        "events/s",
        "Kafka raw produce",
        run.details.get("kafka_produce", {}).get("per_second"),
        None,
    )
    relays.note = f"{published:.0f} s"
    return [
        relays,
        Row("  every consumer caught up (replicas, views, file)", read, "s", note="from the services' start"),
        Row("  every file folded by the refresher", folded, "s", note="from the services' start"),
    ]


async def _relays_done(dsns: dict[str, str]) -> bool:
    for dsn in dsns.values():
        connection = await asyncpg.connect(dsn)
        try:
            if await connection.fetchval(_BEHIND):
                return False
        finally:
            await connection.close()
    return True


# Whether a store holds events its relay has not published yet (an index range scan past the checkpoint).
_BEHIND = """
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM relay_checkpoints) THEN EXISTS (SELECT 1 FROM events)
                ELSE EXISTS (SELECT 1 FROM events e, relay_checkpoints c
                             WHERE (e.transaction_id, e.position) > (c.transaction_id, c.position)) END
"""


async def _ends(bootstrap: str) -> dict[tuple[str, int], int]:
    """Every partition's end offset, topics named by the bench's prefix."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        topics = [t for t in await consumer.topics() if t.startswith(PREFIX)]
        partitions = await kernel_kafka.partitions_of(bootstrap, topics)
        return {(p.topic, p.partition): end for p, end in (await consumer.end_offsets(partitions)).items()}
    finally:
        await consumer.stop()


async def _consumers_done(dsns: dict[str, str], ends: dict[tuple[str, int], int]) -> bool:
    """Each consumer's checkpoints at the end of every partition of the topics it reads, the person file's
    on all four topics (whether or not it wrote one yet)."""
    stored: dict[tuple[str, str, int], int] = {}
    for dsn in dsns.values():
        connection = await asyncpg.connect(dsn)
        try:
            for r in await connection.fetch(
                "SELECT consumer, topic, partition, next_offset FROM consumer_checkpoints"
            ):
                stored[(r["consumer"], r["topic"], r["partition"])] = r["next_offset"]
        finally:
            await connection.close()
    read = {(consumer, topic) for consumer, topic, _ in stored} | {(FILE_VIEW, topic) for topic in TOPICS}
    return all(
        stored.get((consumer, topic, partition), 0) >= end
        for consumer, topic in read
        for (other, partition), end in ends.items()
        if other == topic
    )


# --- 3. the reference: raw aiokafka consume of the four topics ---------------------------------------------


async def raw_consume(run: Run) -> list[Row]:
    bootstrap = run.infra.bootstrap_servers
    partitions = await kernel_kafka.partitions_of(bootstrap, TOPICS)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    # A bound on the whole phase: a stuck client must cost the bench a row, not the rest of its run.
    async with asyncio.timeout(RAW_CONSUME_TIMEOUT_S):
        await consumer.start()
        try:
            consumer.assign(partitions)
            ends = {p: end for p, end in (await consumer.end_offsets(partitions)).items() if end}
            total, size, read = sum(ends.values()), 0, {p: 0 for p in ends}
            for partition in partitions:  # seek_to_beginning once left the positions at the ends here
                consumer.seek(partition, 0)
            with cpu_window(run.groups) as cpu:
                started = time.perf_counter()
                while any(read[p] < end for p, end in ends.items()):
                    for partition, records in (
                        await consumer.getmany(timeout_ms=500, max_records=10_000)
                    ).items():
                        if partition in read:
                            read[partition] = records[-1].offset + 1
                            size += sum(len(r.value) for r in records)
                seconds = time.perf_counter() - started
        finally:
            await consumer.stop()
    result = {"per_second": total / seconds, "done": total, "seconds": seconds, "bytes": size}
    run.record("raw_consume_4", result, cpu, total)
    return [
        Row(
            "Kafka raw consume, the four .events topics",
            result["per_second"],
            "msgs/s",
            note=f"{total:,} messages ({size / total:,.0f} B each on average) in {seconds:.1f} s",
        )
    ]


# --- 4. the person-file view rebuilt from offset 0 -----------------------------------------------------------


async def rebuild(run: Run) -> list[Row]:
    from projections.bootstrap import subscriptions
    from projections.settings import ProjectionsSettings

    dsn = run.system.environment[database_url_variable("projections")]
    settings = ProjectionsSettings(
        database_url=dsn, kafka_topic_prefix=PREFIX, kafka_bootstrap_servers=run.infra.bootstrap_servers
    )
    subscription = next(s for s in subscriptions(settings, EventStore(pool=None)) if s.name == FILE_VIEW)
    partitions = await kernel_kafka.partitions_of(run.infra.bootstrap_servers, subscription.topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=run.infra.bootstrap_servers)
    await consumer.start()
    try:
        ends = {(p.topic, p.partition): end for p, end in (await consumer.end_offsets(partitions)).items()}
    finally:
        await consumer.stop()
    total = sum(ends.values())
    pool = await database.create_pool(dsn, min_size=1, max_size=2)
    try:
        kept_before = await pool.fetchval("SELECT count(*) FROM person_file_events")
        with cpu_window(run.groups) as cpu:
            started = time.perf_counter()
            await views.rebuild(pool, subscription)
            first: tuple[float, float] | None = None  # when the replay was first seen under way, and how far
            while (done := await views.progress(pool, subscription, ends)) < 1:
                if first is None and done > 0:
                    first = (time.perf_counter(), done)
                if time.perf_counter() - started > LOAD_TIMEOUT_S:
                    raise TimeoutError(f"the rebuild reached {done:.0%} in {LOAD_TIMEOUT_S} s")
                await asyncio.sleep(0.1)
            seconds = time.perf_counter() - started
        kept_after = await pool.fetchval("SELECT count(*) FROM person_file_events")
    finally:
        await pool.close()
    rate = total / seconds
    replaying = total * (1 - first[1]) / (started + seconds - first[0]) if first else rate
    result = {
        "per_second": rate,
        "replay_per_second": replaying,
        "done": total,
        "seconds": seconds,
        "kept": kept_after,
    }
    run.record("file_rebuild", result, cpu, total)
    reference = run.details.get("raw_consume_4", {}).get("per_second")
    row = ratio_row(
        "Person-file view rebuilt from offset 0", rate, "events/s", "raw consume", reference, REBUILD_RATIO
    )
    row.note = (
        f"{total:,} messages in {seconds:.0f} s from the reset ({replaying:,.0f}/s once under way); "
        f"{kept_after:,} events kept"
        + ("" if kept_after == kept_before else f", {kept_before:,} before the rebuild")
    )
    return [
        row,
        Row(
            "  same, absolute",
            rate,
            "events/s",
            target=f">= {REBUILD_AT_LEAST:,} events/s",
            met=rate >= REBUILD_AT_LEAST,
        ),
    ]


# --- 5. and 6.: reads of the file, with wrk ---------------------------------------------------------------


async def file_reads(run: Run) -> list[Row]:
    dsn = run.system.environment[database_url_variable("projections")]
    started = time.perf_counter()
    await wait_until(
        lambda: _files_warm(dsn), timeout=LOAD_TIMEOUT_S, what="the refresher to fold every file", interval=1
    )
    warmed = time.perf_counter() - started
    paths = [f"/persons/{p['subject_id']}/file" for p in run.year["persons"]]
    single = await read_load(run, "file_read", paths, connections=1)
    busy = await read_load(run, "file_read_8", paths, connections=8)
    row = at_most_row("File read p99 (1 connection, every person)", single["p99_ms"], "ms", READ_P99_MS)
    row.note = _read_note(single)
    return [
        Row(
            "  kept files folded again after the rebuild",
            warmed,
            "s",
            note=f"by the refresher, {len(paths):,} people, from the rebuild's end",
        ),
        Row("  file read p50", single["p50_ms"], "ms", note=f"{single['per_second']:,.0f} reads/s"),
        row,
        Row(
            "  file reads, 8 connections",
            busy["per_second"],
            "reads/s",
            note=f"p50 {busy['p50_ms']:.1f} ms, p99 {busy['p99_ms']:.1f} ms" + _errors(busy),
        ),
    ]


async def _files_warm(dsn: str) -> bool:
    """No person's kept file waits to be folded again (the refresher's marks, ADR 18 addendum)."""
    connection = await asyncpg.connect(dsn)
    try:
        return not await connection.fetchval(
            """SELECT EXISTS (SELECT 1 FROM person_file_changed_streams)
                      OR EXISTS (SELECT 1 FROM person_file_stale)"""
        )
    finally:
        await connection.close()


async def file_as_of(run: Run) -> list[Row]:
    chosen = await _files_of_about(run, AS_OF_EVENTS)
    rng = random.Random(14)
    start, end = (datetime.fromisoformat(day).replace(tzinfo=UTC) for day in run.year["year"])
    paths = []
    for subject_id, _ in chosen:
        for _ in range(50):
            instant = start + (end - start) * rng.random()
            paths.append(f"/persons/{subject_id}/file?as_of={quote(instant.isoformat(timespec='seconds'))}")
    result = await read_load(run, "file_as_of", paths, connections=1)
    sizes = [size for _, size in chosen]
    row = at_most_row(
        f"File as_of p99 (files of {min(sizes)}-{max(sizes)} events)", result["p99_ms"], "ms", AS_OF_P99_MS
    )
    row.note = _read_note(result) + f"; {len(chosen)} people, instants drawn over the year"
    return [Row("  file as_of p50", result["p50_ms"], "ms"), row]


async def _files_of_about(run: Run, size: int, count: int = 10) -> list[tuple[str, int]]:
    """People whose file holds about `size` events: the heaviest of the year, and a sample of the others."""
    from projections.person_file.store import events_of

    persons = run.year["persons"]
    candidates = run.year["heavy"] + [
        p["subject_id"] for p in random.Random(7).sample(persons, min(300, len(persons)))
    ]
    connection = await database.connect(run.system.environment[database_url_variable("projections")])
    try:
        sizes = [
            (subject, len(await events_of(connection, subject))) for subject in dict.fromkeys(candidates)
        ]
    finally:
        await connection.close()
    return sorted(sizes, key=lambda found: abs(found[1] - size))[:count]


async def read_load(
    run: Run, key: str, paths: list[str], *, connections: int, token: str | None = None
) -> dict:
    """GET `paths` (drawn at random) for WRK_SECONDS with `token`, by default a DPIP's, who may read every
    file; wrk if it is installed, else the benchmark's own Python client."""
    token = token or run.keys.mint("dpip", subject="dpip-bench", establishments=REGION)
    url = run.system.url("projections")
    listing = run.workdir / f"{key}.paths"
    listing.write_text("\n".join(paths) + "\n")
    if shutil.which("wrk"):
        await asyncio.to_thread(wrk, url, PATHS_SCRIPT, [listing, token], connections, 2)  # warm-up
        found, cpu = await measured_wrk(
            run.groups, url, PATHS_SCRIPT, [listing, token], connections, WRK_SECONDS
        )
    else:
        with cpu_window(run.groups) as cpu:
            found = await _python_reads(url, paths, token, connections)
    run.record(key, found, cpu, found["done"])
    return found


async def _python_reads(url: str, paths: list[str], token: str, connections: int) -> dict:
    """The fallback when wrk is missing: the same reads with httpx (its own cost is in the latencies)."""
    rng, took, failed = random.Random(1), [], 0
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as http:

        async def read(_: int) -> bool:
            nonlocal failed
            started = time.perf_counter()
            ok = (await http.get(rng.choice(paths))).status_code == 200
            took.append((time.perf_counter() - started) * 1000)
            failed += not ok
            return ok

        result = await closed_loop(read, workers=connections, duration=WRK_SECONDS)
    return {
        "tool": "httpx (wrk is not installed)",
        "done": result["done"],
        "per_second": result["per_second"],
        "failed": failed,
        **{f"p{q}_ms": percentile(took, q) for q in (50, 90, 99)},
        "max_ms": max(took),
    }


def _read_note(result: dict) -> str:
    tool = (
        "wrk" if result["tool"] == "wrk" else "wrk is not installed: measured with httpx, its cost included"
    )
    return f"{result['per_second']:,.0f} reads/s, {tool}" + _errors(result)


def _errors(result: dict) -> str:
    return f"; {result['failed']} failed" if result.get("failed") else ""


# --- 7. a command, visible in the person's file ------------------------------------------------------------


async def command_to_file(run: Run) -> list[Row]:
    """Interviews recorded at 200/s, open loop (wrk), on the cases of people of the year admitted again (the
    generator fills the stores, not the services' own read tables, which a command on a case of the year would
    need); each is visible once its event is in the view (a poller reads the view's new rows every few
    milliseconds: the person's `/file/changes` cursor has moved then). A sample of people is also checked
    through `/file/changes` itself."""
    today = local_date(datetime.now(UTC))
    view = await asyncpg.connect(run.system.environment[database_url_variable("projections")])
    seen: dict[str, float] = {}
    watching = asyncio.Event()

    async def watch() -> None:
        after = await view.fetchval("SELECT coalesce(max(seq), 0) FROM person_file_events")
        watching.set()
        while True:
            for row in await view.fetch(
                "SELECT seq, stream FROM person_file_events WHERE seq > $1 ORDER BY seq", after
            ):
                seen.setdefault(row["stream"], time.time())
                after = row["seq"]
            await asyncio.sleep(0.003)

    reader = {"Authorization": f"Bearer {run.keys.mint('dpip', subject='dpip-bench', establishments=REGION)}"}
    async with (
        httpx.AsyncClient(base_url=run.system.url("assessment"), timeout=30) as commands,
        httpx.AsyncClient(base_url=run.system.url("projections"), timeout=30, headers=reader) as files,
    ):
        watcher = asyncio.create_task(watch())
        try:
            await watching.wait()
            cases = await _readmitted(run, commands, today)
            await wait_until(
                lambda: _all_seen({f"assessment/case:{c['case_id']}": 0.0 for c in cases}, seen),
                timeout=120,
                what="the re-admitted people's cases in their files",
            )
            sample = cases[:: max(1, len(cases) // 20)]
            before = {c["subject_id"]: await _cursor(files, c["subject_id"]) for c in sample}
            # wrk sends them (the generator must not take the cores the system needs): each case's interview by
            # its referent, and writes down when each was answered and the interview's id.
            requests, answers = run.workdir / "interviews.requests", run.workdir / "interviews.answers"
            requests.write_text(_interview_requests(run, cases, today))
            arguments = ["-", requests, "-", COMMAND_RATE, answers, "interview_id"]
            url = run.system.url("assessment")
            sent, cpu = await measured_wrk(
                run.groups, url, PACED_SCRIPT, arguments, COMMAND_CONNECTIONS, COMMAND_SECONDS
            )
            answered, refusals = _answered(answers)
            if not answered:
                raise RuntimeError(f"no command was accepted: {refusals}")
            await wait_until(
                lambda: _all_seen(answered, seen), timeout=120, what="every interview in the person file"
            )
        finally:
            watcher.cancel()
            await view.close()
        moved = [await _cursor(files, subject) > cursor for subject, cursor in before.items()]
    e2e_ms = [(seen[stream] - at) * 1000 for stream, at in answered.items()]
    result = {
        "offered": sent["done"],
        "accepted": len(answered),
        "failed": sent["done"] - len(answered),
        "refusals": refusals,
        "per_second": sent["per_second"] * len(answered) / max(1, sent["done"]),
        "e2e_ms": {q: percentile(e2e_ms, q) for q in (0, 50, 90, 99, 100)},
        "http_ms": quantiles_ms(sent),
        "cursor_checked": len(moved),
        "cursor_moved": sum(moved),
    }
    run.record("command_to_file", result, cpu, max(1, result["offered"]))
    kept_up = result["per_second"] / COMMAND_RATE
    p99 = at_most_row(
        f"Command -> visible in the file p99 @{COMMAND_RATE}/s", result["e2e_ms"][99], "ms", COMMAND_P99_MS
    )
    p99.note = f"/file/changes moved for {sum(moved)} of {len(moved)} people checked through it"
    if kept_up < KEPT_UP or not all(moved):
        p99.met = False
        if kept_up < KEPT_UP:
            p99.note += f"; only {result['per_second']:.0f} of {COMMAND_RATE} commands/s sustained"
    return [
        Row(f"Command -> visible in the file p50 @{COMMAND_RATE}/s", result["e2e_ms"][50], "ms"),
        p99,
        Row(f"  POST /cases/{{id}}/interviews p99 @{COMMAND_RATE}/s", result["http_ms"][99], "ms"),
        Row(
            f"  achieved command rate (offered {COMMAND_RATE}/s)",
            result["per_second"],
            "commands/s",
            f"offered {COMMAND_RATE}",
            kept_up,
            f">= {KEPT_UP:.0%}",
            kept_up >= KEPT_UP,
            note=f"{result['failed']} refused or failed: {refusals}" if result["failed"] else "",
        ),
    ]


def _interview_requests(run: Run, cases: list[dict], today) -> str:
    """wrk's lines (`paced.lua`): path, the referent's token and the body of each interview, cycling over the
    cases; more than the run sends."""
    tokens = {
        c["referent"]: run.keys.mint("cpip", subject=c["referent"], establishments=REGION) for c in cases
    }
    body = json.dumps(
        {"held_on": str(today), "interview_type": "follow_up", "notes": "Point d'étape (bench)"}
    )
    count = int(COMMAND_RATE * COMMAND_SECONDS * 1.5)
    return "".join(
        f"/cases/{case['case_id']}/interviews\t{tokens[case['referent']]}\t{body}\n"
        for case in (cases[i % len(cases)] for i in range(count))
    )


def _answered(answers: Path) -> tuple[dict[str, float], dict[int, int]]:
    """From wrk's answers file: when each recorded interview was answered (its stream in the view), and how
    many answers of each other status there were."""
    answered, refusals = {}, {}
    for line in answers.read_text().splitlines():
        at_ms, status, interview_id = line.split("\t")
        if int(status) == 201 and interview_id:
            answered[f"assessment/interview:{interview_id}"] = float(at_ms) / 1000
        else:
            refusals[int(status)] = refusals.get(int(status), 0) + 1
    return answered, refusals


async def _readmitted(run: Run, commands: httpx.AsyncClient, today) -> list[dict]:
    """People released during the year, admitted again under their écrou number (a new case, opened by a DPIP
    with their former referent): the service makes them the same subject id, so their files hold their whole
    year."""
    rng = random.Random(200)
    released = [p for p in run.year["persons"] if not p["open"]] or run.year["persons"]
    chosen = rng.sample(released, min(READMITTED, len(released)))
    dpip = {"Authorization": f"Bearer {run.keys.mint('dpip', subject='dpip-bench', establishments=REGION)}"}
    cases = []
    for n, person in enumerate(chosen, start=1):
        body = {
            "identity": {
                "last_name": "Réadmis",
                "first_names": f"Personne {n}",
                "birth_date": "1985-06-15",
                "ecrou_number": person["ecrou_number"],
            },
            # Admitted again where their écrou number was given: a transferred person's is their first site's.
            "establishment": person["ecrou_establishment"],
            "admission_date": str(today),
            "sentence": {
                "short_sentence": True,
                "total_length_months": 8,
                "expected_end_date": str(today + timedelta(days=240)),
                "offence_categories": ["theft"],
            },
            "referent": person["referent"],
        }
        response = await commands.post("/cases", json=body, headers=dpip)
        if response.status_code != 201:
            raise RuntimeError(f"re-admission refused: {response.status_code} {response.text[:300]}")
        case = response.json()
        if case["subject_id"] != person["subject_id"]:
            raise RuntimeError(
                f"re-admitted as {case['subject_id']}, not {person['subject_id']}: another secret?"
            )
        cases.append({**person, "case_id": case["case_id"]})
    return cases


async def _cursor(files: httpx.AsyncClient, subject_id: str) -> int:
    response = await files.get(f"/persons/{subject_id}/file/changes")
    response.raise_for_status()
    return response.json()["cursor"]


async def _all_seen(answered: dict[str, float], seen: dict[str, float]) -> bool:
    return all(stream in seen for stream in answered)
