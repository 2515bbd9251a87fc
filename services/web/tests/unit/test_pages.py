"""The pages over fake services: what they ask the services, what they show, and the login's cookie."""

import json
import re

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

from contracts.roles import ROLES
from web.roles import DEMO_USERS

from .conftest import problem

QUEUE = {
    "role": "cpip",
    "today": "2026-11-27",
    "within_days": 30,
    "items": [
        {
            "kind": "initial_assessment",
            "subject_id": "p-123",
            "due_on": "2026-11-20",
            "overdue": True,
            "label": "Évaluation initiale à réaliser",
            "last_name": "Martin",
            "first_names": "Lucas",
        }
    ],
    "workload": None,
}


def test_every_role_has_a_demo_identity():
    assert {user.role for user in DEMO_USERS} == set(ROLES)


def test_logging_in_mints_the_token_and_keeps_it_in_a_signed_httponly_lax_cookie(client, settings):
    response = client.post("/connexion", data={"identite": "cpip-1"})

    assert response.status_code == 303
    assert response.headers["location"] == "/file-de-travail"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("passerelle_session=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    # The token the session holds is the one the services will check: signed by the development key.
    jwks = json.loads((settings.dev_keys_dir / "jwks.json").read_text())
    public_key = RSAAlgorithm.from_jwk(jwks["keys"][0])
    token = client.app.state.dev_keys().mint("cpip")  # same keys
    assert jwt.get_unverified_header(token)["kid"] == jwks["keys"][0]["kid"]
    assert jwt.decode(token, public_key, algorithms=["RS256"], audience="passerelle")["roles"] == ["cpip"]


def test_the_session_cookie_is_tamper_proof(client):
    client.post("/connexion", data={"identite": "cpip-1"})
    value = client.cookies["passerelle_session"]
    client.cookies.set("passerelle_session", value[:-4] + "AAAA")

    assert client.get("/file-de-travail").headers["location"] == "/connexion?suite=/file-de-travail"


def test_a_partner_without_its_organisation_is_told_beside_the_field(client):
    response = client.post("/connexion", data={"identite": "partenaire-1"})

    assert response.status_code == 422
    assert 'aria-describedby="organisation-erreur"' in response.text
    assert re.search(
        r'id="organisation-erreur">Indiquez l&#39;identifiant de votre organisation', response.text
    )
    assert "set-cookie" not in response.headers


def test_login_goes_back_only_to_a_path_of_this_site(client):
    response = client.post("/connexion", data={"identite": "cpip-1", "suite": "//ailleurs.example/"})

    assert response.headers["location"] == "/file-de-travail"


def test_a_page_without_a_session_sends_to_the_login(client):
    response = client.get("/personnes/p-123?au=2026-11-01")

    assert response.status_code == 303
    assert response.headers["location"] == "/connexion?suite=/personnes/p-123%3Fau%3D2026-11-01"


def test_the_queue_is_the_users_own_read_with_their_token(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json=QUEUE)

    page = logged_in("cpip-1").get("/file-de-travail")

    assert page.status_code == 200
    (sent,) = services.requests
    assert sent.url.path == "/queues/mine" and sent.url.params["within_days"] == "30"
    claims = jwt.decode(
        sent.headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False}
    )
    assert (claims["sub"], claims["roles"]) == ("cpip-1", ["cpip"])
    assert "MARTIN Lucas" in page.text and 'href="/personnes/p-123"' in page.text
    assert "Évaluation initiale à réaliser" in page.text and "En retard" in page.text


def test_the_layout_is_french_with_skip_links_and_a_label_for_every_input(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json=QUEUE)

    page = logged_in("cpip-1").get("/file-de-travail").text

    assert '<html lang="fr"' in page
    assert 'href="#contenu">Aller au contenu' in page and 'href="#navigation">Aller au menu' in page
    assert "République<br>française" in page
    for input_id in re.findall(r'<input[^>]*\bid="([^"]+)"', page):
        assert f'for="{input_id}"' in page, input_id


def test_a_refused_filter_is_shown_beside_its_field(logged_in, services):
    services.answer = lambda request: problem(
        422,
        "request-validation",
        errors=[{"field": "query.within_days", "type": "less_than_equal", "message": "…"}],
    )

    page = logged_in("cpip-1").get("/file-de-travail?dans=900", headers={"HX-Request": "true"})

    assert page.status_code == 422
    assert not page.text.lstrip().startswith("<!DOCTYPE")  # the partial htmx swaps in
    assert '<p class="fr-error-text" id="dans-erreur">La valeur est trop grande.</p>' in page.text


def test_the_file_as_of_a_day_is_read_at_that_days_last_moment(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json={"subject_id": "p-123", "timeline": []})

    page = logged_in("dpip-1").get("/personnes/p-123?au=2026-11-20")

    assert page.status_code == 200
    assert services.requests[0].url.params["as_of"] == "2026-11-20T23:59:59.999999+01:00"
    assert "vendredi 20 novembre 2026" in page.text


def test_an_expired_token_logs_out(logged_in, services):
    services.answer = lambda request: problem(401, "not-authenticated")
    client = logged_in("cpip-1")

    response = client.get("/personnes/p-123")

    assert response.status_code == 303 and response.headers["location"].startswith("/connexion")
    assert client.get("/file-de-travail").headers["location"].startswith("/connexion")


def test_a_person_out_of_reach_is_said_in_french(logged_in, services):
    services.answer = lambda request: problem(404, "person-not-found")

    page = logged_in("cpip-1").get("/personnes/p-999")

    assert page.status_code == 404
    assert "Aucun dossier pour cette personne dans votre périmètre." in page.text


def test_a_search_lists_the_people_found_each_opening_their_file(logged_in, services):
    found = {
        "total": 1,
        "items": [
            {
                "subject_id": "p-123",
                "last_name": "Martin",
                "first_names": "Lucas",
                "birth_date": "1994-03-12",
                "ecrou_number": "62041",
            }
        ],
    }
    services.answer = lambda request: httpx.Response(200, json=found)

    page = logged_in("psychologue-1").get("/personnes?q=mart")

    assert services.requests[0].url.params["q"] == "mart"
    assert '<a class="fr-link" href="/personnes/p-123">MARTIN Lucas</a>' in page.text
    assert "samedi 12 mars 1994" in page.text


def test_a_search_with_more_people_than_counted_says_so(logged_in, services):
    person = {"subject_id": "p-1", "last_name": "Martin", "first_names": "Lucas", "birth_date": "1994-03-12"}
    found = {"total": 1000, "total_exact": False, "items": [person], "next": "b3BhcXVl"}
    services.answer = lambda request: httpx.Response(200, json=found)

    page = logged_in("psychologue-1").get("/personnes?q=mart")

    assert "1\u202f000 ou plus personne(s) trouvée(s), les 1 premières affichées" in page.text


def test_a_search_too_short_for_the_service_is_told_beside_the_field(logged_in, services):
    services.answer = lambda request: problem(
        422, "request-validation", errors=[{"field": "query.q", "type": "string_too_short", "message": "…"}]
    )

    page = logged_in("cpip-1").get("/personnes?q=m")

    assert page.status_code == 422
    assert '<p class="fr-error-text" id="q-erreur">Le texte est trop court.</p>' in page.text


def test_a_role_without_a_queue_lands_on_its_first_page(client):
    assert (
        client.post("/connexion", data={"identite": "psychologue-1"}).headers["location"] == "/contributions"
    )
    assert client.post("/connexion", data={"identite": "direction-1"}).headers["location"] != "/contributions"


def test_the_print_page_is_the_services_own_for_the_chosen_day(logged_in, services):
    services.answer = lambda request: httpx.Response(
        200, text="<!DOCTYPE html><title>Dossier</title>", headers={"content-type": "text/html"}
    )

    page = logged_in("dpip-1").get("/personnes/p-123/impression?au=2026-11-20")

    assert page.text == "<!DOCTYPE html><title>Dossier</title>"
    (sent,) = services.requests
    assert sent.url.path == "/persons/p-123/file.html"
    assert sent.url.params["as_of"] == "2026-11-20T23:59:59.999999+01:00"


def test_pages_are_neither_cached_nor_framed(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json=QUEUE)

    headers = logged_in("cpip-1").get("/file-de-travail").headers

    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


def test_a_dpip_goes_from_a_cpips_workload_to_their_queue(logged_in, services):
    workload = [{"referent": "cpip-1", "people": 12, "due": 3, "overdue": 1}]
    services.answer = lambda request: httpx.Response(
        200, json={**QUEUE, "role": "dpip", "items": [], "workload": workload}
    )
    client = logged_in("dpip-1")

    assert 'href="/files-de-travail/cpip?qui=cpip-1"' in client.get("/file-de-travail").text
    services.answer = lambda request: httpx.Response(200, json=QUEUE)
    page = client.get("/files-de-travail/cpip?qui=cpip-1")

    assert page.status_code == 200 and "MARTIN Lucas" in page.text
    sent = services.requests[-1]
    assert sent.url.path == "/queues/cpip"
    assert (sent.url.params["referent"], sent.url.params["within_days"]) == ("cpip-1", "30")
    assert '<input type="hidden" name="qui" value="cpip-1">' in page.text


def test_a_queue_the_role_may_not_read_is_refused_in_french(logged_in, services):
    services.answer = lambda request: problem(403, "role-not-allowed")

    page = logged_in("cpip-1").get("/files-de-travail/dpip")

    assert page.status_code == 403
    assert "Votre rôle ne permet pas cette action." in page.text


def test_the_file_shown_today_polls_for_changes_from_where_it_stood_before_the_read(logged_in, services):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/changes"):
            return httpx.Response(200, json={"cursor": 41, "changed": True})
        return httpx.Response(200, json={"subject_id": "p-123", "timeline": []})

    services.answer = answer

    page = logged_in("cpip-1").get("/personnes/p-123")

    assert [r.url.path for r in services.requests] == ["/persons/p-123/file/changes", "/persons/p-123/file"]
    assert 'hx-get="/personnes/p-123/changements?depuis=41" hx-trigger="every 20000ms"' in page.text


def test_a_poll_says_when_the_file_changed_and_stops(logged_in, services):
    client = logged_in("cpip-1")
    services.answer = lambda request: httpx.Response(200, json={"cursor": 41, "changed": False})

    unchanged = client.get("/personnes/p-123/changements?depuis=41", headers={"HX-Request": "true"})
    services.answer = lambda request: httpx.Response(200, json={"cursor": 45, "changed": True})
    changed = client.get("/personnes/p-123/changements?depuis=41", headers={"HX-Request": "true"})

    assert services.requests[0].url.params["since"] == "41"
    assert "hx-trigger" in unchanged.text and "Le dossier a changé" not in unchanged.text
    assert "Le dossier a changé depuis son affichage." in changed.text and "hx-trigger" not in changed.text


def test_the_consultation_journal_filters_by_person_and_pages_back(logged_in, services):
    entry = {
        "entry_id": "0b7e3c1e-0000-4000-8000-000000000001",
        "recorded_at": "2026-11-27T08:00:00Z",
        "service": "projections",
        "method": "GET",
        "route": "/persons/{subject_id}/file",
        "status": 200,
        "user": "cpip-1",
        "role": "cpip",
        "organisation_id": None,
        "establishment": "InSERRE Arras",
        "subject_ids": ["p-123"],
        "object_ids": [],
        "subjects_count": 1,
        "correlation_id": None,
        "purpose": "synthèse avant CAP",
        "break_glass": False,
    }
    services.answer = lambda request: httpx.Response(200, json={"items": [entry], "next_before": 77})

    page = logged_in("auditeur-1").get("/audit/consultations?personne=p-123")

    sent = services.requests[0].url.params
    assert (sent["subject_id"], sent["limit"]) == ("p-123", "50") and "break_glass" not in sent
    assert "cpip-1 (CPIP)" in page.text and "synthèse avant CAP" in page.text
    assert 'href="/audit/consultations?personne=p-123&amp;utilisateur=&amp;avant=77"' in page.text
    # The menu marks the journal, not the log view whose path it extends.
    assert 'href="/audit/consultations" aria-current="page"' in page.text
    assert 'href="/audit" aria-current' not in page.text


def file_with_a_case(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/changes"):
        return httpx.Response(200, json={"cursor": 1, "changed": False})
    return httpx.Response(200, json={"subject_id": "p-123", "case": CASE, "timeline": []})


CASE = {
    "case_id": "case-9",
    "establishment": "InSERRE Arras",
    "admission_date": "2026-08-25",
    "referent": "cpip-1",
    "status": "open",
    "sentence": {"expected_end_date": "2028-11-02"},
}


def test_starting_an_assessment_is_one_command_however_often_the_form_is_sent(logged_in, services):
    services.answer = file_with_a_case
    client = logged_in("cpip-1")
    page = client.get("/personnes/p-123").text
    key = re.search(r'name="cle" value="([^"]+)"', page).group(1)
    services.answer = lambda request: httpx.Response(201, json={"assessment_id": "a-1"})

    form = {"case_id": "case-9", "cle": key, "type": "initial", "motif": ""}
    sent = client.post("/personnes/p-123/evaluations", data=form, headers={"HX-Request": "true"})

    assert sent.status_code == 204 and sent.headers["HX-Redirect"] == "/personnes/p-123"
    command = services.requests[-1]
    assert (command.method, command.url.path) == ("POST", "/cases/case-9/assessments")
    assert command.headers["Idempotency-Key"] == key
    assert json.loads(command.content) == {"kind": "initial", "trigger": ""}


def test_a_refused_start_comes_back_beside_its_field_with_what_was_typed(logged_in, services):
    services.answer = lambda request: problem(422, "reassessment-trigger-missing")
    form = {"case_id": "case-9", "cle": "k-1", "type": "reassessment", "motif": "  "}

    page = logged_in("cpip-1").post("/personnes/p-123/evaluations", data=form, headers={"HX-Request": "true"})

    assert page.status_code == 422
    assert (
        '<p class="fr-error-text" id="motif-erreur">Indiquez l&#39;événement qui motive la réévaluation.</p>'
        in page.text
    )
    assert 'id="type-reassessment" name="type" value="reassessment" checked' in page.text
    assert 'name="cle" value="k-1"' not in page.text  # the next values sent are a new command
