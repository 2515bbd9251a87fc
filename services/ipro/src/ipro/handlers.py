"""Application handlers of the IPRO service: load the facts a command needs (the person's case, their other
bookings, an action's session), decide, append, then write the inline read tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from kernel.decider import Outcome, current, execute, version
from kernel.eventstore import EventStore, Metadata, Session
from ipro import store
from ipro.domain import commands as c
from ipro.domain import errors
from ipro.domain.pathway import Pathway, pathway
from ipro.domain.positioning import Positioning, positioning
from ipro.domain.training import Training, training
from ipro.domain.work import WorkFile, work
from ipro.settings import IproSettings

RELEASED = "released"
Check = Callable[[Any], None] | None


def pathway_id_of(case_id: str) -> str:
    """One pathway per custody period, that is per case: the id says which, so opening it twice conflicts."""
    return f"pathway-{case_id}"


def work_id_of(pathway_id: str) -> str:
    return f"work-{pathway_id}"


def pathway_lock(pathway_id: str) -> str:
    """Whoever arranges something on a pathway because it is open (a training, a positioning, work) and the
    release that closes it and ends what was arranged take this lock first: they never both win (ADR 14)."""
    return f"pathway:{pathway_id}"


# --- pathway ---


async def open_pathway(session: Session, case: c.CaseFacts, metadata: Metadata, settings: IproSettings,
                       today: date) -> Outcome[Pathway]:
    command = c.OpenPathway(pathway_id=pathway_id_of(case.case_id), case=case, today=today,
                            synthesis_working_days=settings.synthesis_working_days)
    outcome = await execute(session, pathway, command.pathway_id, command, metadata, subject=case.subject_id)
    await store.save_pathway(session.connection, outcome.state, version(outcome))
    return outcome


async def load_pathway(reader: Session | EventStore, pathway_id: str) -> Pathway:
    state, _ = await current(reader, pathway, pathway_id)
    if state.pathway_id is None:
        raise errors.PathwayNotFound("no such pathway")
    return state


async def pathway_command(session: Session, pathway_id: str, make: Callable[[c.CaseFacts], c.Command] | c.Command,
                          metadata: Metadata) -> Outcome[Pathway]:
    """`make(case_facts)` when the command needs the person's case (France Travail), else the command."""
    state = await load_pathway(session, pathway_id)
    command = make(await store.case_facts(session.connection, state.case_id)) if callable(make) else make
    outcome = await execute(session, pathway, pathway_id, command, metadata, subject=state.subject_id)
    await store.save_pathway(session.connection, outcome.state, version(outcome))
    return outcome


async def close_on_release(session: Session, case_id: str, closed_on: date, metadata: Metadata) -> None:
    """The case closed: the pathway closes with the outcome at release (if it is open); the person's trainings
    end and their places on partner actions are given back."""
    await session.lock(pathway_lock(pathway_id_of(case_id)))
    state, _ = await current(session, pathway, pathway_id_of(case_id))
    if state.pathway_id is None or state.closed_on is not None:
        return
    await pathway_command(session, state.pathway_id, c.ClosePathway(closed_on=closed_on), metadata)
    trainings, positionings = await store.open_commitments(session.connection, state.pathway_id)
    for training_id in trainings:
        await training_command(session, training_id, c.DropOutOfTraining(reason=RELEASED), metadata)
    for positioning_id in positionings:
        await positioning_command(session, positioning_id, c.WithdrawPositioning(reason=RELEASED), metadata)


# --- work ---


async def work_command(session: Session, pathway_id: str, make: Callable[[WorkFile, Pathway, list[c.Booking]], c.Command],
                       metadata: Metadata) -> Outcome[WorkFile]:
    """`make(work_file, pathway, bookings)` builds the command from what it needs."""
    owner = await _open_pathway(session, pathway_id)
    work_id = work_id_of(pathway_id)
    state, _ = await current(session, work, work_id)
    command = make(state, owner, await store.bookings_of(session.connection, owner.subject_id))
    outcome = await execute(session, work, work_id, command, metadata, subject=owner.subject_id)
    await store.save_work(session.connection, outcome.state, version(outcome))
    return outcome


# --- training ---


async def enrol_in_training(session: Session, pathway_id: str, make: Callable[[Pathway, list[c.Booking]], c.EnrolInTraining],
                            metadata: Metadata) -> Outcome[Training]:
    owner = await _open_pathway(session, pathway_id)
    command = make(owner, await store.bookings_of(session.connection, owner.subject_id))
    outcome = await execute(session, training, command.training_id, command, metadata, subject=owner.subject_id)
    await store.save_training(session.connection, outcome.state, version(outcome))
    return outcome


async def training_command(session: Session, training_id: str, command: c.Command, metadata: Metadata,
                           check: Check = None) -> Outcome[Training]:
    existing, _ = await current(session, training, training_id)
    if existing.training_id is not None and not isinstance(command, c.DropOutOfTraining):
        await _open_pathway(session, existing.pathway_id)
    outcome = await execute(session, training, training_id, command, metadata, subject=existing.subject_id,
                            check=check)
    await store.save_training(session.connection, outcome.state, version(outcome))
    return outcome


# --- positioning ---


async def position(session: Session, pathway_id: str, make: Callable[[Pathway, c.SessionFacts, list[c.Booking]], c.Position],
                   action_id: str, session_id: str, metadata: Metadata) -> Outcome[Positioning]:
    owner = await _open_pathway(session, pathway_id)
    if await store.positioned(session.connection, owner.subject_id, session_id):
        raise errors.AlreadyPositioned("the person is already positioned on this session")
    facts = await store.session_facts(session.connection, action_id, session_id)
    command = make(owner, facts, await store.bookings_of(session.connection, owner.subject_id))
    outcome = await execute(session, positioning, command.positioning_id, command, metadata, subject=owner.subject_id)
    await store.save_positioning(session.connection, outcome.state, version(outcome), new=True)
    return outcome


async def positioning_command(session: Session, positioning_id: str, command: c.Command, metadata: Metadata,
                              check: Check = None) -> Outcome[Positioning]:
    existing, _ = await current(session, positioning, positioning_id)
    # After release, what happened before it may still be reported; nothing new is arranged.
    if existing.positioning_id is not None and isinstance(command, c.ConfirmPositioning):
        await _open_pathway(session, existing.pathway_id)
    outcome = await execute(session, positioning, positioning_id, command, metadata, subject=existing.subject_id,
                            check=check)
    await store.save_positioning(session.connection, outcome.state, version(outcome), new=False)
    return outcome


async def _open_pathway(session: Session, pathway_id: str) -> Pathway:
    await session.lock(pathway_lock(pathway_id))  # a release in flight ends before we read "open"
    owner = await load_pathway(session, pathway_id)
    if owner.closed_on is not None:
        raise errors.PathwayClosed("the pathway is closed: the person has left")
    return owner
