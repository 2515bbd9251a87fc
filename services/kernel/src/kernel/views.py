"""Rebuilding a view: empty it and replay its topics from offset 0, through today's code (ADR 14).

A view is a subscription that declares its tables. The reset is one transaction: the lease epoch moves on
first (so the running leader's transaction in flight ends, and it can commit nothing more), then the tables
are emptied and the subscription forgets its checkpoints and the events it processed. The leader is told at
once (NOTIFY), leads again from offset 0 and replays every event into the empty tables: changed logic
applies to the whole history. Until it has caught up, readers see the view filling in.
"""

from __future__ import annotations

import asyncpg

from kernel.consumer import Subscription, move_lease_on


class CannotRebuild(ValueError):
    pass


async def rebuild(pool: asyncpg.Pool, subscription: Subscription) -> None:
    if subscription.appends_events:
        # Replaying a reaction would react again: its events are history, not a view.
        raise CannotRebuild(f"{subscription.name} reacts with events of its own: it cannot be replayed")
    if not subscription.tables:
        raise CannotRebuild(f"{subscription.name} declares no tables: nothing to rebuild")
    tables = ", ".join('"' + table.replace('"', '""') + '"' for table in subscription.tables)
    async with pool.acquire() as connection, connection.transaction():
        await move_lease_on(connection, subscription.name)
        await connection.execute(f"TRUNCATE {tables}")
        await connection.execute("DELETE FROM consumer_checkpoints WHERE consumer = $1", subscription.name)
        await connection.execute("DELETE FROM processed_events WHERE consumer = $1", subscription.name)


async def progress(pool: asyncpg.Pool, subscription: Subscription, ends: dict[tuple[str, int], int]) -> float:
    """How far the subscription has come towards `ends` (topic, partition -> end offset), from 0 to 1."""
    rows = await pool.fetch(
        "SELECT topic, partition, next_offset FROM consumer_checkpoints WHERE consumer = $1",
        subscription.name,
    )
    done = {(r["topic"], r["partition"]): r["next_offset"] for r in rows}
    total = sum(ends.values())
    return 1.0 if not total else sum(min(done.get(key, 0), end) for key, end in ends.items()) / total
