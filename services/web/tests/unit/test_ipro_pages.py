"""The IPRO pathway over fake ipro and partners services: the pathway with its work file, catalogue and
history; the classement's steps and the positioning sent as typed, each refusal beside its field."""

import json

import httpx

from .conftest import problem

PATHWAY = {
    "pathway_id": "pw-1",
    "case_id": "case-9",
    "subject_id": "p-123",
    "establishment": "InSERRE Arras",
    "opened_on": "2026-11-02",
    "synthesis_due_on": "2026-11-16",
    "synthesis_written_on": None,
    "adviser": "ipro_conseiller-1",
    "profile": None,
    "readiness": "ready_to_work",
    "readiness_history": [],
    "interviews": 2,
    "goals": {},
    "france_travail_registered_on": None,
    "leaves": {},
    "exit_outcome": None,
    "closed_on": None,
    "version": 5,
}
WORK = {
    "work_id": "w-1",
    "classement": "requested",
    "requested_on": "2026-11-20",
    "cpu_opinion": None,
    "regimes": [],
    "affectations": {},
    "contracts": {},
    "version": 1,
    "warnings": [],
}
CATALOGUE = {
    "total": 1,
    "items": [
        {
            "action_id": "act-1",
            "partner_id": "org-7",
            "title": "Atelier CV",
            "action_type": "job_search_workshop",
            "theme": "Espace citoyen",
            "capacity_max": 10,
            "sessions": [
                {
                    "session_id": "s-1",
                    "starts_at": "2026-12-10T13:00:00+00:00",
                    "ends_at": "2026-12-10T15:00:00+00:00",
                    "place": "Salle 1",
                    "seats_left": 9,
                }
            ],
        }
    ],
}
HISTORY = [
    {
        "event_type": "ipro.work.classement_requested",
        "stream_type": "work",
        "occurred_at": "2026-11-20T10:00:00+00:00",
        "actor_role": "ipro_conseiller",
        "payload": {},
    }
]


def services_reads(request: httpx.Request) -> httpx.Response:
    answers = {
        "/pathways/pw-1": PATHWAY,
        "/pathways/pw-1/work": WORK,
        "/pathways/pw-1/history": HISTORY,
        "/catalogue": CATALOGUE,
        "/pathways": {"total": 1, "items": [PATHWAY | {"synthesis_written": False}]},
    }
    found = answers.get(request.url.path)
    return httpx.Response(200, json=found) if found is not None else httpx.Response(404)


def test_the_pathway_shows_the_work_file_the_catalogues_sessions_and_the_history(logged_in, services):
    services.answer = services_reads

    page = logged_in("ipro_conseiller-1").get("/parcours/pw-1").text

    hosts = [(r.url.port, r.url.path) for r in services.requests]
    assert hosts == [
        (8003, "/pathways/pw-1"),
        (8003, "/pathways/pw-1/work"),
        (8003, "/pathways/pw-1/history"),
        (8004, "/catalogue"),
    ]
    assert "Prêt à travailler" in page and "Demande enregistrée" in page
    assert 'value="act-1 s-1"' in page and "9 place(s) restante(s)" in page
    assert "Demande de classement" in page  # the history's event, in French


def test_a_history_the_role_may_not_read_leaves_the_rest_of_the_pathway(logged_in, services):
    def no_history(request):
        if request.url.path.endswith("/history"):
            return problem(403, "role-not-allowed")
        return services_reads(request)

    services.answer = no_history

    page = logged_in("direction-1").get("/parcours/pw-1")

    assert page.status_code == 200 and "Historique" not in page.text and "Demande enregistrée" in page.text


def test_the_classement_request_is_a_command_and_its_refusal_is_said_above_its_form(logged_in, services):
    services.answer = lambda r: (
        problem(409, "classement-already-requested") if r.method == "POST" else services_reads(r)
    )

    page = logged_in("ipro_conseiller-1").post("/parcours/pw-1/classement/demande", data={"cle": "k-1"})

    command = services.requests[0]
    assert (command.url.path, command.headers["Idempotency-Key"]) == (
        "/pathways/pw-1/work/classement-request",
        "k-1",
    )
    assert page.status_code == 409
    demande, cpu = page.text.index("Demande de classement</h3>"), page.text.index("Avis de la commission")
    alert = page.text.index("Une demande de classement est déjà enregistrée.")
    assert demande < alert < cpu


def test_a_cpu_opinion_refused_for_its_date_keeps_what_was_typed(logged_in, services):
    services.answer = lambda r: (
        problem(422, "date-in-the-future") if r.method == "POST" else services_reads(r)
    )
    form = {"cle": "k-2", "cpu_date": "2027-01-05", "cpu_favorable": "true", "cpu_avis": "Motivé"}

    page = logged_in("ipro_chef-1").post("/parcours/pw-1/classement/avis-cpu", data=form).text

    body = json.loads(services.requests[0].content)
    assert body == {"held_on": "2027-01-05", "favourable": "true", "opinion": "Motivé"}
    assert 'aria-describedby="cpu_date-erreur"' in page and 'value="2027-01-05"' in page
    assert 'id="cpu_favorable-true" name="cpu_favorable" value="true" checked' in page


def test_a_decision_sends_the_regimes_checked(logged_in, services):
    services.answer = lambda r: httpx.Response(200, json=WORK) if r.method == "POST" else services_reads(r)
    form = {"cle": "k-3", "decision": "true", "regimes": ["service_general", "concession"]}

    sent = logged_in("direction-1").post("/parcours/pw-1/classement/decision", data=form)

    assert sent.status_code == 303 and sent.headers["location"] == "/parcours/pw-1"
    body = json.loads(services.requests[0].content)
    assert body == {
        "granted": "true",
        "regimes": ["service_general", "concession"],
        "reasons": "",
        "appeal_information": "",
    }


def test_positioning_sends_the_chosen_session_and_says_what_it_overlaps(logged_in, services):
    positioned = {"warnings": ["Séance du programme « Gestion des émotions » le 10/12 à 14:00"]}
    services.answer = lambda r: (
        httpx.Response(201, json=positioned) if r.method == "POST" else services_reads(r)
    )

    page = logged_in("ipro_conseiller-1").post(
        "/parcours/pw-1/positionnements", data={"cle": "k-4", "seance": "act-1 s-1"}
    )

    command = services.requests[0]
    assert command.url.path == "/pathways/pw-1/positionings" and command.headers["Idempotency-Key"] == "k-4"
    assert json.loads(command.content) == {"action_id": "act-1", "session_id": "s-1"}
    assert page.status_code == 200
    assert "La personne est positionnée sur la séance." in page.text and "Gestion des émotions" in page.text


def test_a_refused_positioning_is_told_beside_the_sessions(logged_in, services):
    services.answer = lambda r: (
        problem(409, "positioning-over-capacity") if r.method == "POST" else services_reads(r)
    )

    page = logged_in("ipro_conseiller-1").post(
        "/parcours/pw-1/positionnements", data={"cle": "k-5", "seance": "act-1 s-1"}
    )

    assert page.status_code == 409
    assert (
        'id="seance-erreur"><p class="fr-message fr-message--error">Cette séance est complète.' in page.text
    )
    assert 'value="act-1 s-1" checked' in page.text


def test_the_pathways_list_links_each_pathway(logged_in, services):
    services.answer = services_reads

    page = logged_in("ipro_conseiller-1").get("/parcours").text

    assert services.requests[0].url.params["include_closed"] == "false"
    assert 'href="/parcours/pw-1"' in page


def test_an_affectation_sends_one_weekly_slot_and_a_refusal_names_its_field(logged_in, services):
    services.answer = lambda r: (
        problem(422, "not-classed-for-regime") if r.method == "POST" else services_reads(r)
    )
    form = {
        "cle": "k-6",
        "aff_regime": "concession",
        "aff_poste": "Opérateur",
        "aff_atelier": "Atelier 2",
        "aff_employeur": "Sodexo",
        "aff_jour": "1",
        "aff_debut": "08:00",
        "aff_fin": "12:00",
        "aff_date": "2026-12-07",
    }

    page = logged_in("direction-1").post("/parcours/pw-1/affectation", data=form).text

    body = json.loads(services.requests[0].content)
    assert body["schedule"] == [{"weekday": "1", "starts_at": "08:00", "ends_at": "12:00"}]
    assert (body["regime"], body["starts_on"]) == ("concession", "2026-12-07")
    assert 'aria-describedby="aff_regime-erreur"' in page and '<option value="concession" selected>' in page
    assert '<option value="1" selected>Mardi</option>' in page


def test_a_contract_is_offered_for_an_assigned_post_and_an_open_end_is_sent_as_none(logged_in, services):
    affectation = {"post": "Opérateur", "workshop": "Atelier 2", "regime": "concession", "employer": "Sodexo"}
    work = WORK | {"affectations": {"aff-1": affectation | {"starts_on": "2026-12-07"}}}

    def reads(request):
        if request.method == "POST":
            return httpx.Response(201, json=work)
        return (
            httpx.Response(200, json=work) if request.url.path.endswith("/work") else services_reads(request)
        )

    services.answer = reads
    client = logged_in("ipro_chef-1")
    assert '<option value="aff-1">Opérateur, Atelier 2</option>' in client.get("/parcours/pw-1").text

    form = {
        "cle": "k-7",
        "ctr_affectation": "aff-1",
        "ctr_debut": "2026-12-07",
        "ctr_fin": "",
        "ctr_essai": "14",
    }
    sent = client.post("/parcours/pw-1/contrat", data=form)

    assert sent.status_code == 303
    command = services.requests[-1]
    assert command.url.path == "/pathways/pw-1/work/contract"
    assert json.loads(command.content) == {
        "affectation_id": "aff-1",
        "starts_on": "2026-12-07",
        "ends_on": None,
        "trial_days": "14",
    }


PROPOSED = {
    "event_type": "ipro.positioning.proposed",
    "stream_type": "positioning",
    "occurred_at": "2026-12-01T10:00:00+00:00",
    "actor_role": "ipro_conseiller",
    "payload": {
        "positioning_id": "pos-1",
        "title": "Atelier CV",
        "place": "Salle 1",
        "starts_at": "2026-12-10T13:00:00+00:00",
    },
}
POSITIONING = {
    "positioning_id": "pos-1",
    "pathway_id": "pw-1",
    "subject_id": "p-123",
    "action_id": "act-1",
    "session_id": "s-1",
    "partner_id": "org-7",
    "starts_at": "2026-12-10T13:00:00+00:00",
    "ends_at": "2026-12-10T15:00:00+00:00",
    "status": "confirmed",
    "outcome": None,
    "version": 2,
    "warnings": [],
}


def with_a_positioning(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/pathways/pw-1/history":
        return httpx.Response(200, json=[*HISTORY, PROPOSED])
    if request.url.path == "/positionings/pos-1":
        return httpx.Response(200, json=POSITIONING)
    return services_reads(request)


def test_the_persons_positionings_show_their_status_now_and_an_open_one_is_offered_for_withdrawal(
    logged_in, services
):
    services.answer = with_a_positioning

    page = logged_in("ipro_conseiller-1").get("/parcours/pw-1").text

    assert [r.url.path for r in services.requests][
        3
    ] == "/positionings/pos-1"  # its status now, not as proposed
    listed = page[page.index('data-testid="positionnements"') :]
    assert "Atelier CV</strong>, le 10/12/2026 à 14:00 – Salle 1 : Confirmé par le partenaire" in listed
    assert 'action="/parcours/pw-1/positionnements/pos-1/retrait"' in listed


def test_a_place_taken_up_is_not_offered_for_withdrawal(logged_in, services):
    attended = POSITIONING | {"status": "attended", "outcome": "interview_obtained"}
    services.answer = lambda r: (
        httpx.Response(200, json=attended) if r.url.path == "/positionings/pos-1" else with_a_positioning(r)
    )

    page = logged_in("ipro_conseiller-1").get("/parcours/pw-1").text

    assert "Présent (Entretien d&#39;embauche obtenu)" in page and "/retrait" not in page


def test_a_withdrawal_sends_its_reason_and_a_refusal_keeps_it_beside_the_field(logged_in, services):
    errors = [{"field": "reason", "type": "string_too_short", "message": "…"}]
    services.answer = lambda r: (
        problem(422, "request-validation", errors=errors) if r.method == "POST" else with_a_positioning(r)
    )

    page = logged_in("ipro_conseiller-1").post(
        "/parcours/pw-1/positionnements/pos-1/retrait", data={"cle": "k-9", "motif": "  "}
    )

    command = services.requests[0]
    assert (command.url.path, command.headers["Idempotency-Key"]) == ("/positionings/pos-1/withdraw", "k-9")
    assert json.loads(command.content) == {"reason": ""}
    assert page.status_code == 422
    assert (
        '<p class="fr-error-text" id="retrait_motif-pos-1-erreur">Le texte est trop court.</p>' in page.text
    )


def test_a_withdrawal_refused_for_the_place_says_so_above_its_form(logged_in, services):
    services.answer = lambda r: (
        problem(409, "positioning-ended") if r.method == "POST" else with_a_positioning(r)
    )

    page = (
        logged_in("ipro_conseiller-1")
        .post("/parcours/pw-1/positionnements/pos-1/retrait", data={"cle": "k-10", "motif": "Transfert"})
        .text
    )

    alert = page.index("Cette place n&#39;est plus à prendre")
    assert page.index("Atelier CV</strong>") < alert < page.index('id="retrait_motif-pos-1"')
    assert ">Transfert</textarea>" in page


WITH_CONTRACT = WORK | {
    "classement": "granted",
    "affectations": {
        "aff-1": {"post": "Opérateur", "workshop": "Atelier 2", "regime": "concession", "employer": "Sodexo"}
        | {"starts_on": "2026-12-07"}
    },
    "contracts": {
        "ctr-1": {
            "contract_id": "ctr-1",
            "affectation_id": "aff-1",
            "starts_on": "2026-12-07",
            "ends_on": None,
            "trial_days": 14,
            "status": "active",
            "preliminary_interview": False,
        }
    },
}


def with_a_contract(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/pathways/pw-1/work":
        return httpx.Response(200, json=WITH_CONTRACT)
    return services_reads(request)


def test_an_active_contract_is_offered_its_suspension_and_end_and_a_suspension_sends_its_reason(
    logged_in, services
):
    services.answer = lambda r: (
        httpx.Response(200, json=WITH_CONTRACT) if r.method == "POST" else with_a_contract(r)
    )
    client = logged_in("ipro_chef-1")
    page = client.get("/parcours/pw-1").text
    assert "Suspendre le contrat" in page and "Mettre fin au contrat" in page and "Reprendre" not in page

    sent = client.post("/parcours/pw-1/contrat/suspension", data={"cle": "k-11", "motif": "illness"})

    assert sent.status_code == 303 and sent.headers["location"] == "/parcours/pw-1"
    command = services.requests[-1]
    assert (command.url.path, command.headers["Idempotency-Key"]) == (
        "/pathways/pw-1/work/contract/suspend",
        "k-11",
    )
    assert json.loads(command.content) == {"reason": "illness"}


def test_a_suspended_contract_is_offered_its_resumption(logged_in, services):
    suspended = WITH_CONTRACT | {
        "contracts": {"ctr-1": WITH_CONTRACT["contracts"]["ctr-1"] | {"status": "suspended"}}
    }
    services.answer = lambda r: (
        httpx.Response(200, json=suspended) if r.url.path.endswith("/work") else services_reads(r)
    )

    page = logged_in("ipro_chef-1").get("/parcours/pw-1").text

    assert "Du lundi 7 décembre 2026 : suspendu" in page
    assert "Reprendre le contrat" in page and "Suspendre le contrat" not in page


def test_an_end_for_inadequacy_without_the_interview_is_refused_beside_the_reason_kept(logged_in, services):
    services.answer = lambda r: (
        problem(409, "preliminary-interview-missing") if r.method == "POST" else with_a_contract(r)
    )

    page = logged_in("direction-1").post(
        "/parcours/pw-1/contrat/fin", data={"cle": "k-12", "motif": "professional_inadequacy"}
    )

    assert services.requests[0].url.path == "/pathways/pw-1/work/contract/end"
    assert json.loads(services.requests[0].content) == {"reason": "professional_inadequacy"}
    assert page.status_code == 409
    assert (
        'id="motif-fin-erreur">Une fin pour inaptitude professionnelle suit un entretien préalable'
        in page.text
    )
    assert '<option value="professional_inadequacy" selected>' in page.text
    assert "Enregistrer l'entretien préalable" in page.text


def test_an_unknown_contract_step_is_not_found(logged_in, services):
    services.answer = with_a_contract

    page = logged_in("ipro_chef-1").post("/parcours/pw-1/contrat/rupture", data={"cle": "k-13"})

    assert page.status_code == 404 and services.requests == []
