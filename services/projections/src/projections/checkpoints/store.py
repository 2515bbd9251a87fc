"""The checkpoint records as published, one row per (topic, partition, offset), and where the loop stands."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


async def add(connection: asyncpg.Connection, records: Sequence[tuple[str, int, int, str, bytes]]) -> None:
    """(topic, partition, offset, service, value) each; a record read again is stored once."""
    await connection.executemany(
        """INSERT INTO audit_checkpoints (topic, partition, "offset", service, value) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT DO NOTHING""",
        records,
    )


async def offsets(connection: asyncpg.Connection) -> dict[tuple[str, int], int]:
    rows = await connection.fetch("SELECT topic, partition, next_offset FROM audit_checkpoint_offsets")
    return {(row["topic"], row["partition"]): row["next_offset"] for row in rows}


async def save_offset(connection: asyncpg.Connection, topic: str, partition: int, next_offset: int) -> None:
    await connection.execute(
        """INSERT INTO audit_checkpoint_offsets (topic, partition, next_offset) VALUES ($1, $2, $3)
           ON CONFLICT (topic, partition) DO UPDATE
           SET next_offset = greatest(audit_checkpoint_offsets.next_offset, excluded.next_offset)""",
        topic,
        partition,
        next_offset,
    )


async def records_of(connection: asyncpg.Connection, service: str) -> list[asyncpg.Record]:
    """A service's checkpoint records in the order its topic holds them."""
    return await connection.fetch(
        """SELECT partition, "offset", value FROM audit_checkpoints WHERE service = $1
           ORDER BY partition, "offset" """,
        service,
    )


async def events_in_log_order(connection: asyncpg.Connection, service: str) -> list[asyncpg.Record]:
    """The view's events of a service that the relay placed (a transaction id), in the relay's order."""
    return await connection.fetch(
        """SELECT stream_id, stream_version, previous_hash, hash, transaction_id, position FROM audit_log
           WHERE service = $1 AND transaction_id IS NOT NULL ORDER BY transaction_id, position""",
        service,
    )


async def unplaced(connection: asyncpg.Connection, service: str) -> int:
    """How many of the view's events of a service came without the relay's transaction id."""
    return await connection.fetchval(
        "SELECT count(*) FROM audit_log WHERE service = $1 AND transaction_id IS NULL", service
    )
