import asyncio

import pytest

from devinfra.testkit import LocalSystem

SERVICES = ["assessment", "programmes", "ipro", "partners", "projections"]


@pytest.fixture(scope="module")
def all_services(infrastructure, dev_keys, tmp_path_factory, unique_name):
    """The five services as real processes, each on a fresh database, sharing fresh topics."""

    async def databases() -> dict[str, str]:
        return {
            f"{name.upper()}_DATABASE_URL": await infrastructure.create_database(
                unique_name(name).replace("-", "_")
            )
            for name in SERVICES
        }

    environment = {
        **asyncio.run(databases()),
        "KAFKA_BOOTSTRAP_SERVERS": infrastructure.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": unique_name("api") + ".",
        "AUTH_JWKS_FILE": str(dev_keys.jwks_path),
        "LOG_LEVEL": "WARNING",
    }
    system = LocalSystem(tmp_path_factory.mktemp("api"), environment, SERVICES)
    system.start()
    yield system
    system.stop()
