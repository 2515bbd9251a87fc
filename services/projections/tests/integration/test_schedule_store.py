"""The schedule view (issue 15): a person's, a room's and a facilitator's week from the four services'
events, and each kind of conflict detected as the events arrive, then resolved by a move or a
cancellation; whatever order the streams arrive in, the conflicts are the same."""

import random
from datetime import timedelta

import pytest

from kernel.clock import start_of_day
from projections.person_file import ingest as person_file
from projections.schedule import ingest, store
from projections.schedule.occupancy import facilitator_key, place_key
from services.projections.tests.schedule_week import (
    FACILITATOR,
    MONDAY,
    PARTNER_FACILITATOR,
    at,
    positioning_cancelled,
    room_moved,
    the_week,
    thursday_moved_to_afternoon,
)

pytestmark = pytest.mark.integration

WEEK = {"lower": start_of_day(MONDAY), "upper": start_of_day(MONDAY + timedelta(days=7))}


async def both(connection, envelope, event):
    """The person file keeps identities (names are joined from there), the schedule the rest."""
    await person_file.apply(connection, envelope, event)
    await ingest.apply(connection, envelope, event)


async def week_of(pool, **filters):
    async with pool.acquire() as connection:
        return await store.schedule(connection, **WEEK, **filters)


async def conflicts_of(pool, **filters):
    async with pool.acquire() as connection:
        rows = await store.conflicts(connection, **WEEK, **filters)
    return {(r["kind"], r["subject_id"] or r["room"], r["first_item"], r["second_item"]): r for r in rows}


G1, G2 = "programmes/group:group-1/g-1-s-1", "programmes/group:group-1/g-1-s-2"
A1, P1 = "partners/action:action-1/a-1-s-1", "ipro/positioning:positioning-1"
WORK_THURSDAY = "ipro/work:work-1/affectation-1@2031-03-13T08:00"
TRAINING_THURSDAY = "ipro/training:training-2@2031-03-13T09:00"
ALL_FOUR = {
    ("room_double_booked", "salle polyvalente", A1, G1),
    ("person_double_booked", "person-1", P1, G1),
    ("during_work_hours", "person-1", WORK_THURSDAY, G2),
    ("person_double_booked", "person-2", TRAINING_THURSDAY, G2),
}


async def test_a_persons_week_gathers_sessions_positionings_training_and_work(pool, apply_all):
    await apply_all(both, *the_week().envelopes)

    marie = await week_of(pool, subject_id="person-1")
    assert [(i["kind"], i["item_id"], i["starts_at"]) for i in marie] == [
        ("positioning", P1, at(1, 14)),
        ("group_session", G1, at(1, 14, 30)),
        ("work", WORK_THURSDAY, at(3, 8)),
        ("group_session", G2, at(3, 10)),
    ]
    session = marie[1]
    assert session["title"] == "PPR-VIOL – Prévention de la récidive : violences"
    assert (session["place"], session["establishment"], session["seats"], session["taken"]) == (
        "Salle polyvalente",
        "CP d'Arras",
        10,
        2,
    )
    assert session["fill_rate"] == 0.2
    assert [(p["subject_id"], p["last_name"]) for p in session["participants"]] == [
        ("person-2", "Benali"),
        ("person-1", "Lefèvre"),
    ]
    karim = await week_of(pool, subject_id="person-2")
    assert [i["kind"] for i in karim] == ["group_session", "training", "group_session"]


async def test_a_rooms_and_a_facilitators_week(pool, apply_all):
    await apply_all(both, *the_week().envelopes)

    room = await week_of(pool, room=place_key("  salle   Polyvalente "))
    assert [i["item_id"] for i in room] == [A1, G1]
    partner_session = room[0]
    assert (partner_session["title"], partner_session["establishment"], partner_session["partner_id"]) == (
        "Atelier CV",
        "CP d'Arras",
        "partner-1",
    )
    assert (partner_session["taken"], partner_session["seats"]) == (1, 8)

    assert [i["item_id"] for i in await week_of(pool, facilitator=facilitator_key(FACILITATOR))] == [G1, G2]
    assert [i["item_id"] for i in await week_of(pool, facilitator=facilitator_key(PARTNER_FACILITATOR))] == [
        A1
    ]
    assert await week_of(pool, establishment="CP de Lille") == []
    assert [i["item_id"] for i in await week_of(pool, partner_id="partner-1")] == [A1]


async def test_no_name_of_a_person_nor_of_a_facilitator_is_kept_by_the_view(pool, apply_all):
    await apply_all(ingest.apply, *the_week().envelopes)
    async with pool.acquire() as connection:
        rows = [r for table in ingest.TABLES for r in await connection.fetch(f"SELECT * FROM {table}")]
    dump = " ".join(str(dict(r)) for r in rows)
    for personal in ("Lefèvre", "Benali", "A12345", FACILITATOR, PARTNER_FACILITATOR):
        assert personal not in dump


async def test_each_kind_of_conflict_is_detected_then_resolved_by_a_move_or_a_cancellation(pool, apply_all):
    week = the_week()
    await apply_all(ingest.apply, *week.envelopes)
    found = await conflicts_of(pool)
    assert set(found) == ALL_FOUR
    assert all(c["resolved_at"] is None for c in found.values())
    room = found[("room_double_booked", "salle polyvalente", A1, G1)]
    assert (room["starts_at"], room["ends_at"], room["establishment"]) == (
        at(1, 14, 30),
        at(1, 16),
        "CP d'Arras",
    )
    warning = found[("during_work_hours", "person-1", WORK_THURSDAY, G2)]
    assert (warning["severity"], warning["starts_at"], warning["ends_at"]) == (
        "warning",
        at(3, 10),
        at(3, 12),
    )
    # It appeared when the second of its two items was set: Marie's post.
    assert warning["detected_at"] == next(
        e.occurred_at for e in week.envelopes if e.event_type == "ipro.work.affectation_decided"
    )

    planned = len(week.envelopes)
    room_moved(week)
    positioning_cancelled(week)
    thursday_moved_to_afternoon(week)
    await apply_all(ingest.apply, *week.envelopes[planned:])

    after = await conflicts_of(pool)
    assert set(after) == ALL_FOUR  # kept, with when and by what they ended
    resolved_by = {key[:2]: (c["resolved_by"], c["resolved_at"]) for key, c in after.items()}
    moved_1, cancelled, moved_2 = (e.occurred_at for e in week.envelopes[planned:])
    assert resolved_by == {
        ("room_double_booked", "salle polyvalente"): ("programmes.group.session_moved", moved_1),
        ("person_double_booked", "person-1"): ("ipro.positioning.cancelled", cancelled),
        ("during_work_hours", "person-1"): ("programmes.group.session_moved", moved_2),
        ("person_double_booked", "person-2"): ("programmes.group.session_moved", moved_2),
    }
    assert await conflicts_of(pool, establishment="CP de Lille") == {}


async def test_a_conflict_found_again_after_its_resolution_is_open_again(pool, apply_all):
    week = the_week()
    room_moved(week)
    await apply_all(ingest.apply, *week.envelopes)
    key = ("room_double_booked", "salle polyvalente", A1, G1)
    assert (await conflicts_of(pool))[key]["resolved_at"] is not None

    from contracts.programmes import GroupSessionMoved

    week.record(
        "group",
        "group-1",
        GroupSessionMoved(
            group_id="group-1",
            session_id="g-1-s-1",
            starts_at=at(1, 15),
            ends_at=at(1, 17),
            room="Salle polyvalente",
        ),
    )
    await apply_all(ingest.apply, week.envelopes[-1])
    again = (await conflicts_of(pool))[key]
    assert (again["resolved_at"], again["starts_at"], again["detected_at"]) == (
        None,
        at(1, 15),
        week.envelopes[-1].occurred_at,
    )


async def test_the_order_streams_arrive_in_changes_no_open_conflict(pool, apply_all):
    """Consumers of different partitions and topics read streams in any order, each stream in its own: the
    conflicts open at the end, and when they appeared, are the same. (A conflict whose cause and end are
    read in another order may go unseen in between: its history is as the view read the events.)"""
    week = the_week()
    room_moved(week)
    await apply_all(ingest.apply, *week.envelopes)
    in_order = {k: v for k, v in (await conflicts_of(pool)).items() if v["resolved_at"] is None}
    assert len(in_order) == 3

    streams: dict[str, list] = {}
    for envelope in week.envelopes:
        streams.setdefault(envelope.stream_id, []).append(envelope)
    for seed in (1, 15, 2031):
        order = list(streams)
        random.Random(seed).shuffle(order)
        async with pool.acquire() as connection:
            await connection.execute(f"TRUNCATE {', '.join(ingest.TABLES)}")
        await apply_all(ingest.apply, *(e for stream in order for e in streams[stream]))
        found = {k: v for k, v in (await conflicts_of(pool)).items() if v["resolved_at"] is None}
        assert found == in_order, seed
