"""/ready says what keeps a service from keeping up (kernel review M4, M6): a relay held back by a transaction
left open anywhere in the cluster, and a subscription halted on a message, each named."""

import asyncpg
import pytest

from contracts.roles import ESTABLISHMENT
from devinfra.testkit import serving, wait_for
from kernel.consumer import Subscription
from kernel.service import ServiceDefinition, create_service_app
from kernel.settings import ServiceSettings

from ..samples import SampleRecorded, metadata

pytestmark = pytest.mark.integration


async def test_ready_names_a_stalled_relay_and_its_cause_then_a_halted_subscription(
    dsn, bootstrap, unique_name, dev_keys
):
    prefix = unique_name("ready") + "."

    async def refusing_thirteen(connection, envelope, event):
        if event.number == 13:
            raise RuntimeError("a bug")

    watcher = f"{prefix}kerneltest.watcher"
    definition = ServiceDefinition(
        name="kerneltest",
        roles=ESTABLISHMENT,
        subscriptions=lambda settings, store: [
            Subscription(watcher, [settings.topic("kerneltest.events")], refusing_thirteen)
        ],
    )
    settings = ServiceSettings(
        database_url=dsn,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        auth_jwks_file=dev_keys.jwks_path,
        relay_stall_seconds=0.5,
        consumer_attempts=2,
    )
    app = create_service_app(definition, settings)
    async with serving(app) as client:
        await wait_for(lambda: _status_is(client, 200), timeout=30, message="ready")

        blocker = await asyncpg.connect(dsn)
        try:
            async with blocker.transaction():  # an idle transaction elsewhere: every relay waits for it
                await blocker.fetchval("SELECT pg_current_xact_id()")
                await app.state.event_store.append("sample", "s-1", 0, [SampleRecorded(number=1)], metadata())
                stalled = await wait_for(
                    lambda: _failing(client, "relay backlog"), timeout=30, message="the stall reported"
                )
        finally:
            await blocker.close()
        assert "1 events unpublished" in stalled and f"pid {blocker.get_server_pid()}" in stalled
        await wait_for(
            lambda: _status_is(client, 200), timeout=30, message="ready once the transaction ended"
        )

        await app.state.event_store.append("sample", "s-2", 0, [SampleRecorded(number=13)], metadata())
        halted = await wait_for(lambda: _failing_starting(client, watcher), timeout=30, message="the halt")
        assert "halted at offset" in halted and "RuntimeError after 2 attempts" in halted
        assert (await client.get("/ready")).status_code == 503


async def _status_is(client, status: int) -> bool:
    return (await client.get("/ready")).status_code == status


async def _failing(client, name: str) -> str | None:
    return (await client.get("/ready")).json()["failing"].get(name)


async def _failing_starting(client, prefix: str) -> str | None:
    failing = (await client.get("/ready")).json()["failing"]
    return next((why for name, why in failing.items() if name.startswith(prefix)), None)
