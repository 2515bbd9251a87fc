from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.ipro import (
    PositioningAttended, PositioningConfirmed, PositioningNoShowRecorded, PositioningOutcome,
    PositioningOutcomeRecorded, PositioningProposed, PositioningWithdrawn,
)
from ipro.domain import errors
from ipro.domain.positioning import PositioningStatus, positioning
from kernel.errors import InvalidValue
from kernel.testing import given

from ..builders import (
    ATTENDED, CONFIRMED, DURING_THE_SESSION, NOW, NO_SHOW, OUTCOME_RECORDED, PROPOSED, SESSION_DAY,
    SESSION_END, SESSION_START, WEDNESDAY, WITHDRAWN, a_positioned_session, a_positioning_proposed,
    a_positioning_withdrawn, a_training_started, confirm_positioning, local, position, record_attendance,
    record_positioning_outcome, session_facts, slot, start_training, training_hours, withdraw_positioning,
    work_hours,
)

S = PositioningStatus
HISTORIES = {
    S.PROPOSED: PROPOSED,
    S.CONFIRMED: CONFIRMED,
    S.ATTENDED: ATTENDED,
    S.NO_SHOW: NO_SHOW,
    S.WITHDRAWN: WITHDRAWN,
}


def statuses(*wanted: S) -> list:
    return [pytest.param(HISTORIES[status], id=status.value) for status in wanted]


def every_command() -> list:
    return [
        pytest.param(confirm_positioning(), id="confirm"),
        pytest.param(record_attendance(), id="record attendance"),
        pytest.param(record_attendance(attended=False), id="record a no-show"),
        pytest.param(record_positioning_outcome(), id="record the outcome"),
        pytest.param(withdraw_positioning(), id="withdraw"),
    ]


def refused(error: type, code: str, history, command) -> None:
    with pytest.raises(error) as raised:
        given(positioning, *history).when(command)
    assert raised.value.code == code


def test_every_status_has_its_history():
    for status, history in HISTORIES.items():
        assert positioning.fold(history).status == status


# --- proposal ---

def test_a_person_is_positioned_on_an_open_session_with_places_left():
    assert given(positioning).when(position()) == [
        PositioningProposed(positioning_id="positioning-1", pathway_id="pathway-1", subject_id="person-1",
                            action_id="action-1", session_id="session-1", partner_id="partner-1",
                            starts_at=SESSION_START, ends_at=SESSION_END)
    ]


def test_the_proposed_positioning_is_known_by_its_state():
    state = positioning.fold(PROPOSED)
    assert (state.positioning_id, state.pathway_id, state.subject_id, state.action_id, state.session_id) == (
        "positioning-1", "pathway-1", "person-1", "action-1", "session-1",
    )
    assert (state.partner_id, state.starts_at, state.ends_at, state.status, state.outcome) == (
        "partner-1", SESSION_START, SESSION_END, S.PROPOSED, None,
    )


@pytest.mark.parametrize(
    "session, now",
    [
        pytest.param(session_facts(cancelled=True), NOW, id="cancelled"),
        pytest.param(session_facts(published=False), NOW, id="its action unpublished"),
        pytest.param(session_facts(closed=True), NOW, id="its action closed"),
        pytest.param(session_facts(), SESSION_START, id="starting now"),
        pytest.param(session_facts(), DURING_THE_SESSION, id="under way"),
        pytest.param(session_facts(), SESSION_END + timedelta(days=1), id="past"),
        pytest.param(session_facts(cancelled=True, booked=12), NOW, id="cancelled and full"),
    ],
)
def test_no_one_is_positioned_on_a_session_that_is_not_open(session, now):
    refused(errors.SessionNotOpen, "action-session-not-open", (), position(session=session, now=now))


def test_a_session_starting_in_a_minute_is_still_open():
    assert given(positioning).when(position(now=SESSION_START - timedelta(minutes=1))) == [
        a_positioning_proposed()
    ]


def test_the_last_place_of_a_session_is_taken():
    assert given(positioning).when(position(session=session_facts(booked=11))) == [a_positioning_proposed()]


@pytest.mark.parametrize("booked", [12, 13], ids=["full", "over capacity"])
def test_no_one_is_positioned_on_a_full_session(booked):
    with pytest.raises(errors.SessionFull) as raised:
        given(positioning).when(position(session=session_facts(booked=booked)))
    assert (raised.value.code, raised.value.status) == ("positioning-over-capacity", 409)


@pytest.mark.parametrize(
    "booking",
    [
        pytest.param(work_hours(slots=[slot(WEDNESDAY, 8, 11)]), id="work on Wednesday mornings"),
        pytest.param(training_hours(starts_on=date(2026, 12, 1), slots=[slot(WEDNESDAY, 11, 12)]),
                     id="a training on Wednesdays before noon"),
        pytest.param(a_positioned_session(), id="another session at the same time"),
        pytest.param(a_positioned_session(starts_at=local(SESSION_DAY, 11, 30),
                                          ends_at=local(SESSION_DAY, 14)),
                     id="another session starting before it ends"),
        pytest.param(a_positioned_session(starts_at=datetime(2026, 12, 9, 8, 0, tzinfo=UTC),
                                          ends_at=datetime(2026, 12, 9, 9, 30, tzinfo=UTC)),
                     id="another session given in UTC"),
    ],
)
def test_a_person_booked_at_that_time_is_not_positioned(booking):
    with pytest.raises(errors.BookingOverlap) as raised:
        given(positioning).when(position(bookings=[work_hours(), booking]))
    assert (raised.value.code, raised.value.status) == ("booking-overlap", 409)


@pytest.mark.parametrize(
    "booking",
    [
        pytest.param(work_hours(), id="work on other weekdays"),
        pytest.param(work_hours(slots=[slot(WEDNESDAY, 12, 16)]), id="work on Wednesday afternoons"),
        pytest.param(work_hours(starts_on=date(2026, 12, 10), slots=[slot(WEDNESDAY, 8, 12)]),
                     id="work starting the day after"),
        pytest.param(training_hours(slots=[slot(WEDNESDAY, 9, 12)]), id="a training starting next year"),
        pytest.param(a_positioned_session(starts_at=local(SESSION_DAY, 8), ends_at=local(SESSION_DAY, 10)),
                     id="another session ending when it starts"),
        pytest.param(a_positioned_session(reference="positioning-1"), id="its own booking"),
    ],
)
def test_a_person_free_at_that_time_is_positioned(booking):
    assert given(positioning).when(position(bookings=[booking])) == [a_positioning_proposed()]


@pytest.mark.parametrize("history", statuses(*S))
def test_a_positioning_is_proposed_once(history):
    refused(errors.PositioningAlreadyExists, "positioning-already-exists", history, position())


# --- confirmation ---

def test_the_partner_confirms_a_proposed_place():
    assert given(positioning, *PROPOSED).when(confirm_positioning()) == [
        PositioningConfirmed(positioning_id="positioning-1")
    ]


@pytest.mark.parametrize("history", statuses(S.CONFIRMED, S.ATTENDED, S.NO_SHOW))
def test_only_a_proposed_place_is_confirmed(history):
    refused(errors.PositioningNotProposed, "positioning-not-proposed", history, confirm_positioning())


# --- attendance ---

@pytest.mark.parametrize(
    "now", [SESSION_START, DURING_THE_SESSION, SESSION_END + timedelta(days=2)],
    ids=["as it starts", "during it", "two days later"],
)
def test_a_confirmed_person_attended_the_session(now):
    assert given(positioning, *CONFIRMED).when(record_attendance(now=now)) == [
        PositioningAttended(positioning_id="positioning-1")
    ]


def test_a_confirmed_person_did_not_show_up():
    assert given(positioning, *CONFIRMED).when(record_attendance(attended=False)) == [
        PositioningNoShowRecorded(positioning_id="positioning-1")
    ]


@pytest.mark.parametrize("attended", [True, False], ids=["attended", "no-show"])
def test_attendance_is_not_recorded_before_the_session_starts(attended):
    refused(errors.SessionNotYetHeld, "action-session-not-yet-held", CONFIRMED,
            record_attendance(attended=attended, now=SESSION_START - timedelta(minutes=1)))


@pytest.mark.parametrize("attended", [True, False], ids=["attended", "no-show"])
@pytest.mark.parametrize("history", statuses(S.PROPOSED, S.ATTENDED, S.NO_SHOW))
def test_attendance_is_recorded_for_a_confirmed_place_only(history, attended):
    refused(errors.PositioningNotConfirmed, "positioning-not-confirmed", history,
            record_attendance(attended=attended))


# --- outcome ---

@pytest.mark.parametrize("outcome", list(PositioningOutcome))
def test_the_outcome_of_an_attended_session_is_recorded(outcome):
    assert given(positioning, *ATTENDED).when(record_positioning_outcome(outcome=outcome, details="")) == [
        PositioningOutcomeRecorded(positioning_id="positioning-1", outcome=outcome, details="")
    ]


def test_the_outcome_is_known():
    state = positioning.fold(OUTCOME_RECORDED)
    assert (state.status, state.outcome) == (S.ATTENDED, PositioningOutcome.INTERVIEW_OBTAINED)


def test_the_outcome_is_recorded_once():
    refused(errors.OutcomeAlreadyRecorded, "outcome-already-recorded", OUTCOME_RECORDED,
            record_positioning_outcome(outcome=PositioningOutcome.JOB_OFFER))


@pytest.mark.parametrize("history", statuses(S.PROPOSED, S.CONFIRMED, S.NO_SHOW))
def test_only_an_attended_session_has_an_outcome(history):
    refused(errors.PositioningNotAttended, "positioning-not-attended", history, record_positioning_outcome())


# --- withdrawal ---

@pytest.mark.parametrize("history", statuses(S.PROPOSED, S.CONFIRMED))
def test_a_proposed_or_confirmed_positioning_is_withdrawn(history):
    assert given(positioning, *history).when(withdraw_positioning()) == [
        PositioningWithdrawn(positioning_id="positioning-1", reason="Transfert vers un autre établissement")
    ]


@pytest.mark.parametrize(
    "history",
    [*statuses(S.ATTENDED, S.NO_SHOW), pytest.param(OUTCOME_RECORDED, id="outcome recorded")],
)
def test_a_positioning_whose_session_was_held_is_not_withdrawn(history):
    refused(errors.PositioningEnded, "positioning-ended", history, withdraw_positioning())


def test_a_withdrawal_without_a_reason_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", PROPOSED, withdraw_positioning(reason=""))


@pytest.mark.parametrize("command", every_command())
@pytest.mark.parametrize(
    "history",
    [pytest.param(WITHDRAWN, id="withdrawn when proposed"),
     pytest.param((*CONFIRMED, a_positioning_withdrawn()), id="withdrawn when confirmed")],
)
def test_nothing_happens_to_a_positioning_once_withdrawn(history, command):
    refused(errors.PositioningEnded, "positioning-ended", history, command)


# --- unknown positioning, unknown command ---

@pytest.mark.parametrize("command", every_command())
def test_a_positioning_never_proposed_is_not_found(command):
    with pytest.raises(errors.PositioningNotFound) as raised:
        given(positioning).when(command)
    assert (raised.value.code, raised.value.status) == ("positioning-not-found", 404)


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(positioning, *PROPOSED).when(start_training())



def test_events_of_other_aggregates_leave_the_positioning_as_it_was():
    assert positioning.fold([*CONFIRMED, a_training_started()]) == positioning.fold(CONFIRMED)
