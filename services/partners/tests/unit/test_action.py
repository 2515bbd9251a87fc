from datetime import timedelta

import pytest
from pydantic import ValidationError

from contracts.partners import (
    ActionCreated,
    ActionPublished,
    ActionType,
    PlannedSessionNotScheduled,
    SessionMoved,
    SessionReported,
    SessionScheduled,
    SessionSlot,
)
from kernel.testing import given
from partners.domain import errors
from partners.domain.action import action
from partners.domain.commands import CloseAction, PublishAction, ReviseCall
from partners.domain.errors import (
    ActionAlreadyExists,
    ActionAlreadyPublished,
    ActionNotFound,
    ActionWithoutSession,
    FacilitatorDoubleBooked,
    PartnerAccreditationExpired,
    PartnerNotAccredited,
    PlaceDoubleBooked,
    PresentCountInvalid,
    SessionAlreadyReported,
    SessionAlreadyStarted,
    SessionInThePast,
    SessionNotFound,
    SessionNotYetHeld,
    SessionReportMissing,
)

from ..builders import (
    NOW,
    a_planned_session_not_scheduled,
    a_session_cancelled,
    a_session_moved,
    a_session_reported,
    a_session_scheduled,
    an_action_closed,
    an_action_created,
    an_action_published,
    call_content,
    cancel_session,
    create_action,
    days_from_today,
    decision,
    move_session,
    paris_time,
    partner_standing,
    planned_slot,
    report_session,
    schedule_session,
    session_slot,
    utc,
)

CREATED = (an_action_created(),)
SCHEDULED = (*CREATED, a_session_scheduled())
PUBLISHED = (*SCHEDULED, an_action_published())
REPORTED = (*PUBLISHED, a_session_reported())
CLOSED = (*REPORTED, an_action_closed())

# A second session, the day after the first one, elsewhere and by someone else.
SECOND = dict(
    session_id="session-2", starts_at=paris_time(4, 14), place="Salle 2", facilitators=["Karim Benali"]
)
SECOND_SLOT = session_slot(starts_at=paris_time(4, 14), place="Salle 2", facilitators=["Karim Benali"])


# --- creation ---


def test_an_approved_proposal_becomes_an_action_of_the_catalogue():
    assert given(action).when(*create_action()) == [
        ActionCreated(
            action_id="action-1",
            proposal_id="proposal-1",
            call_id="call-1",
            partner_id="partner-1",
            title="Atelier CV et lettre de motivation",
            action_type=ActionType.JOB_SEARCH_WORKSHOP,
            theme="Espace citoyen",
            capacity_min=4,
            capacity_max=10,
        )
    ]


def test_an_action_is_not_created_twice():
    with pytest.raises(ActionAlreadyExists) as refused:
        given(action, *CREATED).when(*create_action())
    assert refused.value.code == "action-already-exists"


# --- the sessions an approved proposal planned (issue 13 #12) ---

# The proposal planned two sessions: the default one in three days, and one the day after in Salle 2.
PLANNED = [planned_slot(), planned_slot(session_id="session-2", starts_at=paris_time(4, 14), place="Salle 2")]


def test_an_approved_proposals_planned_sessions_become_the_actions_sessions_run_by_its_facilitators():
    """issue 13 #12: the partner does not type them again."""
    assert given(action).when(*create_action(planned_sessions=PLANNED)) == [
        an_action_created(),
        a_session_scheduled(),
        a_session_scheduled(
            session_id="session-2", slot=session_slot(starts_at=paris_time(4, 14), place="Salle 2")
        ),
    ]


def test_a_planned_session_past_by_the_approval_is_recorded_as_not_scheduled_and_the_rest_is_scheduled():
    """issue 13 #12"""
    command, facts = create_action(planned_sessions=PLANNED, now=paris_time(3, 15))
    assert given(action).when(command, facts) == [
        an_action_created(),
        a_planned_session_not_scheduled(),
        a_session_scheduled(
            session_id="session-2", slot=session_slot(starts_at=paris_time(4, 14), place="Salle 2")
        ),
    ]


@pytest.mark.parametrize(
    "partner, rule",
    [
        (partner_standing(accredited_until=None), "partner-not-accredited"),
        (partner_standing(suspended=True), "partner-suspended"),
        (partner_standing(accredited_until=days_from_today(3)), None),
    ],
    ids=["never accredited", "suspended", "accredited through the first day only"],
)
def test_a_planned_session_is_scheduled_only_on_a_day_the_organisation_may_come_in(partner, rule):
    """issue 13 #12: the action is created all the same."""
    events = given(action).when(*create_action(planned_sessions=PLANNED, partner=partner))
    assert events[0] == an_action_created()
    first, second = events[1:]
    if rule is None:
        assert isinstance(first, SessionScheduled)
        assert (second.rule, second.place) == ("partner-accreditation-expired", "Salle 2")
    else:
        assert (first.rule, second.rule) == (rule, rule)
        assert isinstance(first, PlannedSessionNotScheduled) and first.starts_at == paris_time(3, 14)


def test_planned_sessions_clashing_with_each_other_keep_the_first_one():
    """issue 13 #12: same place, overlapping times (the second starts an hour into the first)."""
    clashing = planned_slot(session_id="session-2", starts_at=paris_time(3, 15), place="salle POLYVALENTE")
    events = given(action).when(*create_action(planned_sessions=[planned_slot(), clashing]))
    assert events[:2] == [an_action_created(), a_session_scheduled()]
    assert events[2].rule == "place-double-booked" and events[2].starts_at == paris_time(3, 15)


@pytest.mark.parametrize(
    "other, rule",
    [
        (session_slot(starts_at=paris_time(3, 15), facilitators=["Karim Benali"]), "place-double-booked"),
        (
            session_slot(starts_at=paris_time(3, 13), place="Salle 9", facilitators=["claire martin"]),
            "facilitator-double-booked",
        ),
    ],
    ids=["its place", "its facilitator"],
)
def test_a_planned_session_another_actions_session_clashes_with_is_not_scheduled(other, rule):
    """issue 13 #12: the other actions' sessions at those times come as facts, from the session table."""
    events = given(action).when(*create_action(planned_sessions=PLANNED, taken=[other]))
    assert [type(e) for e in events] == [ActionCreated, PlannedSessionNotScheduled, SessionScheduled]
    assert events[1].rule == rule and "another action's session" in events[1].detail


def test_another_actions_session_elsewhere_or_at_another_time_does_not_stop_a_planned_session():
    taken = [
        session_slot(place="Salle 9", facilitators=["Karim Benali"]),  # same time, elsewhere, someone else
        session_slot(starts_at=paris_time(3, 16)),  # same place and person, right after (half-open)
    ]
    events = given(action).when(*create_action(planned_sessions=[planned_slot()], taken=taken))
    assert events == [an_action_created(), a_session_scheduled()]


def test_a_planned_place_of_blanks_is_recorded_as_not_scheduled():
    events = given(action).when(*create_action(planned_sessions=[planned_slot(place="   ")]))
    assert events[1].rule == "value-invalid"


def test_the_action_lists_the_planned_sessions_it_could_not_schedule_and_publishes_with_the_others():
    history = given(action, an_action_created(), a_planned_session_not_scheduled(), a_session_scheduled())
    state = history.decider.fold(history.history)
    assert [(s.place, s.rule) for s in state.planned_sessions_not_scheduled] == [
        ("Salle polyvalente", "session-in-the-past")
    ]
    assert history.when(PublishAction()) == [an_action_published()]


ACTION_COMMANDS = [
    pytest.param(schedule_session(session_id="session-2"), id="schedule"),
    pytest.param(move_session(), id="move"),
    pytest.param(cancel_session(), id="cancel"),
    pytest.param(PublishAction(), id="publish"),
    pytest.param(report_session(), id="report"),
    pytest.param(CloseAction(), id="close"),
]


@pytest.mark.parametrize("command", ACTION_COMMANDS)
def test_an_action_that_was_never_created_is_not_found(command):
    with pytest.raises(ActionNotFound) as refused:
        given(action).when(*decision(command))
    assert refused.value.code == "action-not-found"


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(action, *CREATED).when(ReviseCall(call_id="call-1", content=call_content()))


# --- scheduling ---


def test_a_session_is_scheduled_for_two_hours():
    assert given(action, *CREATED).when(*schedule_session()) == [
        SessionScheduled(
            action_id="action-1",
            session_id="session-1",
            slot=SessionSlot(
                starts_at=paris_time(3, 14),
                ends_at=paris_time(3, 16),
                place="Salle polyvalente",
                facilitators=["Claire Martin"],
            ),
        )
    ]


def test_the_place_and_facilitators_are_recorded_without_blanks():
    command, facts = schedule_session(
        place="  Salle 2 ", facilitators=[" Claire Martin ", "  ", "Karim Benali"]
    )
    assert given(action, *CREATED).when(command, facts) == [
        a_session_scheduled(
            slot=session_slot(place="Salle 2", facilitators=["Claire Martin", "Karim Benali"])
        )
    ]


def test_sessions_are_added_to_a_published_action():
    assert given(action, *PUBLISHED).when(*schedule_session(**SECOND)) == [
        a_session_scheduled(session_id="session-2", slot=SECOND_SLOT)
    ]


def test_a_session_id_is_not_scheduled_twice():
    with pytest.raises(errors.SessionAlreadyExists) as refused:
        given(action, *SCHEDULED).when(*schedule_session(starts_at=paris_time(10, 14)))
    assert refused.value.code == "session-already-exists"


@pytest.mark.parametrize("starts_at", [NOW, paris_time(-1, 14)], ids=["right now", "yesterday"])
def test_a_session_in_the_past_is_refused(starts_at):
    with pytest.raises(SessionInThePast) as refused:
        given(action, *CREATED).when(*schedule_session(starts_at=starts_at))
    assert refused.value.code == "session-in-the-past"


@pytest.mark.parametrize("duration", [0, -30])
def test_a_session_lasts_a_positive_number_of_minutes(duration):
    with pytest.raises(ValidationError):
        schedule_session(duration_minutes=duration)


@pytest.mark.parametrize(
    "partner, error",
    [
        (partner_standing(withdrawn=True), errors.PartnerWithdrawn),
        (partner_standing(suspended=True), errors.PartnerSuspended),
        (partner_standing(accredited_until=None), PartnerNotAccredited),
        (partner_standing(accredited_until=days_from_today(2)), PartnerAccreditationExpired),
    ],
    ids=["withdrawn", "suspended", "never accredited", "expired before the session day"],
)
def test_only_an_organisation_accredited_on_the_session_day_schedules_it(partner, error):
    with pytest.raises(error):
        given(action, *CREATED).when(*schedule_session(partner=partner))


def test_a_session_is_scheduled_on_the_last_day_of_the_accreditation():
    command, facts = schedule_session(partner=partner_standing(accredited_until=days_from_today(3)))
    assert given(action, *CREATED).when(command, facts) == [a_session_scheduled()]


def test_the_session_day_is_the_establishments_calendar_day():
    # 00:30 in Paris is still the day before in UTC: the accreditation must cover the Paris day.
    starts_at = utc(paris_time(3, 0, 30))
    assert starts_at.date() == days_from_today(2)
    command, facts = schedule_session(
        starts_at=starts_at, partner=partner_standing(accredited_until=days_from_today(2))
    )
    with pytest.raises(PartnerAccreditationExpired) as refused:
        given(action, *CREATED).when(command, facts)
    assert refused.value.code == "partner-accreditation-expired"


# --- overlaps inside the action ---
# The default session: in three days, 14:00-16:00 Paris time, Salle polyvalente, run by Claire Martin.


@pytest.mark.parametrize(
    "overrides",
    [
        dict(starts_at=paris_time(3, 15)),
        dict(starts_at=paris_time(3, 13), duration_minutes=240),
        dict(starts_at=paris_time(3, 13), duration_minutes=61),
        dict(starts_at=utc(paris_time(3, 13, 30))),
        dict(starts_at=paris_time(3, 15), place=" SALLE POLYVALENTE "),
    ],
    ids=["starts during it", "encloses it", "ends during it", "given in UTC", "place spelt differently"],
)
def test_a_place_is_not_booked_twice_at_the_same_time(overrides):
    command, facts = schedule_session(
        **{"session_id": "session-2", "facilitators": ["Karim Benali"], **overrides}
    )
    with pytest.raises(PlaceDoubleBooked) as refused:
        given(action, *SCHEDULED).when(command, facts)
    assert refused.value.code == "place-double-booked"


@pytest.mark.parametrize("facilitators", [["Claire Martin"], ["Karim Benali", "  claire MARTIN "]])
def test_a_facilitator_does_not_run_two_sessions_at_the_same_time(facilitators):
    command, facts = schedule_session(
        session_id="session-2", starts_at=paris_time(3, 15), place="Salle 2", facilitators=facilitators
    )
    with pytest.raises(FacilitatorDoubleBooked) as refused:
        given(action, *SCHEDULED).when(command, facts)
    assert refused.value.code == "facilitator-double-booked"


def test_a_double_booked_place_is_reported_before_a_double_booked_facilitator():
    with pytest.raises(PlaceDoubleBooked):
        given(action, *SCHEDULED).when(*schedule_session(session_id="session-2", starts_at=paris_time(3, 15)))


@pytest.mark.parametrize(
    "starts_at, duration",
    [(paris_time(3, 16), 60), (paris_time(3, 12), 120)],
    ids=["right after", "right before"],
)
def test_back_to_back_sessions_in_the_same_place_by_the_same_facilitator_are_fine(starts_at, duration):
    command, facts = schedule_session(session_id="session-2", starts_at=starts_at, duration_minutes=duration)
    assert given(action, *SCHEDULED).when(command, facts) == [
        a_session_scheduled(
            session_id="session-2",
            slot=session_slot(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=duration)),
        )
    ]


def test_simultaneous_sessions_elsewhere_by_someone_else_are_fine():
    command, facts = schedule_session(
        session_id="session-2", starts_at=paris_time(3, 14), place="Salle 2", facilitators=["Karim Benali"]
    )
    assert given(action, *SCHEDULED).when(command, facts) == [
        a_session_scheduled(
            session_id="session-2", slot=session_slot(place="Salle 2", facilitators=["Karim Benali"])
        )
    ]


def test_a_cancelled_session_frees_its_place_and_facilitator():
    command, facts = schedule_session(session_id="session-2")
    assert given(action, *SCHEDULED, a_session_cancelled()).when(command, facts) == [
        a_session_scheduled(session_id="session-2")
    ]


# --- moving ---


def test_a_session_is_moved_to_another_day():
    assert given(action, *SCHEDULED).when(*move_session()) == [
        SessionMoved(
            action_id="action-1",
            session_id="session-1",
            slot=SessionSlot(
                starts_at=paris_time(4, 14),
                ends_at=paris_time(4, 16),
                place="Salle polyvalente",
                facilitators=["Claire Martin"],
            ),
        )
    ]


def test_a_session_moved_by_an_hour_does_not_overlap_itself():
    assert given(action, *SCHEDULED).when(*move_session(starts_at=paris_time(3, 15))) == [
        a_session_moved(slot=session_slot(starts_at=paris_time(3, 15)))
    ]


def test_a_session_is_not_moved_onto_the_place_of_another_one():
    history = (*SCHEDULED, a_session_scheduled(session_id="session-2", slot=SECOND_SLOT))
    with pytest.raises(PlaceDoubleBooked):
        given(action, *history).when(*move_session(starts_at=paris_time(4, 15), place="Salle 2"))


def test_a_session_is_not_moved_onto_the_time_its_facilitator_runs_another_one():
    history = (*SCHEDULED, a_session_scheduled(session_id="session-2", slot=SECOND_SLOT))
    command, facts = move_session(starts_at=paris_time(4, 15), facilitators=["Karim Benali"])
    with pytest.raises(FacilitatorDoubleBooked):
        given(action, *history).when(command, facts)


@pytest.mark.parametrize("now", [paris_time(3, 14), paris_time(3, 15)], ids=["as it starts", "while it runs"])
def test_a_session_that_has_started_is_not_moved(now):
    with pytest.raises(SessionAlreadyStarted) as refused:
        given(action, *SCHEDULED).when(*move_session(starts_at=paris_time(5, 14), now=now))
    assert refused.value.code == "session-already-started"


def test_a_session_is_not_moved_into_the_past():
    with pytest.raises(SessionInThePast):
        given(action, *SCHEDULED).when(*move_session(starts_at=paris_time(0, 9)))


def test_a_session_is_moved_only_to_a_day_the_organisation_is_accredited_for():
    command, facts = move_session(partner=partner_standing(accredited_until=days_from_today(3)))
    with pytest.raises(PartnerAccreditationExpired):
        given(action, *SCHEDULED).when(command, facts)


def test_a_session_of_a_suspended_organisation_is_not_moved():
    with pytest.raises(errors.PartnerSuspended) as refused:
        given(action, *SCHEDULED).when(*move_session(partner=partner_standing(suspended=True)))
    assert refused.value.code == "partner-suspended"


# --- cancelling ---


def test_a_scheduled_session_is_cancelled():
    assert given(action, *SCHEDULED).when(cancel_session(reason="Mouvement social")) == [
        a_session_cancelled(reason="Mouvement social")
    ]


def test_a_session_that_has_started_is_reported_not_cancelled():
    started = a_session_scheduled().slot.starts_at
    with pytest.raises(errors.SessionAlreadyStarted) as refused:
        given(action, *SCHEDULED).when(cancel_session(now=started))
    assert refused.value.code == "session-already-started"


SESSION_COMMANDS = [
    pytest.param(move_session(), id="move"),
    pytest.param(cancel_session(), id="cancel"),
    pytest.param(report_session(), id="report"),
]


@pytest.mark.parametrize("command", SESSION_COMMANDS)
def test_an_unknown_session_is_not_found(command):
    with pytest.raises(SessionNotFound) as refused:
        given(action, *CREATED, a_session_scheduled(session_id="session-2")).when(*decision(command))
    assert refused.value.code == "session-not-found"


@pytest.mark.parametrize("command", SESSION_COMMANDS)
def test_a_cancelled_session_is_neither_moved_nor_cancelled_nor_reported(command):
    with pytest.raises(errors.SessionCancelled) as refused:
        given(action, *SCHEDULED, a_session_cancelled()).when(*decision(command))
    assert refused.value.code == "session-cancelled"


@pytest.mark.parametrize("command", SESSION_COMMANDS)
def test_a_reported_session_is_neither_moved_nor_cancelled_nor_reported_again(command):
    with pytest.raises(SessionAlreadyReported) as refused:
        given(action, *REPORTED).when(*decision(command))
    assert refused.value.code == "session-already-reported"


# --- publishing ---


def test_an_action_with_a_session_to_come_is_published():
    assert given(action, *SCHEDULED).when(PublishAction()) == [ActionPublished(action_id="action-1")]


@pytest.mark.parametrize(
    "history",
    [CREATED, (*SCHEDULED, a_session_cancelled()), (*SCHEDULED, a_session_reported())],
    ids=["no session", "only a cancelled session", "only a reported session"],
)
def test_an_action_without_a_session_to_come_is_not_published(history):
    with pytest.raises(ActionWithoutSession) as refused:
        given(action, *history).when(PublishAction())
    assert refused.value.code == "action-without-session"


def test_an_action_is_not_published_twice():
    with pytest.raises(ActionAlreadyPublished) as refused:
        given(action, *PUBLISHED).when(PublishAction())
    assert refused.value.code == "action-already-published"


# --- reporting ---


def test_a_session_is_reported_once_it_has_taken_place():
    command = report_session(present_count=7, notes="Bons échanges")
    assert given(action, *PUBLISHED).when(*decision(command)) == [
        SessionReported(
            action_id="action-1", session_id="session-1", held=True, present_count=7, notes="Bons échanges"
        )
    ]


@pytest.mark.parametrize(
    "held, present_count", [(True, 10), (True, 0), (False, 0)], ids=["full", "held with nobody", "not held"]
)
def test_the_present_count_goes_from_zero_to_the_capacity(held, present_count):
    command = report_session(held=held, present_count=present_count)
    assert given(action, *PUBLISHED).when(*decision(command)) == [
        a_session_reported(held=held, present_count=present_count)
    ]


def test_a_session_is_not_reported_before_it_starts():
    with pytest.raises(SessionNotYetHeld) as refused:
        given(action, *PUBLISHED).when(report_session(now=paris_time(3, 13, 59)))
    assert refused.value.code == "session-not-yet-held"


@pytest.mark.parametrize(
    "held, present_count",
    [(True, 11), (False, 3)],
    ids=["above the capacity", "people at a session not held"],
)
def test_an_impossible_present_count_is_refused(held, present_count):
    with pytest.raises(PresentCountInvalid) as refused:
        given(action, *PUBLISHED).when(report_session(held=held, present_count=present_count))
    assert refused.value.code == "present-count-invalid"


def test_a_negative_present_count_is_refused():
    with pytest.raises(PresentCountInvalid):
        given(action, *PUBLISHED).when(report_session(present_count=-1))


# --- closing ---


@pytest.mark.parametrize(
    "history",
    [
        REPORTED,
        (*SCHEDULED, a_session_cancelled()),
        (
            *REPORTED,
            a_session_scheduled(session_id="session-2", slot=SECOND_SLOT),
            a_session_cancelled(session_id="session-2"),
        ),
        CREATED,
    ],
    ids=["reported", "cancelled", "one reported, one cancelled", "no session at all"],
)
def test_an_action_whose_sessions_are_all_reported_or_cancelled_is_closed(history):
    assert given(action, *history).when(CloseAction()) == [an_action_closed()]


def test_an_action_with_a_session_neither_reported_nor_cancelled_is_not_closed():
    history = (*REPORTED, a_session_scheduled(session_id="session-2", slot=SECOND_SLOT))
    with pytest.raises(SessionReportMissing) as refused:
        given(action, *history).when(CloseAction())
    assert refused.value.code == "session-report-missing"


@pytest.mark.parametrize("command", ACTION_COMMANDS)
def test_closing_is_final(command):
    with pytest.raises(errors.ActionClosed) as refused:
        given(action, *CLOSED).when(*decision(command))
    assert refused.value.code == "action-closed"


# --- state ---


def test_the_state_after_moving_a_session_holds_its_new_slot():
    state = action.fold([*SCHEDULED, a_session_moved()])
    session = state.sessions["session-1"]
    assert session.slot == session_slot(starts_at=paris_time(4, 14)) and session.pending


def test_the_state_tells_cancelled_and_reported_sessions_apart():
    state = action.fold(
        [
            *REPORTED,
            a_session_scheduled(session_id="session-2", slot=SECOND_SLOT),
            a_session_cancelled(session_id="session-2"),
        ]
    )
    first, second = state.sessions["session-1"], state.sessions["session-2"]
    assert (first.reported, first.cancelled, first.pending) == (True, False, False)
    assert (second.reported, second.cancelled, second.pending) == (False, True, False)


def test_the_state_follows_the_action_from_creation_to_closing():
    created, published, closed = action.fold(CREATED), action.fold(PUBLISHED), action.fold(CLOSED)
    assert (created.capacity_max, created.theme, created.sessions) == (10, "Espace citoyen", {})
    assert (published.published, published.closed) == (True, False)
    assert (closed.published, closed.closed) == (True, True)


# --- what refusals say (issue 13 #18) ---


def test_a_double_booked_place_is_named_with_the_session_holding_it_in_local_time():
    """Issue 13 #18: the place, and the session by its local day and time."""
    command, facts = schedule_session(
        session_id="session-2", starts_at=utc(paris_time(3, 15)), facilitators=["Karim Benali"]
    )
    with pytest.raises(PlaceDoubleBooked) as refused:
        given(action, *SCHEDULED).when(command, facts)
    assert refused.value.message == (
        "the place «Salle polyvalente» is already booked by the action's session on Monday 30 November 2026 at "
        "14:00"
    )


def test_an_action_with_a_session_to_report_names_it_and_keeps_its_id_in_the_problem():
    """Issue 13 #18."""
    with pytest.raises(SessionReportMissing) as refused:
        given(action, *PUBLISHED).when(CloseAction())
    assert refused.value.message == (
        "1 session(s) of the action «Atelier CV et lettre de motivation» are neither reported nor cancelled: "
        "report or cancel the session on Monday 30 November 2026 at 14:00 (Salle polyvalente) before closing it"
    )
    assert refused.value.members == {"session_ids": ["session-1"]}


def test_an_expired_accreditation_names_the_organisation_and_both_days():
    """Issue 13 #18."""
    command, facts = schedule_session(partner=partner_standing(accredited_until=days_from_today(1)))
    with pytest.raises(PartnerAccreditationExpired) as refused:
        given(action, *CREATED).when(command, facts)
    assert refused.value.message == (
        "the accreditation of Association Ressources Emploi ends on Saturday 28 November 2026, before Monday 30 "
        "November 2026"
    )
