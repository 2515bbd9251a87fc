"""The consultation journal within the reader's establishments (issue 18 #2, ADR 26): a DPIP of one site finds
who consulted the people of their site, never who consulted a person of another, whichever filter they
give; an entry read across sites names only their people; a transfer moves a person's consultations to the
new site's readers. Two establishments, entries stored as the journal's consumer stores them, read through
the app."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts import Actor
from contracts.assessment import CaseOpened, CaseTransferred, Identity, Sentence
from devinfra.testkit import ok, serving
from kernel.journal import JournalEntry
from projections.access_journal import store
from projections.bootstrap import create_app
from projections.person_file import ingest
from services.projections.tests.builders import History
from services.projections.tests.person_history import two_people

pytestmark = pytest.mark.integration

ARRAS, BAPAUME = "CP d'Arras", "CD Bapaume"  # person-1 and person-2 are at Arras (two_people)
DPIP = Actor(subject="dpip-1", role="dpip")
NOW = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)


def history_at_bapaume(person: str = "person-3", case: str = "case-3") -> History:
    """Paul Martin (person-3) held at Bapaume."""
    h = History(start=datetime(2031, 2, 1, 8, 0, tzinfo=UTC))
    h.record(
        "case",
        case,
        CaseOpened(
            case_id=case,
            subject_id=person,
            identity=Identity(
                last_name="Martin", first_names="Paul", birth_date=date(1985, 5, 5), ecrou_number="C11111"
            ),
            establishment=BAPAUME,
            admission_date=date(2031, 1, 20),
            sentence=Sentence(
                short_sentence=False, total_length_months=24, expected_end_date=date(2032, 12, 31)
            ),
        ),
        subject=person,
        actor=DPIP,
    )
    return h


def marie_transferred() -> History:
    h = History(start=datetime(2031, 3, 1, 8, 0, tzinfo=UTC))
    h.record(
        "case",
        "case-1",
        CaseTransferred(case_id="case-1", establishment=BAPAUME, transferred_on=date(2031, 3, 1)),
        subject="person-1",
        actor=DPIP,
    )
    return h


def entry(name: str, minutes: int, **fields) -> JournalEntry:
    """An entry as a service produces it; `name` is kept in its correlation id to tell entries apart."""
    return JournalEntry(
        **{
            "entry_id": uuid.uuid4(),
            "recorded_at": NOW + timedelta(minutes=minutes),
            "service": "projections",
            "method": "GET",
            "route": "/persons/{subject_id}/file",
            "status": 200,
            "user": "someone",
            "role": "dpip",
            "correlation_id": name,
            **fields,
        }
    )


ENTRIES = [
    entry("marie read at Arras", 1, user="dpip-arras", subject_ids=["person-1"], subjects_count=1),
    entry("paul read at Bapaume", 2, user="dpip-bapaume", subject_ids=["person-3"], subjects_count=1),
    # A list read by a user of both sites; it also counted 5 persons beyond the ids it kept.
    entry(
        "list across sites",
        3,
        user="regional",
        route="/persons",
        subject_ids=["person-3", "person-1", "person-2"],
        subjects_count=8,
    ),
    entry(
        "refused, nobody named", 4, user="cpip-x", status=403, route="/cases/{case_id}", object_ids=["case-9"]
    ),
    # People the person file does not know yet: the establishment the route declared counts.
    entry("unknown at Bapaume", 5, user="dpip-bapaume", subject_ids=["person-8"], establishment=BAPAUME),
    entry("unknown at Arras", 6, user="dpip-arras", subject_ids=["person-9"], establishment=ARRAS),
    entry("unknown, no site", 7, user="dpip-arras", subject_ids=["person-7"]),
]


@pytest.fixture
async def journal(views_settings, apply_all, pool, dev_keys):
    async def feed(connection, envelope, event):
        await ingest.apply(connection, envelope, event)

    await apply_all(feed, *two_people().envelopes, *history_at_bapaume().envelopes)
    async with pool.acquire() as connection:
        await store.add(connection, ENTRIES)
    # No journal consumer: the reads below are journaled too, and only these entries are to be found.
    settings = views_settings.model_copy(update={"run_background": False})
    async with serving(create_app(settings, clock=lambda: NOW)) as client:

        async def read(role: str = "dpip", establishments=(ARRAS,), **filters) -> list[dict]:
            token = dev_keys.mint(role, subject=f"{role}-reader", establishments=establishments)
            page = await ok(
                await client.get(
                    "/audit/access", params=filters, headers={"Authorization": f"Bearer {token}"}
                )
            )
            return page["items"]

        async def transfer_marie():
            await apply_all(feed, *marie_transferred().envelopes)

        yield read, transfer_marie, feed


def seen(items: list[dict]) -> dict[str, tuple[list[str], int]]:
    return {e["correlation_id"]: (e["subject_ids"], e["subjects_count"]) for e in items}


async def test_a_reader_finds_the_consultations_of_the_people_of_their_establishments_only(journal):
    read, *_ = journal
    assert seen(await read(establishments=(ARRAS,))) == {
        "unknown at Arras": (["person-9"], 1),
        "refused, nobody named": ([], 0),
        "list across sites": (["person-1", "person-2"], 7),
        "marie read at Arras": (["person-1"], 1),
    }
    assert seen(await read(establishments=(BAPAUME,))) == {
        "unknown at Bapaume": (["person-8"], 1),
        "refused, nobody named": ([], 0),
        "list across sites": (["person-3"], 6),
        "paul read at Bapaume": (["person-3"], 1),
    }
    # The auditor of a regional remit reads both sites: every entry but the one no site holds.
    both = seen(await read("auditeur", establishments=(ARRAS, BAPAUME)))
    assert set(both) == {e.correlation_id for e in ENTRIES} - {"unknown, no site"}
    assert both["list across sites"] == (["person-3", "person-1", "person-2"], 8)
    # A token naming no establishment reaches nothing, not even the entries naming nobody.
    assert await read(establishments=None) == []


async def test_no_filter_finds_a_consultation_of_another_establishments_person(journal):
    read, *_ = journal
    assert await read(subject_id="person-3") == []
    assert await read("auditeur", subject_id="person-3") == []
    assert await read(user="dpip-bapaume") == []
    assert [e["correlation_id"] for e in await read(subject_id="person-1")] == [
        "list across sites",
        "marie read at Arras",
    ]
    assert seen(await read(establishments=(BAPAUME,), user="regional")) == {
        "list across sites": (["person-3"], 6)
    }


async def test_a_transfer_moves_a_persons_consultations_to_the_new_establishments_readers(journal):
    read, transfer_marie, _ = journal
    await transfer_marie()
    assert await read(subject_id="person-1") == []
    assert [e["correlation_id"] for e in await read(establishments=(BAPAUME,), subject_id="person-1")] == [
        "list across sites",
        "marie read at Arras",
    ]
    assert seen(await read(establishments=(ARRAS,)))["list across sites"] == (["person-2"], 6)


async def test_an_entry_stored_before_the_file_knew_its_person_or_before_places_were_kept_is_found(
    journal, pool, apply_all
):
    """Each entry keeps where its persons were when it was stored, which the reader's filter tests first
    (migration 0126); a person the file did not know yet, and an entry stored before that column, are looked
    up person by person as before."""
    read, _, feed = journal
    async with pool.acquire() as connection:
        await store.add(connection, [entry("before Omar's file", 8, subject_ids=["person-4"])])
        await connection.execute(
            """INSERT INTO access_journal (entry_id, recorded_at, service, method, route, status, user_id,
                                           role, subject_ids, subjects_count, correlation_id)
               VALUES ($1, $2, 'projections', 'GET', '/persons/{subject_id}/file', 200, 'dpip-arras',
                       'dpip', '{person-2}', 1, 'before places were kept')""",
            uuid.uuid4(),
            NOW + timedelta(minutes=9),
        )
    assert "before Omar's file" not in seen(await read(establishments=(BAPAUME,)))
    await apply_all(feed, *history_at_bapaume("person-4", "case-4").envelopes)
    assert seen(await read(establishments=(BAPAUME,)))["before Omar's file"] == (["person-4"], 1)
    assert "before Omar's file" not in seen(await read(establishments=(ARRAS,)))
    assert seen(await read(establishments=(ARRAS,)))["before places were kept"] == (["person-2"], 1)
    assert "before places were kept" not in seen(await read(establishments=(BAPAUME,)))
