"""Lists served from the inline read tables. Sensitive groups and referrals are left out by the query for
anyone but a DPIP, and a partner's lists are limited to what it facilitates, never filtered after the fact."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg
from pydantic import BaseModel

from contracts.programmes import CompletionCertificateIssued
from kernel.database import page
from kernel.eventstore import EventStore


class Certificate(BaseModel):
    certificate_id: str
    referral_id: str
    subject_id: str
    programme_code: str
    programme_name: str
    group_id: str
    establishment: str
    start_date: date
    end_date: date
    sessions_attended: int
    issued_on: date


async def programmes(connection: asyncpg.Connection, *, kind, include_withdrawn: bool, limit: int, offset: int):
    return await page(
        connection,
        """SELECT *, count(*) OVER () AS total FROM programmes
           WHERE ($1::text IS NULL OR kind = $1) AND ($2 OR NOT withdrawn)
           ORDER BY kind DESC, code""",
        kind and kind.value, include_withdrawn, limit=limit, offset=offset,
    )


async def groups(connection: asyncpg.Connection, *, programme_id: str | None, status: str | None,
                 establishment: str | None, include_sensitive: bool, facilitator: str | None, limit: int, offset: int):
    return await page(
        connection,
        """SELECT *, round(participants::numeric / capacity, 3)::float AS fill_rate, count(*) OVER () AS total
           FROM groups
           WHERE ($1::text IS NULL OR programme_id = $1) AND ($2::text IS NULL OR status = $2)
             AND ($3::text IS NULL OR lower(establishment) = lower($3)) AND ($4 OR NOT sensitive)
             AND ($5::text IS NULL OR lower($5) = ANY(SELECT lower(trim(f)) FROM unnest(facilitators) f))
           ORDER BY start_date, group_id""",
        programme_id, status, establishment, include_sensitive, facilitator, limit=limit, offset=offset,
    )


async def referrals(connection: asyncpg.Connection, *, case_id, subject_id, programme_id, group_id, status,
                    referent: str | None, include_sensitive: bool, limit: int, offset: int):
    return await page(
        connection,
        """SELECT r.referral_id, count(*) OVER () AS total
           FROM referrals r LEFT JOIN followed_cases c USING (case_id)
           WHERE ($1::text IS NULL OR r.case_id = $1) AND ($2::text IS NULL OR r.subject_id = $2)
             AND ($3::text IS NULL OR r.programme_id = $3) AND ($4::text IS NULL OR r.group_id = $4)
             AND ($5::text IS NULL OR r.status = $5) AND ($6::text IS NULL OR c.referent = $6)
             AND ($7 OR NOT r.sensitive)
           ORDER BY r.referred_on, r.referral_id""",
        case_id, subject_id, programme_id, group_id, status, referent, include_sensitive,
        limit=limit, offset=offset,
    )


async def referrals_of_person(connection: asyncpg.Connection, subject_id: str, *, include_sensitive: bool
                              ) -> tuple[list[asyncpg.Record], str | None]:
    """The person's referrals, and the referent CPIP of their latest case."""
    rows = await connection.fetch(
        """SELECT referral_id FROM referrals WHERE subject_id = $1 AND ($2 OR NOT sensitive)
           ORDER BY referred_on, referral_id""",
        subject_id, include_sensitive,
    )
    referent = await connection.fetchval(
        "SELECT referent FROM followed_cases WHERE subject_id = $1 ORDER BY closed_on DESC NULLS FIRST LIMIT 1",
        subject_id,
    )
    return rows, referent


async def sessions(connection: asyncpg.Connection, *, starts: datetime, ends: datetime, establishment: str | None,
                   room: str | None, facilitator: str | None, include_sensitive: bool, limit: int, offset: int):
    return await page(
        connection,
        """SELECT s.session_id, s.group_id, g.programme_id, p.code AS programme_code, s.number, s.establishment,
                  s.room, g.facilitators, s.during, s.held, count(*) OVER () AS total
           FROM group_sessions s JOIN groups g USING (group_id) JOIN programmes p USING (programme_id)
           WHERE s.during && tstzrange($1, $2) AND ($3::text IS NULL OR lower(s.establishment) = lower($3))
             AND ($4::text IS NULL OR lower(s.room) = lower($4))
             AND ($5::text IS NULL OR lower($5) = ANY(SELECT lower(trim(f)) FROM unnest(g.facilitators) f))
             AND ($6 OR NOT g.sensitive)
           ORDER BY lower(s.during), s.room, s.session_id""",
        starts, ends, establishment, room, facilitator, include_sensitive, limit=limit, offset=offset,
    )


async def certificate(store: EventStore, referral_id: str) -> Certificate | None:
    for envelope in reversed(await store.read_stream(referral_id)):
        if envelope.event_type == CompletionCertificateIssued.event_type:
            return Certificate(**envelope.payload)
    return None
