import pytest

from kernel.database import create_pool, migrate
from kernel.eventstore import EventStore


@pytest.fixture
async def dsn(new_database):
    dsn = await new_database("kernel")
    await migrate(dsn)
    return dsn


@pytest.fixture
async def store(dsn):
    pool = await create_pool(dsn)
    yield EventStore(pool)
    await pool.close()


@pytest.fixture
def bootstrap(infrastructure) -> str:
    return infrastructure.bootstrap_servers
