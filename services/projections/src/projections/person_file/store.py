"""Reading the person-file view: a person's events (their own streams and those linked to them), their
identity, the cursor a front-end polls, and the search by name or écrou number."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import orjson

from kernel.pages import Listed, page
from projections.person_file.fold import FileEvent
from projections.person_file.ingest import STREAMS, searchable
from projections.person_file.model import Identity

# The streams of a person's file: those they own, and every stream linked from one of those (an
# assessment through the case, a programme through a referral...). UNION stops at streams already found.
# A person has tens of streams, but the planner guesses thousands for a recursive query and hashes the
# whole links table at each step: the lateral subquery (OFFSET 0 keeps it one) probes the index instead.


async def events_of(
    connection: asyncpg.Connection, subject_id: str, *, until: datetime | None = None
) -> list[FileEvent]:
    """The person's events recorded up to `until` (all of them without it), in the order they happened: of
    two at the same instant in one service, the one its store recorded first."""
    return file_events(await event_rows(connection, subject_id, until=until))


async def event_rows(
    connection: asyncpg.Connection, subject_id: str, *, until: datetime | None = None
) -> list[asyncpg.Record]:
    """`events_of`'s rows as stored, their payloads still text (`file_events` reads them)."""
    return await connection.fetch(_EVENTS, subject_id, until)


def file_events(rows: list[asyncpg.Record]) -> list[FileEvent]:
    loads = orjson.loads
    return [
        FileEvent(seq, at, kind, role, actor, loads(payload)) for seq, at, kind, role, actor, payload in rows
    ]


# The streams' events by the (stream, seq) index. Payloads come as text, parsed in one loop: asyncpg's jsonb
# codec costs more per row.
_EVENTS = f"""{STREAMS}
    SELECT seq, occurred_at, event_type, actor_role, actor_id, payload::text FROM person_file_events
    WHERE stream = ANY(ARRAY(SELECT stream FROM streams)) AND ($2::timestamptz IS NULL OR occurred_at <= $2)
    ORDER BY occurred_at, service, position"""


async def identity_of(connection: asyncpg.Connection, subject_id: str) -> Identity | None:
    row = await connection.fetchrow(
        """SELECT last_name, first_names, birth_date, ecrou_number FROM person_identities
           WHERE subject_id = $1""",
        subject_id,
    )
    return Identity(**row) if row else None


async def search(
    connection: asyncpg.Connection, q: str, *, limit: int, after: str | None, establishments: list[str] | None
) -> Listed:
    """People whose name or écrou number contains every word of `q`, closest first; of `establishments`
    only (None: of all), the person's establishment being their latest case's (its opening or transfer).
    A ranking: the few people the trigram index finds are sorted, by similarity and then by name."""
    words = searchable(q).split()
    return await page(
        connection,
        f"""SELECT subject_id, last_name, first_names, birth_date, ecrou_number,
                  similarity(search_text, $2) AS closeness
           FROM person_identities i
           WHERE search_text LIKE ALL (SELECT '%' || w || '%' FROM unnest($1::text[]) AS w)
             AND ($3::text[] IS NULL OR ({_ESTABLISHMENT_NOW}) = ANY($3))""",
        [_escape_like(w) for w in words],
        " ".join(words),
        establishments,
        order=("closeness DESC", "last_name", "first_names", "subject_id"),
        limit=limit,
        after=after,
    )


# The person's establishment now, as their file folds it: that of the latest opening or transfer of a case
# of theirs (the events' order is the file's: instant, then service, then position).
_ESTABLISHMENT_NOW = """
    SELECT e.payload->>'establishment' FROM person_file_owners o
    JOIN person_file_events e ON e.stream = o.stream
    WHERE o.subject_id = i.subject_id
      AND e.event_type IN ('assessment.case.opened', 'assessment.case.transferred')
    ORDER BY e.occurred_at DESC, e.service DESC, e.position DESC LIMIT 1"""


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def consultations_of(
    connection: asyncpg.Connection, subject_id: str, *, limit: int, after: str | None
) -> Listed:
    """The person's consultation history: the restricted events this service recorded, latest first (by
    `events_consultations`)."""
    return await page(
        connection,
        """SELECT position, occurred_at AS consulted_at, actor->>'subject' AS reader, actor->>'role' AS role,
                  payload->>'reading' AS reading, payload->>'format' AS format,
                  (payload->>'as_of')::timestamptz AS as_of, payload->>'purpose' AS purpose
           FROM events WHERE subject = $1 AND event_type = 'projections.file.consulted'""",
        subject_id,
        order=("position DESC",),
        limit=limit,
        after=after,
    )
