"""A release recorded by the assessment service ends the person's open referrals in the programmes service
and frees their seats for the waiting list; a redelivered release changes nothing."""

import asyncpg
import pytest

from devinfra.testkit import events_in, ok, serving, wait_for
from programmes.bootstrap import create_app

from .flows import People, planned_group, referred

pytestmark = pytest.mark.integration


async def test_a_release_ends_open_referrals_frees_the_seat_and_a_redelivery_changes_nothing(
    assessment_api, as_role, programmes_settings, programmes_dsn, clock
):
    people = People(assessment_api, as_role, programmes_dsn, clock)
    async with serving(create_app(programmes_settings, clock=clock)) as api:
        await released_and_seat_taken(api, people, as_role)

    # Every assessment event is delivered again from offset 0: nothing is applied twice.
    before = await events_in(programmes_dsn)
    connection = await asyncpg.connect(programmes_dsn)
    try:
        consumed = await _consumed(connection)
        await connection.execute("DELETE FROM consumer_checkpoints")
        async with serving(create_app(programmes_settings, clock=clock)):
            await wait_for(lambda: _consumed(connection, at_least=consumed), timeout=30,
                           message="the replica went through the topic again")
    finally:
        await connection.close()
    assert await events_in(programmes_dsn) == before


async def released_and_seat_taken(api, people, as_role) -> None:
    cpip, dpip = as_role("cpip"), as_role("dpip")
    group = await planned_group(api, as_role, "programme-parcours", people.today, capacity=6)
    released, waiting = await people.followed("released-1"), await people.followed("waiting-1")
    others = [await people.followed(f"other-{n}") for n in range(5)]
    seat = await referred(api, as_role, released, "programme-parcours")
    await ok(await api.post(f"/referrals/{seat['referral_id']}/enrol", headers=cpip, json={"group_id": group["group_id"]}))
    for person in others:
        referral = await referred(api, as_role, person, "programme-parcours")
        await ok(await api.post(f"/referrals/{referral['referral_id']}/enrol", headers=cpip,
                                json={"group_id": group["group_id"]}))
    queued = await referred(api, as_role, waiting, "programme-parcours")
    await ok(await api.post(f"/referrals/{queued['referral_id']}/waitlist", headers=cpip,
                            json={"group_id": group["group_id"]}))
    pending = await referred(api, as_role, released, "programme-cairn", consent=False)  # only referred so far

    await people.close_case(released["case_id"])

    for referral_id in (seat["referral_id"], pending["referral_id"]):
        ended = await ok(await api.get(f"/referrals/{referral_id}", headers=dpip))
        assert (ended["status"], ended["end_reason"]) == ("withdrawn", "released")
    took_the_seat = await ok(await api.get(f"/referrals/{queued['referral_id']}", headers=dpip))
    assert (took_the_seat["status"], took_the_seat["group_id"]) == ("enrolled", group["group_id"])
    group = await ok(await api.get(f"/groups/{group['group_id']}", headers=dpip))
    assert (group["participants"], group["waiting"]) == (6, [])


async def _consumed(connection, at_least: int = 0) -> int:
    """How many messages the consumer has gone through (the sum of its partitions' next offsets)."""
    total = await connection.fetchval("SELECT coalesce(sum(next_offset), 0) FROM consumer_checkpoints")
    return total if total >= at_least else 0
