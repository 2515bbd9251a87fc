"""Lists and reports served from the inline read tables and the replicas."""

from __future__ import annotations

from datetime import date

import asyncpg

from kernel.eventstore import COLUMNS
from kernel.pages import Listed, one_site, page

# Whoever holds a signed contract that has not ended is at work (suspended included: still employed).
_AT_WORK = (
    "EXISTS (SELECT 1 FROM posts w WHERE w.subject_id = c.subject_id"
    " AND w.contract_status IN ('active', 'suspended'))"
)
_IN_TRAINING = (
    "EXISTS (SELECT 1 FROM trainings t WHERE t.subject_id = c.subject_id AND t.status = 'in_progress')"
)
_ACTIVE_STEP = """EXISTS (SELECT 1 FROM pathways p WHERE p.case_id = c.case_id AND p.closed_on IS NULL
                          AND (p.active_goals > 0 OR EXISTS (
                              SELECT 1 FROM positionings o WHERE o.pathway_id = p.pathway_id
                                AND o.status IN ('proposed', 'confirmed'))))"""


async def pathways(
    connection: asyncpg.Connection,
    *,
    adviser: str | None,
    establishment: str | None,
    referent: str | None,
    include_closed: bool,
    establishments: list[str] | None,
    limit: int,
    after: str | None,
) -> Listed:
    """`establishments`: the caller's perimeter, whatever `establishment` they ask for (None: no limit)."""
    site, sites = one_site(establishments)  # most callers' perimeter is one site
    return await page(
        connection,
        """SELECT p.* FROM pathways p LEFT JOIN followed_cases c USING (case_id)
           WHERE ($1::text IS NULL OR p.adviser = $1) AND ($2::text IS NULL OR lower(p.establishment) = lower($2))
             AND ($3::text IS NULL OR c.referent = $3) AND ($4 OR p.closed_on IS NULL)
             AND ($5::text IS NULL OR p.establishment = $5)
             AND ($6::text[] IS NULL OR p.establishment = ANY($6))""",
        adviser,
        establishment,
        referent,
        include_closed,
        site,
        sites,
        order=("opened_on", "pathway_id"),
        limit=limit,
        after=after,
    )


async def history(connection: asyncpg.Connection, pathway_id: str) -> list[asyncpg.Record]:
    """The events of the pathway and of what it owns (its work file, trainings, positionings), in order: not
    the person's other custody periods."""
    return await connection.fetch(
        f"""SELECT {COLUMNS} FROM events
           WHERE stream_id = $1 OR stream_id = 'work-' || $1
              OR stream_id IN (SELECT training_id FROM trainings WHERE pathway_id = $1)
              OR stream_id IN (SELECT positioning_id FROM positionings WHERE pathway_id = $1)
           ORDER BY position""",
        pathway_id,
    )


async def caseload(
    connection: asyncpg.Connection,
    *,
    adviser: str | None,
    establishments: list[str] | None,
    today: date,
    window_months: int,
    limit: int,
    after: str | None,
) -> Listed:
    """Open pathways with what is due: the initial synthesis (overdue or not), leaves awaiting the governor,
    France Travail registration once release is within the window. Overdue syntheses first, then by due date:
    the first key depends on today, so no index holds this order; the rows sorted are the caller's open
    pathways (an adviser's, a site's), read by `pathways_by_adviser` or `pathways_by_establishment`."""
    return await page(
        connection,
        """SELECT p.pathway_id, p.subject_id, p.adviser, p.establishment, c.last_name, c.first_names,
                   CASE WHEN NOT p.synthesis_written THEN p.synthesis_due_on END AS synthesis_due_on,
                   (NOT p.synthesis_written AND p.synthesis_due_on < $2) AS synthesis_overdue,
                   p.synthesis_due_on AS sort_due_on, p.pending_leaves,
                   (p.france_travail_on IS NULL AND least(c.expected_end_date, c.conditional_release_date)
                        <= ($2 + make_interval(months => $3))::date) AS france_travail_due,
                   least(c.expected_end_date, c.conditional_release_date) AS next_exit_date
            FROM pathways p JOIN followed_cases c USING (case_id)
            WHERE p.closed_on IS NULL AND ($1::text IS NULL OR p.adviser = $1)
              AND ($4::text[] IS NULL OR p.establishment = ANY($4))""",
        adviser,
        today,
        window_months,
        establishments,
        order=("synthesis_overdue DESC", "sort_due_on", "pathway_id"),
        limit=limit,
        after=after,
    )


async def waiting_lists(
    connection: asyncpg.Connection,
    regime: str | None,
    *,
    adviser: str | None,
    establishments: list[str] | None,
) -> list[asyncpg.Record]:
    """Per regime, the people classed for it without a post, by request date."""
    # The rank is everyone's: an adviser sees where their people stand in the whole list.
    return await connection.fetch(
        """SELECT * FROM (
               SELECT r.regime, w.work_id, w.pathway_id, w.subject_id, w.requested_on, c.last_name, c.first_names,
                      p.adviser, p.establishment,
                      row_number() OVER (PARTITION BY r.regime ORDER BY w.requested_on, w.work_id) AS rank
               FROM work_files w CROSS JOIN unnest(w.regimes) AS r(regime)
               JOIN pathways p USING (pathway_id) JOIN followed_cases c ON c.case_id = p.case_id
               WHERE w.classement = 'granted' AND NOT w.has_post AND p.closed_on IS NULL
                 AND ($1::text IS NULL OR r.regime = $1)) AS waiting
           WHERE ($2::text IS NULL OR adviser = $2) AND ($3::text[] IS NULL OR establishment = ANY($3))
           ORDER BY regime, rank""",
        regime,
        adviser,
        establishments,
    )


async def posts(
    connection: asyncpg.Connection,
    workshop: str | None,
    *,
    adviser: str | None,
    establishments: list[str] | None,
) -> list[asyncpg.Record]:
    """Who works where: the current posts, by workshop."""
    return await connection.fetch(
        """SELECT w.workshop, w.post, w.employer, w.regime, w.affectation_id, w.contract_status, w.starts_on,
                  w.subject_id, c.last_name, c.first_names
           FROM posts w JOIN work_files f USING (work_id) JOIN pathways p USING (pathway_id)
           JOIN followed_cases c ON c.case_id = p.case_id
           WHERE NOT w.ended AND p.closed_on IS NULL AND ($1::text IS NULL OR lower(w.workshop) = lower($1))
             AND ($2::text IS NULL OR p.adviser = $2) AND ($3::text[] IS NULL OR p.establishment = ANY($3))
           ORDER BY w.workshop, w.post, c.last_name""",
        workshop,
        adviser,
        establishments,
    )


async def positionings(
    connection: asyncpg.Connection,
    *,
    action_id: str | None,
    session_id: str | None,
    partner_id: str | None,
    adviser: str | None,
    establishments: list[str] | None,
    limit: int,
    after: str | None,
) -> Listed:
    """By session, then by the person's name. The name the list sorts on is read by a subquery of the
    positioning alone, not from the join: the page's bound after a cursor is then a range of a session index
    (from the cursor's session on), where a key of the join would be checked on every row before it."""
    return await page(
        connection,
        """SELECT o.*, c.last_name, c.first_names,
                  (SELECT c2.last_name FROM pathways p2 JOIN followed_cases c2 USING (case_id)
                   WHERE p2.pathway_id = o.pathway_id) AS sort_name
           FROM positionings o JOIN pathways p USING (pathway_id) JOIN followed_cases c ON c.case_id = p.case_id
           WHERE ($1::text IS NULL OR o.action_id = $1) AND ($2::text IS NULL OR o.session_id = $2)
             AND ($3::text IS NULL OR o.partner_id = $3) AND ($4::text IS NULL OR p.adviser = $4)
             AND ($5::text[] IS NULL OR p.establishment = ANY($5))""",
        action_id,
        session_id,
        partner_id,
        adviser,
        establishments,
        order=("session_id", "sort_name", "positioning_id"),
        limit=limit,
        after=after,
    )


async def inserre_indicator(
    connection: asyncpg.Connection, establishments: list[str] | None
) -> list[asyncpg.Record]:
    """Per establishment of `establishments` (None: every one), the share of current residents in work, in
    training or in an active pathway step."""
    return await connection.fetch(
        f"""SELECT c.establishment, count(*) AS residents,
                   count(*) FILTER (WHERE {_AT_WORK}) AS in_work,
                   count(*) FILTER (WHERE {_IN_TRAINING}) AS in_training,
                   count(*) FILTER (WHERE {_ACTIVE_STEP}) AS in_active_step,
                   count(*) FILTER (WHERE {_AT_WORK} OR {_IN_TRAINING} OR {_ACTIVE_STEP}) AS covered
            FROM followed_cases c WHERE c.closed_on IS NULL AND ($1::text[] IS NULL OR c.establishment = ANY($1))
            GROUP BY c.establishment ORDER BY c.establishment""",
        establishments,
    )
