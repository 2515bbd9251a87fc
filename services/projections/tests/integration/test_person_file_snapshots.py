"""The live file kept between reads (issue 14): served again while it holds; folded afresh when an event about
the person arrives, when `now` reaches what the fold depended on (an upcoming session's end, midnight) or
goes back before it was folded; dropped by an erasure. Each check spoils the kept copy first, so a file
served from it shows."""

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.assessment import InterviewHeld, InterviewType
from projections.person_file import ingest, snapshots
from services.projections.tests.person_history import CPIP, erasure, two_people

pytestmark = pytest.mark.integration

NOW = datetime(2031, 1, 8, 9, 0, tzinfo=UTC)


async def spoil(connection) -> None:
    """An empty timeline in the kept copy: a file served from it has none."""
    await connection.execute(
        "UPDATE person_file_snapshots SET file = jsonb_set(file::jsonb, '{timeline}', '[]')::text"
    )


async def served_from_the_snapshot(connection, now: datetime) -> bool:
    live = await snapshots.live_file(connection, "person-1", now)
    return not live.file.timeline


async def test_a_kept_file_is_served_until_an_event_about_the_person_arrives(pool, apply_all):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)
    async with pool.acquire() as connection:
        folded = await snapshots.live_file(connection, "person-1", NOW)
        await spoil(connection)
        assert await served_from_the_snapshot(connection, NOW)
        assert await served_from_the_snapshot(connection, NOW + timedelta(minutes=5))

    held = InterviewHeld(
        interview_id="interview-9",
        case_id="case-1",
        held_on=date(2031, 1, 8),
        interview_type=InterviewType.FOLLOW_UP,
    )
    interview = history.record("interview", "interview-9", held, subject="person-1", actor=CPIP)
    await apply_all(ingest.apply, interview)
    async with pool.acquire() as connection:
        refolded = await snapshots.live_file(connection, "person-1", NOW)
    assert len(refolded.file.timeline) == len(folded.file.timeline) + 1
    assert refolded.cursor > folded.cursor


async def test_a_kept_file_holds_from_when_it_was_folded_until_the_first_upcoming_end_or_midnight(
    pool, apply_all
):
    await apply_all(ingest.apply, *two_people().envelopes)
    async with pool.acquire() as connection:
        folded = await snapshots.live_file(connection, "person-1", NOW)
        until = await connection.fetchval("SELECT valid_until FROM person_file_snapshots")
        ends = [u.ends_at for u in folded.file.upcoming if u.ends_at is not None]
        midnight = datetime(2031, 1, 8, 23, 0, tzinfo=UTC)  # Paris, winter time
        assert ends and until == min([midnight, *ends])

        await spoil(connection)
        assert not await served_from_the_snapshot(connection, until)  # folded again, and kept again
        await spoil(connection)
        assert not await served_from_the_snapshot(
            connection, until - timedelta(hours=1)
        )  # before: folded again


async def test_an_erasure_drops_the_kept_file(pool, apply_all):
    history = two_people()
    await apply_all(ingest.apply, *history.envelopes)
    async with pool.acquire() as connection:
        await snapshots.live_file(connection, "person-1", NOW)
        await snapshots.live_file(connection, "person-2", NOW)
    erased = erasure(history, on=date(2031, 1, 8))
    await apply_all(ingest.apply, erased)
    async with pool.acquire() as connection:
        kept = await connection.fetch("SELECT subject_id FROM person_file_snapshots")
    assert [row["subject_id"] for row in kept] == ["person-2"]
