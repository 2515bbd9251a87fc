"""The access journal's table: entries added once each, pruned past the retention, read newest first by a
keyset (`seq`), never by an offset: a page costs the same on the first day and after three years."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from kernel.journal import JournalEntry

COLUMNS = (
    "entry_id, recorded_at, service, method, route, status, user_id, role, organisation_id, establishment, "
    "subject_ids, object_ids, subjects_count, correlation_id, purpose, break_glass"
)


async def add(connection: asyncpg.Connection, entries: Sequence[JournalEntry]) -> None:
    """Adds the entries not stored yet (a redelivered one is stored once)."""
    await connection.executemany(
        f"""INSERT INTO access_journal ({COLUMNS})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            ON CONFLICT (entry_id) DO NOTHING""",
        [
            (
                e.entry_id,
                e.recorded_at,
                e.service,
                e.method,
                e.route,
                e.status,
                e.user,
                e.role,
                e.organisation_id,
                e.establishment,
                e.subject_ids,
                e.object_ids,
                e.subjects_count,
                e.correlation_id,
                e.purpose,
                e.break_glass,
            )
            for e in entries
        ],
    )


async def offsets(connection: asyncpg.Connection, topic: str) -> dict[int, int]:
    rows = await connection.fetch(
        "SELECT partition, next_offset FROM access_journal_offsets WHERE topic = $1", topic
    )
    return {row["partition"]: row["next_offset"] for row in rows}


async def save_offset(connection: asyncpg.Connection, topic: str, partition: int, next_offset: int) -> None:
    await connection.execute(
        """INSERT INTO access_journal_offsets (topic, partition, next_offset) VALUES ($1, $2, $3)
           ON CONFLICT (topic, partition) DO UPDATE
           SET next_offset = greatest(access_journal_offsets.next_offset, excluded.next_offset)""",
        topic,
        partition,
        next_offset,
    )


async def prune(pool: asyncpg.Pool, older_than_days: float, batch: int = 10_000) -> int:
    """Deletes the entries older than the retention, in small transactions; how many. The table's trigger
    refuses any other delete, and any entry younger than six months whatever the setting."""
    deleted = 0
    while True:
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute("SET LOCAL passerelle.access_journal_pruning = 'on'")
            status = await connection.execute(
                """DELETE FROM access_journal WHERE seq = ANY (ARRAY(
                       SELECT seq FROM access_journal
                       WHERE recorded_at < now() - make_interval(secs => $1 * 86400) LIMIT $2))""",
                older_than_days,
                batch,
            )
        count = int(status.split()[-1])
        deleted += count
        if count < batch:
            return deleted


async def search(
    connection: asyncpg.Connection,
    *,
    subject_id: str | None,
    user: str | None,
    since: datetime | None,
    until: datetime | None,
    before: int | None,
    limit: int,
    break_glass: bool | None = None,
) -> list[asyncpg.Record]:
    """Entries matching every filter given, newest first, those with `seq` below `before` (the cursor). Only
    the filters given enter the statement, so the planner sees each one (the subject's GIN index)."""
    filters = {
        "subject_ids @> ARRAY[{}::text]": subject_id,
        "user_id = {}": user,
        "recorded_at >= {}": since,
        "recorded_at < {}": until,
        "seq < {}": before,
        "break_glass = {}": break_glass,
    }
    given = [(condition, value) for condition, value in filters.items() if value is not None]
    where = " AND ".join(condition.format(f"${n}") for n, (condition, _) in enumerate(given, 1))
    return await connection.fetch(
        f"""SELECT seq, {COLUMNS} FROM access_journal {"WHERE " + where if where else ""}
            ORDER BY seq DESC LIMIT ${len(given) + 1}""",
        *(value for _, value in given),
        limit,
    )
