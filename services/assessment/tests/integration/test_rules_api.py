"""Refusals through the API, against the real app and database: what the unit tests cannot show.

Every rule of the deciders is a unit test (`tests/unit`), and `tests/unit/test_errors.py` checks that each
error answers its problem+json. Here: a refusal reaches the client as problem+json naming its rule and
appends nothing; the rules only a database constraint enforces (one open case per person, one open
assessment per case, one plan per case); the facts a handler loads for the decision (the case closed, its
validated assessments, the assessment a plan names); unknown ids; request bodies; the idempotency key.
Who may read and do what is `test_access_api.py`."""

from datetime import timedelta

import pytest

from devinfra.testkit import refused

from .flows import case_body, drafted_assessment, ok, opened_case, plan_body, validated_assessment

pytestmark = pytest.mark.integration

RATED = {"risk_factor": True, "nature": "dynamic_stable", "level": "moderate", "evidence": "Sans emploi"}
CONCLUSION = {"overall_risk_level": "moderate", "priority_axes": ["alcohol_drugs", "education_employment"]}


def interview(held_on, **overrides) -> dict:
    return {"held_on": str(held_on), "interview_type": "follow_up", "notes": "Point d'étape", **overrides}


async def test_a_refusal_is_problem_json_naming_the_rule_with_the_status_of_its_kind(
    api, as_role, clock, assessment_dsn
):
    today, cpip, dpip = clock.now.date(), as_role("cpip"), as_role("dpip")
    case_id = (await opened_case(api, as_role, today))["case_id"]
    url = "/assessments/" + (await drafted_assessment(api, cpip, case_id))["assessment_id"]
    await ok(await api.post(f"{url}/contributors", json={"contributor": "psychologue-1"}, headers=cpip))

    for request, status, rule in [
        (
            api.post(
                f"/cases/{case_id}/close",
                json={"reason": "release", "closed_on": str(today + timedelta(days=1))},
                headers=cpip,
            ),
            422,
            "date-in-the-future",
        ),
        (api.post(f"{url}/validate", headers=dpip), 422, "assessment-not-submitted"),
        (
            api.put(f"{url}/domains/housing", json={**RATED, "level": "none"}, headers=cpip),
            422,
            "rating-inconsistent",
        ),
        (api.get("/plans/no-such-plan", headers=cpip), 404, "plan-not-found"),
        (
            api.post(f"{url}/contributors", json={"contributor": "psychologue-1"}, headers=cpip),
            409,
            "contribution-already-requested",
        ),
        (
            api.put(f"{url}/domains/housing", json=RATED, headers=as_role("cpip", "cpip-2")),
            403,
            "not-on-caseload",
        ),
        (
            api.post(
                f"{url}/contributions", json={"text": "Vu"}, headers=as_role("psychologue", "psychologue-2")
            ),
            403,
            "contribution-not-requested",
        ),
        (api.put(f"{url}/domains/astrology", json=RATED, headers=cpip), 422, "request-validation"),
        (api.post("/cases", json=case_body(today)), 401, "not-authenticated"),
    ]:
        await refused(assessment_dsn, request, status, rule)


async def test_the_database_constraints_refuse_what_spans_aggregates(api, as_role, clock, assessment_dsn):
    """Each refusal names what holds the value, `existing` and its id (issue 13 #14): a client (the README's
    "Try it" block run twice) goes on with it. Its detail names it as users know it (issue 13 #18)."""
    today, dpip, cpip = clock.now.date(), as_role("dpip"), as_role("cpip")

    # One open case per person, whoever opens it; once closed, the person may be followed again.
    case_id = (await opened_case(api, as_role, today))["case_id"]
    for opener in (dpip, as_role("cpip", "cpip-2")):
        problem = await refused(
            assessment_dsn,
            api.post("/cases", json=case_body(today), headers=opener),
            409,
            "person-already-followed",
        )
        assert (problem["existing"], problem["case_id"]) == (f"/cases/{case_id}", case_id)
        assert problem["detail"].startswith("Lucas Pierre Martin (écrou 62041) already has an open case")

    # One open assessment per case: initial, re-assessment or annual.
    def start(kind="initial", trigger="", headers=cpip):
        return api.post(
            f"/cases/{case_id}/assessments", json={"kind": kind, "trigger": trigger}, headers=headers
        )

    open_one = (await ok(await start(), 201))["assessment_id"]
    for headers in (cpip, dpip):
        problem = await refused(assessment_dsn, start(headers=headers), 409, "assessment-already-open")
        assert (problem["existing"], problem["assessment_id"]) == (f"/assessments/{open_one}", open_one)
        assert problem["detail"] == (
            "the initial assessment of Lucas Pierre Martin (écrou 62041) is in progress (a draft): complete "
            "it first"
        )

    # One plan per case: a second one is a revision.
    other_case = (await opened_case(api, as_role, today, "62042"))["case_id"]
    body = plan_body((await validated_assessment(api, as_role, other_case))["assessment_id"], today)
    plan_id = (await ok(await api.post(f"/cases/{other_case}/plan", json=body, headers=cpip), 201))["plan_id"]
    problem = await refused(
        assessment_dsn,
        api.post(f"/cases/{other_case}/plan", json=body, headers=dpip),
        409,
        "plan-already-adopted",
    )
    assert (problem["existing"], problem["plan_id"]) == (f"/plans/{plan_id}", plan_id)
    assert problem["detail"].startswith("Lucas Pierre Martin (écrou 62042) already has a plan (version 1")

    await ok(
        await api.post(
            f"/cases/{case_id}/close", json={"reason": "release", "closed_on": str(today)}, headers=cpip
        )
    )
    await ok(await api.post("/cases", json=case_body(today), headers=dpip), 201)


async def test_the_handlers_decide_on_the_facts_of_the_case_and_of_the_assessment(
    api, as_role, clock, assessment_dsn
):
    today, dpip, cpip = clock.now.date(), as_role("dpip"), as_role("cpip")
    case_id = (await opened_case(api, as_role, today))["case_id"]

    def start(kind, trigger=""):
        return api.post(
            f"/cases/{case_id}/assessments", json={"kind": kind, "trigger": trigger}, headers=cpip
        )

    # The validated assessments of the case, from the read table.
    await refused(
        assessment_dsn, start("reassessment", "Incident disciplinaire"), 422, "no-validated-assessment"
    )
    validated = (await validated_assessment(api, as_role, case_id))["assessment_id"]
    await refused(assessment_dsn, start("initial"), 422, "initial-assessment-already-validated")

    # The assessment a plan is built on: of this case, validated.
    elsewhere = (await opened_case(api, as_role, today, "62042"))["case_id"]
    of_another_case = (await validated_assessment(api, as_role, elsewhere))["assessment_id"]
    in_progress = (
        await drafted_assessment(api, cpip, case_id, kind="reassessment", trigger="Incident disciplinaire")
    )["assessment_id"]
    for assessment_id, status, rule in [
        (of_another_case, 422, "assessment-of-another-case"),
        (in_progress, 422, "assessment-not-validated"),
        ("no-such-assessment", 404, "assessment-not-found"),
    ]:
        await refused(
            assessment_dsn,
            api.post(f"/cases/{case_id}/plan", json=plan_body(assessment_id, today), headers=cpip),
            status,
            rule,
        )
    plan_url = (
        "/plans/"
        + (
            await ok(
                await api.post(f"/cases/{case_id}/plan", json=plan_body(validated, today), headers=cpip), 201
            )
        )["plan_id"]
    )
    await refused(
        assessment_dsn,
        api.post(f"{plan_url}/revisions", json=plan_body(of_another_case, today), headers=cpip),
        422,
        "assessment-of-another-case",
    )

    # Who submitted it, from the caller: never its validator.
    url = f"/assessments/{in_progress}"
    await ok(await api.post(f"{url}/submit", headers=dpip))
    await refused(
        assessment_dsn, api.post(f"{url}/validate", headers=dpip), 403, "assessment-self-validation"
    )
    await ok(await api.post(f"{url}/validate", headers=as_role("dpip", "dpip-2")))


async def test_nothing_is_recorded_on_a_closed_case(api, as_role, clock, assessment_dsn):
    today, dpip, cpip = clock.now.date(), as_role("dpip"), as_role("cpip")
    case_id = (await opened_case(api, as_role, today))["case_id"]
    case_url = f"/cases/{case_id}"
    validated = (await validated_assessment(api, as_role, case_id))["assessment_id"]
    plan_url = (
        "/plans/"
        + (await ok(await api.post(f"{case_url}/plan", json=plan_body(validated, today), headers=cpip), 201))[
            "plan_id"
        ]
    )
    assessment_url = (
        "/assessments/"
        + (
            await drafted_assessment(
                api, cpip, case_id, kind="reassessment", trigger="Incident disciplinaire"
            )
        )["assessment_id"]
    )
    await ok(
        await api.post(f"{assessment_url}/contributors", json={"contributor": "psychologue-1"}, headers=cpip)
    )
    await ok(
        await api.post(f"{case_url}/close", json={"reason": "release", "closed_on": str(today)}, headers=cpip)
    )

    def post(url, body=None, headers=cpip):
        return api.post(url, json=body, headers=headers)

    for refusal in [
        post(f"{case_url}/referent", {"referent": "cpip-2"}, dpip),
        post(f"{case_url}/sentence", case_body(today)["sentence"]),
        post(f"{case_url}/espace-notes", {"text": "Signalement"}, dpip),
        post(f"{case_url}/assessments", {"kind": "reassessment", "trigger": "Nouvel incident"}),
        api.put(f"{assessment_url}/domains/housing", json=RATED, headers=cpip),
        api.put(f"{assessment_url}/conclusion", json=CONCLUSION, headers=cpip),
        post(f"{assessment_url}/contributions", {"text": "Vu en entretien"}, as_role("psychologue")),
        post(f"{assessment_url}/submit"),
        post(f"{case_url}/plan", plan_body(validated, today)),
        post(f"{plan_url}/agreement", {"agreement": "agreed"}),
        post(f"{plan_url}/revisions", plan_body(validated, today)),
        post(f"{case_url}/interviews", interview(today)),
    ]:
        await refused(assessment_dsn, refusal, 422, "case-closed")


async def test_an_unknown_id_is_not_found_on_every_route(api, as_role, clock, assessment_dsn):
    today, dpip, cpip = clock.now.date(), as_role("dpip"), as_role("cpip")
    sentence = case_body(today)["sentence"]
    unknown_case, unknown_assessment, unknown_plan = (
        "/cases/no-such-case",
        "/assessments/no-such-assessment",
        "/plans/no-such-plan",
    )

    def post(url, body=None, headers=cpip):
        return api.post(url, json=body, headers=headers)

    for refusals, rule in [
        (
            [
                api.get(unknown_case, headers=dpip),
                post(f"{unknown_case}/referent", {"referent": "cpip-2"}, dpip),
                post(f"{unknown_case}/sentence", sentence),
                post(
                    f"{unknown_case}/transfer",
                    {"establishment": "CP Lille", "transferred_on": str(today)},
                    dpip,
                ),
                post(f"{unknown_case}/close", {"reason": "release", "closed_on": str(today)}),
                post(f"{unknown_case}/espace-notes", {"text": "Signalement"}, dpip),
                api.get(f"{unknown_case}/espace-notes", headers=dpip),
                post(f"{unknown_case}/assessments", {"kind": "initial"}),
                post(f"{unknown_case}/plan", plan_body("no-such-assessment", today)),
                post(f"{unknown_case}/interviews", interview(today)),
                api.get(f"{unknown_case}/interviews", headers=cpip),
            ],
            "case-not-found",
        ),
        (
            [
                api.get(unknown_assessment, headers=dpip),
                api.put(f"{unknown_assessment}/domains/housing", json=RATED, headers=cpip),
                post(f"{unknown_assessment}/submit"),
                post(f"{unknown_assessment}/validate", headers=dpip),
                post(f"{unknown_assessment}/contributions", {"text": "?"}, as_role("psychologue")),
            ],
            "assessment-not-found",
        ),
        (
            [
                api.get(unknown_plan, headers=cpip),
                post(f"{unknown_plan}/agreement", {"agreement": "agreed"}),
                post(f"{unknown_plan}/validate", headers=dpip),
                post(f"{unknown_plan}/revisions", plan_body("a-1", today)),
                post(f"{unknown_plan}/objectives/obj-1/status", {"status": "achieved"}),
            ],
            "plan-not-found",
        ),
    ]:
        for refusal in refusals:
            await refused(assessment_dsn, refusal, 404, rule)

    # A plan's versions are numbered from 1.
    case_id = (await opened_case(api, as_role, today))["case_id"]
    body = plan_body((await validated_assessment(api, as_role, case_id))["assessment_id"], today)
    plan_url = "/plans/" + (await ok(await post(f"/cases/{case_id}/plan", body), 201))["plan_id"]
    await refused(assessment_dsn, api.get(f"{plan_url}?version=2", headers=cpip), 404, "plan-not-found")
    await ok(await api.get(f"{plan_url}?version=1", headers=cpip))


async def test_a_request_body_the_routes_do_not_accept_is_refused(api, as_role, clock, assessment_dsn):
    today, dpip, cpip = clock.now.date(), as_role("dpip"), as_role("cpip")

    def open_(**overrides):
        return api.post("/cases", json=case_body(today, **overrides), headers=dpip)

    sentence = case_body(today)["sentence"]
    for refusal in [
        open_(sentence={**sentence, "offence_categories": ["poaching"]}),
        open_(sentence={**sentence, "offence_categories": []}),
        open_(nickname="Lulu"),
        api.post("/cases", json={k: v for k, v in case_body(today).items() if k != "identity"}, headers=dpip),
    ]:
        await refused(assessment_dsn, refusal, 422, "request-validation")

    case_id = (await opened_case(api, as_role, today))["case_id"]
    url = "/assessments/" + (await drafted_assessment(api, cpip, case_id))["assessment_id"]
    for refusal in [
        api.post(f"/cases/{case_id}/close", json={"reason": "escape", "closed_on": str(today)}, headers=cpip),
        api.post(f"/cases/{case_id}/referent", json={"referent": "   "}, headers=dpip),
        api.post(f"/cases/{case_id}/assessments", json={"kind": "final"}, headers=cpip),
        api.put(f"{url}/domains/housing", json={**RATED, "mood": "good"}, headers=cpip),
        api.put(f"{url}/conclusion", json={"overall_risk_level": "high", "priority_axes": []}, headers=cpip),
        api.post(f"{url}/contributions", json={"text": "   "}, headers=as_role("psychologue")),
        api.post(f"/cases/{case_id}/interviews", json=interview(today, interview_type="chat"), headers=cpip),
        api.post(f"/cases/{case_id}/interviews", json=interview(today, mood="calm"), headers=cpip),
        api.get("/deadlines?within_days=400", headers=cpip),
    ]:
        await refused(assessment_dsn, refusal, 422, "request-validation")


async def test_an_idempotency_key_reused_for_another_request_is_refused(api, as_role, clock, assessment_dsn):
    today, dpip = clock.now.date(), as_role("dpip", **{"Idempotency-Key": "admission-62041"})
    await ok(await api.post("/cases", json=case_body(today), headers=dpip), 201)
    await refused(
        assessment_dsn,
        api.post("/cases", json=case_body(today, "62042"), headers=dpip),
        422,
        "idempotency-key-reused",
    )
    await refused(
        assessment_dsn,
        api.post(
            "/cases", json=case_body(today, "62042"), headers=as_role("dpip", **{"Idempotency-Key": ""})
        ),
        400,
        "idempotency-key-invalid",
    )


# --- bad input the service once accepted (each was a bug) -------------------------------------------------


async def test_a_blank_referent_is_refused_when_opening_a_case(api, as_role, clock, assessment_dsn):
    body = case_body(clock.now.date(), referent="   ")
    await refused(
        assessment_dsn, api.post("/cases", json=body, headers=as_role("dpip")), 422, "request-validation"
    )


async def test_a_blank_name_or_ecrou_number_is_refused_when_opening_a_case(
    api, as_role, clock, assessment_dsn
):
    blank = {"last_name": "  ", "first_names": " ", "birth_date": "1994-03-12", "ecrou_number": " "}
    body = case_body(clock.now.date(), identity=blank)
    await refused(
        assessment_dsn, api.post("/cases", json=body, headers=as_role("dpip")), 422, "request-validation"
    )


async def test_a_last_name_longer_than_the_contract_allows_is_refused_as_bad_input(
    api, as_role, clock, assessment_dsn
):
    """Issue 13 #3: the request allowed 200 characters, the event 100: a 500 when the event was built."""
    identity = case_body(clock.now.date())["identity"]
    too_long = case_body(clock.now.date(), identity={**identity, "last_name": "M" * 101})
    problem = await refused(
        assessment_dsn, api.post("/cases", json=too_long, headers=as_role("dpip")), 422, "request-validation"
    )
    assert [e["field"] for e in problem["errors"]] == ["identity.last_name"]
    longest = case_body(clock.now.date(), identity={**identity, "last_name": "M" * 100})
    await ok(await api.post("/cases", json=longest, headers=as_role("dpip")), 201)


async def test_an_assessment_that_rates_no_domain_is_not_submitted(api, as_role, clock, assessment_dsn):
    """Issue 13 #10: a conclusion alone is not a global assessment."""
    cpip = as_role("cpip")
    case_id = (await opened_case(api, as_role, clock.now.date()))["case_id"]
    started = await ok(
        await api.post(f"/cases/{case_id}/assessments", json={"kind": "initial"}, headers=cpip), 201
    )
    url = f"/assessments/{started['assessment_id']}"
    await ok(await api.put(f"{url}/conclusion", json=CONCLUSION, headers=cpip))
    problem = await refused(
        assessment_dsn, api.post(f"{url}/submit", headers=cpip), 422, "assessment-incomplete"
    )
    assert "rates no need domain" in problem["detail"]


async def test_an_objective_id_the_status_route_cannot_address_is_refused(
    api, as_role, clock, assessment_dsn
):
    today = clock.now.date()
    case_id = (await opened_case(api, as_role, today))["case_id"]
    body = plan_body((await validated_assessment(api, as_role, case_id))["assessment_id"], today)
    first, second = body["objectives"]
    for objective_id in ["obj 1", "", "x" * 65]:
        objectives = [{**first, "objective_id": objective_id}, second]
        await refused(
            assessment_dsn,
            api.post(
                f"/cases/{case_id}/plan", json={**body, "objectives": objectives}, headers=as_role("cpip")
            ),
            422,
            "request-validation",
        )


async def test_a_blank_objective_or_intervention_is_refused(api, as_role, clock, assessment_dsn):
    today = clock.now.date()
    case_id = (await opened_case(api, as_role, today))["case_id"]
    body = plan_body((await validated_assessment(api, as_role, case_id))["assessment_id"], today)
    first, second = body["objectives"]
    blank_intervention = {**second, "interventions": [{"kind": "ipro_action", "description": "   "}]}
    for objectives in [[{**first, "description": "   "}, second], [first, blank_intervention]]:
        await refused(
            assessment_dsn,
            api.post(
                f"/cases/{case_id}/plan", json={**body, "objectives": objectives}, headers=as_role("cpip")
            ),
            422,
            "request-validation",
        )
