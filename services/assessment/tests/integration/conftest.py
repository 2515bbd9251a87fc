import pytest

from devinfra.testkit import serving
from assessment.bootstrap import create_app

from .flows import service_settings


@pytest.fixture
async def assessment_dsn(new_database):
    return await new_database("assessment")


@pytest.fixture
def assessment_settings(assessment_dsn, infrastructure, dev_keys, unique_name):
    return service_settings(assessment_dsn, infrastructure, dev_keys, unique_name)


@pytest.fixture
def app(assessment_settings, clock):
    return create_app(assessment_settings, clock=clock)


@pytest.fixture
async def api(app):
    async with serving(app) as client:
        yield client

