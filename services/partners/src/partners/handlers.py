"""Application handlers of the partners service: load the aggregate once, check the caller may see it
(`access`), load the facts its decision needs, execute, then write the inline read table. Each runs inside
the caller's transaction (`Session`); each read function applies the same access check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from kernel.aggregates import Aggregate, Outcome, StreamReader, execute, load, load_existing
from kernel.auth import Principal
from kernel.decider import Decider
from kernel.eventstore import Metadata, Session
from partners import access, store
from partners.domain import commands as c
from partners.domain import errors
from partners.domain.action import Action, action
from partners.domain.call import Call, CallStatus, call, window
from partners.domain.facts import CallWindow, PartnerStanding, ProposalFacts
from partners.domain.partner import Partner, partner, standing
from partners.domain.proposal import Proposal, proposal

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
    return await _execute(session, call, store.save_call, command.call_id, command, metadata)


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
    return await _execute(session, partner, store.save_organisation, command.partner_id, command, metadata)


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
    return await _execute(
        session, proposal, store.save_proposal, command.proposal_id, command, metadata, facts
    )


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
    session: Session, proposal_id: str, action_id: str, metadata: Metadata, principal: Principal
) -> tuple[Outcome[Proposal], Outcome[Action]]:
    """Approval and the catalogue action it creates are one transaction: both or neither."""
    approved = await proposal_command(
        session, proposal_id, c.ApproveProposal(action_id=action_id), metadata, principal
    )
    state = approved.state
    create = c.CreateAction(
        action_id=action_id,
        proposal_id=proposal_id,
        call_id=state.call_id,
        partner_id=state.partner_id,
        title=state.content.title,
        action_type=state.content.action_type,
        theme=(await _call_window(session, state.call_id)).theme,
        capacity_min=state.content.capacity_min,
        capacity_max=state.content.capacity_max,
    )
    created = await _execute(session, action, store.save_action, action_id, create, metadata)
    return approved, created


# --- catalogue actions ---


async def action_command(
    session: Session, action_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Action]:
    existing = await read_action(session, action_id, principal)
    facts = await _standing(session, existing.state.partner_id) if command.needs_facts else None
    return await _execute(session, action, store.save_action, existing, command, metadata, facts)


async def read_action(reader: StreamReader, action_id: str, principal: Principal) -> Aggregate[Action]:
    found = await load(reader, action, action_id)
    if not found.exists or not access.may_see_organisation(principal, found.state.partner_id):
        raise errors.ActionNotFound(f"no catalogue action {action_id}")
    return found
