import pytest

from assessment.domain import errors
from assessment.domain.errors import DateInTheFuture, DatesOutOfOrder, InterviewAlreadyRecorded
from assessment.domain.interview import Interview, interview
from contracts.assessment import InterviewHeld, InterviewNotesRecorded, InterviewType
from kernel.errors import DomainError
from kernel.testing import given

from ..builders import (
    ADMISSION,
    TODAY,
    an_interview_held,
    case_facts,
    days_from_today,
    interview_notes_recorded,
    record_interview,
    validate_plan,
)

HELD = (an_interview_held(),)
HELD_WITH_NOTES = (*HELD, interview_notes_recorded())


# --- recording ---


def test_an_interview_is_recorded_with_its_notes():
    assert given(interview).when(record_interview(), case_facts()) == [
        InterviewHeld(
            interview_id="interview-1",
            case_id="case-1",
            held_on=TODAY,
            interview_type=InterviewType.FOLLOW_UP,
        ),
        InterviewNotesRecorded(
            interview_id="interview-1", notes="Point sur la formation", confidential=False
        ),
    ]


def test_confidential_notes_are_recorded_as_such():
    command = record_interview(notes="Évoque des violences subies", confidential=True)
    assert given(interview).when(command, case_facts()) == [
        an_interview_held(),
        interview_notes_recorded(notes="Évoque des violences subies", confidential=True),
    ]


def test_the_notes_are_recorded_without_surrounding_blanks():
    assert given(interview).when(record_interview(notes="\n  Point sur la formation  \n"), case_facts()) == [
        an_interview_held(),
        interview_notes_recorded(),
    ]


@pytest.mark.parametrize("notes", ["", "  \n "], ids=["no notes", "blank notes"])
def test_an_interview_without_notes_records_only_that_it_took_place(notes):
    assert given(interview).when(record_interview(notes=notes, confidential=True), case_facts()) == [
        an_interview_held()
    ]


@pytest.mark.parametrize("interview_type", list(InterviewType))
def test_every_kind_of_interview_is_recorded(interview_type):
    [held] = given(interview).when(record_interview(interview_type=interview_type, notes=""), case_facts())
    assert held == an_interview_held(interview_type=interview_type)


@pytest.mark.parametrize(
    "held_on", [ADMISSION, days_from_today(-3)], ids=["on the admission day", "days ago"]
)
def test_an_interview_held_since_the_admission_is_recorded(held_on):
    assert given(interview).when(record_interview(held_on=held_on, notes=""), case_facts()) == [
        an_interview_held(held_on=held_on)
    ]


def test_an_interview_is_recorded_once_it_has_taken_place():
    with pytest.raises(DateInTheFuture) as refused:
        given(interview).when(record_interview(held_on=days_from_today(1)), case_facts())
    assert refused.value.code == "date-in-the-future"


def test_an_interview_dated_before_the_admission_is_refused():
    with pytest.raises(DatesOutOfOrder) as refused:
        given(interview).when(record_interview(held_on=days_from_today(-11)), case_facts())
    assert refused.value.code == "dates-out-of-order"


def test_no_interview_is_recorded_on_a_closed_case():
    with pytest.raises(errors.CaseClosed) as refused:
        given(interview).when(record_interview(), case_facts(closed=True))
    assert refused.value.code == "case-closed"


@pytest.mark.parametrize("history", [HELD, HELD_WITH_NOTES], ids=["without notes", "with notes"])
def test_an_interview_is_not_recorded_twice(history):
    with pytest.raises(InterviewAlreadyRecorded) as refused:
        given(interview, *history).when(record_interview(notes="Autre chose"), case_facts())
    assert refused.value.code == "interview-already-recorded"


def test_an_interview_recorded_twice_is_named_by_its_day_and_the_person():
    """Issue 13 #18: its id stays in the problem's members."""
    with pytest.raises(InterviewAlreadyRecorded) as refused:
        given(interview, *HELD).when(record_interview(), case_facts())
    assert refused.value.message == (
        "the interview of Friday 27 November 2026 with Jean Pierre Durand (écrou 62041A) is already recorded"
    )
    assert refused.value.members == {"interview_id": "interview-1"}


def test_only_the_notes_are_restricted():
    assert not an_interview_held().restricted
    assert interview_notes_recorded().restricted


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(interview).when(validate_plan(), case_facts())


# --- state ---


def test_the_state_of_an_interview_with_confidential_notes():
    assert interview.fold([*HELD, interview_notes_recorded(confidential=True)]) == Interview(
        interview_id="interview-1",
        case_id="case-1",
        held_on=TODAY,
        interview_type=InterviewType.FOLLOW_UP,
        notes="Point sur la formation",
        confidential=True,
    )


def test_the_state_of_an_interview_without_notes():
    state = interview.fold(HELD)
    assert (state.interview_id, state.notes, state.confidential) == ("interview-1", "", False)


# --- notes the event refuses (oversized) are a broken rule, not a crash ---


def test_oversized_notes_are_refused_as_a_broken_rule():
    with pytest.raises(DomainError):
        given(interview).when(record_interview(notes="x" * 20001), case_facts())
