"""kill -9 the relay's process and the projection's process while 1,000 commands stream in.

Clients retry with the same Idempotency-Key until they get an answer, as a front-end would. At the end the
directory holds exactly the 1,000 partners: nothing lost by the kills, nothing doubled by the retries or by
the events the relay re-sends after restarting.
"""

import asyncio

import asyncpg
import httpx
import pytest

from devinfra.testkit import valid_siret, wait_for

CHECKPOINTS = "SELECT partition, next_offset FROM consumer_checkpoints"

pytestmark = pytest.mark.integration

TOTAL = 1_000


async def test_killing_relay_and_projection_mid_stream_ends_with_exactly_every_partner(
    slice_system, slice_env, bearer
):
    partners = slice_system.url("partners")
    writer = bearer("ipro_chef")
    done: list[str] = []
    seats = asyncio.Semaphore(8)

    async def register(http: httpx.AsyncClient, n: int) -> None:
        body = {
            "name": f"Structure IAE {n}",
            "siret": valid_siret(10_000 + n),
            "organisation_type": "iae_structure",
        }
        headers = {**writer, "Idempotency-Key": f"register-{n}"}
        async with seats:
            for _ in range(2_000):
                try:
                    response = await http.post(f"{partners}/partners", json=body, headers=headers)
                except httpx.TransportError:
                    await asyncio.sleep(
                        0.05
                    )  # the service is restarting: back off, then retry the same command
                    continue
                assert response.status_code == 201, response.text
                done.append(response.json()["partner_id"])
                return
            raise AssertionError(f"command {n} never succeeded")

    async def chaos() -> dict[str, int]:
        await wait_for(lambda: _reached(done, 300), timeout=120, message="300 commands")
        killed_relay_pid = slice_system.pid("partners")
        slice_system.kill("partners")
        await asyncio.to_thread(slice_system.start, "partners")
        await wait_for(lambda: _reached(done, 600), timeout=120, message="600 commands")
        killed_projection_pid = slice_system.pid("projections")
        slice_system.kill("projections")
        await asyncio.to_thread(slice_system.start, "projections")
        return {"relay": killed_relay_pid, "projection": killed_projection_pid}

    async with httpx.AsyncClient(timeout=30) as http:
        chaos_task = asyncio.create_task(chaos())
        await asyncio.gather(*(register(http, n) for n in range(TOTAL)))
        killed = await chaos_task

    assert killed["relay"] != slice_system.pid("partners")
    assert killed["projection"] != slice_system.pid("projections")
    assert len(set(done)) == TOTAL

    projection = await asyncpg.connect(slice_env["PROJECTIONS_DATABASE_URL"])
    store = await asyncpg.connect(slice_env["PARTNERS_DATABASE_URL"])
    try:
        try:
            await wait_for(
                lambda: _count(projection, "directory_partners", TOTAL),
                timeout=120,
                message="the directory to catch up",
            )
        except AssertionError as error:
            ends = await _end_offsets(slice_env)
            raise AssertionError(
                f"{error}; {await _diagnosis(store, projection)} topic ends={ends}"
            ) from None
        assert await projection.fetchval("SELECT count(*) FROM directory_partners") == TOTAL
        directory = {
            r["partner_id"] for r in await projection.fetch("SELECT partner_id FROM directory_partners")
        }
        assert directory == set(done)
        assert await store.fetchval("SELECT count(*) FROM events") == TOTAL
    finally:
        await projection.close()
        await store.close()


async def _reached(done: list, count: int) -> bool:
    return len(done) >= count


async def _count(connection, table: str, expected: int) -> bool:
    return await connection.fetchval(f"SELECT count(*) FROM {table}") >= expected


async def _diagnosis(store, projection) -> str:
    """What each side holds, to tell a relay that stopped from a projection that did."""
    return (
        f"events={await store.fetchval('SELECT count(*) FROM events')} "
        f"relayed={await store.fetchval('SELECT max(position) FROM relay_checkpoints')} "
        f"directory={await projection.fetchval('SELECT count(*) FROM directory_partners')} "
        f"checkpoints={[tuple(r) for r in await projection.fetch(CHECKPOINTS)]}"
    )


async def _end_offsets(env):
    from aiokafka import AIOKafkaConsumer, TopicPartition

    topic = f"{env['KAFKA_TOPIC_PREFIX']}partners.events"
    consumer = AIOKafkaConsumer(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"])
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(3)]
        return {tp.partition: o for tp, o in (await consumer.end_offsets(partitions)).items()}
    finally:
        await consumer.stop()
