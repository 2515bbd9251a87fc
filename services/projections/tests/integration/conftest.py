import pytest

from contracts import parse_payload
from devinfra.testkit import PSEUDONYM_TEST_SECRET
from kernel.database import create_pool
from projections.settings import ProjectionsSettings


@pytest.fixture
def new_projections_database(new_database):
    """`dsn = await new_projections_database()`: a fresh database with the kernel's and our tables."""

    async def create() -> str:
        return await new_database("projections")

    return create


@pytest.fixture
async def projections_dsn(new_projections_database):
    return await new_projections_database()


@pytest.fixture
def views_settings(projections_dsn, infrastructure, dev_keys) -> ProjectionsSettings:
    """The app over this test's database, whose views the test fills itself: no relay, no consumers."""
    return ProjectionsSettings(
        database_url=projections_dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        auth_jwks_file=dev_keys.jwks_path,
        pseudonym_secret=PSEUDONYM_TEST_SECRET,
        run_relay=False,
        run_consumers=False,
    )


@pytest.fixture
async def pool(projections_dsn):
    pool = await create_pool(projections_dsn)
    yield pool
    await pool.close()


@pytest.fixture
def apply_all(pool):
    """Apply envelopes one transaction each, their payloads read as the consumer runner reads them."""

    async def run(handler, *envelopes) -> None:
        for envelope in envelopes:
            event = parse_payload(envelope.event_type, envelope.schema_version, envelope.payload)
            async with pool.acquire() as connection, connection.transaction():
                await handler(connection, envelope, event)

    return run
