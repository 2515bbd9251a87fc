"""The links a service opens that would carry tokens or personal data in clear (ADR 35, security review M6).

With `REQUIRE_TLS` set (production), a service refuses to start while any of them is configured without
verified TLS: a database DSN without `sslmode=verify-full`, a Kafka protocol without SSL, a key set fetched
over plain HTTP. A link that does not leave the pod (a Unix socket, the loopback) is exempt: a sidecar
proxy may carry it on with TLS of its own."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from kernel.keyring import KeyringSettings
from kernel.settings import ServiceSettings

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def plaintext_links(
    settings: ServiceSettings, keyring: KeyringSettings, environ: Mapping[str, str] = os.environ
) -> list[str]:
    """Each configured link that lacks verified TLS, named by its setting; empty when all are safe. libpq and
    asyncpg alike take `PGSSLMODE` for a DSN that names no `sslmode`."""
    default_mode = environ.get("PGSSLMODE")
    problems = [
        f"{name} must connect with sslmode=verify-full (the server's certificate and name checked)"
        for name, dsn in (
            ("the database URL", settings.database_url),
            ("the migration database URL", settings.migration_database_url),
            ("KEYRING_DATABASE_URL", keyring.database_url),
            ("KEYRING_MIGRATION_DATABASE_URL", keyring.migration_database_url),
        )
        if dsn is not None and not _verified_postgres(dsn, default_mode)
    ]
    if settings.kafka_security_protocol != "SASL_SSL":
        problems.append(f"KAFKA_SECURITY_PROTOCOL is {settings.kafka_security_protocol}: use SASL_SSL")
    if settings.auth_jwks_url is not None and not _stays_in_pod_or_https(settings.auth_jwks_url):
        problems.append("AUTH_JWKS_URL must be https: a key set fetched in clear can be replaced")
    return problems


def _verified_postgres(dsn: str, default_mode: str | None) -> bool:
    if "://" not in dsn:  # libpq's key=value form
        values = dict(re.findall(r"(\w+)\s*=\s*'?([^'\s]*)'?", dsn))
        host, mode = values.get("host", ""), values.get("sslmode", default_mode)
    else:
        parts = urlsplit(dsn)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        host, mode = query.get("host", parts.hostname or ""), query.get("sslmode", default_mode)
    return mode == "verify-full" or _local_host(host)


def _stays_in_pod_or_https(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or _local_host(parts.hostname or "")


def _local_host(host: str) -> bool:
    # Empty: libpq's default Unix socket; a path: a Unix socket's folder.
    return host == "" or host.startswith("/") or host in LOOPBACK
