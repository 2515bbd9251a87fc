"""Lists served from the inline read tables. A partner's lists are filtered to its organisation by the
caller (`only_partner`), never after the fact."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from contracts.partners import ACCREDITATION_ALERT_DAYS
from kernel.pages import Listed, page


async def calls(
    connection: asyncpg.Connection,
    *,
    today: date,
    status: str | None,
    hide_drafts: bool,
    limit: int,
    after: str | None,
) -> Listed:
    where = "($2::text IS NULL OR status = $2) AND (NOT $3 OR status <> 'draft')"
    # Open calls first (published and within their dates), soonest closing first; then the others, latest
    # closing first. Calls are a few a year: ordering all of them is cheap.
    open_ = "(status = 'published' AND opens_on <= $1 AND closes_on >= $1)"
    return await page(
        connection,
        f"""SELECT *, {open_} AS open, CASE WHEN {open_} THEN closes_on - $1 ELSE 0 END AS days_left
            FROM calls WHERE {where}""",
        today,
        status,
        hide_drafts,
        order=("open DESC", "days_left", "closes_on DESC", "call_id"),
        limit=limit,
        after=after,
    )


async def organisations(
    connection: asyncpg.Connection,
    *,
    today: date,
    accreditation: str | None,
    expiring_soon: bool | None,
    only_partner: str | None,
    limit: int,
    after: str | None,
) -> Listed:
    status = """CASE WHEN withdrawn THEN 'withdrawn' WHEN suspended THEN 'suspended'
                     WHEN accredited_until IS NULL THEN 'none'
                     WHEN accredited_until >= $1 THEN 'accredited' ELSE 'expired' END"""
    # `contracts.partners.accreditation_expires_soon`, in SQL.
    expiring = f"({status} = 'accredited' AND accredited_until < $1 + {ACCREDITATION_ALERT_DAYS})"
    return await page(
        connection,
        f"""SELECT *, lower(name) AS sort_name, {status} AS accreditation, {expiring} AS expiry_alert
            FROM organisations
            WHERE ($2::text IS NULL OR {status} = $2) AND ($3::boolean IS NULL OR {expiring} = $3)
              AND ($4::text IS NULL OR partner_id = $4)""",
        today,
        accreditation,
        expiring_soon,
        only_partner,
        order=("sort_name", "partner_id"),  # by name, as the index: `expiring_soon=true` lists the alerts
        limit=limit,
        after=after,
    )


async def proposals(
    connection: asyncpg.Connection,
    *,
    call_id: str | None,
    status: str | None,
    partner_id: str | None,
    limit: int,
    after: str | None,
) -> Listed:
    return await page(
        connection,
        """SELECT *, lower(title) AS sort_title FROM proposals
           WHERE ($1::text IS NULL OR call_id = $1) AND ($2::text IS NULL OR status = $2)
             AND ($3::text IS NULL OR partner_id = $3)""",
        call_id,
        status,
        partner_id,
        order=("call_id", "sort_title", "proposal_id"),
        limit=limit,
        after=after,
    )


async def catalogue(
    connection: asyncpg.Connection,
    *,
    action_type: str | None,
    theme: str | None,
    starts_from,
    starts_until,
    min_seats_left: int | None,
    only_partner: str | None,
    now: datetime,
    limit: int,
    after: str | None,
) -> Listed:
    """Published, open actions, with their coming sessions in the date range (and seats left, if asked)."""
    return await page(
        connection,
        """WITH sessions AS (
               SELECT s.action_id, s.session_id, lower(s.during) AS starts_at, upper(s.during) AS ends_at, s.place,
                      a.capacity_max - s.booked AS seats_left
               FROM action_sessions s JOIN actions a USING (action_id)
               WHERE NOT s.cancelled AND NOT s.reported AND lower(s.during) >= $7
                 AND ($3::timestamptz IS NULL OR lower(s.during) >= $3)
                 AND ($4::timestamptz IS NULL OR lower(s.during) < $4)
                 AND ($5::integer IS NULL OR a.capacity_max - s.booked >= $5))
           SELECT a.*, min(s.starts_at) AS first_starts_at,
                  jsonb_agg(to_jsonb(s) - 'action_id' ORDER BY s.starts_at) AS sessions
           FROM actions a JOIN sessions s USING (action_id)
           WHERE a.published AND NOT a.closed
             AND ($1::text IS NULL OR a.action_type = $1) AND ($2::text IS NULL OR lower(a.theme) = lower($2))
             AND ($6::text IS NULL OR a.partner_id = $6)
           GROUP BY a.action_id""",
        action_type,
        theme,
        starts_from,
        starts_until,
        min_seats_left,
        only_partner,
        now,
        order=("first_starts_at", "action_id"),
        limit=limit,
        after=after,
    )
