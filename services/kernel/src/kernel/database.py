"""PostgreSQL access: the asyncpg pool and the migrations (yoyo: kernel tables first, then the service's)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from yoyo import get_backend, read_migrations

KERNEL_MIGRATIONS = Path(__file__).parent / "migrations"


def json_text(value: Any) -> str:
    """`value` as JSON text for a `json` or `jsonb` parameter: orjson, several times the standard library's
    speed on every payload written (ADR 39). What orjson does not write (an integer beyond 64 bits) is written
    as the standard library writes it."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Read back by orjson too: an integer beyond 64 bits would come back a float, and no stored value holds one
    # (an event's integers are within 2^53, its hash refuses others).
    for jsontype in ("json", "jsonb"):
        await conn.set_type_codec(jsontype, encoder=json_text, decoder=orjson.loads, schema="pg_catalog")


async def lock(connection: asyncpg.Connection, *keys: str) -> None:
    """Serialise the connection's transaction with every other one that locks one of `keys`, until it ends (an
    advisory transaction lock: no row, no transaction id). Keys are taken in sorted order: two transactions
    locking the same keys cannot deadlock."""
    for key in sorted(set(keys)):
        await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)


# Every service connection: a transaction left idle (a stuck handler) is ended before it holds back the
# cluster's xmin, and so every relay of the cluster, for long (ADR 2); the server probes an idle client, so a
# vanished one's session (and advisory locks: a relay's, a consumer's) ends in about a minute, not hours.
SERVER_SETTINGS = {
    "idle_in_transaction_session_timeout": "60s",
    "tcp_keepalives_idle": "30",
    "tcp_keepalives_interval": "10",
    "tcp_keepalives_count": "3",
}


async def connect(dsn: str, *, command_timeout: float | None = None) -> asyncpg.Connection:
    """A lone connection (relay, listeners) with the same codecs and settings as the pool's. With a
    `command_timeout`, a query on a half-open connection fails instead of waiting for ever."""
    connection = await asyncpg.connect(dsn, command_timeout=command_timeout, server_settings=SERVER_SETTINGS)
    await _init_connection(connection)
    return connection


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Pooled connections carry no session state (no SET, LISTEN or session lock outlives its user), so the
    default reset query, one more round trip on every release, is skipped. An open transaction is still
    rolled back by asyncpg itself."""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings=SERVER_SETTINGS,
    )


def _yoyo_url(dsn: str) -> str:
    scheme, rest = dsn.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in {"postgres", "postgresql"} else dsn


def _apply(dsn: str, folders: list[Path]) -> None:
    backend = get_backend(_yoyo_url(dsn))
    try:
        migrations = read_migrations(*(str(f) for f in folders))
        with backend.lock():
            backend.apply_migrations(backend.to_apply(migrations))
    finally:
        backend.connection.close()  # yoyo keeps it open until garbage collected: an idle session for nothing


async def migrate(dsn: str, *service_folders: Path) -> None:
    """Bring the database up to date. Safe to run from several processes at once (yoyo takes a lock)."""
    await asyncio.to_thread(_apply, dsn, [KERNEL_MIGRATIONS, *service_folders])


async def migrate_folder(dsn: str, folder: Path) -> None:
    """Bring a database that is not a service's (the keyring) up to date with one folder of migrations."""
    await asyncio.to_thread(_apply, dsn, [folder])
