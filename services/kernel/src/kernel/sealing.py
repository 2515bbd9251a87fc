"""Personal data sealed in event payloads, below the contract layer (issue 17, crypto-shredding).

A contract describes a payload in clear: what a decider emits and what `parse_payload` validates. The event
store seals it before hashing: every field the contract marks `x-personal-data` (at any depth: a case's
identity, a session's facilitators) becomes

    {"enc": "v1", "kid": "<data key id>", "ct": "<base64 of nonce | AES-256-GCM ciphertext and tag>"}

the JSON of the clear value encrypted with its person's data key (`kernel.keyring`), the event id and the
field's path as associated data (a sealed value copied into another event or field does not open). That form
is what the `events` table, the hash chain and the topics hold. Readers open it before `parse_payload`:
the event store's `read_stream`, the consumer runner. A value whose key was destroyed opens as its field's
*erased* value: None where the contract allows it, else `ERASED_TEXT`, `[ERASED_TEXT]` for a list that may
not be empty, or `ERASED_DATE`; always a value the contract accepts, so nothing downstream crashes.

Values written before sealing existed are read as they are: opening only touches sealed values.

One event, one key, but for a list of value objects each about one person, which the contract marks with the
field naming them (`contracts.events.keyed_by`): each item's personal fields are sealed with that person's key
(a group's attendance: each participant's reason). Opening needs nothing more: a sealed value names its key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import types
import typing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Any, Union
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, TypeAdapter, ValidationError

from contracts import Event, EventEnvelope, event_class
from contracts.events import PERSONAL_DATA, PERSONAL_DATA_KEY
from contracts.registry import UnknownEventType
from kernel.keyring import NONCE_BYTES, Keyring

SEALED = "v1"
ERASED_TEXT = "[effacé]"
ERASED_DATE = date.min.isoformat()  # 0001-01-01: a date of birth no one has
_ERASED_CANDIDATES = (None, ERASED_TEXT, [], [ERASED_TEXT], ERASED_DATE)


class SealBroken(ValueError):
    """A sealed value that does not open under its key: tampered with, or moved from another event or field.
    A `ValueError`, like an invalid payload: a consumer dead-letters the message."""


@dataclass(frozen=True)
class Leaf:
    """A personal field: sealed whole. `erased` is the JSON value it reads as once its key is destroyed."""

    erased: Any


@dataclass(frozen=True)
class Each:
    """A list of value objects, some fields of which are personal. `key_from`: the field of each item naming
    the person whose key seals them (None: the event's key)."""

    plan: Plan
    key_from: str | None = None


Plan = dict[str, "Leaf | Each | Plan"]


# --- which fields -------------------------------------------------------------------------------------------


@cache
def plan_of(model: type[BaseModel]) -> Plan:
    """Where a model's personal fields are, nested value objects and lists of them included."""
    plan: Plan = {}
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get(PERSONAL_DATA):
            plan[name] = Leaf(_erased_value(field))
        elif nested := _nested(field.annotation):
            plan[name] = nested
    return plan


def plan_for(event_type: str, schema_version: int) -> Plan:
    """The plan of a stored or received event's own version (empty for one this code does not know)."""
    try:
        return plan_of(event_class(event_type, schema_version))
    except UnknownEventType:
        return {}


def _nested(annotation: Any) -> Leaf | Each | Plan | None:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        return next((found for a in arguments if a is not type(None) and (found := _nested(a))), None)
    if origin in (list, tuple, set, frozenset, Sequence) and arguments:
        inner = _nested(arguments[0])
        return Each(inner, _key_field(arguments[0])) if isinstance(inner, dict) else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return plan_of(annotation) or None
    return None


def _key_field(model: Any) -> str | None:
    """The field whose person's key seals a value object's personal fields (`contracts.events.keyed_by`)."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    extra = model.model_config.get("json_schema_extra")
    return extra.get(PERSONAL_DATA_KEY) if isinstance(extra, dict) else None


def _erased_value(field: Any) -> Any:
    adapter = TypeAdapter(Annotated[field.annotation, field])
    for candidate in _ERASED_CANDIDATES:
        try:
            adapter.validate_python(candidate)
        except ValidationError:
            continue
        return candidate
    return None


# --- sealing and opening one payload --------------------------------------------------------------------


def is_sealed(value: Any) -> bool:
    return type(value) is dict and value.get("enc") == SEALED and len(value) == 3 and "ct" in value


def key_id(event_type: str, subject: str | None, stream_id: str) -> str:
    """Whose key seals an event's personal fields: the person it is about (its subject), else the stream that
    holds them (a partner's contact, a group's facilitators: people who are not followed by the SPIP)."""
    return subject or f"stream:{event_type.split('.', 1)[0]}/{stream_id}"


def _leaves(payload: dict, plan: Plan, context: str = "") -> Iterator[tuple[Leaf, Any, str]]:
    """Each personal value of a payload that is not None, with its node in the plan and its path."""
    for name, node in plan.items():
        value = payload.get(name)
        if value is None:
            continue
        where = f"{context}/{name}"
        if isinstance(node, Leaf):
            yield node, value, where
        elif isinstance(node, Each):
            for i, item in enumerate(value if isinstance(value, list) else ()):
                if isinstance(item, dict):
                    yield from _leaves(item, node.plan, f"{where}/{i}")
        elif isinstance(value, dict):
            yield from _leaves(value, node, where)


def _rebuilt(
    payload: dict,
    plan: Plan,
    context: str,
    change: Callable[[Leaf, Any, str], Any],
    whose: Callable[[dict, Each], bool] | None = None,
) -> dict:
    """A copy of `payload` with each personal value (not None: it says nothing) replaced by `change`; in a
    list, only in the items `whose` accepts (all of them without it)."""
    copy = dict(payload)
    for name, node in plan.items():
        value = payload.get(name)
        if value is None:
            continue
        where = f"{context}/{name}"
        if isinstance(node, Leaf):
            copy[name] = change(node, value, where)
        elif isinstance(node, Each):
            if isinstance(value, list):
                copy[name] = [
                    _rebuilt(item, node.plan, f"{where}/{i}", change, whose)
                    if isinstance(item, dict) and (whose is None or whose(item, node))
                    else item
                    for i, item in enumerate(value)
                ]
        elif isinstance(value, dict):
            copy[name] = _rebuilt(value, node, where, change, whose)
    return copy


# The copied container, the field's name, its value, its path, and whose key seals it (None: the event's).
_Found = tuple[dict, str, Any, str, str | None]


def _prepared(payload: dict, plan: Plan, context: str, found: list[_Found], kid: str | None = None) -> dict:
    """Sealing's one walk: a copy of `payload`, and of each object and list between it and a personal value,
    into which `found` lists where each personal value (not None) is to be written sealed. Nothing is sealed
    yet: the caller first learns whether there is anything to seal (and so whether a key is needed)."""
    copy = dict(payload)
    for name, node in plan.items():
        value = payload.get(name)
        if value is None:
            continue
        kind = type(node)
        if kind is Leaf:
            found.append((copy, name, value, f"{context}/{name}", kid))
        elif kind is Each:
            if type(value) is list:
                copy[name] = items = list(value)
                for i, item in enumerate(value):
                    if type(item) is dict:
                        own = (node.key_from and item.get(node.key_from)) or kid
                        items[i] = _prepared(item, node.plan, f"{context}/{name}/{i}", found, own)
        elif type(value) is dict:
            copy[name] = _prepared(value, node, f"{context}/{name}", found, kid)
    return copy


def _seal_found(found: list[_Found], ciphers: dict[str | None, AESGCM], default: str) -> None:
    for container, name, value, where, kid in found:
        if not is_sealed(value):
            container[name] = _seal(value, ciphers[kid], kid or default, where)


def open_payload(payload: dict, plan: Plan, ciphers: dict[str, AESGCM | None], context: str) -> dict:
    """A copy of `payload` with every sealed value opened, or erased where its key is destroyed."""

    def opened(node: Leaf, value: Any, where: str) -> Any:
        if not is_sealed(value):
            return value
        cipher = ciphers[value["kid"]]
        return node.erased if cipher is None else _open(value, cipher, where)

    return _rebuilt(payload, plan, context, opened)


def erased_payload(payload: dict, plan: Plan, subject: str | None = None) -> dict:
    """A copy of a clear `payload` with every personal value its plan names read as erased: what a view that
    keeps some personal values in clear writes over them once the person is erased. With `subject`, the items
    of a list sealed per person (`Each.key_from`) are erased only where they name that person, or no one (an
    item written before they were named: whose it is cannot be told, so it goes)."""

    def whose(item: dict, node: Each) -> bool:
        return node.key_from is None or item.get(node.key_from) in (None, subject)

    return _rebuilt(payload, plan, "", lambda node, value, where: node.erased, whose if subject else None)


def key_ids_in(payload: dict, plan: Plan) -> set[str]:
    """The keys a payload's sealed values name."""
    return {value["kid"] for _, value, _ in _leaves(payload, plan) if is_sealed(value)}


def clear_values(payload: dict, plan: Plan, context: str = "") -> list[str]:
    """The paths of a payload's personal values that are not sealed (what a scan of a topic must not find)."""
    return [where for _, value, where in _leaves(payload, plan, context) if not is_sealed(value)]


def has_values(payload: dict, plan: Plan) -> bool:
    """Whether a payload carries any personal value to seal (an event whose personal fields are all absent
    needs no key)."""
    return any(True for _ in _leaves(payload, plan))


_json_string = json.encoder.encode_basestring  # C: the common case (a name, a note) without json.dumps


def _seal(value: Any, cipher: AESGCM, kid: str, where: str) -> dict:
    nonce = os.urandom(NONCE_BYTES)
    if type(value) is str:
        clear = _json_string(value).encode()
    else:
        clear = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    sealed = nonce + cipher.encrypt(nonce, clear, where.encode())
    return {"enc": SEALED, "kid": kid, "ct": binascii.b2a_base64(sealed, newline=False).decode("ascii")}


def _open(value: dict, cipher: AESGCM, where: str) -> Any:
    try:
        sealed = base64.b64decode(value["ct"], validate=True)
        return json.loads(cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], where.encode()))
    except (InvalidTag, ValueError, TypeError):
        raise SealBroken(
            f"the sealed value at {where.split('/', 1)[1]} does not open under its key"
        ) from None


# --- the kernel's entry points ----------------------------------------------------------------------------


class Sealer:
    """Seals what the event store appends and opens what is read back or received, through a keyring."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    async def seal(
        self, event: Event, payload: dict, *, event_id: UUID, subject: str | None, stream_id: str
    ) -> dict:
        plan = plan_of(type(event))
        if not plan:
            return payload
        found: list[_Found] = []
        copy = _prepared(payload, plan, str(event_id), found)
        if not found:  # its personal fields are all absent: no key needed, none created
            return payload
        kid = key_id(event.event_type, subject, stream_id)
        # Mostly the event's key alone; items sealed per person (`Each.key_from`) name theirs.
        ciphers = {own: await self.keyring.for_writing(own or kid) for own in {item[4] for item in found}}
        _seal_found(found, ciphers, kid)
        return copy

    async def open(self, envelopes: Sequence[EventEnvelope]) -> list[EventEnvelope]:
        """The envelopes with their payloads in clear (erased where a key is destroyed); one keyring query for
        every key not cached. The hash of an opened envelope still covers its sealed payload."""
        plans = [plan_for(e.event_type, e.schema_version) for e in envelopes]
        kids = [
            key_ids_in(e.payload, plan) if plan else set() for e, plan in zip(envelopes, plans, strict=True)
        ]
        wanted: set[str] = set().union(*kids)
        if not wanted:
            return list(envelopes)
        ciphers = await self.keyring.for_reading(wanted)
        return [
            envelope.model_copy(
                update={"payload": open_payload(envelope.payload, plan, ciphers, str(envelope.event_id))}
            )
            if named
            else envelope
            for envelope, plan, named in zip(envelopes, plans, kids, strict=True)
        ]
