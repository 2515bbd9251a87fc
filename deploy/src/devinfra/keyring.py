"""The development keyring (issue 17): a KEK generated under the keys folder like the dev JWT keys, and the
`keyring` database every local service shares, so that `make up` and the tests need no key set up by hand.

Production replaces both: KEYRING_DATABASE_URL names the deployment's keyring database, and the KEK lives in
a KMS or Vault transit (`kernel.keyring.KeyWrapper`), never in a file."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from kernel.keyring import LocalKeyWrapper

KEK_FILE = "keyring-kek"
DATABASE = "keyring"


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
