"""A service asked to stop (SIGTERM) stops, even when its database has gone away under it: a graceful pool
close would wait for connections that never come back, and the process would outlive its supervisor."""

import asyncio
import time

import asyncpg
import httpx
import pytest

from devinfra.testkit import LocalSystem, wait_for

pytestmark = pytest.mark.integration


async def test_a_service_stops_on_sigterm_even_without_its_database(slice_env, infrastructure, tmp_path):
    system = LocalSystem(tmp_path, slice_env, ["projections"])
    await asyncio.to_thread(system.start)
    process = system.services["projections"].process()
    try:
        database = slice_env["PROJECTIONS_DATABASE_URL"].rsplit("/", 1)
        admin = await asyncpg.connect(f"{database[0]}/postgres")
        try:
            await admin.execute(f'DROP DATABASE "{database[1]}" WITH (FORCE)')
        finally:
            await admin.close()

        async def reports_its_database_gone():
            async with httpx.AsyncClient(timeout=5) as http:
                return (await http.get(f"{system.url('projections')}/ready")).status_code == 503

        await wait_for(reports_its_database_gone, timeout=30, message="/ready saying the database is gone")
        started = time.monotonic()
        process.terminate()
        await asyncio.to_thread(process.wait, 30)
        assert time.monotonic() - started < 20
    finally:
        await asyncio.to_thread(system.stop)
