"""One form for every instant a service answers with: the establishment's local time with its offset
(`2026-12-03T14:00:00+01:00`), whether the value came from a client, an event or a database row (which
reads back in UTC). Applied once, where responses are rendered, so no view model can forget it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse

from kernel.clock import LOCAL_TIME_ZONE

# An ISO 8601 instant with an explicit offset, as pydantic and asyncpg write them.
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")


def in_local_time(content: Any) -> Any:
    if isinstance(content, str):
        if INSTANT.fullmatch(content):
            return datetime.fromisoformat(content).astimezone(LOCAL_TIME_ZONE).isoformat()
        return content
    if isinstance(content, dict):
        return {key: in_local_time(value) for key, value in content.items()}
    if isinstance(content, list):
        return [in_local_time(value) for value in content]
    return content


class LocalTimeJSONResponse(JSONResponse):
    """JSON whose instants are all in the establishment's local time, with their offset."""

    def render(self, content: Any) -> bytes:
        return super().render(in_local_time(content))
