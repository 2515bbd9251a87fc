"""The envelope every event travels in: in the event store, on Kafka (as the JSON value), in projections."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Actor(BaseModel):
    """Who caused the event: the authenticated user (subject claim) and the role they acted in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str
    role: str
    organisation_id: str | None = None


class EventEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    event_type: str = Field(description="<service>.<aggregate>.<past-tense-verb>")
    schema_version: int = Field(ge=1)
    stream_type: str
    stream_id: str
    stream_version: int = Field(ge=1, description="1 for a stream's first event")
    position: int = Field(ge=1, description="global position in the producing service's event store")
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    subject: str | None = Field(default=None, description="pseudonymous id of the person concerned, if any")
    correlation_id: str
    causation_id: str | None = None
    restricted: bool = False
    payload: dict[str, Any]
    hash_version: int = Field(
        default=1,
        ge=1,
        description="how `hash` is computed: 1 for the first events (Python's JSON), 2 for RFC 8785 (JCS) "
        "canonical JSON; absent means 1 (docs/audit.md)",
    )
    previous_hash: str | None = Field(description="hash of the stream's previous event; None for the first")
    hash: str = Field(
        description="sha256 over previous_hash and this event's canonical content, per hash_version"
    )

    @property
    def service(self) -> str:
        return self.event_type.split(".", 1)[0]
