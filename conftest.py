"""Session-wide test fixtures: the real PostgreSQL and Kafka of ARCHITECTURE.md §7, started once per run.

They run in a temporary folder on free ports, so a test run never collides with `make up`. When the
environment points at external infrastructure (KAFKA_BOOTSTRAP_SERVERS, <SERVICE>_DATABASE_URL), that is
used instead. Infrastructure that cannot start fails the tests that need it; it never skips them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime

import pytest

from devinfra import subject_ids
from devinfra.infra import SERVICES, Infrastructure, Ports
from devinfra.keyring import keyring_environment
from devinfra.testkit import SettableClock, headers_for
from devinfra.tokens import DevKeys
from kernel.clock import LOCAL_TIME_ZONE
from kernel.database import migrate


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    infra = Infrastructure.from_env(root=tmp_path_factory.mktemp("infra"), ports=Ports.free())
    infra.start()
    # Services built in this process, and those it starts, replicate topics as this broker allows.
    for name, value in infra.kafka_environment().items():
        if name != "KAFKA_BOOTSTRAP_SERVERS":
            os.environ.setdefault(name, value)
    # One keyring for every service of the run, in process or started from it (they inherit the environment),
    # as a deployment has; keys cached briefly, so that an erasure reaches the other services within a second.
    try:
        keys = tmp_path_factory.mktemp("keyring")
        with concurrent.futures.ThreadPoolExecutor(1) as thread:  # outside any event loop a test may run
            keyring = thread.submit(asyncio.run, keyring_environment(infra, keys)).result()
        # Services started as processes (tests/api, tests/faults) make subject ids like service_settings' ones.
        own = {"KEYRING_CACHE_SECONDS": "1", subject_ids.VARIABLE: subject_ids.TEST_SECRET}
        for name, value in {**keyring, **own}.items():
            os.environ.setdefault(name, value)
        yield infra
    finally:
        infra.stop()


@pytest.fixture(scope="session")
def dev_keys(tmp_path_factory: pytest.TempPathFactory) -> DevKeys:
    return DevKeys.load_or_create(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def unique_name() -> Callable[[str], str]:
    """`unique_name("cases")` -> "cases-3f9c1a2b7d": fresh topics and consumer groups for every test."""

    def make(prefix: str = "test") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"

    return make


@pytest.fixture(scope="session")
def migrated_templates() -> dict[str, str]:
    """Per service, the database the run migrated once that its tests' databases are copied from."""
    return {}


@pytest.fixture
def new_database(
    infrastructure: Infrastructure, unique_name: Callable[[str], str], migrated_templates: dict[str, str]
) -> Callable[..., Awaitable[str]]:
    """`dsn = await new_database("test")`: a fresh, empty database of its own for this test. Named after a
    service (`new_database("partners")`), it already holds the kernel's and the service's tables, as the
    service's start leaves them: a copy of a template migrated once per run (about 80 ms, where running the
    projections' hundred-odd migrations takes a second), so the service's own start finds nothing to apply."""

    async def create(prefix: str = "test") -> str:
        name = unique_name(prefix).replace("-", "_")
        if prefix not in SERVICES:
            return await infrastructure.create_database(name)
        if prefix not in migrated_templates:
            template = f"template_{name}"
            dsn = await infrastructure.create_database(template)
            await migrate(dsn, importlib.import_module(f"{prefix}.bootstrap").DEFINITION.migrations)
            await infrastructure.freeze_template(template)
            migrated_templates[prefix] = template
        return await infrastructure.create_database(name, template=migrated_templates[prefix])

    return create


@pytest.fixture
def topic_prefix(unique_name: Callable[[str], str]) -> str:
    """Fresh topics for this test: `settings.topic("partners.events")` -> "t-3f9c1a2b7d.partners.events"."""
    return unique_name("t") + "."


@pytest.fixture
def clock() -> SettableClock:
    """A service clock the test moves (`create_app(settings, clock=clock)`): 2026-11-27 09:00 in Arras."""
    return SettableClock(datetime(2026, 11, 27, 9, 0, tzinfo=LOCAL_TIME_ZONE))


@pytest.fixture
def as_role(dev_keys: DevKeys) -> Callable[..., dict[str, str]]:
    """Headers of a user: `as_role("cpip")` is user "cpip-1"; `as_role("cpip", "cpip-2")` another CPIP;
    `organisation_id=` the partner organisation a token carries; other keywords are extra headers
    (`**{"Idempotency-Key": "k"}`)."""
    return headers_for(dev_keys)


@pytest.fixture
async def isolated_keyring(infrastructure, unique_name, monkeypatch) -> str:
    """A keyring of this test's own (the services it builds read KEYRING_DATABASE_URL at start-up), for tests
    that erase people: an erased person stays erased, and the run's keyring is shared by every test, so an
    erased "person-1" there would refuse every later test's data about them."""
    dsn = await infrastructure.create_database(unique_name("keyring").replace("-", "_"))
    monkeypatch.setenv("KEYRING_DATABASE_URL", dsn)
    return dsn
