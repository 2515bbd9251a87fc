"""Times of day and weekdays of the establishment's calendar, typed for the contracts and the APIs alike.

A time of day ("sessions on Tuesdays at 14:00") is the establishment's wall-clock time (Europe/Paris): it has
no offset, because the offset depends on the date it falls on (+01:00 in winter, +02:00 in summer). JSON
Schema's `format: time` (RFC 3339) requires one, so a strict client refused our values: `LocalTime` says
what it is, with a pattern, and refuses an offset on write as on read.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any

from pydantic import Field, PlainSerializer, PlainValidator, WithJsonSchema

LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
LOCAL_TIME_DESCRIPTION = (
    "a time of day in the establishment's local time (Europe/Paris), without offset: HH:MM or HH:MM:SS"
)
WEEKDAY_DESCRIPTION = "0 = Monday … 6 = Sunday"

_LOCAL_TIME = re.compile(LOCAL_TIME_PATTERN)


def _local_time(value: Any) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None or value.microsecond:
            raise ValueError(f"{value.isoformat()} is not a local time of day (HH:MM or HH:MM:SS, no offset)")
        return value
    if isinstance(value, str) and _LOCAL_TIME.fullmatch(value):
        return time.fromisoformat(value)
    raise ValueError(f"{value!r} is not a local time of day (HH:MM or HH:MM:SS, no offset)")


LocalTime = Annotated[
    time,
    PlainValidator(_local_time),
    PlainSerializer(lambda value: value.isoformat(timespec="seconds"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_TIME_PATTERN,
            "description": LOCAL_TIME_DESCRIPTION,
            "examples": ["14:00:00"],
        }
    ),
]
"""A `datetime.time` without offset, written "HH:MM:SS" and read from "HH:MM" or "HH:MM:SS"."""

Weekday = Annotated[int, Field(ge=0, le=6, description=WEEKDAY_DESCRIPTION)]


def wall_clock_of_v1(value: str) -> str:
    """A version-1 time of day as `LocalTime` reads it. Version 1 wrote `time.isoformat()`: "HH:MM:SS", then a
    fraction or an offset only if a client had sent one; the first eight characters are the wall-clock time."""
    return value[:8]
