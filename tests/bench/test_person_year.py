"""The bench's year generator (`bench/person_year.py`), run small so that it cannot rot: what it writes is what the
services would have written. Every event parses with its contract, every stream's hash chain holds, every person
has a case and the pathway IPRO opens from it, and the same seed tells the same year."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from contracts import parse_payload
from devinfra.infra import database_url_variable
from kernel import database
from kernel.eventstore import EventStore

pytestmark = pytest.mark.integration

GENERATOR = Path(__file__).resolve().parents[2] / "bench" / "person_year.py"
WRITERS = ("assessment", "programmes", "ipro", "partners")
YEAR_ENDING = date(2026, 11, 30)


async def a_year(new_database, tmp_path: Path, people: int, name: str) -> tuple[dict[str, str], dict]:
    """Fresh stores filled by the generator as `make bench` runs it: (DSNs by service, its summary)."""
    dsns = {service: await new_database(service) for service in WRITERS}  # each a fresh, migrated store
    summary = tmp_path / f"{name}.json"
    environment = {**os.environ, **{database_url_variable(s): dsn for s, dsn in dsns.items()}}
    command = [
        sys.executable,
        str(GENERATOR),
        "--people",
        str(people),
        "--workers",
        "2",
        "--summary",
        str(summary),
    ]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    return dsns, json.loads(summary.read_text())


async def rows_of(dsn: str, query: str) -> list:
    pool = await database.create_pool(dsn, min_size=1, max_size=1)
    try:
        return await pool.fetch(query)
    finally:
        await pool.close()


async def test_a_small_year_is_made_of_valid_events_in_intact_hash_chains(new_database, tmp_path):
    dsns, year = await a_year(new_database, tmp_path, 30, "smoke")

    assert year["people"] == 30
    for service, dsn in dsns.items():
        pool = await database.create_pool(dsn, min_size=1, max_size=2)
        try:
            assert await EventStore(pool).verify() == {}, f"{service}: broken hash chains"
            rows = await pool.fetch(
                "SELECT event_type, schema_version, payload, occurred_at FROM events ORDER BY position"
            )
        finally:
            await pool.close()
        assert rows, f"{service} holds no event"
        for row in rows:
            parse_payload(row["event_type"], row["schema_version"], row["payload"])  # raises if invalid
        days = {
            row["occurred_at"].date()
            for row in rows
            if not row["event_type"].startswith("programmes.programme.")
        }
        assert date(2025, 12, 1) <= min(days) and max(days) <= YEAR_ENDING, f"{service}: outside the year"

    cases = await rows_of(
        dsns["assessment"], "SELECT subject FROM events WHERE event_type = 'assessment.case.opened'"
    )
    pathways = await rows_of(
        dsns["ipro"], "SELECT subject FROM events WHERE event_type = 'ipro.pathway.opened'"
    )
    people = {p["subject_id"] for p in year["persons"]}
    assert {r["subject"] for r in cases} == people
    assert {r["subject"] for r in pathways} == people
    assert year["events"] == sum(store["events"] for store in year["stores"].values())


async def test_the_same_seed_tells_the_same_year(new_database, tmp_path):
    stores = [(await a_year(new_database, tmp_path, 6, name))[0] for name in ("first", "second")]

    told = []
    for dsns in stores:
        told.append(
            {
                service: [
                    (
                        r["stream_id"],
                        r["stream_version"],
                        r["event_type"],
                        r["occurred_at"],
                        json.dumps(r["payload"]),
                    )
                    for r in await rows_of(
                        dsn,
                        "SELECT stream_id, stream_version, event_type, occurred_at, payload FROM events"
                        " ORDER BY stream_id, stream_version",
                    )
                ]
                for service, dsn in dsns.items()
            }
        )
    assert told[0] == told[1]
