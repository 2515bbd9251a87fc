"""The free texts IPRO writes about a person (issue 17), in the person file: those it shows (`ingest.SHOWN`) are
kept with their event for the readings entitled to them, never shown to an auditor, and blanked by the erasure;
those it does not show (the profile's lists) never enter it. A group's attendance carries several people's
reasons: a person's erasure blanks theirs alone."""

import json
from datetime import UTC, datetime

import pytest

from contracts.programmes import AttendanceMark, AttendanceRecorded, Mark
from projections.person_file import ingest, store
from projections.person_file.fold import fold
from projections.person_file.views import Reading, for_reader
from services.projections.tests.person_history import ADVISER, FACILITATOR, erasure, two_people
from tests.privacy.personal_texts import SAMPLES, TEXT

pytestmark = pytest.mark.integration

NOW = datetime(2031, 6, 1, tzinfo=UTC)


async def file_of(pool, subject: str = "person-1"):
    async with pool.acquire() as connection:
        return fold(subject, await store.events_of(connection, subject), now=NOW)


def read_as(file, reading: Reading) -> str:
    return json.dumps(for_reader(file, reading).model_dump(mode="json"), ensure_ascii=False)


async def kept_payloads(pool) -> str:
    async with pool.acquire() as connection:
        rows = await connection.fetch("SELECT payload::text AS text FROM person_file_events")
    return " ".join(row["text"] for row in rows)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.id)
async def test_a_persons_text_is_shown_to_its_readers_masked_for_auditors_and_blanked_by_the_erasure(
    pool, apply_all, sample
):
    history = two_people()
    for stream_type, stream_id, event in (
        *sample.before,
        (sample.stream_type, sample.stream_id, sample.event),
    ):
        history.record(stream_type, stream_id, event, subject="person-1", actor=ADVISER)
    await apply_all(ingest.apply, *history.envelopes)

    if sample.event.event_type not in ingest.SHOWN:
        assert TEXT not in await kept_payloads(pool)
        return
    file = await file_of(pool)
    assert TEXT in read_as(file, Reading.SPIP_DIRECTOR)
    assert TEXT not in read_as(file, Reading.AUDIT)

    erasure_event = erasure(history)
    await apply_all(ingest.apply, erasure_event)
    assert TEXT not in await kept_payloads(pool)
    erased = read_as(await file_of(pool), Reading.SPIP_DIRECTOR)
    assert TEXT not in erased and ingest.ERASED in erased


async def test_a_participants_attendance_reason_is_in_their_file_and_erased_with_them_alone(pool, apply_all):
    other = "Parloir avec sa fille ce jour-là"
    history = two_people()
    excused = AttendanceMark.ABSENT_EXCUSED
    history.record(
        "group",
        "group-1",
        AttendanceRecorded(
            group_id="group-1",
            session_id="g-1-s-1",  # a correction of the session's record
            marks=[
                Mark(referral_id="referral-1", subject_id="person-1", mark=excused, reason=TEXT),
                Mark(referral_id="referral-2", subject_id="person-2", mark=excused, reason=other),
            ],
        ),
        actor=FACILITATOR,
    )
    await apply_all(ingest.apply, *history.envelopes)
    first, second = await file_of(pool), await file_of(pool, "person-2")
    assert TEXT in read_as(first, Reading.SPIP_DIRECTOR) and other not in read_as(
        first, Reading.SPIP_DIRECTOR
    )
    assert TEXT not in read_as(first, Reading.AUDIT)
    assert other in read_as(second, Reading.SPIP_DIRECTOR)

    erasure_event = erasure(history)
    await apply_all(ingest.apply, erasure_event)
    kept = await kept_payloads(pool)
    assert TEXT not in kept and other in kept  # the other participant's reason is theirs, not erased
    assert other in read_as(await file_of(pool, "person-2"), Reading.SPIP_DIRECTOR)
