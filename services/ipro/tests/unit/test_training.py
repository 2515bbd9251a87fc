from datetime import date

import pytest

from contracts.ipro import TrainingCompleted, TrainingDroppedOut, TrainingEnrolled, TrainingStarted
from ipro.domain import errors
from ipro.domain.commands import EnrolInTraining
from ipro.domain.training import TrainingStatus, training
from kernel.errors import InvalidValue, NotFound
from kernel.testing import given

from ..builders import (
    AFTER_RELEASE,
    FRIDAY,
    MONDAY,
    ON_THE_PATHWAY,
    TRAINING_COMPLETED,
    TRAINING_DROPPED_OUT,
    TRAINING_END,
    TRAINING_ENROLLED,
    TRAINING_IN_PROGRESS,
    TRAINING_START,
    TUESDAY,
    a_positioned_session,
    a_positioning_proposed,
    a_training_completed,
    a_training_dropped_out,
    a_training_enrolled,
    booked,
    complete_training,
    drop_out_of_training,
    enrol_in_training,
    local,
    position,
    slot,
    start_training,
    training_hours,
    training_schedule,
    work_hours,
)

S = TrainingStatus
HISTORIES = {
    S.ENROLLED: TRAINING_ENROLLED,
    S.IN_PROGRESS: TRAINING_IN_PROGRESS,
    S.COMPLETED: TRAINING_COMPLETED,
    S.DROPPED_OUT: TRAINING_DROPPED_OUT,
}
ENDED = (S.COMPLETED, S.DROPPED_OUT)


def statuses(*wanted: S) -> list:
    return [pytest.param(HISTORIES[status], id=status.value) for status in wanted]


def every_command() -> list:
    return [
        pytest.param(start_training(), id="start"),
        pytest.param(complete_training(), id="complete"),
        pytest.param(drop_out_of_training(), id="drop out"),
    ]


def facts_for(command):
    """What the handler loads: the pathway, and the person's bookings (none) for an enrolment."""
    return booked() if isinstance(command, EnrolInTraining) else ON_THE_PATHWAY


def refused(error: type, code: str, history, command, facts=None) -> None:
    with pytest.raises(error) as raised:
        given(training, *history).when(command, facts or facts_for(command))
    assert raised.value.code == code


def test_every_status_has_its_history():
    for status, history in HISTORIES.items():
        assert training.fold(history).status == status


# --- enrolment ---


def test_a_person_is_enrolled_in_a_training():
    assert given(training).when(enrol_in_training(), booked()) == [
        TrainingEnrolled(
            training_id="training-1",
            pathway_id="pathway-1",
            subject_id="person-1",
            body="AFPA",
            title="CAP Agent polyvalent de restauration",
            certification="CAP APR",
            starts_on=TRAINING_START,
            ends_on=TRAINING_END,
            hours=420,
            schedule=training_schedule(),
        )
    ]


def test_the_enrolled_training_is_known_by_its_state():
    state = training.fold(TRAINING_ENROLLED)
    assert (state.training_id, state.pathway_id, state.subject_id, state.title) == (
        "training-1",
        "pathway-1",
        "person-1",
        "CAP Agent polyvalent de restauration",
    )
    assert (state.starts_on, state.ends_on, state.schedule, state.status) == (
        TRAINING_START,
        TRAINING_END,
        training_schedule(),
        S.ENROLLED,
    )


def test_a_training_may_last_a_single_day():
    command = enrol_in_training(ends_on=TRAINING_START, hours=3, schedule=[slot(MONDAY, 9, 12)])
    assert given(training).when(command, booked()) == [
        a_training_enrolled(ends_on=TRAINING_START, hours=3, schedule=[slot(MONDAY, 9, 12)])
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param(dict(ends_on=date(2027, 1, 3)), id="ending before it starts"),
        pytest.param(dict(schedule=[slot(TUESDAY, 12, 9)]), id="a slot ending before it starts"),
        pytest.param(dict(schedule=[slot(TUESDAY, 9, 9)]), id="an empty slot"),
        pytest.param(dict(schedule=[slot(TUESDAY, 9, 12), slot(FRIDAY, 14, 13)]), id="one slot of two"),
    ],
)
def test_a_training_with_dates_or_slots_out_of_order_is_refused(overrides):
    refused(errors.DatesOutOfOrder, "dates-out-of-order", (), enrol_in_training(**overrides))


@pytest.mark.parametrize(
    "booking",
    [
        pytest.param(work_hours(slots=[slot(TUESDAY, 8, 10)]), id="work on Tuesday mornings"),
        pytest.param(
            work_hours(starts_on=date(2027, 6, 25), slots=[slot(FRIDAY, 11, 12)]),
            id="work starting on the training's last day",
        ),
        pytest.param(
            training_hours(reference="training-2", starts_on=date(2026, 9, 1), ends_on=date(2027, 1, 5)),
            id="another training ending in its first week",
        ),
        pytest.param(
            a_positioned_session(starts_at=local(date(2027, 3, 5), 11), ends_at=local(date(2027, 3, 5), 13)),
            id="a session on a Friday morning",
        ),
    ],
)
def test_a_training_whose_hours_overlap_the_persons_other_bookings_is_refused(booking):
    refused(errors.BookingOverlap, "booking-overlap", (), enrol_in_training(), booked(work_hours(), booking))


@pytest.mark.parametrize(
    "booking",
    [
        pytest.param(work_hours(), id="work on other weekdays"),
        pytest.param(work_hours(slots=[slot(TUESDAY, 12, 14)]), id="work on Tuesday afternoons"),
        pytest.param(
            work_hours(starts_on=date(2027, 6, 28), slots=[slot(TUESDAY, 8, 12)]),
            id="work starting after the training ends",
        ),
        pytest.param(
            work_hours(starts_on=date(2026, 1, 5), ends_on=date(2026, 12, 31), slots=[slot(TUESDAY, 8, 12)]),
            id="work that ends before the training starts",
        ),
        pytest.param(a_positioned_session(), id="a session before the training"),
        pytest.param(
            a_positioned_session(starts_at=local(date(2027, 3, 3), 9), ends_at=local(date(2027, 3, 3), 12)),
            id="a session on a Wednesday",
        ),
    ],
)
def test_a_training_whose_hours_do_not_overlap_the_persons_bookings_is_enrolled(booking):
    assert given(training).when(enrol_in_training(), booked(booking)) == [a_training_enrolled()]


def test_the_trainings_own_booking_is_not_an_overlap():
    assert given(training).when(enrol_in_training(), booked(training_hours())) == [a_training_enrolled()]


@pytest.mark.parametrize("history", statuses(*S))
def test_a_training_is_enrolled_in_once(history):
    refused(errors.TrainingAlreadyExists, "training-already-exists", history, enrol_in_training())


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param(dict(title=""), id="no title"),
        pytest.param(dict(body=""), id="no training body"),
        pytest.param(dict(hours=0), id="no hours"),
        pytest.param(dict(schedule=[]), id="no schedule"),
    ],
)
def test_a_training_without_its_essentials_is_an_invalid_value(overrides):
    refused(InvalidValue, "value-invalid", (), enrol_in_training(**overrides))


# --- start, completion, drop-out ---


@pytest.mark.parametrize(
    "today", [TRAINING_START, date(2027, 1, 11)], ids=["on its start date", "a week after it"]
)
def test_an_enrolled_training_starts(today):
    assert given(training, *TRAINING_ENROLLED).when(start_training(today=today), ON_THE_PATHWAY) == [
        TrainingStarted(training_id="training-1")
    ]


@pytest.mark.parametrize(
    "today", [date(2027, 1, 3), date(2026, 11, 27)], ids=["the day before", "weeks before"]
)
def test_a_training_is_not_started_before_its_start_date(today):
    """Issue 13 #11."""
    with pytest.raises(errors.TrainingStartsLater) as raised:
        given(training, *TRAINING_ENROLLED).when(start_training(today=today), ON_THE_PATHWAY)
    assert raised.value.code == "training-starts-later"
    assert raised.value.message == (
        "the training «CAP Agent polyvalent de restauration» starts on Monday 4 January 2027: it is not "
        "started before"
    )


def test_a_training_in_progress_does_not_start_again():
    refused(errors.TrainingNotEnrolled, "training-not-enrolled", TRAINING_IN_PROGRESS, start_training())


@pytest.mark.parametrize("obtained", [True, False], ids=["certification obtained", "not obtained"])
def test_a_training_in_progress_is_completed(obtained):
    command = complete_training(certification_obtained=obtained, today=date(2027, 6, 28))
    assert given(training, *TRAINING_IN_PROGRESS).when(command, ON_THE_PATHWAY) == [
        TrainingCompleted(
            training_id="training-1", certification_obtained=obtained, completed_on=date(2027, 6, 28)
        )
    ]
    state = training.fold([*TRAINING_IN_PROGRESS, a_training_completed(certification_obtained=obtained)])
    assert (state.status, state.certification_obtained) == (S.COMPLETED, obtained)


def test_only_a_training_in_progress_is_completed():
    refused(errors.TrainingNotInProgress, "training-not-in-progress", TRAINING_ENROLLED, complete_training())


@pytest.mark.parametrize("history", statuses(S.ENROLLED, S.IN_PROGRESS))
def test_a_person_drops_out_of_a_training_enrolled_in_or_in_progress(history):
    assert given(training, *history).when(drop_out_of_training(), ON_THE_PATHWAY) == [
        TrainingDroppedOut(training_id="training-1", reason="Transféré dans un autre établissement")
    ]
    assert training.fold([*history, a_training_dropped_out()]).status == S.DROPPED_OUT


def test_a_drop_out_without_a_reason_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", TRAINING_IN_PROGRESS, drop_out_of_training(reason=""))


@pytest.mark.parametrize("command", every_command())
@pytest.mark.parametrize("history", statuses(*ENDED))
def test_nothing_happens_to_a_training_once_it_has_ended(history, command):
    refused(errors.TrainingEnded, "training-ended", history, command)


# --- unknown training, unknown command ---


@pytest.mark.parametrize("command", every_command())
def test_a_training_never_enrolled_in_is_not_found(command):
    with pytest.raises(errors.TrainingNotFound) as raised:
        given(training).when(command, ON_THE_PATHWAY)
    assert raised.value.code == "training-not-found" and isinstance(raised.value, NotFound)


# --- after release ---


def test_no_one_is_enrolled_once_they_have_left():
    refused(errors.PathwayClosed, "pathway-closed", (), enrol_in_training(), booked(closed=True))


@pytest.mark.parametrize(
    "command", [pytest.param(start_training(), id="start"), pytest.param(complete_training(), id="complete")]
)
@pytest.mark.parametrize("history", statuses(*S))
def test_a_training_neither_starts_nor_completes_once_the_person_has_left(history, command):
    refused(errors.PathwayClosed, "pathway-closed", history, command, AFTER_RELEASE)


@pytest.mark.parametrize("history", statuses(S.ENROLLED, S.IN_PROGRESS))
def test_the_release_drops_the_person_out_of_their_trainings(history):
    """Saying so in a code in clear, which outlives the person's erasure (issue 17)."""
    command = drop_out_of_training(reason="released", released=True)
    assert given(training, *history).when(command, AFTER_RELEASE) == [
        a_training_dropped_out(reason="released", released=True)
    ]


@pytest.mark.parametrize("history", statuses(*ENDED))
def test_a_training_ended_before_the_release_stays_ended(history):
    refused(errors.TrainingEnded, "training-ended", history, drop_out_of_training(), AFTER_RELEASE)


def test_an_enrolment_decided_without_the_persons_bookings_is_a_programming_error():
    with pytest.raises(TypeError):
        given(training).when(enrol_in_training(), ON_THE_PATHWAY)


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(training, *TRAINING_IN_PROGRESS).when(position(), ON_THE_PATHWAY)


def test_events_of_other_aggregates_leave_the_training_as_it_was():
    history = (*TRAINING_IN_PROGRESS, a_positioning_proposed())
    assert training.fold(history) == training.fold(TRAINING_IN_PROGRESS)
