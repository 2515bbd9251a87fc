import pytest

from contracts.partners import CallArchived, CallClosed, CallDrafted, CallPublished, CallRevised
from kernel.testing import given
from partners.domain.call import CallStatus, call, window
from partners.domain.commands import ArchiveCall, CloseCall, PublishCall, StartReview
from partners.domain.errors import (
    CallAlreadyExists,
    CallClosingDatePassed,
    CallDatesInvalid,
    CallNotClosed,
    CallNotDraft,
    CallNotFound,
    CallNotPublished,
)

from ..builders import (
    NOW,
    TODAY,
    a_call_archived,
    a_call_closed,
    a_call_drafted,
    a_call_published,
    a_call_revised,
    call_content,
    call_window,
    days_from_today,
    draft_call,
    paris_time,
    revise_call,
    utc,
)

DRAFT = (a_call_drafted(),)
PUBLISHED = (*DRAFT, a_call_published())
CLOSED = (*PUBLISHED, a_call_closed())
ARCHIVED = (*CLOSED, a_call_archived())


# --- drafting ---


def test_a_call_is_drafted():
    assert given(call).when(draft_call()) == [CallDrafted(call_id="call-1", content=call_content())]


def test_a_call_may_open_and_close_on_the_same_day():
    content = call_content(opens_on=TODAY, closes_on=TODAY)
    assert given(call).when(draft_call(content=content)) == [a_call_drafted(content=content)]


def test_a_call_closing_before_it_opens_is_refused():
    content = call_content(opens_on=days_from_today(5), closes_on=days_from_today(4))
    with pytest.raises(CallDatesInvalid) as refused:
        given(call).when(draft_call(content=content))
    assert refused.value.code == "call-dates-invalid"


def test_a_call_cannot_be_drafted_twice():
    with pytest.raises(CallAlreadyExists) as refused:
        given(call, *DRAFT).when(draft_call())
    assert refused.value.code == "call-already-exists"


# --- revising ---


def test_a_draft_call_is_revised():
    new_content = call_content(title="AMI Parentalité", target_themes=["parenting"])
    assert given(call, *DRAFT).when(revise_call(content=new_content)) == [
        CallRevised(call_id="call-1", content=new_content)
    ]


def test_a_draft_call_can_be_revised_more_than_once():
    assert given(call, *DRAFT, a_call_revised()).when(revise_call()) == [a_call_revised()]


def test_a_revision_closing_before_it_opens_is_refused():
    content = call_content(opens_on=days_from_today(5), closes_on=days_from_today(4))
    with pytest.raises(CallDatesInvalid):
        given(call, *DRAFT).when(revise_call(content=content))


@pytest.mark.parametrize("history", [PUBLISHED, CLOSED, ARCHIVED], ids=["published", "closed", "archived"])
def test_only_a_draft_call_is_revised(history):
    with pytest.raises(CallNotDraft) as refused:
        given(call, *history).when(revise_call())
    assert refused.value.code == "call-not-draft"


# --- publishing ---


def test_a_draft_call_is_published():
    assert given(call, *DRAFT).when(PublishCall(now=NOW)) == [CallPublished(call_id="call-1")]


def test_a_revised_call_is_published():
    assert given(call, *DRAFT, a_call_revised()).when(PublishCall(now=NOW)) == [a_call_published()]


def test_a_call_is_published_until_late_on_its_closing_day_paris_time():
    drafted = a_call_drafted(content=call_content(closes_on=TODAY))
    late_on_the_closing_day = utc(paris_time(0, 23, 30))
    assert given(call, drafted).when(PublishCall(now=late_on_the_closing_day)) == [a_call_published()]


def test_a_call_whose_closing_date_has_passed_is_not_published():
    content = call_content(opens_on=days_from_today(-10), closes_on=days_from_today(-1))
    drafted = a_call_drafted(content=content)
    with pytest.raises(CallClosingDatePassed) as refused:
        given(call, drafted).when(PublishCall(now=NOW))
    assert refused.value.code == "call-closing-date-passed"


def test_the_closing_date_has_passed_at_half_past_midnight_paris_time_even_if_utc_is_still_on_it():
    drafted = a_call_drafted(content=call_content(closes_on=TODAY))
    half_past_midnight = utc(paris_time(1, 0, 30))
    assert half_past_midnight.date() == TODAY  # still the closing day in UTC
    with pytest.raises(CallClosingDatePassed):
        given(call, drafted).when(PublishCall(now=half_past_midnight))


@pytest.mark.parametrize("history", [PUBLISHED, CLOSED, ARCHIVED], ids=["published", "closed", "archived"])
def test_only_a_draft_call_is_published(history):
    with pytest.raises(CallNotDraft):
        given(call, *history).when(PublishCall(now=NOW))


# --- closing ---


def test_a_published_call_is_closed_on_the_day_of_the_command():
    assert given(call, *PUBLISHED).when(CloseCall(now=NOW)) == [CallClosed(call_id="call-1", closed_on=TODAY)]


def test_a_call_closed_at_half_past_midnight_paris_time_is_closed_on_that_paris_day():
    assert given(call, *PUBLISHED).when(CloseCall(now=utc(paris_time(1, 0, 30)))) == [
        a_call_closed(closed_on=days_from_today(1))
    ]


@pytest.mark.parametrize("history", [DRAFT, CLOSED, ARCHIVED], ids=["draft", "closed", "archived"])
def test_only_a_published_call_is_closed(history):
    with pytest.raises(CallNotPublished) as refused:
        given(call, *history).when(CloseCall(now=NOW))
    assert refused.value.code == "call-not-published"


# --- archiving ---


def test_a_closed_call_is_archived():
    assert given(call, *CLOSED).when(ArchiveCall()) == [CallArchived(call_id="call-1")]


@pytest.mark.parametrize("history", [DRAFT, PUBLISHED, ARCHIVED], ids=["draft", "published", "archived"])
def test_only_a_closed_call_is_archived(history):
    with pytest.raises(CallNotClosed) as refused:
        given(call, *history).when(ArchiveCall())
    assert refused.value.code == "call-not-closed"


# --- unknown call, unknown command ---


@pytest.mark.parametrize(
    "command",
    [revise_call(), PublishCall(now=NOW), CloseCall(now=NOW), ArchiveCall()],
    ids=["revise", "publish", "close", "archive"],
)
def test_a_call_that_was_never_drafted_is_not_found(command):
    with pytest.raises(CallNotFound) as refused:
        given(call).when(command)
    assert refused.value.code == "call-not-found"


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(call, *DRAFT).when(StartReview())


# --- state ---


@pytest.mark.parametrize(
    "history, status",
    [
        (DRAFT, CallStatus.DRAFT),
        (PUBLISHED, CallStatus.PUBLISHED),
        (CLOSED, CallStatus.CLOSED),
        (ARCHIVED, CallStatus.ARCHIVED),
    ],
    ids=["draft", "published", "closed", "archived"],
)
def test_the_state_follows_the_lifecycle(history, status):
    assert call.fold(history).status == status


def test_a_revision_replaces_the_content():
    revised = call_content(title="AMI Parentalité")
    state = call.fold([*DRAFT, a_call_revised(content=revised)])
    assert state.content == revised and state.status == CallStatus.DRAFT


def test_the_window_of_a_published_call_is_open_to_proposals():
    assert window(call.fold(PUBLISHED)) == call_window()


@pytest.mark.parametrize("history", [DRAFT, CLOSED, ARCHIVED], ids=["draft", "closed", "archived"])
def test_the_window_of_a_call_that_is_not_published_is_closed_to_proposals(history):
    assert window(call.fold(history)) == call_window(published=False)
