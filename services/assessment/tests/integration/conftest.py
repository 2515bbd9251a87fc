import pytest

from devinfra.testkit import serving
from assessment.bootstrap import create_app
from assessment.settings import AssessmentSettings


@pytest.fixture
async def assessment_dsn(new_database):
    return await new_database("assessment")


@pytest.fixture
def assessment_settings(assessment_dsn, infrastructure, dev_keys, unique_name):
    return AssessmentSettings(
        database_url=assessment_dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=unique_name("t") + ".",
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,  # the scenario and end-to-end tests run it
        run_background=False,  # the deadline tests drive the scheduler themselves
    )


@pytest.fixture
def app(assessment_settings, clock):
    return create_app(assessment_settings, clock=clock)


@pytest.fixture
async def api(app):
    async with serving(app) as client:
        yield client


@pytest.fixture
def as_role(dev_keys):
    """Headers of a user: `as_role("cpip")` is user "cpip-1"; `as_role("cpip", "cpip-2")` another CPIP."""

    def headers(role: str, subject: str | None = None, **extra) -> dict[str, str]:
        token = dev_keys.mint(role, subject=subject or f"{role}-1")
        return {"Authorization": f"Bearer {token}", **extra}

    return headers
