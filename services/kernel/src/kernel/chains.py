"""The checks of a service's log over what was read of it (`Seen`), and the reader of the events table's
hash chains, in a module light enough to start in a process per core (`kernel.audit` runs one per share of a
large table: `python -c "from kernel.chains import serve_share; serve_share()"`). `kernel.audit` reads the
topics, compares the sources and reports; docs/audit.md says what each finding means.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import pickle
import struct
import sys
import traceback
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter, itemgetter
from typing import Any

import asyncpg

from kernel.hashchain import POSTGRES_EPOCH, UnhashableEvent, hash_of, table_row_hash, uncovered_fields


@dataclass(frozen=True)
class Finding:
    kind: str
    stream_id: str | None
    version: int | None
    source: str  # "db", "kafka", "archive", or "db+kafka" / "db+archive" for the comparisons
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "stream_id": self.stream_id,
            "version": self.version,
            "source": self.source,
            "detail": self.detail,
        }


@dataclass(slots=True)
class Seen:
    """One event as read somewhere, reduced to what the checks compare."""

    stream_id: str
    version: int
    position: int
    event_id: str
    previous_hash: str | None
    hash: str
    recomputed: str | None  # None: it could not be hashed (a `malformed` finding says why)
    restricted: bool
    where: str  # "position 41", "topic t.events[2]@17", "archive t.restricted[0]@3"

    def same_as(self, other: Seen) -> bool:
        return (self.event_id, self.position, self.hash, self.recomputed) == (
            other.event_id,
            other.position,
            other.hash,
            other.recomputed,
        )


def seen(
    content: Mapping[str, Any],
    where: str,
    source: str,
    findings: list[Finding],
    payload_text: str | None = None,
) -> Seen | None:
    """`content`: an envelope's fields (a table row or a topic's JSON), its payload as JSON text in
    `payload_text` if it was read so. None, with a finding, if unusable."""
    stream_id, version = content.get("stream_id"), content.get("stream_version")
    try:
        recomputed: str | None = hash_of(content, payload_text=payload_text)
    except UnhashableEvent as error:
        findings.append(Finding("malformed", stream_id, version, source, f"{where} : {error}"))
        recomputed = None
    if uncovered := uncovered_fields(content):
        findings.append(
            Finding("uncovered-field", stream_id, version, source, f"{where} : {', '.join(uncovered)}")
        )
    try:
        return Seen(
            str(stream_id),
            int(version),
            int(content["position"]),
            str(content["event_id"]),
            content.get("previous_hash"),
            str(content["hash"]),
            recomputed,
            bool(content.get("restricted", False)),
            where,
        )
    except (KeyError, TypeError, ValueError) as error:
        if recomputed is not None:  # else already reported
            findings.append(Finding("malformed", stream_id, version, source, f"{where} : {error!r}"))
        return None


@dataclass
class ChainReport:
    findings: list[Finding] = field(default_factory=list)
    streams: int = 0
    events: int = 0
    position_holes: list[tuple[int, int]] = field(default_factory=list)
    # Of a part of the log (`whole=False`): the streams to check whole, and each stream's ends (`Ends`).
    astray: set[str] = field(default_factory=set)
    ends: dict[str, Ends] = field(default_factory=dict)


# A stream's part in a range of positions, as `joins` links it to the others: its first event's version and
# previous hash, its last event's version and hash. Plain tuples: tens of thousands go between processes.
Ends = tuple[int, str | None, int, str]


def check_chains(events: Iterable[Seen], source: str, *, whole: bool = True) -> ChainReport:
    """Every stream from version 1, without gaps, each event linked to the one before and matching its hash,
    positions unique and rising with versions. Position holes are listed, not faulted (docs/audit.md).

    `whole=False`: the events are one range of positions, whose streams may start and go on in others. No chain
    is reported: the streams with something astray here come back in `astray`, and each stream's ends in `ends`
    for `joins`, which links the ranges."""
    report = ChainReport()
    events = events if isinstance(events, list) else list(events)
    report.events = len(events)
    # A stream whose events each extend the one before (the next version, linked, at a later position, matching
    # its hash) has nothing to report: most of a log, read in position order. Any other is checked whole.
    heads: dict[str, Seen] = {}
    firsts: dict[str, Seen] = {}
    astray: set[str] = set()
    for event in events:
        head = heads.get(event.stream_id)
        if head is None:
            firsts[event.stream_id] = event
        if (
            (
                whole and (event.version != 1 or event.previous_hash is not None)
                if head is None
                else event.version != head.version + 1
                or event.previous_hash != head.hash
                or event.position <= head.position
            )
            or event.recomputed is not None
            and event.recomputed != event.hash
        ):
            astray.add(event.stream_id)
        heads[event.stream_id] = event
    report.streams = len(heads)
    if not whole:
        report.astray = astray
        report.ends = {
            stream_id: (first.version, first.previous_hash, heads[stream_id].version, heads[stream_id].hash)
            for stream_id, first in firsts.items()
        }
        astray = set()
    positions = [event.position for event in events]
    if len(set(positions)) < len(positions):
        at_position: dict[int, Seen] = {}
        for event in events:
            if (other := at_position.setdefault(event.position, event)) is not event:
                report.findings.append(
                    Finding(
                        "position-duplicate",
                        event.stream_id,
                        event.version,
                        source,
                        f"position {event.position} déjà prise par {other.stream_id} v{other.version}",
                    )
                )
    streams: dict[str, list[Seen]] = defaultdict(list)
    if astray:
        for event in events:
            if event.stream_id in astray:
                streams[event.stream_id].append(event)
    for stream_id, stream in streams.items():
        stream.sort(key=attrgetter("version"))
        report.findings += _chain_findings(stream_id, stream, source)
    report.position_holes = _holes(sorted(positions))
    return report


def _chain_findings(stream_id: str, stream: list[Seen], source: str) -> list[Finding]:
    found: list[Finding] = []
    previous: Seen | None = None
    for event in stream:
        expected = previous.version + 1 if previous else 1
        if previous is not None and event.version == previous.version:
            found.append(Finding("version-duplicate", stream_id, event.version, source, event.where))
            continue
        for missing in range(expected, event.version):
            found.append(
                Finding(
                    "version-gap", stream_id, missing, source, f"absente avant la version {event.version}"
                )
            )
        if event.recomputed is not None and event.recomputed != event.hash:
            found.append(Finding("hash-mismatch", stream_id, event.version, source, event.where))
        if event.version == expected and event.previous_hash != (previous.hash if previous else None):
            found.append(
                Finding(
                    "broken-link",
                    stream_id,
                    event.version,
                    source,
                    f"{event.where} : previous_hash {_short(event.previous_hash)}, "
                    f"hash de la version {expected - 1} : {_short(previous.hash if previous else None)}",
                )
            )
        if previous is not None and event.position <= previous.position:
            found.append(
                Finding(
                    "position-order",
                    stream_id,
                    event.version,
                    source,
                    f"position {event.position}, après la version {previous.version} à {previous.position}",
                )
            )
        previous = event
    return found


def _short(value: str | None) -> str:
    return "aucun" if value is None else value[:12]


def _holes(positions: list[int]) -> list[tuple[int, int]]:
    holes, expected = [], 1
    for position in positions:
        if position > expected:
            holes.append((expected, position - 1))
        expected = position + 1
    return holes


SHARE_PAGE = 10_000
LAST_POSITION = 0x7FFFFFFFFFFFFFFF
# The actor and the payload as JSON text: the payload parsed once, while its canonical form is checked
# (`hashchain.canonical_text`), the actor once per person (`hashchain.table_row_hash`).
_COLUMNS = """
    SELECT position, event_id, event_type, schema_version, stream_type, stream_id, stream_version, occurred_at,
           recorded_at, actor::text AS actor, subject, correlation_id, causation_id, restricted,
           payload::text AS payload, previous_hash, hash, hash_version,
           (transaction_id, position) <= ($1::text::xid8, $2::bigint) AS published
    FROM events
"""
# A share is a range of positions, read in the order the table was written: each process reads only its own
# rows (a share by stream made every process's backend read the whole table to pick its streams out).
_RANGE_QUERY = _COLUMNS + f"WHERE position > $3 AND position <= $4 ORDER BY position LIMIT {SHARE_PAGE}"
_STREAMS_QUERY = _COLUMNS + "WHERE stream_id = ANY($3::text[]) ORDER BY position"


@dataclass
class TableShare:
    """What checking one share of the table found. `kept`: its events (`Seen` fields as tuples) and `published`
    their positions the relay published, when the caller compares them with copies; `astray` and `ends` as
    `ChainReport`'s, of a share that is not the whole table."""

    findings: list[Finding]
    streams: int
    # Not in its repr: a finished task's repr (which asyncio may write) holds its result's, and these hold tens of
    # thousands of values.
    positions: array = field(repr=False)
    kept: list[tuple] | None = field(default=None, repr=False)
    published: array | None = field(default=None, repr=False)
    astray: set[str] = field(default_factory=set, repr=False)
    ends: dict[str, Ends] = field(default_factory=dict, repr=False)


def joins(parts: Iterable[ChainReport | TableShare]) -> tuple[set[str], int]:
    """The streams to check whole after checking `parts` (ranges of positions, in order, `whole=False`): those
    astray in one, and those whose parts do not link up, each starting where the one before ended, the first at
    version 1; and how many streams there are."""
    broken: set[str] = set()
    last: dict[str, tuple[int, str]] = {}
    for part in parts:
        broken |= part.astray
        for stream_id, (version, previous_hash, last_version, last_hash) in part.ends.items():
            before = last.get(stream_id)
            if (
                version != 1 or previous_hash is not None
                if before is None
                else version != before[0] + 1 or previous_hash != before[1]
            ):
                broken.add(stream_id)
            last[stream_id] = (last_version, last_hash)
    return broken, len(last)


async def check_share(
    connection: asyncpg.Connection,
    positions: tuple[int, int],
    checkpoint: tuple[str, int],
    *,
    keep: bool,
    whole: bool = True,
    on_page: Callable[[int], None] = lambda n: None,
) -> TableShare:
    """The events after `positions[0]` up to `positions[1]` checked; `whole`: they are all the table's."""

    async def pages():
        after, upto = positions
        while rows := await connection.fetch(_RANGE_QUERY, *checkpoint, after, upto):
            yield rows
            after = rows[-1]["position"]
            on_page(len(rows))

    return await _checked(connection, pages(), keep, whole)


async def check_streams(
    connection: asyncpg.Connection, stream_ids: list[str], checkpoint: tuple[str, int]
) -> TableShare:
    """These streams checked whole: those whose shares found something astray or did not link up."""

    async def pages():
        yield await connection.fetch(_STREAMS_QUERY, *checkpoint, stream_ids)

    return await _checked(connection, pages(), keep=False, whole=True)


async def _checked(connection: asyncpg.Connection, pages, keep: bool, whole: bool) -> TableShare:
    # The instants as PostgreSQL's integers, which `table_row_hash` writes faster than a `datetime`.
    await connection.set_type_codec(
        "timestamptz", schema="pg_catalog", encoder=_as_tuple, decoder=itemgetter(0), format="tuple"
    )
    try:
        return await _check_rows(pages, keep, whole)
    finally:
        await connection.reset_type_codec("timestamptz", schema="pg_catalog")


async def _check_rows(pages, keep: bool, whole: bool) -> TableShare:
    findings: list[Finding] = []
    events: list[Seen] = []
    published = array("q")
    async for rows in pages:
        for row in rows:
            (
                position,
                event_id,
                event_type,
                schema_version,
                stream_type,
                stream_id,
                stream_version,
                occurred_at,
                recorded_at,
                actor,
                subject,
                correlation_id,
                causation_id,
                restricted,
                payload,
                previous_hash,
                hash,
                hash_version,
                is_published,
            ) = row
            recomputed = table_row_hash(
                event_id,
                event_type,
                schema_version,
                stream_type,
                stream_id,
                stream_version,
                occurred_at,
                recorded_at,
                actor,
                subject,
                correlation_id,
                causation_id,
                restricted,
                payload,
                previous_hash,
                hash_version,
            )
            if recomputed is not None and hash is not None:
                event = Seen(
                    stream_id,
                    stream_version,
                    position,
                    str(event_id),
                    previous_hash,
                    hash,
                    recomputed,
                    restricted,
                    f"position {position}",
                )
            else:  # any other row, as every row was read before `table_row_hash`
                content = dict(row)
                del content["published"], content["payload"]
                if actor is not None:
                    content["actor"] = json.loads(actor)
                for name in ("occurred_at", "recorded_at"):
                    content[name] = _as_asyncpg_decodes(content[name])
                if (event := seen(content, f"position {position}", "db", findings, payload)) is None:
                    continue
            events.append(event)
            if is_published and keep:
                published.append(event.position)
    chains = check_chains(events, "db", whole=whole)
    return TableShare(
        findings + chains.findings,
        chains.streams,
        array("q", [e.position for e in events]),
        [_fields(e) for e in events] if keep else None,
        published if keep else None,
        chains.astray,
        chains.ends,
    )


def _as_tuple(micros: int) -> tuple[int]:
    return (micros,)


_INFINITY, _MINUS_INFINITY = 0x7FFFFFFFFFFFFFFF, -0x8000000000000000


def _as_asyncpg_decodes(micros: int | None) -> datetime | None:
    """The `datetime` asyncpg's own codec makes of PostgreSQL's integer (naive for the infinities)."""
    if micros is None:
        return None
    if micros == _INFINITY:
        return datetime.max
    if micros == _MINUS_INFINITY:
        return datetime.min
    return POSTGRES_EPOCH + timedelta(microseconds=micros)


def _fields(event: Seen) -> tuple:
    return tuple(getattr(event, name) for name in Seen.__slots__)


# --- a share in a process of its own --------------------------------------------------------------------------

SERVE_SHARE = [sys.executable, "-c", "from kernel.chains import serve_share; serve_share()"]


def serve_share() -> None:
    """Check one share of the table and write what it found on stdout. The arguments come on stdin, a JSON
    object (the DSN may hold a password, which a command line shows to everyone); stdout carries length-prefixed
    pickles: ("read", n) after each page, then ("done", TableShare) or ("failed", the traceback)."""
    # The events read stay until the end and hold no cycle: the collector's passes over them would cost a fifth
    # of the check, for nothing to free.
    gc.disable()
    arguments = json.load(sys.stdin)
    out = sys.stdout.buffer

    def send(message: tuple) -> None:
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack(">Q", len(data)) + data)
        out.flush()

    async def run() -> TableShare:
        connection = await asyncpg.connect(arguments["dsn"])
        try:
            return await check_share(
                connection,
                tuple(arguments["positions"]),
                tuple(arguments["checkpoint"]),
                keep=arguments["keep"],
                whole=False,
                on_page=lambda n: send(("read", n)),
            )
        finally:
            await connection.close()

    try:
        send(("done", asyncio.run(run())))
    except BaseException:
        send(("failed", traceback.format_exc()))
        raise SystemExit(1) from None


async def share_in_process(
    dsn: str,
    share: int,
    positions: tuple[int, int],
    checkpoint: tuple[str, int],
    keep: bool,
    on_page: Callable[[int], None],
) -> TableShare:
    """`check_share` of a part of the table (`whole=False`) in a process of its own (`serve_share`)."""
    process = await asyncio.create_subprocess_exec(
        *SERVE_SHARE, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        arguments = {"dsn": dsn, "positions": positions, "checkpoint": checkpoint, "keep": keep}
        process.stdin.write(json.dumps(arguments).encode())
        process.stdin.close()
        while True:
            try:
                (size,) = struct.unpack(">Q", await process.stdout.readexactly(8))
                kind, value = pickle.loads(await process.stdout.readexactly(size))
            except asyncio.IncompleteReadError:
                raise RuntimeError(f"the process checking share {share} of the table stopped") from None
            if kind == "read":
                on_page(value)
            elif kind == "done":
                return value
            else:
                raise RuntimeError(f"checking share {share} of the table failed:\n{value}")
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        raise
    finally:
        await process.wait()
