"""Every rule of the SPIP follow-up, broken through the API: a 4xx problem+json naming the rule (422 for a
broken rule or invalid input, 404 for something unknown, 409 for a conflict, 403 for a caller who may not
act), and no event appended.

Rules the API cannot reach are left to the unit tests: the service chooses the ids of new cases,
assessments and interviews (`case-already-opened`, `assessment-already-started`, `interview-already-recorded`),
and no route reads an interview by id (`interview-not-found`).

Each test walks through the refusals of one aggregate on one setup, to keep the databases few."""

from datetime import timedelta

import pytest

from devinfra.testkit import refused

from .flows import (
    case_body, drafted_assessment, ok, opened_case, plan_body, validated_assessment,
)

pytestmark = pytest.mark.integration

RATED = {"risk_factor": True, "nature": "dynamic_stable", "level": "moderate", "evidence": "Sans emploi"}
CONCLUSION = {"overall_risk_level": "moderate", "priority_axes": ["alcohol_drugs", "education_employment"]}


def interview(held_on, **overrides) -> dict:
    return {"held_on": str(held_on), "interview_type": "follow_up", "notes": "Point d'étape", **overrides}


async def test_case_rules_are_refused_by_name_and_append_nothing(api, as_role, clock, assessment_dsn):
    today, dpip, cpip, other_cpip = clock.now.date(), as_role("dpip"), as_role("cpip"), as_role("cpip", "cpip-2")
    admission = today - timedelta(days=10)

    def open_(headers=dpip, **overrides):
        return api.post("/cases", json=case_body(today, **overrides), headers=headers)

    def sentence(**overrides) -> dict:
        return {**case_body(today)["sentence"], **overrides}

    def post(url, body=None, headers=dpip):
        return api.post(url, json=body, headers=headers)

    # Opening: the admission is not in the future; the sentence's dates follow it; the input is well formed.
    await refused(assessment_dsn, open_(admission_date=str(today + timedelta(days=1))), 422, "date-in-the-future")
    await refused(assessment_dsn, open_(sentence=sentence(expected_end_date=str(admission - timedelta(days=1)))),
                  422, "dates-out-of-order")
    await refused(assessment_dsn, open_(sentence=sentence(
        conditional_release_eligibility_date=str(admission - timedelta(days=1)))), 422, "dates-out-of-order")
    await refused(assessment_dsn, open_(sentence=sentence(
        conditional_release_eligibility_date=str(today + timedelta(days=701)))), 422, "dates-out-of-order")
    await refused(assessment_dsn, open_(sentence=sentence(offence_categories=["poaching"])), 422,
                  "request-validation")
    await refused(assessment_dsn, open_(sentence=sentence(offence_categories=[])), 422, "request-validation")
    await refused(assessment_dsn, open_(nickname="Lulu"), 422, "request-validation")
    missing_identity = {k: v for k, v in case_body(today).items() if k != "identity"}
    await refused(assessment_dsn, api.post("/cases", json=missing_identity, headers=dpip), 422, "request-validation")
    await refused(assessment_dsn, open_(headers=as_role("psychologue")), 403, "role-not-allowed")
    await refused(assessment_dsn, api.post("/cases", json=case_body(today)), 401, "not-authenticated")

    # One open case per person, whoever opens it.
    case_url = "/cases/" + (await opened_case(api, as_role, today))["case_id"]
    await refused(assessment_dsn, open_(), 409, "person-already-followed")
    await refused(assessment_dsn, open_(headers=other_cpip), 409, "person-already-followed")

    # Unknown cases.
    for refusal in [api.get("/cases/no-such-case", headers=dpip),
                    post("/cases/no-such-case/referent", {"referent": "cpip-2"}),
                    post("/cases/no-such-case/sentence", sentence()),
                    post("/cases/no-such-case/transfer", {"establishment": "CP Lille", "transferred_on": str(today)}),
                    post("/cases/no-such-case/close", {"reason": "release", "closed_on": str(today)}),
                    post("/cases/no-such-case/espace-notes", {"text": "Signalement"}),
                    api.get("/cases/no-such-case/espace-notes", headers=dpip)]:
        await refused(assessment_dsn, refusal, 404, "case-not-found")

    # Dates on an open case.
    await refused(assessment_dsn, post(f"{case_url}/sentence", sentence(
        expected_end_date=str(admission - timedelta(days=1))), cpip), 422, "dates-out-of-order")
    await refused(assessment_dsn, post(f"{case_url}/sentence", sentence(
        conditional_release_eligibility_date=str(today + timedelta(days=800))), cpip), 422, "dates-out-of-order")
    before_admission, tomorrow = str(admission - timedelta(days=1)), str(today + timedelta(days=1))
    await refused(assessment_dsn, post(f"{case_url}/transfer", {"establishment": "CP Lille",
                                                                  "transferred_on": before_admission}), 422,
                  "dates-out-of-order")
    await refused(assessment_dsn, post(f"{case_url}/transfer", {"establishment": "CP Lille",
                                                                  "transferred_on": tomorrow}), 422,
                  "date-in-the-future")
    await refused(assessment_dsn, post(f"{case_url}/close", {"reason": "release", "closed_on": before_admission},
                                       cpip), 422, "dates-out-of-order")
    await refused(assessment_dsn, post(f"{case_url}/close", {"reason": "release", "closed_on": tomorrow}, cpip),
                  422, "date-in-the-future")
    await refused(assessment_dsn, post(f"{case_url}/close", {"reason": "escape", "closed_on": str(today)}, cpip),
                  422, "request-validation")
    await refused(assessment_dsn, post(f"{case_url}/referent", {"referent": "   "}), 422, "request-validation")

    # Who may act: the referent CPIP on their own caseload; DPIPs for referents, transfers and ESPACE notes.
    await refused(assessment_dsn, api.get(case_url, headers=other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, post(f"{case_url}/sentence", sentence(), other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, post(f"{case_url}/close", {"reason": "release", "closed_on": str(today)},
                                       other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, post(f"{case_url}/referent", {"referent": "cpip-2"}, cpip), 403,
                  "role-not-allowed")
    await refused(assessment_dsn, post(f"{case_url}/transfer", {"establishment": "CP Lille",
                                                                  "transferred_on": str(today)}, cpip), 403,
                  "role-not-allowed")
    await refused(assessment_dsn, post(f"{case_url}/espace-notes", {"text": "Signalement"}, cpip), 403,
                  "role-not-allowed")
    await refused(assessment_dsn, api.get(f"{case_url}/espace-notes", headers=cpip), 403, "role-not-allowed")
    await refused(assessment_dsn, api.get("/deadlines", headers=as_role("psychologue")), 403, "role-not-allowed")
    await refused(assessment_dsn, api.get("/deadlines?within_days=400", headers=cpip), 422, "request-validation")

    # Reassigned: the case leaves its former referent's caseload.
    await ok(await post(f"{case_url}/referent", {"referent": "cpip-2"}))
    await refused(assessment_dsn, api.get(case_url, headers=cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, post(f"{case_url}/sentence", sentence(), cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, post(f"{case_url}/close", {"reason": "release", "closed_on": str(today)}, cpip),
                  403, "not-on-caseload")

    # Closed: nothing more is recorded on it, but the person may be followed again in a new case.
    await ok(await post(f"{case_url}/close", {"reason": "release", "closed_on": str(today)}, other_cpip))
    await refused(assessment_dsn, post(f"{case_url}/referent", {"referent": "cpip-1"}), 422, "case-closed")
    await refused(assessment_dsn, post(f"{case_url}/sentence", sentence(), other_cpip), 422, "case-closed")
    await refused(assessment_dsn, post(f"{case_url}/transfer", {"establishment": "CP Lille",
                                                                  "transferred_on": str(today)}), 422,
                  "case-closed")
    await refused(assessment_dsn, post(f"{case_url}/close", {"reason": "release", "closed_on": str(today)},
                                       other_cpip), 422, "case-closed")
    await refused(assessment_dsn, post(f"{case_url}/espace-notes", {"text": "Signalement"}), 422, "case-closed")
    await ok(await open_(), 201)


async def test_assessment_rules_are_refused_by_name_and_append_nothing(api, as_role, clock, assessment_dsn):
    today, dpip, cpip, other_cpip = clock.now.date(), as_role("dpip"), as_role("cpip"), as_role("cpip", "cpip-2")
    case_id = (await opened_case(api, as_role, today))["case_id"]
    case_url = f"/cases/{case_id}"

    def start(kind="initial", trigger="", headers=cpip):
        return api.post(f"{case_url}/assessments", json={"kind": kind, "trigger": trigger}, headers=headers)

    def post(url, body=None, headers=cpip):
        return api.post(url, json=body, headers=headers)

    def put(url, body, headers=cpip):
        return api.put(url, json=body, headers=headers)

    # Unknown assessments.
    unknown = "/assessments/no-such-assessment"
    for refusal in [api.get(unknown, headers=dpip), put(f"{unknown}/domains/housing", RATED),
                    put(f"{unknown}/conclusion", CONCLUSION), post(f"{unknown}/submit"),
                    post(f"{unknown}/validate", headers=dpip), post(f"{unknown}/return", {"comments": "?"}, dpip),
                    post(f"{unknown}/contributions", {"text": "?"}, as_role("psychologue"))]:
        await refused(assessment_dsn, refusal, 404, "assessment-not-found")
    await refused(assessment_dsn, api.post("/cases/no-such-case/assessments", json={"kind": "initial"},
                                           headers=cpip), 404, "case-not-found")

    # Starting: the initial assessment comes first; input well formed; the referent's caseload only.
    await refused(assessment_dsn, start("reassessment", "Incident disciplinaire"), 422, "no-validated-assessment")
    await refused(assessment_dsn, start("annual"), 422, "no-validated-assessment")
    await refused(assessment_dsn, start("final"), 422, "request-validation")
    await refused(assessment_dsn, start(headers=other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, start(headers=as_role("psychologue")), 403, "role-not-allowed")
    url = "/assessments/" + (await ok(await start(), 201))["assessment_id"]
    await refused(assessment_dsn, start(), 409, "assessment-already-open")
    await refused(assessment_dsn, start(headers=dpip), 409, "assessment-already-open")

    # Filling it in.
    await refused(assessment_dsn, put(f"{url}/domains/astrology", RATED), 422, "request-validation")
    await refused(assessment_dsn, put(f"{url}/domains/housing", {**RATED, "mood": "good"}), 422,
                  "request-validation")
    for inconsistent in [{**RATED, "level": "none"}, {**RATED, "nature": None},
                         {"risk_factor": False, "nature": "static", "level": "none"},
                         {"risk_factor": False, "level": "low"}]:
        await refused(assessment_dsn, put(f"{url}/domains/housing", inconsistent), 422, "rating-inconsistent")
    await refused(assessment_dsn, put(f"{url}/conclusion", {"overall_risk_level": "high",
                                                            "priority_axes": ["housing", "peers", "housing"]}),
                  422, "priority-axes-repeated")
    await refused(assessment_dsn, put(f"{url}/conclusion", {"overall_risk_level": "high", "priority_axes": []}),
                  422, "request-validation")
    await refused(assessment_dsn, post(f"{url}/submit"), 422, "assessment-incomplete")
    await refused(assessment_dsn, post(f"{url}/return", {"comments": "Préciser"}, dpip), 422,
                  "assessment-not-submitted")
    await refused(assessment_dsn, post(f"{url}/validate", headers=dpip), 422, "assessment-not-submitted")
    await refused(assessment_dsn, post(f"{url}/resubmit"), 422, "assessment-not-returned")

    # Another CPIP neither reads nor writes it; a psychologist reads only what they contributed to.
    await refused(assessment_dsn, api.get(url, headers=other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, put(f"{url}/domains/housing", RATED, other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, put(f"{url}/conclusion", CONCLUSION, other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, post(f"{url}/submit", headers=other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, api.get(url, headers=as_role("psychologue")), 403, "forbidden")
    await refused(assessment_dsn, post(f"{url}/contributions", {"text": "Vu en entretien"}, as_role("psychologue")),
                  403, "contribution-not-requested")
    await ok(await post(f"{url}/contributors", {"contributor": "psychologue-1"}))
    await refused(assessment_dsn, post(f"{url}/contributors", {"contributor": "psychologue-1"}), 409,
                  "contribution-already-requested")
    await refused(assessment_dsn, post(f"{url}/contributors", {"contributor": "psychologue-2"}, other_cpip), 403,
                  "not-on-caseload")
    await refused(assessment_dsn, post(f"{url}/contributions", {"text": "Vu en entretien"}, as_role("psychologue", "psychologue-2")),
                  403, "contribution-not-requested")
    await refused(assessment_dsn, post(f"{url}/contributions", {"text": "Vu en entretien"}), 403, "role-not-allowed")
    await refused(assessment_dsn, post(f"{url}/contributions", {"text": "   "}, as_role("psychologue")), 422,
                  "request-validation")
    await refused(assessment_dsn, api.get(url, headers=as_role("direction")), 403, "role-not-allowed")

    # Submitted: its content waits for the DPIP's answer; only a DPIP validates, never the one who submitted.
    await ok(await put(f"{url}/domains/alcohol_drugs", RATED))
    await ok(await put(f"{url}/conclusion", CONCLUSION))
    await ok(await post(f"{url}/submit"))
    await refused(assessment_dsn, put(f"{url}/domains/housing", RATED), 422, "assessment-not-editable")
    await refused(assessment_dsn, put(f"{url}/protective-factors", {"factors": ["Soutien familial"]}), 422,
                  "assessment-not-editable")
    await refused(assessment_dsn, put(f"{url}/receptivity", {"motivation_stage": "action"}), 422,
                  "assessment-not-editable")
    await refused(assessment_dsn, put(f"{url}/conclusion", CONCLUSION), 422, "assessment-not-editable")
    await refused(assessment_dsn, post(f"{url}/submit"), 422, "assessment-not-editable")
    await refused(assessment_dsn, post(f"{url}/resubmit"), 422, "assessment-not-returned")
    await refused(assessment_dsn, post(f"{url}/validate"), 403, "role-not-allowed")
    await refused(assessment_dsn, post(f"{url}/return", {"comments": "Préciser"}), 403, "role-not-allowed")
    await refused(assessment_dsn, post(f"{url}/return", {"comments": " "}, dpip), 422, "request-validation")

    # Validated: final.
    await ok(await post(f"{url}/validate", headers=dpip))
    await refused(assessment_dsn, put(f"{url}/domains/housing", RATED), 422, "assessment-validated")
    await refused(assessment_dsn, put(f"{url}/conclusion", CONCLUSION), 422, "assessment-validated")
    await refused(assessment_dsn, post(f"{url}/contributions", {"text": "Vu en entretien"}, as_role("psychologue")),
                  422, "assessment-validated")
    await refused(assessment_dsn, post(f"{url}/submit"), 422, "assessment-validated")
    await refused(assessment_dsn, post(f"{url}/return", {"comments": "Préciser"}, dpip), 422, "assessment-validated")
    await refused(assessment_dsn, post(f"{url}/validate", headers=as_role("dpip", "dpip-2")), 422,
                  "assessment-validated")

    # After it: re-assessments, each naming its significant event, one at a time.
    await refused(assessment_dsn, start("initial"), 422, "initial-assessment-already-validated")
    await refused(assessment_dsn, start("reassessment"), 422, "reassessment-trigger-missing")
    await refused(assessment_dsn, start("reassessment", "   "), 422, "reassessment-trigger-missing")
    drafted = await drafted_assessment(api, dpip, case_id, kind="reassessment", trigger="Incident du 15 décembre")
    url = f"/assessments/{drafted['assessment_id']}"
    await refused(assessment_dsn, start("reassessment", "Autre incident"), 409, "assessment-already-open")
    await refused(assessment_dsn, start("annual"), 409, "assessment-already-open")

    # A DPIP who submitted an assessment does not validate it; returned, it is resubmitted, not submitted.
    await ok(await post(f"{url}/submit", headers=dpip))
    await refused(assessment_dsn, post(f"{url}/validate", headers=dpip), 403, "assessment-self-validation")
    await ok(await post(f"{url}/return", {"comments": "Préciser le logement"}, as_role("dpip", "dpip-2")))
    await refused(assessment_dsn, post(f"{url}/submit", headers=dpip), 422, "assessment-not-editable")
    await refused(assessment_dsn, post(f"{url}/validate", headers=as_role("dpip", "dpip-2")), 422,
                  "assessment-not-submitted")
    await refused(assessment_dsn, post(f"{url}/return", {"comments": "Encore"}, as_role("dpip", "dpip-2")), 422,
                  "assessment-not-submitted")
    await ok(await post(f"{url}/resubmit", headers=dpip))
    await refused(assessment_dsn, post(f"{url}/validate", headers=dpip), 403, "assessment-self-validation")
    await ok(await post(f"{url}/validate", headers=as_role("dpip", "dpip-2")))


async def test_plan_rules_are_refused_by_name_and_append_nothing(api, as_role, clock, assessment_dsn):
    today, dpip, cpip, other_cpip = clock.now.date(), as_role("dpip"), as_role("cpip"), as_role("cpip", "cpip-2")
    yesterday = today - timedelta(days=1)
    case_id = (await opened_case(api, as_role, today))["case_id"]
    validated = (await validated_assessment(api, as_role, case_id))["assessment_id"]
    elsewhere = (await opened_case(api, as_role, today, subject_id="person-2"))["case_id"]
    of_another_case = (await validated_assessment(api, as_role, elsewhere))["assessment_id"]
    in_progress = (await drafted_assessment(api, cpip, case_id, kind="reassessment",
                                            trigger="Incident disciplinaire"))["assessment_id"]
    body = plan_body(validated, today)
    objectives = body["objectives"]

    def adopt(headers=cpip, case=case_id, **overrides):
        return api.post(f"/cases/{case}/plan", json={**body, **overrides}, headers=headers)

    def post(url, payload=None, headers=cpip):
        return api.post(url, json=payload, headers=headers)

    def objective(n, **overrides) -> dict:
        return {**objectives[n], **overrides}

    def target(on) -> dict:
        return objective(0, interventions=[{"kind": "individual_work", "description": "Entretiens motivationnels",
                                            "target_date": str(on)}])

    # Adopting: from a validated assessment of the case, on its priority axes, with dates ahead.
    await refused(assessment_dsn, adopt(case="no-such-case"), 404, "case-not-found")
    await refused(assessment_dsn, adopt(assessment_id="no-such-assessment"), 404, "assessment-not-found")
    await refused(assessment_dsn, adopt(assessment_id=in_progress), 422, "assessment-not-validated")
    await refused(assessment_dsn, adopt(assessment_id=of_another_case), 422, "assessment-of-another-case")
    await refused(assessment_dsn, adopt(review_date=str(today)), 422, "dates-out-of-order")
    await refused(assessment_dsn, adopt(review_date=str(yesterday)), 422, "dates-out-of-order")
    await refused(assessment_dsn, adopt(objectives=[target(yesterday), objectives[1]]), 422, "dates-out-of-order")
    await refused(assessment_dsn, adopt(objectives=[objectives[0], objective(1, objective_id="obj-1")]), 422,
                  "objectives-invalid")
    await refused(assessment_dsn, adopt(objectives=[objectives[0], objective(1, priority=1)]), 422,
                  "objectives-invalid")
    await refused(assessment_dsn, adopt(objectives=[objectives[0], objective(1, work_axis="housing")]), 422,
                  "objective-axis-not-a-priority")
    await refused(assessment_dsn, adopt(objectives=[]), 422, "request-validation")
    await refused(assessment_dsn, adopt(objectives=[objective(0, work_axis="astrology")]), 422,
                  "request-validation")
    await refused(assessment_dsn, adopt(signed=True), 422, "request-validation")
    await refused(assessment_dsn, adopt(headers=other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, adopt(headers=as_role("psychologue")), 403, "role-not-allowed")

    plan_url = "/plans/" + (await ok(await adopt(objectives=[target(today), objectives[1]]), 201))["plan_id"]
    await refused(assessment_dsn, adopt(), 409, "plan-already-adopted")
    await refused(assessment_dsn, adopt(headers=dpip), 409, "plan-already-adopted")

    # Unknown plans, versions and objectives.
    unknown = "/plans/no-such-plan"
    for refusal in [api.get(unknown, headers=cpip), api.get(f"{plan_url}?version=2", headers=cpip),
                    post(f"{unknown}/agreement", {"agreement": "agreed"}), post(f"{unknown}/validate", headers=dpip),
                    post(f"{unknown}/revisions", body),
                    post(f"{unknown}/objectives/obj-1/status", {"status": "achieved"})]:
        await refused(assessment_dsn, refusal, 404, "plan-not-found")

    # Before validation: the person's answer first, then a DPIP's validation; objectives are followed after.
    await refused(assessment_dsn, post(f"{plan_url}/objectives/obj-1/status", {"status": "achieved"}), 422,
                  "plan-not-validated")
    await refused(assessment_dsn, post(f"{plan_url}/validate", headers=dpip), 422, "plan-agreement-missing")
    await refused(assessment_dsn, post(f"{plan_url}/agreement", {"agreement": "maybe"}), 422, "request-validation")
    await refused(assessment_dsn, post(f"{plan_url}/validate"), 403, "role-not-allowed")
    await refused(assessment_dsn, api.get(plan_url, headers=other_cpip), 403, "not-on-caseload")
    await refused(assessment_dsn, post(f"{plan_url}/agreement", {"agreement": "agreed"}, other_cpip), 403,
                  "not-on-caseload")
    await refused(assessment_dsn, post(f"{plan_url}/revisions", body, other_cpip), 403, "not-on-caseload")
    await ok(await post(f"{plan_url}/agreement", {"agreement": "agreed"}))
    await ok(await post(f"{plan_url}/validate", headers=dpip))

    # Validated: the version is final; its objectives are achieved or abandoned (with a reason), once.
    await refused(assessment_dsn, post(f"{plan_url}/validate", headers=dpip), 422, "plan-version-validated")
    await refused(assessment_dsn, post(f"{plan_url}/agreement", {"agreement": "disagreed"}), 422,
                  "plan-version-validated")
    await refused(assessment_dsn, post(f"{plan_url}/objectives/obj-9/status", {"status": "achieved"}), 404,
                  "objective-not-found")
    await refused(assessment_dsn, post(f"{plan_url}/objectives/obj-1/status", {"status": "active"}), 422,
                  "objective-not-active")
    await refused(assessment_dsn, post(f"{plan_url}/objectives/obj-1/status", {"status": "abandoned"}), 422,
                  "reason-missing")
    await refused(assessment_dsn, post(f"{plan_url}/objectives/obj-1/status", {"status": "abandoned",
                                                                                "reason": "   "}), 422,
                  "reason-missing")
    await refused(assessment_dsn, post(f"{plan_url}/objectives/obj-1/status", {"status": "postponed"}), 422,
                  "request-validation")
    await refused(assessment_dsn, post(f"{plan_url}/objectives/obj-1/status", {"status": "achieved"}, other_cpip),
                  403, "not-on-caseload")
    await ok(await post(f"{plan_url}/objectives/obj-1/status", {"status": "achieved"}))
    await refused(assessment_dsn, post(f"{plan_url}/objectives/obj-1/status", {"status": "abandoned",
                                                                                "reason": "Plus pertinent"}), 422,
                  "objective-not-active")

    # Revising: the same rules as adopting.
    clock.advance(days=1)  # the intervention targeted for the adoption day is now in the past
    await refused(assessment_dsn, post(f"{plan_url}/revisions", {**body, "assessment_id": "no-such-assessment"}),
                  404, "assessment-not-found")
    await refused(assessment_dsn, post(f"{plan_url}/revisions", {**body, "assessment_id": in_progress}), 422,
                  "assessment-not-validated")
    await refused(assessment_dsn, post(f"{plan_url}/revisions", {**body, "assessment_id": of_another_case}), 422,
                  "assessment-of-another-case")
    await refused(assessment_dsn, post(f"{plan_url}/revisions", {**body, "review_date": str(today)}), 422,
                  "dates-out-of-order")
    await refused(assessment_dsn, post(f"{plan_url}/revisions", {**body, "objectives": [target(today)]}), 422,
                  "dates-out-of-order")
    await refused(assessment_dsn, post(f"{plan_url}/revisions", {**body, "objectives": [
        objectives[0], objective(1, priority=1)]}), 422, "objectives-invalid")
    await refused(assessment_dsn, post(f"{plan_url}/revisions", {**body, "objectives": [
        objective(0, work_axis="peers")]}), 422, "objective-axis-not-a-priority")


async def test_interview_rules_are_refused_by_name_and_append_nothing(api, as_role, clock, assessment_dsn):
    today, cpip = clock.now.date(), as_role("cpip")
    url = f"/cases/{(await opened_case(api, as_role, today))['case_id']}/interviews"
    admission = today - timedelta(days=10)

    def record(held_on, headers=cpip, **overrides):
        return api.post(url, json=interview(held_on, **overrides), headers=headers)

    await refused(assessment_dsn, record(today + timedelta(days=1)), 422, "date-in-the-future")
    await refused(assessment_dsn, record(admission - timedelta(days=1)), 422, "dates-out-of-order")
    await refused(assessment_dsn, record(today, interview_type="chat"), 422, "request-validation")
    await refused(assessment_dsn, record(today, mood="calm"), 422, "request-validation")
    await refused(assessment_dsn, record(today, headers=as_role("cpip", "cpip-2")), 403, "not-on-caseload")
    await refused(assessment_dsn, api.get(url, headers=as_role("cpip", "cpip-2")), 403, "not-on-caseload")
    await refused(assessment_dsn, record(today, headers=as_role("ipro_conseiller")), 403, "role-not-allowed")
    await refused(assessment_dsn, api.get(url, headers=as_role("ipro_conseiller")), 403, "role-not-allowed")
    await refused(assessment_dsn, api.post("/cases/no-such-case/interviews", json=interview(today), headers=cpip),
                  404, "case-not-found")
    await refused(assessment_dsn, api.get("/cases/no-such-case/interviews", headers=cpip), 404, "case-not-found")
    await ok(await record(admission), 201)


async def test_nothing_is_recorded_on_a_closed_case(api, as_role, clock, assessment_dsn):
    today, dpip, cpip = clock.now.date(), as_role("dpip"), as_role("cpip")
    case_id = (await opened_case(api, as_role, today))["case_id"]
    case_url = f"/cases/{case_id}"
    validated = (await validated_assessment(api, as_role, case_id))["assessment_id"]
    plan_url = "/plans/" + (await ok(await api.post(f"{case_url}/plan", json=plan_body(validated, today),
                                                    headers=cpip), 201))["plan_id"]
    assessment_url = "/assessments/" + (await drafted_assessment(
        api, cpip, case_id, kind="reassessment", trigger="Incident disciplinaire"))["assessment_id"]
    await ok(await api.post(f"{case_url}/close", json={"reason": "release", "closed_on": str(today)}, headers=cpip))

    def post(url, body=None, headers=cpip):
        return api.post(url, json=body, headers=headers)

    for refusal in [
        post(f"{case_url}/referent", {"referent": "cpip-2"}, dpip),
        post(f"{case_url}/sentence", case_body(today)["sentence"]),
        post(f"{case_url}/assessments", {"kind": "reassessment", "trigger": "Nouvel incident"}),
        api.put(f"{assessment_url}/domains/housing", json=RATED, headers=cpip),
        api.put(f"{assessment_url}/protective-factors", json={"factors": ["Soutien familial"]}, headers=cpip),
        api.put(f"{assessment_url}/receptivity", json={"motivation_stage": "action"}, headers=cpip),
        api.put(f"{assessment_url}/conclusion", json=CONCLUSION, headers=cpip),
        post(f"{assessment_url}/contributions", {"text": "Vu en entretien"}, as_role("psychologue")),
        post(f"{assessment_url}/submit"),
        post(f"{case_url}/plan", plan_body(validated, today)),
        post(f"{plan_url}/agreement", {"agreement": "agreed"}),
        post(f"{plan_url}/revisions", plan_body(validated, today)),
        post(f"{case_url}/interviews", interview(today)),
    ]:
        await refused(assessment_dsn, refusal, 422, "case-closed")


async def test_an_idempotency_key_reused_for_another_request_is_refused(api, as_role, clock, assessment_dsn):
    today, dpip = clock.now.date(), as_role("dpip", **{"Idempotency-Key": "admission-62041"})
    await ok(await api.post("/cases", json=case_body(today), headers=dpip), 201)
    await refused(assessment_dsn, api.post("/cases", json=case_body(today, subject_id="person-2"), headers=dpip),
                  422, "idempotency-key-reused")
    await refused(assessment_dsn, api.post("/cases", json=case_body(today, subject_id="person-2"),
                                           headers=as_role("dpip", **{"Idempotency-Key": ""})), 400,
                  "idempotency-key-invalid")


# --- bad input the service accepts today (bugs: see each reason) ------------------------------------------

async def test_a_blank_referent_is_refused_when_opening_a_case(api, as_role, clock, assessment_dsn):
    body = case_body(clock.now.date(), referent="   ")
    await refused(assessment_dsn, api.post("/cases", json=body, headers=as_role("dpip")), 422, "request-validation")


async def test_a_blank_name_or_ecrou_number_is_refused_when_opening_a_case(api, as_role, clock, assessment_dsn):
    blank = {"last_name": "  ", "first_names": " ", "birth_date": "1994-03-12", "ecrou_number": " "}
    body = case_body(clock.now.date(), identity=blank)
    await refused(assessment_dsn, api.post("/cases", json=body, headers=as_role("dpip")), 422, "request-validation")


async def test_an_objective_id_the_status_route_cannot_address_is_refused(api, as_role, clock, assessment_dsn):
    today = clock.now.date()
    case_id = (await opened_case(api, as_role, today))["case_id"]
    body = plan_body((await validated_assessment(api, as_role, case_id))["assessment_id"], today)
    first, second = body["objectives"]
    for objective_id in ["obj 1", "", "x" * 65]:
        objectives = [{**first, "objective_id": objective_id}, second]
        await refused(assessment_dsn, api.post(f"/cases/{case_id}/plan", json={**body, "objectives": objectives},
                                               headers=as_role("cpip")), 422, "request-validation")


async def test_a_blank_objective_or_intervention_is_refused(api, as_role, clock, assessment_dsn):
    today = clock.now.date()
    case_id = (await opened_case(api, as_role, today))["case_id"]
    body = plan_body((await validated_assessment(api, as_role, case_id))["assessment_id"], today)
    first, second = body["objectives"]
    blank_intervention = {**second, "interventions": [{"kind": "ipro_action", "description": "   "}]}
    for objectives in [[{**first, "description": "   "}, second], [first, blank_intervention]]:
        await refused(assessment_dsn, api.post(f"/cases/{case_id}/plan", json={**body, "objectives": objectives},
                                               headers=as_role("cpip")), 422, "request-validation")
