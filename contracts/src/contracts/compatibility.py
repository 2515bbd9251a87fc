"""Is a new JSON Schema of an event version compatible with the old one, both ways?

Events written under the old schema stay in the log for ever and are read by today's code; events written
under the new one are read by consumers still built from the old contracts. Readers are tolerant (they
ignore fields they do not know: `parse_payload`), so a published version may gain optional fields and
documentation. Anything else needs a new version and an upcaster: a field removed, made required or
retyped, and any change to the values allowed, whether narrowed (old events no longer read) or widened
(an old consumer refuses the new values).
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def breaking_changes(old: Schema, new: Schema) -> list[str]:
    return _compare(old, new, old, new, path="")


def _resolve(schema: Schema, root: Schema) -> Schema:
    ref = schema.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        return _resolve(root["$defs"][ref.removeprefix("#/$defs/")], root)
    return schema


def _compare(old: Schema, new: Schema, old_root: Schema, new_root: Schema, path: str) -> list[str]:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    problems: list[str] = []
    where = path or "<root>"
    if old.get("type") != new.get("type"):
        problems.append(f"{where}: type changed from {old.get('type')} to {new.get('type')}")
    if "enum" in old or "enum" in new:
        removed = set(old.get("enum", [])) - set(new.get("enum", []))
        added = set(new.get("enum", [])) - set(old.get("enum", []))
        if "enum" in new and ("enum" not in old or removed):
            problems.append(f"{where}: allowed values narrowed (removed {sorted(map(str, removed))})")
        if "enum" in old and ("enum" not in new or added):
            problems.append(
                f"{where}: allowed values widened (added {sorted(map(str, added))}): "
                "consumers of the old version refuse them"
            )
    for key in ("pattern", "format", "const"):
        if old.get(key) != new.get(key):
            problems.append(f"{where}: {key} changed from {old.get(key)!r} to {new.get(key)!r}")
    for key in ("minLength", "minimum", "exclusiveMinimum", "minItems"):
        problems += _bound(where, key, old.get(key, float("-inf")), new.get(key, float("-inf")), lower=True)
    for key in ("maxLength", "maximum", "exclusiveMaximum", "maxItems"):
        problems += _bound(where, key, old.get(key, float("inf")), new.get(key, float("inf")), lower=False)
    if ("anyOf" in old or "anyOf" in new) and old.get("anyOf") != new.get("anyOf"):
        problems.append(f"{where}: union of types changed")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name in old_props:
        if name not in new_props:
            problems.append(f"{path}.{name}: field removed")
        else:
            problems += _compare(old_props[name], new_props[name], old_root, new_root, f"{path}.{name}")
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required):
        problems.append(f"{path}.{name}: field is now required")
    if "items" in old and "items" in new:
        problems += _compare(old["items"], new["items"], old_root, new_root, f"{path}[]")
    return problems


def _bound(where: str, key: str, old: float, new: float, *, lower: bool) -> list[str]:
    if new == old:
        return []
    tightened = new > old if lower else new < old
    if tightened:
        return [f"{where}: {key} tightened to {new}"]
    return [f"{where}: {key} loosened to {new}: consumers of the old version refuse the new values"]
