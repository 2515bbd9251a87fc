"""Issue 17 #7 (ADR 20): migrations run as the database's owner; a service runs as a role that may only insert
into and read the event store, cannot disable its append-only trigger, and cannot open another service's
database. The assessment service is run on such a role, end to end, to show the rights are enough."""

from __future__ import annotations

import asyncpg
import pytest

from assessment.bootstrap import DEFINITION, create_app
from assessment.settings import AssessmentSettings
from devinfra.postgres import OWNER_ROLE, create_database, service_role
from devinfra.testkit import ok, service_settings, serving
from kernel import database

pytestmark = pytest.mark.integration

CASE = {
    "identity": {"last_name": "Roux", "first_names": "Léa", "birth_date": "1990-01-02", "ecrou_number": "1"},
    "establishment": "InSERRE Arras",
    "admission_date": "2026-11-01",
    "sentence": {
        "short_sentence": False,
        "total_length_months": 12,
        "expected_end_date": "2027-10-01",
        "offence_categories": ["theft"],
    },
    "referent": "cpip-1",
}


@pytest.fixture
async def provisioned(infrastructure, unique_name):
    """A database provisioned as `make up` provisions assessment's, migrated by its owner: (owner, service)
    DSNs."""
    postgres = infrastructure.postgres
    name = unique_name("roles").replace("-", "_")
    await create_database(postgres.dsn(), name, owner=OWNER_ROLE, connecting_role=service_role("assessment"))
    owner_dsn = postgres.dsn(name, user=OWNER_ROLE)
    await database.migrate(owner_dsn, DEFINITION.migrations)
    return owner_dsn, postgres.dsn(name, user=service_role("assessment"))


async def test_a_service_runs_on_its_role_and_cannot_rewrite_history(
    provisioned, infrastructure, dev_keys, topic_prefix, as_role
):
    owner_dsn, service_dsn = provisioned
    # No migration DSN: the service checks the (applied) migrations with its own rights, and starts.
    settings = service_settings(AssessmentSettings, service_dsn, infrastructure, dev_keys, topic_prefix)
    async with serving(create_app(settings)) as api:
        opened = await ok(await api.post("/cases", json=CASE, headers=as_role("dpip")), 201)
        await ok(await api.get(f"/cases/{opened['case_id']}", headers=as_role("cpip")), 200)

    service = await asyncpg.connect(service_dsn)
    try:
        assert await service.fetchval("SELECT count(*) FROM events") >= 1
        for statement, refusal in [
            ("UPDATE events SET event_type = 'forged'", asyncpg.InsufficientPrivilegeError),
            ("DELETE FROM events", asyncpg.InsufficientPrivilegeError),
            ("TRUNCATE events", asyncpg.InsufficientPrivilegeError),
            ("ALTER TABLE events DISABLE TRIGGER events_append_only", asyncpg.InsufficientPrivilegeError),
            ("DROP TRIGGER events_append_only ON events", asyncpg.InsufficientPrivilegeError),
            ("DROP TABLE events", asyncpg.InsufficientPrivilegeError),
            ("CREATE TABLE smuggled (id int)", asyncpg.InsufficientPrivilegeError),
            ("SET session_replication_role = replica", asyncpg.InsufficientPrivilegeError),
        ]:
            with pytest.raises(refusal):
                await service.execute(statement)
    finally:
        await service.close()

    owner = await asyncpg.connect(owner_dsn)
    try:
        # The owner could disable the trigger: that is why services never hold the owner's DSN in production.
        assert await owner.fetchval(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'events'"
        ) == (OWNER_ROLE)
        assert await owner.fetchval("SELECT count(*) FROM events WHERE event_type = 'forged'") == 0
    finally:
        await owner.close()


async def test_a_service_role_cannot_open_another_services_database(provisioned, infrastructure, unique_name):
    postgres = infrastructure.postgres
    other = unique_name("other").replace("-", "_")
    await create_database(postgres.dsn(), other, owner=OWNER_ROLE, connecting_role=service_role("programmes"))
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await asyncpg.connect(postgres.dsn(other, user=service_role("assessment")))
    (await asyncpg.connect(postgres.dsn(other, user=service_role("programmes")))).terminate()


async def test_a_database_migrated_before_roles_were_split_is_handed_to_the_owner(
    infrastructure, unique_name
):
    """An older var/ database: its tables belong to the superuser until it is provisioned again."""
    postgres = infrastructure.postgres
    name = unique_name("older").replace("-", "_")
    superuser_dsn = await postgres.create_database(name)
    await database.migrate(superuser_dsn, DEFINITION.migrations)
    await create_database(postgres.dsn(), name, owner=OWNER_ROLE, connecting_role=service_role("assessment"))
    connection = await asyncpg.connect(superuser_dsn)
    try:
        owners = await connection.fetch(
            """SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S')"""
        )
    finally:
        await connection.close()
    assert [row["owner"] for row in owners] == [OWNER_ROLE]
    await database.migrate(postgres.dsn(name, user=OWNER_ROLE), DEFINITION.migrations)  # still migrates
