"""`make bench`, issue 15: the establishment's schedule with the year loaded (`person_file_phases` generates it).

1. `week_reads`: wrk, `GET /schedule?establishment=X&from=<Monday>&to=<Sunday>` over the busiest weeks of the
   year at each establishment, as the direction (who reads every participant's name): p99 <= 50 ms.
2. `conflict_detection`: `kernel.views.rebuild` empties the schedule view; the running projections service
   replays its five topics from offset 0. What conflict detection cost per event is read from the service's
   /metrics (`passerelle_schedule_conflict_check_seconds`: every look at a person, a room or a facilitator
   over the span an event touched; `passerelle_schedule_apply_seconds`: each event applied), beside the CPU
   the service and PostgreSQL spent, and the conflicts found.

Alone, on a year of its own (BENCH_PEOPLE people, 5,000 by default: about a million events):

    BENCH_PEOPLE=300 uv run python bench/schedule_phases.py
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx
from cpuclock import cpu_window
from loadgen import wait_until
from person_file_phases import LOAD_TIMEOUT_S, PREFIX, REGION, _files_warm, _read_note, read_load
from prometheus_client.parser import text_string_to_metric_families
from table import Row, at_most_row, render

from devinfra.infra import database_url_variable
from kernel import database, views
from kernel import kafka as kernel_kafka
from kernel.eventstore import EventStore

if TYPE_CHECKING:
    from run import Run

SCHEDULE_VIEW = f"{PREFIX}projections.schedule"
WEEK_P99_MS = 50
BUSIEST_WEEKS = 3  # per establishment

# Each establishment's weeks (Monday, local time) by the sessions they hold, the busiest first.
_BUSIEST = """
    SELECT establishment, monday, sessions FROM (
        SELECT establishment, monday, count(*) AS sessions,
               row_number() OVER (PARTITION BY establishment ORDER BY count(*) DESC, monday) AS rank
        FROM (SELECT coalesce(g.establishment, c.establishment) AS establishment,
                     date_trunc('week', lower(s.during) AT TIME ZONE 'Europe/Paris')::date AS monday
              FROM schedule_sessions s
              LEFT JOIN schedule_groups g ON s.kind = 'group_session' AND g.group_id = s.source_id
              LEFT JOIN schedule_actions a ON s.kind = 'action_session' AND a.action_id = s.source_id
              LEFT JOIN schedule_calls c ON c.call_id = a.call_id
              WHERE NOT s.cancelled) sessions
        WHERE establishment IS NOT NULL
        GROUP BY establishment, monday) weeks
    WHERE rank <= $1
    ORDER BY establishment, monday"""


# --- 1. an establishment's week, with wrk -----------------------------------------------------------------


async def week_reads(run: Run) -> list[Row]:
    dsn = run.system.environment[database_url_variable("projections")]
    # The person-file refresher folds the year's files again after the load, in the same process: the week is
    # read once it is done, as the files are (`person_file_phases.file_reads`), not against its catch-up.
    await wait_until(
        lambda: _files_warm(dsn), timeout=LOAD_TIMEOUT_S, what="the refresher to fold every file", interval=1
    )
    connection = await database.connect(dsn)
    try:
        weeks = await connection.fetch(_BUSIEST, BUSIEST_WEEKS)
    finally:
        await connection.close()
    if not weeks:
        raise RuntimeError("the schedule view holds no session of the year")
    paths = [_week_path(w["establishment"], w["monday"]) for w in weeks]
    # What one of those answers weighs: its items and participants (read once, outside the measure).
    sizes = await _answer_sizes(run, paths)
    single = await read_load(run, "schedule_week", paths, connections=1, token=_token(run))
    busy = await read_load(run, "schedule_week_8", paths, connections=8, token=_token(run))
    sessions = [w["sessions"] for w in weeks]
    row = at_most_row("Schedule establishment-week p99 (1 connection)", single["p99_ms"], "ms", WEEK_P99_MS)
    row.note = (
        _read_note(single)
        + f"; the {len(weeks)} busiest weeks of {len({w['establishment'] for w in weeks})} "
        f"establishments ({min(sessions)}-{max(sessions)} sessions, up to {max(sizes['items'])} items and "
        f"{max(sizes['participants'])} participants an answer), read as the direction (names)"
    )
    run.details["schedule_weeks"] = [dict(w) | {"monday": str(w["monday"])} for w in weeks]
    return [
        Row("  schedule week p50", single["p50_ms"], "ms"),
        row,
        Row(
            "  schedule weeks, 8 connections",
            busy["per_second"],
            "reads/s",
            note=f"p50 {busy['p50_ms']:.1f} ms, p99 {busy['p99_ms']:.1f} ms"
            + (f"; {busy['failed']} failed" if busy.get("failed") else ""),
        ),
    ]


def _week_path(establishment: str, monday: date) -> str:
    sunday = monday + timedelta(days=6)
    return f"/schedule?establishment={quote(establishment)}&from={monday}&to={sunday}"


def _token(run: Run) -> str:
    return run.keys.mint("direction", subject="direction-bench", establishments=REGION)


async def _answer_sizes(run: Run, paths: list[str]) -> dict[str, list[int]]:
    sizes: dict[str, list[int]] = {"items": [], "participants": []}
    headers = {"Authorization": f"Bearer {_token(run)}"}
    async with httpx.AsyncClient(base_url=run.system.url("projections"), headers=headers, timeout=30) as http:
        for path in paths:
            response = await http.get(path)
            response.raise_for_status()
            items = response.json()["items"]
            sizes["items"].append(len(items))
            sizes["participants"].append(sum(len(i["participants"] or []) for i in items))
    return sizes


# --- 2. conflict detection's cost per event, over a rebuild of the view -----------------------------------


async def conflict_detection(run: Run) -> list[Row]:
    from projections.bootstrap import subscriptions
    from projections.settings import ProjectionsSettings

    dsn = run.system.environment[database_url_variable("projections")]
    settings = ProjectionsSettings(
        database_url=dsn, kafka_topic_prefix=PREFIX, kafka_bootstrap_servers=run.infra.bootstrap_servers
    )
    subscription = next(s for s in subscriptions(settings, EventStore(pool=None)) if s.name == SCHEDULE_VIEW)
    partitions = await kernel_kafka.partitions_of(run.infra.bootstrap_servers, subscription.topics)
    ends = await _end_offsets(run, partitions)
    total = sum(ends.values())
    pool = await database.create_pool(dsn, min_size=1, max_size=2)
    try:
        before = await _metrics(run)
        with cpu_window(run.groups) as cpu:
            started = time.perf_counter()
            await views.rebuild(pool, subscription)
            while await views.progress(pool, subscription, ends) < 1:
                if time.perf_counter() - started > LOAD_TIMEOUT_S:
                    raise TimeoutError(f"the schedule was not rebuilt in {LOAD_TIMEOUT_S} s")
                await asyncio.sleep(0.1)
            seconds = time.perf_counter() - started
        after = await _metrics(run)
        found = await pool.fetch(
            """SELECT kind, count(*) AS found, count(*) FILTER (WHERE resolved_at IS NULL) AS open
               FROM schedule_conflicts GROUP BY kind ORDER BY kind"""
        )
    finally:
        await pool.close()

    def delta(name: str, **labels: str) -> float:
        key = (name, frozenset(labels.items()))
        return after.get(key, 0.0) - before.get(key, 0.0)

    applied = delta("passerelle_schedule_apply_seconds_count")
    if not applied:
        raise RuntimeError("the schedule applied no event during its rebuild (is /metrics readable?)")
    whose = ("person", "room", "facilitator")
    checks = {w: delta("passerelle_schedule_conflict_check_seconds_count", whose=w) for w in whose}
    check_s = {w: delta("passerelle_schedule_conflict_check_seconds_sum", whose=w) for w in whose}
    items = {w: delta("passerelle_schedule_conflict_check_items_sum", whose=w) for w in whose}
    apply_s = delta("passerelle_schedule_apply_seconds_sum")
    per_event_us = sum(check_s.values()) / applied * 1e6
    busy_cpu = cpu.get("projections", 0.0) + cpu.get("postgres", 0.0)
    result = {
        "messages": total,
        "applied": applied,
        "seconds": seconds,
        "per_second": total / seconds,
        "checks": checks,
        "check_seconds": check_s,
        "items_read": items,
        "apply_seconds": apply_s,
        "conflicts": {r["kind"]: {"found": r["found"], "open": r["open"]} for r in found},
    }
    run.record("schedule_rebuild", result, cpu, int(applied))
    conflicts = ", ".join(f"{r['kind']} {r['found']:,} ({r['open']:,} open)" for r in found) or "none"
    per_check = "; ".join(
        f"{w} {checks[w]:,.0f} checks, {check_s[w] / checks[w] * 1e6:,.0f} µs and "
        f"{items[w] / checks[w]:.1f} items read each"
        for w in whose
        if checks[w]
    )
    return [
        Row(
            "Schedule view rebuilt from offset 0",
            total / seconds,
            "events/s",
            note=f"{total:,} messages of five topics in {seconds:.0f} s, {applied:,.0f} applied by the schedule",
        ),
        Row(
            "Conflict detection per event (schedule rebuild)",
            per_event_us,
            "µs",
            note=f"incremental: an event looks again only at the people, rooms and facilitators it touched, over "
            f"the spans it touched; wall time of those checks over the {applied:,.0f} events applied: "
            f"{per_check}; conflicts found: {conflicts}",
        ),
        Row("  schedule apply per event (checks included)", apply_s / applied * 1e6, "µs"),
        Row(
            "  CPU per event applied (projections + PostgreSQL)",
            busy_cpu / applied * 1e6,
            "µs",
            note="the whole consumer: Kafka fetch, parsing, checkpoints, the view's writes and the checks",
        ),
    ]


async def _end_offsets(run: Run, partitions) -> dict[tuple[str, int], int]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=run.infra.bootstrap_servers)
    await consumer.start()
    try:
        return {(p.topic, p.partition): end for p, end in (await consumer.end_offsets(partitions)).items()}
    finally:
        await consumer.stop()


async def _metrics(run: Run) -> dict[tuple[str, frozenset], float]:
    """The projections service's /metrics samples, by name and labels."""
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{run.system.url('projections')}/metrics")
        response.raise_for_status()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


# --- alone ------------------------------------------------------------------------------------------------


def main() -> int:
    import person_file_phases as person_file
    from run import Run, start_services

    from devinfra.infra import Infrastructure, Ports
    from devinfra.tokens import DevKeys

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally below stops what we started
    workdir = Path(tempfile.mkdtemp(prefix="passerelle-bench-schedule-"))
    infra = Infrastructure.local(root=workdir / "infra", ports=Ports.free())
    run = Run(infra=infra, keys=DevKeys.load_or_create(workdir / "keys"), workdir=workdir)

    async def phases() -> None:
        run.rows += await person_file.generate_year(run)
        if run.year is None:
            raise SystemExit("BENCH_PEOPLE=0: no year, no schedule to measure")
        await start_services(run)
        try:
            for phase in (person_file.initial_load, week_reads, conflict_detection):
                print(f"  {phase.__name__} ...", flush=True)
                run.rows += await phase(run)
        finally:
            await run.close_connections()

    try:
        infra.start()
        asyncio.run(phases())
    finally:
        if run.system is not None:
            run.system.stop()
        infra.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(render(run.rows))
    for phase in ("schedule_week", "schedule_week_8", "schedule_rebuild"):
        print(f"CPU {phase}: {run.details.get(phase, {}).get('cpu', '')}")
    return 0 if all(row.met is not False for row in run.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
