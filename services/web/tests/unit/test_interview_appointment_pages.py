"""Convening a person to an SPIP interview from their file (issue 15), against fake services: the form on the
file of a followed person, one command however often it is sent, the day and time sent as an instant of the
establishment's time, a refusal beside its field with what was typed."""

import json
import re

import httpx

from .conftest import problem
from .test_pages import CASE, file_with_a_case

FORM = {
    "case_id": "case-9",
    "cle": "k-1",
    "jour": "2026-12-01",
    "heure": "10:00",
    "duree": "45",
    "salle": " Bureau SPIP 2 ",
    "type_entretien": "follow_up",
}


def test_the_file_of_a_followed_person_offers_the_cpip_to_convene_them(logged_in, services):
    services.answer = file_with_a_case
    page = logged_in("cpip-1").get("/personnes/p-123").text
    assert 'hx-post="/personnes/p-123/convocations"' in page
    assert "Convoquer à un entretien" in page
    assert '<option value="follow_up" selected>Entretien de suivi</option>' in page


def test_no_convocation_is_offered_on_a_closed_case_nor_to_other_roles(logged_in, services):
    def closed(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/changes"):
            return httpx.Response(200, json={"cursor": 1, "changed": False})
        return httpx.Response(
            200, json={"subject_id": "p-123", "case": {**CASE, "status": "closed"}, "timeline": []}
        )

    services.answer = closed
    assert "/convocations" not in logged_in("cpip-1").get("/personnes/p-123").text
    services.answer = file_with_a_case
    assert "/convocations" not in logged_in("ipro_conseiller-1").get("/personnes/p-123").text


def test_convening_is_one_command_however_often_the_form_is_sent(logged_in, services):
    services.answer = file_with_a_case
    client = logged_in("cpip-1")
    page = client.get("/personnes/p-123").text
    key = re.search(r'id="nouvelle-convocation".*?name="cle" value="([^"]+)"', page, re.S)
    services.answer = lambda request: httpx.Response(201, json={"interview_id": "i-1"})

    sent = client.post(
        "/personnes/p-123/convocations", data={**FORM, "cle": key.group(1)}, headers={"HX-Request": "true"}
    )

    assert sent.status_code == 204 and sent.headers["HX-Redirect"] == "/personnes/p-123"
    command = services.requests[-1]
    assert (command.method, command.url.path) == ("POST", "/cases/case-9/appointments")
    assert command.headers["Idempotency-Key"] == key.group(1)
    assert json.loads(command.content) == {
        "starts_at": "2026-12-01T10:00:00+01:00",  # winter time in Paris
        "duration_minutes": 45,
        "place": "Bureau SPIP 2",
        "interview_type": "follow_up",
    }


def test_a_time_gone_by_comes_back_beside_the_hour_with_what_was_typed(logged_in, services):
    services.answer = lambda request: problem(422, "interview-in-the-past")

    page = logged_in("cpip-1").post(
        "/personnes/p-123/convocations", data=FORM, headers={"HX-Request": "true"}
    )

    assert page.status_code == 422
    assert (
        '<p class="fr-error-text" id="heure-erreur">Choisissez un jour et une heure à venir.</p>' in page.text
    )
    assert 'value="2026-12-01"' in page.text and 'value=" Bureau SPIP 2 "' in page.text
    assert 'name="cle" value="k-1"' not in page.text  # the next values sent are a new command


def test_a_room_not_of_the_establishment_is_refused_beside_the_room(logged_in, services):
    services.answer = lambda request: problem(422, "room-unknown")
    page = logged_in("cpip-1").post(
        "/personnes/p-123/convocations", data=FORM, headers={"HX-Request": "true"}
    )
    assert page.status_code == 422
    assert 'id="salle-erreur">Ce lieu n&#39;est pas une salle de l&#39;établissement.</p>' in page.text


def test_an_unreadable_day_or_hour_is_refused_without_asking_the_service(logged_in, services):
    client = logged_in("cpip-1")
    before = len(services.requests)
    page = client.post(
        "/personnes/p-123/convocations", data={**FORM, "heure": ""}, headers={"HX-Request": "true"}
    )
    assert page.status_code == 422 and 'id="heure-erreur">Saisissez une heure valide (hh:mm).' in page.text
    page = client.post(
        "/personnes/p-123/convocations", data={**FORM, "jour": "01/12"}, headers={"HX-Request": "true"}
    )
    assert page.status_code == 422 and 'id="jour-erreur">Saisissez une date valide (jj/mm/aaaa).' in page.text
    assert len(services.requests) == before
