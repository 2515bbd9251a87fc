"""Base class of every event payload.

An event type is named `<service>.<aggregate>.<past-tense-verb>` and carries an integer schema version.
A published (type, version) pair never changes incompatibly: a new shape is a new version plus an upcaster.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

PERSONAL_DATA = "x-personal-data"
# On a value object in a list: the field naming the person whose key seals its personal fields (`keyed_by`).
PERSONAL_DATA_KEY = "x-personal-data-key"


def personal_data(**field_kwargs: Any) -> Any:
    """A field that identifies a person: encrypted per person downstream, erased by crypto-shredding."""
    extra = dict(field_kwargs.pop("json_schema_extra", None) or {})
    extra[PERSONAL_DATA] = True
    return Field(json_schema_extra=extra, **field_kwargs)


def not_personal_data(**field_kwargs: Any) -> Any:
    """A view's field that bears the name of a personal field of the contracts yet holds no one's data (the
    consultation journal's `purpose`, which auditors read): pseudonymised reads leave it as it is."""
    extra = dict(field_kwargs.pop("json_schema_extra", None) or {})
    extra[PERSONAL_DATA] = False
    return Field(json_schema_extra=extra, **field_kwargs)


def keyed_by(field: str) -> ConfigDict:
    """The `model_config` of a value object about one person, in a list of them in an event about several
    (a group's attendance marks): its personal fields are sealed with the key of the person `field` names,
    not the event's, so that each person's erasure erases their values alone."""
    return ConfigDict(json_schema_extra={PERSONAL_DATA_KEY: field})


def label() -> Any:
    """A short name (a title, a place, an establishment): never empty."""
    return Field(min_length=1, max_length=200)


def text(max_length: int) -> Any:
    """Free text, empty unless filled in."""
    return Field(default="", max_length=max_length)


class Value(BaseModel):
    """A value object inside an event payload (e.g. a session slot): frozen, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Event(BaseModel):
    """A fact that happened, in the past tense. Subclasses declare their type name and version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    # Restricted events go to `<service>.restricted` only (ARCHITECTURE.md §2), never to `<service>.events`.
    restricted: ClassVar[bool] = False

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        # Runs once pydantic has built the subclass: every event model registers itself.
        super().__pydantic_init_subclass__(**kwargs)
        from contracts.registry import register

        register(cls)

    @classmethod
    def service(cls) -> str:
        return cls.event_type.split(".", 1)[0]

    @classmethod
    def personal_fields(cls) -> set[str]:
        return {
            name
            for name, field in cls.model_fields.items()
            if isinstance(field.json_schema_extra, dict) and field.json_schema_extra.get(PERSONAL_DATA)
        }
