"""The web front-end as `make up` runs it: the services' URLs, the development keys to mint the demo users'
tokens with, and a session secret kept under var/keys so that logins survive a restart."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from devinfra.services import ServiceProcess


def web_environment(services: Iterable[ServiceProcess], keys_dir: Path) -> dict[str, str]:
    return {
        **{f"WEB_{service.name.upper()}_URL": service.url for service in services},
        "WEB_LOGIN_MODE": "dev",
        "WEB_DEV_KEYS_DIR": str(keys_dir),
        "WEB_SESSION_SECRET": session_secret(keys_dir),
    }


def session_secret(keys_dir: Path) -> str:
    """The cookie-signing secret, made on first use, readable by its owner only."""
    path = keys_dir / "web-session-secret"
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
