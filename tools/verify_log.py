#!/usr/bin/env python3
"""Independent verifier of a Passerelle event log export (docs/audit.md).

    python3 verify_log.py log.jsonl [--json report.json]

One file, Python's standard library only, nothing imported from the project: an auditor can read all of it,
run it anywhere, or rewrite it in another language from docs/audit.md. It reads the export of
`passerelle audit export` (one envelope as JSON per line) and checks, for every stream: versions from 1
without gaps or doubles, each event's `previous_hash` equal to the hash of the version before, each hash
recomputed from the content (hash_version 1 and 2), positions unique and rising with the versions. It prints a
JSON report on standard output (or into --json's file, with a summary on standard output) and exits 1 if it
found anything, 2 if it could not read its input.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from datetime import datetime, timezone

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
DEFAULTS = {"subject": None, "causation_id": None, "restricted": False, "hash_version": 1}
ACTOR_DEFAULTS = {"organisation_id": None}
KNOWN_FIELDS = set(HASHED_FIELDS) | {"position", "previous_hash", "hash", "hash_version"}
MAX_SAFE_INTEGER = 2**53 - 1


class Unhashable(ValueError):
    pass


# --- RFC 8785 (JCS), written from the RFC ---------------------------------------------------------------------

_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"})


def jcs_string(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


def jcs_number(number: float) -> str:
    """ECMAScript's Number.prototype.toString (RFC 8785, 3.2.2.3), from Python's shortest round-trip digits."""
    if math.isnan(number) or math.isinf(number):
        raise Unhashable(f"{number} is not a JSON number")
    if number == 0:
        return "0"
    if number < 0:
        return "-" + jcs_number(-number)
    mantissa, _, exponent = repr(number).partition("e")
    whole, _, fraction = mantissa.partition(".")
    figures = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)  # value = 0.figures × 10^point
    significant = figures.lstrip("0")
    point -= len(figures) - len(significant)
    digits = significant.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    return digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))


def jcs(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise Unhashable(f"{value} is outside the integers an IEEE 754 double holds exactly")
        return str(value)
    if isinstance(value, float):
        return jcs_number(value)
    if isinstance(value, str):
        return jcs_string(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(jcs_string(key) + ":" + jcs(value[key]) for key in keys) + "}"
    raise Unhashable(f"{type(value).__name__} is not JSON")


# --- the two hash versions --------------------------------------------------------------------------------------


def instant(text) -> datetime:
    if not isinstance(text, str):
        raise Unhashable(f"an instant is a string, not {text!r}")
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise Unhashable(f"instant without an offset: {text}")
    return value


def field(event: dict, name: str):
    if name in event:
        return event[name]
    if name in DEFAULTS:
        return DEFAULTS[name]
    raise Unhashable(f"no {name} field")


def actor(event: dict) -> dict:
    given = field(event, "actor")
    if not isinstance(given, dict):
        raise Unhashable("actor is not an object")
    out = {}
    for name in ACTOR_FIELDS:
        if name in given:
            out[name] = given[name]
        elif name in ACTOR_DEFAULTS:
            out[name] = ACTOR_DEFAULTS[name]
        else:
            raise Unhashable(f"no actor.{name} field")
    return out


def hash_v1(event: dict) -> str:
    """sha256(utf8(previous_hash or "" + "|" + Python's json.dumps of the 14 fields, keys sorted))."""
    content = {name: field(event, name) for name in HASHED_FIELDS}
    content["actor"] = actor(event)
    content["event_id"] = str(content["event_id"])
    for name in ("occurred_at", "recorded_at"):
        content[name] = instant(content[name]).isoformat(timespec="microseconds")
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    previous = field(event, "previous_hash")
    return hashlib.sha256(f"{previous or ''}|{text}".encode()).hexdigest()


def canonical_v2(event: dict) -> str:
    content = {name: field(event, name) for name in HASHED_FIELDS}
    content["actor"] = actor(event)
    for name in ("occurred_at", "recorded_at"):
        content[name] = instant(content[name]).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # noqa: UP017 (Python < 3.11)
    content["hash_version"] = 2
    content["previous_hash"] = field(event, "previous_hash")
    return jcs(content)


def recompute(event: dict) -> str:
    version = field(event, "hash_version")
    if version == 1:
        return hash_v1(event)
    if version == 2:
        return hashlib.sha256(canonical_v2(event).encode()).hexdigest()
    raise Unhashable(f"unknown hash_version {version!r}")


# --- the log ------------------------------------------------------------------------------------------------------


def finding(kind: str, stream_id, version, detail: str) -> dict:
    return {"kind": kind, "stream_id": stream_id, "version": version, "source": "export", "detail": detail}


def verify(lines) -> dict:
    findings: list[dict] = []
    streams: dict[str, list[dict]] = {}
    at_position: dict[int, dict] = {}
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        count += 1
        where = f"line {number}"
        try:
            event = json.loads(line)
        except ValueError as error:
            findings.append(finding("malformed", None, None, f"{where}: {error}"))
            continue
        if not isinstance(event, dict):
            findings.append(finding("malformed", None, None, f"{where}: not an object"))
            continue
        stream_id, version = event.get("stream_id"), event.get("stream_version")
        try:
            recomputed = recompute(event)
        except (Unhashable, ValueError, TypeError) as error:
            findings.append(finding("malformed", stream_id, version, f"{where}: {error}"))
            recomputed = None
        uncovered = [n for n in event if n not in KNOWN_FIELDS and event[n] is not None]
        if isinstance(event.get("actor"), dict):
            uncovered += [
                f"actor.{n}" for n, v in event["actor"].items() if n not in ACTOR_FIELDS and v is not None
            ]
        if uncovered:
            findings.append(
                finding("uncovered-field", stream_id, version, f"{where}: {', '.join(uncovered)}")
            )
        if not (
            isinstance(stream_id, str)
            and isinstance(version, int)
            and isinstance(event.get("position"), int)
            and isinstance(event.get("hash"), str)
        ):
            if recomputed is not None:
                findings.append(
                    finding("malformed", stream_id, version, f"{where}: stream, version, position or hash")
                )
            continue
        seen = {
            "version": version,
            "position": event["position"],
            "previous_hash": event.get("previous_hash"),
            "hash": event["hash"],
            "recomputed": recomputed,
            "where": where,
        }
        streams.setdefault(stream_id, []).append(seen)
        other = at_position.setdefault(event["position"], {"stream_id": stream_id, **seen})
        if other["where"] != where:
            findings.append(
                finding(
                    "position-duplicate",
                    stream_id,
                    version,
                    f"position {event['position']} already holds {other['stream_id']} v{other['version']}",
                )
            )
    for stream_id, events in streams.items():
        events.sort(key=lambda e: e["version"])
        previous = None
        for event in events:
            expected = previous["version"] + 1 if previous else 1
            if previous and event["version"] == previous["version"]:
                findings.append(finding("version-duplicate", stream_id, event["version"], event["where"]))
                continue
            for missing in range(expected, event["version"]):
                findings.append(
                    finding("version-gap", stream_id, missing, f"missing before {event['version']}")
                )
            if event["recomputed"] is not None and event["recomputed"] != event["hash"]:
                findings.append(finding("hash-mismatch", stream_id, event["version"], event["where"]))
            if event["version"] == expected and event["previous_hash"] != (
                previous["hash"] if previous else None
            ):
                findings.append(finding("broken-link", stream_id, event["version"], event["where"]))
            if previous and event["position"] <= previous["position"]:
                findings.append(finding("position-order", stream_id, event["version"], event["where"]))
            previous = event
    holes, expected = [], 1
    for position in sorted(at_position):
        if position > expected:
            holes.append([expected, position - 1])
        expected = position + 1
    kinds: dict[str, int] = {}
    for found in findings:
        kinds[found["kind"]] = kinds.get(found["kind"], 0) + 1
    return {
        "ok": not findings,
        "events": count,
        "streams": len(streams),
        "position_holes": {"count": sum(b - a + 1 for a, b in holes), "ranges": holes[:100]},
        "problems": kinds,
        "findings": findings,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="the JSON-lines export ('-' for standard input)")
    parser.add_argument("--json", help="write the report into this file, a summary on standard output")
    args = parser.parse_args(argv)
    try:
        if args.export == "-":
            report = verify(sys.stdin)
        else:
            with open(args.export, encoding="utf-8") as lines:
                report = verify(lines)
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {args.export}: {error}", file=sys.stderr)
        return 2
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        print(
            f"{report['events']} events, {report['streams']} streams: "
            + ("intact" if report["ok"] else f"{len(report['findings'])} problem(s) {report['problems']}")
        )
    else:
        print(text)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
