"""A year of a regional direction, generated through the services' own deciders and appended through the
kernel's event store: about 5,000 people and 1 M events by default (issue 14's size), `--people` for less.

    ASSESSMENT_DATABASE_URL=… PROGRAMMES_DATABASE_URL=… IPRO_DATABASE_URL=… PARTNERS_DATABASE_URL=… \
    ASSESSMENT_SUBJECT_ID_SECRET=… uv run python bench/person_year.py --people 30 --summary /tmp/year.json

Each service's database is migrated as the service would migrate it, then filled: the programmes catalogue as
its reference data creates it, then each establishment's year (`year_story.SiteYear`), the establishments
shared among worker processes. Every decision becomes a `Session.append` at its simulated instant (the
session's clock), so positions, hash chains and envelopes are the kernel's own; many appends share one
transaction per service. The stores' relays publish it all once the services start.

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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from multiprocessing import get_context
from pathlib import Path

import asyncpg

from contracts import Actor, Event
from devinfra.infra import database_url_variable
from kernel import database
from kernel.clock import LOCAL_TIME_ZONE
from kernel.eventstore import NEW_STREAM, Metadata, Session, StreamHead
from kernel.sealing import Sealer

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules, also in worker processes

import year_cast  # noqa: E402
from year_cast import StaffNames  # noqa: E402
from year_story import SiteYear  # noqa: E402

SERVICES = ("assessment", "programmes", "ipro", "partners")
# A reaction's cause is appended first: the assessment and partners stores before those that react to them.
FLUSH_PHASES = (("assessment", "partners"), ("programmes", "ipro"))
CONNECTIONS = 2  # transactions side by side per store and worker
BATCH_EVENTS = 4000  # decisions queued before they are appended, a transaction per service
YEAR_ENDING = date(2026, 11, 30)  # the last day of the year told (a fixed day: the output does not drift)
DEFAULT_PEOPLE, DEFAULT_SEED = 5000, 14
# The assessment service's, so that a person re-admitted through its API is the same person (subject ids).
SUBJECT_ID_SECRET = "ASSESSMENT_SUBJECT_ID_SECRET"


def migrations_of(service: str) -> Path:
    return Path(__import__(service).__file__).parent / "migrations"


# --- appending through the kernel --------------------------------------------------------------------------


@dataclass(eq=False)
class Queued:
    """One decision waiting to be appended; once appended, the id of its first event (a reaction's cause)."""

    service: str
    stream_type: str
    stream_id: str
    events: list[Event]
    actor: Actor
    at: datetime
    subject: str | None
    restricted: bool
    correlation_id: str
    cause: Queued | None
    first_event_id: str | None = None


@dataclass
class Writer:
    """The `year_cast.Sink`: decisions queued per service, appended with `Session.append` in batches, each
    at its instant (the session's clock), after the head the stream had: versions and hash chains are the
    event store's. With a `sealer`, personal fields are sealed as the services' stores seal them (the demo);
    the bench appends them in clear, as values written before sealing existed are read."""

    pools: dict[str, asyncpg.Pool]
    sealer: Sealer | None = None
    queued: dict[str, list[Queued]] = field(default_factory=lambda: {s: [] for s in SERVICES})
    heads: dict[tuple[str, str], StreamHead] = field(default_factory=dict)
    waiting_events: int = 0
    appended: Counter = field(default_factory=Counter)
    transactions: int = 0

    def add(
        self,
        service,
        stream_type,
        stream_id,
        events,
        *,
        actor,
        at,
        subject,
        restricted,
        correlation_id,
        cause,
    ):
        item = Queued(
            service, stream_type, stream_id, events, actor, at, subject, restricted, correlation_id, cause
        )
        self.queued[service].append(item)
        self.waiting_events += len(events)
        return item

    @property
    def full(self) -> bool:
        return self.waiting_events >= BATCH_EVENTS

    async def flush(self) -> None:
        """Everything queued, appended: the stores that cause reactions first, then those that react (their
        causation ids are known by then). Within a store, streams are dealt to `CONNECTIONS` transactions
        that run side by side; a stream's events all go to one of them, in order."""
        for stores in FLUSH_PHASES:
            batches = []
            for service in stores:
                items, self.queued[service] = self.queued[service], []
                shares: list[list[Queued]] = [[] for _ in range(CONNECTIONS)]
                for item in items:
                    shares[hash(item.stream_id) % CONNECTIONS].append(item)
                batches += [self._append(service, share) for share in shares if share]
            await asyncio.gather(*batches)
        self.waiting_events = 0

    async def _append(self, service: str, items: list[Queued]) -> None:
        instant = [items[0].at]
        async with self.pools[service].acquire() as connection, connection.transaction():
            session = Session(connection, clock=lambda: instant[0], sealer=self.sealer)
            for item in items:
                instant[0] = item.at
                key = (service, item.stream_id)
                causation = item.cause.first_event_id if item.cause is not None else None
                appended = await session.append(
                    item.stream_type,
                    item.stream_id,
                    self.heads.get(key, NEW_STREAM),
                    item.events,
                    Metadata(actor=item.actor, correlation_id=item.correlation_id, causation_id=causation),
                    subject=item.subject,
                    restricted=item.restricted,
                )
                self.heads[key] = StreamHead.of(appended)
                item.first_event_id = str(appended[0].event_id)
                self.appended[service] += len(appended)
        self.transactions += 1


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


async def tell_site(
    writer: Writer,
    site: year_cast.Site,
    seed: int,
    start: date,
    end: date,
    subject_key: bytes,
    programmes: dict,
    names: StaffNames | None = None,
) -> SiteYear:
    """One establishment's story from `start` to `end`, every decision appended by `writer`: the bench's
    sites and the demo's one (`devinfra.demo`)."""
    story = SiteYear(
        site,
        seed=seed,
        start=start,
        end=end,
        ledger_sink=writer,
        programmes=programmes,
        subject_key=subject_key,
        names=names,
    )
    story.cast()
    for step, args in story.steps():
        step(*args)
        if writer.full:
            await writer.flush()
    await writer.flush()
    return story


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
