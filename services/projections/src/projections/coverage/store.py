"""Reading one establishment's needs and offer from the coverage tables. Each query starts from the
establishment's index (its open cases, its groups, its calls) and reaches the rest by key: its cost is the
establishment's people and offer, never the whole view's."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from projections.coverage.compute import Need, Offer
from projections.coverage.themes import NeedSource, OfferSource

# The people followed now in the establishment (an open case there), and each of their current needs.
NEEDS = """
    WITH people AS (SELECT case_id, subject_id FROM coverage_cases WHERE establishment = $1 AND NOT closed),
         pathways AS (SELECT p.subject_id, w.pathway_id, w.readiness, w.education_level FROM people p
                      JOIN coverage_pathways w ON w.case_id = p.case_id AND NOT w.closed)
    SELECT p.subject_id, 'priority_axis' AS source, a.axes AS vals, false AS waiting
    FROM people p JOIN coverage_axes a ON a.case_id = p.case_id
    UNION ALL
    SELECT subject_id, 'readiness', ARRAY[readiness], false FROM pathways WHERE readiness IS NOT NULL
    UNION ALL
    SELECT subject_id, 'education', ARRAY[education_level], false FROM pathways WHERE education_level IS NOT NULL
    UNION ALL
    SELECT w.subject_id, 'goal', '{}', false FROM pathways w
    WHERE EXISTS (SELECT 1 FROM coverage_goals g WHERE g.pathway_id = w.pathway_id AND g.active)
    UNION ALL
    SELECT w.subject_id, 'work_waiting', k.regimes, true
    FROM pathways w JOIN coverage_work k ON k.pathway_id = w.pathway_id AND k.granted AND NOT k.has_post
    UNION ALL
    SELECT p.subject_id, 'programme_waiting', coalesce(pr.themes, '{}'), true
    FROM people p
    JOIN coverage_referrals r ON r.subject_id = p.subject_id AND r.status = 'waiting'
    JOIN coverage_groups g ON g.group_id = r.group_id
    LEFT JOIN coverage_programmes pr ON pr.programme_id = g.programme_id"""

# What runs in the window [$2, $3) (instants), or on its days $4 to $5 (trainings): a group with a session in
# it, each partner action session in it (of a published, open action of the establishment's calls), each
# training of one of its people.
OFFER = """
    SELECT 'group' AS source, g.group_id AS item_id, coalesce(pr.themes, '{}') AS vals, g.capacity AS seats,
           (SELECT count(*) FROM coverage_referrals r WHERE r.group_id = g.group_id AND r.status = 'enrolled')
               AS taken
    FROM coverage_groups g LEFT JOIN coverage_programmes pr ON pr.programme_id = g.programme_id
    WHERE g.establishment = $1
      AND EXISTS (SELECT 1 FROM coverage_group_sessions s
                  WHERE s.group_id = g.group_id AND NOT s.cancelled AND s.during && tstzrange($2, $3))
    UNION ALL
    SELECT 'action_session', s.action_id || '/' || s.session_id, ARRAY[a.action_type], a.capacity,
           (SELECT count(*) FROM coverage_positionings p
            WHERE p.action_id = s.action_id AND p.session_id = s.session_id AND p.holds_place)
    FROM coverage_calls c
    JOIN coverage_actions a ON a.call_id = c.call_id AND a.published AND NOT a.closed
    JOIN coverage_action_sessions s ON s.action_id = a.action_id AND NOT s.cancelled
    WHERE c.establishment = $1 AND s.during && tstzrange($2, $3)
    UNION ALL
    SELECT 'training', t.training_id, '{}', 1, 1
    FROM coverage_cases c
    JOIN coverage_pathways w ON w.case_id = c.case_id
    JOIN coverage_trainings t ON t.pathway_id = w.pathway_id
    WHERE c.establishment = $1 AND NOT c.closed AND t.first_day <= $5 AND t.last_day >= $4"""


async def needs(connection: asyncpg.Connection, establishment: str) -> list[Need]:
    rows = await connection.fetch(NEEDS, establishment)
    return [Need(r["subject_id"], NeedSource(r["source"]), tuple(r["vals"]), r["waiting"]) for r in rows]


async def offer(
    connection: asyncpg.Connection,
    establishment: str,
    *,
    lower: datetime,
    upper: datetime,
    first_day: date,
    last_day: date,
) -> list[Offer]:
    rows = await connection.fetch(OFFER, establishment, lower, upper, first_day, last_day)
    return [
        Offer(r["item_id"], OfferSource(r["source"]), tuple(r["vals"]), r["seats"], r["taken"]) for r in rows
    ]
