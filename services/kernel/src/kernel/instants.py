"""One form for every instant a service answers with: the establishment's local time with its offset
(`2026-12-03T14:00:00+01:00`), whether the value came from a client, an event or a database row (which
reads back in UTC). Applied once, where responses are rendered (`http.PolicyRoute` for every route's JSON,
`LocalTimeJSONResponse` for the few answers built by hand), so no view model can forget it.

It works on the rendered JSON: a string value that is an instant, and only such a whole value, is rewritten.
Walking the answer's objects instead cost a large file's read more than rendering it (ADR 37)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse

from kernel.clock import LOCAL_TIME_ZONE

# An ISO 8601 instant with an explicit offset, as pydantic and asyncpg write them: a whole JSON string (its
# opening quote not an escaped one inside another string), and a value, not a key (no colon after it). The
# pattern starts with the quote, so that the engine scans for it rather than try the look-behind everywhere.
_INSTANT = re.compile(
    rb'"(?<!\\")(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2}))"(?!\s*:)'
)


def _local(found: re.Match[bytes]) -> bytes:
    instant = datetime.fromisoformat(found.group(1).decode()).astimezone(LOCAL_TIME_ZONE)
    return b'"' + instant.isoformat().encode() + b'"'


def localise(body: bytes) -> bytes:
    """A JSON document with each instant in local time."""
    return _INSTANT.sub(_local, body)


def is_json(media_type: str | None) -> bool:
    return bool(media_type) and (media_type == "application/json" or media_type.endswith("+json"))


class LocalTimeJSONResponse(JSONResponse):
    """JSON whose instants are all in the establishment's local time, with their offset."""

    def render(self, content: Any) -> bytes:
        return localise(super().render(content))
