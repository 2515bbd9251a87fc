"""What every sentence is made of: its type, and the days, instants, periods and titles it names, written the
French way whether the payload gives them as ISO strings or the state as values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from projections.person_file import french
from projections.person_file.folding.state import FileState

# A sentence, or a sentence and its detail: the free text the event carries (pseudonymised readings drop it).
Told = str | tuple[str, str | None]
# Reads the payload and the state the fold has reached, after the event was applied to it.
Sentence = Callable[[FileState, dict[str, Any]], Told]


def day(value: str | date) -> str:
    return french.day(value if isinstance(value, date) else date.fromisoformat(value))


def instant(value: str | datetime) -> str:
    return french.instant(value if isinstance(value, datetime) else datetime.fromisoformat(value))


def period(start: str | date, end: str | date | None) -> str:
    return french.period(_date(start), _date(end) if end else None)


def quoted(text: str) -> str:
    return f"« {text} »"


def _date(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
