"""Issue 13 #16 (times of day), through the API against the real database and broker: the weekly hours of a
training and of a post, as the IPRO service answers and appends them, validate against its OpenAPI and the
committed event schemas (version 2) as a strict client checks them, formats included. What version 1 (whose
schema said `format: time`) wrote is still read: a training enrolled under it, a programme group published
under it, and bookings kept with the offset a client could then send.

The calendar: the clock stands on Friday 2026-11-27 at 09:00 in Arras."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from contracts import Actor
from contracts.ipro import AffectationDecided, TrainingEnrolled, TrainingEnrolledV1, WeeklySlotV1
from contracts.programmes import GroupPlannedV1, GroupSession, WeeklyPatternV1
from devinfra.testkit import Upstream, answered_as_described, payload_as_published, stored_payloads, wait_for
from ipro import lookups
from kernel.clock import LOCAL_TIME_ZONE
from kernel.database import create_pool
from kernel.eventstore import EventStore, Metadata

from .flows import REPLICA_TIMEOUT, known
from .test_rules_api import (
    MONDAY_MORNING,
    TUESDAY_MORNING,
    affectation_body,
    classed,
    interviewed,
    pathway_url,
    training_body,
    work_url,
)

pytestmark = pytest.mark.integration

MIGRATION = Path(lookups.__file__).parent / "migrations" / "0104_ipro_local_times_of_day.sql"


async def test_a_training_and_a_post_answer_and_append_their_weekly_hours_as_described(
    api, app, residents, as_role, ipro_dsn
):
    """Issue 13 #16: "09:00" sent, "09:00:00" answered and appended, each valid against its description."""
    person = await residents.admitted("p-1")
    chef, governor = as_role("ipro_chef"), as_role("direction")

    enrolled = await api.post(
        f"{pathway_url(person)}/trainings", headers=chef, json=training_body(TUESDAY_MORNING)
    )
    await classed(api, as_role, person)
    await interviewed(api, as_role, person)
    affected = await api.post(
        f"{work_url(person)}/affectation", headers=governor, json=affectation_body(MONDAY_MORNING)
    )

    assert (enrolled.status_code, affected.status_code) == (201, 201), (enrolled.text, affected.text)
    assert enrolled.json()["schedule"] == [{"weekday": 1, "starts_at": "09:00:00", "ends_at": "12:00:00"}]
    assert answered_as_described(app, enrolled, "/pathways/{pathway_id}/trainings") == []
    assert answered_as_described(app, affected, "/pathways/{pathway_id}/work/affectation") == []
    training = await api.get(f"/trainings/{enrolled.json()['training_id']}", headers=chef)
    assert answered_as_described(app, training, "/trainings/{training_id}") == []
    work = await api.get(work_url(person), headers=chef)
    assert answered_as_described(app, work, "/pathways/{pathway_id}/work") == []
    for event_type in (TrainingEnrolled.event_type, AffectationDecided.event_type):
        ((version, payload),) = await stored_payloads(ipro_dsn, event_type)
        assert version == 2
        assert payload_as_published(event_type, 2, payload) == []


async def test_a_training_enrolled_under_version_1_is_still_read_and_followed(
    api, app, residents, as_role, ipro_dsn, clock
):
    """Issue 13 #16: an event appended before version 2 is upcast where the store is read, and the training's
    next events follow it in its stream."""
    person = await residents.admitted("p-1")
    training_id = str(uuid.uuid4())
    old = TrainingEnrolledV1(
        training_id=training_id,
        pathway_id=person["pathway_id"],
        subject_id=person["subject_id"],
        body="AFPA",
        title="Titre professionnel Agent de propreté",
        starts_on=date(2026, 11, 30),
        ends_on=date(2027, 3, 26),
        hours=240,
        schedule=[WeeklySlotV1(weekday=1, starts_at=time(9), ends_at=time(12))],
    )
    pool = await create_pool(ipro_dsn)
    try:
        actor = Actor(subject="ipro_chef-1", role="ipro_chef")
        await EventStore(pool, clock).append(
            "training", training_id, 0, [old], Metadata(actor), subject=person["subject_id"]
        )
    finally:
        await pool.close()
    chef = as_role("ipro_chef")

    read = await api.get(f"/trainings/{training_id}", headers=chef)
    dropped = await api.post(f"/trainings/{training_id}/drop-out", headers=chef, json={"reason": "Transfert"})

    assert read.status_code == 200, read.text
    assert read.json()["schedule"] == [{"weekday": 1, "starts_at": "09:00:00", "ends_at": "12:00:00"}]
    assert answered_as_described(app, read, "/trainings/{training_id}") == []
    assert dropped.status_code == 200, dropped.text
    assert (dropped.json()["status"], dropped.json()["version"]) == ("dropped_out", 2)
    assert [version for version, _ in await stored_payloads(ipro_dsn, TrainingEnrolled.event_type)] == [1]


async def test_a_programme_group_published_under_version_1_reaches_the_replica(api, ipro_settings, ipro_dsn):
    """Issue 13 #16: the programme-sessions subscription reads a version-1 `programmes.group.planned` from the
    topic, upcast, as it reads version 2."""
    starts_at = datetime(2026, 12, 14, 9, 0, tzinfo=LOCAL_TIME_ZONE)
    planned = GroupPlannedV1(
        group_id="group-v1",
        programme_id="programme-v1",
        programme_version=1,
        establishment="InSERRE Arras",
        room="Salle 3",
        facilitators=["cpip-1"],
        start_date=date(2026, 12, 14),
        end_date=date(2026, 12, 14),
        pattern=WeeklyPatternV1(weekday=0, starts_at=time(9), duration_minutes=120),
        capacity=10,
        minimum=1,
        sessions=[
            GroupSession(
                session_id="group-v1-s1",
                number=1,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                room="Salle 3",
            )
        ],
    )

    await Upstream(ipro_settings, "programmes", role="dpip").publish("group-v1", planned)

    await wait_for(
        lambda: known(ipro_dsn, "SELECT 1 FROM programme_sessions WHERE session_id = 'group-v1-s1'"),
        timeout=REPLICA_TIMEOUT,
        message="the version-1 group's session in the IPRO replica",
    )


async def test_bookings_kept_with_an_offset_are_read_at_their_wall_clock_time(api, ipro_dsn):
    """Issue 13 #16: version 1 let a client send "14:00+01:00", which a booking kept as "14:00:00+01:00"; the
    migration keeps the wall-clock time, which today's `LocalTime` reads (and refused before it)."""
    pool = await create_pool(ipro_dsn)
    try:
        async with pool.acquire() as connection:
            await connection.execute(
                """INSERT INTO bookings (reference, subject_id, kind, starts_on, slots)
                   VALUES ('work-v1', 'p-1', 'work', '2026-11-30', $1)""",
                [
                    {"weekday": 0, "starts_at": "14:00:00+01:00", "ends_at": "17:30:00.500000"},
                    {"weekday": 1, "starts_at": "08:00:00", "ends_at": "12:00:00"},
                ],
            )
            with pytest.raises(ValueError, match="not a local time of day"):
                await lookups.bookings_of(connection, "p-1")

            await connection.execute(MIGRATION.read_text(encoding="utf-8"))

            (booking,) = await lookups.bookings_of(connection, "p-1")
    finally:
        await pool.close()
    assert [(s.weekday, s.starts_at, s.ends_at) for s in booking.slots] == [
        (0, time(14), time(17, 30)),
        (1, time(8), time(12)),
    ]
