"""Who takes a freed seat, and what a group's start and close, and a referral's end, mean for the others."""

from datetime import date

import pytest

from contracts.programmes import AttendanceMark
from programmes.domain import seats
from programmes.domain.commands import AssessParticipation, RemoveParticipant, StartParticipation, Withdraw
from programmes.domain.group import group
from programmes.domain.referral import ReferralStatus as S
from programmes.domain.referral import referral

from ..builders import (
    CLOSED_GROUP,
    ENROLLED_GROUP,
    ESTABLISHMENT,
    GROUP_START,
    OPEN_GROUP,
    RECORDED_GROUP,
    STARTED_GROUP,
    a_group_closed,
    a_group_started,
    a_mark,
    a_participant_left,
    a_participant_waitlisted,
    a_referral_dropped_out,
    a_referral_ended_on_release,
    a_referral_history,
    a_referral_withdrawn,
    an_attendance_recorded,
    completion_facts,
    every_session_recorded,
    everyone,
    participants_enrolled,
    ppr,
    programme_facts,
)

FULL_GROUP = (*OPEN_GROUP, *participants_enrolled(10))
FIRST, SECOND, THIRD = (
    a_participant_waitlisted(referral_id=f"referral-{n}", subject_id=f"person-{n}") for n in (11, 12, 13)
)
WAITING_LIST = (*FULL_GROUP, FIRST, SECOND, THIRD)


def seats_given(history, busy=()) -> list[str]:
    return [seat.referral_id for seat in seats.seats_to_give(group.fold(history), set(busy))]


# --- a freed seat ---


def test_a_freed_seat_goes_to_the_first_person_waiting():
    history = (*WAITING_LIST, a_participant_left(referral_id="referral-3"))
    assert seats.seats_to_give(group.fold(history), set()) == [seats.Seat("referral-11", "person-11")]


def test_a_freed_seat_skips_whoever_takes_part_elsewhere_at_the_groups_times():
    history = (*WAITING_LIST, a_participant_left(referral_id="referral-3"))
    assert seats_given(history, busy={"person-11"}) == ["referral-12"]


def test_as_many_people_take_a_seat_as_there_are_seats_left_in_waiting_list_order():
    history = (
        *WAITING_LIST,
        a_participant_left(referral_id="referral-3"),
        a_participant_left(referral_id="referral-4"),
    )
    assert seats_given(history) == ["referral-11", "referral-12"]


def test_a_seat_is_given_while_the_group_runs():
    history = (*WAITING_LIST, a_group_started(participants=10), a_participant_left(referral_id="referral-3"))
    assert seats_given(history) == ["referral-11"]


def test_a_full_group_gives_no_seat():
    assert seats_given(WAITING_LIST) == []


def test_no_seat_is_given_when_everyone_waiting_is_busy_at_the_groups_times():
    history = (*WAITING_LIST, a_participant_left(referral_id="referral-3"))
    assert seats_given(history, busy={"person-11", "person-12", "person-13"}) == []


def test_a_closed_group_gives_no_seat():
    history = (
        *FULL_GROUP,
        FIRST,
        a_group_started(participants=10),
        *every_session_recorded(count=10),
        a_participant_left(referral_id="referral-3"),
        a_group_closed(),
    )
    assert seats_given(history) == []


# --- the start ---


def test_when_a_group_starts_each_participant_starts():
    assert seats.on_start(group.fold(STARTED_GROUP)) == [
        (f"referral-{n}", StartParticipation(group_id="group-1")) for n in range(1, 7)
    ]


# --- the close ---


def test_when_a_group_closes_each_participant_is_assessed_on_their_attendance():
    marks = [a_mark("referral-1", AttendanceMark.ABSENT_UNEXCUSED), *everyone()[1:]]
    history = (
        *RECORDED_GROUP[:-1],
        an_attendance_recorded(session_id="group-1-s9", marks=marks),
        a_group_closed(closed_on=date(2027, 1, 27)),
    )
    follow_ups = seats.on_close(group.fold(history), programme_facts())

    assess = AssessParticipation(group_id="group-1", today=date(2027, 1, 27))
    assert follow_ups[0] == ("referral-1", assess, completion_facts(sessions_attended=8, sessions_counted=9))
    assert follow_ups[1:] == [
        (f"referral-{n}", assess, completion_facts(sessions_attended=9, sessions_counted=9))
        for n in range(2, 7)
    ]


def test_the_assessment_knows_the_programmes_threshold_and_the_group_it_certifies():
    programme = programme_facts(definition=ppr(code="PPR-VC", name="PPR violences", completion_threshold=0.8))
    (_, _, facts), *_ = seats.on_close(group.fold(CLOSED_GROUP), programme)
    assert facts == completion_facts(
        programme_code="PPR-VC",
        programme_name="PPR violences",
        threshold=0.8,
        establishment=ESTABLISHMENT,
        start_date=GROUP_START,
        sessions_attended=9,
        sessions_counted=9,
    )


def test_whoever_still_waits_when_the_group_closes_is_withdrawn_before_the_participants_are_assessed():
    history = (
        *FULL_GROUP,
        FIRST,
        SECOND,
        a_group_started(participants=10),
        *every_session_recorded(count=10),
        a_group_closed(),
    )
    follow_ups = seats.on_close(group.fold(history), programme_facts())
    withdrawn = Withdraw(reason=seats.GROUP_CLOSED_WHILE_WAITING)
    assert follow_ups[:2] == [("referral-11", withdrawn, None), ("referral-12", withdrawn, None)]
    assert [command for _, command, _ in follow_ups[2:]] == [
        AssessParticipation(group_id="group-1", today=date(2027, 1, 27))
    ] * 10


@pytest.mark.parametrize(
    "history", [pytest.param(ENROLLED_GROUP, id="open"), pytest.param(STARTED_GROUP, id="started")]
)
def test_a_group_not_closed_asks_nothing_of_its_people(history):
    assert seats.on_close(group.fold(history), programme_facts()) == []


# --- a referral that ends ---


@pytest.mark.parametrize(
    "before, ending, reason",
    [
        pytest.param(S.WAITING, a_referral_withdrawn(), "withdrawn", id="waiting, withdrawn"),
        pytest.param(S.ENROLLED, a_referral_ended_on_release(), "released", id="enrolled, released"),
        pytest.param(S.STARTED, a_referral_dropped_out(), "dropped_out", id="started, dropped out"),
    ],
)
def test_a_person_holding_a_seat_or_waiting_whose_referral_ends_leaves_the_group(before, ending, reason):
    """The group is told how the referral ended, never why (that is written about the person: issue 17)."""
    history = a_referral_history(before)
    leaving = seats.on_leaving(referral.fold(history), referral.fold([*history, ending]))
    assert leaving == ("group-1", RemoveParticipant(referral_id="referral-1", reason=reason))


def test_a_referral_ending_before_any_placement_leaves_no_group():
    history = a_referral_history(S.ELIGIBLE)
    assert seats.on_leaving(referral.fold(history), referral.fold([*history, a_referral_withdrawn()])) is None


def test_a_participant_who_starts_stays_in_the_group():
    assert (
        seats.on_leaving(
            referral.fold(a_referral_history(S.ENROLLED)), referral.fold(a_referral_history(S.STARTED))
        )
        is None
    )
