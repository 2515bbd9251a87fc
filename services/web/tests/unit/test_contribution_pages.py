"""The multidisciplinary team's contributions over a fake assessment service: the CPIP asks a psychologist
to contribute, the psychologist writes their contribution, each refusal beside its field with what was typed,
and the psychologist's list of people asked about."""

from __future__ import annotations

import httpx

from .conftest import problem
from .test_assessment_pages import CASE, DRAFT, assessment_service, sent

CONTRIBUTED = {
    **DRAFT,
    "contributors": ["psychologue-1"],
    "contributions": [
        {
            "contribution_id": "c-1",
            "domain": "physical_mental_health",
            "text": "Anxiété marquée en détention.",
            "shared": False,
            "author": "psychologue-1",
            "author_role": "psychologue",
            "written_at": "2031-03-02T10:00:00+01:00",
        }
    ],
}


def test_the_cpip_is_offered_to_ask_a_contributor_and_reads_what_the_service_lets_them(logged_in, services):
    services.answer = assessment_service({**CONTRIBUTED, "contributions": []})

    page = logged_in("cpip-1").get("/evaluations/a-1")

    assert "Contributions de l'équipe pluridisciplinaire" in page.text
    assert "Sollicités : psychologue-1." in page.text
    assert "Aucune contribution que vous puissiez lire." in page.text
    assert 'hx-post="/evaluations/a-1/contributeurs"' in page.text
    assert 'action="/evaluations/a-1/contributions"' not in page.text  # a contributor's form, not theirs


def test_asking_a_contributor_sends_their_id_once_and_a_repeat_is_told_beside_the_field(logged_in, services):
    services.answer = assessment_service(DRAFT, problem(409, "contribution-already-requested"))

    page = logged_in("cpip-1").post(
        "/evaluations/a-1/contributeurs",
        data={"cle": "k-1", "contributeur": " psychologue-1 "},
        headers={"HX-Request": "true"},
    )

    assert sent(services) == ("POST", "/assessments/a-1/contributors", {"contributor": "psychologue-1"})
    command = next(r for r in services.requests if r.method == "POST")
    assert command.headers["Idempotency-Key"] == "k-1"
    assert page.status_code == 409
    assert page.text.lstrip().startswith('<section id="contributions"')  # only the part htmx swaps
    assert (
        'id="contributeurs-contributeur-erreur">Cette personne a déjà été sollicitée pour cette évaluation.'
        in page.text
    )
    assert 'value=" psychologue-1 "' in page.text and 'value="k-1"' not in page.text

    services.answer = assessment_service(DRAFT)
    done = logged_in("cpip-1").post(
        "/evaluations/a-1/contributeurs", data={"cle": "k-2", "contributeur": "assistant_social-1"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/evaluations/a-1#contributions"


def test_the_psychologist_asked_writes_first_reads_the_cpips_parts_and_keeps_content_unshared(
    logged_in, services
):
    services.answer = assessment_service(CONTRIBUTED)

    page = logged_in("psychologue-1").get("/evaluations/a-1")

    text = page.text
    assert text.index('id="contributions"') < text.index('id="titre-domaines"')  # their part first
    assert "Anxiété marquée en détention." in text and "[non partagée]" in text
    assert (
        'id="contribution-partage" name="partage" value="oui" aria-describedby="contribution-partage-aide">'
        in text
    )
    assert "Enregistrer<span" not in text  # the CPIP's parts: read, not offered
    assert 'value="soumettre"' not in text


def test_a_social_workers_contribution_is_shared_by_default(logged_in, services):
    services.answer = assessment_service(CONTRIBUTED)

    page = logged_in("assistant_social-1").get("/evaluations/a-1")

    assert 'aria-describedby="contribution-partage-aide" checked>' in page.text


def test_a_contribution_is_sent_as_written_and_a_refusal_keeps_it(logged_in, services):
    services.answer = assessment_service(DRAFT, problem(403, "contribution-not-requested"))
    form = {"cle": "k-3", "domaine": "family_couple", "texte": "Lien familial à renouer.", "partage": "oui"}

    page = logged_in("psychologue-1").post("/evaluations/a-1/contributions", data=form)

    assert sent(services) == (
        "POST",
        "/assessments/a-1/contributions",
        {"domain": "family_couple", "text": "Lien familial à renouer.", "shared": True},
    )
    assert page.status_code == 403
    assert "Vous n&#39;avez pas été sollicité pour cette évaluation" in page.text
    assert ">Lien familial à renouer.</textarea>" in page.text
    assert '<option value="family_couple" selected>' in page.text

    services.answer = assessment_service(
        DRAFT, problem(422, "request-validation", errors=[{"field": "text", "type": "string_too_short"}])
    )
    empty = logged_in("psychologue-1").post("/evaluations/a-1/contributions", data={"cle": "k-4"})
    assert sent(services)[2] == {"domain": None, "text": "", "shared": False}
    assert 'id="contribution-texte-erreur">Le texte est trop court.' in empty.text
    # Unshared, as they left the box: the service's default is not put back.
    assert 'aria-describedby="contribution-partage-aide">' in empty.text

    services.answer = assessment_service(CONTRIBUTED, httpx.Response(201, json=CONTRIBUTED))
    done = logged_in("psychologue-1").post(
        "/evaluations/a-1/contributions", data=form, headers={"HX-Request": "true"}
    )
    # The section again, the new contribution listed and the form blank under a new key.
    assert done.status_code == 200 and done.text.lstrip().startswith('<section id="contributions"')
    assert "Anxiété marquée en détention." in done.text
    assert "Lien familial à renouer.</textarea>" not in done.text and 'value="k-3"' not in done.text


def test_a_psychologist_lands_on_the_people_they_were_asked_about(logged_in, services):
    summary = {k: CASE[k] for k in ("case_id", "subject_id", "establishment")}
    listed = {
        "total": 1,
        "items": [
            {
                **summary,
                "last_name": "Martin",
                "first_names": "Lucas",
                "referent": "cpip-1",
                "admission_date": "2031-01-02",
                "closed_on": None,
            }
        ],
    }
    services.answer = lambda request: httpx.Response(200, json=listed)

    page = logged_in("psychologue-1").get("/contributions")

    assert services.requests[0].url.path == "/cases"
    assert 'href="/personnes/p-123">MARTIN Lucas</a>' in page.text
    assert 'aria-current="page"' in page.text and ">Mes contributions<" in page.text
