import pytest

from devinfra.testkit import serving
from partners.bootstrap import create_app
from partners.settings import PartnersSettings


@pytest.fixture
async def partners_dsn(new_database):
    return await new_database("partners")


@pytest.fixture
async def api(partners_dsn, infrastructure, dev_keys, unique_name):
    settings = PartnersSettings(
        database_url=partners_dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=unique_name("t") + ".",
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,  # the relay has its own tests; the end-to-end tests run it
    )
    async with serving(create_app(settings)) as client:
        yield client


@pytest.fixture
def as_role(dev_keys):
    def headers(role: str, organisation_id: str | None = None, **extra) -> dict[str, str]:
        return {"Authorization": f"Bearer {dev_keys.mint(role, subject=f'{role}-1', organisation_id=organisation_id)}", **extra}

    return headers
