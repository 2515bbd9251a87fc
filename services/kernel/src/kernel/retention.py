"""What is kept only for a while (ADR 14): the ids of events a consumer processed (to recognise a duplicate,
which comes within minutes of the original) and idempotency records (a client retries within hours). Pruned
by age in small batches, so no delete holds a long transaction (and with it the relay, ADR 2). Request
budgets that are full again are forgotten too: a full bucket's row says nothing an absent one does not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from kernel.scheduling import every
from kernel.settings import ServiceSettings

BATCH = 10_000
_PRUNABLE = {  # table -> its timestamp column
    "processed_events": "processed_at",
    "idempotency_keys": "created_at",
}


async def prune(pool: asyncpg.Pool, table: str, older_than_days: float) -> int:
    """Delete the rows of `table` older than that; how many."""
    column = _PRUNABLE[table]
    deleted = 0
    while True:
        status = await pool.execute(
            f"""DELETE FROM {table} WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM {table} WHERE {column} < now() - make_interval(secs => $1 * 86400)
                    LIMIT $2))""",
            older_than_days,
            BATCH,
        )
        count = int(status.split()[-1])
        deleted += count
        if count < BATCH:
            return deleted


async def prune_full_buckets(pool: asyncpg.Pool) -> int:
    """Delete the rate-limit buckets that have refilled (kernel.ratelimits); how many."""
    status = await pool.execute(
        "DELETE FROM rate_limit_buckets WHERE full_at < extract(epoch FROM clock_timestamp())"
    )
    return int(status.split()[-1])


def pruner(pool: asyncpg.Pool, settings: ServiceSettings) -> Callable[..., Awaitable[None]]:
    async def run_pass() -> int:
        return (
            await prune(pool, "processed_events", settings.processed_events_retention_days)
            + await prune(pool, "idempotency_keys", settings.idempotency_keys_retention_days)
            + await prune_full_buckets(pool)
        )

    return every(settings.retention_check_seconds, run_pass, "expired rows pruned")
