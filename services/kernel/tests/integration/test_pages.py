"""Keyset pages on a real PostgreSQL: every row once, in order, across pages; a capped total; a forged cursor
refused as bad input; a page read from the index, not from a sort of the table."""

from datetime import date

import pytest

from kernel.database import connect
from kernel.pages import COUNT_CAP, InvalidCursor, decode_cursor, encode_cursor, page

SELECT = "SELECT *, lower(name) AS sort_name FROM people WHERE ($1::text IS NULL OR team = $1)"


@pytest.fixture
async def connection(dsn):
    connection = await connect(dsn)
    await connection.execute(
        """CREATE TABLE people (person_id text PRIMARY KEY, name text NOT NULL, team text NOT NULL, born date NOT NULL);
           CREATE INDEX people_by_name ON people (lower(name), person_id)"""
    )
    yield connection
    await connection.close()


async def fill(connection, count: int) -> None:
    # Names repeat (ties are broken by the id) and differ in case (the order is case-blind).
    await connection.execute(
        """INSERT INTO people
           SELECT format('p%s', lpad(i::text, 6, '0')),
                  CASE WHEN i % 2 = 0 THEN 'Name ' ELSE 'name ' END || (i % 37),
                  CASE WHEN i % 3 = 0 THEN 'red' ELSE 'blue' END,
                  date '1980-01-01' + (i % 50)
           FROM generate_series(1, $1) AS i""",
        count,
    )
    await connection.execute("ANALYZE people")


async def every_page(connection, *args, order, limit):
    rows, after, pages = [], None, 0
    while True:
        listed = await page(connection, SELECT, *args, order=order, limit=limit, after=after)
        rows += listed.rows
        pages += 1
        if listed.next is None:
            return rows, pages
        after = listed.next


async def test_pages_follow_the_order_and_hold_every_row_once(connection):
    await fill(connection, 250)
    rows, pages = await every_page(connection, None, order=("sort_name", "person_id"), limit=40)
    expected = await connection.fetch(f"{SELECT} ORDER BY lower(name), person_id", None)
    assert [r["person_id"] for r in rows] == [r["person_id"] for r in expected]
    assert pages == 7  # 6 full pages and a last one of 10


async def test_a_direction_that_turns_midway_still_pages_exactly(connection):
    await fill(connection, 200)
    order = ("born DESC", "sort_name", "person_id")
    rows, _ = await every_page(connection, "blue", order=order, limit=17)
    expected = await connection.fetch(f"{SELECT} ORDER BY born DESC, lower(name), person_id", "blue")
    assert [r["person_id"] for r in rows] == [r["person_id"] for r in expected]
    assert all(r["team"] == "blue" for r in rows)


async def test_the_total_is_exact_up_to_the_cap_and_a_lower_bound_beyond(connection):
    await fill(connection, COUNT_CAP + 500)
    red = await page(connection, SELECT, "red", order=("sort_name", "person_id"), limit=10)
    assert (red.total, red.total_exact) == ((COUNT_CAP + 500) // 3, True)
    every = await page(connection, SELECT, None, order=("sort_name", "person_id"), limit=10)
    assert (every.total, every.total_exact) == (COUNT_CAP, False)
    none = await page(connection, SELECT, "green", order=("sort_name", "person_id"), limit=10)
    assert (none.rows, none.total, none.total_exact, none.next) == ([], 0, True, None)


async def test_the_page_after_the_last_counts_the_rows_still(connection):
    await fill(connection, 30)
    first = await page(connection, SELECT, None, order=("sort_name", "person_id"), limit=30)
    past = encode_cursor([first.rows[-1]["sort_name"], first.rows[-1]["person_id"]])
    beyond = await page(connection, SELECT, None, order=("sort_name", "person_id"), limit=30, after=past)
    assert (first.next, beyond.rows, beyond.total) == (None, [], 30)


def test_a_cursor_carries_dates_back_as_dates():
    values = ["Dupont", date(2026, 12, 4), 3, None, True]
    assert decode_cursor(encode_cursor(values), 5) == values


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        encode_cursor(["only one value"]),  # a cursor of another list
        encode_cursor([{"x": "1"}, "p1"]),  # an unknown tag
        encode_cursor([["nested"], "p1"]),
        "eyJ0IjoiMjAyNi0xMy0wMSJ9",  # {"t":"2026-13-01"}: not a list
    ],
)
def test_a_malformed_cursor_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, 2)


async def test_a_cursor_of_the_wrong_types_is_bad_input_not_a_server_error(connection):
    await fill(connection, 10)
    forged = encode_cursor([42, date(2020, 1, 1)])  # an integer for a name, a date for an id
    with pytest.raises(InvalidCursor):
        await page(connection, SELECT, None, order=("sort_name", "person_id"), limit=5, after=forged)


async def test_a_deep_page_walks_the_index_from_the_cursor(connection):
    await fill(connection, 20_000)
    deep = encode_cursor(["name 30", "p015000"])
    listed = await page(connection, SELECT, None, order=("sort_name", "person_id"), limit=10, after=deep)
    assert len(listed.rows) == 10
    plan = "\n".join(
        r[0]
        for r in await connection.fetch(
            f"""EXPLAIN SELECT * FROM ({SELECT}) AS listed
                WHERE ROW(listed.sort_name, listed.person_id) > ROW('name 30', 'p015000')
                ORDER BY listed.sort_name, listed.person_id LIMIT 11""",
            None,
        )
    )
    assert "people_by_name" in plan and "Sort" not in plan, plan
