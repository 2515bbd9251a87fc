"""The access journal's table: entries added once each, pruned past the retention, read newest first by a
keyset (`seq`), never by an offset: a page costs the same on the first day and after three years."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from kernel.database import json_text
from kernel.journal import JournalEntry

COLUMNS = (
    "entry_id, recorded_at, service, method, route, status, user_id, role, organisation_id, establishment, "
    "subject_ids, object_ids, subjects_count, correlation_id, purpose, break_glass"
)


async def add(connection: asyncpg.Connection, entries: Sequence[JournalEntry]) -> None:
    """Adds the entries not stored yet (a redelivered one is stored once), in their order, each with where its
    persons are now (`places`: '' for a person the file does not know yet), which `search` filters on first.
    One statement for the batch, its entries one JSON array: an INSERT per entry cost PostgreSQL about 100 µs
    an entry, every read of personal data of every service; one for them all, about 15."""
    if not entries:
        return
    await connection.execute(
        f"""INSERT INTO access_journal ({COLUMNS}, places)
            SELECT {_ENTRY_NAMES},
                   ARRAY(SELECT DISTINCT coalesce({_ESTABLISHMENT_NOW.format(person="u.person")}, '')
                         FROM unnest(e.subject_ids) AS u(person))
            FROM ROWS FROM (jsonb_to_recordset($1::text::jsonb) AS ({_ENTRY_FIELDS})) WITH ORDINALITY
                 AS e({_ENTRY_NAMES}, n)
            ORDER BY n
            ON CONFLICT (entry_id) DO NOTHING""",
        json_text([entry.model_dump() for entry in entries]),
    )


# A journal entry's JSON members as SQL reads them, in the order of `COLUMNS` (`user` is the table's `user_id`).
_ENTRY_MEMBERS = (
    ("entry_id", "uuid"),
    ("recorded_at", "timestamptz"),
    ("service", "text"),
    ("method", "text"),
    ("route", "text"),
    ("status", "smallint"),
    ('"user"', "text"),
    ("role", "text"),
    ("organisation_id", "text"),
    ("establishment", "text"),
    ("subject_ids", "text[]"),
    ("object_ids", "text[]"),
    ("subjects_count", "integer"),
    ("correlation_id", "text"),
    ("purpose", "text"),
    ("break_glass", "boolean"),
)
_ENTRY_FIELDS = ", ".join(f"{name} {kind}" for name, kind in _ENTRY_MEMBERS)
_ENTRY_NAMES = ", ".join(name for name, _ in _ENTRY_MEMBERS)


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


# An entry's persons who are the reader's (ADR 26): their establishment now, as their file says (the latest
# opening or transfer of a case of theirs: `person_file.store`'s search reads it the same way), else, for a
# person the file does not know yet, the one the route declared for the read.
_ESTABLISHMENT_NOW = """(SELECT e.payload->>'establishment' FROM person_file_owners o
    JOIN person_file_events e ON e.stream = o.stream
    WHERE o.subject_id = {person} AND o.stream LIKE 'assessment/case:%'
      AND e.event_type IN ('assessment.case.opened', 'assessment.case.transferred')
    ORDER BY e.occurred_at DESC, e.service DESC, e.position DESC LIMIT 1)"""
# The persons who have been in more than one establishment (several openings or transfers), one of them the
# reader's: the entries stored while they were elsewhere (their `places`) may be the reader's now.
_MOVED_IN = """SELECT o.subject_id FROM person_file_owners o
    JOIN person_file_events e ON e.stream = o.stream
    WHERE o.stream LIKE 'assessment/case:%'
      AND e.event_type IN ('assessment.case.opened', 'assessment.case.transferred')
    GROUP BY o.subject_id
    HAVING count(*) > 1 AND bool_or(e.payload->>'establishment' = ANY($1::text[]))"""
_READERS_PERSONS = f"""SELECT u.person FROM unnest(j.subject_ids) WITH ORDINALITY AS u(person, n)
    WHERE coalesce({_ESTABLISHMENT_NOW.format(person="u.person")}, j.establishment) = ANY({{perimeter}})"""


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
    establishments: list[str] | None = None,
) -> list[asyncpg.Record]:
    """Entries matching every filter given, newest first, those with `seq` below `before` (the cursor). Only
    the filters given enter the statement, so the planner sees each one (the subject's GIN index).

    `establishments` (the reader's perimeter; None: all) keeps the entries about a person of theirs, each
    entry naming only those persons (so a list read across sites names no one of another site), and the
    entries naming no person, unless the route declared another establishment. `subject_id` then finds a
    person only where they are the reader's."""
    filters = {
        "j.subject_ids @> ARRAY[{}::text]": subject_id,
        "j.user_id = {}": user,
        "j.recorded_at >= {}": since,
        "j.recorded_at < {}": until,
        "j.seq < {}": before,
        "j.break_glass = {}": break_glass,
    }
    given = [(condition, value) for condition, value in filters.items() if value is not None]
    conditions = [condition.format(f"${n}") for n, (condition, _) in enumerate(given, 1)]
    values = [value for _, value in given]
    subject_ids, subjects_count = "j.subject_ids", "j.subjects_count"
    if establishments is not None:
        moved_in = [row["subject_id"] for row in await connection.fetch(_MOVED_IN, establishments)]
        values.append(establishments)
        perimeter = f"${len(values)}::text[]"
        values += [[*establishments, ""], moved_in]
        places, moved = f"${len(values) - 1}::text[]", f"${len(values)}::text[]"
        persons = _READERS_PERSONS.format(perimeter=perimeter)
        # Each person looked up only in the entries that may hold one of the reader's (cheap tests first):
        # stored while one was here, or not yet known, or naming someone who moved in since; older entries.
        conditions.append(
            f"""((j.subject_ids = '{{}}' AND cardinality({perimeter}) > 0
                  AND (j.establishment IS NULL OR j.establishment = ANY({perimeter})))
                 OR ((j.places IS NULL OR j.places && {places} OR j.subject_ids && {moved})
                     AND EXISTS ({persons})))"""
        )
        if subject_id is not None:  # the first filter, looked up once
            conditions.append(
                f"coalesce({_ESTABLISHMENT_NOW.format(person='$1')}, j.establishment) = ANY({perimeter})"
            )
        subject_ids = f"ARRAY({persons} ORDER BY u.n)"
        # The persons shown, and those the entry counted beyond the ids it kept (MAX_IDS).
        subjects_count = (
            f"cardinality({subject_ids}) + greatest(j.subjects_count - cardinality(j.subject_ids), 0)"
        )
    values.append(limit)
    columns = COLUMNS.replace("subject_ids", f"{subject_ids} AS subject_ids").replace(
        "subjects_count", f"{subjects_count} AS subjects_count"
    )
    where = " AND ".join(conditions)
    return await connection.fetch(
        f"""SELECT j.seq, {columns} FROM access_journal j {"WHERE " + where if where else ""}
            ORDER BY j.seq DESC LIMIT ${len(values)}""",
        *values,
    )
