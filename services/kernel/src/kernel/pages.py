"""Pages of a list whose cost does not grow with the table (ADR 36).

A page is the next `limit` rows after a position in the list's order, not after a count of rows: the position
(`after`, the cursor a page hands out as `next`) is the last row's sort key, so PostgreSQL walks an index from
there and stops, however deep the page or large the table. The total is counted up to `COUNT_CAP` rows, no
further: "1,000 or more" is what a person reading a list needs, and counting 100,000 rows per request is not.

A list names its order as output columns of its select (`order=("sort_name", "partner_id")`, `"due_on DESC"`);
the last one must be unique, no key may be NULL (a row comparison with NULL is never true), and an index should
lead with the same expressions, or the page sorts the whole selection."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from kernel.errors import BadRequest

COUNT_CAP = 1000


class InvalidCursor(BadRequest):
    code = "cursor-invalid"

    def __init__(self) -> None:
        super().__init__("`after` is not the `next` of a page of this list: start again from the first page")


@dataclass(frozen=True)
class Listed:
    rows: list[asyncpg.Record]
    total: int  # rows matching, exact if `total_exact`, else a lower bound (`COUNT_CAP`)
    total_exact: bool
    next: str | None  # the cursor of the following page; None on the last


@dataclass(frozen=True)
class _Key:
    column: str
    descending: bool

    @classmethod
    def parse(cls, text: str) -> _Key:
        column, _, direction = text.partition(" ")
        return cls(column, direction.strip().upper() == "DESC")


def encode_cursor(values: Sequence[Any]) -> str:
    def tagged(value: Any) -> Any:
        # JSON has no dates: they travel tagged, and come back as the types the query's parameters expect.
        if isinstance(value, datetime):
            return {"t": value.isoformat()}
        if isinstance(value, date):
            return {"d": value.isoformat()}
        return value

    text = json.dumps([tagged(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    def untagged(value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((tag, text),) = value.items()
            return {"t": datetime.fromisoformat, "d": date.fromisoformat}[tag](text)
        if isinstance(value, (list, dict)):
            raise ValueError(value)
        return value

    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError(values)
        return [untagged(v) for v in values]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor() from error


def _after(keys: Sequence[_Key], first_parameter: int) -> str:
    """The rows strictly after the cursor's in the order of `keys`: one row comparison while the keys run the
    same way (an index range), a column at a time where the direction turns."""
    run = 1
    while run < len(keys) and keys[run].descending == keys[0].descending:
        run += 1
    columns = ", ".join(f"listed.{k.column}" for k in keys[:run])
    values = ", ".join(f"${first_parameter + i}" for i in range(run))
    beyond = f"ROW({columns}) {'<' if keys[0].descending else '>'} ROW({values})"
    if run == len(keys):
        return beyond
    level = f"ROW({columns}) = ROW({values})"
    return f"({beyond} OR ({level} AND {_after(keys[run:], first_parameter + run)}))"


def one_site(perimeter: list[str] | None) -> tuple[str | None, list[str] | None]:
    """A perimeter as `(its only site, None)` or `(None, its sites)`, for a list to filter on `site = $n` where
    it can: PostgreSQL reads one site's rows from an index in the list's order, but sorts those matching
    `= ANY` of an array, even of one element."""
    if perimeter is not None and len(perimeter) == 1:
        return perimeter[0], None
    return None, perimeter


async def page(
    connection: asyncpg.Connection,
    select: str,
    *args: Any,
    order: Sequence[str],
    limit: int,
    after: str | None = None,
) -> Listed:
    """The `limit` rows of `select` that follow `after` in `order`, the capped total and the next cursor."""
    keys = [_Key.parse(k) for k in order]
    n = len(args)
    where, positions = "", list(args)
    if after is not None:
        positions += decode_cursor(after, len(keys))
        where = f"WHERE {_after(keys, n + 1)}"
    counted = f"SELECT count(*) FROM (SELECT 1 FROM ({select}) AS matching LIMIT {COUNT_CAP + 1}) AS capped"
    ordering = ", ".join(f"listed.{k.column}{' DESC' if k.descending else ''}" for k in keys)
    statement = f"""SELECT listed.*, ({counted}) AS total FROM ({select}) AS listed {where}
                    ORDER BY {ordering} LIMIT ${len(positions) + 1}"""
    try:
        # One more row than asked says whether there is a next page without a second query.
        rows = await connection.fetch(statement, *positions, limit + 1)
        total = rows[0]["total"] if rows else await connection.fetchval(counted, *args)
    except asyncpg.DataError as error:  # raised by the client for a value of the wrong type, too
        if after is None:
            raise
        raise InvalidCursor() from error  # a forged cursor's value of the wrong type
    more = len(rows) > limit
    rows = rows[:limit]
    next_ = encode_cursor([rows[-1][k.column] for k in keys]) if more else None
    return Listed(rows=rows, total=min(total, COUNT_CAP), total_exact=total <= COUNT_CAP, next=next_)
