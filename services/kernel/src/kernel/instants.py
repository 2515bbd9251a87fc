"""One form for every instant a service answers with: the establishment's local time with its offset
(`2026-12-03T14:00:00+01:00`), whether the value came from a client, an event or a database row (which
reads back in UTC). Applied once, where responses are rendered (`http.PolicyRoute` for every route's JSON,
`LocalTimeJSONResponse` for the few answers built by hand), so no view model can forget it.

It works on the rendered JSON: a string value that is an instant, and only such a whole value, is rewritten.
Walking the answer's objects instead cost a large file's read more than rendering it (ADR 37)."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta
from typing import Any

from fastapi.responses import JSONResponse

from kernel.clock import LOCAL_TIME_ZONE

# An ISO 8601 instant with an explicit offset, as pydantic and asyncpg write them: a whole JSON string (its
# opening quote not an escaped one inside another string), and a value, not a key (no colon after it). The
# pattern starts with the quote, so that the engine scans for it rather than try the look-behind everywhere.
# Three groups: the date and hour, the rest of the time, the offset.
_INSTANT = re.compile(
    rb'"(?<!\\")(\d{4}-\d{2}-\d{2}T\d{2})(:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}:\d{2})"(?!\s*:)'
)
# The rest of the time as `datetime.isoformat` writes it, which a shortcut may copy as it is: minutes and
# seconds, and microseconds only when there are some.
_AS_ISOFORMAT_WRITES = re.compile(rb":[0-5]\d:[0-5]\d(?:\.(?!0{6})\d{6})?")
_HOUR, _LAST_OF_THE_HOUR = timedelta(hours=1), timedelta(hours=1, microseconds=-1)


@functools.lru_cache(maxsize=16_384)
def _hour_in_local_time(hour: bytes, offset: bytes) -> bytes | None:
    """The local date, hour and offset of every instant within this hour, when they share them and only the
    hour moves (the zone's offset constant over the hour, and a whole number of hours from the one written):
    minutes and seconds then read the same in both. None otherwise (a change of offset within the hour, a zone
    off by half an hour): such an instant is converted on its own. An answer holds hundreds of instants, a few
    distinct hours of them: converting each one cost more than rendering the answer."""
    start = datetime.fromisoformat((hour + b":00" + offset).decode())
    local = start.astimezone(LOCAL_TIME_ZONE)
    end = (start + _LAST_OF_THE_HOUR).astimezone(LOCAL_TIME_ZONE)
    shift = local.utcoffset() - start.utcoffset()
    if end.utcoffset() != local.utcoffset() or shift % _HOUR:
        return None
    return local.isoformat(timespec="hours").encode()


def _local(found: re.Match[bytes]) -> bytes:
    hour, rest, offset = found.groups()
    local = _hour_in_local_time(hour, offset)
    if local is not None and _AS_ISOFORMAT_WRITES.fullmatch(rest):
        return b'"' + local[:13] + rest + local[13:] + b'"'
    instant = datetime.fromisoformat((hour + rest + offset).decode()).astimezone(LOCAL_TIME_ZONE)
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
