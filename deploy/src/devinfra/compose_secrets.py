"""The secrets `make up` gives each service, for the containers of `deploy/compose.yaml`: the keyring's KEK, the
pseudonyms' key, the service's checkpoint signing key and (assessment's alone) the subject ids' secret, made
under the keys folder by the same functions as `make up` (created once, then kept), and written into one folder
per service, which only that service's container mounts: `service.env` (sourced before the service starts) and
`checkpoint.pem`. The keyring's URLs are plain settings, in compose itself.

Run by compose's `keys` container: `python -m devinfra.compose_secrets <keys folder> <output folder>`."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from devinfra.checkpoint_keys import checkpoint_key_variable, dev_checkpoint_keys
from devinfra.infra import SERVICES
from devinfra.keyring import dev_kek
from devinfra.pseudonyms import pseudonym_environment
from devinfra.subject_ids import subject_id_environment

ENV_FILE = "service.env"
CHECKPOINT_FILE = "checkpoint.pem"
MOUNTED_AT = Path("/secrets")  # where a service container finds its folder (compose.yaml)
SERVICE_USER = 10001  # the images' user (deploy/Dockerfile): the files are its own, readable by no other


def service_secrets(service: str, keys_directory: Path) -> dict[str, str]:
    """What `make up` gives `service` that is a secret, its checkpoint key as the path it has in the container."""
    secrets = {
        "KEYRING_KEK": dev_kek(keys_directory),
        **pseudonym_environment(keys_directory),
        checkpoint_key_variable(service): str(MOUNTED_AT / CHECKPOINT_FILE),
    }
    if service == "assessment":  # it makes the subject ids; the others only read them
        secrets.update(subject_id_environment(keys_directory))
    return secrets


def write(keys_directory: Path, output: Path) -> None:
    """Each service's folder under `output`: its `service.env` and its checkpoint signing key."""
    signing_keys = dev_checkpoint_keys(keys_directory, SERVICES)
    for service in SERVICES:
        folder = output / service
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(signing_keys[checkpoint_key_variable(service)], folder / CHECKPOINT_FILE)
        lines = [
            f"{name}={shlex.quote(value)}" for name, value in service_secrets(service, keys_directory).items()
        ]
        (folder / ENV_FILE).write_text("\n".join(lines) + "\n")
        for path in (folder, folder / CHECKPOINT_FILE, folder / ENV_FILE):
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
            if os.geteuid() == 0:  # compose's key maker runs as root; the service as its own user
                os.chown(path, SERVICE_USER, SERVICE_USER)


if __name__ == "__main__":
    write(Path(sys.argv[1]), Path(sys.argv[2]))
