"""The erasure scheduler with an injected clock (issue 17 #2): a released person is erased once the longest
retention has run from their case's closure, not while a litigation hold is set, exactly once whatever the
passes or a crash between the erasure's append and the destruction of the key."""

import pytest

from assessment import erasure
from assessment.domain.commands import EraseSubject
from contracts.assessment import ErasureReason
from devinfra.testkit import ok, query_value
from kernel.clock import local_date
from kernel.eventstore import Metadata
from kernel.sealing import ERASED_TEXT

from .flows import opened_case

# They erase people: on a keyring of their own, so the run's shared one keeps its people alive for the others.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("isolated_keyring")]

RETENTION_DAYS = 5 * 366  # past five years from any day


async def erasures(dsn, subject_id: str) -> int:
    return await query_value(
        dsn,
        "SELECT count(*) FROM events WHERE event_type = 'assessment.subject.erased' AND stream_id = $1",
        subject_id,
    )


async def released(api, as_role, clock, ecrou_number: str) -> dict:
    """The case of the person held under `ecrou_number`, closed on their release."""
    case = await opened_case(api, as_role, local_date(clock()), ecrou_number)
    await ok(
        await api.post(
            f"/cases/{case['case_id']}/close",
            headers=as_role("cpip"),
            json={"reason": "release", "closed_on": str(local_date(clock()))},
        )
    )
    return case


async def test_a_released_person_is_erased_once_the_retention_has_run_unless_held(
    api, app, assessment_dsn, as_role, clock
):
    store, settings, dpip = app.state.event_store, app.state.settings, as_role("dpip")
    released_case = await released(api, as_role, clock, "62041")
    case_id, subject = released_case["case_id"], released_case["subject_id"]

    # Given the retention has not run: nothing is erased.
    clock.advance(days=365)
    assert await erasure.erase_due(store, settings) == 0

    # Given it has run but a litigation hold is set: still nothing.
    await ok(await api.post(f"/cases/{case_id}/hold", headers=dpip, json={"reason": "contentieux"}), 201)
    clock.advance(days=RETENTION_DAYS)
    assert await erasure.erase_due(store, settings) == 0
    assert await erasures(assessment_dsn, subject) == 0

    # Once lifted: erased by the next pass, the key destroyed, the case read as erased; never twice.
    await ok(await api.delete(f"/cases/{case_id}/hold", headers=dpip))
    assert await erasure.erase_due(store, settings) == 1
    assert await erasure.erase_due(store, settings) == 0
    assert await erasures(assessment_dsn, subject) == 1
    record = await ok(await api.get(f"/subjects/{subject}/erasure", headers=dpip))
    assert (record["reason"], record["key_destroyed_at"] is not None) == ("retention_elapsed", True)
    case = await ok(await api.get(f"/cases/{case_id}", headers=dpip))
    assert case["identity"]["last_name"] == ERASED_TEXT
    listed = await query_value(assessment_dsn, "SELECT last_name FROM cases WHERE case_id = $1", case_id)
    assert listed == ERASED_TEXT


async def test_a_crash_between_the_erasure_and_the_key_is_finished_by_the_next_pass(
    api, app, assessment_dsn, as_role, clock
):
    store, settings = app.state.event_store, app.state.settings
    subject = (await released(api, as_role, clock, "62042"))["subject_id"]
    command = EraseSubject(subject_id=subject, reason=ErasureReason.ACQUITTAL, today=local_date(clock()))
    # The erasure committed, and the process died before destroying the key.
    async with store.transaction() as session:
        await erasure.erase(session, command, Metadata(actor=erasure.SCHEDULER), erasure.retention(settings))
    keyring = app.state.keyring
    assert (await keyring.for_reading([subject]))[subject] is not None

    assert await erasure.erase_due(store, settings) == 1

    assert (await keyring.for_reading([subject]))[subject] is None
    assert await erasures(assessment_dsn, subject) == 1
    assert await erasure.erase_due(store, settings) == 0
