"""Issue 13 #7: a commitment booked over a SPIP programme session the person attends is accepted, with a
warning naming the session (D.412-32: SPIP appointments are organised outside working hours)."""

from datetime import date

import pytest

from ipro.domain.facts import Booking
from ipro.domain.overlaps import programme_warnings

from ..builders import (
    MONDAY,
    SESSION_DAY,
    THURSDAY,
    a_positioned_session,
    local,
    slot,
    training_hours,
    work_hours,
)

MONDAY_14_DECEMBER = date(2026, 12, 14)


def a_programme_session(**overrides) -> Booking:
    """The PPR session of Monday 14 December 2026, 10:00 to 12:00, in room 3."""
    values = dict(
        kind="programme",
        reference="ppr-session-3",
        label="the session of the SPIP programme «PPR» on Monday 14 December 2026 at 10:00 (Salle 3)",
        starts_at=local(MONDAY_14_DECEMBER, 10),
        ends_at=local(MONDAY_14_DECEMBER, 12),
    )
    return Booking(**{**values, **overrides})


def test_work_hours_over_a_programme_session_are_booked_with_a_warning_naming_it():
    assert programme_warnings(work_hours(), [a_programme_session()], "Jean Martin") == [
        "Jean Martin attends the session of the SPIP programme «PPR» on Monday 14 December 2026 at 10:00 "
        "(Salle 3) at that time: SPIP appointments are organised outside working hours (D.412-32), agree on "
        "it with their CPIP"
    ]


@pytest.mark.parametrize(
    "booked",
    [
        pytest.param(
            work_hours(slots=[slot(MONDAY, 13, 17), slot(THURSDAY, 8, 12)]), id="work in the afternoon"
        ),
        pytest.param(training_hours(), id="a training starting in January"),
        pytest.param(a_positioned_session(), id="a partner session on another day"),
    ],
)
def test_a_commitment_beside_the_programme_sessions_has_no_warning(booked):
    assert programme_warnings(booked, [a_programme_session()], "Jean Martin") == []


def test_a_partner_session_at_the_time_of_a_programme_session_is_warned_about():
    other_day = a_programme_session(
        reference="ppr-session-2", starts_at=local(SESSION_DAY, 11), ends_at=local(SESSION_DAY, 13)
    )
    warned = programme_warnings(a_positioned_session(), [a_programme_session(), other_day], "Jean Martin")
    assert len(warned) == 1
