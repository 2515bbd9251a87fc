"""Passerelle event contracts: the envelope and every event payload, versioned.

Importing this package registers every event model (see `registry`)."""

# Each service's events, imported for their registration side effect.
from contracts import assessment, ipro, partners, programmes, projections  # noqa: F401  (registers their events)
from contracts.envelope import Actor, EventEnvelope
from contracts.events import Event, not_personal_data, personal_data
from contracts.registry import UnknownEventType, event_class, known_events, parse_payload

__all__ = [
    "Actor",
    "Event",
    "EventEnvelope",
    "UnknownEventType",
    "event_class",
    "known_events",
    "not_personal_data",
    "parse_payload",
    "personal_data",
]
