"""Every known (event type, schema version), and the upcasters that lift old payloads to the newest version."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from contracts.events import Event

_TYPE_NAME = re.compile(r"^[a-z]+\.[a-z_]+\.[a-z_]+$")
_events: dict[tuple[str, int], type[Event]] = {}
# (event type, from version) -> function turning a payload of that version into one of version + 1.
_upcasters: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


class UnknownEventType(LookupError):
    """No contract is registered for this event type and version."""


def register(cls: type[Event]) -> None:
    if not _TYPE_NAME.match(cls.event_type):
        raise ValueError(f"{cls.event_type!r} is not named <service>.<aggregate>.<past-tense-verb>")
    key = (cls.event_type, cls.schema_version)
    if key in _events and _events[key] is not cls:
        raise ValueError(f"{key} is registered twice")
    _events[key] = cls


def upcaster(event_type: str, from_version: int):
    """Decorator registering how a payload of `from_version` becomes one of `from_version + 1`."""

    def decorate(fn: Callable[[dict[str, Any]], dict[str, Any]]):
        _upcasters[(event_type, from_version)] = fn
        return fn

    return decorate


def known_events() -> list[type[Event]]:
    return sorted(_events.values(), key=lambda c: (c.event_type, c.schema_version))


def event_class(event_type: str, schema_version: int) -> type[Event]:
    try:
        return _events[(event_type, schema_version)]
    except KeyError:
        raise UnknownEventType(f"no contract for {event_type} v{schema_version}") from None


def latest_version(event_type: str) -> int:
    try:
        return _latest_versions()[event_type]
    except KeyError:
        raise UnknownEventType(f"no contract for {event_type}") from None


# Each event read asks for its type's latest version: a scan of every contract cost a consumer more than
# validating the event. The map is made again whenever the registry grows or shrinks (a test may add a type).
_latest: tuple[int, dict[str, int]] = (-1, {})


def _latest_versions() -> dict[str, int]:
    global _latest
    if _latest[0] != len(_events):
        latest: dict[str, int] = {}
        for t, v in _events:
            latest[t] = max(v, latest.get(t, v))
        _latest = (len(_events), latest)
    return _latest[1]


def parse_payload(event_type: str, schema_version: int, payload: dict[str, Any]) -> Event:
    """Validate a stored or received payload, upcasting it to the newest version of its type.

    Strict on write, tolerant on read: a payload written by a newer producer may carry optional fields this
    reader does not know yet; they are ignored, at any depth. A type or version newer than the reader knows
    raises `UnknownEventType` (the reader needs a deploy, the event is not bad)."""
    target = latest_version(event_type)
    if schema_version > target:
        raise UnknownEventType(f"{event_type} v{schema_version} is newer than this reader (v{target})")
    while schema_version < target:
        payload = _upcasters[(event_type, schema_version)](payload)
        schema_version += 1
    return event_class(event_type, schema_version).model_validate(payload, extra="ignore")
