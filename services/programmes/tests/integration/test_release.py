"""A release published by the assessment service ends the person's open referrals in the programmes service
and frees their seats for the waiting list; a redelivered release changes nothing; giving the seat is apart
from the release, which it can never undo; a referral and a release of the same person never both win."""

import asyncio

import asyncpg
import pytest

from devinfra.testkit import events_in, ok, query_value, serving, wait_for
from programmes import handlers, store
from programmes.bootstrap import create_app
from programmes.domain import errors

from .flows import People, planned_group, referral_body, referred
from .test_rules_api import atelier

pytestmark = pytest.mark.integration


@pytest.fixture
def with_seat_filler(programmes_settings):
    return programmes_settings.model_copy(update={"run_background": True, "seat_filler_seconds": 0.1})


async def test_a_release_ends_open_referrals_frees_the_seat_and_a_redelivery_changes_nothing(
    assessment, as_role, with_seat_filler, programmes_settings, programmes_dsn, clock
):
    people = People(assessment, programmes_dsn, clock)
    async with serving(create_app(with_seat_filler, clock=clock)) as api:
        await released_and_seat_taken(api, people, as_role)

    # Every assessment event is delivered again from offset 0: nothing is applied twice.
    before = await events_in(programmes_dsn)
    connection = await asyncpg.connect(programmes_dsn)
    try:
        consumed = await _consumed(connection)
        await connection.execute("DELETE FROM consumer_checkpoints")
        async with serving(create_app(programmes_settings, clock=clock)):
            await wait_for(
                lambda: _consumed(connection, at_least=consumed),
                timeout=30,
                message="the replica went through the topic again",
            )
    finally:
        await connection.close()
    assert await events_in(programmes_dsn) == before


async def released_and_seat_taken(api, people, as_role) -> None:
    cpip, dpip = as_role("cpip"), as_role("dpip")
    group = await planned_group(api, as_role, "programme-parcours", people.today, capacity=6)
    released, waiting = await people.followed("released-1"), await people.followed("waiting-1")
    others = [await people.followed(f"other-{n}") for n in range(5)]
    seat = await referred(api, as_role, released, "programme-parcours")
    await ok(
        await api.post(
            f"/referrals/{seat['referral_id']}/enrol", headers=cpip, json={"group_id": group["group_id"]}
        )
    )
    for person in others:
        referral = await referred(api, as_role, person, "programme-parcours")
        await ok(
            await api.post(
                f"/referrals/{referral['referral_id']}/enrol",
                headers=cpip,
                json={"group_id": group["group_id"]},
            )
        )
    queued = await referred(api, as_role, waiting, "programme-parcours")
    await ok(
        await api.post(
            f"/referrals/{queued['referral_id']}/waitlist", headers=cpip, json={"group_id": group["group_id"]}
        )
    )
    pending = await referred(api, as_role, released, "programme-cairn", consent=False)  # only referred so far

    await people.close_case(released["case_id"])

    for referral_id in (seat["referral_id"], pending["referral_id"]):
        ended = await ok(await api.get(f"/referrals/{referral_id}", headers=dpip))
        assert (ended["status"], ended["end_reason"]) == ("withdrawn", "released")
    took_the_seat = await wait_for(lambda: _enrolled(api, dpip, queued), timeout=30, message="the seat given")
    assert took_the_seat["group_id"] == group["group_id"]
    group = await ok(await api.get(f"/groups/{group['group_id']}", headers=dpip))
    assert (group["participants"], group["waiting"]) == (6, [])


async def _enrolled(api, headers, referral) -> dict | None:
    found = await ok(await api.get(f"/referrals/{referral['referral_id']}", headers=headers))
    return found if found["status"] == "enrolled" else None


async def test_a_release_is_recorded_even_when_its_freed_seat_cannot_be_given(
    assessment, as_role, with_seat_filler, programmes_dsn, clock, monkeypatch
):
    """Kernel review H1 (c): giving the freed seat failed (the first person waiting was enrolled elsewhere at
    the same moment), which rolled back the whole reaction, the release included, into the dead-letter topic:
    the released person stayed enrolled. The seat is given apart, and tried again."""
    people, cpip, dpip = People(assessment, programmes_dsn, clock), as_role("cpip"), as_role("dpip")
    real_give_free_seats, race = handlers._give_free_seats, []

    async def losing_a_race(*args, **kwargs):
        if not race:
            race.append(True)
            raise errors.EnrolmentOverlap("the person takes part in another group at that time")
        return await real_give_free_seats(*args, **kwargs)

    monkeypatch.setattr(handlers, "_give_free_seats", losing_a_race)
    async with serving(create_app(with_seat_filler, clock=clock)) as api:
        programme_id = await atelier(api, as_role)
        group = await planned_group(api, as_role, programme_id, people.today, capacity=1)
        released, waiting = await people.followed("released-1"), await people.followed("waiting-1")
        seat = await referred(api, as_role, released, programme_id)
        await ok(
            await api.post(
                f"/referrals/{seat['referral_id']}/enrol", headers=cpip, json={"group_id": group["group_id"]}
            )
        )
        queued = await referred(api, as_role, waiting, programme_id)
        await ok(
            await api.post(
                f"/referrals/{queued['referral_id']}/waitlist",
                headers=cpip,
                json={"group_id": group["group_id"]},
            )
        )

        await people.close_case(released["case_id"])

        ended = await ok(await api.get(f"/referrals/{seat['referral_id']}", headers=dpip))
        assert (ended["status"], ended["end_reason"]) == ("withdrawn", "released")
        await wait_for(
            lambda: _enrolled(api, dpip, queued), timeout=30, message="the seat given on a later try"
        )
    assert race == [True]


async def test_a_referral_and_a_release_of_the_same_person_never_both_win(
    assessment, as_role, programmes_settings, programmes_dsn, clock, monkeypatch
):
    """Kernel review M5: the referral read that the person's case is open while the release, at the same
    moment, listed the person's open referrals (none yet): both committed, and a released person kept an open
    referral. The two now take the person's lock before reading."""
    people, cpip = People(assessment, programmes_dsn, clock), as_role("cpip")
    facts_read, go_on = asyncio.Event(), asyncio.Event()
    real_person_facts = store.person_facts

    async def pausing_after_reading(*args, **kwargs):
        facts = await real_person_facts(*args, **kwargs)
        facts_read.set()
        await go_on.wait()  # the referral has read "open"; the release happens now
        return facts

    monkeypatch.setattr(store, "person_facts", pausing_after_reading)
    async with serving(create_app(programmes_settings, clock=clock)) as api:
        person = await people.followed("p-1")
        referring = asyncio.create_task(
            api.post("/referrals", headers=cpip, json=referral_body(person, "programme-parcours"))
        )
        await asyncio.wait_for(facts_read.wait(), timeout=30)
        await people.close_case(person["case_id"], replicated=False)
        await wait_for(
            lambda: _released_or_waiting(programmes_dsn, person["case_id"]),
            timeout=30,
            message="the release applied, or waiting for the referral",
        )
        go_on.set()
        referral = await ok(await referring, 201)
        await wait_for(
            lambda: query_value(
                programmes_dsn, "SELECT closed_on FROM followed_cases WHERE case_id = $1", person["case_id"]
            ),
            timeout=30,
            message="the release applied",
        )

        found = await ok(await api.get(f"/referrals/{referral['referral_id']}", headers=as_role("dpip")))
    assert (found["status"], found.get("end_reason")) == ("withdrawn", "released")


async def _released_or_waiting(dsn, case_id) -> bool:
    return await query_value(
        dsn,
        """
        SELECT EXISTS (SELECT 1 FROM followed_cases WHERE case_id = $1 AND closed_on IS NOT NULL)
            OR EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted)""",
        case_id,
    )


async def _consumed(connection, at_least: int = 0) -> int:
    """How many messages the consumer has gone through (the sum of its partitions' next offsets)."""
    total = await connection.fetchval("SELECT coalesce(sum(next_offset), 0) FROM consumer_checkpoints")
    return total if total >= at_least else 0
