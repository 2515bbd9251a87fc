"""The facts IPRO decisions and access checks read from the inline tables and the replicas: the person's
case, their bookings, a partner action's session, whether they hold a place on it, what a release ends.
Reads only: the tables are written by `store` and `replica`."""

from __future__ import annotations

import asyncpg

from ipro.domain import errors, names
from ipro.domain.facts import Booking, CaseFacts, SessionFacts


async def case_facts(connection: asyncpg.Connection, case_id: str) -> CaseFacts:
    case = await known_case(connection, case_id)
    if case is None:
        raise errors.CaseNotFound(f"no case {case_id} is known here (yet)")
    return case


async def known_case(connection: asyncpg.Connection, case_id: str) -> CaseFacts | None:
    row = await connection.fetchrow("SELECT * FROM followed_cases WHERE case_id = $1", case_id)
    if row is None:
        return None
    return CaseFacts(
        case_id=case_id,
        subject_id=row["subject_id"],
        establishment=row["establishment"],
        open=row["closed_on"] is None,
        admission_date=row["admission_date"],
        expected_end_date=row["expected_end_date"],
        conditional_release_date=row["conditional_release_date"],
        referent=row["referent"],
        person=names.person(row["first_names"], row["last_name"]),
    )


async def bookings_of(connection: asyncpg.Connection, subject_id: str) -> list[Booking]:
    rows = await connection.fetch(
        "SELECT * FROM bookings WHERE subject_id = $1 ORDER BY reference", subject_id
    )
    return [
        Booking(
            kind=r["kind"],
            reference=r["reference"],
            label=r["label"],
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            slots=r["slots"],
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
        )
        for r in rows
    ]


async def session_facts(
    connection: asyncpg.Connection, action_id: str, session_id: str
) -> SessionFacts | None:
    """The session of this action in the catalogue replica (None: there is none)."""
    row = await connection.fetchrow(
        """SELECT s.*, a.partner_id, a.title, a.capacity, a.published, a.closed FROM catalogue_sessions s
           JOIN catalogue_actions a USING (action_id) WHERE s.session_id = $1 AND s.action_id = $2""",
        session_id,
        action_id,
    )
    if row is None:
        return None
    return SessionFacts(
        action_id=action_id,
        session_id=session_id,
        partner_id=row["partner_id"],
        title=row["title"],
        place=row["place"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        capacity=row["capacity"],
        booked=row["booked"],
        cancelled=row["cancelled"],
        published=row["published"],
        closed=row["closed"],
    )


async def positioned(connection: asyncpg.Connection, subject_id: str, session_id: str) -> bool:
    """Whether the person holds a place on the session (proposed, confirmed or held; not withdrawn)."""
    return bool(
        await connection.fetchval(
            "SELECT true FROM positionings WHERE subject_id = $1 AND session_id = $2"
            " AND status NOT IN ('withdrawn', 'cancelled')",
            subject_id,
            session_id,
        )
    )


async def programme_sessions_of(connection: asyncpg.Connection, subject_id: str) -> list[Booking]:
    """The SPIP programme sessions the person attends (a seat in the group, the session not cancelled)."""
    rows = await connection.fetch(
        """SELECT s.session_id, s.starts_at, s.ends_at, s.room, n.name
           FROM programme_participants p JOIN programme_sessions s USING (group_id)
           LEFT JOIN programme_groups g USING (group_id) LEFT JOIN programme_names n USING (programme_id)
           WHERE p.subject_id = $1 AND p.seated AND NOT s.cancelled ORDER BY s.starts_at, s.session_id""",
        subject_id,
    )
    return [
        Booking(
            kind="programme",
            reference=r["session_id"],
            label=names.programme_session(r["name"] or "", r["starts_at"], r["room"]),
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
        )
        for r in rows
    ]


async def open_places_on(connection: asyncpg.Connection, session_id: str) -> list[tuple[str, str]]:
    """The places on a session not yet taken up (proposed or confirmed): (positioning id, pathway id)."""
    rows = await connection.fetch(
        "SELECT positioning_id, pathway_id FROM positionings WHERE session_id = $1"
        " AND status IN ('proposed', 'confirmed') ORDER BY positioning_id",
        session_id,
    )
    return [(r["positioning_id"], r["pathway_id"]) for r in rows]


async def open_commitments(connection: asyncpg.Connection, pathway_id: str) -> tuple[list[str], list[str]]:
    """The pathway's trainings not ended and its places not yet taken up (proposed or confirmed)."""
    trainings = await connection.fetch(
        "SELECT training_id FROM trainings WHERE pathway_id = $1 AND status IN ('enrolled', 'in_progress') "
        "ORDER BY training_id",
        pathway_id,
    )
    positionings = await connection.fetch(
        "SELECT positioning_id FROM positionings WHERE pathway_id = $1 AND status IN ('proposed', 'confirmed') "
        "ORDER BY positioning_id",
        pathway_id,
    )
    return [r["training_id"] for r in trainings], [r["positioning_id"] for r in positionings]


async def person_named(connection: asyncpg.Connection, case_id: str) -> asyncpg.Record:
    """The person's name, all a partner sees of them."""
    return await connection.fetchrow(
        "SELECT last_name, first_names FROM followed_cases WHERE case_id = $1", case_id
    )
