"""The partner portal over a fake partners service: what the pages ask it, with whose token, what they show,
and each refusal beside its field with what was typed kept."""

import html
import json
import re

import httpx
import jwt
import pytest

from .conftest import problem

CALL = {
    "call_id": "call-1",
    "status": "published",
    "open": True,
    "content": {
        "title": "Espace citoyen 2027",
        "theme": "Espace citoyen",
        "establishment": "InSERRE Arras",
        "description": "Actions d'insertion",
        "opens_on": "2026-11-01",
        "closes_on": "2026-12-31",
        "target_themes": ["job_search_workshop", "citizenship"],
        "eligibility_notes": "",
    },
    "version": 2,
}
CONTENT = {
    "title": "Atelier CV",
    "action_type": "job_search_workshop",
    "objectives": "Rédiger un CV",
    "target_public": "",
    "prerequisites": "",
    "capacity_min": 4,
    "capacity_max": 10,
    "planned_sessions": [
        {"starts_at": "2026-12-10T14:00:00+01:00", "duration_minutes": 120, "place": "Salle 1"}
    ],
    "facilitators": ["Camille Martin"],
    "resources_needed": "",
}
PROPOSAL = {
    "proposal_id": "prop-1",
    "call_id": "call-1",
    "partner_id": "org-7",
    "status": "under_review",
    "content": CONTENT,
    "action_id": None,
    "decision_reason": None,
    "comments": [
        {
            "comment_id": "c-1",
            "text": "Pouvez-vous préciser le public ?",
            "author": "ripro-1",
            "author_role": "ripro",
            "written_at": "2026-12-01T09:30:00+00:00",
        }
    ],
    "version": 4,
}
FORM = {
    "cle": "k-1",
    "appel": "call-1",
    "titre": "Atelier CV",
    "type_action": "job_search_workshop",
    "objectifs": "Rédiger un CV",
    "public": "",
    "prerequis": "",
    "capacite_min": "12",
    "capacite_max": "10",
    "seance_debut": "2026-12-10T14:00",
    "seance_duree": "120",
    "seance_lieu": "Salle 1",
    "animateurs": "Camille Martin\n\nLéo Petit ",
    "moyens": "",
}


def partners(request: httpx.Request) -> httpx.Response:
    """The partners service's reads the pages make."""
    path = request.url.path
    if path == "/calls":
        items = [{k: CALL[k] for k in ("call_id", "status", "open")} | CALL["content"]]
        return httpx.Response(200, json={"total": 1, "items": items})
    if path == "/calls/call-1":
        return httpx.Response(200, json=CALL)
    if path == "/proposals":
        summary = {"proposal_id": "prop-1", "call_id": "call-1", "partner_id": "org-7", "status": "draft"}
        return httpx.Response(
            200,
            json={
                "total": 1,
                "items": [
                    summary | {"title": "Atelier CV", "action_type": "job_search_workshop", "action_id": None}
                ],
            },
        )
    if path == "/proposals/prop-1":
        return httpx.Response(200, json=PROPOSAL)
    return httpx.Response(404)


@pytest.fixture
def partner(client):
    response = client.post("/connexion", data={"identite": "partenaire-1", "organisation": "org-7"})
    assert response.status_code == 303
    return client


def test_a_partner_lands_on_the_calls_read_with_its_organisations_token(partner, services):
    services.answer = partners

    page = partner.get("/")
    assert page.headers["location"] == "/appels"
    page = partner.get("/appels")

    assert page.status_code == 200
    (sent,) = services.requests
    claims = jwt.decode(
        sent.headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False}
    )
    assert (claims["roles"], claims["org"]) == (["partenaire"], "org-7")
    assert 'href="/appels/call-1">Espace citoyen 2027</a>' in page.text and "Ouvert" in page.text


def test_the_call_offers_a_partner_to_answer_it_and_lists_the_proposals_the_service_lets_it_see(
    partner, services
):
    services.answer = partners

    page = partner.get("/appels/call-1").text

    assert [r.url.path for r in services.requests] == ["/calls/call-1", "/proposals"]
    assert services.requests[1].url.params["call_id"] == "call-1"
    assert 'href="/appels/call-1/proposition">Répondre à cet appel' in page
    assert 'href="/propositions/prop-1">Atelier CV</a>' in page


def test_the_draft_form_offers_the_action_types_the_call_targets(partner, services):
    services.answer = partners

    page = partner.get("/appels/call-1/proposition").text

    assert re.findall(r'<option value="(\w+)"', page) == ["job_search_workshop", "citizenship"]
    for input_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page):
        assert f'for="{input_id}"' in page, input_id


def test_drafting_sends_the_content_as_typed_with_the_forms_key(partner, services):
    services.answer = lambda request: httpx.Response(201, json=PROPOSAL)

    sent = partner.post("/propositions", data=FORM | {"capacite_min": "4"}, headers={"HX-Request": "true"})

    assert sent.status_code == 204 and sent.headers["HX-Redirect"] == "/propositions/prop-1"
    (command,) = services.requests
    assert (command.method, command.url.path, command.headers["Idempotency-Key"]) == (
        "POST",
        "/proposals",
        "k-1",
    )
    body = json.loads(command.content)
    assert body["call_id"] == "call-1"
    assert body["content"]["planned_sessions"] == [
        # The field's local time, in Paris' winter offset.
        {"starts_at": "2026-12-10T14:00:00+01:00", "duration_minutes": "120", "place": "Salle 1"}
    ]
    assert body["content"]["facilitators"] == ["Camille Martin", "Léo Petit"]
    assert (body["content"]["capacity_min"], body["content"]["capacity_max"]) == ("4", "10")


def test_a_refused_draft_comes_back_beside_its_field_with_what_was_typed(partner, services):
    def refuse(request):
        if request.method == "POST":
            return problem(422, "capacity-min-above-max")
        return partners(request)

    services.answer = refuse

    page = partner.post("/propositions", data=FORM, headers={"HX-Request": "true"})

    assert page.status_code == 422
    assert not page.text.lstrip().startswith("<!DOCTYPE")
    assert (
        '<p class="fr-error-text" id="capacite_max-erreur">Le nombre maximum de participants doit être au moins '
        "égal au minimum.</p>" in page.text
    )
    assert 'value="12"' in page.text and "Camille Martin\n\nLéo Petit" in page.text
    assert 'name="cle" value="k-1"' not in page.text


def test_a_malformed_field_of_the_content_is_told_beside_it(partner, services):
    errors = [{"field": "content.capacity_min", "type": "int_parsing", "message": "…"}]
    services.answer = lambda r: (
        problem(422, "request-validation", errors=errors) if r.method == "POST" else partners(r)
    )

    page = partner.post("/propositions", data=FORM | {"capacite_min": "quatre"}).text

    assert '<p class="fr-error-text" id="capacite_min-erreur">Saisissez un nombre entier.</p>' in page
    assert 'value="quatre"' in page


def test_revising_puts_the_content_alone_and_places_its_refusal(partner, services):
    errors = [{"field": "title", "type": "string_too_short", "message": "…"}]
    services.answer = lambda r: (
        problem(422, "request-validation", errors=errors) if r.method == "PUT" else partners(r)
    )

    form = partner.get("/propositions/prop-1/modifier").text
    assert 'value="2026-12-10T14:00"' in form and 'value="Atelier CV"' in form
    page = partner.post("/propositions/prop-1/modifier", data=FORM | {"titre": ""}).text

    put = services.requests[-2] if services.requests[-1].method == "GET" else services.requests[-1]
    assert (put.method, put.url.path) == ("PUT", "/proposals/prop-1")
    assert "call_id" not in json.loads(put.content)
    assert '<p class="fr-error-text" id="titre-erreur">Le texte est trop court.</p>' in page


def test_the_proposal_shows_its_thread_and_a_comment_is_sent_as_typed(partner, services):
    services.answer = partners
    page = partner.get("/propositions/prop-1").text
    assert (
        "Pouvez-vous préciser le public ?" in page
        and "ripro-1</strong> (RLIP), le 01/12/2026 à 10:30" in page
    )
    assert "Soumettre à l&#39;équipe IPRO" in page and "Approuver" not in page  # the partner's steps
    services.answer = lambda request: httpx.Response(201, json=PROPOSAL)

    sent = partner.post(
        "/propositions/prop-1/commentaires", data={"cle": "k-2", "message": " Personnes libérables. "}
    )

    assert sent.status_code == 303 and sent.headers["location"] == "/propositions/prop-1#fil"
    command = services.requests[-1]
    assert command.url.path == "/proposals/prop-1/comments" and command.headers["Idempotency-Key"] == "k-2"
    assert json.loads(command.content) == {"text": "Personnes libérables."}


def test_an_empty_comment_is_refused_beside_the_message(partner, services):
    errors = [{"field": "text", "type": "string_too_short", "message": "…"}]
    services.answer = lambda r: (
        problem(422, "request-validation", errors=errors) if r.method == "POST" else partners(r)
    )

    page = partner.post("/propositions/prop-1/commentaires", data={"cle": "k-2", "message": " "})

    assert page.status_code == 422
    assert '<p class="fr-error-text" id="message-erreur">Le texte est trop court.</p>' in page.text


def test_ipro_asks_for_changes_with_its_reason_and_a_refusal_is_said_above_the_steps(logged_in, services):
    services.answer = partners
    client = logged_in("ripro-1")
    page = client.get("/propositions/prop-1").text
    assert "Prendre en examen" in page and "Demander des modifications" in page and "Répondre" not in page

    services.answer = lambda request: httpx.Response(200, json=PROPOSAL)
    client.post("/propositions/prop-1/demander-des-modifications", data={"cle": "k-3", "motif": "Le public."})
    command = services.requests[-1]
    assert (command.url.path, json.loads(command.content)) == (
        "/proposals/prop-1/request-changes",
        {"reason": "Le public."},
    )

    services.answer = lambda r: (
        problem(409, "proposal-already-decided") if r.method == "POST" else partners(r)
    )
    refused = client.post("/propositions/prop-1/approuver", data={"cle": "k-4"})
    assert refused.status_code == 409
    assert "Une décision a déjà été prise sur cette proposition." in refused.text
    assert [r.url.path for r in services.requests if r.method == "POST"][-1] == "/proposals/prop-1/approve"


PREVIEW = "/schedule/conflicts/preview"
BOOKED = {
    "kind": "room_double_booked",
    "severity": "conflict",
    "room": "Salle 1",
    "facilitator": None,
    "item_id": "programmes/group:group-1/g-1-s-3",
    "item_kind": "group_session",
    "title": "PPR – Prévention de la récidive",
    "place": "Salle 1",
    "establishment": "InSERRE Arras",
    "item_starts_at": "2026-12-10T13:30:00+00:00",
    "item_ends_at": "2026-12-10T15:30:00+00:00",
    "starts_at": "2026-12-10T13:30:00+00:00",
    "ends_at": "2026-12-10T15:00:00+00:00",
}


def test_a_reviewer_reads_what_each_planned_session_would_double_book_before_deciding(logged_in, services):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == PREVIEW:
            return httpx.Response(200, json={"starts_at": "x", "ends_at": "y", "items": [BOOKED]})
        return partners(request)

    services.answer = answer
    page = logged_in("ipro_chef-1").get("/propositions/prop-1").text
    (asked,) = [r for r in services.requests if r.url.path == PREVIEW]
    params = asked.url.params
    assert (params["establishment"], params["room"], params.get_list("facilitator")) == (
        "InSERRE Arras",
        "Salle 1",
        ["Camille Martin"],
    )
    assert (params["starts_at"], params["ends_at"]) == (
        "2026-12-10T14:00:00+01:00",
        "2026-12-10T16:00:00+01:00",
    )
    said = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())  # the text as read
    assert (
        "Séance du 10/12/2026 à 14:00 (Salle 1) : la salle est déjà occupée « PPR – Prévention de la récidive »"
        in said
    )
    assert "du 10/12/2026 à 14:30 au 10/12/2026 à 16:30" in said


def test_without_the_schedule_the_review_goes_on_and_says_what_was_not_checked(logged_in, services):
    services.answer = partners  # projections' preview: 404
    page = logged_in("ripro-1").get("/propositions/prop-1")
    assert page.status_code == 200 and "Prendre en examen" in page.text
    assert "n'a pas pu être consulté" in html.unescape(page.text)


def test_a_partner_and_a_decided_proposal_ask_the_schedule_nothing(partner, logged_in, services):
    services.answer = partners
    assert "Salles et animateurs déjà pris" not in partner.get("/propositions/prop-1").text
    services.answer = lambda r: (
        httpx.Response(200, json=PROPOSAL | {"status": "approved"})
        if r.url.path == "/proposals/prop-1"
        else partners(r)
    )
    assert "Salles et animateurs déjà pris" not in logged_in("ipro_chef-1").get("/propositions/prop-1").text
    assert [r for r in services.requests if r.url.path == PREVIEW] == []


def test_an_unknown_step_is_not_found(partner, services):
    assert partner.post("/propositions/prop-1/effacer", data={"cle": "k"}).status_code == 404
    assert services.requests == []


ACTION = {
    "action_id": "act-1",
    "proposal_id": "prop-1",
    "call_id": "call-1",
    "partner_id": "org-7",
    "title": "Atelier CV",
    "action_type": "job_search_workshop",
    "theme": "Espace citoyen",
    "capacity_min": 4,
    "capacity_max": 10,
    "published": True,
    "closed": False,
    "sessions": [
        {
            "session_id": "s-1",
            "slot": {
                "starts_at": "2026-12-10T13:00:00+00:00",
                "ends_at": "2026-12-10T15:00:00+00:00",
                "place": "Salle 1",
                "facilitators": ["Camille Martin"],
            },
            "cancelled": False,
            "reported": False,
        }
    ],
    "planned_sessions_not_scheduled": [],
    "version": 3,
}


def test_a_sessions_report_is_sent_and_its_refusal_shown_beside_that_sessions_field(partner, services):
    services.answer = lambda r: httpx.Response(200, json=ACTION)
    page = partner.get("/actions-partenaires/act-1").text
    assert "10/12/2026 à 14:00 – Salle 1" in page and "Transmettre le compte rendu" in page

    services.answer = lambda r: (
        problem(422, "present-count-invalid") if r.method == "POST" else httpx.Response(200, json=ACTION)
    )
    form = {"cle": "k-5", "tenue": "true", "presents": "40", "notes": "Bien"}
    refused = partner.post("/actions-partenaires/act-1/seances/s-1/compte-rendu", data=form)

    report = services.requests[-3]  # then the action and its positionings, read again
    assert report.url.path == "/actions/act-1/sessions/s-1/report"
    assert json.loads(report.content) == {"held": "true", "present_count": "40", "notes": "Bien"}
    assert refused.status_code == 422
    assert 'id="presents-s-1-erreur">Ce nombre de présents n&#39;est pas possible' in refused.text
    assert (
        'value="40"' in refused.text
        and 'id="tenue-s-1-true" name="tenue" value="true" checked' in refused.text
    )


def test_a_comment_sent_by_htmx_comes_back_as_the_thread_in_place(partner, services):
    services.answer = lambda r: httpx.Response(201, json=PROPOSAL) if r.method == "POST" else partners(r)

    page = partner.post(
        "/propositions/prop-1/commentaires",
        data={"cle": "k-6", "message": "Oui"},
        headers={"HX-Request": "true"},
    )

    assert page.status_code == 200 and page.text.lstrip().startswith('<div id="proposition">')
    assert "Pouvez-vous préciser le public ?" in page.text


def test_a_status_filter_the_service_refuses_is_told_beside_it(partner, services):
    errors = [{"field": "query.status", "type": "enum", "message": "…"}]
    services.answer = lambda r: problem(422, "request-validation", errors=errors)

    page = partner.get("/propositions?etat=perdu")

    assert services.requests[0].url.params["status"] == "perdu"
    assert page.status_code == 422
    assert '<p class="fr-error-text" id="etat-erreur">Choisissez une des valeurs proposées.</p>' in page.text


def test_the_partner_sees_who_is_positioned_on_its_session_and_confirms_the_place(partner, services):
    line = {
        "positioning_id": "pos-1",
        "last_name": "Martin",
        "first_names": "Lucas",
        "action_id": "act-1",
        "session_id": "s-1",
        "status": "proposed",
        "outcome": None,
    }

    def answer(request):
        if request.url.path == "/positionings":
            return httpx.Response(200, json={"total": 1, "items": [line]})
        if request.method == "POST":
            return problem(409, "positioning-not-proposed")
        return httpx.Response(200, json=ACTION)

    services.answer = answer
    page = partner.get("/actions-partenaires/act-1").text

    listed = services.requests[1]
    assert (listed.url.port, listed.url.params["action_id"]) == (8003, "act-1")
    assert "MARTIN Lucas :" in page and "Proposé" in page
    refused = partner.post("/actions-partenaires/act-1/positionnements/pos-1/confirmer", data={"cle": "k-8"})

    confirm = services.requests[2]
    assert (confirm.url.path, confirm.headers["Idempotency-Key"]) == ("/positionings/pos-1/confirm", "k-8")
    assert refused.status_code == 409 and "Cette place n&#39;est plus à confirmer." in refused.text


def test_a_session_scheduled_from_the_action_page_is_refused_beside_its_place(partner, services):
    services.answer = lambda r: (
        problem(409, "place-double-booked") if r.method == "POST" else httpx.Response(200, json=ACTION)
    )
    form = {
        "cle": "k-9",
        "nouvelle_debut": "2026-12-17T09:30",
        "nouvelle_duree": "90",
        "nouvelle_lieu": "Salle 1",
        "nouvelle_animateurs": "Camille Martin",
    }

    page = partner.post("/actions-partenaires/act-1/seances", data=form)

    command = services.requests[0]
    assert (command.url.path, command.headers["Idempotency-Key"]) == ("/actions/act-1/sessions", "k-9")
    assert json.loads(command.content) == {
        "starts_at": "2026-12-17T09:30:00+01:00",
        "duration_minutes": "90",
        "place": "Salle 1",
        "facilitators": ["Camille Martin"],
    }
    assert page.status_code == 409
    assert (
        '<p class="fr-error-text" id="nouvelle_lieu-erreur">Ce lieu est déjà réservé sur ce créneau.</p>'
        in page.text
    )
    assert 'value="2026-12-17T09:30"' in page.text


def test_a_revision_keeps_the_planned_sessions_the_form_does_not_show(partner, services):
    second = {"starts_at": "2026-12-17T14:00:00+01:00", "duration_minutes": 60, "place": "Salle 2"}
    two = PROPOSAL | {"content": CONTENT | {"planned_sessions": [*CONTENT["planned_sessions"], second]}}
    services.answer = lambda r: httpx.Response(200, json=two if r.url.path == "/proposals/prop-1" else CALL)
    form_page = partner.get("/propositions/prop-1/modifier").text
    carried = re.search(r'name="autres_seances" value="([^"]*)"', form_page).group(1)

    partner.post("/propositions/prop-1/modifier", data=FORM | {"autres_seances": html.unescape(carried)})

    put = services.requests[-1]
    assert put.method == "PUT"
    assert json.loads(put.content)["planned_sessions"][1] == second


LINE = {
    "positioning_id": "pos-1",
    "last_name": "Martin",
    "first_names": "Lucas",
    "action_id": "act-1",
    "session_id": "s-1",
    "status": "confirmed",
    "outcome": None,
}


def action_with(line: dict, refusal: httpx.Response | None = None):
    def answer(request):
        if request.url.path == "/positionings":
            return httpx.Response(200, json={"total": 1, "items": [line]})
        if request.method == "POST":
            return refusal or httpx.Response(200, json={})
        return httpx.Response(200, json=ACTION)

    return answer


def test_a_confirmed_place_is_offered_its_attendance_which_is_sent_to_ipro(partner, services):
    services.answer = action_with(LINE)
    page = partner.get("/actions-partenaires/act-1").text
    assert "Présence de MARTIN Lucas" in page and "Enregistrer la suite" not in page

    sent = partner.post(
        "/actions-partenaires/act-1/positionnements/pos-1/presence", data={"cle": "k-20", "presence": "true"}
    )

    command = services.requests[-1]
    assert (command.url.port, command.url.path) == (8003, "/positionings/pos-1/attendance")
    assert command.headers["Idempotency-Key"] == "k-20" and json.loads(command.content) == {
        "attended": "true"
    }
    assert sent.status_code == 303 and sent.headers["location"] == "/actions-partenaires/act-1"


def test_an_attendance_before_the_session_is_refused_beside_that_persons_choice_kept(partner, services):
    services.answer = action_with(LINE, problem(409, "action-session-not-yet-held"))

    page = partner.post(
        "/actions-partenaires/act-1/positionnements/pos-1/presence", data={"cle": "k-21", "presence": "false"}
    )

    assert page.status_code == 409
    assert (
        'id="presence-pos-1-erreur"><p class="fr-message fr-message--error">La séance n&#39;a pas encore'
        in page.text
    )
    assert 'id="presence-pos-1-false" name="presence" value="false" checked' in page.text


def test_an_attended_place_is_offered_its_outcome_and_a_refusal_keeps_what_was_chosen(partner, services):
    attended = LINE | {"status": "attended"}
    services.answer = action_with(attended)
    page = partner.get("/actions-partenaires/act-1").text
    assert "Suite donnée pour MARTIN Lucas" in page and "Présence de" not in page

    services.answer = action_with(attended, problem(409, "outcome-already-recorded"))
    form = {"cle": "k-22", "suite": "interview_obtained", "precisions": " Chez Sodexo "}
    refused = partner.post("/actions-partenaires/act-1/positionnements/pos-1/suite", data=form)

    command = services.requests[-3]  # then the action and its positionings, read again
    assert command.url.path == "/positionings/pos-1/outcome"
    assert json.loads(command.content) == {"outcome": "interview_obtained", "details": "Chez Sodexo"}
    assert refused.status_code == 409
    assert 'id="suite-pos-1-erreur">La suite donnée à cette action est déjà enregistrée.' in refused.text
    assert (
        '<option value="interview_obtained" selected>' in refused.text
        and " Chez Sodexo </textarea>" in refused.text
    )


def test_a_recorded_outcome_is_shown_and_offers_no_form(partner, services):
    services.answer = action_with(LINE | {"status": "attended", "outcome": "job_offer"})

    page = partner.get("/actions-partenaires/act-1").text

    assert "suite : Offre d&#39;emploi" in page and "/suite" not in page


CALL_FORM = {
    "cle": "k-30",
    "titre": "Espace citoyen 2027",
    "theme": "Citoyenneté",
    "etablissement": "InSERRE Arras",
    "description": "Des actions",
    "ouverture": "2027-01-10",
    "cloture": "2027-01-05",
    "types": ["citizenship", "film_debate"],
    "conditions": "",
}


CALL_SENT = {  # what the partners service receives for CALL_FORM with its closing date corrected
    "title": "Espace citoyen 2027",
    "theme": "Citoyenneté",
    "establishment": "InSERRE Arras",
    "description": "Des actions",
    "opens_on": "2027-01-10",
    "closes_on": "2027-02-28",
    "target_themes": ["citizenship", "film_debate"],
    "eligibility_notes": "",
}


def test_ipro_is_offered_to_draft_a_call_with_its_establishments_and_the_action_types(logged_in, services):
    services.answer = partners
    client = logged_in("ipro_chef-1")
    assert 'href="/appels/nouveau"' in client.get("/appels").text

    page = client.get("/appels/nouveau").text

    assert '<option value="InSERRE Arras">InSERRE Arras</option>' in page
    assert 'id="type-film_debate" name="types" value="film_debate"' in page
    assert re.search(r'name="cle" value="[0-9a-f-]{36}"', page)


def test_a_partner_is_not_offered_to_draft_a_call(partner, services):
    services.answer = partners

    assert 'href="/appels/nouveau"' not in partner.get("/appels").text


def test_a_call_is_drafted_as_typed_and_opens_on_its_page(logged_in, services):
    services.answer = lambda r: httpx.Response(201, json=CALL | {"call_id": "call-2", "status": "draft"})

    sent = logged_in("ipro_chef-1").post("/appels/nouveau", data=CALL_FORM | {"cloture": "2027-02-28"})

    command = services.requests[0]
    assert (command.url.port, command.url.path, command.headers["Idempotency-Key"]) == (
        8004,
        "/calls",
        "k-30",
    )
    assert json.loads(command.content) == CALL_SENT
    assert sent.status_code == 303 and sent.headers["location"] == "/appels/call-2"


def test_a_call_closing_before_it_opens_is_refused_beside_its_closing_date_with_what_was_typed(
    logged_in, services
):
    services.answer = lambda r: problem(422, "call-dates-invalid")

    page = logged_in("ipro_chef-1").post("/appels/nouveau", data=CALL_FORM).text

    assert '<p class="fr-error-text" id="cloture-erreur">La clôture des réponses ne peut précéder' in page
    assert 'value="2027-01-05"' in page and 'value="Espace citoyen 2027"' in page
    assert 'value="citizenship" checked' in page and 'value="film_debate" checked' in page
    assert '<option value="InSERRE Arras" selected>' in page
    assert 'name="cle" value="k-30"' not in page  # a new key: the corrected form is another command


def test_no_action_type_chosen_is_told_beside_the_choices(logged_in, services):
    errors = [{"field": "target_themes", "type": "too_short", "message": "…"}]
    services.answer = lambda r: problem(422, "request-validation", errors=errors)

    page = logged_in("ipro_chef-1").post("/appels/nouveau", data=CALL_FORM | {"types": []}).text

    assert 'id="types-erreur"><p class="fr-message fr-message--error">' in page


def test_a_draft_call_is_offered_to_ipro_for_publication_and_published_with_the_forms_key(
    logged_in, services
):
    draft = CALL | {"status": "draft", "open": False}
    services.answer = lambda r: (
        httpx.Response(200, json=draft | {"status": "published"})
        if r.method == "POST"
        else httpx.Response(200, json=draft)
        if r.url.path == "/calls/call-1"
        else partners(r)
    )
    client = logged_in("ipro_chef-1")
    assert "Publier l'appel" in client.get("/appels/call-1").text

    sent = client.post("/appels/call-1/publication", data={"cle": "k-31"}, headers={"HX-Request": "true"})

    command = services.requests[-1]
    assert (command.url.path, command.headers["Idempotency-Key"]) == ("/calls/call-1/publish", "k-31")
    assert sent.status_code == 204 and sent.headers["HX-Redirect"] == "/appels/call-1"


def test_a_publication_refused_is_said_in_place(logged_in, services):
    draft = CALL | {"status": "draft", "open": False}
    services.answer = lambda r: (
        problem(409, "call-closing-date-passed")
        if r.method == "POST"
        else httpx.Response(200, json=draft)
        if r.url.path == "/calls/call-1"
        else partners(r)
    )

    page = logged_in("ipro_chef-1").post(
        "/appels/call-1/publication", data={"cle": "k-32"}, headers={"HX-Request": "true"}
    )

    assert page.status_code == 409 and page.text.lstrip().startswith('<div id="publication">')
    assert "La date limite de réponse à cet appel est passée." in page.text


def test_a_published_call_offers_no_publication(logged_in, services):
    services.answer = partners

    page = logged_in("ipro_chef-1").get("/appels/call-1").text

    assert "/publication" not in page


DRAFT_CALL = CALL | {"status": "draft", "open": False}


def a_draft_call(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/calls/call-1" and request.method == "GET":
        return httpx.Response(200, json=DRAFT_CALL)
    return partners(request)


def test_a_draft_call_offers_its_revision_prefilled_with_what_the_draft_says(logged_in, services):
    services.answer = a_draft_call
    client = logged_in("ipro_chef-1")
    assert 'href="/appels/call-1/modifier"' in client.get("/appels/call-1").text

    page = client.get("/appels/call-1/modifier").text

    assert "<h1>Modifier le brouillon de l&#39;appel</h1>" in page
    assert 'action="/appels/call-1/modifier"' in page
    assert 'value="Espace citoyen 2027"' in page and 'value="2026-12-31"' in page
    assert '<option value="InSERRE Arras" selected>' in page
    assert 'value="citizenship" checked' in page and 'value="film_debate">' in page
    assert ">Actions d&#39;insertion</textarea>" in page
    assert re.search(r'name="cle" value="[0-9a-f-]{36}"', page)


def test_a_revision_puts_the_whole_content_with_the_forms_key_and_returns_to_the_call(logged_in, services):
    services.answer = lambda r: httpx.Response(200, json=DRAFT_CALL) if r.method == "PUT" else a_draft_call(r)

    sent = logged_in("ipro_chef-1").post(
        "/appels/call-1/modifier",
        data=CALL_FORM | {"cle": "k-33", "cloture": "2027-02-28", "conditions": " Majeurs "},
        headers={"HX-Request": "true"},
    )

    command = services.requests[-1]
    assert (command.method, command.url.path, command.headers["Idempotency-Key"]) == (
        "PUT",
        "/calls/call-1",
        "k-33",
    )
    assert json.loads(command.content) == {**CALL_SENT, "eligibility_notes": "Majeurs"}
    assert sent.status_code == 204 and sent.headers["HX-Redirect"] == "/appels/call-1"


def test_a_revision_refused_comes_back_beside_its_field_with_what_was_typed_and_a_new_key(
    logged_in, services
):
    services.answer = lambda r: problem(422, "call-dates-invalid") if r.method == "PUT" else a_draft_call(r)

    page = logged_in("ipro_chef-1").post(
        "/appels/call-1/modifier",
        data=CALL_FORM | {"titre": "Citoyenneté 2027"},
        headers={"HX-Request": "true"},
    )

    assert page.status_code == 422 and page.text.lstrip().startswith('<section id="formulaire-appel"')
    assert (
        '<p class="fr-error-text" id="cloture-erreur">La clôture des réponses ne peut précéder' in page.text
    )
    assert 'value="Citoyenneté 2027"' in page.text and 'value="2027-01-05"' in page.text
    assert 'action="/appels/call-1/modifier"' in page.text
    assert 'name="cle" value="k-30"' not in page.text


def test_a_call_no_longer_a_draft_refuses_its_revision_above_the_form(logged_in, services):
    services.answer = lambda r: problem(409, "call-not-draft") if r.method == "PUT" else a_draft_call(r)

    page = logged_in("ipro_chef-1").post("/appels/call-1/modifier", data=CALL_FORM).text

    assert "Cet appel n&#39;est plus un brouillon" in page
    assert 'value="Espace citoyen 2027"' in page
