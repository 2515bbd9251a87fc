import pytest

from devinfra.testkit import Upstream, service_settings, serving
from programmes.bootstrap import create_app
from programmes.settings import ProgrammesSettings

from .flows import People


@pytest.fixture
async def programmes_dsn(new_database):
    return await new_database("programmes")


@pytest.fixture
def programmes_settings(programmes_dsn, infrastructure, dev_keys, topic_prefix):
    return service_settings(ProgrammesSettings, programmes_dsn, infrastructure, dev_keys, topic_prefix)


@pytest.fixture
def assessment(programmes_settings):
    """The assessment service's topic, fed with the case, assessment and plan events the replica consumes."""
    return Upstream(programmes_settings, "assessment")


@pytest.fixture
def app(programmes_settings, clock):
    return create_app(programmes_settings, clock=clock)


@pytest.fixture
async def api(app):
    async with serving(app) as client:
        yield client


@pytest.fixture
def people(assessment, api, programmes_dsn, clock):
    return People(assessment, programmes_dsn, clock)
