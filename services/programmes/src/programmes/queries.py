"""Reads of the inline read tables: the lists, a person's participation, the people of a register. What
the caller may see (`access.scope`) is part of each query: sensitive groups and referrals are left out for
anyone but a DPIP, a partner's lists are limited to what it facilitates and a CPIP's referrals to their
caseload, never filtered after the fact, so that totals count only what the caller sees."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

import asyncpg

from contracts.programmes import MAX_SESSION_MINUTES
from kernel.auth import Principal
from kernel.pages import Listed, one_site, page
from programmes import access


async def programmes(
    connection: asyncpg.Connection,
    *,
    kind: str | None,
    include_withdrawn: bool,
    include_sensitive: bool,
    limit: int,
    after: str | None,
) -> Listed:
    """`include_sensitive`: whether the caller knows of sensitive (ESPACE-like) programmes at all. The
    catalogue holds a few dozen entries: ordering all of them is cheap, no index needed."""
    return await page(
        connection,
        """SELECT * FROM programmes
           WHERE ($1::text IS NULL OR kind = $1) AND ($2 OR NOT withdrawn) AND ($3 OR NOT sensitive)""",
        kind,
        include_withdrawn,
        include_sensitive,
        order=("kind DESC", "code"),
        limit=limit,
        after=after,
    )


async def groups(
    connection: asyncpg.Connection,
    principal: Principal,
    *,
    programme_id: str | None,
    status: str | None,
    establishment: str | None,
    limit: int,
    after: str | None,
) -> Listed:
    scope = access.scope(principal)
    site, sites = one_site(scope.establishments)
    return await page(
        connection,
        """SELECT *, round(participants::numeric / capacity, 3)::float AS fill_rate
           FROM groups
           WHERE ($1::text IS NULL OR programme_id = $1) AND ($2::text IS NULL OR status = $2)
             AND ($3::text IS NULL OR lower(establishment) = lower($3)) AND ($4 OR NOT sensitive)
             AND ($5::text IS NULL OR $5 = ANY(partner_organisations))
             AND ($6::text[] IS NULL OR establishment = ANY($6))
             AND ($7::text IS NULL OR establishment = $7)""",
        programme_id,
        status,
        establishment,
        scope.include_sensitive,
        scope.partner_organisation,
        sites,
        site,
        order=("start_date", "group_id"),
        limit=limit,
        after=after,
    )


async def referrals(
    connection: asyncpg.Connection,
    principal: Principal,
    *,
    case_id: str | None,
    subject_id: str | None,
    programme_id: str | None,
    group_id: str | None,
    status: str | None,
    limit: int,
    after: str | None,
) -> Listed:
    scope = access.scope(principal)
    return await page(
        connection,
        """SELECT r.*
           FROM referrals r LEFT JOIN followed_cases c USING (case_id)
           WHERE ($1::text IS NULL OR r.case_id = $1) AND ($2::text IS NULL OR r.subject_id = $2)
             AND ($3::text IS NULL OR r.programme_id = $3) AND ($4::text IS NULL OR r.group_id = $4)
             AND ($5::text IS NULL OR r.status = $5) AND ($6::text IS NULL OR c.referent = $6)
             AND ($7 OR NOT r.sensitive)
             AND ($8::text[] IS NULL OR coalesce(c.establishment, r.establishment) = ANY($8))""",
        case_id,
        subject_id,
        programme_id,
        group_id,
        status,
        scope.referent,
        scope.include_sensitive,
        scope.establishments,
        order=("referred_on", "referral_id"),
        limit=limit,
        after=after,
    )


async def referrals_of_person(
    connection: asyncpg.Connection, principal: Principal, subject_id: str
) -> tuple[list[asyncpg.Record], str | None]:
    """The person's referrals with their attendance (those of the caller's establishments: the person's
    establishment now), and the referent CPIP of their latest case."""
    scope = access.scope(principal)
    rows = await connection.fetch(
        """SELECT r.referral_id, r.programme_id, r.group_id, r.status, r.sessions_attended, r.sessions_counted
           FROM referrals r LEFT JOIN followed_cases c USING (case_id)
           WHERE r.subject_id = $1 AND ($2 OR NOT r.sensitive)
             AND ($3::text[] IS NULL OR coalesce(c.establishment, r.establishment) = ANY($3))
           ORDER BY r.referred_on, r.referral_id""",
        subject_id,
        scope.include_sensitive,
        scope.establishments,
    )
    referent = await connection.fetchval(
        "SELECT referent FROM followed_cases WHERE subject_id = $1 ORDER BY closed_on DESC NULLS FIRST LIMIT 1",
        subject_id,
    )
    return rows, referent


# A session that overlaps a period starts less than the longest session before it.
LONGEST_SESSION = timedelta(minutes=MAX_SESSION_MINUTES)


async def sessions(
    connection: asyncpg.Connection,
    principal: Principal,
    *,
    starts: datetime,
    ends: datetime,
    establishment: str | None,
    room: str | None,
    facilitator: str | None,
    limit: int,
    after: str | None,
) -> Listed:
    """`facilitator`: the one asked for; a partner sees only the sessions of the groups naming its
    organisation. The bounds on a session's start follow from its overlap with the period: they are where
    a walk of the index in the list's order starts and stops."""
    scope = access.scope(principal)
    site, sites = one_site(scope.establishments)
    return await page(
        connection,
        """SELECT s.session_id, s.group_id, g.programme_id, p.code AS programme_code, s.number, s.establishment,
                  s.room, g.facilitators, lower(s.during) AS starts_at, upper(s.during) AS ends_at, s.held
           FROM group_sessions s JOIN groups g USING (group_id) JOIN programmes p USING (programme_id)
           WHERE s.during && tstzrange($1, $2) AND ($3::text IS NULL OR lower(s.establishment) = lower($3))
             AND ($4::text IS NULL OR lower(s.room) = lower($4))
             AND ($5::text IS NULL OR lower(trim($5)) = ANY(SELECT lower(trim(f)) FROM unnest(g.facilitators) f))
             AND ($6 OR NOT g.sensitive) AND ($7::text[] IS NULL OR s.establishment = ANY($7))
             AND ($8::text IS NULL OR $8 = ANY(g.partner_organisations))
             AND ($9::text IS NULL OR s.establishment = $9)
             AND lower(s.during) > $10 AND lower(s.during) < $2""",
        starts,
        ends,
        establishment,
        room,
        facilitator,
        scope.include_sensitive,
        sites,
        scope.partner_organisation,
        site,
        starts - LONGEST_SESSION,
        order=("starts_at", "room", "session_id"),
        limit=limit,
        after=after,
    )


async def register_people(
    connection: asyncpg.Connection, referral_ids: Collection[str]
) -> dict[str, asyncpg.Record]:
    """Who the participants of a register are, by referral id, from the replica of their case."""
    return {
        r["referral_id"]: r
        for r in await connection.fetch(
            """SELECT r.referral_id, c.last_name, c.first_names, c.ecrou_number
           FROM referrals r JOIN followed_cases c USING (case_id) WHERE r.referral_id = ANY($1::text[])""",
            list(referral_ids),
        )
    }


async def groups_with_a_free_seat_and_people_waiting(connection: asyncpg.Connection) -> list[str]:
    return [
        r["group_id"]
        for r in await connection.fetch(
            """SELECT group_id FROM groups
           WHERE waiting > 0 AND participants < capacity AND status IN ('open', 'started')
           ORDER BY group_id"""
        )
    ]
