from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.ipro import (
    PositioningAttended,
    PositioningConfirmed,
    PositioningNoShowRecorded,
    PositioningOutcome,
    PositioningOutcomeRecorded,
    PositioningProposed,
    PositioningWithdrawn,
)
from ipro.domain import errors
from ipro.domain.commands import Position
from ipro.domain.positioning import PositioningStatus, positioning
from kernel.errors import Conflict, InvalidValue, NotFound, NotYetKnown
from kernel.testing import given

from ..builders import (
    AFTER_RELEASE,
    ATTENDED,
    CANCELLED,
    CONFIRMED,
    DURING_THE_SESSION,
    NO_SHOW,
    NOW,
    ON_THE_PATHWAY,
    OUTCOME_RECORDED,
    PROPOSED,
    SESSION_DAY,
    SESSION_END,
    SESSION_START,
    THURSDAY,
    WEDNESDAY,
    WITHDRAWN,
    a_positioned_session,
    a_positioning_attended,
    a_positioning_cancelled,
    a_positioning_moved,
    a_positioning_outcome_recorded,
    a_positioning_proposed,
    a_positioning_withdrawn,
    a_training_started,
    booked,
    cancel_positioning,
    confirm_positioning,
    follow_moved_session,
    local,
    place,
    position,
    record_attendance,
    record_positioning_outcome,
    session_facts,
    slot,
    start_training,
    training_hours,
    withdraw_positioning,
    work_hours,
)

S = PositioningStatus
HISTORIES = {
    S.PROPOSED: PROPOSED,
    S.CONFIRMED: CONFIRMED,
    S.ATTENDED: ATTENDED,
    S.NO_SHOW: NO_SHOW,
    S.WITHDRAWN: WITHDRAWN,
    S.CANCELLED: CANCELLED,
}
HISTORIES_STATUS = {history: status for status, history in HISTORIES.items()}


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


def facts_for(command):
    """What the handler loads: the pathway, and for a new place the session and the bookings (none)."""
    return place() if isinstance(command, Position) else ON_THE_PATHWAY


def refused(error: type, code: str, history, command, facts=None) -> None:
    with pytest.raises(error) as raised:
        given(positioning, *history).when(command, facts or facts_for(command))
    assert raised.value.code == code


def test_every_status_has_its_history():
    for status, history in HISTORIES.items():
        assert positioning.fold(history).status == status


# --- proposal ---


def test_a_person_is_positioned_on_an_open_session_with_places_left():
    assert given(positioning).when(position(), place()) == [
        PositioningProposed(
            positioning_id="positioning-1",
            pathway_id="pathway-1",
            subject_id="person-1",
            action_id="action-1",
            session_id="session-1",
            partner_id="partner-1",
            starts_at=SESSION_START,
            ends_at=SESSION_END,
            title="Job dating",
            place="Salle polyvalente",
        )
    ]


def test_the_proposed_positioning_is_known_by_its_state():
    state = positioning.fold(PROPOSED)
    assert (state.positioning_id, state.pathway_id, state.subject_id, state.action_id, state.session_id) == (
        "positioning-1",
        "pathway-1",
        "person-1",
        "action-1",
        "session-1",
    )
    assert (state.partner_id, state.starts_at, state.ends_at, state.status, state.outcome) == (
        "partner-1",
        SESSION_START,
        SESSION_END,
        S.PROPOSED,
        None,
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
    refused(
        errors.ActionSessionNotOpen, "action-session-not-open", (), position(now=now), place(session=session)
    )


def test_a_session_starting_in_a_minute_is_still_open():
    assert given(positioning).when(position(now=SESSION_START - timedelta(minutes=1)), place()) == [
        a_positioning_proposed()
    ]


def test_the_last_place_of_a_session_is_taken():
    assert given(positioning).when(position(), place(session=session_facts(booked=11))) == [
        a_positioning_proposed()
    ]


@pytest.mark.parametrize("booked", [12, 13], ids=["full", "over capacity"])
def test_no_one_is_positioned_on_a_full_session(booked):
    with pytest.raises(errors.PositioningOverCapacity) as raised:
        given(positioning).when(position(), place(session=session_facts(booked=booked)))
    assert raised.value.code == "positioning-over-capacity" and isinstance(raised.value, Conflict)


@pytest.mark.parametrize(
    "booking",
    [
        pytest.param(work_hours(slots=[slot(WEDNESDAY, 8, 11)]), id="work on Wednesday mornings"),
        pytest.param(
            training_hours(starts_on=date(2026, 12, 1), slots=[slot(WEDNESDAY, 11, 12)]),
            id="a training on Wednesdays before noon",
        ),
        pytest.param(a_positioned_session(), id="another session at the same time"),
        pytest.param(
            a_positioned_session(starts_at=local(SESSION_DAY, 11, 30), ends_at=local(SESSION_DAY, 14)),
            id="another session starting before it ends",
        ),
        pytest.param(
            a_positioned_session(
                starts_at=datetime(2026, 12, 9, 8, 0, tzinfo=UTC),
                ends_at=datetime(2026, 12, 9, 9, 30, tzinfo=UTC),
            ),
            id="another session given in UTC",
        ),
    ],
)
def test_a_person_booked_at_that_time_is_not_positioned(booking):
    with pytest.raises(errors.BookingOverlap) as raised:
        given(positioning).when(position(), place(work_hours(), booking))
    assert raised.value.code == "booking-overlap" and isinstance(raised.value, Conflict)


@pytest.mark.parametrize(
    "booking",
    [
        pytest.param(work_hours(), id="work on other weekdays"),
        pytest.param(work_hours(slots=[slot(WEDNESDAY, 12, 16)]), id="work on Wednesday afternoons"),
        pytest.param(
            work_hours(starts_on=date(2026, 12, 10), slots=[slot(WEDNESDAY, 8, 12)]),
            id="work starting the day after",
        ),
        pytest.param(training_hours(slots=[slot(WEDNESDAY, 9, 12)]), id="a training starting next year"),
        pytest.param(
            a_positioned_session(starts_at=local(SESSION_DAY, 8), ends_at=local(SESSION_DAY, 10)),
            id="another session ending when it starts",
        ),
        pytest.param(a_positioned_session(reference="positioning-1"), id="its own booking"),
    ],
)
def test_a_person_free_at_that_time_is_positioned(booking):
    assert given(positioning).when(position(), place(booking)) == [a_positioning_proposed()]


@pytest.mark.parametrize("history", statuses(*S))
def test_a_positioning_is_proposed_once(history):
    refused(errors.PositioningAlreadyExists, "positioning-already-exists", history, position())


# --- confirmation ---


def test_the_partner_confirms_a_proposed_place():
    assert given(positioning, *PROPOSED).when(confirm_positioning(), ON_THE_PATHWAY) == [
        PositioningConfirmed(positioning_id="positioning-1")
    ]


@pytest.mark.parametrize("history", statuses(S.CONFIRMED, S.ATTENDED, S.NO_SHOW))
def test_only_a_proposed_place_is_confirmed(history):
    refused(errors.PositioningNotProposed, "positioning-not-proposed", history, confirm_positioning())


# --- attendance ---


@pytest.mark.parametrize(
    "now",
    [SESSION_START, DURING_THE_SESSION, SESSION_END + timedelta(days=2)],
    ids=["as it starts", "during it", "two days later"],
)
def test_a_confirmed_person_attended_the_session(now):
    assert given(positioning, *CONFIRMED).when(record_attendance(now=now), ON_THE_PATHWAY) == [
        PositioningAttended(positioning_id="positioning-1")
    ]


def test_a_confirmed_person_did_not_show_up():
    assert given(positioning, *CONFIRMED).when(record_attendance(attended=False), ON_THE_PATHWAY) == [
        PositioningNoShowRecorded(positioning_id="positioning-1")
    ]


@pytest.mark.parametrize("attended", [True, False], ids=["attended", "no-show"])
def test_attendance_is_not_recorded_before_the_session_starts(attended):
    refused(
        errors.ActionSessionNotYetHeld,
        "action-session-not-yet-held",
        CONFIRMED,
        record_attendance(attended=attended, now=SESSION_START - timedelta(minutes=1)),
    )


@pytest.mark.parametrize("attended", [True, False], ids=["attended", "no-show"])
@pytest.mark.parametrize("history", statuses(S.PROPOSED, S.ATTENDED, S.NO_SHOW))
def test_attendance_is_recorded_for_a_confirmed_place_only(history, attended):
    refused(
        errors.PositioningNotConfirmed,
        "positioning-not-confirmed",
        history,
        record_attendance(attended=attended),
    )


# --- outcome ---


@pytest.mark.parametrize("outcome", list(PositioningOutcome))
def test_the_outcome_of_an_attended_session_is_recorded(outcome):
    assert given(positioning, *ATTENDED).when(
        record_positioning_outcome(outcome=outcome, details=""), ON_THE_PATHWAY
    ) == [PositioningOutcomeRecorded(positioning_id="positioning-1", outcome=outcome, details="")]


def test_the_outcome_is_known():
    state = positioning.fold(OUTCOME_RECORDED)
    assert (state.status, state.outcome) == (S.ATTENDED, PositioningOutcome.INTERVIEW_OBTAINED)


def test_the_outcome_is_recorded_once():
    refused(
        errors.OutcomeAlreadyRecorded,
        "outcome-already-recorded",
        OUTCOME_RECORDED,
        record_positioning_outcome(outcome=PositioningOutcome.JOB_OFFER),
    )


@pytest.mark.parametrize("history", statuses(S.PROPOSED, S.CONFIRMED, S.NO_SHOW))
def test_only_an_attended_session_has_an_outcome(history):
    refused(errors.PositioningNotAttended, "positioning-not-attended", history, record_positioning_outcome())


# --- withdrawal ---


@pytest.mark.parametrize("history", statuses(S.PROPOSED, S.CONFIRMED))
def test_a_proposed_or_confirmed_positioning_is_withdrawn(history):
    assert given(positioning, *history).when(withdraw_positioning(), ON_THE_PATHWAY) == [
        PositioningWithdrawn(positioning_id="positioning-1", reason="Transfert vers un autre établissement")
    ]


@pytest.mark.parametrize(
    "history", [*statuses(S.ATTENDED, S.NO_SHOW), pytest.param(OUTCOME_RECORDED, id="outcome recorded")]
)
def test_a_positioning_whose_session_was_held_is_not_withdrawn(history):
    refused(errors.PositioningEnded, "positioning-ended", history, withdraw_positioning())


def test_a_withdrawal_without_a_reason_is_an_invalid_value():
    refused(InvalidValue, "value-invalid", PROPOSED, withdraw_positioning(reason=""))


@pytest.mark.parametrize("command", every_command())
@pytest.mark.parametrize(
    "history",
    [
        pytest.param(WITHDRAWN, id="withdrawn when proposed"),
        pytest.param((*CONFIRMED, a_positioning_withdrawn()), id="withdrawn when confirmed"),
    ],
)
def test_nothing_happens_to_a_positioning_once_withdrawn(history, command):
    refused(errors.PositioningEnded, "positioning-ended", history, command)


# --- unknown positioning, unknown command ---


@pytest.mark.parametrize("command", every_command())
def test_a_positioning_never_proposed_is_not_found(command):
    with pytest.raises(errors.PositioningNotFound) as raised:
        given(positioning).when(command, ON_THE_PATHWAY)
    assert raised.value.code == "positioning-not-found" and isinstance(raised.value, NotFound)


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(place(already_positioned=True), id="the person already holds a place on it"),
        pytest.param(place(already_positioned=True, session=session_facts(booked=12)), id="and it is full"),
    ],
)
def test_a_person_holds_one_place_per_session(facts):
    refused(errors.AlreadyPositioned, "already-positioned", (), position(), facts)


def test_a_session_the_catalogue_does_not_have_is_not_found():
    refused(errors.ActionSessionNotFound, "action-session-not-found", (), position(), place(session=None))


# --- after release ---


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(place(closed=True), id="an open session"),
        pytest.param(place(closed=True, session=None), id="an unknown session"),
        pytest.param(place(closed=True, already_positioned=True), id="a session they hold a place on"),
    ],
)
def test_no_one_is_positioned_once_they_have_left(facts):
    refused(errors.PathwayClosed, "pathway-closed", (), position(), facts)


@pytest.mark.parametrize("history", statuses(*S))
def test_no_place_is_confirmed_once_the_person_has_left(history):
    refused(errors.PathwayClosed, "pathway-closed", history, confirm_positioning(), AFTER_RELEASE)


def test_what_happened_before_the_release_is_still_reported():
    assert given(positioning, *CONFIRMED).when(record_attendance(), AFTER_RELEASE) == [
        a_positioning_attended()
    ]
    assert given(positioning, *ATTENDED).when(record_positioning_outcome(), AFTER_RELEASE) == [
        a_positioning_outcome_recorded()
    ]


@pytest.mark.parametrize("history", statuses(S.PROPOSED, S.CONFIRMED))
def test_the_release_gives_back_the_places_not_yet_taken_up(history):
    """Saying so in a code in clear, which outlives the person's erasure (issue 17)."""
    command = withdraw_positioning(reason="released", released=True)
    assert given(positioning, *history).when(command, AFTER_RELEASE) == [
        a_positioning_withdrawn(reason="released", released=True)
    ]


def test_a_place_proposed_without_the_session_and_bookings_is_a_programming_error():
    with pytest.raises(TypeError):
        given(positioning).when(position(), ON_THE_PATHWAY)


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(positioning, *PROPOSED).when(start_training(), ON_THE_PATHWAY)


def test_events_of_other_aggregates_leave_the_positioning_as_it_was():
    assert positioning.fold([*CONFIRMED, a_training_started()]) == positioning.fold(CONFIRMED)


# --- the partner cancels or moves the session (issue 13 #5) ---


@pytest.mark.parametrize("history", statuses(S.PROPOSED, S.CONFIRMED))
def test_a_cancelled_session_cancels_the_places_not_yet_taken_up(history):
    """Issue 13 #5: the places on a session the partner cancelled end, and no longer count."""
    assert given(positioning, *history).when(cancel_positioning(), ON_THE_PATHWAY) == [
        a_positioning_cancelled()
    ]
    assert positioning.fold([*history, a_positioning_cancelled()]).status == S.CANCELLED


@pytest.mark.parametrize("history", statuses(S.ATTENDED, S.NO_SHOW, S.WITHDRAWN, S.CANCELLED))
def test_a_cancelled_session_leaves_the_places_ended_or_taken_up_as_they_were(history):
    assert given(positioning, *history).when(cancel_positioning(), ON_THE_PATHWAY) == []


@pytest.mark.parametrize("history", statuses(S.PROPOSED, S.CONFIRMED))
def test_a_place_follows_its_session_to_its_new_time_and_place(history):
    """Issue 13 #5: the session moved to Thursday 10 December, 14:00, room B; the person is free then."""
    assert given(positioning, *history).when(follow_moved_session(), booked(work_hours())) == [
        a_positioning_moved()
    ]
    moved = positioning.fold([*history, a_positioning_moved()])
    assert (moved.starts_at, moved.ends_at, moved.place, moved.status) == (
        local(SESSION_DAY + timedelta(days=1), 14),
        local(SESSION_DAY + timedelta(days=1), 16),
        "Salle B",
        HISTORIES_STATUS[history],
    )


def test_a_place_on_a_session_moved_to_a_time_the_person_is_booked_is_cancelled_saying_why():
    """Issue 13 #5: the place cannot follow a session to a time the person works: it is cancelled, the
    reason naming the new time and the booking; the adviser positions them on another session."""
    thursday_afternoons = work_hours(slots=[slot(THURSDAY, 13, 17)], label="the post «Opérateur» (Atelier 2)")
    assert given(positioning, *CONFIRMED).when(follow_moved_session(), booked(thursday_afternoons)) == [
        a_positioning_cancelled(
            reason="the partner moved the session: the session of «Job dating» on Thursday 10 December 2026 at "
            "14:00 (Salle B), when Jean Martin is booked: the post «Opérateur» (Atelier 2)"
        )
    ]


def test_a_place_already_on_the_sessions_new_time_does_not_move_again():
    history = (*CONFIRMED, a_positioning_moved())
    assert given(positioning, *history).when(follow_moved_session(), booked()) == []


def test_its_own_booking_does_not_keep_a_place_from_following_its_session():
    own = a_positioned_session(reference="positioning-1")
    moved = follow_moved_session(
        starts_at=SESSION_START + timedelta(hours=1), ends_at=SESSION_END + timedelta(hours=1)
    )
    assert given(positioning, *CONFIRMED).when(moved, booked(own)) == [
        a_positioning_moved(
            starts_at=SESSION_START + timedelta(hours=1),
            ends_at=SESSION_END + timedelta(hours=1),
            place="Salle B",
        )
    ]


@pytest.mark.parametrize("history", statuses(S.ATTENDED, S.NO_SHOW, S.WITHDRAWN, S.CANCELLED))
def test_a_moved_session_leaves_the_places_ended_or_taken_up_as_they_were(history):
    assert given(positioning, *history).when(follow_moved_session(), booked()) == []


@pytest.mark.parametrize("command", every_command())
def test_nothing_happens_to_a_place_cancelled_with_its_session(command):
    refused(errors.PositioningEnded, "positioning-ended", CANCELLED, command)


def test_a_place_follows_a_moved_session_knowing_the_persons_bookings():
    with pytest.raises(TypeError):
        given(positioning, *CONFIRMED).when(follow_moved_session(), ON_THE_PATHWAY)


# --- a session the catalogue replica does not know yet (issue 13 #8) ---


def test_a_session_unknown_while_the_catalogue_replica_is_behind_is_not_yet_known():
    """Issue 13 #8: it may have been published a moment ago: the client retries (503, Retry-After)."""
    with pytest.raises(errors.ActionSessionNotYetKnown) as raised:
        given(positioning).when(position(), place(session=None, catalogue_behind=True))
    assert raised.value.code == "action-session-not-yet-known" and isinstance(raised.value, NotYetKnown)


def test_a_session_unknown_once_the_catalogue_replica_is_caught_up_is_not_found():
    refused(
        errors.ActionSessionNotFound,
        "action-session-not-found",
        (),
        position(),
        place(session=None, catalogue_behind=False),
    )


# --- what refusals say (issue 13 #18) ---


@pytest.mark.parametrize(
    "facts, error, message",
    [
        pytest.param(
            place(already_positioned=True),
            errors.AlreadyPositioned,
            "Jean Martin already holds a place on the session of «Job dating» on Wednesday 9 December 2026 at "
            "10:00 (Salle polyvalente)",
            id="already positioned",
        ),
        pytest.param(
            place(session=session_facts(cancelled=True)),
            errors.ActionSessionNotOpen,
            "the session of «Job dating» on Wednesday 9 December 2026 at 10:00 (Salle polyvalente) was cancelled",
            id="cancelled",
        ),
        pytest.param(
            place(session=session_facts(booked=12)),
            errors.PositioningOverCapacity,
            "all 12 places of the session of «Job dating» on Wednesday 9 December 2026 at 10:00 (Salle "
            "polyvalente) are taken",
            id="full",
        ),
        pytest.param(
            place(
                training_hours(slots=[slot(WEDNESDAY, 9, 11)], starts_on=None, label="the training «CACES»")
            ),
            errors.BookingOverlap,
            "Jean Martin is booked at the time of the session of «Job dating» on Wednesday 9 December 2026 at "
            "10:00 (Salle polyvalente): the training «CACES»",
            id="booked then",
        ),
    ],
)
def test_a_refused_place_names_the_person_and_the_session_by_its_title_date_and_place(facts, error, message):
    with pytest.raises(error) as raised:
        given(positioning).when(position(), facts)
    assert raised.value.message == message


def test_a_refusal_on_a_place_names_the_person_and_the_session():
    with pytest.raises(errors.PositioningNotProposed) as raised:
        given(positioning, *CONFIRMED).when(confirm_positioning(), ON_THE_PATHWAY)
    assert raised.value.message == (
        "Jean Martin's place on the session of «Job dating» on Wednesday 9 December 2026 at 10:00 (Salle "
        "polyvalente) is confirmed, not proposed"
    )
