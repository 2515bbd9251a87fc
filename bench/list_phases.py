"""`make bench`, issue 19 §4: reads by id against the HTTP floor, and lists whose cost does not grow with the
table. The partners service's organisations are measured at 1,000 and at 100,000 rows in the same run: its
first page (`GET /partners?limit=10`) and deep pages (`?after=` a cursor half way down the list), each with
wrk beside `GET /health`, as `run.http_throughput` does.

The table is topped up with rows written straight into the service's read table (`organisations`): the list
reads that table only, and its cost with its size is what is measured; the rows are deleted afterwards, so the
later phases see the table as the year left it. Reads by id load real organisations, registered here."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

import asyncpg
import httpx
from loadgen import PATHS_SCRIPT, measured_wrk
from table import Row, ratio_row

from devinfra.infra import database_url_variable
from devinfra.testkit import valid_siret
from kernel.pages import encode_cursor

if TYPE_CHECKING:
    from run import Run

SIZES = (1_000, 100_000)
BY_ID_RATIO = 0.50  # of the /health floor
SAME_COST = 0.80  # a list at 100,000 rows against the same at 1,000: the machine's noise is ±20 %
CONNECTIONS, SECONDS = 16, 4
SYNTHETIC = "bench-list-"
DEEP_CURSORS = 50
REGISTERED, LIST_SIRETS = 20, 3_000_000  # a SIRET range no other phase uses

_TOP_UP = f"""
    INSERT INTO organisations (partner_id, name, siret, organisation_type, establishment, accredited_until,
                               suspended, withdrawn, version)
    SELECT '{SYNTHETIC}' || lpad(i::text, 7, '0'), 'Organisme ' || md5(i::text), lpad(i::text, 14, '0'),
           'association', NULL, NULL, false, false, 1
    FROM generate_series($1::integer, $2::integer) AS i"""


async def list_reads(run: Run) -> list[Row]:
    dsn = run.system.environment[database_url_variable("partners")]
    connection = await asyncpg.connect(dsn)
    try:
        token = run.keys.mint("ipro_chef", subject="bench")
        ids = await _registered(run, connection, token)
        floor = await _wrk(run, "health", ["/health"], token)
        by_id = await _wrk(run, "by-id", [f"/partners/{quote(i)}" for i in ids], token)
        rows = [
            ratio_row("HTTP GET /partners/{id}", by_id["per_second"], "reads/s", "GET /health",
                      floor["per_second"], BY_ID_RATIO),
        ]  # fmt: skip
        first_at: dict[int, dict] = {}
        for size in SIZES:
            await _top_up(connection, size)
            first_at[size] = await _wrk(run, f"first-{size}", ["/partners?limit=10"], token)
            deep = await _wrk(run, f"deep-{size}", await _deep_paths(connection), token)
            rows += _size_rows(size, first_at, deep, floor)
        return rows
    finally:
        await connection.execute(f"DELETE FROM organisations WHERE partner_id LIKE '{SYNTHETIC}%'")
        await connection.close()


async def _registered(run: Run, connection: asyncpg.Connection, token: str) -> list[str]:
    """Real organisations (their events in the store) to read by id: the year's, and some registered now."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=run.system.url("partners"), headers=headers, timeout=30) as http:
        for number in range(REGISTERED):
            body = {"name": f"Organisme lu {number}", "siret": valid_siret(LIST_SIRETS + number),
                    "organisation_type": "association"}  # fmt: skip
            (await http.post("/partners", json=body)).raise_for_status()
    return [r[0] for r in await connection.fetch("SELECT partner_id FROM organisations LIMIT 200")]


async def _top_up(connection: asyncpg.Connection, size: int) -> None:
    have = await connection.fetchval("SELECT count(*) FROM organisations")
    await connection.execute(_TOP_UP, have + 1, size)
    await connection.execute("ANALYZE organisations")


async def _deep_paths(connection: asyncpg.Connection) -> list[str]:
    """Cursors spread over the second half of the list: pages as deep as a client paging on would reach."""
    rows = await connection.fetch(
        """SELECT sort_name, partner_id FROM (
               SELECT lower(name) AS sort_name, partner_id, ntile($1) OVER (ORDER BY lower(name), partner_id) AS part
               FROM organisations) parts
           WHERE part > $1 / 2 AND part % 2 = 0""",
        DEEP_CURSORS * 2,
    )
    return [f"/partners?limit=10&after={encode_cursor([r['sort_name'], r['partner_id']])}" for r in rows]


async def _wrk(run: Run, name: str, paths: list[str], token: str) -> dict:
    file = run.workdir / f"{name}.paths"
    file.write_text("".join(p + "\n" for p in paths))
    url = run.system.url("partners")
    result, cpu = await measured_wrk(run.groups, url, PATHS_SCRIPT, [file, token], CONNECTIONS, SECONDS)
    if result["failed"]:
        raise RuntimeError(f"{name}: {result['failed']} of {result['done']} requests failed")
    run.record(f"list {name}", result, cpu, result["done"])
    return result


def _size_rows(size: int, first_at: dict[int, dict], deep: dict, floor: dict) -> list[Row]:
    smallest = SIZES[0]
    first = first_at[size]
    if size == smallest:
        return [
            ratio_row(f"HTTP GET /partners?limit=10, {size:,} rows", first["per_second"], "reads/s",
                      "GET /health", floor["per_second"], None),
            ratio_row(f"  a deep page (after=), {size:,} rows", deep["per_second"], "reads/s",
                      "first page", first["per_second"], None),
        ]  # fmt: skip
    same = f"same at {smallest:,}"
    return [
        ratio_row(f"HTTP GET /partners?limit=10, {size:,} rows", first["per_second"], "reads/s",
                  same, first_at[smallest]["per_second"], SAME_COST),
        ratio_row(f"  a deep page (after=), {size:,} rows", deep["per_second"], "reads/s",
                  f"first page at {smallest:,}", first_at[smallest]["per_second"], SAME_COST),
    ]  # fmt: skip
