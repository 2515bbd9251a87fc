import pytest

from devinfra.testkit import Upstream, service_settings, serving
from ipro.bootstrap import create_app
from ipro.settings import IproSettings

from .flows import Catalogue, Residents


@pytest.fixture
async def ipro_dsn(new_database):
    return await new_database("ipro")


@pytest.fixture
def ipro_settings(ipro_dsn, infrastructure, dev_keys, topic_prefix):
    return service_settings(IproSettings, ipro_dsn, infrastructure, dev_keys, topic_prefix)


@pytest.fixture
def app(ipro_settings, clock):
    return create_app(ipro_settings, clock=clock)


@pytest.fixture
async def api(app):
    async with serving(app) as client:
        yield client


@pytest.fixture
def residents(api, ipro_settings, ipro_dsn, clock):
    """People admitted by case events on `assessment.events`, as the assessment service publishes them."""
    return Residents(Upstream(ipro_settings, "assessment", role="dpip"), ipro_dsn, clock)


@pytest.fixture
def catalogue(api, ipro_settings, ipro_dsn, clock):
    """Partner actions published by catalogue events on `partners.events`."""
    return Catalogue(Upstream(ipro_settings, "partners", role="ipro_chef"), ipro_dsn, clock)
