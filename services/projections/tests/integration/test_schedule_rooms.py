"""Rooms are their establishment's (issue 15 #2, ADR 29): the schedule identifies a room by the reference list's
id within its establishment where the place names one of its rooms, else by its name there. Two sites' "Salle 1"
at the same hour are no conflict; one site's are. A partner session is in its call's establishment, even when
the call is read after it."""

from datetime import time, timedelta

import pytest

from contracts.programmes import GroupPlanned, GroupSession, WeeklyPattern
from contracts.rooms import EstablishmentRooms, Room, RoomList
from kernel.clock import start_of_day
from projections.schedule import ingest, store
from services.projections.tests.builders import History
from services.projections.tests.schedule_week import ARRAS, CPIP, MONDAY, NOW, a_partner_session, at

pytestmark = pytest.mark.integration

LILLE = "CP de Lille"
WEEK = {"lower": start_of_day(MONDAY), "upper": start_of_day(MONDAY + timedelta(days=7))}
ROOMS = RoomList(
    establishments=[
        EstablishmentRooms(
            establishment=ARRAS,
            rooms=[
                Room(room_id="arras-polyvalente", name="Salle polyvalente", aliases=["Polyvalente"]),
                Room(room_id="arras-salle-1", name="Salle 1"),
            ],
        )
    ]
)


def a_group_planned(group_id: str, establishment: str, room: str, facilitator: str) -> GroupPlanned:
    """One session on Tuesday 14:00-16:00 in `room` (each group its own facilitator: only rooms may meet)."""
    return GroupPlanned(
        group_id=group_id,
        programme_id="programme-1",
        programme_version=1,
        establishment=establishment,
        room=room,
        facilitators=[facilitator],
        start_date=MONDAY + timedelta(days=1),
        end_date=MONDAY + timedelta(days=1),
        pattern=WeeklyPattern(weekday=1, starts_at=time(14), duration_minutes=120),
        capacity=10,
        minimum=2,
        sessions=[
            GroupSession(
                session_id=f"{group_id}-s-1", number=1, starts_at=at(1, 14), ends_at=at(1, 16), room=room
            )
        ],
    )


def groups(*planned: tuple[str, str, str]) -> History:
    h = History(start=NOW)
    for n, (group_id, establishment, room) in enumerate(planned):
        h.record("group", group_id, a_group_planned(group_id, establishment, room, f"anim-{n}"), actor=CPIP)
    return h


def item(group_id: str) -> str:
    return ingest.group_item(group_id, f"{group_id}-s-1")


async def room_conflicts(pool) -> set[tuple[str | None, str, str, str]]:
    async with pool.acquire() as connection:
        rows = await store.conflicts(connection, **WEEK)
    return {
        (r["establishment"], r["room"], r["first_item"], r["second_item"])
        for r in rows
        if r["kind"] == "room_double_booked" and r["resolved_at"] is None
    }


async def test_two_establishments_salle_1_at_the_same_hour_is_no_conflict(pool, apply_all):
    await apply_all(ingest.apply, *groups(("arras", ARRAS, "Salle 1"), ("lille", LILLE, "Salle 1")).envelopes)

    assert await room_conflicts(pool) == set()


async def test_the_same_establishments_salle_1_twice_at_the_same_hour_is_a_conflict(pool, apply_all):
    planned = groups(
        ("arras-a", ARRAS, "Salle 1"), ("lille", LILLE, "salle 1"), ("arras-b", ARRAS, " salle  1")
    )
    await apply_all(ingest.apply, *planned.envelopes)

    assert await room_conflicts(pool) == {(ARRAS, "salle 1", item("arras-a"), item("arras-b"))}


async def test_a_rooms_names_and_aliases_meet_at_its_id_within_its_establishment(pool, apply_all):
    planned = groups(
        ("arras-a", ARRAS, "Polyvalente"),
        ("arras-b", ARRAS, "SALLE POLYVALENTE"),
        ("lille", LILLE, "Salle polyvalente"),
    )
    await apply_all(ingest.applier(rooms=ROOMS), *planned.envelopes)

    assert await room_conflicts(pool) == {(ARRAS, "arras-polyvalente", item("arras-a"), item("arras-b"))}
    async with pool.acquire() as connection:
        arras = await store.schedule(
            connection, **WEEK, room="Salle polyvalente", establishment=ARRAS, rooms=ROOMS
        )
        everywhere = await store.schedule(connection, **WEEK, room="polyvalente", rooms=ROOMS)
        lille = await store.schedule(
            connection, **WEEK, room="Salle polyvalente", establishment=LILLE, rooms=ROOMS
        )
    assert [i["item_id"] for i in arras] == sorted([item("arras-a"), item("arras-b")])
    assert [i["item_id"] for i in everywhere] == sorted([item("arras-a"), item("arras-b")])
    assert [i["item_id"] for i in lille] == [item("lille")]


@pytest.mark.parametrize("call_first", [True, False], ids=["call read first", "call read last"])
async def test_a_partner_session_is_in_its_calls_establishments_room(pool, apply_all, call_first):
    h = groups(("arras", ARRAS, "Salle 1"), ("lille", LILLE, "Salle 1"))
    a_partner_session(h, establishment=LILLE, title="Espace emploi", place="Salle 1", facilitator="Camille")
    call, *action = h.envelopes[2:]
    order = [*h.envelopes[:2], call, *action] if call_first else [*h.envelopes[:2], *action, call]
    await apply_all(ingest.applier(rooms=ROOMS), *order)

    partner = ingest.action_item("action-1", "a-1-s-1")
    assert await room_conflicts(pool) == {(LILLE, "salle 1", partner, item("lille"))}
