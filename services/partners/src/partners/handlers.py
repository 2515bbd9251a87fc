"""Application handlers of the partners service: load what a command needs, decide, append, then write the
inline read table. Each runs inside the caller's transaction (`Session`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg

from kernel.auth import Principal, ensure_organisation
from kernel.decider import Decider, Outcome, current, execute
from kernel.eventstore import Metadata, Session
from partners import store
from partners.domain import commands as c
from partners.domain import errors
from partners.domain.action import Action, action
from partners.domain.call import Call, call, window
from partners.domain.partner import Partner, partner, standing
from partners.domain.proposal import Proposal, proposal

Save = Callable[[asyncpg.Connection, Any, int], Awaitable[None]]


def owned_by(principal: Principal) -> Callable[[Any], None]:
    """Partners act on their own organisation's aggregates only; staff on all."""

    def check(state: Any) -> None:
        if state.partner_id is not None:  # an unknown aggregate is refused as not found by `decide`
            ensure_organisation(principal, state.partner_id)

    return check


async def _handle(
    session: Session, decider: Decider, save: Save, stream_id: str, command: c.Command, metadata: Metadata,
    check: Callable[[Any], None] | None = None,
) -> Outcome:
    outcome = await execute(session, decider, stream_id, command, metadata, check=check)
    await save(session.connection, outcome.state, outcome.events[-1].stream_version)
    return outcome


async def _owned_command(
    session: Session, decider: Decider, save: Save, stream_id: str, command: c.Command | Callable[[Any], c.Command],
    metadata: Metadata, principal: Principal, *, facts: Callable[[Session, Any], Awaitable[tuple]],
) -> Outcome:
    """A command on an aggregate an organisation owns. When `command` is a function, it is called with the
    facts about other aggregates that `facts(session, state)` loads (after the caller's access is checked)."""
    if not isinstance(command, c.Command):
        state, _ = await current(session, decider, stream_id)
        owned_by(principal)(state)
        command = command(*await facts(session, state))
    return await _handle(session, decider, save, stream_id, command, metadata, owned_by(principal))


# --- calls ---


async def call_command(session: Session, call_id: str, command: c.Command, metadata: Metadata) -> Outcome[Call]:
    return await _handle(session, call, store.save_call, call_id, command, metadata)


async def _call_window(session: Session, call_id: str) -> c.CallWindow:
    state, _ = await current(session, call, call_id)
    if state.status is None:
        raise errors.CallNotFound(f"no call {call_id}")
    return window(state)


# --- partner organisations ---


async def register_partner(session: Session, command: c.RegisterPartner, metadata: Metadata) -> Outcome[Partner]:
    return await _handle(session, partner, store.save_organisation, command.partner_id, command, metadata)


async def organisation_command(
    session: Session, partner_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Partner]:
    return await _handle(session, partner, store.save_organisation, partner_id, command, metadata, owned_by(principal))


async def _standing(session: Session, partner_id: str) -> c.PartnerStanding:
    state, _ = await current(session, partner, partner_id)
    if not state.registered:
        raise errors.PartnerNotFound(f"no partner organisation {partner_id}")
    return standing(state)


# --- proposals ---


async def draft_proposal(
    session: Session, proposal_id: str, call_id: str, partner_id: str, content, now: datetime, metadata: Metadata
) -> Outcome[Proposal]:
    command = c.DraftProposal(
        proposal_id=proposal_id, call=await _call_window(session, call_id),
        partner=await _standing(session, partner_id), content=content, now=now,
    )
    return await _handle(session, proposal, store.save_proposal, proposal_id, command, metadata)


async def proposal_command(
    session: Session, proposal_id: str,
    command: c.Command | Callable[[c.CallWindow, c.PartnerStanding], c.Command],
    metadata: Metadata, principal: Principal,
) -> Outcome[Proposal]:
    """`command` may need the call the proposal answers and its organisation's standing: then pass a
    function of both."""
    return await _owned_command(
        session, proposal, store.save_proposal, proposal_id, command, metadata, principal, facts=_proposal_facts
    )


async def _proposal_facts(session: Session, state: Proposal) -> tuple[c.CallWindow, c.PartnerStanding]:
    if state.call_id is None:
        raise errors.ProposalNotFound(f"no proposal {state.proposal_id}")
    return await _call_window(session, state.call_id), await _standing(session, state.partner_id)


async def approve_proposal(
    session: Session, proposal_id: str, action_id: str, metadata: Metadata, principal: Principal
) -> tuple[Outcome[Proposal], Outcome[Action]]:
    """Approval and the catalogue action it creates are one transaction: both or neither."""
    approved = await proposal_command(session, proposal_id, c.ApproveProposal(action_id=action_id), metadata, principal)
    state = approved.state
    theme = (await _call_window(session, state.call_id)).theme
    create = c.CreateAction(
        action_id=action_id, proposal_id=proposal_id, call_id=state.call_id, partner_id=state.partner_id,
        title=state.content.title, action_type=state.content.action_type, theme=theme,
        capacity_min=state.content.capacity_min, capacity_max=state.content.capacity_max,
    )
    created = await _handle(session, action, store.save_action, action_id, create, metadata)
    return approved, created


# --- catalogue actions ---


async def action_command(
    session: Session, action_id: str, command: c.Command | Callable[[c.PartnerStanding], c.Command],
    metadata: Metadata, principal: Principal,
) -> Outcome[Action]:
    """`command` may need the organisation's standing (scheduling): then pass a function of it."""
    return await _owned_command(
        session, action, store.save_action, action_id, command, metadata, principal, facts=_running_partner
    )


async def _running_partner(session: Session, state: Action) -> tuple[c.PartnerStanding]:
    if state.partner_id is None:
        raise errors.ActionNotFound("no such catalogue action")
    return (await _standing(session, state.partner_id),)
