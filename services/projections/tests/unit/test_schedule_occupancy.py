"""What occupies a person, a room or a facilitator, and which two occupations conflict (issue 15 #2): pure
rules."""

import random
from datetime import date, datetime, time, timedelta
from itertools import combinations

from contracts.projections import AbsenceReason
from contracts.rooms import EstablishmentRooms, Room, RoomList
from kernel.clock import LOCAL_TIME_ZONE
from projections.schedule.occupancy import (
    ConflictKind,
    Occupation,
    Slot,
    Weekly,
    facilitator_conflicts,
    facilitator_key,
    person_conflicts,
    place_key,
    room_conflicts,
    room_key,
    room_keys,
    would_double_book,
)

SINCE = datetime(2031, 3, 1, 9, 0, tzinfo=LOCAL_TIME_ZONE)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2031, 3, day, hour, minute, tzinfo=LOCAL_TIME_ZONE)


def a_session(item_id: str, day: int, start: int, end: int, since: datetime = SINCE) -> Occupation:
    return Occupation(item_id, "group_session", at(day, start), at(day, end), since)


def work(last_day: date | None = None) -> Weekly:
    """Thursdays 08:00-12:00 from Monday 3 March 2031."""
    return Weekly("ipro/work:w/a", "work", date(2031, 3, 3), last_day, (Slot(3, time(8), time(12)),), SINCE)


def test_a_weekly_schedule_occurs_on_its_weekdays_within_its_range_in_local_time():
    thursdays = work(last_day=date(2031, 3, 20)).between(at(1, 0), at(31, 0))
    assert [o.starts_at for o in thursdays] == [at(6, 8), at(13, 8), at(20, 8)]
    assert thursdays[0].item_id == "ipro/work:w/a@2031-03-06T08:00"
    # Across the change to summer time (30 March 2031) the hours stay the establishment's.
    april = work().between(at(31, 0), datetime(2031, 4, 4, tzinfo=LOCAL_TIME_ZONE))
    assert [o.starts_at.utcoffset().total_seconds() / 3600 for o in april] == [2.0]


def test_a_session_during_work_hours_is_a_warning_and_during_a_training_a_conflict():
    session = a_session("programmes/group:g/s", 13, 10, 12)
    training = Weekly(
        "ipro/training:t", "training", date(2031, 3, 3), None, (Slot(3, time(9), time(11)),), SINCE
    )
    found = person_conflicts("person-1", [session], [work(), training])
    assert [(f.kind, f.severity.value, f.starts_at, f.ends_at) for f in found] == [
        (ConflictKind.DURING_WORK_HOURS, "warning", at(13, 10), at(13, 12)),
        (ConflictKind.PERSON_DOUBLE_BOOKED, "conflict", at(13, 10), at(13, 11)),
    ]


def a_positioning(item_id: str, action_type: str, day: int, start: int, end: int) -> Occupation:
    return Occupation(item_id, "positioning", at(day, start), at(day, end), SINCE, action_type=action_type)


def test_a_work_hours_warning_gives_the_absence_reason_its_sessions_events_tell():
    dated = [
        a_positioning("ipro/positioning:pmsmp", "pmsmp", 13, 8, 9),
        a_positioning("ipro/positioning:leave", "escorted_professional_leave", 20, 8, 9),
        a_positioning("ipro/positioning:cv", "job_search_workshop", 27, 8, 9),
        a_session("programmes/group:g/s", 13, 10, 11),
        Occupation("assessment/interview:i", "interview", at(20, 10), at(20, 11), SINCE),
    ]
    found = person_conflicts("person-1", dated, [work()])
    assert {(f.first_item, f.kind, f.absence_reason) for f in found} == {
        ("ipro/positioning:pmsmp", ConflictKind.DURING_WORK_HOURS, AbsenceReason.PROFESSIONAL_LEAVE),
        ("ipro/positioning:leave", ConflictKind.DURING_WORK_HOURS, AbsenceReason.PROFESSIONAL_LEAVE),
        ("ipro/positioning:cv", ConflictKind.DURING_WORK_HOURS, AbsenceReason.IPRO_PATHWAY),
        ("ipro/work:w/a@2031-03-13T08:00", ConflictKind.DURING_WORK_HOURS, None),
        ("assessment/interview:i", ConflictKind.DURING_WORK_HOURS, None),
    }


def test_only_a_work_hours_warning_carries_an_absence_reason():
    training = Weekly(
        "ipro/training:t", "training", date(2031, 3, 3), None, (Slot(3, time(8), time(9)),), SINCE
    )
    positioning = a_positioning("ipro/positioning:cv", "job_search_workshop", 13, 8, 9)
    found = person_conflicts("person-1", [positioning, a_session("s", 13, 8, 9)], [training])
    assert [(f.kind, f.absence_reason) for f in found] == [
        (ConflictKind.PERSON_DOUBLE_BOOKED, None),
        (ConflictKind.PERSON_DOUBLE_BOOKED, None),
        (ConflictKind.PERSON_DOUBLE_BOOKED, None),
    ]


def test_touching_items_and_ended_schedules_do_not_conflict():
    before, after = a_session("a", 13, 12, 14), a_session("b", 13, 14, 16)
    assert person_conflicts("person-1", [before, after], [work()]) == []
    assert (
        person_conflicts("person-1", [a_session("c", 13, 10, 11)], [work(last_day=date(2031, 3, 12))]) == []
    )


def test_a_conflict_is_named_by_its_two_items_whatever_their_order_and_appears_with_the_later():
    later = datetime(2031, 3, 5, tzinfo=LOCAL_TIME_ZONE)
    one, other = a_session("x", 11, 14, 16), a_session("y", 11, 15, 17, since=later)
    (found,) = room_conflicts("salle 1", [one, other])
    (same,) = room_conflicts("salle 1", [other, one])
    assert found == same
    assert found.conflict_id == "room_double_booked|salle 1|x|y" and found.detected_at == later


def test_rooms_and_facilitators_are_compared_without_case_nor_spaces():
    assert place_key("  Salle   Polyvalente ") == place_key("salle polyvalente")
    assert facilitator_key("Camille  Formatrice") == facilitator_key("camille formatrice")
    assert "camille" not in facilitator_key("Camille Formatrice")


def test_a_facilitator_in_two_overlapping_sessions_of_any_service_is_double_booked():
    key = facilitator_key("anim-1")
    group = a_session("programmes/group:g/s", 13, 10, 12)
    partner = Occupation("partners/action:a/s", "action_session", at(13, 11), at(13, 13), SINCE)
    later = Occupation("partners/action:a/t", "action_session", at(13, 12), at(13, 14), SINCE)
    found = facilitator_conflicts(key, [group, partner, later])
    assert [
        (f.kind, f.severity.value, f.first_item, f.second_item, f.starts_at, f.ends_at) for f in found
    ] == [
        (
            ConflictKind.FACILITATOR_DOUBLE_BOOKED,
            "conflict",
            "partners/action:a/s",
            "programmes/group:g/s",
            at(13, 11),
            at(13, 12),
        ),
        (
            ConflictKind.FACILITATOR_DOUBLE_BOOKED,
            "conflict",
            "partners/action:a/s",
            "partners/action:a/t",
            at(13, 12),
            at(13, 13),
        ),
    ]
    # The id names the facilitator by digest only, and differs from a room's over the same two sessions.
    assert found[0].conflict_id.startswith(f"facilitator_double_booked|{key}|")
    assert found[0].conflict_id != room_conflicts(key, [group, partner])[0].conflict_id


def test_a_proposed_session_would_double_book_what_the_view_would_find_once_it_is_scheduled():
    """A preview pairs the proposed session with each session there by the view's rule: the same conflicts,
    touching ends aside, as scheduling it would make appear."""
    key = facilitator_key("anim-1")
    booked = [
        a_session("programmes/group:g/s", 13, 10, 12),
        a_session("programmes/group:g/t", 13, 14, 16),  # touches the proposed one's end
        a_session("programmes/group:g/u", 13, 8, 9),  # before it
    ]
    proposed = Occupation("proposed", "action_session", at(13, 11), at(13, 14), SINCE)
    found = would_double_book(ConflictKind.FACILITATOR_DOUBLE_BOOKED, key, proposed, booked)
    assert [(f.first_item, f.second_item, f.starts_at, f.ends_at) for f in found] == [
        ("programmes/group:g/s", "proposed", at(13, 11), at(13, 12))
    ]
    assert found == [
        f for f in facilitator_conflicts(key, [*booked, proposed]) if "proposed" in f.conflict_id
    ]


def test_a_busy_room_finds_every_overlapping_pair_and_only_those():
    """The sweep compares a session with those still running when it starts: the pairs of all against all."""
    rng = random.Random(15)
    start = at(10, 8)
    sessions = []
    for n in range(300):
        starts_at = start + timedelta(minutes=15 * rng.randrange(0, 400))
        ends_at = starts_at + timedelta(minutes=15 * rng.randrange(1, 12))
        sessions.append(Occupation(f"item-{n:03}", "group_session", starts_at, ends_at, SINCE))
    every_pair = {
        (a.item_id, b.item_id) if a.item_id < b.item_id else (b.item_id, a.item_id)
        for a, b in combinations(sessions, 2)
        if max(a.starts_at, b.starts_at) < min(a.ends_at, b.ends_at)
    }
    found = room_conflicts("salle 1", sessions)
    assert {(f.first_item, f.second_item) for f in found} == every_pair
    assert len(found) == len(every_pair) > 0


ARRAS = "CP d'Arras"
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


def test_a_room_is_its_lists_id_within_its_establishment_else_its_name():
    assert room_key(ROOMS, ARRAS, " POLYVALENTE ") == room_key(ROOMS, ARRAS, "Salle polyvalente")
    assert room_key(ROOMS, ARRAS, "Salle polyvalente") == "arras-polyvalente"
    assert room_key(ROOMS, "CP de Lille", "Salle polyvalente") == "salle polyvalente"  # no list there
    assert room_key(ROOMS, ARRAS, "Cour") == "cour"  # not on the list: its name, as before lists
    assert room_key(ROOMS, "", "Salle 1") == "salle 1"  # the establishment not known yet


def test_a_room_asked_by_name_is_looked_for_under_each_key_it_may_have():
    assert room_keys(ROOMS, "polyvalente", None) == ["arras-polyvalente", "polyvalente"]
    assert room_keys(ROOMS, "Salle 1", ARRAS) == ["arras-salle-1", "salle 1"]
    assert room_keys(ROOMS, "Salle 1", "CP de Lille") == ["salle 1"]
