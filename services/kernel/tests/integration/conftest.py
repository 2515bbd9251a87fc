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


@pytest.fixture
async def pool(dsn):
    """A pool on the test's database, with the table the sample subscriptions apply events to."""
    pool = await create_pool(dsn)
    await pool.execute("CREATE TABLE applied (event_id uuid, number int)")
    yield pool
    await pool.close()
