"""Tamper evidence: each event's hash covers its content and the previous hash of its stream."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from contracts import EventEnvelope

# Fields covered by the hash: everything but the position, which the database assigns on insert.
HASHED_FIELDS = (
    "event_id",
    "event_type",
    "schema_version",
    "stream_type",
    "stream_id",
    "stream_version",
    "occurred_at",
    "recorded_at",
    "actor",
    "subject",
    "correlation_id",
    "causation_id",
    "restricted",
    "payload",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return str(value)


def event_hash(previous_hash: str | None, content: dict[str, Any]) -> str:
    canonical = json.dumps(
        {name: content[name] for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_canonical,
    )
    return hashlib.sha256(f"{previous_hash or ''}|{canonical}".encode()).hexdigest()


def envelope_hash(envelope: EventEnvelope) -> str:
    return event_hash(envelope.previous_hash, envelope.model_dump(mode="python"))


def broken_links(stream: Iterable[EventEnvelope]) -> list[str]:
    """Every place where a stream's chain does not hold, described; empty when the stream is intact."""
    problems: list[str] = []
    previous: str | None = None
    expected_version = 1
    for event in stream:
        where = f"{event.stream_id}@{event.stream_version}"
        if event.stream_version != expected_version:
            problems.append(f"{where}: version {expected_version} expected")
        if event.previous_hash != previous:
            problems.append(f"{where}: previous hash does not match the event before it")
        if envelope_hash(event) != event.hash:
            problems.append(f"{where}: content does not match its hash")
        previous, expected_version = event.hash, event.stream_version + 1
    return problems
