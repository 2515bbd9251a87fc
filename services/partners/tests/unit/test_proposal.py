from datetime import datetime, timedelta

import pytest

from contracts.partners import (
    ActionType,
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
)
from kernel.testing import given
from partners.domain import errors
from partners.domain.commands import (
    ApproveProposal,
    CommentOnProposal,
    PublishCall,
    RejectProposal,
    RequestChanges,
    StartReview,
    WithdrawProposal,
)
from partners.domain.errors import (
    ActionTypeNotInCallThemes,
    CallClosingDatePassed,
    CallNotPublished,
    CallNotYetOpen,
    CapacityMinAboveMax,
    ProposalAlreadyDecided,
    ProposalAlreadyExists,
    ProposalNoChangesRequested,
    ProposalNotAwaitingReview,
    ProposalNotDraft,
    ProposalNotEditable,
    ProposalNotFound,
    ProposalNotUnderReview,
    SessionInThePast,
)
from partners.domain.proposal import ProposalStatus, proposal

from ..builders import (
    NOW,
    TODAY,
    a_proposal_approved,
    a_proposal_commented,
    a_proposal_drafted,
    a_proposal_rejected,
    a_proposal_resubmitted,
    a_proposal_review_started,
    a_proposal_revised,
    a_proposal_submitted,
    a_proposal_withdrawn,
    call_window,
    changes_requested,
    days_from_today,
    decision,
    draft_proposal,
    paris_time,
    partner_standing,
    planned_session,
    proposal_content,
    resubmit_proposal,
    revise_proposal,
    submit_proposal,
    utc,
)

DRAFT = (a_proposal_drafted(),)
SUBMITTED = (*DRAFT, a_proposal_submitted())
UNDER_REVIEW = (*SUBMITTED, a_proposal_review_started())
CHANGES_REQUESTED = (*UNDER_REVIEW, changes_requested())
RESUBMITTED = (*CHANGES_REQUESTED, a_proposal_resubmitted())
UNDER_REVIEW_AGAIN = (*RESUBMITTED, a_proposal_review_started())
APPROVED = (*UNDER_REVIEW, a_proposal_approved())
REJECTED = (*UNDER_REVIEW, a_proposal_rejected())
WITHDRAWN = (*UNDER_REVIEW, a_proposal_withdrawn())

HISTORIES = {
    "draft": DRAFT,
    "submitted": SUBMITTED,
    "under review": UNDER_REVIEW,
    "changes requested": CHANGES_REQUESTED,
    "resubmitted": RESUBMITTED,
    "under review again": UNDER_REVIEW_AGAIN,
    "approved": APPROVED,
    "rejected": REJECTED,
}


def histories(*names: str) -> list:
    return [pytest.param(HISTORIES[name], id=name) for name in names]


def all_histories_but(*names: str) -> list:
    return histories(*(name for name in HISTORIES if name not in names))


def a_session_on(moment: datetime) -> ProposalContent:
    return proposal_content(planned_sessions=[planned_session(starts_at=moment)])


# --- drafting ---


def test_a_partner_drafts_a_proposal_answering_an_open_call():
    assert given(proposal).when(*draft_proposal()) == [
        ProposalDrafted(
            proposal_id="proposal-1", call_id="call-1", partner_id="partner-1", content=proposal_content()
        )
    ]


def test_a_proposal_may_plan_no_session_yet():
    content = proposal_content(planned_sessions=[])
    assert given(proposal).when(*draft_proposal(content=content)) == [a_proposal_drafted(content=content)]


def test_a_proposal_is_not_drafted_twice():
    with pytest.raises(ProposalAlreadyExists) as refused:
        given(proposal, *DRAFT).when(*draft_proposal())
    assert refused.value.code == "proposal-already-exists"


def test_a_withdrawn_organisation_cannot_answer_a_call():
    with pytest.raises(errors.PartnerWithdrawn) as refused:
        given(proposal).when(*draft_proposal(partner=partner_standing(withdrawn=True)))
    assert refused.value.code == "partner-withdrawn"


def test_a_proposal_to_a_call_that_is_not_published_is_refused():
    with pytest.raises(CallNotPublished) as refused:
        given(proposal).when(*draft_proposal(call=call_window(published=False)))
    assert refused.value.code == "call-not-published"


def test_a_proposal_before_the_opening_date_is_refused():
    call = call_window(opens_on=days_from_today(1))
    with pytest.raises(CallNotYetOpen) as refused:
        given(proposal).when(*draft_proposal(call=call))
    assert refused.value.code == "call-not-yet-open"


def test_a_proposal_after_the_closing_date_is_refused():
    call = call_window(opens_on=days_from_today(-30), closes_on=days_from_today(-1))
    with pytest.raises(CallClosingDatePassed) as refused:
        given(proposal).when(*draft_proposal(call=call))
    assert refused.value.code == "call-closing-date-passed"


def test_a_call_closing_on_day_d_still_accepts_a_proposal_at_23_30_paris_time_on_d():
    command, facts = draft_proposal(call=call_window(closes_on=TODAY), now=utc(paris_time(0, 23, 30)))
    assert given(proposal).when(command, facts) == [a_proposal_drafted()]


def test_a_call_closing_on_day_d_refuses_a_proposal_at_00_30_paris_time_on_the_next_day():
    # 00:30 in Paris on D+1 is still D in UTC: the establishment's calendar decides.
    command, facts = draft_proposal(call=call_window(closes_on=TODAY), now=utc(paris_time(1, 0, 30)))
    with pytest.raises(CallClosingDatePassed):
        given(proposal).when(command, facts)


def test_a_call_opening_on_day_d_accepts_a_proposal_from_midnight_paris_time():
    call = call_window(opens_on=days_from_today(1))
    half_past_midnight = utc(paris_time(1, 0, 30))
    half_past_eleven_the_day_before = utc(paris_time(0, 23, 30))
    assert given(proposal).when(*draft_proposal(call=call, now=half_past_midnight)) == [a_proposal_drafted()]
    with pytest.raises(CallNotYetOpen):
        given(proposal).when(*draft_proposal(call=call, now=half_past_eleven_the_day_before))


def test_a_proposal_may_take_exactly_as_many_participants_as_its_minimum():
    content = proposal_content(capacity_min=6, capacity_max=6)
    assert given(proposal).when(*draft_proposal(content=content)) == [a_proposal_drafted(content=content)]


def test_a_minimum_above_the_maximum_number_of_participants_is_refused():
    with pytest.raises(CapacityMinAboveMax) as refused:
        given(proposal).when(*draft_proposal(content=proposal_content(capacity_min=11, capacity_max=10)))
    assert refused.value.code == "capacity-min-above-max"


def test_an_action_type_the_call_does_not_ask_for_is_refused():
    with pytest.raises(ActionTypeNotInCallThemes) as refused:
        given(proposal).when(*draft_proposal(content=proposal_content(action_type=ActionType.ROAD_SAFETY)))
    assert refused.value.code == "action-type-not-in-call-themes"


@pytest.mark.parametrize("moment", [NOW, paris_time(-1, 14)], ids=["right now", "yesterday"])
def test_a_planned_session_in_the_past_is_refused(moment):
    with pytest.raises(SessionInThePast) as refused:
        given(proposal).when(*draft_proposal(content=a_session_on(moment)))
    assert refused.value.code == "session-in-the-past"


# --- revising ---


@pytest.mark.parametrize("history", histories("draft", "changes requested"))
def test_a_proposal_is_revised_as_a_draft_or_when_changes_are_requested(history):
    content = proposal_content(capacity_max=12)
    assert given(proposal, *history).when(*revise_proposal(content=content)) == [
        ProposalRevised(proposal_id="proposal-1", content=content)
    ]


def test_a_proposal_under_discussion_is_revised_after_the_call_closed():
    closed_call = call_window(published=False, opens_on=days_from_today(-40), closes_on=days_from_today(-10))
    assert given(proposal, *CHANGES_REQUESTED).when(*revise_proposal(call=closed_call)) == [
        a_proposal_revised()
    ]


@pytest.mark.parametrize("history", all_histories_but("draft", "changes requested"))
def test_a_proposal_is_not_revised_once_submitted_until_changes_are_requested(history):
    with pytest.raises(ProposalNotEditable) as refused:
        given(proposal, *history).when(*revise_proposal())
    assert refused.value.code == "proposal-not-editable"


@pytest.mark.parametrize(
    "content, error",
    [
        (proposal_content(capacity_min=11, capacity_max=10), CapacityMinAboveMax),
        (proposal_content(action_type=ActionType.ROAD_SAFETY), ActionTypeNotInCallThemes),
        (a_session_on(paris_time(-1, 14)), SessionInThePast),
    ],
    ids=["capacity", "action type", "session in the past"],
)
@pytest.mark.parametrize("history", histories("draft", "changes requested"))
def test_a_revision_follows_the_same_rules_as_the_draft(history, content, error):
    with pytest.raises(error):
        given(proposal, *history).when(*revise_proposal(content=content))


# --- submitting ---


def test_a_draft_proposal_is_submitted():
    assert given(proposal, *DRAFT).when(*submit_proposal()) == [ProposalSubmitted(proposal_id="proposal-1")]


def test_a_proposal_is_submitted_late_on_the_closing_day_paris_time():
    command, facts = submit_proposal(call=call_window(closes_on=TODAY), now=utc(paris_time(0, 23, 30)))
    assert given(proposal, *DRAFT).when(command, facts) == [a_proposal_submitted()]


@pytest.mark.parametrize("history", all_histories_but("draft"))
def test_only_a_draft_is_submitted(history):
    with pytest.raises(ProposalNotDraft) as refused:
        given(proposal, *history).when(*submit_proposal())
    assert refused.value.code == "proposal-not-draft"


def test_a_draft_is_not_submitted_after_the_closing_date():
    command, facts = submit_proposal(call=call_window(closes_on=TODAY), now=paris_time(1, 9))
    with pytest.raises(CallClosingDatePassed):
        given(proposal, *DRAFT).when(command, facts)


def test_a_draft_is_not_submitted_to_a_call_that_was_closed_early():
    with pytest.raises(CallNotPublished):
        given(proposal, *DRAFT).when(*submit_proposal(call=call_window(published=False)))


def test_a_draft_is_not_submitted_before_the_call_opens():
    with pytest.raises(CallNotYetOpen):
        given(proposal, *DRAFT).when(*submit_proposal(call=call_window(opens_on=days_from_today(2))))


def test_a_draft_whose_planned_session_has_passed_since_is_not_submitted():
    # drafted with a session in three days, submitted five days later
    with pytest.raises(SessionInThePast):
        given(proposal, *DRAFT).when(*submit_proposal(now=paris_time(5, 9)))


def test_the_sessions_checked_on_submission_are_those_of_the_last_revision():
    revised = a_proposal_revised(content=a_session_on(paris_time(10, 14)))
    assert given(proposal, *DRAFT, revised).when(*submit_proposal(now=paris_time(5, 9))) == [
        a_proposal_submitted()
    ]


# --- review ---


@pytest.mark.parametrize("history", histories("submitted", "resubmitted"))
def test_review_starts_on_a_submitted_or_resubmitted_proposal(history):
    assert given(proposal, *history).when(StartReview()) == [ProposalReviewStarted(proposal_id="proposal-1")]


@pytest.mark.parametrize("history", all_histories_but("submitted", "resubmitted"))
def test_review_does_not_start_on_a_proposal_that_is_not_awaiting_it(history):
    with pytest.raises(ProposalNotAwaitingReview) as refused:
        given(proposal, *history).when(StartReview())
    assert refused.value.code == "proposal-not-awaiting-review"


@pytest.mark.parametrize("history", histories("under review", "under review again"))
def test_changes_are_requested_on_a_proposal_under_review(history):
    assert given(proposal, *history).when(RequestChanges(reason="Préciser le public visé")) == [
        ProposalChangesRequested(proposal_id="proposal-1", reason="Préciser le public visé")
    ]


def test_a_proposal_is_resubmitted_after_a_change_request():
    assert given(proposal, *CHANGES_REQUESTED, a_proposal_revised()).when(
        *resubmit_proposal(partner=partner_standing(), now=NOW)
    ) == [ProposalResubmitted(proposal_id="proposal-1")]


@pytest.mark.parametrize(
    "history, command",
    [
        pytest.param(DRAFT, submit_proposal(partner=partner_standing(withdrawn=True)), id="submit"),
        pytest.param(
            CHANGES_REQUESTED,
            resubmit_proposal(partner=partner_standing(withdrawn=True), now=NOW),
            id="resubmit",
        ),
    ],
)
def test_a_withdrawn_organisation_no_longer_submits_what_it_drafted_before(history, command):
    with pytest.raises(errors.PartnerWithdrawn) as refused:
        given(proposal, *history).when(*decision(command))
    assert refused.value.code == "partner-withdrawn"


def test_a_proposal_whose_planned_sessions_have_passed_is_not_resubmitted():
    late = NOW + timedelta(days=30)
    with pytest.raises(SessionInThePast) as refused:
        given(proposal, *CHANGES_REQUESTED).when(*resubmit_proposal(partner=partner_standing(), now=late))
    assert refused.value.code == "session-in-the-past"


@pytest.mark.parametrize("history", all_histories_but("changes requested"))
def test_a_proposal_is_resubmitted_only_after_a_change_request(history):
    with pytest.raises(ProposalNoChangesRequested) as refused:
        given(proposal, *history).when(*resubmit_proposal(partner=partner_standing(), now=NOW))
    assert refused.value.code == "proposal-no-changes-requested"


@pytest.mark.parametrize("history", histories("under review", "under review again"))
def test_a_proposal_under_review_is_approved_as_a_catalogue_action(history):
    assert given(proposal, *history).when(ApproveProposal(action_id="action-7", now=NOW)) == [
        ProposalApproved(proposal_id="proposal-1", action_id="action-7")
    ]


@pytest.mark.parametrize("history", histories("under review", "under review again"))
def test_a_proposal_under_review_is_rejected(history):
    assert given(proposal, *history).when(RejectProposal(reason="Hors du champ de l'AMI")) == [
        ProposalRejected(proposal_id="proposal-1", reason="Hors du champ de l'AMI")
    ]


@pytest.mark.parametrize(
    "command",
    [
        RequestChanges(reason="Préciser"),
        ApproveProposal(action_id="action-1", now=NOW),
        RejectProposal(reason="Non"),
    ],
    ids=["request changes", "approve", "reject"],
)
@pytest.mark.parametrize("history", all_histories_but("under review", "under review again"))
def test_only_a_proposal_under_review_is_discussed_or_decided(history, command):
    with pytest.raises(ProposalNotUnderReview) as refused:
        given(proposal, *history).when(*decision(command))
    assert refused.value.code == "proposal-not-under-review"


# --- withdrawal ---


@pytest.mark.parametrize("history", all_histories_but("approved", "rejected"))
def test_a_partner_withdraws_a_proposal_before_the_decision(history):
    assert given(proposal, *history).when(WithdrawProposal(reason="Plus de formateur")) == [
        a_proposal_withdrawn(reason="Plus de formateur")
    ]


def test_a_withdrawal_needs_no_reason():
    assert given(proposal, *DRAFT).when(WithdrawProposal()) == [a_proposal_withdrawn(reason="")]


@pytest.mark.parametrize("history", histories("approved", "rejected"))
def test_a_decided_proposal_is_not_withdrawn(history):
    with pytest.raises(ProposalAlreadyDecided) as refused:
        given(proposal, *history).when(WithdrawProposal(reason="Trop tard"))
    assert refused.value.code == "proposal-already-decided"


COMMANDS_AFTER_DRAFTING = [
    pytest.param(revise_proposal(), id="revise"),
    pytest.param(submit_proposal(), id="submit"),
    pytest.param(StartReview(), id="start review"),
    pytest.param(RequestChanges(reason="Préciser"), id="request changes"),
    pytest.param(resubmit_proposal(partner=partner_standing(), now=NOW), id="resubmit"),
    pytest.param(ApproveProposal(action_id="action-1", now=NOW), id="approve"),
    pytest.param(RejectProposal(reason="Non"), id="reject"),
    pytest.param(WithdrawProposal(reason="Encore"), id="withdraw again"),
    pytest.param(CommentOnProposal(comment_id="comment-1", text="Bonjour"), id="comment"),
]


@pytest.mark.parametrize("command", COMMANDS_AFTER_DRAFTING)
def test_withdrawal_is_final(command):
    with pytest.raises(errors.ProposalWithdrawn) as refused:
        given(proposal, *WITHDRAWN).when(*decision(command))
    assert refused.value.code == "proposal-withdrawn"


# --- the co-construction thread ---


@pytest.mark.parametrize("history", all_histories_but())
def test_anyone_involved_comments_on_a_proposal_whatever_its_status(history):
    command = CommentOnProposal(comment_id="comment-3", text="Pouvez-vous préciser le matériel ?")
    assert given(proposal, *history).when(*decision(command)) == [
        ProposalCommented(
            proposal_id="proposal-1", comment_id="comment-3", text="Pouvez-vous préciser le matériel ?"
        )
    ]


# --- unknown proposal, unknown command ---


@pytest.mark.parametrize("command", COMMANDS_AFTER_DRAFTING)
def test_a_proposal_that_was_never_drafted_is_not_found(command):
    with pytest.raises(ProposalNotFound) as refused:
        given(proposal).when(*decision(command))
    assert refused.value.code == "proposal-not-found"


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(proposal, *DRAFT).when(PublishCall(now=NOW))


# --- state ---


@pytest.mark.parametrize(
    "history, status",
    [
        (DRAFT, ProposalStatus.DRAFT),
        (SUBMITTED, ProposalStatus.SUBMITTED),
        (UNDER_REVIEW, ProposalStatus.UNDER_REVIEW),
        (CHANGES_REQUESTED, ProposalStatus.CHANGES_REQUESTED),
        (RESUBMITTED, ProposalStatus.RESUBMITTED),
        (UNDER_REVIEW_AGAIN, ProposalStatus.UNDER_REVIEW),
        (APPROVED, ProposalStatus.APPROVED),
        (REJECTED, ProposalStatus.REJECTED),
        (WITHDRAWN, ProposalStatus.WITHDRAWN),
    ],
    ids=[*HISTORIES, "withdrawn"],
)
def test_the_state_follows_the_review(history, status):
    assert proposal.fold(history).status == status


def test_the_state_records_the_outcome_and_the_thread():
    approved = proposal.fold(
        [*APPROVED, a_proposal_commented(), a_proposal_commented(comment_id="comment-2")]
    )
    assert (approved.action_id, approved.comments, approved.decision_reason) == ("action-1", 2, None)
    rejected = proposal.fold(REJECTED)
    assert (rejected.action_id, rejected.decision_reason) == (None, "Hors du champ de l'AMI")


def test_the_state_keeps_the_last_revision_and_what_it_answers():
    revised = a_proposal_revised(content=proposal_content(title="Atelier CV"))
    state = proposal.fold([*CHANGES_REQUESTED, revised])
    assert state.content.title == "Atelier CV"
    assert (state.proposal_id, state.call_id, state.partner_id) == ("proposal-1", "call-1", "partner-1")


# --- what refusals say (issue 13 #18) ---


def test_a_late_proposal_is_refused_naming_the_call_by_its_title_and_its_closing_day():
    """Issue 13 #18: days as users read them."""
    call = call_window(opens_on=days_from_today(-30), closes_on=days_from_today(-1))
    with pytest.raises(CallClosingDatePassed) as refused:
        given(proposal).when(*draft_proposal(call=call))
    assert refused.value.message == "the call «AMI Espace citoyen 2027» closed on Thursday 26 November 2026"


def test_a_proposal_not_under_review_is_named_by_its_title_and_its_status():
    """Issue 13 #18."""
    with pytest.raises(errors.ProposalNotUnderReview) as refused:
        given(proposal, *CHANGES_REQUESTED).when(*decision(RejectProposal(reason="Hors sujet")))
    assert refused.value.message == (
        "the proposal «Atelier CV et lettre de motivation» is back with its partner for changes: it must be "
        "under review first"
    )


def test_a_withdrawn_organisation_is_named():
    """Issue 13 #18."""
    with pytest.raises(errors.PartnerWithdrawn) as refused:
        given(proposal).when(*draft_proposal(partner=partner_standing(withdrawn=True)))
    assert refused.value.message == (
        "Association Ressources Emploi was withdrawn: a withdrawn organisation cannot answer a call"
    )


def test_a_call_not_published_is_not_named_to_the_partner():
    """A draft call is IPRO's own: a partner is told nothing of it, not even its title."""
    with pytest.raises(errors.CallNotPublished) as refused:
        given(proposal).when(*draft_proposal(call=call_window(published=False)))
    assert "AMI Espace citoyen" not in refused.value.message
