"""Tamper evidence: each event's hash covers its content and the previous hash of its stream.

An envelope says how its hash was computed (`hash_version`, docs/audit.md gives both forms byte for byte):
* 1, every event written before issue 16: Python's `json.dumps` of the fields below, `previous_hash|` before it.
* 2, every new one: SHA-256 of the RFC 8785 (JCS) canonical JSON of the same fields plus `hash_version` and
  `previous_hash`, which any language can reproduce.

The hashed content of a version is a fixed list of fields. An optional field absent from an envelope counts as
its default (`subject`, `causation_id` and the actor's `organisation_id` null, `restricted` false), so an
envelope read by a newer model, or exported by an older one, hashes the same. A field a later model adds is not
covered by versions 1 and 2: the audit reports one that carries a value other than its default.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # not at run time: the audit's share processes import this module and not the contracts
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
ACTOR_FIELDS = ("subject", "role", "organisation_id")
# What an absent optional field counts as, in the envelope and in its actor.
DEFAULTS: dict[str, Any] = {"subject": None, "causation_id": None, "restricted": False, "hash_version": 1}
ACTOR_DEFAULTS: dict[str, Any] = {"organisation_id": None}
INSTANTS = ("occurred_at", "recorded_at")
HASH_VERSIONS = (1, 2)
CURRENT_HASH_VERSION = 2  # what the event store writes
# Every envelope field a hash version knows, hashed or not: any other one must be absent or at its default.
KNOWN_FIELDS = frozenset((*HASHED_FIELDS, "position", "previous_hash", "hash", "hash_version"))

# RFC 8785 numbers are IEEE 754 doubles: an integer beyond this is not one.
_SAFE_INTEGER = 2**53 - 1


class UnhashableEvent(ValueError):
    """An envelope whose content no hash version can cover: a field missing, an unknown version, a naive
    instant, a number outside RFC 8785's range."""


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return str(value)


def event_hash(previous_hash: str | None, content: dict[str, Any]) -> str:
    """Version 1, exactly as every event before issue 16 was hashed."""
    canonical = json.dumps(
        {name: content[name] for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_canonical,
    )
    return hashlib.sha256(f"{previous_hash or ''}|{canonical}".encode()).hexdigest()


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON of a JSON value (dicts, lists, str, int, float, bool, None).

    Written here rather than taken from `rfc8785` (Trail of Bits), which the unit tests use as the reference:
    that one is pure Python, and the audit must read a million events at 30,000/s (ADR 19). A value `json`'s C
    encoder writes exactly as RFC 8785 does (`_plain`) takes it; any other value, one with a float or with a key
    outside the BMP, takes `_jcs`: strings through the same C escaper, numbers as ECMAScript writes them."""
    return _jcs_text(value).encode()


def canonical_text(text: str) -> str:
    """`jcs(json.loads(text))`, as text. A JSON text whose values `_dumps` writes as RFC 8785 does is checked
    while it is parsed (`_load_plain`), not walked again; any other one takes `jcs`'s way."""
    try:
        value, end = _scan_plain(text, 0)
        if end == len(text):
            return _dumps(value)
    except (_NotPlain, ValueError, StopIteration):  # StopIteration: no value at 0; `json.loads` says why
        pass
    return _jcs_text(json.loads(text))


def _jcs_text(value: Any) -> str:
    return _dumps(value) if _plain(value) else _jcs(value)


# The C encoder escapes strings as `_escape` does, writes exact ints in decimal, `true`, `false`, `null`, and
# with `sort_keys` orders members by code point. For keys in the Basic Multilingual Plane that is RFC 8785's
# UTF-16 order (one code unit per character, equal to its code point); floats it writes as Python's `repr`.
# Made once, as `json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)` makes it per call.
_encoder = json.encoder.c_make_encoder(
    None, None, json.encoder.encode_basestring, None, ":", ",", True, False, False
)


def _dumps(value: Any) -> str:
    return "".join(_encoder(value, 0))


_SCALARS = (str, bool, type(None))


def _plain(value: Any) -> bool:
    """Whether `_dumps(value)` is RFC 8785: no float, no integer beyond a double's, no key outside the BMP, no
    type but dict, list, str, int, bool and None."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
                return False
            if type(item) not in _SCALARS and not _plain(item):
                return False
        return True
    if kind is list:
        return all(type(item) in _SCALARS or _plain(item) for item in value)
    if kind is int:
        return -_SAFE_INTEGER <= value <= _SAFE_INTEGER
    return kind in _SCALARS


class _NotPlain(Exception):
    pass


def _not_plain(_: str) -> Any:
    raise _NotPlain


def _safe_int(text: str) -> int:
    if -_SAFE_INTEGER <= (value := int(text)) <= _SAFE_INTEGER:
        return value
    raise _NotPlain


def _bmp_keys(members: dict[str, Any]) -> dict[str, Any]:
    keys = "".join(members)
    if keys.isascii() or max(keys) <= "\uffff":
        return members
    raise _NotPlain


# `json.loads` that raises `_NotPlain` at what `_plain` refuses: a float (or NaN, Infinity), an integer beyond a
# double's, an object with a key outside the BMP. What it returns, `_plain` accepts.
_plain_decoder = json.JSONDecoder(
    object_hook=_bmp_keys, parse_float=_not_plain, parse_int=_safe_int, parse_constant=_not_plain
)
_load_plain = _plain_decoder.decode
# Its C scanner alone, (value, end): what `decode` does around it (whitespace, a Python call) costs as much.
_scan_plain = _plain_decoder.scan_once

_escape = json.encoder.encode_basestring  # `"`, `\\` and U+0000-U+001F, short forms first, lowercase hex


def _jcs(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _escape(value)
    if kind is dict:
        keys = sorted(value)
        if not "".join(keys).isascii():  # RFC 8785 sorts by UTF-16 code units, not code points
            keys.sort(key=_utf16)
        return "{" + ",".join(f"{_escape(key)}:{_jcs(value[key])}" for key in keys) + "}"
    if kind is list:
        return "[" + ",".join(_jcs(item) for item in value) + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return str(value)
        raise UnhashableEvent(f"{value} is beyond the integers a double holds exactly")
    if kind is float:
        return _number(value)
    raise UnhashableEvent(f"{kind.__name__} is not JSON")


def _utf16(key: str) -> bytes:
    if not isinstance(key, str):
        raise UnhashableEvent("object keys must be strings")
    return key.encode("utf-16-be")


def _number(number: float) -> str:
    """ECMAScript's Number::toString (RFC 8785, 3.2.2.3)."""
    if math.isnan(number) or math.isinf(number):
        raise UnhashableEvent(f"{number} is not a JSON number")
    if number == 0:
        return "0"
    if number < 0:
        return "-" + _number(-number)
    mantissa, _, exponent = repr(number).partition("e")
    whole, _, fraction = mantissa.partition(".")
    figures = whole + fraction
    significant = figures.lstrip("0")
    n = len(whole) + (int(exponent) if exponent else 0) - (len(figures) - len(significant))  # 0.digits × 10^n
    digits = significant.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    return digits[0] + (f".{digits[1:]}" if k > 1 else "") + f"e{'+' if e >= 0 else '-'}{abs(e)}"


def _instant(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise UnhashableEvent(f"an instant with its offset expected, not {value!r}")
    return value


def _utc(value: Any) -> str:
    instant = _instant(value)
    if (
        instant.tzinfo is UTC and instant.year >= 1000
    ):  # as the table gives it: `isoformat` writes the same, faster
        return instant.isoformat(timespec="microseconds")[:-6] + "Z"
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _actor(content: Mapping[str, Any]) -> dict[str, Any]:
    actor = content["actor"]
    if not isinstance(actor, Mapping):
        actor = actor.model_dump()
    return {name: actor[name] if name in actor else ACTOR_DEFAULTS[name] for name in ACTOR_FIELDS}


def _field(content: Mapping[str, Any], name: str) -> Any:
    return content[name] if name in content else DEFAULTS[name]


def hash_version_1(content: Mapping[str, Any]) -> str:
    fields = {name: _field(content, name) for name in HASHED_FIELDS}
    fields["actor"] = _actor(content)
    for name in INSTANTS:
        fields[name] = _instant(fields[name])  # as it was written: `isoformat`, with the offset it carries
    return event_hash(content["previous_hash"], fields)


def _version_2(
    actor_organisation_id: str,
    actor_role: str,
    actor_subject: str,
    causation_id: str,
    correlation_id: str,
    event_id: str,
    event_type: str,
    occurred_at: str,
    payload: str,
    previous_hash: str,
    recorded_at: str,
    restricted: str,
    schema_version: str,
    stream_id: str,
    stream_type: str,
    stream_version: str,
    subject: str,
) -> bytes:
    """RFC 8785 of the 16 members, the actor's 3 too, each argument one member's value already written as RFC
    8785 does, in the members' sorted order."""
    return (
        f'{{"actor":{{"organisation_id":{actor_organisation_id},"role":{actor_role},"subject":{actor_subject}}},'
        f'"causation_id":{causation_id},"correlation_id":{correlation_id},"event_id":{event_id},'
        f'"event_type":{event_type},"hash_version":2,"occurred_at":{occurred_at},"payload":{payload},'
        f'"previous_hash":{previous_hash},"recorded_at":{recorded_at},"restricted":{restricted},'
        f'"schema_version":{schema_version},"stream_id":{stream_id},"stream_type":{stream_type},'
        f'"stream_version":{stream_version},"subject":{subject}}}'
    ).encode()


def _atom(value: Any) -> str | None:
    """RFC 8785 of a string, null, boolean or integer a double holds; None for any other value."""
    kind = type(value)
    if kind is str:
        return _escape(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int and -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
        return str(value)
    return None


def canonical_version_2(content: Mapping[str, Any], payload_text: str | None = None) -> bytes:
    """The bytes a version 2 hash is the SHA-256 of (docs/audit.md). `payload_text`: the payload as JSON text,
    when the caller read it so, instead of `content["payload"]`."""
    actor = _actor(content)
    occurred_at, recorded_at = _utc(content["occurred_at"]), _utc(content["recorded_at"])
    values = (
        actor["organisation_id"],
        actor["role"],
        actor["subject"],
        _field(content, "causation_id"),
        content["correlation_id"],
        str(content["event_id"]),
        content["event_type"],
        occurred_at,
        content["previous_hash"],
        recorded_at,
        _field(content, "restricted"),
        content["schema_version"],
        content["stream_id"],
        content["stream_type"],
        content["stream_version"],
        _field(content, "subject"),
    )
    atoms = [_atom(value) for value in values]
    if None not in atoms:
        payload = _jcs_text(content["payload"]) if payload_text is None else canonical_text(payload_text)
        return _version_2(*atoms[:8], payload, *atoms[8:])
    # A value no envelope should carry (a float, an object): the object as `jcs` writes it, or refuses it.
    return jcs(
        {
            "actor": actor,
            **dict(zip(_VERSION_2_NAMES, values[3:], strict=True)),
            "hash_version": 2,
            "payload": content["payload"] if payload_text is None else json.loads(payload_text),
        }
    )


_VERSION_2_NAMES = (  # the members after the actor's, in `values`' order
    "causation_id",
    "correlation_id",
    "event_id",
    "event_type",
    "occurred_at",
    "previous_hash",
    "recorded_at",
    "restricted",
    "schema_version",
    "stream_id",
    "stream_type",
    "stream_version",
    "subject",
)


_BOOLEANS = {True: "true", False: "false"}


def table_row_hash(
    event_id: Any,
    event_type: Any,
    schema_version: Any,
    stream_type: Any,
    stream_id: Any,
    stream_version: Any,
    occurred_at: Any,
    recorded_at: Any,
    actor: Any,
    subject: Any,
    correlation_id: Any,
    causation_id: Any,
    restricted: Any,
    payload: Any,
    previous_hash: Any,
    hash_version: Any,
) -> str | None:
    """`hash_of` a row of the events table as the audit reads it (`kernel.chains`): the actor and the payload as
    JSON text, the instants as PostgreSQL's integers (microseconds since 2000-01-01 UTC), when it is the common
    row: version 2, an actor of its three fields only. None for any other row (a version 1, a null where the
    table's types say none, an actor with another field or a value `_atom` does not write, a year before 1000):
    `hash_of` takes it. The audit reads a million rows; the columns' types spare most of `canonical_version_2`'s
    questions, the few people who write a year's events their actor's JSON, and the instants a `datetime`."""
    if hash_version != 2 or event_id is None or schema_version is None or stream_version is None:
        return None
    try:
        actor_atoms = _actors.get(actor, False)
        if actor_atoms is False:
            actor_atoms = _actor_atoms(actor)
        if actor_atoms is None:
            return None
        canonical = _version_2(
            *actor_atoms,
            "null" if causation_id is None else _escape(causation_id),
            _escape(correlation_id),
            f'"{event_id}"',
            _escape(event_type),
            _instant_text(occurred_at),
            canonical_text(payload),
            "null" if previous_hash is None else _escape(previous_hash),
            _instant_text(recorded_at),
            _BOOLEANS[restricted],
            str(schema_version),
            _escape(stream_id),
            _escape(stream_type),
            str(stream_version),
            "null" if subject is None else _escape(subject),
        )
    except (ArithmeticError, KeyError, TypeError, ValueError):  # a null, a payload `hash_of` tells about
        return None
    return hashlib.sha256(canonical).hexdigest()


# An actor's JSON text -> its three members' values as RFC 8785 (organisation, role, subject), or None when
# `table_row_hash` leaves it to `hash_of`.
_actors: dict[str, tuple[str, str, str] | None] = {}
_ACTOR_FIELDS = frozenset(ACTOR_FIELDS)


def _actor_atoms(text: str) -> tuple[str, str, str] | None:
    if len(_actors) >= 10_000:
        _actors.clear()
    actor = json.loads(text)
    atoms = None
    if type(actor) is dict and actor.keys() <= _ACTOR_FIELDS and "role" in actor and "subject" in actor:
        written = (_atom(actor.get("organisation_id")), _atom(actor["role"]), _atom(actor["subject"]))
        atoms = None if None in written else written
    _actors[text] = atoms
    return atoms


POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # PostgreSQL's instants count microseconds from it
_DAY = 86_400_000_000
_dates: dict[int, str] = {}  # days from POSTGRES_EPOCH -> "YYYY-MM-DD"
_clocks: dict[int, str] = {}  # seconds in the day -> "HH:MM:SS"


def _instant_text(micros: int) -> str:
    """`_atom(_utc(instant))` of PostgreSQL's integer for the instant, without making a `datetime`."""
    day, micros = divmod(micros, _DAY)
    date = _dates.get(day)
    if date is None:
        start = POSTGRES_EPOCH + timedelta(days=day)  # OverflowError beyond a `datetime`'s years
        if start.year < 1000:
            raise ValueError("`_utc` writes the years before 1000 otherwise")
        date = _dates[day] = start.date().isoformat()
    seconds, micros = divmod(micros, 1_000_000)
    clock = _clocks.get(seconds)
    if clock is None:
        clock = _clocks[seconds] = f"{seconds // 3600:02}:{seconds // 60 % 60:02}:{seconds % 60:02}"
    return f'"{date}T{clock}.{micros:06}Z"'


def hash_of(content: Mapping[str, Any], *, payload_text: str | None = None) -> str:
    """The hash of an envelope's content (a mapping of its fields: Python values or their JSON), by its
    `hash_version` (absent: 1). `payload_text`: the payload as JSON text, instead of `content["payload"]`.
    Raises `UnhashableEvent` when it has none."""
    version = _field(content, "hash_version")
    try:
        if version == 1:
            if payload_text is not None:
                content = {**content, "payload": json.loads(payload_text)}
            return hash_version_1(content)
        if version == 2:
            return hashlib.sha256(canonical_version_2(content, payload_text)).hexdigest()
    except KeyError as missing:
        raise UnhashableEvent(f"no {missing.args[0]} field") from None
    except (TypeError, ValueError) as error:
        if isinstance(error, UnhashableEvent):
            raise
        raise UnhashableEvent(str(error)) from error
    raise UnhashableEvent(f"unknown hash_version {version!r}")


def uncovered_fields(content: Mapping[str, Any]) -> list[str]:
    """Fields no hash version covers that carry something: a change there would go unseen."""
    actor = content.get("actor")
    actor_fields = actor.keys() if isinstance(actor, Mapping) else ()
    return [name for name in content if name not in KNOWN_FIELDS and content[name] is not None] + [
        f"actor.{name}" for name in actor_fields if name not in ACTOR_FIELDS and actor[name] is not None
    ]


def envelope_hash(envelope: EventEnvelope) -> str:
    return hash_of(envelope.model_dump(mode="python"))


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
