"""The establishment perimeter through the assessment API (ADR 26), two establishments in one database: each
site's staff list and read their own site's cases only, whatever they filter on, and another site's case
answers them as an unknown one; a transfer takes the person out of the origin's sight, its referent CPIP's
included, and into the destination's."""

import uuid

import pytest

from devinfra.testkit import assert_refused, events_in, ok

from .flows import case_body, opened_case

pytestmark = pytest.mark.integration

ARRAS, BAPAUME = "InSERRE Arras", "Centre de détention de Bapaume"
READERS = ("dpip", "direction", "ipro_chef", "auditeur")


def staff_of(as_role, *establishments: str):
    return lambda role, subject=None: as_role(role, subject, establishments=establishments)


async def assert_unknown(api, case_id: str, headers: dict[str, str], *context) -> None:
    """Answered word for word as a case id nobody ever opened."""
    unknown = str(uuid.uuid4())
    hidden = await api.get(f"/cases/{case_id}", headers=headers)
    missing = await api.get(f"/cases/{unknown}", headers=headers)
    assert_refused(hidden, 404, "case-not-found", *context)
    assert hidden.json()["detail"].replace(case_id, "ID") == missing.json()["detail"].replace(unknown, "ID")


async def test_each_establishments_staff_list_and_read_their_own_cases_only(api, as_role, clock):
    today = clock().date()
    arras, bapaume = staff_of(as_role, ARRAS), staff_of(as_role, BAPAUME)
    in_arras = (await opened_case(api, arras, today, "62041", referent="cpip-1"))["case_id"]
    body = case_body(today, "62042", referent="cpip-2", establishment=BAPAUME)
    in_bapaume = (await ok(await api.post("/cases", json=body, headers=bapaume("dpip")), 201))["case_id"]

    for site, mine, theirs, elsewhere in (
        (arras, in_arras, in_bapaume, BAPAUME),
        (bapaume, in_bapaume, in_arras, ARRAS),
    ):
        for role in READERS:
            for params in ({}, {"establishment": elsewhere}, {"include_closed": "true"}):
                listed = await ok(await api.get("/cases", params=params, headers=site(role)))
                expected = [] if params.get("establishment") else [mine]
                assert [c["case_id"] for c in listed["items"]] == expected and listed["total"] == len(
                    expected
                )
            await ok(await api.get(f"/cases/{mine}", headers=site(role)))
            await assert_unknown(api, theirs, site(role), role)
        deadlines = await ok(await api.get("/deadlines", params={"within_days": 366}, headers=site("dpip")))
        assert {d["case_id"] for d in deadlines["items"]} == {mine}

    both = staff_of(as_role, ARRAS, BAPAUME)("dpip", "dpip-region")
    listed = await ok(await api.get("/cases", headers=both))
    assert {c["case_id"] for c in listed["items"]} == {in_arras, in_bapaume}


async def test_a_case_is_opened_only_in_one_of_the_callers_establishments(
    api, as_role, clock, assessment_dsn
):
    before = await events_in(assessment_dsn)
    body = case_body(clock().date(), "62043", establishment=BAPAUME)
    refused = await api.post("/cases", json=body, headers=staff_of(as_role, ARRAS)("dpip"))
    assert_refused(refused, 403, "establishment-not-reached")
    assert await events_in(assessment_dsn) == before


async def test_a_transfer_takes_the_person_out_of_the_origins_sight_and_into_the_destinations(
    api, as_role, clock, assessment_dsn
):
    today = clock().date()
    arras, bapaume, both = (
        staff_of(as_role, ARRAS),
        staff_of(as_role, BAPAUME),
        staff_of(as_role, ARRAS, BAPAUME),
    )
    case_id = (await opened_case(api, arras, today, "62041", referent="cpip-1"))["case_id"]
    interview = {"held_on": str(today), "interview_type": "follow_up", "notes": "Vu ce jour"}
    await ok(await api.post(f"/cases/{case_id}/interviews", json=interview, headers=arras("cpip")), 201)

    # The origin's DPIP records the transfer to an establishment that is not theirs, and sees it done.
    moved = await ok(
        await api.post(
            f"/cases/{case_id}/transfer",
            json={"establishment": BAPAUME, "transferred_on": str(today)},
            headers=arras("dpip"),
        )
    )
    assert moved["establishment"] == BAPAUME

    # From now on the origin's staff, its referent CPIP included, no longer reach the person.
    for role in ("dpip", "cpip", "direction"):
        await assert_unknown(api, case_id, arras(role), role)
        assert (await ok(await api.get("/cases", headers=arras(role))))["total"] == 0, role
    assert_refused(
        await api.get(f"/cases/{case_id}/interviews", headers=arras("cpip")), 404, "case-not-found"
    )
    before = await events_in(assessment_dsn)
    refused = await api.post(f"/cases/{case_id}/interviews", json=interview, headers=arras("cpip"))
    assert_refused(refused, 404, "case-not-found")
    assert await events_in(assessment_dsn) == before

    # The destination's staff reach it at once; the old referent stays named until they assign one.
    case = await ok(await api.get(f"/cases/{case_id}", headers=bapaume("dpip")))
    assert case["referent"] == "cpip-1"
    assert len(await ok(await api.get(f"/cases/{case_id}/interviews", headers=bapaume("dpip")))) == 1
    await ok(await api.get(f"/cases/{case_id}", headers=both("cpip")))  # a CPIP of both sites still follows
    await ok(
        await api.post(f"/cases/{case_id}/referent", json={"referent": "cpip-9"}, headers=bapaume("dpip"))
    )
    await ok(await api.get(f"/cases/{case_id}", headers=bapaume("cpip", "cpip-9")))
    assert_refused(await api.get(f"/cases/{case_id}", headers=both("cpip")), 403, "not-on-caseload")
