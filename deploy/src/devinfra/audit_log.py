"""Reading the log as recorded (issue 16 #4): `passerelle audit stream <stream_id>` and `passerelle audit subject
<subject_id> [--as-of T]` print every event of one stream, or about one person in every service, with its
actor, times, restricted flag and hashes: what an auditor checks a verification report or a complaint against.

It reads the services' `events` tables with the operators' credentials (the audit principal's tool): restricted
events are printed, marked as such. Values sealed with a person's key (ADR 24) print as `[scellé]`: reading
the log is not reading the person's data (that is `passerelle subject export`, which is journaled).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import asyncpg

from kernel.eventstore import COLUMNS
from kernel.sealing import is_sealed

SEALED_MARK = "[scellé]"


async def events_of_stream(connection: asyncpg.Connection, stream_id: str) -> list[asyncpg.Record]:
    return await connection.fetch(
        f"SELECT {COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version", stream_id
    )


async def events_of_subject(
    connection: asyncpg.Connection, subject_id: str, as_of: datetime | None
) -> list[asyncpg.Record]:
    """The person's events as the log stood at `as_of` (recorded then or before), in the order recorded."""
    return await connection.fetch(
        f"""SELECT {COLUMNS} FROM events WHERE subject = $1 AND ($2::timestamptz IS NULL OR recorded_at <= $2)
            ORDER BY position""",
        subject_id,
        as_of,
    )


def without_sealed_values(value: Any) -> Any:
    if is_sealed(value):
        return SEALED_MARK
    if isinstance(value, Mapping):
        return {k: without_sealed_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_sealed_values(v) for v in value]
    return value


def as_json(service: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """One event as the log holds it, sealed values masked; the keys of `passerelle audit export`."""
    actor, payload = row["actor"], row["payload"]
    return {
        "service": service,
        "position": row["position"],
        "event_id": str(row["event_id"]),
        "event_type": row["event_type"],
        "schema_version": row["schema_version"],
        "stream_type": row["stream_type"],
        "stream_id": row["stream_id"],
        "stream_version": row["stream_version"],
        "occurred_at": row["occurred_at"].isoformat(),
        "recorded_at": row["recorded_at"].isoformat(),
        "actor": json.loads(actor) if isinstance(actor, str) else actor,
        "subject": row["subject"],
        "restricted": row["restricted"],
        "payload": without_sealed_values(json.loads(payload) if isinstance(payload, str) else payload),
        "previous_hash": row["previous_hash"],
        "hash": row["hash"],
        "hash_version": row["hash_version"],
    }


def readable(events: Iterable[dict[str, Any]]) -> str:
    """A French listing: one block per event, its hashes shortened (the JSON output keeps them whole)."""
    lines = []
    for e in events:
        actor = e["actor"] or {}
        restricted = " · restreint" if e["restricted"] else ""
        lines.append(
            f"{e['service']} #{e['position']} · {e['stream_type']} {e['stream_id']} v{e['stream_version']} · "
            f"{e['event_type']} v{e['schema_version']}{restricted}"
        )
        lines.append(
            f"  survenu {e['occurred_at']} · enregistré {e['recorded_at']} · par {actor.get('role')} "
            f"{actor.get('subject')}"
        )
        lines.append(f"  hash {e['hash'][:16]}… · précédent {(e['previous_hash'] or '—')[:16]}")
        lines.append(f"  {json.dumps(e['payload'], ensure_ascii=False, sort_keys=True)}")
    return "\n".join(lines) if lines else "aucun événement"
