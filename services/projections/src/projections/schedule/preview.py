"""What a session not yet scheduled would conflict with (issue 15 #2): a partner's proposal is checked for its
rooms only when it is approved, so the head of IPRO asks, while reading a draft, which sessions already hold
the room or the facilitators at that time. Read only: nothing is written, no conflict is told.

The sessions are read as the view's checks read them (a room of an establishment by its key, a facilitator by
the digest of the name, each over the span by its index) and paired with the proposed one by the view's own
rule (`occupancy.would_double_book`), so a preview and the conflict found once the session is scheduled agree.
A person's conflicts are not looked at: a draft has no participants yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from contracts.rooms import RoomList
from projections.schedule.occupancy import (
    SEVERITY,
    ConflictKind,
    Occupation,
    facilitator_key,
    room_key,
    would_double_book,
)
from projections.schedule.store import INTERVIEW_TITLE

PROPOSED = "proposed"  # the proposed session's item id, which no session of the view has

_BOOKED = """
    SELECT s.item_id, s.kind, s.place, nullif(s.establishment, '') AS establishment,
           lower(s.during) AS starts_at, upper(s.during) AS ends_at,
           CASE WHEN s.kind = 'group_session' THEN coalesce(p.code || ' – ' || p.name, g.programme_id)
                WHEN s.kind = 'interview' THEN {interview_title}
                ELSE a.title END AS title
    FROM {sessions}
    LEFT JOIN schedule_groups g ON s.kind = 'group_session' AND g.group_id = s.source_id
    LEFT JOIN schedule_programmes p ON p.programme_id = g.programme_id
    LEFT JOIN schedule_actions a ON s.kind = 'action_session' AND a.action_id = s.source_id
    WHERE NOT s.cancelled AND ($4::text[] IS NULL OR s.establishment = ANY($4))"""


def _booked(source: str) -> str:
    return _BOOKED.format(sessions=source, interview_title=INTERVIEW_TITLE)


# A room of an establishment over the span: the GiST index on (establishment, room, span).
_ROOM = """schedule_sessions s"""
_IN_ROOM = " AND s.establishment = $5 AND s.place_key = $3 AND s.during && tstzrange($1, $2)"
# A facilitator over the span: the slots' GiST index on (digest, span), as the view's check reads them.
_FACILITATOR = """schedule_facilitator_slots k
    JOIN schedule_sessions s ON s.item_id = k.item_id AND k.facilitator_key = $3 AND k.during && tstzrange($1, $2)"""


@dataclass(frozen=True)
class Proposed:
    establishment: str
    starts_at: datetime
    ends_at: datetime
    room: str | None  # a place as the proposal names it
    facilitators: tuple[str, ...]  # names as the proposal gives them


async def conflicts(
    connection: asyncpg.Connection, proposed: Proposed, *, rooms: RoomList, establishments: list[str] | None
) -> list[dict[str, Any]]:
    """The conflicts the proposed session would have, soonest first: each with the session it meets (of
    `establishments` only, None: of all) and the span they would share."""
    span = (proposed.starts_at, proposed.ends_at)
    session = Occupation(PROPOSED, "action_session", *span, since=proposed.starts_at)
    found = []
    if proposed.room is not None:
        key = room_key(rooms, proposed.establishment, proposed.room)
        rows = await connection.fetch(
            _booked(_ROOM) + _IN_ROOM, *span, key, establishments, proposed.establishment
        )
        found += _met(ConflictKind.ROOM_DOUBLE_BOOKED, key, session, rows, room=proposed.room)
    for name in dict.fromkeys(proposed.facilitators):  # each once, in the order asked
        key = facilitator_key(name)
        rows = await connection.fetch(_booked(_FACILITATOR), *span, key, establishments)
        found += _met(ConflictKind.FACILITATOR_DOUBLE_BOOKED, key, session, rows, facilitator=name)
    return sorted(found, key=lambda c: (c["starts_at"], c["kind"], c["item_id"]))


def _met(
    kind: ConflictKind, whose: str, proposed: Occupation, rows: list[asyncpg.Record], **asked: str
) -> list[dict[str, Any]]:
    """The rows' sessions the proposed one would double-book, each with who or what is asked about."""
    booked = {r["item_id"]: r for r in rows}
    occupations = [
        Occupation(r["item_id"], r["kind"], r["starts_at"], r["ends_at"], r["starts_at"]) for r in rows
    ]
    met = []
    for found in would_double_book(kind, whose, proposed, occupations):
        other = booked[found.second_item if found.first_item == PROPOSED else found.first_item]
        met.append(
            {
                "kind": kind,
                "severity": SEVERITY[kind],
                "room": None,
                "facilitator": None,
                **asked,
                "item_id": other["item_id"],
                "item_kind": other["kind"],
                "title": other["title"] or "",
                "place": other["place"],
                "establishment": other["establishment"],
                "item_starts_at": other["starts_at"],
                "item_ends_at": other["ends_at"],
                "starts_at": found.starts_at,
                "ends_at": found.ends_at,
            }
        )
    return met
