"""Reading the indicators' facts for a range of months: the stays at the establishments asked (and the other
stays of their people, for a first activity after a transfer), those people's activities and places on
partner actions, and the programme participations that ended there. By index: one site's people, never
every site's."""

from __future__ import annotations

from datetime import date

import asyncpg

from projections.indicators.compute import Activity, Booking, Facts, Participation, Stay


async def facts(
    connection: asyncpg.Connection,
    *,
    first: date,
    last: date,
    establishment: str | None,
    establishments: list[str] | None,
) -> Facts:
    """The facts of [first, last] at `establishment` (None: every one) within `establishments` (a token's
    perimeter, ADR 26; None: no limit)."""
    people = await connection.fetch(
        """SELECT DISTINCT subject_id, establishment FROM indicator_stays
           WHERE ($3::text IS NULL OR establishment = $3) AND ($4::text[] IS NULL OR establishment = ANY($4))
             AND first_day <= $2 AND coalesce(last_day, 'infinity'::date) >= $1::date - 1""",
        first,
        last,
        establishment,
        establishments,
    )
    subjects = sorted({r["subject_id"] for r in people})
    stays = await connection.fetch(
        """SELECT s.case_id, s.subject_id, s.establishment, s.first_day, s.last_day, s.admitted_on, s.ended_by,
                  s.expected_end_date,
                  (SELECT p.exit_situation FROM indicator_pathways p WHERE p.case_id = s.case_id
                   ORDER BY p.exit_situation NULLS LAST, p.pathway_id LIMIT 1) AS exit_situation
           FROM indicator_stays s WHERE s.subject_id = ANY($1::text[])""",
        subjects,
    )
    activities = await connection.fetch(
        """SELECT subject_id, first_day, last_day FROM indicator_activities
           WHERE subject_id = ANY($1::text[]) AND first_day <= $2""",
        subjects,
        last,
    )
    bookings = await connection.fetch(
        """SELECT subject_id, proposed_on, session_day, status, ended_on, outcome FROM indicator_positionings
           WHERE subject_id = ANY($1::text[]) AND proposed_on <= $2""",
        subjects,
        last,
    )
    participations = await connection.fetch(
        """SELECT establishment, enrolled, ended_on, outcome FROM indicator_participations
           WHERE ended_on BETWEEN $1 AND $2
             AND ($3::text IS NULL OR establishment = $3) AND ($4::text[] IS NULL OR establishment = ANY($4))""",
        first,
        last,
        establishment,
        establishments,
    )
    # Other sites' stays of these people serve their first activity only: they are not shown.
    shown = {r["establishment"] for r in people} | {r["establishment"] for r in participations}
    return Facts(
        stays=[Stay(**dict(r)) for r in stays],
        activities=[Activity(**dict(r)) for r in activities],
        bookings=[Booking(**dict(r)) for r in bookings],
        participations=[Participation(**dict(r)) for r in participations],
        shown=frozenset(shown),
    )
