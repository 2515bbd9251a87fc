import pytest

from devinfra.testkit import serving
from assessment.bootstrap import create_app as create_assessment_app
from ipro.bootstrap import create_app
from partners.bootstrap import create_app as create_partners_app
from partners.settings import PartnersSettings

from .flows import Catalogue, Residents, service_settings


@pytest.fixture
async def ipro_dsn(new_database):
    return await new_database("ipro")


@pytest.fixture
def topic_prefix(unique_name):
    return unique_name("t") + "."


@pytest.fixture
def ipro_settings(ipro_dsn, infrastructure, dev_keys, topic_prefix):
    return service_settings(ipro_dsn, infrastructure, dev_keys, topic_prefix)


@pytest.fixture
async def assessment_api(new_database, infrastructure, dev_keys, topic_prefix, clock):
    """The real assessment service: its case events open and close pathways."""
    from services.assessment.tests.integration.flows import service_settings as assessment_settings

    settings = assessment_settings(await new_database("assessment"), infrastructure, dev_keys, lambda _: topic_prefix[:-1])
    async with serving(create_assessment_app(settings.model_copy(update={"run_relay": True}), clock=clock)) as client:
        yield client


@pytest.fixture
async def partners_api(new_database, infrastructure, dev_keys, topic_prefix, clock):
    """The real partners service: its catalogue events are what people are positioned on."""
    settings = PartnersSettings(database_url=await new_database("partners"),
                                kafka_bootstrap_servers=infrastructure.bootstrap_servers,
                                kafka_topic_prefix=topic_prefix, auth_jwks_file=dev_keys.jwks_path)
    async with serving(create_partners_app(settings, clock=clock)) as client:
        yield client


@pytest.fixture
def app(ipro_settings, clock):
    return create_app(ipro_settings, clock=clock)


@pytest.fixture
async def api(app):
    async with serving(app) as client:
        yield client


@pytest.fixture
def residents(assessment_api, api, as_role, ipro_dsn, clock):
    return Residents(assessment_api, as_role, ipro_dsn, clock)


@pytest.fixture
def catalogue(partners_api, api, as_role, ipro_dsn, clock):
    return Catalogue(partners_api, as_role, ipro_dsn, clock)
