#!/usr/bin/env python3
"""Independent verifier of a Passerelle event log export (docs/audit.md).

    python3 verify_log.py log.jsonl [--json report.json]
    python3 verify_log.py log.jsonl --checkpoints checkpoints.jsonl --keys DIR --service S [--json report.json]

One file, Python's standard library only, nothing imported from the project: an auditor can read all of it,
run it anywhere, or rewrite it in another language from docs/audit.md. It reads the export of
`passerelle audit export` (one envelope as JSON per line) and checks, for every stream: versions from 1
without gaps or doubles, each event's `previous_hash` equal to the hash of the version before, each hash
recomputed from the content (hash_version 1 and 2), positions unique and rising with the versions. With
`--checkpoints` (the records of the service's checkpoint topic, one JSON object per line), it also checks each
signed checkpoint (Ed25519, RFC 8032, written below from the RFC's reference code) with the public keys of
`--keys` (`<service>.pub`, `<service>.<anything>.pub`), and the Merkle root the log gives at each one. It prints
a JSON report on standard output (or into --json's file, with a summary on standard output) and exits 1 if it
found anything, 2 if it could not read its input.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import glob
import hashlib
import json
import math
import os
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
# transaction_id: the export's (not hashed), where the signed checkpoints cut the log.
KNOWN_FIELDS = set(HASHED_FIELDS) | {"position", "previous_hash", "hash", "hash_version", "transaction_id"}
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


# --- Ed25519 signature verification, RFC 8032 section 6's reference code ------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # the group order
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def point_add(p, q):  # extended homogeneous coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, x*y = T/Z
    a, b = (p[1] - p[0]) * (q[1] - q[0]) % P, (p[1] + p[0]) * (q[1] + q[0]) % P
    c, d = 2 * p[3] * q[3] * D % P, 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def point_mul(s: int, p):
    q = (0, 1, 1, 0)  # the neutral element
    while s > 0:
        if s & 1:
            q = point_add(q, p)
        p = point_add(p, p)
        s >>= 1
    return q


def point_equal(p, q) -> bool:
    return (p[0] * q[2] - q[0] * p[2]) % P == 0 and (p[1] * q[2] - q[1] * p[2]) % P == 0


def recover_x(y: int, sign: int):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def point_decompress(encoded: bytes):
    y = int.from_bytes(encoded, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)


G_Y = 4 * pow(5, P - 2, P) % P
G = (recover_x(G_Y, 0), G_Y, 1, recover_x(G_Y, 0) * G_Y % P)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != 32 or len(signature) != 64:
        return False
    a, r = point_decompress(public), point_decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    return point_equal(point_mul(s, G), point_add(r, point_mul(k, a)))


# SubjectPublicKeyInfo of an Ed25519 key (RFC 8410): this fixed DER prefix, then the raw 32 bytes.
ED25519_SPKI = bytes.fromhex("302a300506032b6570032100")


def public_key_of_pem(text: str) -> bytes:
    body = "".join(line for line in text.splitlines() if line and not line.startswith("-----"))
    der = base64.b64decode(body)
    if len(der) != 44 or not der.startswith(ED25519_SPKI):
        raise ValueError("not an Ed25519 public key (SubjectPublicKeyInfo PEM)")
    return der[12:]


def trusted_keys(directory: str, service: str) -> dict:
    """The public keys trusted for `service`, by key id (the first 16 hex digits of SHA-256 of the raw key)."""
    keys = {}
    paths = glob.glob(os.path.join(glob.escape(directory), f"{glob.escape(service)}.pub"))
    paths += glob.glob(os.path.join(glob.escape(directory), f"{glob.escape(service)}.*.pub"))
    for path in paths:
        with open(path, encoding="ascii") as pem:
            raw = public_key_of_pem(pem.read())
        keys[hashlib.sha256(raw).hexdigest()[:16]] = raw
    return keys


# --- signed checkpoints (docs/audit.md, section 4) -------------------------------------------------------------

CHECKPOINT_FIELDS = {
    "checkpoint_version",
    "service",
    "sequence",
    "transaction_id",
    "position",
    "streams",
    "events",
    "root",
    "signed_at",
    "key_id",
    "signature",
}


def parse_checkpoint(line: str) -> dict:
    record = json.loads(line)
    if (
        not isinstance(record, dict)
        or not CHECKPOINT_FIELDS - {"signature"} <= set(record) <= CHECKPOINT_FIELDS
    ):
        raise ValueError("not a checkpoint: its fields")
    record.setdefault("signature", "")
    if record["checkpoint_version"] != 1:
        raise ValueError("unknown checkpoint_version")
    numbers = [record[name] for name in ("sequence", "position", "streams", "events")]
    if not all(type(n) is int for n in numbers):
        raise ValueError("not a checkpoint: sequence, position, streams and events are integers")
    record["cursor"] = (int(record["transaction_id"]), record["position"])
    return record


def signature_problem(record: dict, keys: dict, service: str):
    key = keys.get(record["key_id"])
    if key is None:
        return f"key {record['key_id']!r} is not trusted for {service}"
    signed = {name: record[name] for name in CHECKPOINT_FIELDS if name != "signature"}
    try:
        signature = base64.b64decode(record["signature"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        signature = b""
    if not ed25519_verify(key, jcs(signed).encode(), signature):
        return f"signature does not hold for key {record['key_id']}"
    if record["service"] != service:
        return f"signed for the service {record['service']!r}"
    return None


def merkle_root(leaves: list) -> bytes:
    """RFC 6962's Merkle Tree Hash, as docs/audit.md writes it."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + merkle_root(leaves[:k]) + merkle_root(leaves[k:])).digest()


def leaf(stream_id: str, version: int, head_hash: str) -> bytes:
    canonical = jcs({"hash": head_hash, "stream_id": stream_id, "version": version})
    return hashlib.sha256(b"\x00" + canonical.encode()).digest()


def check_checkpoints(events: list, lines, keys: dict, service: str) -> tuple:
    """(findings, checkpoints whose signature holds). `events`: (transaction id, position, stream id, version,
    hash) of every event of the export."""
    findings, signed = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"checkpoints line {number}"
        try:
            record = parse_checkpoint(line)
        except (ValueError, TypeError) as error:
            findings.append(finding("malformed", None, None, f"{where}: {error}"))
            continue
        problem = signature_problem(record, keys, service)
        if problem is None:
            signed.append((record, where))
        else:
            findings.append(
                finding(
                    "checkpoint-signature", None, None, f"{where}, sequence {record['sequence']}: {problem}"
                )
            )
    signed.sort(key=lambda pair: pair[0]["cursor"])
    heads, leaves, covered = {}, {}, 0
    pending = iter(signed)
    waiting = next(pending, None)

    def against(record: dict, where: str) -> list:
        for stream_id, (version, head_hash) in heads.items():
            if stream_id not in leaves:
                leaves[stream_id] = leaf(stream_id, version, head_hash)
        root = merkle_root([leaves[stream_id] for stream_id in sorted(heads)]).hex()
        if root == record["root"]:
            return []
        lost = len(heads) < record["streams"] or covered < record["events"]
        detail = (
            f"{where}, sequence {record['sequence']} (position {record['position']}): {record['streams']} streams "
            f"and {record['events']} events signed, {len(heads)} streams and {covered} events in the log there"
        )
        return [finding("checkpoint-head-missing" if lost else "checkpoint-mismatch", None, None, detail)]

    for transaction_id, position, stream_id, version, head_hash in sorted(events):
        while waiting is not None and waiting[0]["cursor"] < (transaction_id, position):
            findings += against(*waiting)
            waiting = next(pending, None)
        known = heads.get(stream_id)
        if known is None or version > known[0]:
            covered += version - (known[0] if known else 0)
            heads[stream_id] = (version, head_hash)
            leaves.pop(stream_id, None)
    while waiting is not None:
        findings += against(*waiting)
        waiting = next(pending, None)
    return findings, len(signed)


# --- the log ------------------------------------------------------------------------------------------------------


def finding(kind: str, stream_id, version, detail: str) -> dict:
    return {"kind": kind, "stream_id": stream_id, "version": version, "source": "export", "detail": detail}


class MissingTransactionIds(ValueError):
    pass


def verify(lines, checkpoints=None, keys=None, service=None) -> dict:
    """The report on an export's `lines`; with `checkpoints` (lines of records), each checked with `keys` (by
    key id) as the checkpoints of `service`."""
    findings: list[dict] = []
    streams: dict[str, list[dict]] = {}
    at_position: dict[int, dict] = {}
    cut: list[tuple] = []  # (transaction id, position, stream id, version, hash): where the checkpoints cut
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
        if checkpoints is not None:
            if not isinstance(event.get("transaction_id"), str) or not event["transaction_id"].isdigit():
                raise MissingTransactionIds(f"{where}: no transaction_id (an export older than checkpoints?)")
            cut.append((int(event["transaction_id"]), event["position"], stream_id, version, event["hash"]))
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
    anchored = None
    if checkpoints is not None:
        found, anchored = check_checkpoints(cut, checkpoints, keys or {}, service)
        findings += found
    kinds: dict[str, int] = {}
    for found in findings:
        kinds[found["kind"]] = kinds.get(found["kind"], 0) + 1
    return {
        "ok": not findings,
        "events": count,
        "streams": len(streams),
        "position_holes": {"count": sum(b - a + 1 for a, b in holes), "ranges": holes[:100]},
        "checkpoints": anchored,
        "problems": kinds,
        "findings": findings,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="the JSON-lines export ('-' for standard input)")
    parser.add_argument("--json", help="write the report into this file, a summary on standard output")
    parser.add_argument("--checkpoints", help="the service's signed checkpoints, one JSON record per line")
    parser.add_argument("--keys", help="the folder of the public keys trusted for the checkpoints")
    parser.add_argument("--service", help="the service whose log and checkpoints these are")
    args = parser.parse_args(argv)
    if args.checkpoints and not (args.keys and args.service):
        parser.error("--checkpoints needs --keys and --service")
    try:
        keys = trusted_keys(args.keys, args.service) if args.checkpoints else None
        checkpoints = None
        if args.checkpoints:
            with open(args.checkpoints, encoding="utf-8") as records:
                checkpoints = records.readlines()
        if args.export == "-":
            report = verify(sys.stdin, checkpoints, keys, args.service)
        else:
            with open(args.export, encoding="utf-8") as lines:
                report = verify(lines, checkpoints, keys, args.service)
    except (OSError, UnicodeDecodeError, MissingTransactionIds) as error:
        print(f"cannot read {args.export}: {error}", file=sys.stderr)
        return 2
    except ValueError as error:  # a key file that is not an Ed25519 public key
        print(f"cannot read the keys in {args.keys}: {error}", file=sys.stderr)
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
