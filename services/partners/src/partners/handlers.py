"""Application handlers of the partners service: load the aggregate once, check the caller may see it
(`access`), load the facts its decision needs, execute, then write the inline read table. Each runs inside
the caller's transaction (`Session`); each read function applies the same access check."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg

from contracts.partners import ActionType
from contracts.rooms import NO_ROOMS, RoomList
from kernel.aggregates import Aggregate, Outcome, StreamReader, execute, load, load_existing, named
from kernel.auth import Principal
from kernel.decider import Decider
from kernel.eventstore import Metadata, Session
from partners import access, store
from partners.domain import commands as c
from partners.domain import errors
from partners.domain.action import Action, action
from partners.domain.call import Call, CallStatus, call, window
from partners.domain.facts import CallWindow, NewActionFacts, PartnerStanding, ProposalFacts
from partners.domain.partner import Partner, partner, standing
from partners.domain.proposal import Proposal, proposal
from partners.domain.rooms import OUTSIDE, ensure_room

Save = Callable[[asyncpg.Connection, Any, int], Awaitable[None]]


async def _execute(
    session: Session,
    decider: Decider,
    save: Save,
    aggregate: Aggregate | str,
    command: c.Command,
    metadata: Metadata,
    facts: Any = None,
) -> Outcome:
    outcome = await execute(session, decider, aggregate, command, metadata, facts=facts)
    await save(session.connection, outcome.state, outcome.version)
    return outcome


# --- calls ---


async def create_call(session: Session, command: c.DraftCall, metadata: Metadata) -> Outcome[Call]:
    return await _execute(session, call, store.save_call, named(call, command.call_id), command, metadata)


async def call_command(
    session: Session, call_id: str, command: c.Command, metadata: Metadata
) -> Outcome[Call]:
    existing = await load_existing(session, call, call_id, errors.CallNotFound)
    return await _execute(session, call, store.save_call, existing, command, metadata)


async def read_call(reader: StreamReader, call_id: str, principal: Principal) -> Aggregate[Call]:
    found = await load_existing(reader, call, call_id, errors.CallNotFound)
    if found.state.status == CallStatus.DRAFT and not access.may_see_drafts(principal):
        raise errors.CallNotFound(f"no call {call_id}")
    return found


async def _call_window(session: Session, call_id: str) -> CallWindow:
    return window((await load_existing(session, call, call_id, errors.CallNotFound)).state)


# --- partner organisations ---


async def register_partner(
    session: Session, command: c.RegisterPartner, metadata: Metadata
) -> Outcome[Partner]:
    fresh = named(partner, command.partner_id)
    return await _execute(session, partner, store.save_organisation, fresh, command, metadata)


async def organisation_command(
    session: Session, partner_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Partner]:
    existing = await read_organisation(session, partner_id, principal)
    return await _execute(session, partner, store.save_organisation, existing, command, metadata)


async def read_organisation(
    reader: StreamReader, partner_id: str, principal: Principal
) -> Aggregate[Partner]:
    access.ensure_sees(principal, partner_id, errors.PartnerNotFound)
    return await load_existing(reader, partner, partner_id, errors.PartnerNotFound)


async def _standing(session: Session, partner_id: str) -> PartnerStanding:
    return standing((await load_existing(session, partner, partner_id, errors.PartnerNotFound)).state)


# --- proposals ---


async def draft_proposal(session: Session, command: c.DraftProposal, metadata: Metadata) -> Outcome[Proposal]:
    facts = ProposalFacts(
        call=await _call_window(session, command.call_id),
        partner=await _standing(session, command.partner_id),
    )
    fresh = named(proposal, command.proposal_id)
    return await _execute(session, proposal, store.save_proposal, fresh, command, metadata, facts)


async def proposal_command(
    session: Session, proposal_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Proposal]:
    existing = await read_proposal(session, proposal_id, principal)
    facts = await _proposal_facts(session, existing.state) if command.needs_facts else None
    return await _execute(session, proposal, store.save_proposal, existing, command, metadata, facts)


async def read_proposal(reader: StreamReader, proposal_id: str, principal: Principal) -> Aggregate[Proposal]:
    found = await load(reader, proposal, proposal_id)
    if not found.exists or not access.may_see_organisation(principal, found.state.partner_id):
        raise errors.ProposalNotFound(f"no proposal {proposal_id}")
    return found


async def _proposal_facts(session: Session, state: Proposal) -> ProposalFacts:
    return ProposalFacts(
        call=await _call_window(session, state.call_id), partner=await _standing(session, state.partner_id)
    )


async def approve_proposal(
    session: Session,
    proposal_id: str,
    command: c.ApproveProposal,
    metadata: Metadata,
    principal: Principal,
    rooms: RoomList = NO_ROOMS,
) -> tuple[Outcome[Proposal], Outcome[Action]]:
    """Approval and the catalogue action it creates are one transaction: both or neither. The action schedules
    the sessions the proposal planned (those it can: `action.decide`), each in a room of the call's
    establishment once it has a list."""
    approved = await proposal_command(session, proposal_id, command, metadata, principal)
    state = approved.state
    content = state.content
    places = [planned.place for planned in content.planned_sessions]
    await _ensure_rooms(session, rooms, state.call_id, content.action_type, places)
    create = c.CreateAction(
        action_id=command.action_id,
        proposal_id=proposal_id,
        call_id=state.call_id,
        partner_id=state.partner_id,
        title=content.title,
        action_type=content.action_type,
        theme=(await _call_window(session, state.call_id)).theme,
        capacity_min=content.capacity_min,
        capacity_max=content.capacity_max,
        planned_sessions=[
            c.PlannedSlot(**planned.model_dump(), session_id=planned_session_id(command.action_id, n))
            for n, planned in enumerate(content.planned_sessions)
        ],
        facilitators=content.facilitators,
        now=command.now,
    )
    slots = [
        (p.starts_at, p.starts_at + timedelta(minutes=p.duration_minutes), p.place)
        for p in create.planned_sessions
    ]
    # Whoever books these places or people meanwhile waits for this transaction: what it reads stays true.
    await session.lock(*slot_locks([place for _, _, place in slots], create.facilitators))
    facts = NewActionFacts(
        partner=await _standing(session, state.partner_id),
        taken=await store.sessions_overlapping(session.connection, slots, create.facilitators),
    )
    created = await _execute(session, action, store.save_action, command.action_id, create, metadata, facts)
    return approved, created


async def _ensure_rooms(
    session: Session, rooms: RoomList, call_id: str, action_type: ActionType, places: list[str]
) -> None:
    """Each place is a room of the call's establishment (an action's is its call's), once it has a list."""
    if not rooms.establishments or action_type in OUTSIDE or not places:
        return  # no list at all, or people taken outside: the call need not be read
    found = await load_existing(session, call, call_id, errors.CallNotFound)
    for place in places:
        ensure_room(rooms, found.state.content.establishment, action_type, place)


def planned_session_id(action_id: str, index: int) -> str:
    """The id of the action's session made from the proposal's planned session number `index`: the same on a
    retry of the approval."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"partners/actions/{action_id}/planned/{index}"))


def slot_locks(places: list[str], facilitators: list[str]) -> list[str]:
    """The locks of the places and people a session plan books: taken before a decision that reads the other
    actions' sessions, and by every command that books them."""
    return [f"place:{p.strip().casefold()}" for p in places] + [
        f"facilitator:{f.strip().casefold()}" for f in facilitators if f.strip()
    ]


# --- catalogue actions ---


async def action_command(
    session: Session,
    action_id: str,
    command: c.Command,
    metadata: Metadata,
    principal: Principal,
    rooms: RoomList = NO_ROOMS,
) -> Outcome[Action]:
    existing = await read_action(session, action_id, principal)
    if isinstance(command, c.SessionPlan):
        state = existing.state
        await _ensure_rooms(session, rooms, state.call_id, state.action_type, [command.place])
        await session.lock(*slot_locks([command.place], command.facilitators))
    facts = await _standing(session, existing.state.partner_id) if command.needs_facts else None
    return await _execute(session, action, store.save_action, existing, command, metadata, facts)


async def read_action(reader: StreamReader, action_id: str, principal: Principal) -> Aggregate[Action]:
    found = await load(reader, action, action_id)
    if not found.exists or not access.may_see_organisation(principal, found.state.partner_id):
        raise errors.ActionNotFound(f"no catalogue action {action_id}")
    return found
