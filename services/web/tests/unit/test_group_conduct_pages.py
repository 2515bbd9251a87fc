"""Planning a group, its conduct (open, start, close) and a referral's consent and end, over a fake programmes
service: what each form sends, what a refusal shows beside which field, what is kept."""

from __future__ import annotations

import json

import httpx

from .conftest import problem
from .test_programme_pages import GROUP, PROGRAMMES, group_service, referral

PLAN_FORM = {
    "cle": "k-1",
    "programme": "prog-ppr",
    "etablissement": "CP d'Arras",
    "salle": "Salle 3",
    "animateurs": "cpip-1, psychologue-1\ncpip-2",
    "debut": "2031-03-11",
    "fin": "2031-05-06",
    "jour": "1",
    "heure": "14:30",
    "duree": "120",
    "frequence": "1",
    "capacite": "12",
}


def commands(services) -> list[httpx.Request]:
    return [r for r in services.requests if r.method == "POST"]


def test_the_planning_form_offers_the_catalogue_and_the_programmes_session_length(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json=PROGRAMMES)

    page = logged_in("dpip-1").get("/groupes/nouveau?programme=prog-ppr")

    assert "<h1>Planifier un groupe</h1>" in page.text
    assert (
        '<option value="prog-ppr" selected>PPR-VIOL – Prévention de la récidive : violences</option>'
        in page.text
    )
    assert 'id="duree" name="duree" value="120"' in page.text
    assert '<label class="fr-label" for="heure">Heure de début' in page.text
    assert 'name="cle"' in page.text


def test_a_group_is_planned_as_typed_and_a_refusal_is_told_beside_its_field_all_kept(logged_in, services):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return problem(422, "capacity-outside-programme-limits")
        return httpx.Response(200, json=PROGRAMMES)

    services.answer = answer

    page = logged_in("dpip-1").post("/groupes/nouveau", data=PLAN_FORM)

    (sent,) = commands(services)
    assert sent.url.path == "/groups" and sent.headers["Idempotency-Key"] == "k-1"
    assert json.loads(sent.content) == {
        "programme_id": "prog-ppr",
        "establishment": "CP d'Arras",
        "room": "Salle 3",
        "facilitators": ["cpip-1", "psychologue-1", "cpip-2"],
        "partner_organisations": [],
        "start_date": "2031-03-11",
        "end_date": "2031-05-06",
        "pattern": {"weekday": "1", "starts_at": "14:30", "duration_minutes": "120", "every_weeks": "1"},
        "capacity": "12",
    }
    assert page.status_code == 422
    assert 'id="capacite-erreur">Ce nombre de places sort des limites de taille du programme.' in page.text
    assert 'id="salle" name="salle" value="Salle 3"' in page.text
    assert 'id="debut" name="debut" value="2031-03-11"' in page.text
    assert '<option value="1" selected>Mardi</option>' in page.text
    assert 'value="k-1"' not in page.text  # a new key for what is sent next


def test_the_partner_organisations_that_co_facilitate_are_sent_by_id_and_kept_on_a_refusal(
    logged_in, services
):
    """Security review L3: a partner runs a group because the DPIP names its organisation, apart from the
    staff's user ids."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            errors = [{"field": "partner_organisations", "type": "too_long"}]
            return problem(422, "request-validation", errors=errors)
        return httpx.Response(200, json=PROGRAMMES)

    services.answer = answer

    page = logged_in("dpip-1").post(
        "/groupes/nouveau", data={**PLAN_FORM, "organisations": "org-1,\n org-2 "}
    )

    (sent,) = commands(services)
    assert json.loads(sent.content)["partner_organisations"] == ["org-1", "org-2"]
    assert 'id="organisations-erreur"' in page.text
    assert 'id="organisations" name="organisations" value="org-1,' in page.text


def test_a_malformed_pattern_is_told_beside_its_own_field(logged_in, services):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            errors = [
                {"field": "pattern.starts_at", "type": "value_error"},
                {"field": "end_date", "type": "missing"},
            ]
            return problem(422, "request-validation", errors=errors)
        return httpx.Response(200, json=PROGRAMMES)

    services.answer = answer

    page = logged_in("dpip-1").post(
        "/groupes/nouveau", data={**PLAN_FORM, "heure": "", "fin": ""}, headers={"HX-Request": "true"}
    )

    assert json.loads(commands(services)[0].content)["end_date"] is None
    assert page.text.lstrip().startswith('<div id="planification"')
    assert 'id="heure-erreur">Cette valeur n&#39;est pas acceptée.' in page.text
    assert 'id="fin-erreur">Ce champ est obligatoire.' in page.text


def test_a_planned_group_opens_on_its_page(logged_in, services):
    services.answer = lambda request: (
        httpx.Response(201, json={**GROUP, "status": "planned"})
        if request.method == "POST"
        else group_service(request)
    )

    done = logged_in("dpip-1").post("/groupes/nouveau", data=PLAN_FORM)

    assert done.status_code == 303 and done.headers["location"] == "/groupes/g-1"


def test_a_group_offers_its_conduct_by_its_status_and_the_users_role(logged_in, services):
    def with_status(status: str):
        return lambda request: (
            httpx.Response(200, json={**GROUP, "status": status})
            if request.url.path == "/groups/g-1"
            else group_service(request)
        )

    services.answer = with_status("planned")
    planned = logged_in("dpip-1").get("/groupes/g-1").text
    assert "<h1>Groupe PPR-VIOL – Prévention de la récidive : violences</h1>" in planned  # not its id
    assert 'value="ouvrir"' in planned and "1 inscrit sur 10 places" in planned
    assert 'id="conduite"' not in logged_in("cpip-1").get("/groupes/g-1").text
    services.answer = with_status("open")
    opened = logged_in("cpip-1").get("/groupes/g-1").text
    assert 'value="commencer"' in opened and "moins de 6 participants" in opened
    services.answer = with_status("started")
    assert 'value="clore"' in logged_in("cpip-1").get("/groupes/g-1").text
    services.answer = with_status("closed")
    assert 'id="conduite"' not in logged_in("dpip-1").get("/groupes/g-1").text


def test_a_start_below_the_minimum_is_told_beside_the_reason_and_a_dpips_reason_is_sent(logged_in, services):
    services.answer = lambda request: (
        problem(422, "group-below-minimum") if request.method == "POST" else group_service(request)
    )

    page = logged_in("cpip-1").post("/groupes/g-1/conduite", data={"cle": "k-5", "action": "commencer"})

    (sent,) = commands(services)
    assert sent.url.path == "/groups/g-1/start" and sent.headers["Idempotency-Key"] == "k-5"
    assert json.loads(sent.content) == {"below_minimum_reason": ""}
    assert page.status_code == 422
    assert 'id="conduite-motif-erreur">Le groupe compte moins de participants que le minimum' in page.text

    services.answer = lambda request: httpx.Response(200, json={**GROUP, "status": "started"})
    done = logged_in("dpip-1").post(
        "/groupes/g-1/conduite", data={"cle": "k-6", "action": "commencer", "motif": "Groupe pilote"}
    )
    assert json.loads(services.requests[-1].content) == {"below_minimum_reason": "Groupe pilote"}
    assert done.status_code == 303 and done.headers["location"] == "/groupes/g-1"


def test_a_close_with_sessions_unrecorded_is_said_above_the_button(logged_in, services):
    services.answer = lambda request: (
        problem(422, "sessions-not-recorded")
        if request.method == "POST"
        else (
            httpx.Response(200, json={**GROUP, "status": "started"})
            if request.url.path == "/groups/g-1"
            else group_service(request)
        )
    )

    page = logged_in("dpip-1").post("/groupes/g-1/conduite", data={"cle": "k-7", "action": "clore"})

    assert commands(services)[0].url.path == "/groups/g-1/close" and commands(services)[0].content == b""
    assert 'role="alert">\n    <p>Des séances n&#39;ont ni présence saisie ni annulation' in page.text


def referral_service(view: dict, answer: httpx.Response | None = None):
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return answer or httpx.Response(200, json=view)
        if request.url.path == "/programmes/prog-ppr":
            return httpx.Response(200, json=PROGRAMMES["items"][0])
        if request.url.path == "/cases/case-1":
            return httpx.Response(200, json={"identity": {"last_name": "Martin", "first_names": "Lucas"}})
        return httpx.Response(200, json=view)

    return handle


def test_a_referral_awaiting_consent_offers_the_persons_answer_and_its_withdrawal(logged_in, services):
    services.answer = referral_service(referral("ref-3", "p-3", "eligible", consent=None, group_id=None))

    page = logged_in("cpip-1").get("/orientations/ref-3")

    assert "<h1>Orientation vers PPR-VIOL : MARTIN Lucas</h1>" in page.text
    assert "Consentement : non recueilli" in page.text
    assert 'action="/orientations/ref-3/consentement"' in page.text
    assert 'action="/orientations/ref-3/retrait"' in page.text
    assert 'action="/orientations/ref-3/abandon"' not in page.text  # not a participant yet


def test_an_unanswered_consent_is_told_beside_the_question(logged_in, services):
    refusal = problem(422, "request-validation", errors=[{"field": "given", "type": "bool_type"}])
    services.answer = referral_service(referral("ref-3", "p-3", "eligible", consent=None), refusal)

    page = logged_in("cpip-1").post("/orientations/ref-3/consentement", data={"cle": "k-8"})

    (sent,) = commands(services)
    assert sent.url.path == "/referrals/ref-3/consent" and json.loads(sent.content) == {"given": None}
    assert page.status_code == 422
    assert 'id="consentement-erreur"' in page.text and "Choisissez une réponse." in page.text

    services.answer = referral_service(referral("ref-3", "p-3", "eligible"))
    done = logged_in("cpip-1").post(
        "/orientations/ref-3/consentement", data={"cle": "k-9", "consentement": "oui"}
    )
    assert json.loads(commands(services)[-1].content) == {"given": True}
    assert done.status_code == 303 and done.headers["location"] == "/orientations/ref-3"


def test_a_participants_drop_out_sends_its_reason_and_a_refusal_keeps_it(logged_in, services):
    services.answer = referral_service(referral("ref-1", "p-1", "started"), problem(409, "referral-ended"))

    page = logged_in("cpip-1").post(
        "/orientations/ref-1/abandon", data={"cle": "k-10", "motif": "Ne vient plus"}
    )

    (sent,) = commands(services)
    assert sent.url.path == "/referrals/ref-1/drop-out" and sent.headers["Idempotency-Key"] == "k-10"
    assert json.loads(sent.content) == {"reason": "Ne vient plus"}
    assert page.status_code == 409
    assert "Cette orientation est terminée." in page.text
    assert ">Ne vient plus</textarea>" in page.text
    assert 'action="/orientations/ref-1/exclusion"' not in page.text  # a DPIP's


def test_an_empty_reason_is_told_beside_it_and_an_exclusion_is_a_dpips(logged_in, services):
    refusal = problem(422, "request-validation", errors=[{"field": "reason", "type": "string_too_short"}])
    services.answer = referral_service(referral("ref-1", "p-1", "enrolled"), refusal)

    page = logged_in("dpip-1").post("/orientations/ref-1/exclusion", data={"cle": "k-11", "motif": ""})

    assert commands(services)[0].url.path == "/referrals/ref-1/exclude"
    assert 'id="exclusion-motif-erreur">Le texte est trop court.' in page.text
    assert 'id="abandon-motif-erreur"' not in page.text  # the other forms are untouched


def test_an_ended_referral_offers_nothing_more(logged_in, services):
    services.answer = referral_service(referral("ref-1", "p-1", "dropped_out", end_reason="Ne vient plus"))

    page = logged_in("cpip-1").get("/orientations/ref-1")

    assert "Situation : Abandon" in page.text and "Motif de fin : Ne vient plus" in page.text
    assert "Programme : PPR-VIOL – Prévention de la récidive : violences" in page.text
    assert "<form" not in page.text.split("<main", 1)[1]
