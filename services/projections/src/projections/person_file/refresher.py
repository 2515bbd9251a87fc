"""The kept files folded again off the read path (issue 14, ADR 18 addendum): a read then finds its person's
file warm rather than fold hundreds of events while the reader waits.

The view's consumer marks the streams it stored new events of, in its transaction (`ingest.apply_batch`).
A background loop of the projections service then, pass after pass:
1. finds whose files the marked streams are in (the edges walked backwards, up to their owners) and marks
   those people stale, since the first time they were;
2. folds the files of the longest-waiting stale people again, and keeps them (`snapshots.refold`), once they
   have been stale for the settling time: a person whose events keep coming (a burst of commands about them)
   has their file folded once for the burst, not once a pass;
3. with time to spare, folds again the kept files whose `valid_until` passed (the midnight rollover).

Marks are rows, so a restart resumes them. A mark is dropped only if it is still the one the pass read: an
event stored meanwhile leaves it for the next pass. The loop never waits on the consumer (locked marks are
skipped), and it takes at most about half the time: it rests as long as each pass worked. While the view
stores events faster than a live system makes them (a rebuild's replay, a catch-up), it waits: folding files
whose events are still pouring in would be done again and again, and would slow the replay. It also waits
while the events it finds stored happened long before (a replay that a busy machine slows down). A read stays
correct whatever the loop has done: it checks the kept file against the person's events and folds when they
differ (`snapshots.live_file`)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from kernel import logs
from kernel.clock import Clock
from projections.person_file.snapshots import refold

log = logs.get_logger(__name__)

STREAMS_PER_PASS = 1000  # marked streams traced to their people in one statement
FILES_PER_PASS = 20  # files folded per pass: a few milliseconds each, in a worker thread (`snapshots.refold`)
IDLE_SECONDS = 0.5  # how long the loop waits when there was nothing to do
# Events stored per second above which the view is replaying or catching up, not following a live system (the
# bench's busiest live load, 200 commands/s, stores about as many events).
CATCHING_UP = 1000
# Or, however slowly they come, events that happened this long before they were stored: a replay of history
# (on a busy machine a rebuild may store fewer than CATCHING_UP a second, and folding then slows it further).
HISTORY = timedelta(minutes=5)
# How long a folding thread keeps the GIL while the event loop waits for it (Python's default: 5 ms). The
# refresher folds in a thread nearly all the time under load, and every step of the view's consumer then
# waited up to the default before it ran: 201 → in the file p99 275 ms at 200 interviews/s, 216 ms at 1 ms.
SWITCH_INTERVAL = 0.001


@dataclass(frozen=True)
class Pass:
    streams: int  # marked streams traced to their people
    stale: int  # stale files folded again
    expired: int  # files past their `valid_until` folded again

    def __bool__(self) -> bool:
        return bool(self.streams or self.stale or self.expired)


def refresher(pool: asyncpg.Pool, clock: Clock, *, settle: float = 0.0) -> Callable[..., Awaitable[None]]:
    """The background loop (`ServiceDefinition.background`); `settle`: seconds a file stays stale before it is
    folded again (`ProjectionsSettings.person_file_settle_seconds`)."""

    async def run(started: Callable[[], object] = lambda: None) -> None:
        sys.setswitchinterval(SWITCH_INTERVAL)
        loop = asyncio.get_running_loop()
        seen = (loop.time(), (await latest(pool))[0])
        started()
        while True:
            began, (seq, occurred_at) = loop.time(), await latest(pool)
            stored = seq - seen[1]
            catching_up = stored > 0 and (
                stored / max(began - seen[0], 0.001) > CATCHING_UP or clock() - occurred_at > HISTORY
            )
            seen = (began, seq)
            if catching_up:
                await asyncio.sleep(IDLE_SECONDS)
                continue
            done = await refresh(pool, clock(), settle=settle)
            if done:
                log.debug("person files refreshed", **vars(done))
            # Rest as long as the pass worked: the consumer and the reads come first.
            await asyncio.sleep(loop.time() - began if done else IDLE_SECONDS)

    return run


async def latest(pool: asyncpg.Pool) -> tuple[int, datetime]:
    """The view's latest stored event: its seq and when it happened (0 and the end of time if none)."""
    row = await pool.fetchrow("SELECT seq, occurred_at FROM person_file_events ORDER BY seq DESC LIMIT 1")
    return (row["seq"], row["occurred_at"]) if row else (0, datetime.max.replace(tzinfo=UTC))


async def refresh(
    pool: asyncpg.Pool, now: datetime, *, files: int = FILES_PER_PASS, settle: float = 0.0
) -> Pass:
    """One pass: a batch of marked streams traced to their people, then the longest-waiting files stale for at
    least `settle` seconds and, with room left in the batch, expired ones, folded at `now`."""
    async with pool.acquire() as connection:
        streams = await mark_people(connection)
        stale = await fold_stale(connection, now, files, settle=settle)
        expired = await fold_expired(connection, now, files - stale) if stale < files else 0
    return Pass(streams, stale, expired)


async def mark_people(connection: asyncpg.Connection, limit: int = STREAMS_PER_PASS) -> int:
    """People whose files hold a marked stream, marked stale; the stream marks read dropped."""
    marks = await connection.fetch("SELECT stream, seq FROM person_file_changed_streams LIMIT $1", limit)
    if not marks:
        return 0
    streams, seqs = [m["stream"] for m in marks], [m["seq"] for m in marks]
    async with connection.transaction():
        await connection.execute(_MARK_PEOPLE, streams)
        await connection.execute(_DROP_STREAM_MARKS, streams, seqs)
    return len(marks)


async def fold_stale(
    connection: asyncpg.Connection, now: datetime, limit: int, *, settle: float = 0.0
) -> int:
    """The longest-waiting files stale for at least `settle` seconds (the database's clock, which marked them)
    folded again; each mark dropped unless it was renewed meanwhile."""
    marks = await connection.fetch(
        """SELECT subject_id, token FROM person_file_stale WHERE since <= now() - make_interval(secs => $2)
           ORDER BY since, subject_id LIMIT $1""",
        limit,
        settle,
    )
    for mark in marks:
        await refold(connection, mark["subject_id"], now)
    if marks:
        await connection.execute(
            _DROP_STALE_MARKS, [m["subject_id"] for m in marks], [m["token"] for m in marks]
        )
    return len(marks)


async def fold_expired(connection: asyncpg.Connection, now: datetime, limit: int) -> int:
    """Kept files whose `valid_until` passed, the first expired first, folded again at `now`."""
    expired = await connection.fetch(
        """SELECT subject_id FROM person_file_snapshots WHERE valid_until <= $1
           ORDER BY valid_until LIMIT $2""",
        now,
        limit,
    )
    for row in expired:
        await refold(connection, row["subject_id"], now)
    return len(expired)


# The streams' people: every stream from which a marked one is reached (the links walked backwards, each step
# an index probe, as `store.STREAMS` walks them forwards), and those streams' owners. Marked again, a person
# keeps the instant they were first marked and takes a new token.
_MARK_PEOPLE = """
    WITH RECURSIVE up(stream) AS (
        SELECT unnest($1::text[])
        UNION
        SELECT l.via FROM up
        CROSS JOIN LATERAL (SELECT via FROM person_file_links WHERE stream = up.stream OFFSET 0) l)
    INSERT INTO person_file_stale (subject_id)
    SELECT DISTINCT o.subject_id FROM up
    CROSS JOIN LATERAL (SELECT subject_id FROM person_file_owners WHERE stream = up.stream OFFSET 0) o
    ON CONFLICT (subject_id) DO UPDATE SET token = excluded.token"""

# A mark is dropped if it is still the one read; one the consumer is renewing (locked) is left for the next
# pass rather than waited for.
_DROP_STREAM_MARKS = """
    DELETE FROM person_file_changed_streams WHERE stream IN (
        SELECT c.stream FROM person_file_changed_streams c
        JOIN unnest($1::text[], $2::bigint[]) AS r(stream, seq) ON c.stream = r.stream AND c.seq = r.seq
        FOR UPDATE OF c SKIP LOCKED)"""

_DROP_STALE_MARKS = """
    DELETE FROM person_file_stale WHERE subject_id IN (
        SELECT s.subject_id FROM person_file_stale s
        JOIN unnest($1::text[], $2::bigint[]) AS r(subject_id, token)
          ON s.subject_id = r.subject_id AND s.token = r.token
        FOR UPDATE OF s SKIP LOCKED)"""
