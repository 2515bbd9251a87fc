"""Reading the audit-log view: a stream in version order, a person's events in recorded order, each one index
range (`audit_log_by_stream`, `audit_log_by_subject`), never a scan of the log."""

from __future__ import annotations

from datetime import datetime

import asyncpg

COLUMNS = (
    "service, position, event_id, event_type, schema_version, stream_type, stream_id, stream_version, "
    "occurred_at, recorded_at, actor, subject, restricted, payload, previous_hash, hash, hash_version"
)
# The events that place a person in an establishment: their case's opening and its transfers (ADR 26).
PLACEMENTS = ("assessment.case.opened", "assessment.case.transferred")


async def events_of_stream(connection: asyncpg.Connection, stream_id: str) -> list[asyncpg.Record]:
    return await connection.fetch(
        f"SELECT {COLUMNS} FROM audit_log WHERE stream_id = $1 ORDER BY stream_version, service, position",
        stream_id,
    )


async def events_of_subject(
    connection: asyncpg.Connection, subject: str, as_of: datetime | None
) -> list[asyncpg.Record]:
    """The person's events as the log stood at `as_of` (recorded then or before), in the order recorded. The
    bound enters the statement only when given, so that it is part of the index range."""
    until = "AND recorded_at <= $2" if as_of is not None else ""
    return await connection.fetch(
        f"""SELECT {COLUMNS} FROM audit_log WHERE subject = $1 {until}
            ORDER BY recorded_at, service, position""",
        subject,
        *([as_of] if as_of is not None else []),
    )


async def establishments_of(connection: asyncpg.Connection, subjects: list[str]) -> dict[str, str | None]:
    """Each person's establishment now: the one their latest case opening or transfer names."""
    rows = await connection.fetch(
        """SELECT DISTINCT ON (subject) subject, payload->>'establishment' AS establishment FROM audit_log
           WHERE subject = ANY($1::text[]) AND event_type = ANY($2::text[])
           ORDER BY subject, recorded_at DESC, position DESC""",
        subjects,
        list(PLACEMENTS),
    )
    return {row["subject"]: row["establishment"] for row in rows}
