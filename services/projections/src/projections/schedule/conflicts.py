"""Conflicts kept up to date as events arrive: an event that changes an item looks again only at the person
or the room it concerns, over the span it touched (its old and new times), and reconciles what it finds with
the conflicts open there: new ones appear, gone ones are resolved by that event, and one still there says
when its two items began to overlap as they stand now (a move that keeps them overlapping moves that on).

Conflict times are event times, so that the view rebuilt from offset 0 equals the live one although topics
interleave differently: a conflict appears at the later of its two items' `since`; one resolved by an event
that happened before it appeared never existed in event time (two streams were read out of order) and is
deleted rather than resolved.

Each appearance and end is told on `projections.events` in the same transaction (`publication`, ADR 29)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time

import asyncpg
from prometheus_client import Histogram

from contracts import EventEnvelope
from kernel.eventstore import Session
from projections.schedule.occupancy import (
    Found,
    Occupation,
    Slot,
    Weekly,
    facilitator_conflicts,
    person_conflicts,
    room_conflicts,
    room_whose,
)
from projections.schedule.publication import Step, Transition, tell

Span = tuple[datetime, datetime | None]  # None: open-ended (a work post's hours)

# What detection costs, on /metrics (`bench/schedule_phases.py` reports them): each look at a person, a room or
# a facilitator over a span, its time and how many items it read. Bounded by the span, not by the view.
CHECK_SECONDS = Histogram(
    "passerelle_schedule_conflict_check_seconds",
    "Wall time of one conflict check: a person, a room or a facilitator looked at again over a span",
    ["whose"],
)
CHECK_ITEMS = Histogram(
    "passerelle_schedule_conflict_check_items",
    "Items a conflict check read (the occupations of that person, room or facilitator over the span)",
    ["whose"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 20000),
)


@dataclass(frozen=True)
class Cause:
    """The event being applied: what a conflict's end is put down to, and the session (on the consumer's
    transaction) that tells of it."""

    envelope: EventEnvelope
    session: Session

    @property
    def event_type(self) -> str:
        return self.envelope.event_type


# A conflict with the establishment it is listed under: its person's (from their IPRO pathway), or else its
# sessions'.
CONFLICT_ROWS = """
    SELECT c.conflict_id, c.kind, c.severity, c.subject_id, c.place_key AS room, c.facilitator_key, c.first_item,
           c.second_item, lower(c.during) AS starts_at, upper(c.during) AS ends_at, c.detected_at,
           c.resolved_at, c.resolved_by, c.absence_reason,
           coalesce(pe.establishment, se.establishment) AS establishment
    FROM schedule_conflicts c
    LEFT JOIN schedule_people pe ON pe.subject_id = c.subject_id
    LEFT JOIN LATERAL (
        SELECT coalesce(g.establishment, ca.establishment, nullif(s.establishment, '')) AS establishment
        FROM schedule_sessions s
        LEFT JOIN schedule_groups g ON s.kind = 'group_session' AND g.group_id = s.source_id
        LEFT JOIN schedule_actions a ON s.kind = 'action_session' AND a.action_id = s.source_id
        LEFT JOIN schedule_calls ca ON ca.call_id = a.call_id
        WHERE s.item_id IN (c.first_item, c.second_item)
        ORDER BY 1 NULLS LAST LIMIT 1
    ) se ON true"""


# A person's dated items over a span, each by an index on (person, span): the group sessions of that span they
# have a seat in (`slots`), not every session of every group they ever sat in; their positionings of that span,
# with their action's type (the absence reason of a work-hours warning; unknown while the action is unread).
PERSON_ITEMS = """
    SELECT item_id, kind, lower(during) AS starts_at, upper(during) AS ends_at, since, NULL AS action_type
    FROM schedule_person_slots
    WHERE subject_id = $1 AND during && tstzrange($2, $3) AND NOT cancelled
    UNION ALL
    SELECT 'ipro/positioning:' || p.positioning_id, 'positioning', lower(p.during), upper(p.during), p.since,
           a.action_type
    FROM schedule_positionings p LEFT JOIN schedule_actions a ON a.action_id = p.action_id
    WHERE p.subject_id = $1 AND p.active AND p.during && tstzrange($2, $3)"""


async def refresh_person(
    connection: asyncpg.Connection, subject_id: str, spans: list[Span], at: datetime, cause: Cause
) -> None:
    with CHECK_SECONDS.labels("person").time():
        await _refresh_person(connection, subject_id, spans, at, cause)


async def _refresh_person(
    connection: asyncpg.Connection, subject_id: str, spans: list[Span], at: datetime, cause: Cause
) -> None:
    lower, upper = _bounds(spans)
    dated = [
        Occupation(r["item_id"], r["kind"], r["starts_at"], r["ends_at"], r["since"], r["action_type"])
        for r in await connection.fetch(PERSON_ITEMS, subject_id, lower, upper)
    ]
    weekly = (
        [weekly_of(r) for r in await connection.fetch(PERSON_WEEKLY, subject_id, lower, upper)]
        if dated
        else []
    )
    CHECK_ITEMS.labels("person").observe(len(dated) + len(weekly))
    found = [f for f in person_conflicts(subject_id, dated, weekly) if _within(f, lower, upper)]
    await _reconcile(connection, {"subject_id": subject_id}, lower, upper, found, at, cause)


async def refresh_room(
    connection: asyncpg.Connection,
    establishment: str,
    room: str,
    spans: list[Span],
    at: datetime,
    cause: Cause,
) -> None:
    """A room of an establishment (`occupancy.room_key`; "" while a partner session's call is unread)."""
    with CHECK_SECONDS.labels("room").time():
        lower, upper = _bounds(spans)
        sessions = [
            Occupation(r["item_id"], r["kind"], r["starts_at"], r["ends_at"], r["since"])
            for r in await connection.fetch(
                """SELECT item_id, kind, lower(during) AS starts_at, upper(during) AS ends_at,
                          placed_since AS since
                   FROM schedule_sessions
                   WHERE establishment = $4 AND place_key = $1 AND NOT cancelled
                     AND during && tstzrange($2, $3)""",
                room,
                lower,
                upper,
                establishment,
            )
        ]
        CHECK_ITEMS.labels("room").observe(len(sessions))
        found = room_conflicts(room_whose(establishment, room), sessions)
        found = [f for f in found if _within(f, lower, upper)]
        scope = {"place_key": room, "room_establishment": establishment}
        await _reconcile(connection, scope, lower, upper, found, at, cause)


# A facilitator's sessions over a span, by an index on (facilitator, span) (`slots`): those of that span only,
# however many the facilitator ran before.
FACILITATOR_SESSIONS = """
    SELECT item_id, kind, lower(during) AS starts_at, upper(during) AS ends_at, since
    FROM schedule_facilitator_slots
    WHERE facilitator_key = $1 AND during && tstzrange($2, $3) AND NOT cancelled"""


async def refresh_facilitators(
    connection: asyncpg.Connection, keys: list[str], spans: list[Span], at: datetime, cause: Cause
) -> None:
    """Each facilitator (by digest) of a session that changed, over its old and new spans."""
    lower, upper = _bounds(spans)
    for key in sorted(set(keys)):
        with CHECK_SECONDS.labels("facilitator").time():
            sessions = [
                Occupation(r["item_id"], r["kind"], r["starts_at"], r["ends_at"], r["since"])
                for r in await connection.fetch(FACILITATOR_SESSIONS, key, lower, upper)
            ]
            CHECK_ITEMS.labels("facilitator").observe(len(sessions))
            found = [f for f in facilitator_conflicts(key, sessions) if _within(f, lower, upper)]
            await _reconcile(connection, {"facilitator_key": key}, lower, upper, found, at, cause)


# A person's weekly hours over a span: those not ended before it, by the index on (person, last day), not every
# post and training they ever had (an open-ended one's last day is infinity).
PERSON_WEEKLY = """SELECT item_id, kind, first_day, last_day, slots, since FROM schedule_recurring
             WHERE subject_id = $1
               AND coalesce(last_day, 'infinity'::date)
                   >= ($2::timestamptz AT TIME ZONE 'Europe/Paris')::date - 1
               AND ($3::timestamptz IS NULL
                    OR first_day <= ($3::timestamptz AT TIME ZONE 'Europe/Paris')::date)"""


def weekly_of(row: asyncpg.Record) -> Weekly:
    slots = json.loads(row["slots"]) if isinstance(row["slots"], str) else row["slots"]
    return Weekly(
        item_id=row["item_id"],
        kind=row["kind"],
        first_day=row["first_day"],
        last_day=row["last_day"],
        slots=tuple(
            Slot(s["weekday"], time.fromisoformat(s["starts_at"]), time.fromisoformat(s["ends_at"]))
            for s in slots
        ),
        since=row["since"],
    )


async def _reconcile(
    connection: asyncpg.Connection,
    scope: dict[str, str],
    lower: datetime,
    upper: datetime | None,
    found: list[Found],
    at: datetime,
    cause: Cause,
) -> None:
    """`scope`: whose conflicts these are, by column (a person, a facilitator, a room of an establishment)."""
    columns = list(scope)
    whose = " AND ".join(f"{column} = ${n}" for n, column in enumerate(columns, start=3))
    open_ = {
        r["conflict_id"]: (r["detected_at"], r["starts_at"], r["ends_at"], r["absence_reason"])
        for r in await connection.fetch(
            f"""SELECT conflict_id, detected_at, lower(during) AS starts_at, upper(during) AS ends_at,
                       absence_reason
                FROM schedule_conflicts
                WHERE {whose} AND resolved_at IS NULL AND during && tstzrange($1, $2)""",
            lower,
            upper,
            *scope.values(),
        )
    }
    now_found = {f.conflict_id for f in found}
    gone = [c for c in open_ if c not in now_found]
    never = [c for c in gone if at <= open_[c][0]]
    transitions = [
        Transition(row, Step.WITHDRAWN, row["detected_at"]) for row in await _rows(connection, never)
    ]
    if never:
        await connection.execute("DELETE FROM schedule_conflicts WHERE conflict_id = ANY($1)", never)
    if resolved := [c for c in gone if c not in never]:
        await connection.execute(
            """UPDATE schedule_conflicts SET resolved_at = $2, resolved_by = $3
               WHERE conflict_id = ANY($1)""",
            resolved,
            at,
            cause.event_type,
        )
    # Only what changed is written: a conflict found again as it stands costs no write.
    if changed := [f for f in found if open_.get(f.conflict_id) != _as_stored(f)]:
        scoped = "".join(f", ${n}" for n in range(10, 10 + len(columns)))
        await connection.executemany(
            f"""INSERT INTO schedule_conflicts (conflict_id, kind, severity, first_item, second_item, during,
                                                detected_at, absence_reason, {", ".join(columns)})
                VALUES ($1, $2, $3, $4, $5, tstzrange($6, $7), $8, $9{scoped})
                ON CONFLICT (conflict_id) DO UPDATE SET during = excluded.during,
                    detected_at = excluded.detected_at, absence_reason = excluded.absence_reason,
                    resolved_at = NULL, resolved_by = NULL""",
            [
                (
                    f.conflict_id,
                    f.kind.value,
                    f.severity.value,
                    f.first_item,
                    f.second_item,
                    f.starts_at,
                    f.ends_at,
                    f.detected_at,
                    f.absence_reason and f.absence_reason.value,
                    *scope.values(),
                )
                for f in changed
            ],
        )
    transitions += [Transition(row, Step.RESOLVED, at) for row in await _rows(connection, resolved)]
    appeared = [f.conflict_id for f in found if f.conflict_id not in open_]
    transitions += [
        Transition(row, Step.DETECTED, row["detected_at"]) for row in await _rows(connection, appeared)
    ]
    await tell(cause.session, cause.envelope, transitions)


async def _rows(connection: asyncpg.Connection, conflict_ids: list[str]) -> list[dict]:
    if not conflict_ids:
        return []
    rows = await connection.fetch(CONFLICT_ROWS + " WHERE c.conflict_id = ANY($1)", conflict_ids)
    return [dict(r) for r in rows]


def _as_stored(found: Found) -> tuple:
    reason = found.absence_reason.value if found.absence_reason else None
    return (found.detected_at, found.starts_at, found.ends_at, reason)


def _bounds(spans: list[Span]) -> tuple[datetime, datetime | None]:
    lower = min(start for start, _ in spans)
    upper = None if any(end is None for _, end in spans) else max(end for _, end in spans if end)
    return lower, upper


def _within(found: Found, lower: datetime, upper: datetime | None) -> bool:
    return found.ends_at > lower and (upper is None or found.starts_at < upper)
