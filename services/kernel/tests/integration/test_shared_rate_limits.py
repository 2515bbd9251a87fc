"""Request budgets hold across a service's processes (issue 18 #5, ADR 34): two instances of one app on one
database, as two workers or two pods are, grant a user and an address one budget between them, not one each."""

from contextlib import AsyncExitStack
from typing import Annotated

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import Depends

from contracts.roles import ESTABLISHMENT
from kernel import retention
from kernel.access import Principal
from kernel.auth import allow
from kernel.http import service_router
from kernel.service import ServiceDefinition, create_service_app
from kernel.settings import ServiceSettings

pytestmark = pytest.mark.integration

# Budgets that do not refill during a test: one request or failure forgiven every 1,000 s.
SLOW = 0.001


def definition() -> ServiceDefinition:
    router = service_router()

    @router.get("/cases")
    async def cases(principal: Annotated[Principal, Depends(allow("cpip", "dpip"))]) -> dict:
        return {"reader": principal.subject}

    return ServiceDefinition(name="kerneltest", roles=ESTABLISHMENT, routers=[router])


async def two_instances(stack: AsyncExitStack, dsn, bootstrap, dev_keys, address: str, **budgets):
    """Two apps on one database, each with its own lifespan and its own client from `address`."""
    settings = ServiceSettings(
        database_url=dsn,
        kafka_bootstrap_servers=bootstrap,
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,
        run_consumers=False,
        run_background=False,
        **budgets,
    )
    clients = []
    for _ in range(2):
        app = create_service_app(definition(), settings)
        await stack.enter_async_context(LifespanManager(app, startup_timeout=60))
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        clients.append(
            await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://testserver")
            )
        )
    return clients


async def test_a_users_budget_is_one_across_two_instances(dsn, bootstrap, dev_keys):
    cpip = {"Authorization": f"Bearer {dev_keys.mint('cpip', subject='cpip-1')}"}
    dpip = {"Authorization": f"Bearer {dev_keys.mint('dpip', subject='dpip-1')}"}
    async with AsyncExitStack() as stack:
        a, b = await two_instances(
            stack,
            dsn,
            bootstrap,
            dev_keys,
            "192.0.2.1",
            RATE_LIMIT_USER_BURST=4,
            RATE_LIMIT_USER_PER_SECOND=SLOW,
        )
        within = [(await http.get("/cases", headers=cpip)).status_code for http in (a, b, a, b)]
        over_a, over_b = await a.get("/cases", headers=cpip), await b.get("/cases", headers=cpip)
        other = await b.get("/cases", headers=dpip)
    assert within == [200, 200, 200, 200]  # per process, each instance would have granted four
    assert over_a.status_code == over_b.status_code == 429
    assert over_b.json()["rule"] == "too-many-requests"
    assert 990 <= int(over_b.headers["retry-after"]) <= 1000  # the shared bucket's next token
    assert other.status_code == 200


async def test_an_addresss_failed_authentications_are_counted_across_two_instances(dsn, bootstrap, dev_keys):
    forged = {"Authorization": "Bearer forged"}
    valid = {"Authorization": f"Bearer {dev_keys.mint('cpip', subject='cpip-1')}"}
    async with AsyncExitStack() as stack:
        a, b = await two_instances(
            stack,
            dsn,
            bootstrap,
            dev_keys,
            "198.51.100.7",
            RATE_LIMIT_AUTH_FAILURES_BURST=2,
            RATE_LIMIT_AUTH_FAILURES_PER_MINUTE=SLOW * 60,
        )
        first, second = await a.get("/cases", headers=forged), await b.get("/cases", headers=forged)
        # B spent the address's last failure: it refuses the address before verifying anything.
        b_after = await b.get("/cases", headers=valid)
        # A has not met the address since, so a valid token passes; its next failure finds the budget spent.
        a_valid = await a.get("/cases", headers=valid)
        a_third = await a.get("/cases", headers=forged)
        a_after = await a.get("/cases", headers=valid)
    assert [first.status_code, second.status_code] == [401, 401]
    assert b_after.status_code == 429 and "failed authentications" in b_after.json()["detail"]
    assert a_valid.status_code == 200
    assert a_third.status_code == 429  # a third failure from the address, answered as over the budget
    assert a_after.status_code == 429


async def test_buckets_that_refilled_are_pruned_and_the_others_kept(store):
    await store.pool.execute("""
        INSERT INTO rate_limit_buckets (budget, key, full_at) VALUES
            ('user', 'refilled', extract(epoch FROM now()) - 1),
            ('user', 'spent', extract(epoch FROM now()) + 1000)""")
    assert await retention.prune_full_buckets(store.pool) == 1
    assert await store.pool.fetchval("SELECT array_agg(key) FROM rate_limit_buckets") == ["spent"]
