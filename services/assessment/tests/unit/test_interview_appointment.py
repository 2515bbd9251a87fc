"""Interview appointments (convocations, issue 15): given the interview's events, when a command, then events
or the rule it breaks. The case the interview is on is `facts` (`case_facts`)."""

from datetime import timedelta

import pytest

from assessment.domain import errors
from assessment.domain.interview import ensure_room, interview
from contracts.assessment import InterviewType
from contracts.rooms import EstablishmentRooms, Room, RoomList
from kernel.testing import given

from ..builders import (
    APPOINTMENT,
    NOW,
    TODAY,
    an_interview_cancelled,
    an_interview_held,
    an_interview_rescheduled,
    an_interview_scheduled,
    cancel_interview,
    case_facts,
    record_interview,
    reschedule_interview,
    schedule_interview,
)

FACTS = case_facts()
SCHEDULED = (an_interview_scheduled(),)
CANCELLED = (*SCHEDULED, an_interview_cancelled())
HELD = (*SCHEDULED, an_interview_held(held_on=APPOINTMENT.date()))


# --- scheduling ---


def test_an_interview_is_scheduled_with_its_time_place_and_cpip():
    assert given(interview).when(schedule_interview(), FACTS) == [an_interview_scheduled()]


def test_the_room_is_named_without_surrounding_blanks():
    assert given(interview).when(schedule_interview(place="  Bureau SPIP 2 "), FACTS) == [
        an_interview_scheduled()
    ]


def test_the_appointment_lasts_its_duration():
    [scheduled] = given(interview).when(schedule_interview(duration_minutes=90), FACTS)
    assert scheduled.ends_at - scheduled.starts_at == timedelta(minutes=90)


def test_no_interview_is_scheduled_on_a_closed_case():
    with pytest.raises(errors.CaseClosed) as refused:
        given(interview).when(schedule_interview(), case_facts(closed=True))
    assert refused.value.code == "case-closed"


@pytest.mark.parametrize("starts_at", [NOW, NOW - timedelta(hours=1)], ids=["now", "an hour ago"])
def test_an_interview_is_not_scheduled_in_the_past(starts_at):
    with pytest.raises(errors.InterviewInThePast) as refused:
        given(interview).when(schedule_interview(starts_at=starts_at), FACTS)
    assert refused.value.code == "interview-in-the-past"
    assert "Friday 27 November 2026" in refused.value.message


def test_an_appointment_is_not_scheduled_twice():
    with pytest.raises(errors.InterviewAlreadyScheduled) as refused:
        given(interview, *SCHEDULED).when(schedule_interview(), FACTS)
    assert refused.value.code == "interview-already-scheduled"


# --- moving ---


def test_an_appointment_is_moved():
    assert given(interview, *SCHEDULED).when(reschedule_interview(), FACTS) == [an_interview_rescheduled()]


def test_a_move_keeps_the_duration_unless_given_and_may_change_the_room():
    later = APPOINTMENT + timedelta(hours=3)
    command = reschedule_interview(starts_at=later, duration_minutes=30, place="Bureau SPIP 1")
    assert given(interview, *SCHEDULED).when(command, FACTS) == [
        an_interview_rescheduled(
            starts_at=later, ends_at=later + timedelta(minutes=30), place="Bureau SPIP 1"
        )
    ]


def test_a_move_to_the_same_time_and_room_changes_nothing_and_is_refused():
    with pytest.raises(errors.InterviewUnchanged):
        given(interview, *SCHEDULED).when(reschedule_interview(starts_at=APPOINTMENT), FACTS)


def test_an_appointment_is_not_moved_into_the_past():
    with pytest.raises(errors.InterviewInThePast):
        given(interview, *SCHEDULED).when(reschedule_interview(starts_at=NOW - timedelta(days=1)), FACTS)


@pytest.mark.parametrize(
    ("history", "refusal"),
    [
        (CANCELLED, errors.InterviewCancelled),
        (HELD, errors.InterviewAlreadyHeld),
        ((), errors.InterviewNotFound),
    ],
    ids=["cancelled", "held", "never scheduled"],
)
def test_only_an_appointment_still_to_hold_is_moved_or_cancelled(history, refusal):
    for command in (reschedule_interview(), cancel_interview()):
        with pytest.raises(refusal):
            given(interview, *history).when(command, FACTS)


def test_an_interview_recorded_without_appointment_is_no_appointment_to_move():
    with pytest.raises(errors.InterviewNotFound):
        given(interview, an_interview_held()).when(reschedule_interview(), FACTS)


def test_no_appointment_is_moved_on_a_closed_case():
    with pytest.raises(errors.CaseClosed):
        given(interview, *SCHEDULED).when(reschedule_interview(), case_facts(closed=True))


# --- cancelling ---


def test_an_appointment_is_cancelled():
    assert given(interview, *SCHEDULED).when(cancel_interview(), FACTS) == [an_interview_cancelled()]


def test_an_appointment_is_not_cancelled_twice():
    with pytest.raises(errors.InterviewCancelled) as refused:
        given(interview, *CANCELLED).when(cancel_interview(), FACTS)
    assert refused.value.code == "interview-cancelled"


# --- holding it closes it ---


def test_holding_a_scheduled_interview_records_it_on_its_appointment():
    command = record_interview(held_on=TODAY, notes="", interview_type=InterviewType.MOTIVATIONAL)
    assert given(interview, *SCHEDULED).when(command, FACTS) == [
        an_interview_held(held_on=TODAY, interview_type=InterviewType.MOTIVATIONAL)
    ]


def test_the_held_appointment_keeps_its_time_and_room():
    state = interview.fold(HELD)
    assert (state.held_on, state.starts_at, state.place, state.cancelled) == (
        APPOINTMENT.date(),
        APPOINTMENT,
        "Bureau SPIP 2",
        False,
    )


def test_a_held_appointment_is_not_held_twice():
    with pytest.raises(errors.InterviewAlreadyRecorded):
        given(interview, *HELD).when(record_interview(notes=""), FACTS)


def test_a_cancelled_appointment_is_not_held():
    with pytest.raises(errors.InterviewCancelled):
        given(interview, *CANCELLED).when(record_interview(notes=""), FACTS)


def test_an_appointment_travels_on_the_shared_topic():
    """Its time and room are for the schedule and the movement list: nothing of what is said (ADR 29)."""
    assert not any(
        e.restricted for e in (an_interview_scheduled(), an_interview_rescheduled(), an_interview_cancelled())
    )


# --- rooms (ADR 29): the establishment's list, once it has one ---

ROOMS = RoomList(
    establishments=[
        EstablishmentRooms(
            establishment="InSERRE Arras", rooms=[Room(room_id="spip-2", name="Bureau SPIP 2")]
        )
    ]
)


@pytest.mark.parametrize(
    ("establishment", "place"), [("InSERRE Arras", " bureau spip  2"), ("CP Lille", "Parloir")]
)
def test_a_listed_room_or_any_place_of_an_establishment_without_a_list_is_accepted(establishment, place):
    assert ensure_room(ROOMS, establishment, place) is None


def test_a_place_not_on_the_establishments_list_is_refused_naming_the_list():
    with pytest.raises(errors.RoomUnknown) as refused:
        ensure_room(ROOMS, "InSERRE Arras", "Parloir 3")
    assert refused.value.message == "'Parloir 3' is not one of the rooms of InSERRE Arras: Bureau SPIP 2"
