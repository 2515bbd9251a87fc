import pytest

from devinfra.testkit import serving
from partners.bootstrap import create_app
from partners.settings import PartnersSettings


@pytest.fixture
async def partners_dsn(new_database):
    return await new_database("partners")


@pytest.fixture
def partners_settings(partners_dsn, infrastructure, dev_keys, unique_name):
    return PartnersSettings(
        database_url=partners_dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=unique_name("t") + ".",
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,  # the relay has its own tests; the scenario and end-to-end tests run it
    )


@pytest.fixture
async def api(partners_settings, clock):
    async with serving(create_app(partners_settings, clock=clock)) as client:
        yield client

