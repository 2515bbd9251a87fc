"""Subject access export (issue 17 #6): everything the services hold about one person, for the DPO to answer a
right-of-access request (RGPD art. 15, directive 2016/680 art. 14).

What is gathered, from each service's database read as its owner (as every operator command does):
* the events about the person: those whose `subject` is them, and every event of their own streams (a case, a
  pathway, a referral...), opened through the keyring as the services' readers open them (`kernel.sealing`);
  an erased person's values read `[effacé]` there, as everywhere;
* the rows of the views and replicas that name them: a `subject_id` column, a `case_id` of one of their
  cases, a `stream` of their person file;
* the consultation journal's entries about them (ADR 22): who read what, when, why.

The export is a consultation too: the command records it in the journal (`journaled`) before it writes a file.

`export_subject` returns the bundle (JSON-ready); `render_html` writes the same as a French page for the
person. Streams shared by several people (a group, a programme, a partner's action) are not exported whole:
only their events whose subject is the person are, and of a group's attendance the person's own marks (each
names its participant, whose key seals its reason): the others' are neither opened nor exported.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from contracts import EventEnvelope
from contracts.programmes import AttendanceRecorded
from kernel import database
from kernel.eventstore import COLUMNS, envelope_from_row
from kernel.journal import JournalEntry, KafkaJournal
from kernel.keyring import Keyring, KeyringSettings
from kernel.sealing import ERASED_DATE, ERASED_TEXT, Sealer

FORMAT = "passerelle.subject-export/1"
# The stream types that belong to one person: all their events are theirs. Any other stream (a group, a
# programme, a partner's action or call) holds other people's data too: only its events about them are read.
PERSONAL_STREAMS = (
    "case",
    "assessment",
    "plan",
    "interview",
    "espace",
    "referral",
    "pathway",
    "positioning",
    "training",
    "work",
)
# Events of shared streams whose list's items each name their person (`contracts.keyed_by`): the list, and the
# field naming the person. Only the person's own items are exported.
ITEMS_OF_ONE_PERSON = {AttendanceRecorded.event_type: ("marks", "subject_id")}
# Read apart: the event store (opened through the keyring) and the consultation journal.
NOT_VIEWS = frozenset({"events", "access_journal", "access_journal_offsets"})
LINK_COLUMNS = ("subject_id", "case_id", "stream")


class SubjectUnknown(LookupError):
    """No service holds anything about this person."""


@dataclass
class _Found:
    """What the first pass learnt: the person's case ids and person-file streams, to find the rows naming them."""

    case_ids: set[str] = field(default_factory=set)
    streams: set[str] = field(default_factory=set)


async def export_subject(
    subject_id: str,
    *,
    database_urls: Mapping[str, str],
    keyring_settings: KeyringSettings,
    operator: str,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The bundle of everything `database_urls` (service -> owner DSN) hold about `subject_id`, personal
    values opened through the keyring of `keyring_settings`. Raises `SubjectUnknown` when none holds anything."""
    now = now or dt.datetime.now(dt.UTC)
    keyring = await Keyring.open(keyring_settings)
    connections: dict[str, asyncpg.Connection] = {}
    try:
        for service, url in database_urls.items():
            connections[service] = await database.connect(url)
        events = {s: await _events(c, subject_id, Sealer(keyring)) for s, c in connections.items()}
        found = _Found(
            case_ids={e["stream_id"] for es in events.values() for e in es if e["stream"] == "case"}
        )
        tables = {s: await _link_tables(c) for s, c in connections.items()}
        for service, connection in connections.items():  # first pass: what names the person directly
            for table, columns in tables[service].items():
                if "subject_id" in columns:
                    for row in await _rows(connection, table, columns, subject_id, _Found()):
                        found.case_ids.update([row["case_id"]] if row.get("case_id") else [])
                        found.streams.update([row["stream"]] if row.get("stream") else [])
        views = {
            service: {
                table: rows
                for table, columns in tables[service].items()
                if (rows := await _rows(connection, table, columns, subject_id, found))
            }
            for service, connection in connections.items()
        }
        consultations = [
            entry
            for connection in connections.values()
            for entry in await _consultations(connection, subject_id)
        ]
        erased_at = await keyring.pool.fetchval(
            "SELECT destroyed_at FROM subject_keys WHERE subject_id = $1", subject_id
        )
    finally:
        for connection in connections.values():
            await connection.close()
        await keyring.close()

    if not any(events.values()) and not any(views.values()) and not consultations:
        raise SubjectUnknown(f"no service holds anything about subject {subject_id!r}")
    return {
        "manifest": {
            "format": FORMAT,
            "subject_id": subject_id,
            "generated_at": now.isoformat(),
            "operator": operator,
            "erased_at": erased_at.isoformat() if erased_at else None,
            "databases": {service: _where(url) for service, url in database_urls.items()},
            "keyring": _where(keyring_settings.database_url or ""),
            "counts": {
                "events": {service: len(held) for service, held in events.items()},
                "rows": {
                    service: {table: len(rows) for table, rows in held.items()}
                    for service, held in views.items()
                },
                "consultations": len(consultations),
            },
        },
        "identity": identity_of(events, views),
        "events": events,
        "views": views,
        "consultations": sorted(consultations, key=lambda entry: entry["recorded_at"]),
    }


# --- reading ------------------------------------------------------------------------------------------------


async def _has_table(connection: asyncpg.Connection, table: str) -> bool:
    return bool(await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", f"public.{table}"))


async def _events(connection: asyncpg.Connection, subject_id: str, sealer: Sealer) -> list[dict[str, Any]]:
    if not await _has_table(connection, "events"):
        return []
    ((event_type, (items, naming)),) = ITEMS_OF_ONE_PERSON.items()
    rows = await connection.fetch(
        f"""SELECT {COLUMNS} FROM events
            WHERE subject = $1
               OR stream_id IN (SELECT DISTINCT stream_id FROM events
                                WHERE subject = $1 AND stream_type = ANY($2::text[]))
               OR (event_type = $3 AND payload -> $4 @> jsonb_build_array(jsonb_build_object($5::text, $1::text)))
            ORDER BY position""",
        subject_id,
        list(PERSONAL_STREAMS),
        event_type,
        items,
        naming,
    )
    envelopes = [_own_items(envelope_from_row(r), subject_id) for r in rows]
    return [_event(envelope) for envelope in await sealer.open(envelopes)]


def _own_items(envelope: EventEnvelope, subject_id: str) -> EventEnvelope:
    """An event of a shared stream with only the person's own items, before anything is opened."""
    if envelope.subject == subject_id or envelope.event_type not in ITEMS_OF_ONE_PERSON:
        return envelope
    items, naming = ITEMS_OF_ONE_PERSON[envelope.event_type]
    own = [item for item in envelope.payload.get(items, []) if item.get(naming) == subject_id]
    return envelope.model_copy(update={"payload": {**envelope.payload, items: own}})


def _event(envelope: EventEnvelope) -> dict[str, Any]:
    return {
        "position": envelope.position,
        "event_id": str(envelope.event_id),
        "event_type": envelope.event_type,
        "schema_version": envelope.schema_version,
        "stream": envelope.stream_type,
        "stream_id": envelope.stream_id,
        "stream_version": envelope.stream_version,
        "occurred_at": envelope.occurred_at.isoformat(),
        "recorded_at": envelope.recorded_at.isoformat(),
        "actor_role": envelope.actor.role,
        "actor": envelope.actor.subject,
        "restricted": envelope.restricted,
        "payload": _erased_shown(envelope.payload),
    }


def _erased_shown(value: Any) -> Any:
    """The payload with an erased date (the kernel opens it as 0001-01-01, a date the contract accepts) written
    `[effacé]` like every other erased value: the export is read by people, not validated."""
    if isinstance(value, dict):
        return {name: _erased_shown(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_erased_shown(item) for item in value]
    return ERASED_TEXT if value == ERASED_DATE else value


async def _link_tables(connection: asyncpg.Connection) -> dict[str, set[str]]:
    """The tables that may name a person, and which of the link columns each has."""
    rows = await connection.fetch(
        """SELECT table_name, array_agg(column_name::text) AS columns FROM information_schema.columns
           WHERE table_schema = 'public' AND column_name = ANY($1::text[])
           GROUP BY table_name ORDER BY table_name""",
        list(LINK_COLUMNS),
    )
    return {r["table_name"]: set(r["columns"]) for r in rows if r["table_name"] not in NOT_VIEWS}


async def _rows(
    connection: asyncpg.Connection, table: str, columns: set[str], subject_id: str, found: _Found
) -> list[dict[str, Any]]:
    conditions, values = [], []
    for column, wanted in (
        ("subject_id", [subject_id]),
        ("case_id", sorted(found.case_ids)),
        ("stream", sorted(found.streams)),
    ):
        if column in columns and wanted:
            values.append(wanted)
            conditions.append(f"{column}::text = ANY(${len(values)}::text[])")
    if not conditions:
        return []
    # Table names come from the catalogue, quoted: no value of the export's caller reaches the SQL text.
    rows = await connection.fetch(f"SELECT * FROM {_quoted(table)} WHERE {' OR '.join(conditions)}", *values)
    return [{name: _plain(value) for name, value in row.items()} for row in rows]


async def _consultations(connection: asyncpg.Connection, subject_id: str) -> list[dict[str, Any]]:
    if not await _has_table(connection, "access_journal"):
        return []
    rows = await connection.fetch(
        """SELECT recorded_at, service, method, route, status, user_id, role, organisation_id, establishment,
                  object_ids, purpose, correlation_id
           FROM access_journal WHERE subject_ids @> ARRAY[$1::text] ORDER BY seq""",
        subject_id,
    )
    return [{name: _plain(value) for name, value in row.items()} for row in rows]


def identity_of(
    events: Mapping[str, list[dict]], views: Mapping[str, Mapping[str, list[dict]]]
) -> dict | None:
    """The person's identity as last recorded in an event (opened: erased if their key is destroyed), else as
    a view holds it."""
    for service_events in events.values():
        for event in reversed(service_events):
            if isinstance(identity := event["payload"].get("identity"), dict):
                return identity
    for service_views in views.values():
        for row in service_views.get("person_identities", []) + service_views.get("cases", []):
            if row.get("last_name"):
                return {k: row.get(k) for k in ("last_name", "first_names", "birth_date", "ecrou_number")}
    return None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _plain(value: Any) -> Any:
    """A database value as JSON: dates and instants in ISO 8601, ranges as their bounds."""
    if value == dt.date.min:  # an erased date in a replica
        return ERASED_TEXT
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal | dt.timedelta):
        return str(value)
    if isinstance(value, asyncpg.Range):
        return {"lower": _plain(value.lower), "upper": _plain(value.upper)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def _where(url: str) -> str:
    """A DSN without its credentials: which database was read."""
    parts = urlsplit(url)
    return f"{parts.hostname or ''}:{parts.port or ''}{parts.path}"


# --- journaling --------------------------------------------------------------------------------------------

EXPORT_ROUTE = "passerelle subject export"


def journal_entry(bundle: dict[str, Any], purpose: str) -> JournalEntry:
    """The export as the consultation journal records a read (ADR 22): an operator was shown everything about
    the person, so the export is itself found by `GET /audit/access?subject_id=`."""
    manifest = bundle["manifest"]
    return JournalEntry(
        entry_id=uuid.uuid4(),
        recorded_at=dt.datetime.fromisoformat(manifest["generated_at"]),
        service="passerelle",
        method="EXPORT",
        route=EXPORT_ROUTE,
        status=200,
        user=manifest["operator"],
        role="operator",
        subject_ids=[manifest["subject_id"]],
        subjects_count=1,
        purpose=purpose[:200],
    )


async def journaled(bundle: dict[str, Any], purpose: str, settings: Any) -> None:
    """Write the export's entry to the journal's topic (`settings`: a service's, for its broker and prefix).
    Raises `JournalUnavailable`: as for a service's read, nothing is handed over that the journal does not hold."""
    journal = KafkaJournal(settings)
    try:
        await journal.write(journal_entry(bundle, purpose))
    finally:
        await journal.close()


# --- writing ------------------------------------------------------------------------------------------------


def write(bundle: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    """The bundle as `subject-<id>.json` and `subject-<id>.html` in `directory` (created if need be)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = "subject-" + "".join(
        c if c.isalnum() or c in "-_." else "_" for c in bundle["manifest"]["subject_id"]
    )
    json_path, html_path = directory / f"{stem}.json", directory / f"{stem}.html"
    json_path.write_text(json.dumps(bundle, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    html_path.write_text(render_html(bundle), encoding="utf-8")
    return json_path, html_path


SERVICES_FR = {
    "assessment": "SPIP (évaluation et suivi)",
    "programmes": "Programmes",
    "ipro": "Pôle IPRO",
    "partners": "Partenaires",
    "projections": "Vues consolidées",
}


def render_html(bundle: dict[str, Any]) -> str:
    return _environment().get_template("subject_export.html").render(bundle=bundle, erased=ERASED_TEXT)


@cache
def _environment():
    from projections import pages
    from projections.person_file import french

    def instant(text: str | None) -> str:
        return french.instant(dt.datetime.fromisoformat(text)) if text else ""

    def value(item: Any) -> str:
        if item is None:
            return "–"
        if isinstance(item, bool):
            return "oui" if item else "non"
        if isinstance(item, dict | list):
            return json.dumps(item, ensure_ascii=False)
        return str(item)

    return pages.environment(
        Path(__file__).parent / "templates",
        instant=instant,
        role=lambda name: french.role(name) if name else "–",
        service=lambda name: SERVICES_FR.get(name, name),
        value=value,
    )
