"""The kept files folded again off the read path (issue 14, ADR 18 addendum): the consumer marks the streams it
stored, the refresher traces them to the people whose files hold them and folds those files again, the
longest-waiting first; a mark renewed while a pass folds stays for the next one; files past their
`valid_until` are folded again; the marks are rows, so a restarted service resumes them; and the service's
own loop keeps the files warm without any read, a read then being served from the kept copy."""

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts import Actor
from contracts.assessment import InterviewHeld, InterviewType
from contracts.partners import PartnerSuspended
from devinfra.testkit import ok, serving
from projections.bootstrap import create_app
from projections.person_file import ingest, refresher, store
from services.projections.tests.person_history import CPIP, two_people

pytestmark = pytest.mark.integration

NOW = datetime(2031, 1, 8, 9, 0, tzinfo=UTC)
PEOPLE = ("person-1", "person-2")


def an_interview(history, interview_id: str = "interview-9"):
    held = InterviewHeld(
        interview_id=interview_id,
        case_id="case-1",
        held_on=date(2031, 1, 8),
        interview_type=InterviewType.FOLLOW_UP,
    )
    return history.record("interview", interview_id, held, subject="person-1", actor=CPIP)


async def kept(connection) -> dict[str, dict]:
    rows = await connection.fetch(
        "SELECT subject_id, through_seq, events, folded_at FROM person_file_snapshots"
    )
    return {row["subject_id"]: dict(row) for row in rows}


async def stale(connection) -> set[str]:
    return {row["subject_id"] for row in await connection.fetch("SELECT subject_id FROM person_file_stale")}


async def head_of(connection, subject_id: str) -> int:
    return max(e.seq for e in await store.events_of(connection, subject_id))


async def refresh_all(pool, now: datetime = NOW) -> None:
    while await refresher.refresh(pool, now):
        pass


async def test_stored_events_have_their_files_folded_again_by_the_refresher(pool, apply_all):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)
    async with pool.acquire() as connection:
        assert await kept(connection) == {}
        assert await connection.fetchval("SELECT count(*) FROM person_file_changed_streams") > 0

    await refresh_all(pool)
    async with pool.acquire() as connection:
        folded = await kept(connection)
        assert set(folded) == set(PEOPLE)
        for subject in PEOPLE:
            assert folded[subject]["through_seq"] == await head_of(connection, subject)
        assert await stale(connection) == set()
        assert await connection.fetchval("SELECT count(*) FROM person_file_changed_streams") == 0

    await apply_all(ingest.apply, an_interview(history))
    await refresh_all(pool)
    async with pool.acquire() as connection:
        again = await kept(connection)
        assert again["person-1"]["events"] == folded["person-1"]["events"] + 1
        assert again["person-2"] == folded["person-2"]  # not in person-2's file: left alone


async def test_an_event_of_a_stream_seen_through_links_stales_everyone_whose_file_holds_it(pool, apply_all):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)
    await refresh_all(pool)
    # The partner is context, reached from each person's positioning: no one owns its stream.
    suspended = history.record(
        "partner",
        "partner-1",
        PartnerSuspended(partner_id="partner-1", reason="Convention échue"),
        actor=Actor(subject="ripro-1", role="ripro"),
    )
    await apply_all(ingest.apply, suspended)
    async with pool.acquire() as connection:
        await refresher.mark_people(connection)
        assert await stale(connection) == set(PEOPLE)


async def test_the_longest_waiting_files_are_folded_first(pool, apply_all):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)
    async with pool.acquire() as connection:
        await refresher.mark_people(connection)
        await connection.execute(  # marked an hour before person-1
            "UPDATE person_file_stale SET since = since - interval '1 hour' WHERE subject_id = 'person-2'"
        )
        assert await refresher.fold_stale(connection, NOW, limit=1) == 1
        assert set(await kept(connection)) == {"person-2"}
        assert await stale(connection) == {"person-1"}


async def test_a_file_is_folded_again_once_its_events_have_settled(pool, apply_all):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)
    async with pool.acquire() as connection:
        await refresher.mark_people(connection)
        assert await refresher.fold_stale(connection, NOW, limit=10, settle=60) == 0  # just marked: waits

        await connection.execute(  # person-1 has been stale for a minute, person-2 a few seconds less
            "UPDATE person_file_stale SET since = now() - interval '60 seconds' WHERE subject_id = 'person-1'"
        )
        await connection.execute(
            "UPDATE person_file_stale SET since = now() - interval '55 seconds' WHERE subject_id = 'person-2'"
        )
        assert await refresher.fold_stale(connection, NOW, limit=10, settle=60) == 1
        assert set(await kept(connection)) == {"person-1"}
        assert await stale(connection) == {"person-2"}


async def test_a_person_marked_again_while_their_file_was_folded_stays_stale(pool, apply_all, monkeypatch):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)
    async with pool.acquire() as connection:
        await refresher.mark_people(connection)
    fold = refresher.refold
    late = [an_interview(history)]

    async def an_event_arrives_first(connection, subject_id, now):
        if late:  # stored and traced while this pass folds: the pass has not read it
            await apply_all(ingest.apply, late.pop())
            async with pool.acquire() as other:
                await refresher.mark_people(other)
        await fold(connection, subject_id, now)

    monkeypatch.setattr(refresher, "refold", an_event_arrives_first)
    async with pool.acquire() as connection:
        assert await refresher.fold_stale(connection, NOW, limit=10) == 2
        assert await stale(connection) == {"person-1"}
    monkeypatch.undo()
    await refresh_all(pool)
    async with pool.acquire() as connection:
        assert (await kept(connection))["person-1"]["through_seq"] == await head_of(connection, "person-1")


async def test_a_stream_marked_again_after_it_was_read_keeps_its_mark(pool, apply_all):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)
    async with pool.acquire() as connection:
        read = await connection.fetch("SELECT stream, seq FROM person_file_changed_streams")
        await apply_all(ingest.apply, an_interview(history), an_interview(history, "interview-10"))
        await connection.execute(
            refresher._DROP_STREAM_MARKS, [r["stream"] for r in read], [r["seq"] for r in read]
        )
        left = {
            row["stream"] for row in await connection.fetch("SELECT stream FROM person_file_changed_streams")
        }
    assert left == {"assessment/interview:interview-9", "assessment/interview:interview-10"}


async def test_files_past_their_valid_until_are_folded_again(pool, apply_all):
    await apply_all(ingest.apply, *two_people().envelopes)
    await refresh_all(pool)
    async with pool.acquire() as connection:
        until = await connection.fetchval("SELECT min(valid_until) FROM person_file_snapshots")
        assert await refresher.fold_expired(connection, until - timedelta(seconds=1), 10) == 0
        assert await refresher.fold_expired(connection, until, 10) >= 1
        assert {r["folded_at"] for r in (await kept(connection)).values()} >= {until}


async def test_the_service_keeps_files_warm_without_a_read_and_resumes_marks_after_a_restart(
    pool, apply_all, views_settings, dev_keys
):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)  # stored while the service was down
    async with pool.acquire() as connection:
        await refresher.mark_people(connection)  # a pass traced them, then the service stopped
        assert await stale(connection) == set(PEOPLE)

    dpip = {"Authorization": f"Bearer {dev_keys.mint('dpip', subject='dpip-1')}"}
    settings = views_settings.model_copy(update={"person_file_settle_seconds": 0.5})  # the setting, shorter
    async with serving(create_app(settings, clock=lambda: NOW)) as client:
        await until_warm(pool, PEOPLE)
        await apply_all(ingest.apply, an_interview(history))  # arrives while it runs
        await until_warm(pool, ["person-1"])

        async with pool.acquire() as connection:  # a copy that shows when it is served
            await connection.execute(
                "UPDATE person_file_snapshots SET file = jsonb_set(file::jsonb, '{timeline}', '[]')::text"
                " WHERE subject_id = 'person-1'"
            )
        file = await ok(await client.get("/persons/person-1/file", headers=dpip))
        assert file["timeline"] == []


async def until_warm(pool, people, timeout: float = 20.0) -> None:
    """Until each person's kept file holds all their events (the refresher's loop runs in the app)."""
    async with asyncio.timeout(timeout):
        while not await warm(pool, people):
            await asyncio.sleep(0.05)


async def warm(pool, people) -> bool:
    async with pool.acquire() as connection:
        files, marked = await kept(connection), await stale(connection)
        for person in people:
            if person in marked or person not in files:
                return False
            if files[person]["through_seq"] != await head_of(connection, person):
                return False
    return True
