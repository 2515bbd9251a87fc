"""The development checkpoint keys (ADR 27): one Ed25519 key per service under the keys folder, like the
keyring's KEK, so that `make up` signs checkpoints with no key set up by hand. The private key is a file no
database role can read, given to its service alone (`<SERVICE>_CHECKPOINT_KEY_FILE`); the public keys beside
them (`<service>.pub`) are what `passerelle audit verify` trusts.

Production: each service's key is a secret mounted into its pod only (deploy/k8s), and the verifier's public
keys a folder the auditors keep (`CHECKPOINT_PUBLIC_KEYS`), never read from the topics the checkpoints are on."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from devinfra.paths import VAR_DIR
from kernel.checkpoints import SigningKey, new_key_pem

FOLDER = "checkpoints"


def checkpoint_key_variable(service: str) -> str:
    return f"{service.upper()}_CHECKPOINT_KEY_FILE"


def dev_checkpoint_keys(keys_directory: Path, services: Iterable[str]) -> dict[str, str]:
    """`<SERVICE>_CHECKPOINT_KEY_FILE` of each service, its key created on first use (0600) and kept: the
    checkpoints already published stay verifiable across restarts."""
    folder = keys_directory / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    variables = {}
    for service in services:
        private_file, public_file = folder / f"{service}.key", folder / f"{service}.pub"
        if not private_file.exists():
            private, public = new_key_pem()
            temporary = private_file.with_suffix(".tmp")
            temporary.write_bytes(private)
            os.chmod(temporary, 0o600)
            public_file.write_bytes(public)
            temporary.replace(private_file)
        SigningKey.from_file(private_file)  # a damaged file fails here, not in the service
        variables[checkpoint_key_variable(service)] = str(private_file)
    return variables


def public_keys_directory() -> Path:
    """Where the verifier finds the public keys it trusts: `CHECKPOINT_PUBLIC_KEYS`, else the local ones."""
    configured = os.environ.get("CHECKPOINT_PUBLIC_KEYS")
    return Path(configured) if configured else VAR_DIR / "keys" / FOLDER
