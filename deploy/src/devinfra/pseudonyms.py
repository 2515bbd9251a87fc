"""The development key of the pseudonyms auditors read (`kernel.pseudonyms`, ADR 31): generated under the
keys folder like the subject ids' secret, and kept, so that a person keeps their pseudonym across restarts.
Every service gets it: a person reads the same pseudonym in all five.

Production: one secret mounted into every service's pods (deploy/k8s), never in a database, not rotated
(changing it changes every pseudonym an audit report may cite)."""

from __future__ import annotations

import os
from pathlib import Path

from devinfra.subject_ids import new_secret

VARIABLE = "PSEUDONYM_SECRET"
SECRET_FILE = "pseudonym-secret"


def pseudonym_environment(keys_directory: Path) -> dict[str, str]:
    """The key of this checkout, created on first use (0600) and kept."""
    keys_directory.mkdir(parents=True, exist_ok=True)
    path = keys_directory / SECRET_FILE
    if not path.exists():
        temporary = path.with_suffix(".tmp")
        temporary.write_text(new_secret() + "\n")
        os.chmod(temporary, 0o600)
        temporary.replace(path)
    return {VARIABLE: path.read_text().strip()}
