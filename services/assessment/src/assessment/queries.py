"""Lists served from the inline read tables: caseloads and deadlines."""

from __future__ import annotations

from datetime import date

import asyncpg


async def cases(connection: asyncpg.Connection, *, establishment: str | None, referent: str | None,
                include_closed: bool, limit: int, offset: int) -> tuple[int, list[asyncpg.Record]]:
    where = """($1::text IS NULL OR establishment = $1) AND ($2::text IS NULL OR referent = $2)
               AND ($3 OR closed_on IS NULL)"""
    total = await connection.fetchval(f"SELECT count(*) FROM cases WHERE {where}", establishment, referent,
                                      include_closed)
    rows = await connection.fetch(
        f"""SELECT * FROM cases WHERE {where} ORDER BY lower(last_name), lower(first_names), case_id
            LIMIT $4 OFFSET $5""",
        establishment, referent, include_closed, limit, offset,
    )
    return total, rows


async def deadlines(connection: asyncpg.Connection, *, today: date, horizon: date, overdue_only: bool,
                    establishment: str | None, referent: str | None, limit: int, offset: int,
                    ) -> tuple[int, list[asyncpg.Record]]:
    """Pending items of open cases: overdue ones (due before today) and, unless `overdue_only`, those due by
    `horizon`; the most urgent first."""
    where = """d.done_on IS NULL AND NOT d.cancelled AND c.closed_on IS NULL
               AND d.due_on <= CASE WHEN $3::boolean THEN $1::date - 1 ELSE $2::date END
               AND ($4::text IS NULL OR c.establishment = $4) AND ($5::text IS NULL OR c.referent = $5)"""
    args = (today, horizon, overdue_only, establishment, referent)
    total = await connection.fetchval(f"SELECT count(*) FROM deadlines d JOIN cases c USING (case_id) WHERE {where}",
                                      *args)
    rows = await connection.fetch(
        f"""SELECT d.deadline_id, d.case_id, d.kind, d.due_on, d.due_on < $1 AS overdue, c.subject_id, c.last_name,
                   c.first_names, c.establishment, c.referent
            FROM deadlines d JOIN cases c USING (case_id) WHERE {where}
            ORDER BY d.due_on, d.deadline_id LIMIT $6 OFFSET $7""",
        *args, limit, offset,
    )
    return total, rows
