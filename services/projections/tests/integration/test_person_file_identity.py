"""Rectification in the person file (issue 17 #5): the identity table follows a correction, once however often
it is delivered; the timeline says "Identité rectifiée" with its reason for SPIP readers only; the erasure
blanks the reason with the identity."""

import asyncio
from datetime import UTC, date, datetime

import pytest

from contracts import parse_payload
from contracts.assessment import Identity, IdentityCorrected, SubjectErased
from devinfra.testkit import wait_for
from projections.person_file import ingest, store
from projections.person_file.fold import fold
from projections.person_file.views import Reading, for_reader
from services.projections.tests.person_history import DPIP, erasure, two_people

pytestmark = pytest.mark.integration

REASON = "Nom mal orthographié à l'écrou"
CORRECTED = Identity(
    last_name="Lefebvre", first_names="Marie", birth_date=date(1990, 1, 1), ecrou_number="A12346"
)


def told(file) -> list[tuple[str, str | None]]:
    return [(t.sentence, t.detail) for t in file.timeline if t.event_type == IdentityCorrected.event_type]


async def test_a_correction_reaches_the_identity_and_the_timeline_and_is_blanked_by_the_erasure(
    pool, apply_all
):
    history = two_people()
    correction = history.record(
        "case",
        "case-1",
        IdentityCorrected(case_id="case-1", identity=CORRECTED, reason=REASON),
        subject="person-1",
        actor=DPIP,
    )
    await apply_all(ingest.apply, *history.envelopes, correction)  # delivered twice

    async with pool.acquire() as connection:
        assert (await store.identity_of(connection, "person-1")).model_dump() == CORRECTED.model_dump()
        found = await store.search(connection, "lefebvre", limit=10, after=None, establishments=None)
        events = await store.events_of(connection, "person-1")
    assert (found.total, found.rows[0]["subject_id"]) == (1, "person-1")
    assert [e.event_type for e in events].count(IdentityCorrected.event_type) == 1

    file = fold("person-1", events, now=datetime(2031, 6, 1, tzinfo=UTC))
    assert told(for_reader(file, Reading.SPIP_FULL)) == [("Identité rectifiée", REASON)]
    assert told(for_reader(file, Reading.AUDIT)) == [("Identité rectifiée", None)]
    assert told(for_reader(file, Reading.IPRO)) == []

    erased = erasure(history)
    await apply_all(ingest.apply, erased, correction)  # the correction redelivered after the erasure
    async with pool.acquire() as connection:
        identity = await store.identity_of(connection, "person-1")
        payloads = await connection.fetch("SELECT payload::text AS text FROM person_file_events")
    assert identity.last_name == ingest.ERASED
    assert not any(REASON in row["text"] or "Lefebvre" in row["text"] for row in payloads)


async def test_fetches_applied_at_once_write_in_turns_so_an_erasure_meets_the_opening_it_follows(pool):
    """The consumer applies two partitions at once (`partitions_at_once`): an opening in one transaction, not
    committed yet, and the person's erasure in another. The erasure's writes wait for the opening's commit (the
    view's writer lock), so it blanks the identity the opening wrote and its rows come after them; without the
    lock the erasure saw no identity row to blank, and the opening then wrote it in clear."""
    history = two_people()
    opening = [e for e in history.envelopes if e.subject == "person-1" or e.stream_id == "case-1"]
    erasure_event = erasure(history)

    def deliveries(envelopes):
        return [(e, parse_payload(e.event_type, e.schema_version, e.payload)) for e in envelopes]

    async with pool.acquire() as first, pool.acquire() as second:
        opened = first.transaction()
        await opened.start()
        await ingest.apply_batch(first, deliveries(opening))

        async def erase() -> None:
            async with second.transaction():
                await ingest.apply_batch(second, deliveries([erasure_event]))

        erasing = asyncio.create_task(erase())
        await wait_for(
            lambda: _waits_for_a_lock(pool, second.get_server_pid()),
            timeout=10,
            message="the erasure waiting",
        )
        await opened.commit()
        await asyncio.wait_for(erasing, timeout=10)

    async with pool.acquire() as connection:
        identity = await store.identity_of(connection, "person-1")
        seqs = dict(await connection.fetch("SELECT event_type, max(seq) FROM person_file_events GROUP BY 1"))
    assert identity.last_name == ingest.ERASED
    assert seqs[SubjectErased.event_type] == max(seqs.values())


async def _waits_for_a_lock(pool, pid: int) -> bool:
    return await pool.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted AND locktype = 'advisory')", pid
    )
