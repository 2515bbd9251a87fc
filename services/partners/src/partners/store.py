"""The service's inline read tables: each aggregate's latest state, written after its events in the same
transaction (see migration 0101). Lists and cross-aggregate checks read them; the events stay the truth."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from contracts.partners import SessionSlot
from partners.domain import errors
from partners.domain.action import Action
from partners.domain.call import Call
from partners.domain.partner import Partner
from partners.domain.proposal import Proposal


async def save_call(connection: asyncpg.Connection, state: Call, version: int) -> None:
    content = state.content
    await connection.execute(
        """INSERT INTO calls (call_id, status, title, theme, establishment, opens_on, closes_on, target_themes,
                              version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (call_id) DO UPDATE SET status = $2, title = $3, theme = $4, establishment = $5,
               opens_on = $6, closes_on = $7, target_themes = $8, version = $9""",
        state.call_id,
        state.status.value,
        content.title,
        content.theme,
        content.establishment,
        content.opens_on,
        content.closes_on,
        [t.value for t in content.target_themes],
        version,
    )


async def save_organisation(connection: asyncpg.Connection, state: Partner, version: int) -> None:
    try:
        await connection.execute(
            """INSERT INTO organisations (partner_id, name, siret, organisation_type, establishment,
                                          accredited_until, suspended, withdrawn, version)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (partner_id) DO UPDATE SET establishment = $5, accredited_until = $6, suspended = $7,
                   withdrawn = $8, version = $9""",
            state.partner_id,
            state.name,
            state.siret,
            state.organisation_type.value,
            state.establishment,
            state.accredited_until,
            state.suspended,
            state.withdrawn,
            version,
        )
    except asyncpg.UniqueViolationError:
        # One organisation per SIRET. The whole command rolls back with this error: no event is left behind.
        raise errors.SiretAlreadyRegistered(f"SIRET {state.siret} is already registered") from None


async def save_proposal(connection: asyncpg.Connection, state: Proposal, version: int) -> None:
    await connection.execute(
        """INSERT INTO proposals (proposal_id, call_id, partner_id, status, title, action_type, action_id, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (proposal_id) DO UPDATE SET status = $4, title = $5, action_type = $6, action_id = $7,
               version = $8""",
        state.proposal_id,
        state.call_id,
        state.partner_id,
        state.status.value,
        state.content.title,
        state.content.action_type.value,
        state.action_id,
        version,
    )


async def save_action(connection: asyncpg.Connection, state: Action, version: int) -> None:
    await connection.execute(
        """INSERT INTO actions (action_id, proposal_id, call_id, partner_id, title, action_type, theme,
                                capacity_max, published, closed, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (action_id) DO UPDATE SET published = $9, closed = $10, version = $11""",
        state.action_id,
        state.proposal_id,
        state.call_id,
        state.partner_id,
        state.title,
        state.action_type.value,
        state.theme,
        state.capacity_max,
        state.published,
        state.closed,
        version,
    )
    try:
        for session in state.sessions.values():
            await _save_session(connection, state.action_id, session)
    except asyncpg.ExclusionViolationError as clash:
        # Another action's session holds the place or a facilitator at that time.
        if clash.constraint_name == "session_place_free":
            raise errors.PlaceDoubleBooked("another session is held in this place at that time") from None
        raise errors.FacilitatorDoubleBooked(
            "a facilitator already runs another session at that time"
        ) from None


async def _save_session(connection: asyncpg.Connection, action_id: str, session) -> None:
    during = asyncpg.Range(session.slot.starts_at, session.slot.ends_at)
    await connection.execute(
        """INSERT INTO action_sessions (session_id, action_id, place, during, cancelled, reported)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (session_id) DO UPDATE SET place = $3, during = $4, cancelled = $5, reported = $6
           WHERE (action_sessions.place, action_sessions.during, action_sessions.cancelled,
                  action_sessions.reported) IS DISTINCT FROM ($3, $4, $5, $6)""",
        session.session_id,
        action_id,
        session.slot.place,
        during,
        session.cancelled,
        session.reported,
    )
    await connection.execute("DELETE FROM session_facilitators WHERE session_id = $1", session.session_id)
    if not session.cancelled:
        await connection.executemany(
            "INSERT INTO session_facilitators (session_id, facilitator, during) VALUES ($1, $2, $3)",
            [
                (session.session_id, name, during)
                for name in {f.casefold() for f in session.slot.facilitators}
            ],
        )


async def sessions_overlapping(
    connection: asyncpg.Connection, slots: list[tuple[datetime, datetime, str]], facilitators: list[str]
) -> list[SessionSlot]:
    """The live (not cancelled) sessions of every action that overlap one of `slots` (start, end, place) in
    one of those places or with one of `facilitators`; their facilitators casefolded, as the exclusion
    constraints compare them. Both lookups use those constraints' indexes."""
    if not slots:
        return []
    rows = await connection.fetch(
        """WITH wanted AS (SELECT * FROM unnest($1::tstzrange[], $2::text[]) AS w (during, place)),
                clashing AS (
                    SELECT s.session_id FROM wanted w JOIN action_sessions s
                        ON lower(s.place) = lower(w.place) AND s.during && w.during AND NOT s.cancelled
                    UNION
                    SELECT f.session_id FROM wanted w JOIN session_facilitators f
                        ON f.facilitator = ANY($3::text[]) AND f.during && w.during)
           SELECT lower(s.during) AS starts_at, upper(s.during) AS ends_at, s.place,
                  array_remove(array_agg(f.facilitator), NULL) AS facilitators
           FROM action_sessions s LEFT JOIN session_facilitators f USING (session_id)
           WHERE s.session_id IN (SELECT session_id FROM clashing)
           GROUP BY s.session_id""",
        [asyncpg.Range(starts, ends) for starts, ends, _ in slots],
        [place.strip() for _, _, place in slots],
        [name.strip().casefold() for name in facilitators if name.strip()],
    )
    return [SessionSlot.model_validate(dict(row)) for row in rows]
