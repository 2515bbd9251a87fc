"""What the person-file view keeps (issue 14): every event of a person's streams and of the streams linked to
them, whatever the order they arrive in; no personal data outside the identity table; search by name."""

import random

import pytest

from projections.person_file import ingest, store
from services.projections.tests.person_history import two_people

pytestmark = pytest.mark.integration


async def event_types_of(pool, subject_id: str) -> list[str]:
    async with pool.acquire() as connection:
        return [e.event_type for e in await store.events_of(connection, subject_id)]


async def test_a_persons_file_gathers_their_streams_and_the_context_linked_to_them(pool, apply_all):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)

    types = await event_types_of(pool, "person-1")
    assert types[:3] == [
        "assessment.case.opened",
        "assessment.case.offences_recorded",  # restricted, kept for the SPIP reading (ADR 25)
        "assessment.case.referent_assigned",
    ]
    for expected in (
        "assessment.assessment.started",  # through the case, though it names no person
        "assessment.plan.adopted",
        "assessment.interview.held",
        "programmes.programme.created",  # context of the referral
        "programmes.group.planned",  # context of the group they joined
        "programmes.group.attendance_recorded",
        "partners.partner.registered",  # context of the positioning's action
        "partners.action.created",
        "ipro.pathway.opened",
        "ipro.work.classement_granted",
        "ipro.training.enrolled",
    ):
        assert expected in types
    other = await event_types_of(pool, "person-2")
    assert "ipro.training.enrolled" not in other and "assessment.plan.adopted" not in other
    assert "programmes.group.planned" in other  # the group they share


async def test_arrival_order_changes_nothing(pool, apply_all, new_projections_database):
    """Consumers of different partitions and topics see a case after its assessment, a positioning before its
    action: the file is the same."""
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)
    in_order = {s: await event_types_of(pool, s) for s in ("person-1", "person-2")}

    shuffled = list(history.envelopes)
    random.Random(14).shuffle(shuffled)
    async with pool.acquire() as connection:
        await connection.execute(f"TRUNCATE {', '.join(ingest.TABLES)}")
    await apply_all(ingest.apply, *shuffled, *shuffled[:5])  # and a few delivered twice
    assert {s: await event_types_of(pool, s) for s in in_order} == in_order


async def test_identity_is_kept_in_one_table_and_personal_fields_nowhere_else(pool, apply_all):
    await apply_all(ingest.apply, *two_people().envelopes)
    async with pool.acquire() as connection:
        identity = await store.identity_of(connection, "person-1")
        payloads = await connection.fetch("SELECT payload::text AS text FROM person_file_events")
    assert (identity.last_name, identity.ecrou_number) == ("Lefèvre", "A12345")
    everything = " ".join(row["text"] for row in payloads)
    for personal in ("Lefèvre", "Benali", "A12345", "1990-01-01", "Camille Animatrice"):
        assert personal not in everything


async def test_the_cursor_moves_with_each_event_of_the_person(pool, apply_all):
    """`/file/changes` answers the highest arrival number of the person's events."""
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes[:-1])
    async with pool.acquire() as connection:
        before = max(e.seq for e in await store.events_of(connection, "person-1"))
        other = max(e.seq for e in await store.events_of(connection, "person-2"))
        assert await store.events_of(connection, "person-nobody") == []
    await apply_all(ingest.apply, history.envelopes[-1])  # person-1's training
    async with pool.acquire() as connection:
        assert max(e.seq for e in await store.events_of(connection, "person-1")) > before
        assert max(e.seq for e in await store.events_of(connection, "person-2")) == other


@pytest.mark.parametrize(
    ("q", "found"),
    [("lefevre", ["person-1"]), ("MARIE LEF", ["person-1"]), ("B678", ["person-2"]), ("%", []), ("zz", [])],
)
async def test_people_are_found_by_name_or_ecrou_number_without_accents_or_case(pool, apply_all, q, found):
    await apply_all(ingest.apply, *two_people().envelopes)
    async with pool.acquire() as connection:
        listed = await store.search(connection, q, limit=10, after=None, establishments=None)
    assert [r["subject_id"] for r in listed.rows] == found and listed.total == len(found)


@pytest.mark.parametrize(
    ("establishments", "found"),
    [
        (["CP d'Arras"], ["person-1"]),
        (["CD Bapaume", "CP d'Arras"], ["person-1"]),
        (["CD Bapaume"], []),
        ([], []),
    ],
)
async def test_the_search_finds_the_people_of_the_callers_establishments_only(
    pool, apply_all, establishments, found
):
    """ADR 26: the person's establishment is their case's, as the file folds it."""
    await apply_all(ingest.apply, *two_people().envelopes)
    async with pool.acquire() as connection:
        listed = await store.search(
            connection, "lefevre", limit=10, after=None, establishments=establishments
        )
    assert [r["subject_id"] for r in listed.rows] == found and listed.total == len(found)
