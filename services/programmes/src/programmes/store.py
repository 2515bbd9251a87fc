"""The service's inline read tables (migration 0100), written by the handlers after the events, in the same
transaction, and the facts the handlers read from them and from the replica of the assessment events. Their
constraints hold the rules that span streams: one code per programme, one open referral per person and
programme, no room, facilitator or person booked twice at a time (ADR 9). A refusal by a unique rule names
what holds the value (`existing`, and its id)."""

from __future__ import annotations

from collections.abc import Collection

import asyncpg
from asyncpg.types import Range

from kernel.aggregates import Aggregate
from kernel.clock import local_date
from programmes.domain import errors, names
from programmes.domain.facts import PersonFacts, ReferralNames, ReferralVisibility
from programmes.domain.group import Group, participation
from programmes.domain.programme import Programme
from programmes.domain.referral import ENDED, Referral

_OVERLAPS = {
    "room_double_booked": (errors.RoomDoubleBooked, "the room is already booked at that time"),
    "facilitator_double_booked": (
        errors.FacilitatorDoubleBooked,
        "a facilitator is already booked at that time",
    ),
    "enrolment_overlap": (errors.EnrolmentOverlap, "the person takes part in another group at that time"),
}


async def save_programme(connection: asyncpg.Connection, state: Programme) -> None:
    definition = state.definition
    try:
        await connection.execute(
            """INSERT INTO programmes (programme_id, code, name, kind, sensitive, withdrawn, definition, version)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (programme_id) DO UPDATE SET name = $3, kind = $4, sensitive = $5, withdrawn = $6,
                   definition = $7, version = $8""",
            state.programme_id,
            definition.code,
            definition.name,
            definition.kind.value,
            definition.sensitive,
            state.withdrawn,
            definition.model_dump(mode="json"),
            state.version,
        )
    except asyncpg.UniqueViolationError:
        raise errors.ProgrammeCodeTaken(
            f"the code {definition.code} is already in the catalogue: create the entry with another code"
        ) from None


async def save_group(connection: asyncpg.Connection, state: Group, version: int) -> None:
    """The group's row, and its sessions and participants' bookings rebuilt (a group has a few dozen)."""
    await connection.execute(
        """INSERT INTO groups (group_id, programme_id, establishment, room, facilitators, start_date, end_date,
                               capacity, minimum, status, sensitive, participants, waiting, version,
                               partner_organisations)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (group_id) DO UPDATE SET status = $10, participants = $12, waiting = $13, version = $14""",
        state.group_id,
        state.programme_id,
        state.establishment,
        state.room,
        state.facilitators,
        state.start_date,
        state.end_date,
        state.capacity,
        state.minimum,
        state.status.value,
        state.sensitive,
        len(state.participants),
        len(state.waiting),
        version,
        state.partner_organisations,
    )
    sessions = [s for s in state.sessions.values() if not s.cancelled]
    during = {s.session.session_id: Range(s.session.starts_at, s.session.ends_at) for s in sessions}
    try:
        await connection.execute("DELETE FROM group_sessions WHERE group_id = $1", state.group_id)
        await connection.executemany(
            """INSERT INTO group_sessions (session_id, group_id, number, establishment, room, during, review,
                                           catch_up, held) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            [
                (
                    s.session.session_id,
                    state.group_id,
                    s.session.number,
                    state.establishment,
                    s.session.room,
                    during[s.session.session_id],
                    s.session.review,
                    s.session.catch_up,
                    s.held,
                )
                for s in sessions
            ],
        )
        await connection.executemany(
            "INSERT INTO session_facilitators VALUES ($1, $2, $3)",
            [(sid, f, period) for sid, period in during.items() for f in _distinct(state.facilitators)],
        )
        await connection.executemany(
            "INSERT INTO participant_sessions VALUES ($1, $2, $3, $4)",
            [
                (rid, sid, subject, period)
                for rid, subject in state.participants.items()
                for sid, period in during.items()
            ],
        )
    except asyncpg.ExclusionViolationError as error:
        kind, message = _OVERLAPS.get(error.constraint_name, (errors.RoomDoubleBooked, "double booking"))
        raise kind(message) from None
    attendance = [(referral_id, *participation(state, referral_id)) for referral_id in state.marks]
    await connection.executemany(
        "UPDATE referrals SET sessions_attended = $2, sessions_counted = $3 WHERE referral_id = $1",
        attendance,
    )


def _distinct(names: list[str]) -> list[str]:
    """Each person once, however their name is spaced or cased (the constraint compares lower-case names)."""
    return list({name.strip().casefold(): name.strip() for name in names}.values())


async def save_referral(
    connection: asyncpg.Connection, referral: Aggregate[Referral], *, sensitive: bool
) -> None:
    """The referral's row: everything its view shows, written as the command leaves it."""
    state = referral.state
    try:
        await connection.execute(
            """INSERT INTO referrals (referral_id, programme_id, case_id, subject_id, plan_id, objective_id,
                   establishment, group_id, status, failed_rules, override_reason, consent, consent_recorded_on,
                   end_reason, attendance_rate, certificate_id, sensitive, referred_on, version)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
               ON CONFLICT (referral_id) DO UPDATE SET group_id = $8, status = $9, failed_rules = $10,
                   override_reason = $11, consent = $12, consent_recorded_on = $13, end_reason = $14,
                   attendance_rate = $15, certificate_id = $16, version = $19""",
            state.referral_id,
            state.programme_id,
            state.case_id,
            state.subject_id,
            state.plan_id,
            state.objective_id,
            state.establishment,
            state.group_id,
            state.status.value,
            state.failed_rules,
            state.override_reason,
            state.consent,
            state.consent_recorded_on,
            state.end_reason,
            state.attendance_rate,
            state.certificate_id,
            sensitive,
            local_date(referral.created_at),
            referral.version,
        )
    except asyncpg.UniqueViolationError:
        raise errors.ReferralAlreadyOpen(
            "the person already has an open referral to this programme"
        ) from None


async def add_referral(
    connection: asyncpg.Connection, referral: Aggregate[Referral], *, sensitive: bool, named: ReferralNames
) -> None:
    """A new referral's row; a person with an open referral to the programme already is refused naming it
    (as users know it: `named`, and by its id). Written in a savepoint, so that the transaction can still look
    the open referral up after a refusal."""
    try:
        async with connection.transaction():
            await save_referral(connection, referral, sensitive=sensitive)
    except errors.ReferralAlreadyOpen:
        state = referral.state
        referral_id, status = await connection.fetchrow(
            """SELECT referral_id, status FROM referrals
               WHERE subject_id = $1 AND programme_id = $2 AND NOT status = ANY($3::text[])""",
            state.subject_id,
            state.programme_id,
            [status.value for status in ENDED],
        )
        raise errors.ReferralAlreadyOpen(
            f"{named.person} already has an open referral to {named.programme} ({status.replace('_', ' ')}): "
            "go on with it",
            existing=f"/referrals/{referral_id}",
            referral_id=referral_id,
        ) from None


async def referral_visibility(connection: asyncpg.Connection, referral_id: str) -> ReferralVisibility | None:
    """Whether the referral is to a sensitive programme, and who follows the person now (None: no such
    referral)."""
    row = await connection.fetchrow(
        """SELECT r.sensitive, c.referent, c.first_names, c.last_name, c.ecrou_number, p.code, p.name,
                  coalesce(c.establishment, r.establishment) AS establishment
           FROM referrals r LEFT JOIN followed_cases c USING (case_id) LEFT JOIN programmes p USING (programme_id)
           WHERE r.referral_id = $1""",
        referral_id,
    )
    if row is None:
        return None
    named = ReferralNames(
        person=names.person(row["first_names"], row["last_name"], row["ecrou_number"])
        if row["last_name"] is not None
        else names.PERSON,
        programme=names.programme(row["code"], row["name"]) if row["code"] is not None else names.PROGRAMME,
    )
    return ReferralVisibility(
        sensitive=row["sensitive"], referent=row["referent"], establishment=row["establishment"], named=named
    )


async def open_referrals_of_case(
    connection: asyncpg.Connection, case_id: str
) -> list[tuple[str, str | None]]:
    """The person's open referrals, each with the group it is placed in (None: not placed)."""
    return [
        (r["referral_id"], r["group_id"])
        for r in await connection.fetch(
            """SELECT referral_id, group_id FROM referrals WHERE case_id = $1 AND NOT status = ANY($2::text[])
               ORDER BY referral_id""",
            case_id,
            [status.value for status in ENDED],
        )
    ]


async def busy_at_the_times_of(
    connection: asyncpg.Connection, group_id: str, subject_ids: Collection[str]
) -> set[str]:
    """Those of these people who already take part in a session overlapping one of the group's."""
    return {
        r["subject_id"]
        for r in await connection.fetch(
            """SELECT DISTINCT p.subject_id FROM participant_sessions p JOIN group_sessions g ON p.during && g.during
           WHERE p.subject_id = ANY($1::text[]) AND g.group_id = $2""",
            list(subject_ids),
            group_id,
        )
    }


async def person_facts(
    connection: asyncpg.Connection, case_id: str, plan_id: str
) -> tuple[PersonFacts, str | None]:
    """The person's facts from the replica of the assessment events, and their referent CPIP. Offences not
    replicated yet read as none (the rule that needs them fails, named, like a risk level not validated yet)."""
    case = await connection.fetchrow(
        """SELECT c.*, r.overall_risk_level, coalesce(o.offence_categories, '{}') AS offence_categories
           FROM followed_cases c LEFT JOIN followed_risks r USING (case_id)
                LEFT JOIN followed_offences o USING (case_id)
           WHERE c.case_id = $1""",
        case_id,
    )
    if case is None:
        raise errors.CaseNotFound(f"no case {case_id} is known here (yet)")
    objectives = await connection.fetchval(
        "SELECT objectives FROM followed_plans WHERE plan_id = $1 AND case_id = $2", plan_id, case_id
    )
    facts = PersonFacts(
        case_id=case_id,
        subject_id=case["subject_id"],
        case_open=case["closed_on"] is None,
        establishment=case["establishment"],
        short_sentence=case["short_sentence"],
        offence_categories=case["offence_categories"],
        overall_risk_level=case["overall_risk_level"],
        plan_objectives=objectives or [],
        person=names.person(case["first_names"], case["last_name"], case["ecrou_number"]),
    )
    return facts, case["referent"]
