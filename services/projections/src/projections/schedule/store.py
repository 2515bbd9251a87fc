"""Reading the schedule view: the items of a bounded window (an establishment's, a room's, a facilitator's,
a person's), each with its participants and seats, and the conflicts found in a window. Every query reads
by an index over the window, a facilitator's and a person's by their own (who, span) index, so that their
cost does not grow with the region's activity; weekly schedules are expanded here, over the window only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from contracts.rooms import NO_ROOMS, RoomList
from projections.schedule.conflicts import CONFLICT_ROWS, weekly_of
from projections.schedule.occupancy import place_key, room_keys

_SESSIONS = """
    SELECT s.item_id, s.kind, s.source_id, s.session_id, s.number, s.review, s.catch_up, s.place,
           lower(s.during) AS starts_at, upper(s.during) AS ends_at, s.cancelled,
           nullif(s.establishment, '') AS establishment,
           CASE WHEN s.kind = 'group_session' THEN coalesce(p.code || ' – ' || p.name, g.programme_id)
                WHEN s.kind = 'interview' THEN {interview_title}
                ELSE a.title END AS title,
           coalesce(g.capacity, a.capacity) AS seats, a.partner_id,
           -- Who sits in it, in the same statement: a page is one round trip, each row index probes.
           (SELECT array_agg((x.subject_id, x.last_name, x.first_names)
                             ORDER BY x.last_name NULLS LAST, x.first_names, x.subject_id)
            FROM (SELECT m.subject_id, i.last_name, i.first_names
                  FROM schedule_members m LEFT JOIN person_identities i USING (subject_id)
                  WHERE s.kind = 'group_session' AND m.group_id = s.source_id AND m.active
                  UNION ALL
                  SELECT p.subject_id, i.last_name, i.first_names
                  FROM schedule_positionings p LEFT JOIN person_identities i USING (subject_id)
                  WHERE s.kind = 'action_session' AND p.action_id = s.source_id
                    AND p.session_id = s.session_id AND p.active
                  UNION ALL
                  SELECT s.subject_id, i.last_name, i.first_names
                  FROM (VALUES (1)) one LEFT JOIN person_identities i ON i.subject_id = s.subject_id
                  WHERE s.kind = 'interview') x) AS participants
    FROM {sessions}
    LEFT JOIN schedule_groups g ON s.kind = 'group_session' AND g.group_id = s.source_id
    LEFT JOIN schedule_programmes p ON p.programme_id = g.programme_id
    LEFT JOIN schedule_actions a ON s.kind = 'action_session' AND a.action_id = s.source_id
    LEFT JOIN schedule_calls c ON c.call_id = a.call_id
    WHERE ($3::text IS NULL OR s.establishment = $3)
      AND ($4::text[] IS NULL OR s.place_key = ANY($4::text[]))
      AND ($5::text IS NULL OR $5 = ANY(s.facilitator_keys))
      AND ($6::text IS NULL OR a.partner_id = $6)
      AND ($7::text[] IS NULL OR s.establishment = ANY($7))"""

# An SPIP interview's title: its kind's label, as the contracts name the interview types (no free text).
INTERVIEW_TITLE = """'Entretien SPIP' || CASE s.interview_type WHEN 'arrival' THEN ' (arrivant)'
    WHEN 'follow_up' THEN ' (suivi)' WHEN 'motivational' THEN ' (motivationnel)'
    WHEN 'pre_release' THEN ' (préparation à la sortie)' ELSE '' END"""

# Where the sessions of the window [$1, $2) come from: the region's (the GiST index on the span), or one
# facilitator's or one person's, by the slots' GiST index on (who, span) (`slots`, migration 0128), whose span is
# their session's: a facilitator's week reads their sessions, however many others the region holds that week.
# The window is on the slots alone there, so that the planner has no way to the sessions but by their key.
_REGION = "(SELECT * FROM schedule_sessions WHERE during && tstzrange($1, $2)) s"
_FACILITATOR = """schedule_facilitator_slots k
    JOIN schedule_sessions s ON s.item_id = k.item_id AND k.facilitator_key = $5 AND k.during && tstzrange($1, $2)"""
# A person's group sessions: one slot per seat, and programmes seats a person once in a group.
_PERSON = """schedule_person_slots k
    JOIN schedule_sessions s ON s.item_id = k.item_id AND k.subject_id = $8 AND k.during && tstzrange($1, $2)"""


async def schedule(
    connection: asyncpg.Connection,
    *,
    lower: datetime,
    upper: datetime,
    establishment: str | None = None,
    room: str | None = None,
    facilitator: str | None = None,
    subject_id: str | None = None,
    partner_id: str | None = None,
    establishments: list[str] | None = None,
    rooms: RoomList = NO_ROOMS,
) -> list[dict[str, Any]]:
    """The items of [lower, upper), soonest first. `room`: a place as asked, the rooms it names in `rooms`
    (of `establishment` if given) or the place itself where a site has no list. Without `subject_id`: the
    sessions (programme groups', partner actions', SPIP interviews'). With it: what occupies that person:
    their group sessions, SPIP interviews, positionings, training slots and work hours. `partner_id` (a
    partner's token) limits it to that partner's action sessions; `establishments` (a staff token's
    perimeter, ADR 26) to theirs, and a person of another establishment has no schedule for them."""
    keys = room_keys(rooms, room, establishment) if room is not None else None
    filters = (lower, upper, establishment, keys, facilitator, partner_id, establishments)
    if subject_id is not None and establishments is not None:
        where = await connection.fetchval(
            "SELECT establishment FROM schedule_people WHERE subject_id = $1", subject_id
        )
        if where is not None and where not in establishments:
            return []
    if subject_id is None:
        sessions = _sessions(_REGION if facilitator is None else _FACILITATOR)
        items = [
            dict(r)
            for r in await connection.fetch(sessions + " ORDER BY lower(s.during), s.item_id", *filters)
        ]
    else:
        sessions = _sessions(_PERSON)
        items = [
            dict(r)
            for r in await connection.fetch(
                sessions + " AND s.kind IN ('group_session', 'interview') AND $6::text IS NULL",
                *filters,
                subject_id,
            )
        ]
        place = place_key(room) if room is not None else None
        items += await _positionings(connection, lower, upper, subject_id, partner_id, place)
        if partner_id is None and facilitator is None and room is None:
            items += await _weekly(connection, lower, upper, subject_id)
        items.sort(key=lambda i: (i["starts_at"], i["item_id"]))
    _add_participants(items)
    return items


def _sessions(source: str) -> str:
    return _SESSIONS.format(sessions=source, interview_title=INTERVIEW_TITLE)


async def _positionings(
    connection: asyncpg.Connection,
    lower: datetime,
    upper: datetime,
    subject_id: str,
    partner_id: str | None,
    room: str | None,
) -> list[dict[str, Any]]:
    rows = await connection.fetch(
        """SELECT 'ipro/positioning:' || p.positioning_id AS item_id, 'positioning' AS kind,
                  p.action_id AS source_id, p.session_id, coalesce(nullif(p.title, ''), a.title, '') AS title,
                  p.place, lower(p.during) AS starts_at, upper(p.during) AS ends_at, NOT p.active AS cancelled,
                  a.partner_id, c.establishment
           FROM schedule_positionings p
           LEFT JOIN schedule_actions a ON a.action_id = p.action_id
           LEFT JOIN schedule_calls c ON c.call_id = a.call_id
           WHERE p.subject_id = $3 AND p.during && tstzrange($1, $2) AND p.active
             AND ($4::text IS NULL OR a.partner_id = $4)
             AND ($5::text IS NULL OR lower(trim(p.place)) = $5)""",
        lower,
        upper,
        subject_id,
        partner_id,
        room,
    )
    return [_blank(dict(r)) for r in rows]


async def _weekly(
    connection: asyncpg.Connection, lower: datetime, upper: datetime, subject_id: str
) -> list[dict[str, Any]]:
    rows = await connection.fetch(
        """SELECT item_id, kind, source_id, subject_id, title, place, first_day, last_day, slots, since
           FROM schedule_recurring
           WHERE subject_id = $1 AND first_day <= ($3::timestamptz AT TIME ZONE 'Europe/Paris')::date
             AND coalesce(last_day, 'infinity'::date) >= ($2::timestamptz AT TIME ZONE 'Europe/Paris')::date - 1""",
        subject_id,
        lower,
        upper,
    )
    items = []
    for row in rows:
        for occurrence in weekly_of(row).between(lower, upper):
            items.append(
                _blank(
                    {
                        "item_id": occurrence.item_id,
                        "kind": row["kind"],
                        "source_id": row["source_id"],
                        "title": row["title"],
                        "place": row["place"],
                        "starts_at": occurrence.starts_at,
                        "ends_at": occurrence.ends_at,
                        "cancelled": False,
                    }
                )
            )
    return items


def _blank(item: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "session_id": None,
        "number": None,
        "review": False,
        "catch_up": False,
        "establishment": None,
        "seats": None,
        "partner_id": None,
    }
    return {**defaults, **item}


def _add_participants(items: list[dict[str, Any]]) -> None:
    """Who sits in each session (a group's members, a partner session's positionings, read with it: `_SESSIONS`),
    by subject id, with the name `person_identities` holds; the seats taken and the fill rate."""
    for item in items:
        if item["kind"] not in ("group_session", "action_session", "interview"):
            item.update(participants=None, taken=None, fill_rate=None)
            continue
        people = [
            {"subject_id": subject_id, "last_name": last_name, "first_names": first_names}
            for subject_id, last_name, first_names in item["participants"] or []
        ]
        seats = item["seats"]
        item.update(
            participants=people, taken=len(people), fill_rate=round(len(people) / seats, 4) if seats else None
        )


@dataclass(frozen=True)
class Followed:
    """Who follows a person, as their file says (`person_file.access`): their case's referent and
    establishment now (its opening, transfers, assignments), the contributors asked on their assessments."""

    referent: str | None = None
    establishment: str | None = None
    contributors: frozenset[str] = frozenset()


# The person file's events that say who follows a person: those of their assessment streams (their case, and
# what a case links: an assessment is read before its case may be, so it is linked rather than owned). The
# schedule reads the person file's tables here as it reads its identities: both are views of this database
# (ADR 16), and a person unknown to the file yet is followed by nobody.
_FOLLOWING = """
    WITH own AS (SELECT subject_id, stream FROM person_file_owners
                 WHERE subject_id = ANY($1::text[]) AND stream LIKE 'assessment/%'),
         streams AS (SELECT subject_id, stream FROM own
                     UNION
                     SELECT o.subject_id, l.stream FROM own o JOIN person_file_links l ON l.via = o.stream
                     WHERE l.stream LIKE 'assessment/%')
    SELECT s.subject_id, e.event_type, e.payload->>'case_id' AS case_id,
           e.payload->>'establishment' AS establishment, e.payload->>'referent' AS referent,
           e.payload->>'contributor' AS contributor
    FROM streams s JOIN person_file_events e ON e.stream = s.stream
    WHERE e.event_type IN ('assessment.case.opened', 'assessment.case.transferred',
                           'assessment.case.referent_assigned', 'assessment.assessment.contribution_requested')
    ORDER BY s.subject_id, e.occurred_at, e.service, e.position"""


async def followed(connection: asyncpg.Connection, subject_ids: Iterable[str]) -> dict[str, Followed]:
    """Who follows each of these people (one statement, whatever their number); absent: nobody known."""
    rows = await connection.fetch(_FOLLOWING, sorted(set(subject_ids)))
    cases: dict[str, dict[str, dict[str, str | None]]] = {}
    latest: dict[str, str] = {}
    asked: dict[str, set[str]] = {}
    for row in rows:
        person, kind = row["subject_id"], row["event_type"]
        if kind == "assessment.assessment.contribution_requested":
            asked.setdefault(person, set()).add(row["contributor"])
            continue
        case = cases.setdefault(person, {}).setdefault(
            row["case_id"], {"referent": None, "establishment": None}
        )
        if kind == "assessment.case.opened":
            latest[person] = row["case_id"]  # the file's case is the latest opened
            case["establishment"] = row["establishment"]
        elif kind == "assessment.case.transferred":
            case["establishment"] = row["establishment"]
        else:
            case["referent"] = row["referent"]
    return {
        person: Followed(
            referent=(case := cases.get(person, {}).get(latest.get(person), {})).get("referent"),
            establishment=case.get("establishment"),
            contributors=frozenset(asked.get(person, ())),
        )
        for person in cases.keys() | asked.keys()
    }


async def conflicts(
    connection: asyncpg.Connection,
    *,
    lower: datetime,
    upper: datetime,
    establishment: str | None = None,
    subject_id: str | None = None,
    establishments: list[str] | None = None,
    facilitator: str | None = None,
) -> list[dict[str, Any]]:
    """The conflicts overlapping [lower, upper), open and resolved, soonest first, of `establishments` only
    (None: of all). A person's conflicts are their establishment's (from their IPRO pathway), a room's or a
    facilitator's (`facilitator`: a digest) their sessions'."""
    rows = await connection.fetch(
        CONFLICT_ROWS
        + """
           WHERE c.during && tstzrange($1, $2)
             AND ($3::text IS NULL OR coalesce(pe.establishment, se.establishment) = $3)
             AND ($4::text IS NULL OR c.subject_id = $4)
             AND ($5::text[] IS NULL OR coalesce(pe.establishment, se.establishment) = ANY($5))
             AND ($6::text IS NULL OR c.facilitator_key = $6)
           ORDER BY lower(c.during), c.conflict_id""",
        lower,
        upper,
        establishment,
        subject_id,
        establishments,
        facilitator,
    )
    return [dict(r) for r in rows]
