"""The live file kept between reads (issue 14): a read serves the file folded at an earlier read while it still
holds, rather than fold hundreds of events every time.

A snapshot holds while nothing it was folded from has changed and `now` has not moved past what it depends
on. The first: the person's events are the same, by their latest `seq` and their number (a late-committed
lower `seq` still changes the number); an erasure drops the snapshot outright (`ingest._erase_identity`
rewrites kept payloads in place). The second: a fold depends on `now` only through today's local date (what
is due or overdue, trainings and leaves to come) and the end of each upcoming session, so it holds from the
instant it was folded until the next local midnight or the first of those ends, whichever comes first.

A cache, not a view of record: rebuilding the view empties it with the events (`ingest.TABLES`), and losing
it costs one fold."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
from pydantic import BaseModel, ConfigDict

from kernel.clock import local_date, start_of_day
from projections.person_file.fold import FileEvent, fold
from projections.person_file.model import Case, Identity, PersonFile
from projections.person_file.store import STREAMS, event_rows, file_events
from projections.person_file.views import has_sensitive

CONTRIBUTION_REQUESTED = "assessment.assessment.contribution_requested"

# One thread folds for the whole process (`refold`), not asyncio's default executor (up to six here): a fold
# holds the GIL, so more threads would not fold faster, and where a process runs without `MALLOC_ARENA_MAX=1`
# (`devinfra.services.PROCESS_ENVIRONMENT`) each would keep a malloc arena of its own.
_FOLDING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="person-file-fold")


@dataclass
class LiveFile:
    """A person's file as it stands, as kept: its JSON (without the identity, kept apart) and what deciding who
    reads it needs; the file itself is parsed from that JSON only when a reading needs it (`file`)."""

    file_json: str
    case: Case | None  # what access is decided on (`access.py`)
    contributors: frozenset[str]  # asked to contribute to one of the person's assessments
    cursor: int  # the latest seq folded: what `/file/changes` answers
    sensitive: bool | None  # holds something of an ESPACE-like programme (None: kept before it was noted)
    parsed: PersonFile | None = None

    @property
    def file(self) -> PersonFile:
        if self.parsed is None:
            self.parsed = PersonFile.model_validate_json(self.file_json)
        return self.parsed

    def answer(self, identity: Identity | None) -> bytes:
        """The file with its identity as JSON, from the kept text: what validating and rendering the file
        would write (the identity first), for a reading that keeps the whole file (`views.keeps_whole`)."""
        identity_json = identity.model_dump_json().encode() if identity is not None else b"null"
        return b'{"identity":' + identity_json + b"," + self.file_json[1:].encode()


class _AccessFacts(BaseModel):
    """What access is decided on, read out of a kept file without building the rest of it (a fifth of the
    cost of the whole file's)."""

    model_config = ConfigDict(extra="ignore")
    case: Case | None = None


async def live_file(connection: asyncpg.Connection, subject_id: str, now: datetime) -> LiveFile | None:
    """The person's file as it stands at `now` (None: no event about them), from the snapshot if it holds."""
    kept = await connection.fetchrow(_KEPT, subject_id)
    if kept["events"] == 0:
        return None
    if (
        kept["file"] is not None
        and (kept["through_seq"], kept["folded_events"]) == (kept["head"], kept["events"])
        and kept["folded_at"] <= now < kept["valid_until"]
    ):
        return LiveFile(
            kept["file"],
            _AccessFacts.model_validate_json(kept["file"]).case,
            frozenset(kept["contributors"]),
            kept["head"],
            kept["sensitive"],
        )
    return await refold(connection, subject_id, now)


async def refold(connection: asyncpg.Connection, subject_id: str, now: datetime) -> LiveFile | None:
    """The person's file folded again from all their events at `now`, and kept (None: no event about them).

    The folding, from the payloads' text to the kept file's, runs in a thread (`_FOLDING`): hundreds of
    events take milliseconds of CPU that would otherwise hold the event loop, and the view's consumer, the
    other reads and their answers wait behind them. The thread does not make the fold cheaper (it holds the
    GIL), but the loop takes the GIL back within a switch interval (`refresher.SWITCH_INTERVAL`) instead of
    after the whole fold."""
    rows = await event_rows(connection, subject_id)
    if not rows:
        return None
    folded = await asyncio.get_running_loop().run_in_executor(_FOLDING, _folded, subject_id, rows, now)
    await _keep(connection, subject_id, folded, now)
    return folded.live


async def fold_as_of(connection: asyncpg.Connection, subject_id: str, as_of: datetime) -> PersonFile:
    """The person's file as it stood at `as_of`, from their events recorded until then, folded in the folding
    thread as `refold` does (not kept: a past instant's file is rarely read twice)."""
    rows = await event_rows(connection, subject_id, until=as_of)
    return await asyncio.get_running_loop().run_in_executor(_FOLDING, _folded_as_of, subject_id, rows, as_of)


def _folded_as_of(subject_id: str, rows: list[asyncpg.Record], as_of: datetime) -> PersonFile:
    return fold(subject_id, file_events(rows), now=as_of)


@dataclass(frozen=True)
class _Folded:
    live: LiveFile
    events: int
    valid_until: datetime


def _folded(subject_id: str, rows: list[asyncpg.Record], now: datetime) -> _Folded:
    events = file_events(rows)
    file = fold(subject_id, events, now=now)
    # Kept without the identity (always None here: it lives in its own table), so that `LiveFile.answer`
    # can put the reader's in front of the kept text.
    live = LiveFile(
        file.model_dump_json(exclude={"identity"}),
        file.case,
        contributors_of(events),
        max(e.seq for e in events),
        has_sensitive(file),
        parsed=file,
    )
    return _Folded(live, len(events), valid_until(file, now))


async def _keep(connection: asyncpg.Connection, subject_id: str, folded: _Folded, now: datetime) -> None:
    await connection.execute(
        """INSERT INTO person_file_snapshots (subject_id, through_seq, events, folded_at, valid_until,
                                              contributors, file, sensitive)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (subject_id) DO UPDATE SET through_seq = excluded.through_seq, events = excluded.events,
               folded_at = excluded.folded_at, valid_until = excluded.valid_until,
               contributors = excluded.contributors, file = excluded.file, sensitive = excluded.sensitive""",
        subject_id,
        folded.live.cursor,
        folded.events,
        now,
        folded.valid_until,
        sorted(folded.live.contributors),
        folded.live.file_json,
        folded.live.sensitive,
    )


def contributors_of(events: Iterable[FileEvent]) -> frozenset[str]:
    """Who was asked to contribute to one of the person's assessments: the recorded grant (security review
    H4), never an interview they wrote."""
    return frozenset(
        contributor
        for e in events
        if e.event_type == CONTRIBUTION_REQUESTED and (contributor := e.payload.get("contributor"))
    )


def valid_until(file: PersonFile, now: datetime) -> datetime:
    """The first instant at which folding the same events gives another file: the next local midnight, or
    an upcoming session's end before it."""
    midnight = start_of_day(local_date(now) + timedelta(days=1))
    return min([midnight, *(u.ends_at for u in file.upcoming if u.ends_at is not None and u.ends_at > now)])


# The person's events now (their latest seq and their number, an index-only scan of (stream, seq) per stream:
# the lateral subquery keeps the planner from hashing the whole table) beside the snapshot, in one round trip.
_KEPT = f"""{STREAMS},
    head AS (SELECT max(h.head) AS head, coalesce(sum(h.events), 0)::bigint AS events FROM streams
             CROSS JOIN LATERAL (SELECT max(seq) AS head, count(*) AS events FROM person_file_events e
                                 WHERE e.stream = streams.stream) h)
    SELECT head.head, head.events, s.through_seq, s.events AS folded_events, s.folded_at, s.valid_until,
           s.contributors, s.file, s.sensitive
    FROM head LEFT JOIN person_file_snapshots s ON s.subject_id = $1"""
