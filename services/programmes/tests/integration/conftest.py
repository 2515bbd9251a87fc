import pytest

from devinfra.testkit import serving
from assessment.bootstrap import create_app as create_assessment_app
from programmes.bootstrap import create_app

from .flows import People, service_settings


@pytest.fixture
async def programmes_dsn(new_database):
    return await new_database("programmes")


@pytest.fixture
def topic_prefix(unique_name):
    return unique_name("t") + "."


@pytest.fixture
def programmes_settings(programmes_dsn, infrastructure, dev_keys, topic_prefix):
    return service_settings(programmes_dsn, infrastructure, dev_keys, topic_prefix)


@pytest.fixture
async def assessment_api(new_database, infrastructure, dev_keys, topic_prefix, clock):
    """The real assessment service, publishing the case, assessment and plan events the replica consumes."""
    from services.assessment.tests.integration.flows import service_settings as assessment_settings

    settings = assessment_settings(await new_database("assessment"), infrastructure, dev_keys, lambda _: topic_prefix[:-1])
    settings = settings.model_copy(update={"run_relay": True})
    async with serving(create_assessment_app(settings, clock=clock)) as client:
        yield client


@pytest.fixture
def app(programmes_settings, clock):
    return create_app(programmes_settings, clock=clock)


@pytest.fixture
async def api(app):
    async with serving(app) as client:
        yield client



@pytest.fixture
def people(assessment_api, api, as_role, programmes_dsn, clock):
    return People(assessment_api, as_role, programmes_dsn, clock)
