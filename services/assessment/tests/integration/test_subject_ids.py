"""Subject ids are made by the service, never chosen by a client (issue 17 #5, security review M8): the
answer to an admission carries the id the establishment and the écrou number give, the same each time."""

import re

import pytest

from devinfra.testkit import ok, refused

from .flows import case_body, opened_case

pytestmark = pytest.mark.integration

ELSEWHERE = "Centre pénitentiaire d'Arras"  # the development tokens reach both sites


def closed(today) -> dict:
    return {"reason": "release", "closed_on": str(today)}


async def test_an_admission_answers_the_id_the_service_made_for_the_person(api, as_role, clock):
    case = await opened_case(api, as_role, clock.now.date())

    assert re.fullmatch(r"p-[a-z2-7]{26}", case["subject_id"]), case["subject_id"]
    read = await ok(await api.get(f"/cases/{case['case_id']}", headers=as_role("dpip")))
    assert read["subject_id"] == case["subject_id"]


async def test_the_same_establishment_and_ecrou_number_give_the_same_person_another_establishment_another(
    api, as_role, clock
):
    today, dpip = clock.now.date(), as_role("dpip")
    first = await opened_case(api, as_role, today, "62041B")
    await ok(await api.post(f"/cases/{first['case_id']}/close", json=closed(today), headers=dpip))

    # Given the same record written another way (blanks, lower case): the same person, a new case.
    again = await ok(await api.post("/cases", json=case_body(today, " 62041b "), headers=dpip), 201)
    assert (again["subject_id"], again["case_id"] != first["case_id"]) == (first["subject_id"], True)

    # The same number in another establishment is another incarceration record: another person.
    body = case_body(today, "62041B", establishment=ELSEWHERE)
    elsewhere = await ok(await api.post("/cases", json=body, headers=dpip), 201)
    assert elsewhere["subject_id"] != first["subject_id"]


async def test_an_admission_of_a_person_whose_case_is_open_names_that_case(
    api, as_role, clock, assessment_dsn
):
    today, dpip = clock.now.date(), as_role("dpip")
    open_case = await opened_case(api, as_role, today, "62041B")

    problem = await refused(
        assessment_dsn,
        api.post("/cases", json=case_body(today, "62041b"), headers=dpip),
        409,
        "person-already-followed",
    )
    assert problem["existing"] == f"/cases/{open_case['case_id']}"


async def test_a_subject_id_sent_by_a_client_is_refused(api, as_role, clock, assessment_dsn):
    body = {**case_body(clock.now.date()), "subject_id": "person-1"}
    problem = await refused(
        assessment_dsn, api.post("/cases", json=body, headers=as_role("dpip")), 422, "request-validation"
    )
    assert [e["field"] for e in problem["errors"]] == ["subject_id"]
