"""Which PostgreSQL cluster a service's transaction ids come from, and the re-base after moving to another.

The relay publishes in transaction-id order (ADR 2). Ids are a cluster's own counter: a dump restored into
another cluster keeps the stored ids, but new transactions there count from wherever that cluster stands,
usually far below. New events would sort before restored ones, behind the relay's checkpoint, and never be
published. So the migration that creates the event store records its cluster, and the service refuses to
start on another one until `rebase` has shifted the ids it draws above every stored one (docs/operations.md).
A physical replica promoted by a failover is the same cluster (same identifier, same counter): nothing to do.
"""

from __future__ import annotations

import asyncpg

from kernel.errors import InfrastructureMisconfigured

_THIS_CLUSTER = "SELECT system_identifier::text FROM pg_control_system()"


class ClusterChanged(InfrastructureMisconfigured):
    """The database was restored into another cluster: an operator rebases it before the service starts."""


async def check(connection: asyncpg.Connection) -> None:
    """Refuse to go on in a cluster other than the one the migrations recorded (or the last rebase)."""
    current = await connection.fetchval(_THIS_CLUSTER)
    recorded = await connection.fetchval("SELECT system_identifier FROM event_store_cluster")
    if recorded != current:
        raise ClusterChanged(
            f"this database was written on PostgreSQL cluster {recorded} and now runs on {current}: "
            "new events would never be published. Check the topics against the events table, then run "
            "`passerelle-dev relay rebase <service>` once, with the service stopped (docs/operations.md)."
        )


async def rebase(connection: asyncpg.Connection) -> int:
    """Adopt the current cluster: from now on, the transaction ids the event store draws (and the relay's
    horizon) are shifted above every id stored, so new events sort after restored ones. Returns the shift
    added (0 when the counter is already past them, e.g. after pg_upgrade, which keeps it)."""
    async with connection.transaction():
        await connection.execute("LOCK TABLE events IN SHARE MODE")  # no append while we measure
        row = await connection.fetchrow(
            """SELECT coalesce(max(transaction_id)::text::bigint, 0) AS highest,
                      event_store_xid()::text::bigint AS drawn,
                      (SELECT xid_shift FROM event_store_cluster) AS shift
               FROM events"""
        )
        shift = row["shift"] or 0
        added = max(0, row["highest"] + 1 - row["drawn"])
        if added:
            shift += added
            await connection.execute(_shifted_functions(shift))
        await connection.execute(
            """INSERT INTO event_store_cluster (system_identifier, xid_shift) VALUES (($1)::text, $2)
               ON CONFLICT (singleton) DO UPDATE SET system_identifier = excluded.system_identifier,
                                                     xid_shift = excluded.xid_shift, recorded_at = now()""",
            await connection.fetchval(_THIS_CLUSTER),
            shift,
        )
        return added


def _shifted_functions(shift: int) -> str:
    # A constant in the function bodies, not a table read: the planner still inlines them into every append.
    return f"""
        CREATE OR REPLACE FUNCTION event_store_xid() RETURNS xid8 LANGUAGE sql STABLE
            AS $$ SELECT (pg_current_xact_id()::text::bigint + {int(shift)})::text::xid8 $$;
        CREATE OR REPLACE FUNCTION event_store_horizon() RETURNS xid8 LANGUAGE sql STABLE
            AS $$ SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint + {int(shift)})::text::xid8 $$;
    """
