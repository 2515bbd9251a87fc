"""The assessment form, its flow and the plan editor over fake services: what each part sends the assessment
service, what a refusal shows and keeps."""

from __future__ import annotations

import json
import re

import httpx

from .conftest import problem

CASE = {
    "case_id": "case-9",
    "subject_id": "p-123",
    "identity": {"last_name": "Martin", "first_names": "Lucas"},
    "establishment": "InSERRE Arras",
}
DRAFT = {
    "assessment_id": "a-1",
    "case_id": "case-9",
    "kind": "initial",
    "status": "draft",
    "overall_risk_level": None,
    "priority_axes": [],
    "education_employment": None,
    "version": 3,
    "trigger": "",
    "domains": [
        {
            "rating": {
                "domain": "education_employment",
                "risk_factor": True,
                "nature": "dynamic_stable",
                "level": "high",
            },
            "evidence": "Sans diplôme, jamais employé plus de trois mois.",
        }
    ],
    "protective_factors": ["Soutien de sa sœur"],
    "receptivity": None,
    "draft_overall_risk_level": "moderate",
    "draft_priority_axes": ["education_employment"],
    "contributions": [],
    "return_comments": [],
    "submitted_by": None,
    "contributors": [],
}
PLAN = {
    "plan_id": "plan-1",
    "case_id": "case-9",
    "plan_version": 1,
    "versions": 1,
    "assessment_id": "a-1",
    "objectives": [
        {
            "objective_id": "o-1",
            "priority": 1,
            "work_axis": "education_employment",
            "description": "Obtenir un premier diplôme",
            "interventions": [
                {"kind": "ipro_action", "description": "Positionnement CAP", "target_date": "2027-03-01"}
            ],
            "status": "active",
            "reason": "",
        }
    ],
    "review_date": "2027-06-01",
    "agreement": "agreed",
    "validated": True,
}


def assessment_service(view: dict, answer: dict | None = None):
    """Reads answer `view` and the case; commands answer `answer` (a refusal: an httpx.Response)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.startswith("/cases/"):
            return httpx.Response(200, json=CASE)
        if request.method == "GET" and request.url.path.startswith("/plans/"):
            return httpx.Response(200, json=PLAN)
        if request.method == "GET":
            return httpx.Response(200, json=view)
        return answer if isinstance(answer, httpx.Response) else httpx.Response(200, json=answer or view)

    return handle


def sent(services) -> tuple[str, str, dict | None]:
    command = next(r for r in reversed(services.requests) if r.method in ("PUT", "POST"))
    return command.method, command.url.path, json.loads(command.content) if command.content else None


def test_the_form_shows_the_draft_part_by_part_for_the_person_named(logged_in, services):
    services.answer = assessment_service(DRAFT)

    page = logged_in("cpip-1").get("/evaluations/a-1")

    assert page.status_code == 200
    assert "<h1>Évaluation initiale de MARTIN Lucas</h1>" in page.text
    assert 'href="/personnes/p-123"' in page.text
    # The saved rating, evidence, protective factors and conclusion, each in its own form.
    assert 'id="domaine-education_employment-facteur" name="facteur" value="oui" checked' in page.text
    assert '<option value="high" selected>Élevé</option>' in page.text
    assert "Sans diplôme, jamais employé plus de trois mois.</textarea>" in page.text
    assert ">Soutien de sa sœur</textarea>" in page.text
    assert page.text.count('hx-post="/evaluations/a-1/domaines/') == 12
    assert '<option value="moderate" selected>Modéré</option>' in page.text
    assert 'value="soumettre"' in page.text and 'value="valider"' not in page.text


def test_a_domain_is_saved_as_the_draft_and_only_its_part_comes_back(logged_in, services):
    services.answer = assessment_service(DRAFT)
    client = logged_in("cpip-1")
    form = {
        "cle": "k-1",
        "facteur": "oui",
        "nature": "dynamic_acute",
        "niveau": "moderate",
        "elements": " Dette ",
    }

    page = client.post("/evaluations/a-1/domaines/finances", data=form, headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert sent(services) == (
        "PUT",
        "/assessments/a-1/domains/finances",
        {"risk_factor": True, "nature": "dynamic_acute", "level": "moderate", "evidence": "Dette"},
    )
    assert services.requests[-1].headers["Idempotency-Key"] == "k-1"
    assert page.text.lstrip().startswith('<section id="domaine-finances"')
    assert "Enregistré dans le brouillon." in page.text
    assert "<h1>" not in page.text


def test_a_refused_domain_says_the_rule_beside_the_level_and_keeps_what_was_typed(logged_in, services):
    services.answer = assessment_service(DRAFT, problem(422, "rating-inconsistent"))
    form = {"cle": "k-1", "nature": "", "niveau": "high", "elements": "Consomme chaque jour"}

    page = logged_in("cpip-1").post(
        "/evaluations/a-1/domaines/alcohol_drugs", data=form, headers={"HX-Request": "true"}
    )

    assert page.status_code == 422
    assert re.search(r'id="domaine-alcohol_drugs-niveau-erreur">Un facteur de risque a une nature', page.text)
    assert ">Consomme chaque jour</textarea>" in page.text
    assert '<option value="high" selected>Élevé</option>' in page.text
    assert 'value="k-1"' not in page.text  # a new key: what is sent next is a new command


def test_a_refused_part_without_javascript_is_the_whole_page_other_parts_as_saved(logged_in, services):
    services.answer = assessment_service(DRAFT, problem(422, "priority-axes-repeated"))
    form = {"cle": "k-1", "risque": "high", "axe": ["finances", "finances", "", ""]}

    page = logged_in("cpip-1").post("/evaluations/a-1/conclusion", data=form)

    assert page.status_code == 422
    assert sent(services)[2] == {"overall_risk_level": "high", "priority_axes": ["finances", "finances"]}
    assert "<h1>Évaluation initiale de MARTIN Lucas</h1>" in page.text
    assert 'id="conclusion-axes-erreur">Chaque axe de travail prioritaire ne figure qu' in page.text
    assert page.text.count('<option value="finances" selected>') == 2
    assert "Sans diplôme, jamais employé plus de trois mois.</textarea>" in page.text


def test_protective_factors_are_one_a_line(logged_in, services):
    services.answer = assessment_service(DRAFT)
    form = {"cle": "k-1", "facteurs": "Soutien de sa sœur\r\n\r\n  Projet de formation  \r\n"}

    logged_in("cpip-1").post("/evaluations/a-1/facteurs-de-protection", data=form)

    assert sent(services) == (
        "PUT",
        "/assessments/a-1/protective-factors",
        {"factors": ["Soutien de sa sœur", "Projet de formation"]},
    )


def test_a_dpip_returns_a_submitted_assessment_with_the_reason_and_it_reloads(logged_in, services):
    submitted = {**DRAFT, "status": "submitted", "submitted_by": "cpip-1"}
    services.answer = assessment_service(submitted)
    client = logged_in("dpip-1")
    page = client.get("/evaluations/a-1").text
    assert 'value="valider"' in page and 'value="renvoyer"' in page
    assert "disabled" in page  # the parts are read while the DPIP decides

    done = client.post(
        "/evaluations/a-1/decision",
        data={"cle": "k-2", "action": "renvoyer", "motif": " Préciser le logement "},
        headers={"HX-Request": "true"},
    )

    assert done.status_code == 204 and done.headers["HX-Redirect"] == "/evaluations/a-1"
    assert sent(services) == ("POST", "/assessments/a-1/return", {"comments": "Préciser le logement"})


def test_a_return_without_a_reason_is_told_beside_the_reason(logged_in, services):
    submitted = {**DRAFT, "status": "submitted", "submitted_by": "cpip-1"}
    error = {"field": "comments", "type": "string_too_short"}
    services.answer = assessment_service(submitted, problem(422, "request-validation", errors=[error]))

    page = logged_in("dpip-1").post(
        "/evaluations/a-1/decision", data={"cle": "k-2", "action": "renvoyer", "motif": " "}
    )

    assert page.status_code == 422
    assert 'id="decision-motif-erreur">Le texte est trop court.' in page.text


def test_a_returned_assessment_shows_the_dpips_reasons_and_offers_resubmission(logged_in, services):
    returned = {**DRAFT, "status": "returned", "return_comments": ["Préciser le logement"]}
    services.answer = assessment_service(returned)
    client = logged_in("cpip-1")

    page = client.get("/evaluations/a-1").text
    assert "<li>Préciser le logement</li>" in page and 'value="resoumettre"' in page

    client.post("/evaluations/a-1/decision", data={"cle": "k-3", "action": "resoumettre"})
    assert sent(services) == ("POST", "/assessments/a-1/resubmit", None)


def test_an_incomplete_submission_is_said_above_the_buttons(logged_in, services):
    services.answer = assessment_service(DRAFT, problem(422, "assessment-incomplete"))

    page = logged_in("cpip-1").post(
        "/evaluations/a-1/decision",
        data={"cle": "k-3", "action": "soumettre"},
        headers={"HX-Request": "true"},
    )

    assert page.status_code == 422
    assert page.text.lstrip().startswith('<section id="decision"')
    assert "L&#39;évaluation est incomplète" in page.text


def test_a_validated_assessment_leads_to_its_plan(logged_in, services):
    services.answer = assessment_service({**DRAFT, "status": "validated"})

    page = logged_in("cpip-1").get("/evaluations/a-1").text

    assert 'href="/suivis/case-9/plan/nouveau?evaluation=a-1"' in page
    assert "Enregistrer" not in page


def editor_form(key: str = "k-4") -> dict:
    return {
        "cle": key,
        "evaluation": "a-1",
        "echeance": "2027-06-01",
        # A blank first row is left out: the service's `objectives.0` is the form's row 1.
        "o0-id": "objectif-aaaa",
        "o0-priorite": "1",
        "o0-axe": "",
        "o0-description": " ",
        "o0-i0-type": "",
        "o0-i0-description": "",
        "o0-i0-date": "",
        "o1-id": "objectif-bbbb",
        "o1-priorite": "2",
        "o1-axe": "education_employment",
        "o1-description": "Obtenir un premier diplôme",
        "o1-i0-type": "",
        "o1-i0-description": "",
        "o1-i0-date": "",
        "o1-i1-type": "ipro_action",
        "o1-i1-description": "Positionnement CAP",
        "o1-i1-date": "",
    }


def test_the_editor_adopts_the_plan_from_its_rows_and_opens_it(logged_in, services):
    services.answer = assessment_service(DRAFT, httpx.Response(201, json=PLAN))
    client = logged_in("cpip-1")
    editor = client.get("/suivis/case-9/plan/nouveau?evaluation=a-1")
    assert editor.status_code == 200
    assert "Établir le plan d&#39;accompagnement de MARTIN Lucas" in editor.text
    assert editor.text.count('name="o2-id"') == 1  # three empty rows for a new plan

    done = client.post("/suivis/case-9/plan", data=editor_form())

    assert done.status_code == 303 and done.headers["location"] == "/plans/plan-1"
    assert sent(services) == (
        "POST",
        "/cases/case-9/plan",
        {
            "assessment_id": "a-1",
            "review_date": "2027-06-01",
            "objectives": [
                {
                    "objective_id": "objectif-bbbb",
                    "priority": 2,
                    "work_axis": "education_employment",
                    "description": "Obtenir un premier diplôme",
                    "interventions": [
                        {"kind": "ipro_action", "description": "Positionnement CAP", "target_date": None}
                    ],
                }
            ],
        },
    )
    assert services.requests[-1].headers["Idempotency-Key"] == "k-4"


def test_a_refused_row_is_told_beside_that_row_with_every_row_kept(logged_in, services):
    error = {"field": "objectives.0.interventions.0.description", "type": "string_too_short"}
    refusal = problem(422, "request-validation", errors=[error])
    services.answer = assessment_service(DRAFT, refusal)
    form = {**editor_form(), "o1-i1-description": " "}

    page = logged_in("cpip-1").post("/suivis/case-9/plan", data=form, headers={"HX-Request": "true"})

    assert page.status_code == 422
    assert 'id="o1-i1-description-erreur">Le texte est trop court.' in page.text
    assert ">Obtenir un premier diplôme</textarea>" in page.text
    assert 'name="o1-id" value="objectif-bbbb"' in page.text  # the rows keep their ids


def test_revising_starts_from_the_current_version(logged_in, services):
    services.answer = assessment_service(DRAFT)

    page = logged_in("cpip-1").get("/plans/plan-1/revision").text

    assert 'name="o0-id" value="o-1"' in page and ">Obtenir un premier diplôme</textarea>" in page
    assert 'name="o0-i0-description" value="Positionnement CAP"' in page
    assert 'name="o1-id"' in page  # a row to add an objective
    assert 'action="/plans/plan-1/revision"' in page


def test_an_objective_abandoned_without_a_reason_is_told_beside_the_reason(logged_in, services):
    services.answer = assessment_service(DRAFT, problem(422, "reason-missing"))
    client = logged_in("cpip-1")
    page = client.get("/plans/plan-1").text
    assert "Obtenir un premier diplôme" in page and "Positionnement CAP" in page

    refused = client.post(
        "/plans/plan-1/objectifs/o-1/statut",
        data={"cle": "k-5", "statut": "abandoned", "motif": ""},
        headers={"HX-Request": "true"},
    )

    assert refused.status_code == 422
    assert sent(services) == (
        "POST",
        "/plans/plan-1/objectives/o-1/status",
        {"status": "abandoned", "reason": ""},
    )
    assert 'id="objectif-o-1-motif-erreur">Indiquez le motif de l&#39;abandon.' in refused.text
    assert '<option value="abandoned" selected>Abandonné</option>' in refused.text


def test_a_plan_awaiting_validation_asks_the_persons_answer_and_the_dpips_validation(logged_in, services):
    services.answer = lambda request: httpx.Response(
        200, json={**PLAN, "validated": False, "agreement": None} if "/plans/" in request.url.path else CASE
    )
    client = logged_in("dpip-1")

    page = client.get("/plans/plan-1").text

    assert "en attente de validation par le DPIP" in page
    assert 'action="/plans/plan-1/accord"' in page and "Valider le plan" in page
    assert "Enregistrer le statut" not in page


def test_the_queue_and_the_file_lead_to_the_assessment_and_the_plan(logged_in, services):
    item = {
        "kind": "assessment_to_validate",
        "subject_id": "p-123",
        "assessment_id": "a-1",
        "label": "Évaluation soumise à valider",
        "last_name": "Martin",
        "first_names": "Lucas",
    }
    services.answer = lambda request: httpx.Response(
        200,
        json={"role": "dpip", "today": "2026-11-27", "within_days": 30, "items": [item], "workload": None},
    )
    client = logged_in("dpip-1")
    assert (
        '<a class="fr-link" href="/evaluations/a-1">Évaluation soumise à valider</a>'
        in client.get("/file-de-travail").text
    )

    validated = {
        "assessment_id": "a-0",
        "kind": "initial",
        "validated_on": "2026-10-01",
        "overall_risk_level": "moderate",
        "priority_axes": ["education_employment"],
    }
    file = {
        "subject_id": "p-123",
        "case": {**CASE, "status": "open", "sentence": {"expected_end_date": "2028-11-02"}},
        "assessment": validated,
        "timeline": [],
    }
    services.answer = lambda request: httpx.Response(
        200, json={"cursor": 1, "changed": False} if request.url.path.endswith("/changes") else file
    )
    page = client.get("/personnes/p-123").text
    assert 'href="/evaluations/a-0"' in page
    assert 'href="/suivis/case-9/plan/nouveau?evaluation=a-0"' in page  # no plan yet
    file["plan"] = {
        "plan_id": "plan-1",
        "version": 1,
        "adopted_on": "2026-10-02",
        "validated": True,
        "review_date": "2027-04-01",
        "objectives": [],
    }
    page = client.get("/personnes/p-123").text
    assert 'href="/plans/plan-1"' in page and "/plan/nouveau" not in page


def test_a_reader_of_the_shareable_part_sees_the_conclusion_and_no_form(logged_in, services):
    summary = {
        key: DRAFT[key] for key in ("assessment_id", "case_id", "kind", "education_employment", "version")
    }
    summary |= {
        "status": "validated",
        "overall_risk_level": "high",
        "priority_axes": ["education_employment"],
    }
    services.answer = assessment_service(summary)

    page = logged_in("auditeur-1").get("/evaluations/a-1").text

    assert "Niveau de risque global : élevé ; axes prioritaires : Scolarité, formation et emploi." in page
    assert "<form" not in page.split("<main", 1)[1]
