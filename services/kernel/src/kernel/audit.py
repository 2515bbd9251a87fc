"""Audit of a service's log: every stream's hash chain in the events table and on the topics, and the two
compared event by event (docs/audit.md says what each finding means).

The pure checks over what was read (`Seen`) and the reader of the table's chains are `kernel.chains`, light
enough to run in a process per core; here, the readers of the topics, the comparisons and the report. The same
comparison checks the table against the audit archive of restricted events (`devinfra.audit_archive`, ADR 28),
whose rows are the records the topics held. It sits in the kernel
because the kernel owns what it checks (the table, the envelope, the hash versions, the relay's topics and
checkpoint), and the services will run parts of it (the auditors' HTTP routes, issue 16 #4); the signed
checkpoints it checks the table against are made by `kernel.checkpoints`. The command line that drives it is
`devinfra.audit`.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kernel import checkpoints, kafka
from kernel.chains import (
    LAST_POSITION,
    Finding,
    Seen,
    TableShare,
    _holes,
    check_chains,
    check_share,
    check_streams,
    joins,
    seen,
    share_in_process,
)
from kernel.eventstore import COLUMNS

SOURCES = ("db", "kafka", "both")
# The table against the audit archive of restricted events (ADR 28), whose records the caller reads.
ARCHIVE_SOURCE = "archive"
# The kinds of finding, in the order a summary lists them (docs/audit.md).
KINDS = {
    "malformed": "événement illisible ou incomplet",
    "uncovered-field": "champ renseigné qu'aucune version de hash ne couvre",
    "hash-mismatch": "contenu modifié : il ne correspond plus à son hash",
    "broken-link": "chaînage rompu : previous_hash ne correspond pas au hash de la version précédente",
    "version-gap": "version manquante dans le flux",
    "version-duplicate": "deux événements pour la même version",
    "position-order": "positions dans le désordre des versions",
    "position-duplicate": "deux événements à la même position",
    "missing-on-topic": "publié selon le relais, absent des topics",
    "missing-in-db": "présent sur un topic, absent de la table events",
    "different-on-topic": "la copie du topic diffère de la table",
    "missing-in-archive": "événement restreint publié selon le relais, absent de l'archive d'audit",
    "different-in-archive": "la copie de l'archive d'audit diffère de la table",
    "conflict-on-topic": "deux copies différentes d'une même version sur les topics",
    "duplicate-on-topic": "copie identique en double sur un topic",
    "order-on-topic": "versions d'un flux dans le désordre sur une partition",
    "wrong-topic": "événement restreint publié sur le topic partageable",
    "checkpoint-signature": "point de contrôle dont la signature ne vérifie pas : clé inconnue ou contenu altéré",
    "checkpoint-mismatch": "historique réécrit après un point de contrôle signé : le journal ne redonne plus sa racine",
    "checkpoint-head-missing": "tête de flux d'un point de contrôle signé absente : fin de flux ou flux supprimé",
}
PAGE = 5000


@dataclass(slots=True)
class TopicRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    origin: str = "topic"  # "archive": the audit archive's copy of the record

    @property
    def where(self) -> str:
        return f"{self.origin} {self.topic}[{self.partition}]@{self.offset}"


@dataclass
class TopicReading:
    """A service's topics reduced to one copy per event, and what reading them found on the way."""

    events: list[Seen] = field(default_factory=list)
    copies: dict[tuple[str, int], Seen] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    records: int = 0


def read_records(
    records: Iterable[TopicRecord],
    restricted_topics: frozenset[str],
    *,
    allow_redelivered: bool = False,
    source: str = "kafka",
) -> TopicReading:
    """Decode every record, in offset order per partition: identical copies of one event kept once (reported
    unless `allow_redelivered`), different ones reported as conflicts, versions going down on a partition,
    and restricted events on a shareable topic. `source` ("kafka", "archive") names where they were read."""
    reading = TopicReading()
    last_version: dict[tuple[str, int, str], int] = {}
    for record in records:
        reading.records += 1
        try:
            content = json.loads(record.value)
        except (TypeError, ValueError) as error:
            reading.findings.append(Finding("malformed", None, None, source, f"{record.where} : {error}"))
            continue
        if not isinstance(content, dict):
            reading.findings.append(
                Finding("malformed", None, None, source, f"{record.where} : pas un objet")
            )
            continue
        event = seen(content, record.where, source, reading.findings)
        if event is None:
            continue
        key = (event.stream_id, event.version)
        if (first := reading.copies.get(key)) is not None:
            if first.same_as(event):
                if not allow_redelivered:
                    reading.findings.append(
                        Finding(
                            "duplicate-on-topic",
                            event.stream_id,
                            event.version,
                            source,
                            f"{record.where}, copie de {first.where}",
                        )
                    )
            else:
                reading.findings.append(
                    Finding(
                        "conflict-on-topic",
                        event.stream_id,
                        event.version,
                        source,
                        f"{record.where} diffère de {first.where}",
                    )
                )
            continue
        reading.copies[key] = event
        reading.events.append(event)
        if record.key != event.stream_id.encode():
            reading.findings.append(
                Finding(
                    "malformed",
                    event.stream_id,
                    event.version,
                    source,
                    f"{record.where} : clé {record.key!r}",
                )
            )
        partition = (record.topic, record.partition, event.stream_id)
        if last_version.get(partition, 0) > event.version:
            reading.findings.append(
                Finding(
                    "order-on-topic",
                    event.stream_id,
                    event.version,
                    source,
                    f"{record.where}, après la version {last_version[partition]}",
                )
            )
        last_version[partition] = max(last_version.get(partition, 0), event.version)
        if event.restricted and record.topic not in restricted_topics:
            reading.findings.append(
                Finding("wrong-topic", event.stream_id, event.version, source, record.where)
            )
    return reading


@dataclass(frozen=True)
class Copies:
    """Where the copies the table is compared with come from, and what their findings are called."""

    source: str
    missing: str  # in the table and published, but no copy
    different: str


TOPICS = Copies("db+kafka", "missing-on-topic", "different-on-topic")
ARCHIVE = Copies("db+archive", "missing-in-archive", "different-in-archive")


def compare(
    table: Iterable[Seen],
    published: Callable[[Seen], bool],
    topics: Mapping[tuple[str, int], Seen],
    copies: Copies = TOPICS,
) -> tuple[list[Finding], int]:
    """The table against the topics' copies (or the archive's): (findings, events not yet published by the
    relay)."""
    findings: list[Finding] = []
    unpublished = 0
    in_table: set[tuple[str, int]] = set()
    for event in table:
        key = (event.stream_id, event.version)
        in_table.add(key)
        copy = topics.get(key)
        if copy is None:
            if published(event):
                findings.append(Finding(copies.missing, *key, copies.source, event.where))
            else:
                unpublished += 1
        elif not copy.same_as(event):
            findings.append(Finding(copies.different, *key, copies.source, _difference(event, copy)))
    for key, copy in topics.items():
        if key not in in_table:
            findings.append(
                Finding("missing-in-db", *key, copies.source, f"{copy.where}, position {copy.position}")
            )
    return findings, unpublished


def _difference(table: Seen, copy: Seen) -> str:
    parts = []
    if table.recomputed != copy.recomputed:
        parts.append("contenu")
    if table.hash != copy.hash:
        parts.append("hash")
    if table.position != copy.position:
        parts.append(f"position {table.position} / {copy.position}")
    if table.event_id != copy.event_id:
        parts.append("event_id")
    return f"{copy.where} diffère de la table ({', '.join(parts)})"


@dataclass
class Report:
    service: str
    source: str
    events: dict[str, int] = field(default_factory=dict)
    streams: int = 0
    findings: list[Finding] = field(default_factory=list)
    position_holes: list[tuple[int, int]] = field(default_factory=list)
    unpublished: int = 0
    checkpoints: int | None = None  # signed checkpoints checked against the table; None: not looked for
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_json(self) -> dict[str, Any]:
        rate = max(self.events.values(), default=0) / self.seconds if self.seconds else None
        return {
            "service": self.service,
            "source": self.source,
            "ok": self.ok,
            "events": self.events,
            "streams": self.streams,
            "unpublished": self.unpublished,
            "checkpoints": self.checkpoints,
            "position_holes": {
                "count": sum(last - first + 1 for first, last in self.position_holes),
                "ranges": [list(hole) for hole in self.position_holes[:100]],
            },
            "problems": {kind: n for kind in KINDS if (n := sum(f.kind == kind for f in self.findings))},
            "findings": [f.as_json() for f in self.findings],
            "seconds": round(self.seconds, 3),
            "events_per_second": round(rate) if rate else None,
        }

    def summary(self, limit: int = 20) -> str:
        """What an auditor reads first, in French."""
        counts = ", ".join(f"{n} via {where}" for where, n in self.events.items())
        lines = [f"{self.service} : {counts}, {self.streams} flux, vérifiés en {self.seconds:.1f} s."]
        holes = sum(last - first + 1 for first, last in self.position_holes)
        if holes:
            lines.append(
                f"  {holes} position(s) jamais attribuée(s) (transactions annulées), sans événement publié."
            )
        if self.unpublished:
            lines.append(f"  {self.unpublished} événement(s) pas encore publié(s) par le relais.")
        if self.checkpoints == 0:
            lines.append(
                "  Aucun point de contrôle signé : le journal n'est ancré nulle part hors de la base."
            )
        elif self.checkpoints:
            lines.append(f"  {self.checkpoints} point(s) de contrôle signé(s) confronté(s) à la table.")
        if self.ok:
            lines.append("  Journal intègre : aucune anomalie.")
            return "\n".join(lines)
        lines.append(f"  {len(self.findings)} anomalie(s) :")
        for kind, label in KINDS.items():
            if n := sum(f.kind == kind for f in self.findings):
                lines.append(f"    {n} × {kind} : {label}")
        for finding in self.findings[:limit]:
            where = f"{finding.stream_id} v{finding.version}" if finding.stream_id else "?"
            lines.append(f"  - [{finding.kind}] {where} ({finding.source}) : {finding.detail}")
        if len(self.findings) > limit:
            lines.append(f"  … et {len(self.findings) - limit} autre(s) : voir le rapport JSON.")
        return "\n".join(lines)


# --- reading ------------------------------------------------------------------------------------------------

_EXPORT_QUERY = f"""
    SELECT {COLUMNS}, transaction_id::text AS transaction_id FROM events
    WHERE position > $1 ORDER BY position LIMIT {PAGE}
"""
_RELAY_CHECKPOINT = "SELECT transaction_id::text, position FROM relay_checkpoints WHERE relay = $1"


async def relay_checkpoint(connection: asyncpg.Connection) -> tuple[str, int]:
    return tuple(await connection.fetchrow(_RELAY_CHECKPOINT, "kafka") or ("0", 0))


async def table_rows(connection: asyncpg.Connection, on_page: Callable[[int], None] = lambda n: None):
    """Every row of the events table in position order, a page at a time, with its `transaction_id` (the
    export's, for the checkpoints)."""
    after = 0
    while rows := await connection.fetch(_EXPORT_QUERY, after):
        for row in rows:
            yield row
        after = rows[-1]["position"]
        on_page(len(rows))


async def count_events(connection: asyncpg.Connection) -> int:
    return await connection.fetchval("SELECT count(*) FROM events")


# A large table is checked by several processes, each reading and checking a range of its positions
# (`chains.check_share`); the streams' parts are linked up after (`chains.joins`), and a stream astray anywhere
# checked whole, as one process would. Below PARALLEL_FROM events one process does it all: starting others costs
# a few tenths of a second.
PARALLEL_FROM = 50_000


@dataclass
class TableCheck:
    events: list[Seen]
    published: set[int]
    findings: list[Finding]
    streams: int
    count: int
    position_holes: list[tuple[int, int]]


async def check_table(
    connection: asyncpg.Connection,
    *,
    dsn: str | None,
    total: int,
    keep: bool,
    processes: int | None = None,
    on_page: Callable[[int], None] = lambda n: None,
) -> TableCheck:
    """Every stream of the table checked (`check_chains`), by `processes` processes (default: one per core)
    when the table holds PARALLEL_FROM events or more and `dsn` says how to reach it. With `keep`, the events
    and the published positions come back for a comparison with copies."""
    checkpoint = await relay_checkpoint(connection)
    processes = processes or min(os.cpu_count() or 1, 8)
    if dsn is None or processes < 2 or total < PARALLEL_FROM:
        parts = [await check_share(connection, (0, LAST_POSITION), checkpoint, keep=keep, on_page=on_page)]
        findings, streams = parts[0].findings, parts[0].streams
    else:
        parts = await _in_processes(connection, dsn, processes, checkpoint, keep, on_page)
        recheck, streams = joins(parts)
        findings = [f for part in parts for f in part.findings if f.stream_id not in recheck]
        if recheck:
            findings += (await check_streams(connection, sorted(recheck), checkpoint)).findings
    positions = sorted(chain.from_iterable(part.positions for part in parts))
    if len(parts) > 1:  # a position in two shares (the same share's doubles are already reported)
        findings += [
            Finding("position-duplicate", None, None, "db", f"position {p} prise par deux événements")
            for p, q in zip(positions, positions[1:], strict=False)
            if p == q
        ]
    events = [Seen(*fields) for part in parts for fields in part.kept or ()]
    return TableCheck(
        events,
        {p for part in parts for p in part.published or ()},
        findings,
        streams,
        len(positions),
        _holes(positions),
    )


async def _in_processes(
    connection: asyncpg.Connection,
    dsn: str,
    processes: int,
    checkpoint: tuple[str, int],
    keep: bool,
    on_page: Callable[[int], None],
) -> list[TableShare]:
    """The table's positions in `processes` equal ranges, in order, the last open-ended (events appended
    meanwhile are read, as by one process)."""
    first, last = await connection.fetchrow("SELECT min(position), max(position) FROM events")
    first, last = (first or 1) - 1, last or 0
    step = -(-(last - first) // processes)
    bounds = [first + share * step for share in range(processes)] + [LAST_POSITION]
    # Processes of their own, not a multiprocessing pool: a pool's process imports the parent's main module (the
    # command line, a test runner) and this one, which is seconds of CPU; `kernel.chains` is light.
    return await asyncio.gather(
        *(
            share_in_process(dsn, share, (bounds[share], bounds[share + 1]), checkpoint, keep, on_page)
            for share in range(processes)
        )
    )


async def topic_records(
    bootstrap_servers: str,
    topics: list[str],
    on_total: Callable[[int], None] = lambda n: None,
    on_records: Callable[[int], None] = lambda n: None,
    security: kafka.KafkaSecurity = kafka.PLAINTEXT,
) -> list[TopicRecord]:
    """Every record of `topics` (those that exist), partition by partition in offset order, up to their end as
    of now; `on_total` is told how many that is before the first is read."""
    partitions = await kafka.partitions_of(bootstrap_servers, topics, security)
    if not partitions:
        on_total(0)
        return []
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        max_partition_fetch_bytes=8 * 1024 * 1024,
        **security.client_options(),
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        on_total(sum(ends[p] - starts[p] for p in partitions))
        read: dict[TopicPartition, list[TopicRecord]] = {p: [] for p in partitions}
        for partition in partitions:
            consumer.seek(partition, starts[partition])
        remaining = {p for p in partitions if ends[p] > starts[p]}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=10000)
            for partition, records in batch.items():
                kept = [
                    TopicRecord(r.topic, r.partition, r.offset, r.key, r.value)
                    for r in records
                    if r.offset < ends[partition]
                ]
                read[partition] += kept
                on_records(len(kept))
                if records and records[-1].offset >= ends[partition] - 1:
                    remaining.discard(partition)
        return [record for partition in partitions for record in read[partition]]
    finally:
        await consumer.stop()


async def check_checkpoints(
    connection: asyncpg.Connection,
    records: Iterable[TopicRecord],
    keys: Mapping[str, Ed25519PublicKey],
    service: str,
) -> tuple[list[Finding], int]:
    """Each checkpoint's signature, then the root the table gives at each well-signed one's cursor, in one pass
    over the table in the relay's order: (findings, checkpoints whose signature holds)."""
    findings: list[Finding] = []
    signed: list[tuple[checkpoints.Checkpoint, str]] = []
    for record in records:
        try:
            checkpoint = checkpoints.Checkpoint.parse(record.value)
        except ValueError as error:
            findings.append(Finding("malformed", None, None, "kafka", f"{record.where} : {error}"))
            continue
        problem = checkpoints.signature_problem(checkpoint, keys)
        if problem is None and checkpoint.service != service:
            problem = f"signé pour le service {checkpoint.service!r}"
        if problem is None:
            signed.append((checkpoint, record.where))
        else:
            where = f"{record.where}, point de contrôle n°{checkpoint.sequence}"
            findings.append(Finding("checkpoint-signature", None, None, "kafka", f"{where} : {problem}"))
    if not signed:
        return findings, 0
    signed.sort(key=lambda pair: pair[0].cursor)
    heads, waiting = checkpoints.Heads(), iter(signed)
    pending = next(waiting, None)
    async for row in checkpoints.events_after(connection, checkpoints.START, final=False):
        at = checkpoints.Cursor(int(row["xid"]), row["position"])
        while pending is not None and pending[0].cursor < at:
            findings += _against(*pending, heads)
            pending = next(waiting, None)
        heads.advance(row["stream_id"], row["stream_version"], row["hash"])
    while pending is not None:
        findings += _against(*pending, heads)
        pending = next(waiting, None)
    return findings, len(signed)


def _against(checkpoint: checkpoints.Checkpoint, where: str, heads: checkpoints.Heads) -> list[Finding]:
    if heads.root() == checkpoint.root:
        return []
    lost = len(heads) < checkpoint.streams or heads.events < checkpoint.events
    detail = (
        f"{where}, point de contrôle n°{checkpoint.sequence} (position {checkpoint.position}) : "
        f"{checkpoint.streams} flux et {checkpoint.events} événements signés, "
        f"{len(heads)} flux et {heads.events} événements dans la table à ce point"
    )
    return [
        Finding("checkpoint-head-missing" if lost else "checkpoint-mismatch", None, None, "db+kafka", detail)
    ]


def topics_of(service: str, topic: Callable[[str], str]) -> tuple[str, str]:
    """A service's shareable and restricted topics, with the deployment's prefix (`settings.topic`)."""
    return topic(f"{service}.events"), topic(f"{service}.restricted")


async def verify(
    service: str,
    source: str,
    *,
    connection: asyncpg.Connection | None,
    bootstrap_servers: str | None,
    security: kafka.KafkaSecurity = kafka.PLAINTEXT,
    topic: Callable[[str], str] = lambda name: name,
    allow_redelivered: bool = False,
    checkpoint_keys: Mapping[str, Ed25519PublicKey] | None = None,
    archived: list[TopicRecord] | None = None,
    progress: Callable[[str, int], None] = lambda what, n: None,
    dsn: str | None = None,
    processes: int | None = None,
) -> Report:
    """Verify one service's log from the table, the topics or both, or the table against `archived` (source
    "archive": the audit archive's records of the service's restricted topic, ADR 28). `progress(what, n)` is
    told of every page read ("db" or "kafka") and, first, of each total ("db-total", "kafka-total"). With the
    table and a broker, the table is also checked against the service's signed checkpoints, with
    `checkpoint_keys` (by key id) the public keys trusted for this service. `dsn`, the connection's, lets a large
    table be checked by `processes` processes (`check_table`)."""
    if source not in (*SOURCES, ARCHIVE_SOURCE):
        raise ValueError(f"source: one of {', '.join(SOURCES)}, {ARCHIVE_SOURCE}")
    started = time.perf_counter()
    report = Report(service, source)
    table: list[Seen] = []
    published: set[int] = set()
    if source in ("db", "both", ARCHIVE_SOURCE):
        assert connection is not None
        progress("db-total", total := await count_events(connection))
        checked = await check_table(
            connection,
            dsn=dsn,
            total=total,
            keep=source != "db",
            processes=processes,
            on_page=lambda n: progress("db", n),
        )
        table, published = checked.events, checked.published
        report.findings += checked.findings
        report.events["db"] = checked.count
        report.streams = checked.streams
        report.position_holes = checked.position_holes
    if source in ("kafka", "both"):
        assert bootstrap_servers is not None
        shareable, restricted = topics_of(service, topic)
        records = await topic_records(
            bootstrap_servers,
            [shareable, restricted],
            lambda n: progress("kafka-total", n),
            lambda n: progress("kafka", n),
            security,
        )
        reading = read_records(records, frozenset({restricted}), allow_redelivered=allow_redelivered)
        report.findings += reading.findings
        report.events["kafka"] = reading.records
        if source == "kafka":
            chains = check_chains(reading.events, "kafka")
            report.findings += chains.findings
            report.streams = chains.streams
            report.position_holes = chains.position_holes
        else:
            found, report.unpublished = compare(table, lambda e: e.position in published, reading.copies)
            report.findings += found
            # A position the table lacks but a topic holds is a deleted event (reported as missing-in-db).
            report.position_holes = _holes(
                sorted({e.position for e in table} | {e.position for e in reading.events})
            )
    if source == ARCHIVE_SOURCE:
        assert archived is not None
        reading = read_records(
            archived,
            frozenset(r.topic for r in archived),
            allow_redelivered=allow_redelivered,
            source="archive",
        )
        report.findings += reading.findings
        report.events["archive"] = reading.records
        # The archive keeps restricted events: the table's, and any event it holds a copy of (a flag cleared
        # in the table is then a difference, not an event missing from it).
        expected = [e for e in table if e.restricted or (e.stream_id, e.version) in reading.copies]
        found, report.unpublished = compare(
            expected, lambda e: e.position in published, reading.copies, ARCHIVE
        )
        report.findings += found
        report.position_holes = _holes(
            sorted({e.position for e in table} | {e.position for e in reading.events})
        )
    if source in ("db", "both", ARCHIVE_SOURCE) and bootstrap_servers is not None:
        anchors = await topic_records(
            bootstrap_servers, [checkpoints.topic_of(service, topic)], security=security
        )
        found, report.checkpoints = await check_checkpoints(
            connection, anchors, checkpoint_keys or {}, service
        )
        report.findings += found
    report.seconds = time.perf_counter() - started
    return report


# --- export -------------------------------------------------------------------------------------------------

EXPORT_FIELDS = (
    "event_id",
    "event_type",
    "schema_version",
    "stream_type",
    "stream_id",
    "stream_version",
    "position",
    "occurred_at",
    "recorded_at",
    "actor",
    "subject",
    "correlation_id",
    "causation_id",
    "restricted",
    "payload",
    "hash_version",
    "previous_hash",
    "hash",
    "transaction_id",
)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def export_line(row: Mapping[str, Any]) -> str:
    """One line of the export (docs/audit.md): the envelope as JSON, instants with microseconds and offset."""
    return json.dumps({name: row[name] for name in EXPORT_FIELDS}, ensure_ascii=False, default=_json_default)
