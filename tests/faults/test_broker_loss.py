"""Losing a Kafka broker loses nothing (kernel review H5). With the single broker of old, `acks=all` meant "in
one broker's page cache": losing its disk lost events the relay had already checkpointed, for good. On a
cluster of three, every topic is replicated three times and a write is acknowledged once two replicas have it:
one broker is killed while commands flow; none acknowledged is lost, publication goes on, the views complete."""

import asyncio

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import NodeNotReadyError

from devinfra.kafka_cluster import LocalKafkaCluster
from devinfra.testkit import LocalSystem, read_topic, valid_siret, wait_for

pytestmark = pytest.mark.integration

TOTAL, KILLED_AFTER = 300, 100


async def test_a_broker_killed_while_commands_flow_loses_no_acknowledged_command(
    tmp_path, new_database, dev_keys, unique_name, bearer
):
    cluster = LocalKafkaCluster(tmp_path / "kafka", nodes=3)
    await asyncio.to_thread(cluster.start)
    prefix = unique_name("brokers") + "."
    environment = {
        "PARTNERS_DATABASE_URL": await new_database("partners"),
        "PROJECTIONS_DATABASE_URL": await new_database("projections"),
        "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": prefix,
        "KAFKA_REPLICATION_FACTOR": "3",
        "KAFKA_MIN_INSYNC_REPLICAS": "2",
        "AUTH_JWKS_FILE": str(dev_keys.jwks_path),
    }
    system = LocalSystem(tmp_path / "services", environment, ["partners", "projections"])
    try:
        await asyncio.to_thread(system.start)
        topic = f"{prefix}partners.events"
        acknowledged: list[str] = []
        killed = asyncio.create_task(_kill_a_leader_after(cluster, topic, acknowledged))
        async with httpx.AsyncClient(timeout=30) as http:
            await _register(http, system.url("partners"), bearer("ipro_chef"), acknowledged)
        killed_node = await killed
        assert not cluster.is_running(killed_node)

        replication = await wait_for(
            lambda: _replication(cluster.bootstrap_servers, topic),
            timeout=30,
            message="the topic described by a live broker",
        )
        assert replication == (3, "2")
        published = await read_topic(cluster.bootstrap_servers, topic, at_least=TOTAL, timeout=60)
        on_the_topic = {record.key.decode() for record in published}
        assert on_the_topic == set(acknowledged)  # every acknowledged command, nothing else
        directory = await asyncpg.connect(environment["PROJECTIONS_DATABASE_URL"])
        try:
            await wait_for(
                lambda: _directory_holds(directory, TOTAL), timeout=60, message="the directory complete"
            )
            rows = {
                r["partner_id"] for r in await directory.fetch("SELECT partner_id FROM directory_partners")
            }
        finally:
            await directory.close()
        assert rows == set(acknowledged)
    finally:
        await asyncio.to_thread(system.stop)
        await asyncio.to_thread(cluster.stop)


async def _register(http: httpx.AsyncClient, partners: str, writer: dict, acknowledged: list[str]) -> None:
    """Registrations, eight at a time, each retried with its Idempotency-Key until answered, as a front-end does."""
    seats = asyncio.Semaphore(8)

    async def register(n: int) -> None:
        body = {
            "name": f"Structure {n}",
            "siret": valid_siret(40_000 + n),
            "organisation_type": "iae_structure",
        }
        async with seats:
            for _ in range(600):
                try:
                    response = await http.post(
                        f"{partners}/partners",
                        json=body,
                        headers={**writer, "Idempotency-Key": f"register-{n}"},
                    )
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
                    continue
                assert response.status_code == 201, response.text
                acknowledged.append(response.json()["partner_id"])
                return
            raise AssertionError(f"registration {n} never answered")

    await asyncio.gather(*(register(n) for n in range(TOTAL)))


async def _kill_a_leader_after(cluster: LocalKafkaCluster, topic: str, acknowledged: list[str]) -> int:
    """kill -9 the broker leading the topic's first partition, once some commands were acknowledged."""
    await wait_for(
        lambda: _at_least(acknowledged, KILLED_AFTER), timeout=120, message=f"{KILLED_AFTER} commands"
    )
    leader = await wait_for(
        lambda: _leader_of_first_partition(cluster.bootstrap_servers, topic),
        timeout=30,
        message="a broker that names the leader of the topic's first partition",
    )
    await asyncio.to_thread(cluster.kill, leader)
    return leader


async def _leader_of_first_partition(bootstrap: str, topic: str) -> int | None:
    """None while the broker asked does not yet describe the partition with a leader (its metadata a moment
    behind); the nodes are numbered from 1."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    leader = next((p["leader"] for p in described["partitions"] if p["partition"] == 0), None)
    return leader if leader is not None and leader > 0 else None


async def _replication(bootstrap: str, topic: str) -> tuple[int, str] | None:
    """The topic's replication factor and its min.insync.replicas, as the brokers report them (None while
    the metadata still names the dead broker, which may be the one asked)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        [described] = await admin.describe_topics([topic])
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    except NodeNotReadyError:
        return None
    finally:
        await admin.close()
    configs = {entry[0]: entry[1] for entry in response.resources[0][4]}
    return min(len(p["replicas"]) for p in described["partitions"]), configs["min.insync.replicas"]


async def _at_least(items: list, count: int) -> bool:
    return len(items) >= count


async def _directory_holds(connection, count: int) -> bool:
    return await connection.fetchval("SELECT count(*) FROM directory_partners") >= count
