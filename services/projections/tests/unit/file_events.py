"""Builders of the events a person file is folded from, as the view hands them to `fold`: contract-built
payloads (so every field name is checked), dumped to JSON, with their personal-data fields removed at any
depth, numbered in arrival order and dated.

Everything happens in Arras (Europe/Paris). "Now" is Monday 1 March 2027 at 10:00 (`NOW`)."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from contracts import Event
from contracts.events import PERSONAL_DATA
from kernel.clock import LOCAL_TIME_ZONE
from projections.person_file import ingest
from projections.person_file.fold import FileEvent


def paris(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TIME_ZONE)


NOW = paris(2027, 3, 1, 10)
TODAY = date(2027, 3, 1)
START = paris(2026, 12, 1, 8)


@dataclass(frozen=True)
class Actor:
    role: str
    id: str


CPIP = Actor("cpip", "cpip-durand")
DPIP = Actor("dpip", "dpip-martin")
ADVISER = Actor("ipro_conseiller", "cip-leroy")
IPRO_HEAD = Actor("ipro_chef", "chef-ipro")
DIRECTION = Actor("direction", "dir-arras")
FACILITATOR = Actor("cpip", "cpip-animateur")
PARTNER = Actor("partenaire", "avenir-emploi")
SYSTEM = Actor("system", "reference-data")


class Log:
    """Events in the order they happened: each a minute after the previous unless dated with `at`."""

    def __init__(self, start: datetime = START) -> None:
        self.moment = start
        self.events: list[FileEvent] = []

    def add(self, event: Event, by: Actor = CPIP, at: datetime | None = None) -> FileEvent:
        moment = at if at is not None else self.moment + timedelta(minutes=1)
        if moment < self.moment:
            raise ValueError(f"{event.event_type} at {moment} is earlier than the previous event")
        self.moment = moment
        filed = FileEvent(
            seq=len(self.events) + 1,
            occurred_at=moment,
            event_type=event.event_type,
            actor_role=by.role,
            actor_id=by.id,
            payload=shareable(event),
        )
        self.events.append(filed)
        return filed

    def raw(self, event_type: str, payload: dict[str, Any], by: Actor = CPIP) -> FileEvent:
        """An event no contract of this reader describes (a newer producer's)."""
        self.moment += timedelta(minutes=1)
        filed = FileEvent(len(self.events) + 1, self.moment, event_type, by.role, by.id, payload)
        self.events.append(filed)
        return filed

    def until(self, moment: datetime) -> list[FileEvent]:
        return [e for e in self.events if e.occurred_at <= moment]


def shareable(event: Event) -> dict[str, Any]:
    """The JSON payload without its personal-data fields but those the view shows (`ingest.SHOWN`); a value
    made only of such fields goes too."""
    shown = ingest.SHOWN.get(event.event_type, (None, frozenset()))[1]
    return _strip(type(event), event.model_dump(mode="json"), shown)


def _strip(
    model: type[BaseModel], data: dict[str, Any], shown: frozenset[str] = frozenset()
) -> dict[str, Any]:
    kept = {}
    for name, value in data.items():
        field = model.model_fields[name]
        if name in shown:
            kept[name] = value
            continue
        if isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get(PERSONAL_DATA):
            continue
        inner = _model_in(field.annotation)
        if inner is not None and isinstance(value, dict):
            value = _strip(inner, value)
            if not value:
                continue
        elif inner is not None and isinstance(value, list):
            value = [_strip(inner, item) for item in value]
        kept[name] = value
    return kept


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            if (found := _model_in(argument)) is not None:
                return found
    return None
