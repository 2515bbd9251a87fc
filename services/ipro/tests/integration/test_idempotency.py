"""A replay re-reads the resource as its caller may see it now (issue 17 #4, ADR 5 revised): an adviser who
no longer follows a pathway replays an old Idempotency-Key and is answered as if the pathway did not exist,
as reading it would answer them, not with the view they were given then."""

from datetime import date

import pytest

from devinfra.testkit import assert_refused, events_in, ok

pytestmark = pytest.mark.integration

TODAY = date(2026, 11, 27)


async def test_an_adviser_taken_off_a_pathway_replaying_an_old_key_gets_404(
    api, residents, as_role, ipro_dsn
):
    # Given ipro_conseiller-1 follows the person's pathway and recorded an interview with an Idempotency-Key
    person = await residents.admitted("p-1")
    url, chef = f"/pathways/{person['pathway_id']}", as_role("ipro_chef")
    await ok(await api.post(f"{url}/adviser", headers=chef, json={"adviser": "ipro_conseiller-1"}))
    adviser = as_role("ipro_conseiller", **{"Idempotency-Key": "interview-1"})
    interview = {"held_on": str(TODAY), "notes": "Souhaite une formation en cuisine"}
    first = await ok(await api.post(f"{url}/interviews", headers=adviser, json=interview), 201)
    assert first["interviews"] == 1
    # and IPRO management then gave the pathway to ipro_conseiller-2
    await ok(await api.post(f"{url}/adviser", headers=chef, json={"adviser": "ipro_conseiller-2"}))
    appended = await events_in(ipro_dsn)

    # When ipro_conseiller-1 sends the interview again with the same key
    replayed = await api.post(f"{url}/interviews", headers=adviser, json=interview)

    # Then the pathway is not found for them, as reading it answers; nothing is appended
    assert_refused(replayed, 404, "pathway-not-found")
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert "location" not in replayed.headers
    assert await events_in(ipro_dsn) == appended
    # while its new adviser's retry of their own command is answered the pathway as it is now
    theirs = as_role("ipro_conseiller", "ipro_conseiller-2", **{"Idempotency-Key": "interview-1"})
    second = await ok(await api.post(f"{url}/interviews", headers=theirs, json=interview), 201)
    again = await api.post(f"{url}/interviews", headers=theirs, json=interview)
    assert await ok(again, 201) == second == await ok(await api.get(url, headers=chef))
    assert second["interviews"] == 2 and second["adviser"] == "ipro_conseiller-2"
