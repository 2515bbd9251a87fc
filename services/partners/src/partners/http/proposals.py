"""Action proposals answering a call: written and submitted by a partner, reviewed with IPRO in a comment
thread, approved (which creates the catalogue action) or rejected."""

from __future__ import annotations

import uuid
from datetime import datetime
from operator import attrgetter

from pydantic import BaseModel, Field

from contracts import personal_data
from contracts.partners import ProposalCommented, ProposalContent
from kernel.aggregates import Aggregate
from kernel.api import After, Db, Id, IdFilter, Limit, Now, Page, Reason, RequestBody, Store
from kernel.decider import payloads
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal
from partners import access, handlers, queries
from partners.domain import commands as c
from partners.domain.proposal import Proposal, ProposalStatus
from partners.http.actions import NotScheduledView, SessionView
from partners.http.common import Discussant, Proposer, Reader, Reviewer, Rooms

router = service_router("/proposals", tags=["proposals"])


class DraftProposalRequest(RequestBody):
    call_id: str = Field(max_length=120)
    content: ProposalContent


class ReasonRequest(RequestBody):
    reason: Reason


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
    decision_reason: str | None = personal_data()  # free text that may name someone (ADR 31)
    comments: list[Comment]
    version: int


class ApprovalView(ProposalView):
    """The approved proposal, and what became of its planned sessions on the action it created."""

    scheduled_sessions: list[SessionView]
    planned_sessions_not_scheduled: list[NotScheduledView]


class ProposalSummary(BaseModel):
    proposal_id: str
    call_id: str
    partner_id: str
    status: ProposalStatus
    title: str
    action_type: str
    action_id: str | None


@router.post("", status_code=201, response_model=ProposalView, summary="Draft a proposal answering a call")
async def draft_proposal(body: DraftProposalRequest, principal: Proposer, commands: Commands, now: Now):
    command = c.DraftProposal(
        proposal_id=str(uuid.uuid4()),
        call_id=body.call_id,
        partner_id=access.own_organisation(principal),
        content=body.content,
        now=now,
    )

    async def action(session, metadata):
        return _view(await handlers.draft_proposal(session, command, metadata))

    return await commands.run(principal, action, location="/proposals/{proposal_id}")


@router.put("/{proposal_id}", response_model=ProposalView, summary="Revise a draft or a proposal sent back")
async def revise(proposal_id: Id, body: ProposalContent, principal: Proposer, commands: Commands, now: Now):
    return await _change(proposal_id, c.ReviseProposal(content=body, now=now), principal, commands)


@router.post("/{proposal_id}/submit", response_model=ProposalView, summary="Submit the proposal to IPRO")
async def submit(proposal_id: Id, principal: Proposer, commands: Commands, now: Now):
    return await _change(proposal_id, c.SubmitProposal(now=now), principal, commands)


@router.post(
    "/{proposal_id}/start-review", response_model=ProposalView, summary="Take the proposal in review"
)
async def start_review(proposal_id: Id, principal: Reviewer, commands: Commands):
    return await _change(proposal_id, c.StartReview(), principal, commands)


@router.post("/{proposal_id}/request-changes", response_model=ProposalView, summary="Send the proposal back")
async def request_changes(proposal_id: Id, body: ReasonRequest, principal: Reviewer, commands: Commands):
    return await _change(proposal_id, c.RequestChanges(reason=body.reason), principal, commands)


@router.post("/{proposal_id}/resubmit", response_model=ProposalView, summary="Resubmit after the changes")
async def resubmit(proposal_id: Id, principal: Proposer, commands: Commands, now: Now):
    return await _change(proposal_id, c.ResubmitProposal(now=now), principal, commands)


@router.post(
    "/{proposal_id}/approve",
    response_model=ApprovalView,
    summary="Approve the proposal: it becomes a catalogue action, with the sessions it planned",
    description=(
        "The catalogue action is created with the proposal's planned sessions as scheduled sessions, run by its "
        "facilitators, under the rules of scheduling. A planned session that can no longer be scheduled (past, "
        "the organisation not allowed in that day, its place or a facilitator taken) does not stop the "
        "approval: it is listed in `planned_sessions_not_scheduled` with the rule it broke, here and on the "
        "action. A planned place that is not one of the rooms of the call's establishment, once it has a list "
        "(`PARTNERS_ROOMS_FILE`), refuses the approval (422 `room-unknown`); PMSMP, escorted leaves and temp "
        "missions take people outside and name no room."
    ),
)
async def approve(proposal_id: Id, principal: Reviewer, commands: Commands, now: Now, rooms: Rooms):
    command = c.ApproveProposal(action_id=str(uuid.uuid4()), now=now)

    async def action(session, metadata):
        approved, created = await handlers.approve_proposal(
            session, proposal_id, command, metadata, principal, rooms
        )
        scheduled = sorted(created.state.sessions.values(), key=attrgetter("slot.starts_at"))
        return ApprovalView(
            **_view(approved).model_dump(),
            scheduled_sessions=[SessionView(**s.model_dump()) for s in scheduled],
            planned_sessions_not_scheduled=[
                NotScheduledView(**s.model_dump()) for s in created.state.planned_sessions_not_scheduled
            ],
        )

    return await commands.run(principal, action, status_code=200, resource="/proposals/{proposal_id}")


@router.post(
    "/{proposal_id}/reject", response_model=ProposalView, summary="Reject the proposal, with a reason"
)
async def reject(proposal_id: Id, body: ReasonRequest, principal: Reviewer, commands: Commands):
    return await _change(proposal_id, c.RejectProposal(reason=body.reason), principal, commands)


@router.post("/{proposal_id}/withdraw", response_model=ProposalView, summary="Withdraw the proposal")
async def withdraw(proposal_id: Id, body: WithdrawRequest, principal: Proposer, commands: Commands):
    return await _change(proposal_id, c.WithdrawProposal(reason=body.reason), principal, commands)


@router.post(
    "/{proposal_id}/comments",
    status_code=201,
    response_model=ProposalView,
    summary="Add a message to the proposal's review thread",
)
async def comment(proposal_id: Id, body: CommentRequest, principal: Discussant, commands: Commands):
    command = c.CommentOnProposal(comment_id=str(uuid.uuid4()), text=body.text)
    return await _change(proposal_id, command, principal, commands, status_code=201)


async def _change(
    proposal_id: str, command: c.Command, principal, commands: Commands, status_code: int = 200
):
    async def action(session, metadata):
        return _view(await handlers.proposal_command(session, proposal_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=status_code, resource="/proposals/{proposal_id}")


@router.get("", response_model=Page[ProposalSummary], summary="Proposals by call, status or organisation")
async def list_proposals(
    principal: Reader,
    db: Db,
    call_id: IdFilter = None,
    status: ProposalStatus | None = None,
    partner_id: IdFilter = None,
    limit: Limit = 100,
    after: After = None,
) -> Page[ProposalSummary]:
    async with db.acquire() as connection:
        listed = await queries.proposals(
            connection,
            call_id=call_id,
            status=status.value if status else None,
            partner_id=access.listed_organisation(principal, partner_id),
            limit=limit,
            after=after,
        )
    return Page.of(listed, [ProposalSummary.model_validate(dict(row)) for row in listed.rows])


@router.get("/{proposal_id}", response_model=ProposalView, summary="A proposal and its review thread")
async def get_proposal(proposal_id: Id, principal: Reader, store: Store, journal: Journal) -> ProposalView:
    # It names the partner's facilitators (personal data): journaled, masked for auditors (ADR 31).
    return _view(await handlers.read_proposal(store, proposal_id, principal))


def _view(found: Aggregate[Proposal]) -> ProposalView:
    state, stream = found.state, found.stream
    comments = [
        Comment(
            comment_id=event.comment_id,
            text=event.text,
            author=envelope.actor.subject,
            author_role=envelope.actor.role,
            written_at=envelope.occurred_at,
        )
        for envelope, event in zip(stream, payloads(stream), strict=True)
        if isinstance(event, ProposalCommented)
    ]
    return ProposalView(
        proposal_id=state.proposal_id,
        call_id=state.call_id,
        partner_id=state.partner_id,
        status=state.status,
        content=state.content,
        action_id=state.action_id,
        decision_reason=state.decision_reason,
        comments=comments,
        version=found.version,
    )
