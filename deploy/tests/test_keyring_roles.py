"""Least privilege on the keyring (issue 17, ADR 24): its owner migrates it; projections may only read keys,
programmes (like IPRO and partners) also make a person's first key, only assessment (the erasure job) destroys
one; no service deletes a key, rewraps one or touches the table's definition."""

from __future__ import annotations

import asyncpg
import pytest

from devinfra import keyring as dev_keyring
from kernel import database
from kernel.keyring import MIGRATIONS, Keyring, KeyringSettings, LocalKeyWrapper

pytestmark = pytest.mark.integration

KEK = LocalKeyWrapper.generate_spec("roles")


@pytest.fixture
async def dsns(infrastructure, unique_name) -> dict[str, str]:
    """A keyring provisioned as a deployment's, migrated by its owner."""
    dsns = await dev_keyring.provision(infrastructure.postgres, unique_name("keyring").replace("-", "_"))
    owner = await Keyring.open(KeyringSettings(KEYRING_DATABASE_URL=dsns["owner"], KEYRING_KEK=KEK))
    await owner.close()
    return dsns


async def opened(dsn: str) -> Keyring:
    # No migration DSN: a service checks the (applied) migrations with its own rights, and starts.
    return await Keyring.open(KeyringSettings(KEYRING_DATABASE_URL=dsn, KEYRING_KEK=KEK))


async def refused(dsn: str, *statements: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(statement)
    finally:
        await connection.close()


NOBODY_MAY = (
    "DELETE FROM subject_keys",
    "TRUNCATE subject_keys",
    "UPDATE subject_keys SET key_rewrapped_at = now()",
    "ALTER TABLE subject_keys DISABLE TRIGGER subject_keys_stay_destroyed",
    "DROP TABLE subject_keys",
    "CREATE TABLE smuggled (id int)",
)


async def test_a_writer_makes_and_reads_keys_but_cannot_destroy_delete_or_rewrap_them(dsns):
    programmes = await opened(dsns["programmes"])
    try:
        made = await programmes.for_writing("p-roles-1")
        programmes.forget_all()
        assert (await programmes.for_reading(["p-roles-1"]))["p-roles-1"] is not None and made is not None
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await programmes.destroy("p-roles-1")
    finally:
        await programmes.close()
    await refused(
        dsns["programmes"], "UPDATE subject_keys SET wrapped_key = NULL, destroyed_at = now()", *NOBODY_MAY
    )


async def test_a_reader_only_reads_the_keys(dsns):
    writer = await opened(dsns["ipro"])
    projections = await opened(dsns["projections"])
    try:
        await writer.for_writing("p-roles-2")
        assert (await projections.for_reading(["p-roles-2"]))["p-roles-2"] is not None
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await projections.for_writing("p-roles-3")  # a reader makes no key
    finally:
        await writer.close()
        await projections.close()
    await refused(
        dsns["projections"],
        "INSERT INTO subject_keys (subject_id, wrapped_key, kek_id) VALUES ('x', '\\x00', 'k')",
        "UPDATE subject_keys SET wrapped_key = NULL, destroyed_at = now()",
        *NOBODY_MAY,
    )


async def test_the_erasure_job_destroys_a_key_and_nothing_more(dsns):
    writer = await opened(dsns["partners"])
    assessment = await opened(dsns["assessment"])
    try:
        await writer.for_writing("p-roles-4")
        assert await assessment.destroy("p-roles-4")
    finally:
        await writer.close()
        await assessment.close()
    await refused(dsns["assessment"], *NOBODY_MAY)
    connection = await asyncpg.connect(dsns["assessment"])
    try:
        assert await connection.fetchval(
            "SELECT wrapped_key IS NULL AND destroyed_at IS NOT NULL FROM subject_keys WHERE subject_id = 'p-roles-4'"
        )
        with pytest.raises(asyncpg.RaiseError, match="cannot come back"):
            await connection.execute(
                "UPDATE subject_keys SET wrapped_key = '\\x00', kek_id = 'k', destroyed_at = NULL "
                "WHERE subject_id = 'p-roles-4'"
            )
    finally:
        await connection.close()


async def test_make_up_hands_a_keyring_made_before_the_roles_to_its_owner_and_each_service_its_rights(
    infrastructure, unique_name, tmp_path
):
    # An older var/: the keyring made and migrated (0001 alone) by the superuser, a person's key in it.
    name = unique_name("keyring").replace("-", "_")
    superuser = await infrastructure.create_database(name)
    first = tmp_path / "first"
    first.mkdir()
    (first / "0001_keyring_subject_keys.sql").write_text(
        (MIGRATIONS / "0001_keyring_subject_keys.sql").read_text()
    )
    await database.migrate_folder(superuser, first)
    kek = dev_keyring.dev_kek(tmp_path / "keys")
    old = Keyring(await database.create_pool(superuser), LocalKeyWrapper.parse(kek))
    made = await old.for_writing("p-roles-old")
    await old.pool.close()

    environments = await dev_keyring.service_keyring_environments(infrastructure, tmp_path / "keys", name)

    keyrings = {
        service: await Keyring.open(KeyringSettings(**environments[service])) for service in environments
    }
    try:
        assert {
            service: env["KEYRING_DATABASE_URL"].split("@")[0] for service, env in environments.items()
        } == {service: f"postgresql://{service}_service" for service in environments}
        for keyring in keyrings.values():
            assert (await keyring.for_reading(["p-roles-old"]))["p-roles-old"].encrypt(
                b"0" * 12, b"x", None
            ) == made.encrypt(b"0" * 12, b"x", None)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await keyrings["projections"].for_writing("p-roles-new")
        assert await keyrings["assessment"].destroy("p-roles-old")
    finally:
        for keyring in keyrings.values():
            await keyring.close()
