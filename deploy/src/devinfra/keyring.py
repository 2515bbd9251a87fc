"""The development keyring (issue 17): a KEK generated under the keys folder like the dev JWT keys, and the
`keyring` database every local service shares, so that `make up` and the tests need no key set up by hand.

Production replaces both: KEYRING_DATABASE_URL names the deployment's keyring database, and the KEK lives in
a KMS or Vault transit (`kernel.keyring.KeyWrapper`), never in a file."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from devinfra.postgres import OWNER_ROLE, LocalPostgres, create_database, service_role
from kernel.keyring import LocalKeyWrapper

KEK_FILE = "keyring-kek"
DATABASE = "keyring"
# The keyring role each service's login role is given (migration 0003 grants them): only assessment erases,
# projections only reads.
KEYRING_ROLES = {
    "assessment": "keyring_eraser",
    "programmes": "keyring_writer",
    "ipro": "keyring_writer",
    "partners": "keyring_writer",
    "projections": "keyring_reader",
}


def dev_kek(directory: Path) -> str:
    """The `KEYRING_KEK` of this checkout (`<id>:<base64 key>`), created on first use and kept: the data keys
    of the events already stored stay readable across restarts."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / KEK_FILE
    if not path.exists():
        spec = LocalKeyWrapper.generate_spec(f"dev-{datetime.now(UTC):%Y%m%d%H%M%S}")
        temporary = path.with_suffix(".tmp")
        temporary.write_text(spec + "\n")
        os.chmod(temporary, 0o600)
        temporary.replace(path)
    spec = path.read_text().strip()
    LocalKeyWrapper.parse(spec)  # a damaged file fails here, not in five services at once
    return spec


async def keyring_environment(infra, keys_directory: Path) -> dict[str, str]:
    """What every service of `infra` needs to share one keyring: its database (created if missing) and the
    KEK. `infra` is a `devinfra.infra.Infrastructure`."""
    return {
        "KEYRING_DATABASE_URL": await infra.create_database(DATABASE),
        "KEYRING_KEK": dev_kek(keys_directory),
    }


async def service_keyring_environments(
    infra, keys_directory: Path, name: str = DATABASE
) -> dict[str, dict[str, str]]:
    """`make up`'s keyring settings, per service: on the local server each service reaches the keyring on its
    own login role with its own rights (`provision`), and the owner migrates it; an external keyring is
    reached as `keyring_environment` says."""
    if infra.postgres is None:
        shared = await keyring_environment(infra, keys_directory)
        return {service: shared for service in KEYRING_ROLES}
    kek = dev_kek(keys_directory)
    dsns = await provision(infra.postgres, name)
    return {
        service: {
            "KEYRING_DATABASE_URL": dsns[service],
            "KEYRING_MIGRATION_DATABASE_URL": dsns["owner"],
            "KEYRING_KEK": kek,
        }
        for service in KEYRING_ROLES
    }


async def provision(postgres: LocalPostgres, name: str = DATABASE) -> dict[str, str]:
    """The keyring database as a deployment runs it: owned by the owner role, which migrates it
    (`KEYRING_MIGRATION_DATABASE_URL`), and each service's login role a member of the keyring role its work
    needs, the only roles that may connect. The DSNs: one per service, and the owner's under "owner"."""
    await create_database(postgres.dsn(), name, owner=OWNER_ROLE)
    connection = await asyncpg.connect(postgres.dsn())
    try:
        for role in sorted(set(KEYRING_ROLES.values())):
            if not await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
                    await connection.execute(f"CREATE ROLE {role} NOLOGIN")  # cluster-wide: a race is fine
        await connection.execute(f'REVOKE CONNECT ON DATABASE "{name}" FROM PUBLIC')
        for service, role in KEYRING_ROLES.items():
            login = service_role(service)
            if not await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", login):
                with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
                    await connection.execute(f'CREATE ROLE "{login}" LOGIN')
            await connection.execute(f'GRANT {role} TO "{login}"')
            await connection.execute(f'GRANT CONNECT ON DATABASE "{name}" TO "{login}"')
    finally:
        await connection.close()
    return {
        "owner": postgres.dsn(name, user=OWNER_ROLE),
        **{service: postgres.dsn(name, user=service_role(service)) for service in KEYRING_ROLES},
    }
