import pytest

from kernel.database import create_pool, migrate
from projections.bootstrap import DEFINITION


@pytest.fixture
def new_projections_database(new_database):
    """`dsn = await new_projections_database()`: a fresh database with the kernel's and our tables."""

    async def create() -> str:
        dsn = await new_database("projections")
        await migrate(dsn, DEFINITION.migrations)
        return dsn

    return create


@pytest.fixture
async def projections_dsn(new_projections_database):
    return await new_projections_database()


@pytest.fixture
async def pool(projections_dsn):
    pool = await create_pool(projections_dsn)
    yield pool
    await pool.close()


@pytest.fixture
def apply_all(pool):
    """Apply envelopes one transaction each, as the consumer runner does."""

    async def run(handler, *envelopes) -> None:
        for envelope in envelopes:
            async with pool.acquire() as connection, connection.transaction():
                await handler(connection, envelope)

    return run
