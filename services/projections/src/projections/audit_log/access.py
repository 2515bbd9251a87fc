"""Which events of the log an auditor reaches (ADR 26, 30): pure predicates over the caller and the events.

* A person's event (it names a subject) is in the person's establishment now: their case's, from its opening
  and transfers in the log. A person whose case is not in the view is reached by no one (fail closed).
* An event naming no person belongs to its stream's establishment, the latest one the stream's payloads name
  (a group, a pathway); a stream that names none (a partner organisation, a call, the catalogue) is not
  limited by establishment, as the partners service's data is not (ADR 26).
* A stream is shown whole or not at all: a chain with holes would read like a tampered one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kernel.access import Principal


def stream_establishment(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The latest establishment named at the top of the payloads of a stream's events that name no person."""
    named = [
        e["payload"].get("establishment")
        for e in events
        if e["subject"] is None and isinstance(e["payload"].get("establishment"), str)
    ]
    return named[-1] if named else None


def reaches_stream(
    principal: Principal, events: Sequence[Mapping[str, Any]], persons: Mapping[str, str | None]
) -> bool:
    """Whether the caller reaches every event of the stream (`persons`: each subject's establishment now)."""
    subjects = {e["subject"] for e in events if e["subject"] is not None}
    if not all(principal.reaches(persons.get(subject)) for subject in subjects):
        return False
    if any(e["subject"] is None for e in events):
        own = stream_establishment(events)
        return own is None or principal.reaches(own)
    return True
