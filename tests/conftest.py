import asyncio

import pytest

from devinfra.testkit import LocalSystem


@pytest.fixture
async def slice_env(infrastructure, new_database, dev_keys, unique_name):
    return {
        "PARTNERS_DATABASE_URL": await new_database("partners"),
        "PROJECTIONS_DATABASE_URL": await new_database("projections"),
        "KAFKA_BOOTSTRAP_SERVERS": infrastructure.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": unique_name("e2e") + ".",
        "AUTH_JWKS_FILE": str(dev_keys.jwks_path),
        "LOG_LEVEL": "INFO",  # service logs stay in the test's tmp folder, for post-mortems
        # The kill -9 test streams 1,000 commands and their retries as one user, faster than a person could.
        "RATE_LIMIT_USER_PER_SECOND": "0",
    }


@pytest.fixture
async def slice_system(slice_env, tmp_path):
    """The partners and projections services as real processes, on fresh databases and topics."""
    system = LocalSystem(tmp_path, slice_env, ["partners", "projections"])
    await asyncio.to_thread(system.start)
    yield system
    await asyncio.to_thread(system.stop)


@pytest.fixture
def bearer(dev_keys):
    return lambda role, **kw: {"Authorization": f"Bearer {dev_keys.mint(role, **kw)}"}
