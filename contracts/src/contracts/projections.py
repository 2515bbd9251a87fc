"""Events of the projections service: it reads the others' topics, and records who consulted a person's
file (restricted: the consultation history is for the SPIP director and auditors)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, Field

from contracts.events import Event, text


class FileFormat(StrEnum):
    JSON = "json"
    HTML = "html"


class FileConsulted(Event):
    """Someone read a person's file: who and in what role are the envelope's actor."""

    event_type = "projections.file.consulted"
    restricted = True

    subject_id: str
    reading: str = Field(
        min_length=1, max_length=40, description="the part of the file the reader's role sees"
    )
    format: FileFormat
    as_of: AwareDatetime | None = Field(default=None, description="the instant the file was asked as of")
    purpose: str = text(max_length=200)
