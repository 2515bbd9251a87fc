"""A year of a regional direction, generated through the services' own deciders and appended through the
kernel's event store: about 5,000 people and 1 M events by default (issue 14's size), `--people` for less.

    ASSESSMENT_DATABASE_URL=… PROGRAMMES_DATABASE_URL=… IPRO_DATABASE_URL=… PARTNERS_DATABASE_URL=… \
    ASSESSMENT_SUBJECT_ID_SECRET=… uv run python bench/person_year.py --people 30 --summary /tmp/year.json

Each service's database is migrated as the service would migrate it, then filled: the programmes catalogue as
its reference data creates it, then each establishment's year (`devinfra.year`, the generator the demo
shares), the establishments shared among worker processes. Every decision becomes a `Session.append` at its
simulated instant (the session's clock), so positions, hash chains and envelopes are the kernel's own; many
appends share one transaction per service. The stores' relays publish it all once the services start.

Deterministic for a given seed and size: the same people, streams and payloads (event ids and hashes are the
kernel's, drawn afresh). The summary (JSON) lists the people, their case and referent, and the heaviest files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time as time_module
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from multiprocessing import get_context
from pathlib import Path

import asyncpg

from devinfra.infra import database_url_variable
from devinfra.year import cast as year_cast
from devinfra.year.story import SiteYear
from devinfra.year.writer import CONNECTIONS, SERVICES, Writer, tell_site
from kernel import database
from kernel.clock import LOCAL_TIME_ZONE

YEAR_ENDING = date(2026, 11, 30)  # the last day of the year told (a fixed day: the output does not drift)
DEFAULT_PEOPLE, DEFAULT_SEED = 5000, 14
# The assessment service's, so that a person re-admitted through its API is the same person (subject ids).
SUBJECT_ID_SECRET = "ASSESSMENT_SUBJECT_ID_SECRET"


def migrations_of(service: str) -> Path:
    return Path(__import__(service).__file__).parent / "migrations"


async def _pools(dsns: dict[str, str]) -> dict[str, asyncpg.Pool]:
    return {
        service: await database.create_pool(dsns[service], min_size=1, max_size=CONNECTIONS)
        for service in SERVICES
    }


# --- one worker: some establishments ------------------------------------------------------------------------


def _work(
    dsns: dict[str, str], chosen: list[year_cast.Site], seed: int, start: date, end: date, subject_key: bytes
) -> dict:
    return asyncio.run(_tell(dsns, chosen, seed, start, end, subject_key))


async def _tell(
    dsns: dict[str, str], chosen: list[year_cast.Site], seed: int, start: date, end: date, subject_key: bytes
) -> dict:
    pools = await _pools(dsns)
    writer = Writer(pools)
    programmes = year_cast.catalogue()
    started = time_module.perf_counter()
    people, heavy = [], []
    try:
        for site in chosen:
            story = await tell_site(writer, site, seed, start, end, subject_key, programmes)
            people += [_summary(story, p) for p in story.people]
            heavy += [p.subject_id for p in story.heavy]
    finally:
        for pool in pools.values():
            await pool.close()
    return {
        "sites": [s.code for s in chosen],
        "appended": dict(writer.appended),
        "transactions": writer.transactions,
        "seconds": time_module.perf_counter() - started,
        "people": people,
        "heavy": heavy,
    }


def _summary(story: SiteYear, person: year_cast.Person) -> dict:
    return {
        "subject_id": person.subject_id,
        "ecrou_number": story.ecrou_number(person.number),
        "case_id": person.case_id,
        "referent": person.referent,
        "establishment": person.establishment,  # now: a transfer moves it
        "ecrou_establishment": story.site.name,  # the one whose écrou number it is, as the subject id was made
        "open": person.open and not person.released,
    }


# --- the whole region ---------------------------------------------------------------------------------------


async def prepare(dsns: dict[str, str], start: date) -> int:
    """Each store migrated as its service migrates it, and the programmes catalogue its reference data
    creates at the service's first start (the day before the year begins)."""
    for service in SERVICES:
        await database.migrate(dsns[service], migrations_of(service))
    pools = await _pools(dsns)
    try:
        async with pools["programmes"].acquire() as connection:
            if await connection.fetchval("SELECT count(*) FROM events"):
                raise SystemExit("the programmes store is not empty: generate into fresh databases")
        writer = Writer(pools)
        ledger = year_cast.Ledger(writer, rng=random.Random(0))
        created = year_cast.create_catalogue(
            ledger, datetime.combine(start - timedelta(days=1), time(7, 0), LOCAL_TIME_ZONE)
        )
        await writer.flush()
        return created
    finally:
        for pool in pools.values():
            await pool.close()


def shares(sites: list[year_cast.Site], workers: int) -> list[list[year_cast.Site]]:
    """The establishments dealt to the workers, largest first, each to the least loaded."""
    loads: list[tuple[int, list[year_cast.Site]]] = [(0, []) for _ in range(workers)]
    for site in sorted(sites, key=lambda s: -s.people):
        load, chosen = min(loads, key=lambda entry: entry[0])
        loads.remove((load, chosen))
        loads.append((load + site.people, [*chosen, site]))
    return [chosen for _, chosen in loads if chosen]


def generate(
    dsns: dict[str, str],
    *,
    people: int,
    seed: int,
    workers: int,
    subject_key: bytes,
    year_ending: date = YEAR_ENDING,
) -> dict:
    """Fill the four stores with a year of `people`, their subject ids made under `subject_key` as the
    assessment service makes them; a summary of what was appended and how long it took."""
    started = time_module.perf_counter()
    start = year_ending - timedelta(days=364)
    asyncio.run(prepare(dsns, start))
    prepared = time_module.perf_counter() - started
    sites = year_cast.sites(people)
    parts = shares(sites, max(1, min(workers, len(sites))))
    with ProcessPoolExecutor(len(parts), mp_context=get_context("spawn")) as pool:
        results = list(
            pool.map(
                _work,
                [dsns] * len(parts),
                parts,
                [seed] * len(parts),
                [start] * len(parts),
                [year_ending] * len(parts),
                [subject_key] * len(parts),
            )
        )
    appended = Counter()
    for result in results:
        appended.update(result["appended"])
    counts = asyncio.run(_counts(dsns))
    return {
        "people": sum(len(r["people"]) for r in results),
        "seed": seed,
        "year": [str(start), str(year_ending)],
        "workers": len(parts),
        "seconds": time_module.perf_counter() - started,
        "prepare_seconds": prepared,
        "worker_seconds": [round(r["seconds"], 1) for r in results],
        "events": sum(c["events"] for c in counts.values()),
        "shared_events": sum(c["shared"] for c in counts.values()),
        "stores": counts,
        "transactions": sum(r["transactions"] for r in results),
        "heavy": [s for r in results for s in r["heavy"]],
        "persons": [p for r in results for p in r["people"]],
    }


async def _counts(dsns: dict[str, str]) -> dict[str, dict[str, int]]:
    counts = {}
    for service in SERVICES:
        connection = await asyncpg.connect(dsns[service])
        try:
            row = await connection.fetchrow(
                "SELECT count(*) AS events, count(*) FILTER (WHERE NOT restricted) AS shared FROM events"
            )
            counts[service] = dict(row)
        finally:
            await connection.close()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--people", type=int, default=DEFAULT_PEOPLE, help="people of the year (5,000: ~1 M events)"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="processes telling the year"
    )
    parser.add_argument("--year-ending", type=date.fromisoformat, default=YEAR_ENDING)
    parser.add_argument(
        "--summary", type=Path, help="write the summary (people, heavy files, counts) as JSON here"
    )
    arguments = parser.parse_args()
    missing = [database_url_variable(s) for s in SERVICES if not os.environ.get(database_url_variable(s))]
    missing += [] if os.environ.get(SUBJECT_ID_SECRET) else [SUBJECT_ID_SECRET]
    if missing:
        parser.error(
            f"set {', '.join(missing)} (fresh databases: they are migrated and filled; the assessment "
            "service's subject id secret)"
        )
    dsns = {service: os.environ[database_url_variable(service)] for service in SERVICES}
    print(
        f"Generating a year of {arguments.people} people with {arguments.workers} worker(s) ...", flush=True
    )
    summary = generate(
        dsns,
        people=arguments.people,
        seed=arguments.seed,
        workers=arguments.workers,
        subject_key=os.environ[SUBJECT_ID_SECRET].encode(),
        year_ending=arguments.year_ending,
    )
    per_store = ", ".join(f"{s} {c['events']:,}" for s, c in summary["stores"].items())
    rate = summary["events"] / summary["seconds"]
    print(
        f"Generated {summary['events']:,} events ({summary['shared_events']:,} shareable) for "
        f"{summary['people']:,} people in {summary['seconds']:.1f} s ({rate:,.0f} events/s; "
        f"workers {summary['worker_seconds']} s): {per_store}",
        flush=True,
    )
    if arguments.summary:
        arguments.summary.write_text(
            json.dumps({**summary, "generated_at": datetime.now(UTC).isoformat()}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
