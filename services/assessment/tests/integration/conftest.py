import pytest

from assessment.bootstrap import create_app
from assessment.settings import AssessmentSettings
from devinfra.testkit import service_settings, serving


@pytest.fixture
async def assessment_dsn(new_database):
    return await new_database("assessment")


@pytest.fixture
def assessment_settings(assessment_dsn, infrastructure, dev_keys, topic_prefix):
    return service_settings(AssessmentSettings, assessment_dsn, infrastructure, dev_keys, topic_prefix)


@pytest.fixture
def app(assessment_settings, clock):
    return create_app(assessment_settings, clock=clock)


@pytest.fixture
async def api(app):
    async with serving(app) as client:
        yield client
