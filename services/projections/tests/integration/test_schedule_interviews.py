"""SPIP interview appointments in the schedule (issue 15): the week of `schedule_week` with interviews
convened by a CPIP. An interview is the person's dated item (their double booking, their work hours), holds
its room (room conflicts) and is run by its CPIP (by digest, like a facilitator); the movement list shows
the person going to it, inside the walls; moving or cancelling it resolves what it caused."""

from datetime import timedelta

import pytest

from contracts import Actor
from contracts.assessment import InterviewCancelled, InterviewRescheduled, InterviewScheduled, InterviewType
from kernel.clock import start_of_day
from projections.movements import assemble
from projections.movements import store as movements
from projections.schedule import calendar
from projections.schedule.occupancy import facilitator_key
from services.projections.tests.integration.test_schedule_store import (
    A1,
    G2,
    WORK_THURSDAY,
    both,
    conflicts_of,
    week_of,
)
from services.projections.tests.schedule_week import ARRAS, MONDAY, at, the_week

pytestmark = pytest.mark.integration

CPIP = Actor(subject="cpip-durand", role="cpip")
I1, I2 = "assessment/interview:interview-1", "assessment/interview:interview-2"


def scheduled(
    h, interview_id: str, subject: str, starts_at, *, minutes: int = 45, place: str = "Bureau SPIP 2"
):
    h.record(
        "interview",
        interview_id,
        InterviewScheduled(
            interview_id=interview_id,
            case_id=f"case-{subject}",
            subject_id=subject,
            establishment=ARRAS,
            officer=CPIP.subject,
            interview_type=InterviewType.FOLLOW_UP,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            place=place,
        ),
        subject=subject,
        actor=CPIP,
    )


async def test_an_interview_during_a_group_session_is_a_double_booking_cancelling_it_resolves_it(
    pool, apply_all
):
    h = the_week()
    scheduled(h, "interview-1", "person-1", at(3, 10, 30))  # Thursday, in G2 and in Marie's work hours
    await apply_all(both, *h.envelopes)

    marie = await week_of(pool, subject_id="person-1")
    [interview] = [i for i in marie if i["kind"] == "interview"]
    assert (interview["item_id"], interview["starts_at"], interview["ends_at"]) == (
        I1,
        at(3, 10, 30),
        at(3, 11, 15),
    )
    assert (interview["title"], interview["place"], interview["establishment"]) == (
        "Entretien SPIP (suivi)",
        "Bureau SPIP 2",
        ARRAS,
    )
    assert [(p["subject_id"], p["last_name"]) for p in interview["participants"]] == [("person-1", "Lefèvre")]
    ics = calendar.render_ics(marie, name="Marie", generated_at=at(0, 8)).decode().replace("\r\n ", "")
    assert "SUMMARY:Entretien SPIP (suivi)" in ics

    found = await conflicts_of(pool, subject_id="person-1")
    assert found[("person_double_booked", "person-1", I1, G2)]["resolved_at"] is None
    assert found[("during_work_hours", "person-1", I1, WORK_THURSDAY)]["severity"] == "warning"
    assert found[("person_double_booked", "person-1", I1, G2)]["establishment"] == ARRAS

    h.record(
        "interview",
        "interview-1",
        InterviewCancelled(interview_id="interview-1"),
        subject="person-1",
        actor=CPIP,
    )
    await apply_all(both, h.envelopes[-1])
    found = await conflicts_of(pool, subject_id="person-1")
    assert (
        found[("person_double_booked", "person-1", I1, G2)]["resolved_by"] == "assessment.interview.cancelled"
    )
    assert found[("during_work_hours", "person-1", I1, WORK_THURSDAY)]["resolved_at"] is not None
    [cancelled] = [i for i in await week_of(pool, subject_id="person-1") if i["kind"] == "interview"]
    assert cancelled["cancelled"]


async def test_an_interview_holds_its_room_and_its_cpip_and_a_move_frees_them(pool, apply_all):
    h = the_week()
    scheduled(
        h, "interview-1", "person-2", at(1, 14), place="Salle polyvalente"
    )  # the partner session's room
    scheduled(h, "interview-2", "person-1", at(1, 14, 30), place="Bureau SPIP 1")  # the same CPIP, meanwhile
    await apply_all(both, *h.envelopes)

    found = await conflicts_of(pool)
    assert ("room_double_booked", "salle polyvalente", I1, A1) in found
    [cpip] = [c for c in found.values() if c["kind"] == "facilitator_double_booked"]
    assert (cpip["first_item"], cpip["second_item"]) == (I1, I2)
    assert [i["item_id"] for i in await week_of(pool, facilitator=facilitator_key(CPIP.subject))] == [I1, I2]

    moved = InterviewRescheduled(
        interview_id="interview-1", starts_at=at(2, 9), ends_at=at(2, 9, 45), place="Bureau SPIP 2"
    )
    h.record("interview", "interview-1", moved, subject="person-2", actor=CPIP)
    await apply_all(both, h.envelopes[-1])
    found = await conflicts_of(pool)
    assert found[("room_double_booked", "salle polyvalente", I1, A1)]["resolved_by"] == (
        "assessment.interview.rescheduled"
    )
    assert found[(cpip["kind"], None, I1, I2)]["resolved_at"] is not None
    assert [i["item_id"] for i in await week_of(pool, room="Bureau SPIP 2")] == [I1]


async def test_the_movement_list_shows_the_person_going_to_the_interview_inside_the_walls(pool, apply_all):
    h = the_week()
    scheduled(h, "interview-1", "person-1", at(2, 9))  # Wednesday
    await apply_all(both, *h.envelopes)

    wednesday = MONDAY + timedelta(days=2)
    async with pool.acquire() as connection:
        rows = await movements.day_of(connection, wednesday, ARRAS)
    listed = assemble.movements(
        wednesday,
        sessions=rows.sessions,
        interviews=rows.interviews,
        positionings=rows.positionings,
        weekly=rows.weekly,
        leaves=rows.leaves,
        with_names=True,
    )
    [going] = [m for m in listed if m.kind == "interview"]
    assert (going.item_id, going.subject_id, going.last_name, going.place) == (
        I1,
        "person-1",
        "Lefèvre",
        "Bureau SPIP 2",
    )
    assert (going.starts_at, going.outside, going.escorted) == (at(2, 9), False, None)
    assert going.activity == "Entretien SPIP (suivi)"
    assert start_of_day(wednesday) < going.starts_at
