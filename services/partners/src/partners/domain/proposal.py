"""An action proposal answering a call: draft → submitted → under review → changes requested ⇄
resubmitted → approved / rejected; withdrawn by the partner before a decision. Review is co-construction:
each comment of the thread is an event."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.partners import (
    ProposalApproved,
    ProposalChangesRequested,
    ProposalCommented,
    ProposalContent,
    ProposalDrafted,
    ProposalRejected,
    ProposalResubmitted,
    ProposalReviewStarted,
    ProposalRevised,
    ProposalSubmitted,
    ProposalWithdrawn,
)
from kernel.clock import local_date
from kernel.decider import Decider
from kernel.wording import day, moment
from partners.domain import errors, names
from partners.domain.commands import (
    ApproveProposal,
    Command,
    CommentOnProposal,
    DraftProposal,
    RejectProposal,
    RequestChanges,
    ResubmitProposal,
    ReviseProposal,
    StartReview,
    SubmitProposal,
    WithdrawProposal,
)
from partners.domain.facts import CallWindow, PartnerStanding, ProposalFacts


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


DECIDED = {ProposalStatus.APPROVED, ProposalStatus.REJECTED}
EDITABLE = {ProposalStatus.DRAFT, ProposalStatus.CHANGES_REQUESTED}
AWAITING_REVIEW = {ProposalStatus.SUBMITTED, ProposalStatus.RESUBMITTED}
# How a sentence says a proposal's status: `the proposal «…» is a draft`.
_SAID = {
    ProposalStatus.DRAFT: "a draft",
    ProposalStatus.UNDER_REVIEW: "under review",
    ProposalStatus.CHANGES_REQUESTED: "back with its partner for changes",
}


class Proposal(BaseModel):
    model_config = ConfigDict(frozen=True)

    proposal_id: str | None = None
    call_id: str | None = None
    partner_id: str | None = None
    status: ProposalStatus | None = None
    content: ProposalContent | None = None
    action_id: str | None = None
    decision_reason: str | None = None
    comments: int = 0


initial_state = Proposal()


def decide(command: Command, state: Proposal, facts: ProposalFacts | None = None) -> list[Event]:
    if isinstance(command, DraftProposal):
        if state.status is not None:
            raise errors.ProposalAlreadyExists(
                f"{names.proposal(state.content.title)} already exists",
                existing=f"/proposals/{command.proposal_id}",
                proposal_id=command.proposal_id,
            )
        _ensure_still_partner(facts.partner)
        _ensure_call_open(facts.call, command.now)
        _check_content(command.content, facts.call, command.now)
        return [
            ProposalDrafted(
                proposal_id=command.proposal_id,
                call_id=command.call_id,
                partner_id=command.partner_id,
                content=command.content,
            )
        ]
    if state.status is None:
        raise errors.ProposalNotFound("no such proposal")
    named = names.proposal(state.content.title)
    if state.status == ProposalStatus.WITHDRAWN:
        raise errors.ProposalWithdrawn(f"{named} was withdrawn: nothing more can be recorded")
    proposal_id = state.proposal_id
    match command:
        case ReviseProposal():
            if state.status not in EDITABLE:
                raise errors.ProposalNotEditable(
                    f"{named} is {_said(state)}: a proposal is edited as a draft or when changes are requested"
                )
            _check_content(command.content, facts.call, command.now)
            return [ProposalRevised(proposal_id=proposal_id, content=command.content)]
        case SubmitProposal():
            if state.status != ProposalStatus.DRAFT:
                raise errors.ProposalNotDraft(f"{named} is {_said(state)}: only a draft is submitted")
            _ensure_still_partner(facts.partner)
            _ensure_call_open(facts.call, command.now)
            _check_sessions_ahead(state.content, command.now)
            return [ProposalSubmitted(proposal_id=proposal_id)]
        case StartReview():
            if state.status not in AWAITING_REVIEW:
                raise errors.ProposalNotAwaitingReview(
                    f"{named} is {_said(state)}: review starts on a submitted or resubmitted proposal"
                )
            return [ProposalReviewStarted(proposal_id=proposal_id)]
        case RequestChanges():
            _ensure_under_review(state, named)
            return [ProposalChangesRequested(proposal_id=proposal_id, reason=command.reason)]
        case ResubmitProposal():
            if state.status != ProposalStatus.CHANGES_REQUESTED:
                raise errors.ProposalNoChangesRequested(
                    f"{named} is {_said(state)}: a proposal is resubmitted only after a change request"
                )
            _ensure_still_partner(facts.partner)
            _check_sessions_ahead(state.content, command.now)
            return [ProposalResubmitted(proposal_id=proposal_id)]
        case ApproveProposal():
            _ensure_under_review(state, named)
            return [ProposalApproved(proposal_id=proposal_id, action_id=command.action_id)]
        case RejectProposal():
            _ensure_under_review(state, named)
            return [ProposalRejected(proposal_id=proposal_id, reason=command.reason)]
        case WithdrawProposal():
            if state.status in DECIDED:
                raise errors.ProposalAlreadyDecided(
                    f"{named} was already {state.status}: close its catalogue action instead"
                )
            return [ProposalWithdrawn(proposal_id=proposal_id, reason=command.reason)]
        case CommentOnProposal():
            return [
                ProposalCommented(proposal_id=proposal_id, comment_id=command.comment_id, text=command.text)
            ]
    raise TypeError(f"the proposal aggregate does not handle {type(command).__name__}")


def _said(state: Proposal) -> str:
    return _SAID.get(state.status, state.status.value)


def _ensure_still_partner(partner: PartnerStanding) -> None:
    if partner.withdrawn:
        raise errors.PartnerWithdrawn(
            f"{partner.name} was withdrawn: a withdrawn organisation cannot answer a call"
        )


def _ensure_call_open(call: CallWindow, now: datetime) -> None:
    today, named = local_date(now), names.call(call.title)
    if not call.published:  # a draft call is IPRO's own: nothing of it is told, its title included
        raise errors.CallNotPublished("the call is not open for proposals")
    if today < call.opens_on:
        raise errors.CallNotYetOpen(f"{named} opens on {day(call.opens_on)}")
    if today > call.closes_on:
        raise errors.CallClosingDatePassed(f"{named} closed on {day(call.closes_on)}")


def _check_content(content: ProposalContent, call: CallWindow, now: datetime) -> None:
    if content.capacity_min > content.capacity_max:
        raise errors.CapacityMinAboveMax(
            f"the minimum number of participants ({content.capacity_min}) is above the maximum "
            f"({content.capacity_max})"
        )
    if content.action_type not in call.target_themes:
        raise errors.ActionTypeNotInCallThemes(
            f"{names.call(call.title)} asks for {', '.join(call.target_themes)}, not {content.action_type}"
        )
    _check_sessions_ahead(content, now)


def _check_sessions_ahead(content: ProposalContent, now: datetime) -> None:
    for session in content.planned_sessions:
        if session.starts_at <= now:
            raise errors.SessionInThePast(
                f"the planned session on {moment(session.starts_at)} ({session.place}) is past"
            )


def _ensure_under_review(state: Proposal, named: str) -> None:
    if state.status != ProposalStatus.UNDER_REVIEW:
        raise errors.ProposalNotUnderReview(f"{named} is {_said(state)}: it must be under review first")


def evolve(state: Proposal, event: Event) -> Proposal:
    match event:
        case ProposalDrafted():
            return Proposal(
                proposal_id=event.proposal_id,
                call_id=event.call_id,
                partner_id=event.partner_id,
                status=ProposalStatus.DRAFT,
                content=event.content,
            )
        case ProposalRevised():
            return state.model_copy(update={"content": event.content})
        case ProposalSubmitted():
            return state.model_copy(update={"status": ProposalStatus.SUBMITTED})
        case ProposalReviewStarted():
            return state.model_copy(update={"status": ProposalStatus.UNDER_REVIEW})
        case ProposalChangesRequested():
            return state.model_copy(update={"status": ProposalStatus.CHANGES_REQUESTED})
        case ProposalResubmitted():
            return state.model_copy(update={"status": ProposalStatus.RESUBMITTED})
        case ProposalApproved():
            return state.model_copy(update={"status": ProposalStatus.APPROVED, "action_id": event.action_id})
        case ProposalRejected():
            return state.model_copy(
                update={"status": ProposalStatus.REJECTED, "decision_reason": event.reason}
            )
        case ProposalWithdrawn():
            return state.model_copy(update={"status": ProposalStatus.WITHDRAWN})
        case ProposalCommented():
            return state.model_copy(update={"comments": state.comments + 1})
    return state


proposal = Decider(stream_type="proposal", initial_state=initial_state, decide=decide, evolve=evolve)
