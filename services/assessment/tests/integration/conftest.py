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


@pytest.fixture
def as_role(dev_keys):
    """Headers of a user: `as_role("cpip")` is user "cpip-1"; `as_role("cpip", "cpip-2")` another CPIP."""

    def headers(role: str, subject: str | None = None, **extra) -> dict[str, str]:
        token = dev_keys.mint(role, subject=subject or f"{role}-1")
        return {"Authorization": f"Bearer {token}", **extra}

    return headers
