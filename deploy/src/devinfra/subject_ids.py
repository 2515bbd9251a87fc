"""The development secret of the subject ids (issue 17 #5, `assessment.subjects`): generated under the keys
folder like the keyring's KEK, so that `make up` needs no secret set up by hand, and kept: the ids of the
people already followed stay the ids the same écrou numbers give. The assessment service alone gets it.

Production: a secret mounted into the assessment pod only (deploy/k8s), never in a database, never rotated
(changing it would re-key every subject id: ADR 24)."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

VARIABLE = "ASSESSMENT_SUBJECT_ID_SECRET"
SECRET_FILE = "subject-id-secret"
# What the test services use (devinfra.testkit, conftest.py): a known value, never a deployment's.
TEST_SECRET = "test-subject-ids-not-a-deployment-secret-0123456789"


def new_secret() -> str:
    """32 random bytes, URL-safe base64: 43 characters, every one of them a byte of the HMAC key."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def dev_subject_id_secret(directory: Path) -> str:
    """The secret of this checkout, created on first use (0600) and kept."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / SECRET_FILE
    if not path.exists():
        temporary = path.with_suffix(".tmp")
        temporary.write_text(new_secret() + "\n")
        os.chmod(temporary, 0o600)
        temporary.replace(path)
    return path.read_text().strip()


def subject_id_environment(keys_directory: Path) -> dict[str, str]:
    """What the assessment service needs to make subject ids."""
    return {VARIABLE: dev_subject_id_secret(keys_directory)}
