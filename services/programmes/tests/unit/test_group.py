from datetime import UTC, date, datetime, time, timedelta

import pytest

from contracts.programmes import (
    AttendanceMark,
    AttendanceRecorded,
    CatchUpSessionAdded,
    FacilitatorNotesRecorded,
    GroupClosed,
    GroupOpened,
    GroupSessionCancelled,
    GroupSessionMoved,
    GroupStarted,
    ParticipantEnrolled,
    ParticipantLeft,
    ParticipantWaitlisted,
)
from kernel.clock import LOCAL_TIME_ZONE, local_date
from kernel.errors import InvalidValue
from kernel.testing import given
from programmes.domain import errors
from programmes.domain.group import GroupStatus, group, participation

from ..builders import (
    AFTER_THE_LAST_SESSION,
    BY_A_CPIP,
    BY_A_DPIP,
    CLOSED_GROUP,
    ENROLLED_GROUP,
    FACILITATORS,
    GROUP_END,
    GROUP_START,
    NOW,
    OPEN_GROUP,
    PLANNED_GROUP,
    RECORDED_GROUP,
    ROOM,
    SESSION_DATES,
    STARTED_GROUP,
    TODAY,
    a_catch_up_session,
    a_catch_up_session_added,
    a_group_closed,
    a_group_planned,
    a_group_started,
    a_mark,
    a_participant_enrolled,
    a_participant_left,
    a_participant_waitlisted,
    a_session_cancelled,
    a_session_moved,
    add_catch_up_session,
    an_attendance_recorded,
    cancel_session,
    close_group,
    days_from_today,
    during,
    enrol_participant,
    every_session_recorded,
    everyone,
    facilitator_notes_recorded,
    local,
    move_session,
    open_group,
    participants_enrolled,
    plan_group,
    planned_by_the_decider,
    ppr,
    programme_facts,
    record_attendance,
    record_consent,
    remove_participant,
    start_group,
    waitlist_participant,
    weekly_pattern,
)

A, L, EX, UN, XS = (
    AttendanceMark.PRESENT,
    AttendanceMark.LATE,
    AttendanceMark.ABSENT_EXCUSED,
    AttendanceMark.ABSENT_UNEXCUSED,
    AttendanceMark.EXCLUDED_FROM_SESSION,
)

FULL_GROUP = (*OPEN_GROUP, *participants_enrolled(10))
FULL_WITH_A_WAITING_LIST = (*FULL_GROUP, a_participant_waitlisted())
STARTED_FULL_GROUP = (*FULL_GROUP, a_group_started(participants=10))
FIRST_SESSION_HELD = (*STARTED_GROUP, an_attendance_recorded())

HISTORIES = {
    "planned": PLANNED_GROUP,
    "open": OPEN_GROUP,
    "open with participants": ENROLLED_GROUP,
    "started": STARTED_GROUP,
    "started, every session recorded": RECORDED_GROUP,
}
BEFORE_THE_START = ("planned", "open", "open with participants")
BEFORE_THE_LAST_SESSION = (*BEFORE_THE_START, "started")


def histories(*names: str) -> list:
    return [pytest.param(HISTORIES[name], id=name) for name in names]


def every_command() -> list:
    return [
        pytest.param(open_group(), id="open"),
        pytest.param(start_group(), id="start"),
        pytest.param(move_session(), id="move a session"),
        pytest.param(cancel_session(), id="cancel a session"),
        pytest.param(add_catch_up_session(), id="add a catch-up session"),
        pytest.param(enrol_participant(referral_id="referral-20"), id="enrol"),
        pytest.param(waitlist_participant(), id="waitlist"),
        pytest.param(remove_participant(), id="remove a participant"),
        pytest.param(record_attendance(), id="record attendance"),
        pytest.param(close_group(), id="close"),
    ]


def refused(error: type, code: str, history, command, facts=None) -> None:
    with pytest.raises(error) as raised:
        given(group, *history).when(command, facts)
    assert raised.value.code == code


# --- planning ---


def test_a_group_is_planned_with_the_sessions_its_weekly_pattern_generates():
    assert given(group).when(plan_group(), programme_facts()) == [a_group_planned()]


def test_the_group_keeps_the_programme_version_its_minimum_and_its_sensitivity():
    programme = programme_facts(version=3, definition=ppr(group_min=4, sensitive=True))
    assert given(group).when(plan_group(), programme) == [
        a_group_planned(programme_version=3, minimum=4, sensitive=True)
    ]


def test_the_partner_organisations_the_dpip_names_co_facilitate_each_once():
    """Security review L3: a partner runs a group because its organisation is named, not by a label."""
    planning = plan_group(partner_organisations=["org-1", "org-2", "org-1"])
    assert given(group).when(planning, programme_facts()) == [
        a_group_planned(partner_organisations=["org-1", "org-2"])
    ]


def test_a_group_planned_naming_no_organisation_has_no_partner_and_keeps_its_labels():
    (planned,) = given(group).when(plan_group(facilitators=["cpip-1", "partenaire-1"]), programme_facts())
    state = group.fold([planned])
    assert (state.partner_organisations, state.facilitators) == ([], ["cpip-1", "partenaire-1"])


def test_planning_a_group_without_its_programmes_facts_is_a_programming_error():
    with pytest.raises(TypeError):
        given(group).when(plan_group())


def test_eight_planned_sessions_and_a_review_session_make_nine_the_last_one_flagged_review():
    sessions = planned_by_the_decider().sessions
    assert [(s.number, s.review) for s in sessions] == [(n, n == 9) for n in range(1, 10)]
    assert [local_date(s.starts_at) for s in sessions] == SESSION_DATES


def test_a_programme_without_a_review_session_plans_its_sessions_only():
    programme = programme_facts(definition=ppr(review_session=False))
    sessions = planned_by_the_decider(programme=programme).sessions
    assert len(sessions) == 8
    assert not any(s.review for s in sessions)


def test_sessions_are_planned_on_the_first_pattern_weekday_and_every_so_many_weeks():
    command = dict(
        start_date=days_from_today(0),
        end_date=date(2027, 4, 30),
        pattern=weekly_pattern(weekday=3, every_weeks=2),
    )
    days = [local_date(s.starts_at) for s in planned_by_the_decider(**command).sessions]
    assert days[:3] == [date(2026, 12, 3), date(2026, 12, 17), date(2026, 12, 31)]
    assert days[-1] == date(2027, 3, 25)


def test_sessions_keep_their_local_time_when_summer_time_starts():
    planned = planned_by_the_decider(start_date=date(2027, 3, 1), end_date=date(2027, 4, 30))
    local_times = [s.starts_at.astimezone(LOCAL_TIME_ZONE) for s in planned.sessions]
    assert [t.date() for t in local_times][3:6] == [date(2027, 3, 23), date(2027, 3, 30), date(2027, 4, 6)]
    assert {t.time() for t in local_times} == {time(14, 0)}
    assert [s.starts_at.astimezone(UTC).hour for s in planned.sessions][3:5] == [13, 12]


@pytest.mark.parametrize("capacity", [6, 8, 10])
def test_a_group_takes_as_many_people_as_the_programme_allows(capacity):
    assert given(group).when(plan_group(capacity=capacity), programme_facts()) == [
        a_group_planned(capacity=capacity)
    ]


@pytest.mark.parametrize("capacity", [1, 5, 11, 100])
def test_a_capacity_outside_the_programmes_limits_is_refused(capacity):
    refused(
        errors.CapacityOutsideProgrammeLimits,
        "capacity-outside-programme-limits",
        (),
        plan_group(capacity=capacity),
        programme_facts(),
    )


def test_no_group_of_a_withdrawn_programme_is_planned():
    refused(
        errors.ProgrammeWithdrawn, "programme-withdrawn", (), plan_group(), programme_facts(withdrawn=True)
    )


def test_a_group_may_start_today():
    assert given(group).when(plan_group(start_date=TODAY), programme_facts()) == [
        a_group_planned(start_date=TODAY)
    ]


@pytest.mark.parametrize(
    "start_date, end_date",
    [
        pytest.param(days_from_today(-1), GROUP_END, id="starting yesterday"),
        pytest.param(GROUP_START, GROUP_START - timedelta(days=1), id="ending before it starts"),
    ],
)
def test_a_group_runs_from_today_or_later_and_ends_after_it_starts(start_date, end_date):
    refused(
        errors.GroupPeriodInvalid,
        "group-period-invalid",
        (),
        plan_group(start_date=start_date, end_date=end_date),
        programme_facts(),
    )


def test_a_group_may_end_on_the_day_of_its_last_session():
    last_day = SESSION_DATES[-1]
    assert given(group).when(plan_group(end_date=last_day), programme_facts()) == [
        a_group_planned(end_date=last_day)
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param(
            dict(end_date=SESSION_DATES[-1] - timedelta(days=1)), id="the last session the day after"
        ),
        pytest.param(dict(end_date=GROUP_START), id="one day for nine sessions"),
        pytest.param(dict(pattern=weekly_pattern(every_weeks=2)), id="every other week"),
    ],
)
def test_sessions_that_the_pattern_puts_after_the_end_date_are_refused(overrides):
    refused(
        errors.SessionOutsideGroupPeriod,
        "session-outside-group-period",
        (),
        plan_group(**overrides),
        programme_facts(),
    )


def test_a_group_without_facilitators_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", (), plan_group(facilitators=[]), programme_facts())


@pytest.mark.parametrize("history", [*histories(*HISTORIES), pytest.param(CLOSED_GROUP, id="closed")])
def test_a_group_is_planned_once(history):
    refused(errors.GroupAlreadyExists, "group-already-exists", history, plan_group(), programme_facts())


def test_the_planned_group_is_known_by_its_state():
    state = group.fold(PLANNED_GROUP)
    assert (state.group_id, state.programme_id, state.programme_version, state.status) == (
        "group-1",
        "programme-1",
        1,
        GroupStatus.PLANNED,
    )
    assert (state.capacity, state.minimum, state.seats_left, state.room) == (10, 6, 10, ROOM)
    assert (state.start_date, state.end_date) == (GROUP_START, GROUP_END)
    assert list(state.sessions) == [f"group-1-s{n}" for n in range(1, 10)]
    assert all(s.pending for s in state.sessions.values())


def test_facilitators_are_recognised_whatever_their_case_and_spaces():
    state = group.fold(PLANNED_GROUP)
    assert state.is_facilitator(" CPIP-1 ") and state.is_facilitator(FACILITATORS[1])
    assert not state.is_facilitator("cpip-2")


# --- opening ---


def test_a_planned_group_is_opened_for_enrolment():
    assert given(group, *PLANNED_GROUP).when(open_group()) == [GroupOpened(group_id="group-1")]
    assert group.fold(OPEN_GROUP).status == GroupStatus.OPEN


@pytest.mark.parametrize("history", histories("open", "open with participants", "started"))
def test_only_a_planned_group_is_opened(history):
    refused(errors.GroupNotPlanned, "group-not-planned", history, open_group())


# --- start ---


def test_a_group_starts_with_its_participants():
    assert given(group, *ENROLLED_GROUP).when(start_group()) == [
        GroupStarted(group_id="group-1", participants=6, below_minimum_reason="")
    ]
    assert group.fold(STARTED_GROUP).status == GroupStatus.STARTED


def test_a_full_group_starts():
    assert given(group, *FULL_GROUP).when(start_group()) == [a_group_started(participants=10)]


@pytest.mark.parametrize("history", histories("planned", "started"))
def test_only_a_group_open_for_enrolment_starts(history):
    refused(errors.GroupNotOpenForEnrolment, "group-not-open-for-enrolment", history, start_group())


@pytest.mark.parametrize("participants", [0, 1, 5])
def test_a_group_below_its_minimum_size_does_not_start(participants):
    history = (*OPEN_GROUP, *participants_enrolled(participants))
    refused(errors.GroupBelowMinimum, "group-below-minimum", history, start_group())


def test_a_dpip_does_not_start_a_group_below_its_minimum_without_a_reason():
    history = (*OPEN_GROUP, *participants_enrolled(5))
    refused(errors.GroupBelowMinimum, "group-below-minimum", history, start_group(), BY_A_DPIP)


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_a_blank_reason_is_no_reason(reason):
    history = (*OPEN_GROUP, *participants_enrolled(5))
    refused(
        errors.GroupBelowMinimum, "group-below-minimum", history, start_group(below_minimum_reason=reason)
    )


def test_a_dpip_starts_a_group_below_its_minimum_with_a_reason():
    history = (*OPEN_GROUP, *participants_enrolled(5))
    command = start_group(below_minimum_reason="  Transferts imprévus ")
    assert given(group, *history).when(command, BY_A_DPIP) == [
        a_group_started(participants=5, below_minimum_reason="Transferts imprévus")
    ]


@pytest.mark.parametrize("caller", [pytest.param(BY_A_CPIP, id="a cpip"), pytest.param(None, id="no caller")])
def test_only_a_dpip_starts_a_group_below_its_minimum(caller):
    history = (*OPEN_GROUP, *participants_enrolled(5))
    refused(
        errors.OverrideNeedsDpip,
        "override-needs-dpip",
        history,
        start_group(below_minimum_reason="Transferts imprévus"),
        caller,
    )


def test_the_reason_is_dropped_when_the_minimum_is_met():
    command = start_group(below_minimum_reason="Au cas où")
    assert given(group, *ENROLLED_GROUP).when(command, BY_A_DPIP) == [a_group_started(participants=6)]


# --- moving a session ---


@pytest.mark.parametrize("history", histories(*BEFORE_THE_LAST_SESSION))
def test_a_session_to_come_is_moved_and_keeps_its_length_and_room(history):
    command = move_session(session_id="group-1-s9", starts_at=local(GROUP_END, 9))
    assert given(group, *history).when(command) == [
        GroupSessionMoved(
            group_id="group-1",
            session_id="group-1-s9",
            starts_at=local(GROUP_END, 9),
            ends_at=local(GROUP_END, 11),
            room=ROOM,
        )
    ]


def test_a_session_is_moved_to_another_room():
    assert given(group, *OPEN_GROUP).when(move_session(room="Salle 2")) == [a_session_moved(room="Salle 2")]


def test_a_session_may_be_moved_to_the_first_and_last_days_of_the_group():
    first_day = given(group, *OPEN_GROUP).when(
        move_session(session_id="group-1-s2", starts_at=local(GROUP_START, 9))
    )
    last_day = given(group, *OPEN_GROUP).when(move_session(starts_at=local(GROUP_END, 17)))
    assert (first_day[0].starts_at, last_day[0].ends_at) == (local(GROUP_START, 9), local(GROUP_END, 19))


def test_the_group_period_is_in_local_days():
    """00:30 on the group's first day in Paris is still the day before in UTC."""
    just_after_midnight = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    command = move_session(session_id="group-1-s2", starts_at=just_after_midnight)
    assert given(group, *OPEN_GROUP).when(command) == [
        a_session_moved(
            session_id="group-1-s2",
            starts_at=just_after_midnight,
            ends_at=just_after_midnight + timedelta(hours=2),
        )
    ]
    refused(
        errors.SessionOutsideGroupPeriod,
        "session-outside-group-period",
        OPEN_GROUP,
        move_session(starts_at=datetime(2027, 1, 29, 23, 30, tzinfo=UTC)),
    )


def test_a_moved_session_keeps_its_number_and_review_flag():
    moved = a_session_moved(
        session_id="group-1-s9", starts_at=local(GROUP_END), ends_at=local(GROUP_END, 16), room="Salle 2"
    )
    session = group.fold([*OPEN_GROUP, moved]).sessions["group-1-s9"].session
    assert (session.number, session.review, session.starts_at, session.room) == (
        9,
        True,
        local(GROUP_END),
        "Salle 2",
    )


@pytest.mark.parametrize(
    "now", [pytest.param(local(GROUP_START), id="as it starts"), pytest.param(during(1), id="once started")]
)
def test_a_session_that_has_started_is_not_moved(now):
    refused(
        errors.SessionInThePast,
        "session-in-the-past",
        OPEN_GROUP,
        move_session(starts_at=local(SESSION_DATES[1], 10), now=now),
    )


@pytest.mark.parametrize("starts_at", [NOW, NOW - timedelta(hours=1)], ids=["now", "an hour ago"])
def test_a_session_is_not_moved_to_the_past(starts_at):
    refused(errors.SessionInThePast, "session-in-the-past", OPEN_GROUP, move_session(starts_at=starts_at))


@pytest.mark.parametrize(
    "starts_at",
    [
        pytest.param(local(GROUP_START - timedelta(days=1)), id="before the group's start"),
        pytest.param(local(GROUP_END + timedelta(days=1)), id="after the group's end"),
    ],
)
def test_a_session_is_not_moved_outside_the_group_period(starts_at):
    refused(
        errors.SessionOutsideGroupPeriod,
        "session-outside-group-period",
        OPEN_GROUP,
        move_session(starts_at=starts_at),
    )


def test_a_moved_session_is_found_at_its_new_time():
    history = (*STARTED_GROUP, a_session_moved())
    refused(errors.SessionNotYetStarted, "session-not-yet-started", history, record_attendance(now=during(1)))
    held = record_attendance(now=local(date(2026, 12, 2), 14, 30))
    assert given(group, *history).when(held) == [an_attendance_recorded()]


# --- refused on a cancelled, held or unknown session (move, cancel) ---


def session_commands() -> list:
    return [
        pytest.param(move_session(now=NOW), id="move"),
        pytest.param(cancel_session(now=AFTER_THE_LAST_SESSION), id="cancel"),
    ]


@pytest.mark.parametrize("command", session_commands())
def test_an_unknown_session_is_not_found(command):
    refused(
        errors.SessionNotFound,
        "session-not-found",
        STARTED_GROUP,
        command.model_copy(update={"session_id": "group-1-s42"}),
    )


@pytest.mark.parametrize("command", session_commands())
def test_a_cancelled_session_is_neither_moved_nor_cancelled_again(command):
    refused(errors.SessionCancelled, "session-cancelled", (*STARTED_GROUP, a_session_cancelled()), command)


@pytest.mark.parametrize("command", session_commands())
def test_a_held_session_is_neither_moved_nor_cancelled(command):
    refused(errors.SessionAlreadyHeld, "session-already-held", FIRST_SESSION_HELD, command)


# --- cancelling a session ---


@pytest.mark.parametrize("history", histories(*BEFORE_THE_LAST_SESSION))
def test_a_session_is_cancelled_with_a_reason(history):
    assert given(group, *history).when(cancel_session(session_id="group-1-s9")) == [
        GroupSessionCancelled(group_id="group-1", session_id="group-1-s9", reason="Mouvement social")
    ]


def test_a_session_that_did_not_take_place_is_cancelled_afterwards():
    command = cancel_session(now=AFTER_THE_LAST_SESSION)
    assert given(group, *STARTED_GROUP).when(command) == [a_session_cancelled()]


def test_a_cancellation_without_a_reason_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", STARTED_GROUP, cancel_session(reason=""))


def test_a_cancelled_session_is_no_longer_pending():
    session = group.fold([*OPEN_GROUP, a_session_cancelled()]).sessions["group-1-s1"]
    assert (session.cancelled, session.held, session.pending) == (True, False, False)


# --- catch-up sessions ---


@pytest.mark.parametrize("history", histories(*HISTORIES))
def test_a_catch_up_session_is_numbered_after_the_last_one_and_lasts_a_session(history):
    assert given(group, *history).when(add_catch_up_session()) == [
        CatchUpSessionAdded(group_id="group-1", session=a_catch_up_session())
    ]


def test_a_catch_up_session_may_be_in_another_room():
    assert given(group, *STARTED_GROUP).when(add_catch_up_session(room="Salle 2")) == [
        a_catch_up_session_added(session=a_catch_up_session(room="Salle 2"))
    ]


def test_catch_up_sessions_are_numbered_one_after_the_other():
    second = local(date(2026, 12, 10))
    history = (*STARTED_GROUP, a_catch_up_session_added())
    (added,) = given(group, *history).when(add_catch_up_session(starts_at=second))
    session = added.session
    assert (session.session_id, session.number, session.catch_up) == ("group-1-s11", 11, True)


def test_a_catch_up_session_lasts_as_long_as_the_groups_sessions():
    planned = a_group_planned(pattern=weekly_pattern(duration_minutes=90))
    (added,) = given(group, planned).when(add_catch_up_session())
    assert added.session.ends_at - added.session.starts_at == timedelta(minutes=90)


def test_a_catch_up_session_is_in_the_past_before_the_period_is_checked():
    refused(
        errors.SessionInThePast,
        "session-in-the-past",
        STARTED_GROUP,
        add_catch_up_session(starts_at=local(GROUP_START), now=AFTER_THE_LAST_SESSION),
    )


@pytest.mark.parametrize("starts_at", [NOW, NOW - timedelta(days=1)], ids=["now", "yesterday"])
def test_a_catch_up_session_is_not_added_in_the_past(starts_at):
    refused(
        errors.SessionInThePast,
        "session-in-the-past",
        STARTED_GROUP,
        add_catch_up_session(starts_at=starts_at),
    )


@pytest.mark.parametrize(
    "starts_at",
    [
        pytest.param(local(GROUP_START - timedelta(days=1)), id="before the group's start"),
        pytest.param(local(GROUP_END + timedelta(days=1)), id="after the group's end"),
    ],
)
def test_a_catch_up_session_is_not_added_outside_the_group_period(starts_at):
    refused(
        errors.SessionOutsideGroupPeriod,
        "session-outside-group-period",
        STARTED_GROUP,
        add_catch_up_session(starts_at=starts_at),
    )


def test_a_catch_up_session_is_a_pending_session_of_the_group():
    state = group.fold([*STARTED_GROUP, a_catch_up_session_added()])
    assert state.sessions["group-1-s10"].pending


# --- enrolment ---


@pytest.mark.parametrize("history", histories("open", "open with participants", "started"))
def test_a_person_takes_a_seat_in_a_group_open_for_enrolment_or_started(history):
    command = enrol_participant(referral_id="referral-7", subject_id="person-7")
    assert given(group, *history).when(command) == [
        ParticipantEnrolled(group_id="group-1", referral_id="referral-7", subject_id="person-7")
    ]


def test_a_planned_group_is_not_open_for_enrolment_yet():
    refused(
        errors.GroupNotOpenForEnrolment, "group-not-open-for-enrolment", PLANNED_GROUP, enrol_participant()
    )


@pytest.mark.parametrize("history", histories("open with participants", "started"))
def test_a_participant_is_enrolled_once(history):
    refused(errors.ReferralAlreadyPlaced, "referral-already-placed", history, enrol_participant())


@pytest.mark.parametrize(
    "history", [pytest.param(FULL_GROUP, id="open"), pytest.param(STARTED_FULL_GROUP, id="started")]
)
def test_no_one_is_enrolled_in_a_full_group(history):
    refused(errors.GroupFull, "group-full", history, enrol_participant(referral_id="referral-11"))


def test_a_seat_freed_goes_to_the_person_waiting_who_leaves_the_waiting_list():
    history = (*FULL_WITH_A_WAITING_LIST, a_participant_left(referral_id="referral-3"))
    command = enrol_participant(referral_id="referral-11", subject_id="person-11")
    assert given(group, *history).when(command) == [
        a_participant_enrolled(referral_id="referral-11", subject_id="person-11")
    ]
    state = group.fold([*history, a_participant_enrolled(referral_id="referral-11", subject_id="person-11")])
    assert (state.waiting, state.seats_left, len(state.participants)) == ({}, 0, 10)


def test_participants_are_kept_in_order_of_enrolment():
    state = group.fold(ENROLLED_GROUP)
    assert list(state.participants.items()) == [(f"referral-{n}", f"person-{n}") for n in range(1, 7)]
    assert state.seats_left == 4


# --- waiting list ---


@pytest.mark.parametrize(
    "history", [pytest.param(FULL_GROUP, id="open"), pytest.param(STARTED_FULL_GROUP, id="started")]
)
def test_a_person_waits_for_a_seat_in_a_full_group(history):
    assert given(group, *history).when(waitlist_participant()) == [
        ParticipantWaitlisted(group_id="group-1", referral_id="referral-11", subject_id="person-11")
    ]


@pytest.mark.parametrize("history", histories("open", "open with participants", "started"))
def test_no_one_waits_while_the_group_has_seats(history):
    refused(errors.GroupHasSeats, "group-has-seats", history, waitlist_participant())


def test_a_planned_group_has_no_waiting_list_yet():
    refused(
        errors.GroupNotOpenForEnrolment, "group-not-open-for-enrolment", PLANNED_GROUP, waitlist_participant()
    )


@pytest.mark.parametrize(
    "referral_id",
    [pytest.param("referral-11", id="already waiting"), pytest.param("referral-1", id="participant")],
)
def test_a_person_waits_once_and_not_for_a_seat_they_have(referral_id):
    refused(
        errors.ReferralAlreadyPlaced,
        "referral-already-placed",
        FULL_WITH_A_WAITING_LIST,
        waitlist_participant(referral_id=referral_id),
    )


def test_the_waiting_list_is_kept_in_order():
    history = [
        *FULL_GROUP,
        a_participant_waitlisted(referral_id="referral-12", subject_id="person-12"),
        a_participant_waitlisted(),
    ]
    assert list(group.fold(history).waiting) == ["referral-12", "referral-11"]


# --- leaving ---


@pytest.mark.parametrize(
    "history, referral_id",
    [
        pytest.param(ENROLLED_GROUP, "referral-1", id="a participant of an open group"),
        pytest.param(STARTED_GROUP, "referral-1", id="a participant of a started group"),
        pytest.param(FULL_WITH_A_WAITING_LIST, "referral-11", id="a person waiting"),
    ],
)
def test_a_person_leaving_frees_their_seat_or_place(history, referral_id):
    command = remove_participant(referral_id=referral_id)
    assert given(group, *history).when(command) == [
        ParticipantLeft(group_id="group-1", referral_id=referral_id, reason="dropped_out")
    ]
    state = group.fold([*history, a_participant_left(referral_id=referral_id)])
    assert referral_id not in state.participants and referral_id not in state.waiting


def test_a_seat_freed_is_a_seat_left():
    assert group.fold([*FULL_GROUP, a_participant_left()]).seats_left == 1


@pytest.mark.parametrize("history", histories(*HISTORIES))
def test_removing_someone_who_is_not_in_the_group_changes_nothing(history):
    assert given(group, *history).when(remove_participant(referral_id="referral-42")) == []


# --- attendance ---


def test_the_attendance_of_a_held_session_is_recorded_each_mark_naming_its_participant():
    """The participant whose key seals the mark's reason (issue 17): the group's own, not the caller's."""
    marks = [
        a_mark("referral-1", L),
        a_mark("referral-2", EX, "Audience au tribunal"),
        a_mark("referral-3", UN),
        a_mark("referral-4", XS, "Propos violents"),
        *everyone(A)[4:],
    ]
    named = [m.model_copy(update={"subject_id": f"person-{n}"}) for n, m in enumerate(marks, start=1)]
    assert given(group, *STARTED_GROUP).when(record_attendance(marks=marks)) == [
        AttendanceRecorded(group_id="group-1", session_id="group-1-s1", marks=named)
    ]
    told = [m.model_copy(update={"subject_id": "person-99"}) for m in marks]
    (recorded,) = given(group, *STARTED_GROUP).when(record_attendance(marks=told))
    assert [m.subject_id for m in recorded.marks] == [f"person-{n}" for n in range(1, 7)]


def test_a_session_is_recorded_as_soon_as_it_starts_and_then_is_held():
    command = record_attendance(now=local(GROUP_START))
    assert given(group, *STARTED_GROUP).when(command) == [an_attendance_recorded()]
    session = group.fold(FIRST_SESSION_HELD).sessions["group-1-s1"]
    assert (session.held, session.pending) == (True, False)


@pytest.mark.parametrize("history", histories(*BEFORE_THE_START))
def test_attendance_is_recorded_once_the_group_has_started(history):
    refused(errors.GroupNotStarted, "group-not-started", history, record_attendance(marks=[]))


def test_the_attendance_of_an_unknown_session_is_not_recorded():
    refused(
        errors.SessionNotFound,
        "session-not-found",
        STARTED_GROUP,
        record_attendance(session_id="group-1-s42"),
    )


def test_a_cancelled_session_has_no_attendance():
    refused(
        errors.SessionCancelled,
        "session-cancelled",
        (*STARTED_GROUP, a_session_cancelled()),
        record_attendance(),
    )


@pytest.mark.parametrize(
    "now", [NOW, local(GROUP_START) - timedelta(minutes=1)], ids=["days before", "a minute before"]
)
def test_a_session_that_has_not_started_has_no_attendance_yet(now):
    refused(errors.SessionNotYetStarted, "session-not-yet-started", STARTED_GROUP, record_attendance(now=now))


def test_a_person_who_is_not_a_participant_is_not_marked():
    marks = [*everyone(), a_mark("referral-42")]
    refused(
        errors.AttendanceNonParticipant,
        "attendance-non-participant",
        STARTED_GROUP,
        record_attendance(marks=marks),
    )


def test_a_person_waiting_for_a_seat_is_not_marked():
    history = (*STARTED_FULL_GROUP, a_participant_waitlisted())
    refused(
        errors.AttendanceNonParticipant,
        "attendance-non-participant",
        history,
        record_attendance(marks=[*everyone(count=10), a_mark("referral-11")]),
    )


def test_a_participant_who_left_is_not_marked():
    history = (*STARTED_GROUP, a_participant_left(referral_id="referral-6"))
    refused(errors.AttendanceNonParticipant, "attendance-non-participant", history, record_attendance())
    assert given(group, *history).when(record_attendance(marks=everyone(count=5))) == [
        an_attendance_recorded(marks=everyone(count=5))
    ]


@pytest.mark.parametrize("marks", [everyone(count=5), []], ids=["one missing", "none"])
def test_every_participant_is_marked(marks):
    refused(
        errors.AttendanceIncomplete, "attendance-incomplete", STARTED_GROUP, record_attendance(marks=marks)
    )


def test_a_participant_enrolled_after_the_start_is_marked_too():
    history = (*STARTED_GROUP, a_participant_enrolled(referral_id="referral-7", subject_id="person-7"))
    refused(errors.AttendanceIncomplete, "attendance-incomplete", history, record_attendance())


def test_a_participant_marked_twice_is_an_invalid_value():
    marks = [*everyone(), a_mark("referral-1", UN)]
    refused(InvalidValue, "value-invalid", STARTED_GROUP, record_attendance(marks=marks))


@pytest.mark.parametrize("mark", [EX, XS])
@pytest.mark.parametrize("reason", ["", "  "], ids=["empty", "blank"])
def test_an_excused_absence_or_an_exclusion_from_the_session_needs_a_reason(mark, reason):
    marks = [a_mark("referral-1", mark, reason), *everyone()[1:]]
    refused(errors.ReasonRequired, "reason-required", STARTED_GROUP, record_attendance(marks=marks))


@pytest.mark.parametrize("mark", [A, L, UN])
def test_other_marks_need_no_reason(mark):
    marks = [a_mark("referral-1", mark), *everyone()[1:]]
    assert given(group, *STARTED_GROUP).when(record_attendance(marks=marks)) == [
        an_attendance_recorded(marks=marks)
    ]


def test_the_facilitators_notes_are_a_restricted_event_of_their_own():
    events = given(group, *STARTED_GROUP).when(record_attendance(notes="  Groupe attentif \n"))
    assert events == [
        an_attendance_recorded(),
        FacilitatorNotesRecorded(group_id="group-1", session_id="group-1-s1", notes="Groupe attentif"),
    ]
    assert [e.restricted for e in events] == [False, True]


def test_blank_notes_are_no_notes():
    assert given(group, *STARTED_GROUP).when(record_attendance(notes=" \n ")) == [an_attendance_recorded()]


def test_oversized_notes_are_an_invalid_value():
    refused(InvalidValue, "value-invalid", STARTED_GROUP, record_attendance(notes="x" * 8001))


def test_a_held_session_is_recorded_again_and_its_marks_replaced():
    corrected = [a_mark("referral-1", UN), *everyone()[1:]]
    assert given(group, *FIRST_SESSION_HELD, facilitator_notes_recorded()).when(
        record_attendance(marks=corrected, now=during(2))
    ) == [an_attendance_recorded(marks=corrected)]
    state = group.fold([*FIRST_SESSION_HELD, an_attendance_recorded(marks=corrected)])
    assert state.marks["referral-1"] == {"group-1-s1": UN}
    assert state.marks["referral-2"] == {"group-1-s1": A}


def test_a_correction_needs_only_those_it_marked_the_first_time_not_a_newcomer():
    newcomer = a_participant_enrolled(referral_id="referral-7", subject_id="person-7")
    corrected = [a_mark("referral-1", UN), *everyone()[1:]]
    assert given(group, *FIRST_SESSION_HELD, newcomer).when(
        record_attendance(marks=corrected, now=during(2))
    ) == [an_attendance_recorded(marks=corrected)]


def test_a_first_record_marks_every_participant_including_a_newcomer():
    newcomer = a_participant_enrolled(referral_id="referral-7", subject_id="person-7")
    refused(
        errors.AttendanceIncomplete, "attendance-incomplete", [*STARTED_GROUP, newcomer], record_attendance()
    )


def test_anyone_starting_a_group_at_its_minimum_needs_no_override():
    command = start_group(below_minimum_reason="Au cas où")
    assert given(group, *ENROLLED_GROUP).when(command, BY_A_CPIP) == [
        GroupStarted(group_id="group-1", participants=6, below_minimum_reason="")
    ]


# --- participation ---


def test_a_participant_present_at_every_session_attended_them_all():
    assert participation(group.fold(RECORDED_GROUP), "referral-1") == (9, 9)


def test_a_participant_without_marks_has_no_participation():
    assert participation(group.fold(STARTED_GROUP), "referral-1") == (0, 0)
    assert participation(group.fold(RECORDED_GROUP), "referral-42") == (0, 0)


@pytest.mark.parametrize(
    "marks, expected",
    [
        pytest.param([A, A, A], (3, 3), id="present"),
        pytest.param([L, L, A], (3, 3), id="late counts as attended"),
        pytest.param([EX, EX, A], (1, 1), id="excused absences are not counted"),
        pytest.param([UN, A, A], (2, 3), id="unexcused absences are counted"),
        pytest.param([XS, A, L], (2, 3), id="exclusions from the session are counted"),
        pytest.param([EX, EX, EX], (0, 0), id="excused from every session"),
    ],
)
def test_participation_counts_the_sessions_held_while_a_participant(marks, expected):
    history = [*STARTED_GROUP]
    for number, mark in enumerate(marks, start=1):
        reason = "Motif" if mark in (EX, XS) else ""
        history.append(
            an_attendance_recorded(
                session_id=f"group-1-s{number}", marks=[a_mark("referral-1", mark, reason), *everyone()[1:]]
            )
        )
    assert participation(group.fold(history), "referral-1") == expected


def test_a_session_recorded_twice_counts_once_with_its_last_marks():
    corrected = [a_mark("referral-1", UN), *everyone()[1:]]
    history = [*FIRST_SESSION_HELD, an_attendance_recorded(marks=corrected)]
    assert participation(group.fold(history), "referral-1") == (0, 1)


def test_a_participant_enrolled_late_counts_from_the_sessions_they_were_marked_at():
    late = a_participant_enrolled(referral_id="referral-7", subject_id="person-7")
    history = [
        *FIRST_SESSION_HELD,
        late,
        an_attendance_recorded(session_id="group-1-s2", marks=everyone(count=7)),
    ]
    assert participation(group.fold(history), "referral-7") == (1, 1)


# --- close ---


def test_a_started_group_whose_sessions_are_all_recorded_closes():
    assert given(group, *RECORDED_GROUP).when(close_group(today=date(2027, 1, 27))) == [
        GroupClosed(group_id="group-1", closed_on=date(2027, 1, 27))
    ]
    assert group.fold(CLOSED_GROUP).status == GroupStatus.CLOSED


def test_cancelled_sessions_need_no_attendance_to_close():
    history = (*STARTED_GROUP, *every_session_recorded()[:8], a_session_cancelled(session_id="group-1-s9"))
    assert given(group, *history).when(close_group()) == [a_group_closed()]


@pytest.mark.parametrize("history", histories(*BEFORE_THE_START))
def test_a_group_closes_once_it_has_started(history):
    refused(errors.GroupNotStarted, "group-not-started", history, close_group())


@pytest.mark.parametrize(
    "history",
    [
        pytest.param(STARTED_GROUP, id="no session recorded"),
        pytest.param((*STARTED_GROUP, *every_session_recorded()[:8]), id="the review session not recorded"),
        pytest.param((*RECORDED_GROUP, a_catch_up_session_added()), id="a catch-up session not recorded"),
    ],
)
def test_a_group_does_not_close_before_each_session_is_recorded_or_cancelled(history):
    refused(errors.SessionsNotRecorded, "sessions-not-recorded", history, close_group())


@pytest.mark.parametrize("command", [p for p in every_command() if p.id != "remove a participant"])
def test_nothing_is_recorded_once_the_group_is_closed(command):
    refused(errors.GroupClosed, "group-closed", CLOSED_GROUP, command)


def test_a_referral_ending_after_the_close_leaves_the_register_as_it_was():
    assert given(group, *CLOSED_GROUP).when(remove_participant()) == []
    assert "referral-1" in group.fold(CLOSED_GROUP).participants


# --- unknown group, unknown command ---


@pytest.mark.parametrize("command", every_command())
def test_a_group_that_was_never_planned_is_not_found(command):
    refused(errors.GroupNotFound, "group-not-found", (), command)


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(group, *STARTED_GROUP).when(record_consent())


# --- what refusals say (issue 13 #18) ---


@pytest.mark.parametrize(
    ("history", "command", "error", "message"),
    [
        pytest.param(
            (*STARTED_GROUP, a_session_cancelled()),
            move_session(),
            errors.SessionCancelled,
            "session 1 on Tuesday 1 December 2026 at 14:00 (Salle d'activités 1) was cancelled",
            id="cancelled session",
        ),
        pytest.param(
            STARTED_GROUP,
            record_attendance(now=NOW),
            errors.SessionNotYetStarted,
            "session 1 on Tuesday 1 December 2026 at 14:00 (Salle d'activités 1) has not started: attendance is "
            "recorded once it has",
            id="session to come",
        ),
        pytest.param(
            (*STARTED_GROUP, *every_session_recorded()[:8]),
            close_group(),
            errors.SessionsNotRecorded,
            "1 session(s) have neither attendance nor a cancellation: record the attendance or the cancellation "
            "of the review session on Tuesday 26 January 2027 at 14:00 (Salle d'activités 1) before closing the "
            "group",
            id="review session not recorded",
        ),
        pytest.param(
            CLOSED_GROUP,
            open_group(),
            errors.GroupClosed,
            "the group starting on Tuesday 1 December 2026 closed on Wednesday 27 January 2027: nothing more can "
            "be recorded",
            id="closed group",
        ),
        pytest.param(
            STARTED_GROUP,
            move_session(session_id="group-1-s2", starts_at=datetime(2026, 11, 26, 13, 0, tzinfo=UTC)),
            errors.SessionInThePast,
            "Thursday 26 November 2026 at 14:00 is in the past",
            id="moved to the past, in local time",
        ),
    ],
)
def test_a_refusal_names_the_session_by_its_number_day_time_and_room(history, command, error, message):
    """Issue 13 #18: sessions and days as users read them, in the establishment's local time."""
    with pytest.raises(error) as refused:
        given(group, *history).when(command)
    assert refused.value.message == message


def test_a_group_planned_twice_is_named_by_its_programme_and_start_date():
    """Issue 13 #18: the group's id stays in the problem's members."""
    with pytest.raises(errors.GroupAlreadyExists) as refused:
        given(group, *PLANNED_GROUP).when(plan_group(), programme_facts())
    assert refused.value.message == (
        "the group of PPR «Programme de prévention de la récidive» starting on Tuesday 1 December 2026 already "
        "exists"
    )
    assert refused.value.members["group_id"] == "group-1"


def test_the_sessions_a_close_waits_for_are_in_the_problem_and_the_first_three_in_its_message():
    """Issue 13 #18."""
    with pytest.raises(errors.SessionsNotRecorded) as refused:
        given(group, *STARTED_GROUP).when(close_group())
    assert refused.value.members["session_ids"] == [f"group-1-s{n}" for n in range(1, 10)]
    assert refused.value.message.endswith(
        "(Salle d'activités 1); session 3 on Tuesday 15 December 2026 at 14:00 (Salle d'activités 1) and 6 "
        "more before closing the group"
    )
