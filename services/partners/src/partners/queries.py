"""Lists served from the inline read tables. A partner's lists are filtered to its organisation by the
caller (`only_partner`), never after the fact."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from contracts.partners import ACCREDITATION_ALERT_DAYS
from kernel.database import page


async def calls(
    connection: asyncpg.Connection,
    *,
    today: date,
    status: str | None,
    hide_drafts: bool,
    limit: int,
    offset: int,
) -> tuple[int, list[asyncpg.Record]]:
    where = "($2::text IS NULL OR status = $2) AND (NOT $3 OR status <> 'draft')"
    # Open calls first (published and within their dates), soonest closing first; then the others.
    open_ = "(status = 'published' AND opens_on <= $1 AND closes_on >= $1)"
    return await page(
        connection,
        f"""SELECT *, {open_} AS open, count(*) OVER () AS total FROM calls WHERE {where}
            ORDER BY {open_} DESC, CASE WHEN {open_} THEN closes_on END, closes_on DESC, call_id""",
        today,
        status,
        hide_drafts,
        limit=limit,
        offset=offset,
    )


async def organisations(
    connection: asyncpg.Connection,
    *,
    today: date,
    accreditation: str | None,
    expiring_soon: bool | None,
    only_partner: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[asyncpg.Record]]:
    status = """CASE WHEN withdrawn THEN 'withdrawn' WHEN suspended THEN 'suspended'
                     WHEN accredited_until IS NULL THEN 'none'
                     WHEN accredited_until >= $1 THEN 'accredited' ELSE 'expired' END"""
    # `contracts.partners.accreditation_expires_soon`, in SQL.
    expiring = f"({status} = 'accredited' AND accredited_until < $1 + {ACCREDITATION_ALERT_DAYS})"
    return await page(
        connection,
        f"""SELECT *, {status} AS accreditation, {expiring} AS expiry_alert, count(*) OVER () AS total
            FROM organisations
            WHERE ($2::text IS NULL OR {status} = $2) AND ($3::boolean IS NULL OR {expiring} = $3)
              AND ($4::text IS NULL OR partner_id = $4)
            ORDER BY {expiring} DESC, lower(name), partner_id""",
        today,
        accreditation,
        expiring_soon,
        only_partner,
        limit=limit,
        offset=offset,
    )


async def proposals(
    connection: asyncpg.Connection,
    *,
    call_id: str | None,
    status: str | None,
    partner_id: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[asyncpg.Record]]:
    return await page(
        connection,
        """SELECT *, count(*) OVER () AS total FROM proposals
           WHERE ($1::text IS NULL OR call_id = $1) AND ($2::text IS NULL OR status = $2)
             AND ($3::text IS NULL OR partner_id = $3)
           ORDER BY call_id, lower(title), proposal_id""",
        call_id,
        status,
        partner_id,
        limit=limit,
        offset=offset,
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
    offset: int,
) -> tuple[int, list[asyncpg.Record]]:
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
           SELECT a.*, count(*) OVER () AS total,
                  jsonb_agg(to_jsonb(s) - 'action_id' ORDER BY s.starts_at) AS sessions
           FROM actions a JOIN sessions s USING (action_id)
           WHERE a.published AND NOT a.closed
             AND ($1::text IS NULL OR a.action_type = $1) AND ($2::text IS NULL OR lower(a.theme) = lower($2))
             AND ($6::text IS NULL OR a.partner_id = $6)
           GROUP BY a.action_id
           ORDER BY min(s.starts_at), a.action_id""",
        action_type,
        theme,
        starts_from,
        starts_until,
        min_seats_left,
        only_partner,
        now,
        limit=limit,
        offset=offset,
    )
