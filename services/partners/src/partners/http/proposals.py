"""Action proposals answering a call: written and submitted by a partner, reviewed with IPRO in a comment
thread, approved (which creates the catalogue action) or rejected."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import Request
from pydantic import BaseModel, Field

from contracts import EventEnvelope
from contracts.partners import ProposalCommented, ProposalContent
from kernel.api import Limit, Offset, Page, RequestBody, now
from kernel.auth import Principal, ensure_organisation, organisation_scope
from kernel.commands import Commands
from kernel.decider import payloads
from kernel.http import service_router
from partners import handlers, queries
from partners.domain import commands as c
from partners.domain.errors import ProposalNotFound
from partners.domain.proposal import Proposal, ProposalStatus, proposal
from partners.http.common import Discussant, Id, IdFilter, Proposer, Reader, Reviewer, own_organisation

router = service_router("/proposals", tags=["proposals"])


class DraftProposalRequest(RequestBody):
    call_id: str = Field(max_length=64)
    content: ProposalContent


class ReasonRequest(RequestBody):
    reason: str = Field(min_length=1, max_length=1000)


class WithdrawRequest(RequestBody):
    reason: str = Field(default="", max_length=1000)


class CommentRequest(RequestBody):
    text: str = Field(min_length=1, max_length=4000)


class Comment(BaseModel):
    comment_id: str
    text: str
    author: str
    author_role: str
    written_at: datetime


class ProposalView(BaseModel):
    proposal_id: str
    call_id: str
    partner_id: str
    status: ProposalStatus
    content: ProposalContent
    action_id: str | None
    decision_reason: str | None
    comments: list[Comment]
    version: int


class ProposalSummary(BaseModel):
    proposal_id: str
    call_id: str
    partner_id: str
    status: ProposalStatus
    title: str
    action_type: str
    action_id: str | None


@router.post("", status_code=201, response_model=ProposalView, summary="Draft a proposal answering a call")
async def draft_proposal(body: DraftProposalRequest, principal: Proposer, commands: Commands, request: Request):
    partner_id, proposal_id = own_organisation(principal), str(uuid.uuid4())

    async def action(session, metadata):
        await handlers.draft_proposal(
            session, proposal_id, body.call_id, partner_id, body.content, now(request), metadata
        )
        return await _read(session, proposal_id)

    return await commands.run(principal, action, location=lambda view: f"/proposals/{view['proposal_id']}")


@router.put("/{proposal_id}", response_model=ProposalView, summary="Revise a draft or a proposal sent back")
async def revise(proposal_id: Id, body: ProposalContent, principal: Proposer, commands: Commands, request: Request):
    moment = now(request)
    return await _change(
        proposal_id, lambda call, _partner: c.ReviseProposal(content=body, call=call, now=moment), principal,
        commands,
    )


@router.post("/{proposal_id}/submit", response_model=ProposalView, summary="Submit the proposal to IPRO")
async def submit(proposal_id: Id, principal: Proposer, commands: Commands, request: Request):
    moment = now(request)
    return await _change(
        proposal_id, lambda call, partner: c.SubmitProposal(call=call, partner=partner, now=moment), principal,
        commands,
    )


@router.post("/{proposal_id}/start-review", response_model=ProposalView, summary="Take the proposal in review")
async def start_review(proposal_id: Id, principal: Reviewer, commands: Commands):
    return await _change(proposal_id, c.StartReview(), principal, commands)


@router.post("/{proposal_id}/request-changes", response_model=ProposalView, summary="Send the proposal back")
async def request_changes(proposal_id: Id, body: ReasonRequest, principal: Reviewer, commands: Commands):
    return await _change(proposal_id, c.RequestChanges(reason=body.reason), principal, commands)


@router.post("/{proposal_id}/resubmit", response_model=ProposalView, summary="Resubmit after the changes")
async def resubmit(proposal_id: Id, principal: Proposer, commands: Commands, request: Request):
    moment = now(request)
    return await _change(
        proposal_id, lambda _call, partner: c.ResubmitProposal(partner=partner, now=moment), principal, commands
    )


@router.post("/{proposal_id}/approve", response_model=ProposalView,
             summary="Approve the proposal: it becomes a catalogue action")
async def approve(proposal_id: Id, principal: Reviewer, commands: Commands):
    action_id = str(uuid.uuid4())

    async def action(session, metadata):
        await handlers.approve_proposal(session, proposal_id, action_id, metadata, principal)
        return await _read(session, proposal_id)

    return await commands.run(principal, action, status_code=200)


@router.post("/{proposal_id}/reject", response_model=ProposalView, summary="Reject the proposal, with a reason")
async def reject(proposal_id: Id, body: ReasonRequest, principal: Reviewer, commands: Commands):
    return await _change(proposal_id, c.RejectProposal(reason=body.reason), principal, commands)


@router.post("/{proposal_id}/withdraw", response_model=ProposalView, summary="Withdraw the proposal")
async def withdraw(proposal_id: Id, body: WithdrawRequest, principal: Proposer, commands: Commands):
    return await _change(proposal_id, c.WithdrawProposal(reason=body.reason), principal, commands)


@router.post("/{proposal_id}/comments", status_code=201, response_model=ProposalView,
             summary="Add a message to the proposal's review thread")
async def comment(proposal_id: Id, body: CommentRequest, principal: Discussant, commands: Commands):
    command = c.CommentOnProposal(comment_id=str(uuid.uuid4()), text=body.text)
    return await _change(proposal_id, command, principal, commands, status_code=201)


async def _change(proposal_id: str, command, principal: Principal, commands, status_code: int = 200):
    async def action(session, metadata):
        await handlers.proposal_command(session, proposal_id, command, metadata, principal)
        return await _read(session, proposal_id)

    return await commands.run(principal, action, status_code=status_code)


@router.get("", response_model=Page[ProposalSummary], summary="Proposals by call, status or organisation")
async def list_proposals(
    principal: Reader, request: Request, call_id: IdFilter = None, status: ProposalStatus | None = None,
    partner_id: IdFilter = None, limit: Limit = 100, offset: Offset = 0,
) -> Page[ProposalSummary]:
    if (scope := organisation_scope(principal)) is not None:
        if partner_id is not None:
            ensure_organisation(principal, partner_id)
        partner_id = scope
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await queries.proposals(
            connection, call_id=call_id, status=status.value if status else None, partner_id=partner_id,
            limit=limit, offset=offset,
        )
    return Page(total=total, items=[ProposalSummary.model_validate(dict(row)) for row in rows])


@router.get("/{proposal_id}", response_model=ProposalView, summary="A proposal and its review thread")
async def get_proposal(proposal_id: Id, principal: Reader, request: Request) -> ProposalView:
    view = await _read(request.app.state.event_store, proposal_id)
    ensure_organisation(principal, view.partner_id)
    return view


async def _read(reader, proposal_id: str) -> ProposalView:
    state, stream = await handlers.current(reader, proposal, proposal_id)
    if state.status is None:
        raise ProposalNotFound(f"no proposal {proposal_id}")
    return _view(state, stream)


def _view(state: Proposal, stream: list[EventEnvelope]) -> ProposalView:
    comments = [
        Comment(comment_id=event.comment_id, text=event.text, author=envelope.actor.subject,
                author_role=envelope.actor.role, written_at=envelope.occurred_at)
        for envelope, event in zip(stream, payloads(stream), strict=True)
        if isinstance(event, ProposalCommented)
    ]
    return ProposalView(
        proposal_id=state.proposal_id, call_id=state.call_id, partner_id=state.partner_id, status=state.status,
        content=state.content, action_id=state.action_id, decision_reason=state.decision_reason,
        comments=comments, version=stream[-1].stream_version,
    )
