"""Application handlers of the IPRO service, one way downhill: load the aggregate once, check the caller's
access on it (`access`), load the facts the decision needs (`lookups`), execute, write the inline read
tables (`store`), and return the outcome the route renders. Each runs inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from ipro import access, feeds, lookups, store
from ipro.domain import commands as c
from ipro.domain import errors, overlaps
from ipro.domain.facts import Booking, CaseFacts, Commitments, PathwayFacts, PlaceFacts
from ipro.domain.pathway import RELEASED, Pathway, arranged_on, pathway
from ipro.domain.positioning import Positioning, positioning
from ipro.domain.training import Training, training
from ipro.domain.work import WorkFile, work
from kernel.aggregates import Aggregate, Outcome, execute, load, load_existing, named
from kernel.auth import Principal
from kernel.eventstore import Metadata, Session

S = TypeVar("S")


@dataclass(frozen=True)
class Booked(Generic[S]):
    """A commitment decided (work hours, a training, a place on a session), and what the user should know about
    it: the SPIP programme sessions it overlaps, which it is booked over anyway (`domain.overlaps`)."""

    outcome: Outcome[S]
    warnings: list[str]


async def _booked(session: Session, outcome: Outcome[S], booking: Booking, facts: PathwayFacts) -> Booked[S]:
    attended = await lookups.programme_sessions_of(session.connection, facts.subject_id)
    return Booked(outcome, overlaps.programme_warnings(booking, attended, facts.person))


def pathway_id_of(case_id: str) -> str:
    """One pathway per custody period, that is per case: the id says which, so opening it twice conflicts."""
    return f"pathway-{case_id}"


def work_id_of(pathway_id: str) -> str:
    return f"work-{pathway_id}"


def pathway_lock(pathway_id: str) -> str:
    """Whoever arranges something on a pathway because it is open (a training, a positioning, work) and the
    release that closes it and ends what was arranged take this lock first: they never both win (ADR 14)."""
    return f"pathway:{pathway_id}"


async def _followed(session: Session, pathway_id: str) -> tuple[Aggregate[Pathway], CaseFacts]:
    """The pathway and the person's case, which access to it and to what it owns is decided on."""
    owner = await load_existing(session, pathway, pathway_id, errors.PathwayNotFound)
    return owner, await lookups.case_facts(session.connection, owner.state.case_id)


async def _arranged_on(session: Session, pathway_id: str) -> tuple[Aggregate[Pathway], CaseFacts]:
    """The pathway something is arranged on, read once a release in flight has ended (ADR 14)."""
    await session.lock(pathway_lock(pathway_id))
    return await _followed(session, pathway_id)


async def _acting_on(
    session: Session, pathway_id: str, principal: Principal
) -> tuple[Aggregate[Pathway], CaseFacts]:
    """`_arranged_on`, once the caller may act on that pathway."""
    owner, case = await _arranged_on(session, pathway_id)
    access.ensure_may_act_on_pathway(principal, owner.state, case)
    return owner, case


async def _commitments(session: Session, owner: Aggregate[Pathway], case: CaseFacts) -> Commitments:
    """What a new booking must not overlap: the person's other bookings."""
    bookings = await lookups.bookings_of(session.connection, owner.state.subject_id)
    return arranged_on(owner.state, case, Commitments, bookings=bookings)


# --- pathway ---


async def open_pathway(
    session: Session, command: c.OpenPathway, metadata: Metadata, principal: Principal
) -> Outcome[Pathway]:
    """An adviser who opens a pathway follows it."""
    case = await lookups.case_facts(session.connection, command.case_id)
    access.ensure_reaches(principal, case)
    outcome = await open_pathway_on_admission(session, command, case, metadata)
    if access.follows_what_they_open(principal):
        outcome = await _run_pathway(
            session, outcome, c.AssignAdviser(adviser=principal.subject), case, metadata
        )
    return outcome


async def open_pathway_on_admission(
    session: Session, command: c.OpenPathway, case: CaseFacts, metadata: Metadata
) -> Outcome[Pathway]:
    """The admission's reaction: the case comes from its event (the replica is written after)."""
    return await _run_pathway(
        session, await load(session, pathway, command.pathway_id), command, case, metadata
    )


async def pathway_command(
    session: Session, pathway_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Pathway]:
    owner, case = await _followed(session, pathway_id)
    access.ensure_may_act_on_pathway(principal, owner.state, case)
    return await _run_pathway(session, owner, command, case, metadata)


async def _run_pathway(
    session: Session,
    owner: Aggregate[Pathway],
    command: c.Command,
    case: CaseFacts | None,
    metadata: Metadata,
) -> Outcome[Pathway]:
    subject = case.subject_id if case is not None else owner.state.subject_id
    outcome = await execute(session, pathway, owner, command, metadata, facts=case, subject=subject)
    await store.save_pathway(session.connection, outcome.state, outcome.version)
    return outcome


async def close_on_release(session: Session, case_id: str, closed_on: date, metadata: Metadata) -> None:
    """The case closed: the pathway closes with the outcome at release (if it is open), abandoning the goals
    still active; the person's post and contract end, their trainings end and their places on partner
    actions are given back. A release redelivered finds nothing to do."""
    pathway_id = pathway_id_of(case_id)
    await session.lock(pathway_lock(pathway_id))
    owner = await load(session, pathway, pathway_id)
    if not owner.exists or owner.state.closed_on is not None:
        return
    case = await lookups.known_case(session.connection, case_id)
    closed = await _run_pathway(session, owner, c.ClosePathway(closed_on=closed_on), case, metadata)
    facts = arranged_on(closed.state, case)
    await _run_work(session, pathway_id, c.EndWorkOnRelease(released_on=closed_on), facts, metadata)
    trainings, positionings = await lookups.open_commitments(session.connection, pathway_id)
    for training_id in trainings:
        enrolled = await load(session, training, training_id)
        await _run_training(
            session, enrolled, c.DropOutOfTraining(reason=RELEASED, released=True), facts, metadata
        )
    for positioning_id in positionings:
        place = await load(session, positioning, positioning_id)
        await _run_positioning(
            session, place, c.WithdrawPositioning(reason=RELEASED, released=True), facts, metadata
        )


# --- work ---


async def work_command(
    session: Session, pathway_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[WorkFile]:
    """A command on the person's work file, which knows of the pathway only whether it is open."""
    owner, case = await _acting_on(session, pathway_id, principal)
    return await _run_work(session, pathway_id, command, arranged_on(owner.state, case), metadata)


async def decide_affectation(
    session: Session, pathway_id: str, command: c.DecideAffectation, metadata: Metadata, principal: Principal
) -> Booked[WorkFile]:
    """The post's hours may not overlap the person's other commitments: their bookings are loaded."""
    facts = await _commitments(session, *await _acting_on(session, pathway_id, principal))
    outcome = await _run_work(session, pathway_id, command, facts, metadata)
    return await _booked(session, outcome, outcome.state.affectations[command.affectation_id].booking, facts)


async def _run_work(
    session: Session, pathway_id: str, command: c.Command, facts: PathwayFacts, metadata: Metadata
) -> Outcome[WorkFile]:
    file = await load(session, work, work_id_of(pathway_id))
    outcome = await execute(session, work, file, command, metadata, facts=facts, subject=facts.subject_id)
    if outcome.events:  # the release finds nothing to end on a work file never opened
        await store.save_work(session.connection, outcome.state, outcome.version)
    return outcome


# --- training ---


async def enrol_in_training(
    session: Session, pathway_id: str, command: c.EnrolInTraining, metadata: Metadata, principal: Principal
) -> Booked[Training]:
    facts = await _commitments(session, *await _acting_on(session, pathway_id, principal))
    outcome = await _run_training(session, named(training, command.training_id), command, facts, metadata)
    return await _booked(session, outcome, outcome.state.booking, facts)


async def training_command(
    session: Session, training_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Training]:
    existing = await load_existing(session, training, training_id, errors.TrainingNotFound)
    owner, case = await _arranged_on(session, existing.state.pathway_id)
    access.ensure_may_act_on_pathway(
        principal, owner.state, case, hidden=errors.TrainingNotFound(f"no training {training_id}")
    )
    return await _run_training(session, existing, command, arranged_on(owner.state, case), metadata)


async def _run_training(
    session: Session,
    existing: Aggregate[Training],
    command: c.Command,
    facts: PathwayFacts,
    metadata: Metadata,
) -> Outcome[Training]:
    outcome = await execute(
        session, training, existing, command, metadata, facts=facts, subject=facts.subject_id
    )
    await store.save_training(session.connection, outcome.state, outcome.version)
    return outcome


# --- positioning ---


async def position(
    session: Session,
    pathway_id: str,
    command: c.Position,
    metadata: Metadata,
    principal: Principal,
    catalogue: feeds.Feed,
) -> Booked[Positioning]:
    """A place on a session: the session from the catalogue replica (and, when it does not know it, whether
    it has read the partners' events of that action to their end: `catalogue`), the person's bookings, and
    whether they already hold a place on it."""
    owner, case = await _acting_on(session, pathway_id, principal)
    connection, subject_id = session.connection, owner.state.subject_id
    found = await lookups.session_facts(connection, command.action_id, command.session_id)
    facts = arranged_on(
        owner.state,
        case,
        PlaceFacts,
        bookings=await lookups.bookings_of(connection, subject_id),
        session=found,
        already_positioned=await lookups.positioned(connection, subject_id, command.session_id),
        catalogue_behind=found is None
        and not await feeds.caught_up(connection, catalogue, command.action_id),
    )
    outcome = await execute(
        session,
        positioning,
        named(positioning, command.positioning_id),
        command,
        metadata,
        facts=facts,
        subject=subject_id,
    )
    await store.save_positioning(connection, outcome.state, outcome.version, new=True)
    return await _booked(session, outcome, outcome.state.booking, facts)


async def positioning_command(
    session: Session, positioning_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Positioning]:
    existing = await load_existing(session, positioning, positioning_id, errors.PositioningNotFound)
    owner, case = await _arranged_on(session, existing.state.pathway_id)
    access.ensure_may_act_on_positioning(principal, existing.state, owner.state, case)
    return await _run_positioning(session, existing, command, arranged_on(owner.state, case), metadata)


async def follow_the_session(
    session: Session, session_id: str, command: c.CancelPositioning | c.FollowMovedSession, metadata: Metadata
) -> None:
    """The partner cancelled or moved a session: each place on it not yet taken up is cancelled, or follows it
    (a person booked at the new time is cancelled: their bookings are loaded). Each under its pathway's lock,
    as a release in flight may be withdrawing it."""
    for positioning_id, pathway_id in await lookups.open_places_on(session.connection, session_id):
        owner, case = await _arranged_on(session, pathway_id)
        place = await load(session, positioning, positioning_id)
        if isinstance(command, c.FollowMovedSession):
            facts = await _commitments(session, owner, case)
        else:
            facts = arranged_on(owner.state, case)
        await _run_positioning(session, place, command, facts, metadata)


async def _run_positioning(
    session: Session,
    existing: Aggregate[Positioning],
    command: c.Command,
    facts: PathwayFacts,
    metadata: Metadata,
) -> Outcome[Positioning]:
    outcome = await execute(
        session, positioning, existing, command, metadata, facts=facts, subject=facts.subject_id
    )
    if outcome.events:  # what a partner did to a session may leave a place as it was
        await store.save_positioning(session.connection, outcome.state, outcome.version, new=False)
    return outcome
