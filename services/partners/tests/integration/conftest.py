import pytest

from devinfra.testkit import service_settings, serving
from partners.bootstrap import create_app
from partners.settings import PartnersSettings


@pytest.fixture
async def partners_dsn(new_database):
    return await new_database("partners")


@pytest.fixture
def partners_settings(partners_dsn, infrastructure, dev_keys, topic_prefix):
    # The relay has its own tests; the scenario and end-to-end tests run it.
    return service_settings(PartnersSettings, partners_dsn, infrastructure, dev_keys, topic_prefix)


@pytest.fixture
async def api(partners_settings, clock):
    async with serving(create_app(partners_settings, clock=clock)) as client:
        yield client
