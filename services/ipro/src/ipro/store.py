"""Writes to the service's inline read tables (migration 0100), after the events in the same transaction:
pathways, work files and posts, trainings, positionings, and the person's bookings. The constraints that
only the database can enforce across aggregates (a session's last place, one place per session) are here.
Lists read these tables through `queries`, decisions through `lookups`."""

from __future__ import annotations

import asyncpg

from contracts.ipro import GoalStatus
from ipro.domain import errors
from ipro.domain.facts import Booking
from ipro.domain.pathway import Pathway
from ipro.domain.positioning import ENDED, OPEN, Positioning
from ipro.domain.training import Training, TrainingStatus
from ipro.domain.work import WorkFile


async def save_pathway(connection: asyncpg.Connection, state: Pathway, version: int) -> None:
    active_goals = sum(g.status == GoalStatus.ACTIVE for g in state.goals.values())
    pending_leaves = sum(leave.approved is None for leave in state.leaves.values())
    await connection.execute(
        """INSERT INTO pathways (pathway_id, case_id, subject_id, establishment, adviser, opened_on, synthesis_due_on,
               synthesis_written, readiness, active_goals, pending_leaves, france_travail_on, closed_on, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (pathway_id) DO UPDATE SET adviser = $5, synthesis_written = $8, readiness = $9,
               active_goals = $10, pending_leaves = $11, france_travail_on = $12, closed_on = $13, version = $14""",
        state.pathway_id,
        state.case_id,
        state.subject_id,
        state.establishment,
        state.adviser,
        state.opened_on,
        state.synthesis_due_on,
        state.synthesis_written_on is not None,
        state.readiness and state.readiness.value,
        active_goals,
        pending_leaves,
        state.france_travail_registered_on,
        state.closed_on,
        version,
    )


async def save_work(connection: asyncpg.Connection, state: WorkFile, version: int) -> None:
    current = state.current_affectation
    await connection.execute(
        """INSERT INTO work_files (work_id, pathway_id, subject_id, classement, regimes, requested_on, has_post,
                                  version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (work_id) DO UPDATE SET classement = $4, regimes = $5, requested_on = $6, has_post = $7,
               version = $8""",
        state.work_id,
        state.pathway_id,
        state.subject_id,
        state.classement.value,
        [r.value for r in state.regimes],
        state.requested_on,
        current is not None,
        version,
    )
    for affectation in state.affectations.values():
        contract = state.contracts.get(affectation.contract_id) if affectation.contract_id else None
        await connection.execute(
            """INSERT INTO posts (affectation_id, work_id, subject_id, regime, post, workshop, employer, starts_on,
                                  contract_id, contract_status, ended)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT (affectation_id) DO UPDATE SET contract_id = $9, contract_status = $10, ended = $11""",
            affectation.affectation_id,
            state.work_id,
            state.subject_id,
            affectation.regime.value,
            affectation.post,
            affectation.workshop,
            affectation.employer,
            affectation.starts_on,
            affectation.contract_id,
            contract and contract.status.value,
            affectation.ended,
        )
        if affectation.ended:
            await release(connection, affectation.affectation_id)
        else:
            await _book(connection, affectation.booking, state.subject_id)


async def save_training(connection: asyncpg.Connection, state: Training, version: int) -> None:
    await connection.execute(
        """INSERT INTO trainings (training_id, pathway_id, subject_id, title, status, starts_on, ends_on, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (training_id) DO UPDATE SET status = $5, version = $8""",
        state.training_id,
        state.pathway_id,
        state.subject_id,
        state.title,
        state.status.value,
        state.starts_on,
        state.ends_on,
        version,
    )
    if state.status in (TrainingStatus.COMPLETED, TrainingStatus.DROPPED_OUT):
        await release(connection, state.training_id)
    else:
        await _book(connection, state.booking, state.subject_id)


async def save_positioning(
    connection: asyncpg.Connection, state: Positioning, version: int, *, new: bool
) -> None:
    """A new positioning takes a place of its session (refused when none is left); an ended one (withdrawn or
    cancelled) gives it back. A place not yet taken up books the person at the session's (current) time."""
    if new:
        taken = await connection.fetchval(
            "UPDATE catalogue_sessions SET booked = booked + 1 WHERE session_id = $1 AND booked < "
            "(SELECT capacity FROM catalogue_actions a WHERE a.action_id = catalogue_sessions.action_id)"
            " RETURNING true",
            state.session_id,
        )
        if not taken:
            raise errors.PositioningOverCapacity("every place of the session is taken")
    elif state.status in ENDED:
        await connection.execute(
            "UPDATE catalogue_sessions SET booked = booked - 1 WHERE session_id = $1", state.session_id
        )
    try:
        await connection.execute(
            """INSERT INTO positionings (positioning_id, pathway_id, subject_id, action_id, session_id, partner_id,
                                         status, outcome, version, starts_at, ends_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT (positioning_id) DO UPDATE SET status = $7, outcome = $8, version = $9, starts_at = $10,
                   ends_at = $11""",
            state.positioning_id,
            state.pathway_id,
            state.subject_id,
            state.action_id,
            state.session_id,
            state.partner_id,
            state.status.value,
            state.outcome and state.outcome.value,
            version,
            state.starts_at,
            state.ends_at,
        )
    except asyncpg.UniqueViolationError:
        raise errors.AlreadyPositioned("the person is already positioned on this session") from None
    if state.status in ENDED:
        await release(connection, state.positioning_id)
    elif state.status in OPEN:
        await _book(connection, state.booking, state.subject_id)


async def _book(connection: asyncpg.Connection, booking: Booking, subject_id: str) -> None:
    await connection.execute(
        """INSERT INTO bookings (reference, subject_id, kind, starts_on, ends_on, slots, starts_at, ends_at, label)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (reference) DO UPDATE SET starts_on = $4, ends_on = $5, slots = $6, starts_at = $7,
               ends_at = $8, label = $9""",
        booking.reference,
        subject_id,
        booking.kind,
        booking.starts_on,
        booking.ends_on,
        [s.model_dump(mode="json") for s in booking.slots],
        booking.starts_at,
        booking.ends_at,
        booking.label,
    )


async def release(connection: asyncpg.Connection, reference: str) -> None:
    await connection.execute("DELETE FROM bookings WHERE reference = $1", reference)
