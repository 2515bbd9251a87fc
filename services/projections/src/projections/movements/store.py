"""Reading one establishment's day from the schedule's tables: each query goes by an index over the day or
the establishment (`schedule_sessions_during`, `schedule_sessions_establishment`, `schedule_positionings_during`,
`schedule_leaves_days`, `schedule_recurring_establishment`), never over the whole schedule. Names are joined from
`person_identities`, as the schedule does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg

from kernel.clock import start_of_day
from projections.schedule.store import INTERVIEW_TITLE

_NAMES = "i.last_name, i.first_names"

SESSIONS = f"""
    SELECT s.item_id, lower(s.during) AS starts_at, upper(s.during) AS ends_at, s.place,
           coalesce(p.code || ' – ' || p.name, g.programme_id) AS title, m.subject_id, {_NAMES}
    FROM schedule_sessions s
    JOIN schedule_groups g ON g.group_id = s.source_id
    LEFT JOIN schedule_programmes p ON p.programme_id = g.programme_id
    JOIN schedule_members m ON m.group_id = s.source_id AND m.active
    LEFT JOIN person_identities i ON i.subject_id = m.subject_id
    WHERE s.kind = 'group_session' AND NOT s.cancelled AND s.during && tstzrange($1, $2)
      AND g.establishment = $3"""

# An SPIP interview's person goes to the room it is held in, within the walls.
INTERVIEWS = f"""
    SELECT s.item_id, lower(s.during) AS starts_at, upper(s.during) AS ends_at, s.place,
           {INTERVIEW_TITLE} AS title, s.subject_id, {_NAMES}
    FROM schedule_sessions s
    LEFT JOIN person_identities i ON i.subject_id = s.subject_id
    WHERE s.kind = 'interview' AND NOT s.cancelled AND s.during && tstzrange($1, $2) AND s.establishment = $3"""

# A positioned person is their establishment's (their pathway's), else the action's call's.
POSITIONINGS = f"""
    SELECT 'ipro/positioning:' || p.positioning_id AS item_id, p.subject_id, {_NAMES},
           coalesce(nullif(p.title, ''), a.title, '') AS title, p.place, lower(p.during) AS starts_at,
           upper(p.during) AS ends_at, a.action_type
    FROM schedule_positionings p
    LEFT JOIN schedule_actions a ON a.action_id = p.action_id
    LEFT JOIN schedule_calls c ON c.call_id = a.call_id
    LEFT JOIN schedule_people pe ON pe.subject_id = p.subject_id
    LEFT JOIN person_identities i ON i.subject_id = p.subject_id
    WHERE p.active AND p.during && tstzrange($1, $2) AND coalesce(pe.establishment, c.establishment) = $3"""

WEEKLY = f"""
    SELECT r.item_id, r.kind, r.subject_id, r.title, r.place, r.first_day, r.last_day, r.slots, r.since, {_NAMES}
    FROM schedule_recurring r
    LEFT JOIN person_identities i ON i.subject_id = r.subject_id
    WHERE r.establishment = $1 AND coalesce(r.last_day, 'infinity'::date) >= $2 AND r.first_day <= $2"""

# A decision read before its request (two topics) has no days yet: it moves nobody.
LEAVES = f"""
    SELECT l.leave_id, l.subject_id, l.kind, l.first_day, l.last_day, l.purpose, {_NAMES}
    FROM schedule_leaves l
    JOIN schedule_people pe ON pe.subject_id = l.subject_id
    LEFT JOIN person_identities i ON i.subject_id = l.subject_id
    WHERE l.approved AND l.first_day IS NOT NULL AND daterange(l.first_day, l.last_day, '[]') @> $2::date
      AND pe.establishment = $1"""

PARTNER_SESSIONS = """
    SELECT s.item_id, a.partner_id, d.name AS organisation, a.title, a.action_type, lower(s.during) AS starts_at,
           upper(s.during) AS ends_at, s.place, s.facilitator_keys,
           (SELECT count(*) FROM schedule_positionings p
            WHERE p.active AND p.action_id = s.source_id AND p.session_id = s.session_id) AS participants
    FROM schedule_sessions s
    JOIN schedule_actions a ON a.action_id = s.source_id
    JOIN schedule_calls c ON c.call_id = a.call_id
    LEFT JOIN directory_partners d ON d.partner_id = a.partner_id
    WHERE s.kind = 'action_session' AND NOT s.cancelled AND s.during && tstzrange($1, $2)
      AND c.establishment = $3"""


@dataclass(frozen=True)
class DayRows:
    sessions: list[dict[str, Any]]
    interviews: list[dict[str, Any]]
    positionings: list[dict[str, Any]]
    weekly: list[dict[str, Any]]
    leaves: list[dict[str, Any]]
    partner_sessions: list[dict[str, Any]]


async def day_of(connection: asyncpg.Connection, day: date, establishment: str) -> DayRows:
    """What the schedule holds of `establishment` on the local `day`."""
    lower, upper = start_of_day(day), start_of_day(day + timedelta(days=1))  # the local day, as instants

    async def rows(query: str, *arguments: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in await connection.fetch(query, *arguments)]

    return DayRows(
        sessions=await rows(SESSIONS, lower, upper, establishment),
        interviews=await rows(INTERVIEWS, lower, upper, establishment),
        positionings=await rows(POSITIONINGS, lower, upper, establishment),
        weekly=await rows(WEEKLY, establishment, day),
        leaves=await rows(LEAVES, establishment, day),
        partner_sessions=await rows(PARTNER_SESSIONS, lower, upper, establishment),
    )
