"""`make contracts`: write the JSON Schemas and the AsyncAPI document from the models.

Run as `python -m contracts.generate`. Output is deterministic so that a test can compare it with what is
committed in `contracts/schemas/`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts import EventEnvelope, known_events
from contracts.events import Event

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"


def published_events() -> list[type[Event]]:
    """The contracts of this package (tests may register throwaway events of their own)."""
    return [cls for cls in known_events() if cls.__module__.startswith("contracts.")]


def schema_file_name(cls: type[Event]) -> str:
    return f"{cls.event_type}.v{cls.schema_version}.json"


def event_schema(cls: type[Event]) -> dict[str, Any]:
    schema = cls.model_json_schema()
    schema["$id"] = f"urn:passerelle:event:{cls.event_type}:v{cls.schema_version}"
    schema["x-event-type"] = cls.event_type
    schema["x-schema-version"] = cls.schema_version
    schema["x-restricted"] = cls.restricted
    return schema


def envelope_schema() -> dict[str, Any]:
    schema = EventEnvelope.model_json_schema()
    schema["$id"] = "urn:passerelle:envelope:v1"
    return schema


def topic_of(cls: type[Event]) -> str:
    return f"{cls.service()}.{'restricted' if cls.restricted else 'events'}"


def asyncapi_document(publisher: str | None = None, consumed: frozenset[str] = frozenset()) -> dict[str, Any]:
    """AsyncAPI 3.0: one channel per topic, one message per event version, the envelope as header doc.

    With a `publisher`, only what that service sends (its own topics) and receives (the `consumed` topics);
    without, the whole system's (the committed `asyncapi.json`)."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for cls in published_events():
        if publisher is not None and cls.service() != publisher and topic_of(cls) not in consumed:
            continue
        name = f"{cls.event_type}.v{cls.schema_version}"
        messages[name] = {
            "name": name,
            "title": cls.__doc__.strip().splitlines()[0] if cls.__doc__ else name,
            "contentType": "application/json",
            "payload": {"$ref": f"schemas/{schema_file_name(cls)}"},
            "x-envelope": {"$ref": "schemas/envelope.json"},
            "x-restricted": cls.restricted,
        }
        topic = topic_of(cls)
        channel = channels.setdefault(
            topic, {"address": topic, "messages": {}, "description": "keyed by stream id; retention forever"}
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for topic, channel in channels.items():
        sends = publisher is None or topic.split(".", 1)[0] == publisher
        operations[f"{'publish' if sends else 'consume'}.{topic}"] = {
            "action": "send" if sends else "receive",
            "channel": {"$ref": f"#/channels/{topic}"},
            "messages": [{"$ref": f"#/channels/{topic}/messages/{m}"} for m in channel["messages"]],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": f"Passerelle — {publisher} events" if publisher else "Passerelle domain events",
            "version": "1.0.0",
            "description": "Every message value is an EventEnvelope whose payload matches the message schema.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def rendered() -> dict[str, str]:
    """File name (relative to the schemas folder's parent) -> content."""
    files = {f"schemas/{schema_file_name(cls)}": _dump(event_schema(cls)) for cls in published_events()}
    files["schemas/envelope.json"] = _dump(envelope_schema())
    files["asyncapi.json"] = _dump(asyncapi_document())
    return files


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    root = SCHEMAS_DIR.parent
    SCHEMAS_DIR.mkdir(exist_ok=True)
    wanted = rendered()
    for stale in SCHEMAS_DIR.glob("*.json"):
        if f"schemas/{stale.name}" not in wanted:
            stale.unlink()
    for name, content in wanted.items():
        (root / name).write_text(content, encoding="utf-8")
    print(f"wrote {len(wanted)} files under {root}")


if __name__ == "__main__":
    main()
