"""The programme pages over a fake programmes service: the catalogue, the groups, a group with its sessions and
referrals, a placement, attendance entry and the printed register."""

import json

import httpx

from .conftest import problem
from .test_establishment_pages import by_path

PROGRAMMES = {
    "total": 1,
    "items": [
        {
            "programme_id": "prog-ppr",
            "version": 1,
            "withdrawn": False,
            "eligibility_hidden": False,
            "definition": {
                "code": "PPR-VIOL",
                "name": "Prévention de la récidive : violences",
                "kind": "structured_programme",
                "themes": ["violences"],
                "format": "collective",
                "planned_sessions": 8,
                "review_session": True,
                "session_minutes": 120,
                "group_min": 6,
                "group_max": 10,
            },
        }
    ],
}
SESSION = {
    "session": {
        "session_id": "s-1",
        "number": 1,
        "starts_at": "2031-03-11T14:30:00+01:00",
        "ends_at": "2031-03-11T16:30:00+01:00",
        "room": "Salle 3",
        "review": False,
        "catch_up": False,
    },
    "cancelled": False,
    "held": False,
}
GROUP = {
    "group_id": "g-1",
    "programme_id": "prog-ppr",
    "programme_version": 1,
    "establishment": "CP d'Arras",
    "room": "Salle 3",
    "facilitators": ["cpip-1"],
    "start_date": "2031-03-11",
    "end_date": "2031-05-06",
    "pattern": {"weekday": 1, "starts_at": "14:30", "duration_minutes": 120, "every_weeks": 1},
    "capacity": 10,
    "minimum": 6,
    "status": "open",
    "participants": 1,
    "waiting": ["ref-2"],
    "fill_rate": 0.1,
    "sessions": [
        SESSION,
        {**SESSION, "session": {**SESSION["session"], "session_id": "s-2", "number": 2}, "cancelled": True},
    ],
    "version": 4,
}


def referral(referral_id: str, subject_id: str, status: str, **overrides) -> dict:
    return {
        "referral_id": referral_id,
        "programme_id": "prog-ppr",
        "case_id": "case-1",
        "subject_id": subject_id,
        "plan_id": "plan-1",
        "objective_id": "o-1",
        "establishment": "CP d'Arras",
        "status": status,
        "failed_rules": None,
        "override_reason": None,
        "consent": True,
        "consent_recorded_on": "2031-03-01",
        "group_id": "g-1",
        "end_reason": None,
        "attendance_rate": None,
        "certificate_id": None,
        "version": 3,
        **overrides,
    }


def referrals(request: httpx.Request) -> httpx.Response:
    if request.url.params.get("group_id"):
        items = [
            referral("ref-1", "p-1", "enrolled", attendance_rate=0.75),
            referral("ref-2", "p-2", "waiting"),
        ]
    else:
        items = [referral("ref-3", "p-3", "eligible", group_id=None)]
    return httpx.Response(200, json={"total": len(items), "items": items})


GROUP_SERVICE = {"/programmes": PROGRAMMES, "/groups/g-1": GROUP}


def group_service(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/referrals":
        return referrals(request)
    if request.url.path == "/groups/g-1/register":
        return problem(403, "not-a-facilitator")
    return by_path(GROUP_SERVICE)(request)


def test_the_catalogue_lists_each_programme_with_a_link_to_its_groups(logged_in, services):
    services.answer = by_path({"/programmes": PROGRAMMES})

    page = logged_in("dpip-1").get("/programmes")

    assert services.requests[0].url.path == "/programmes"
    assert "Prévention de la récidive : violences" in page.text
    assert "8 + 1 bilan de 120 min" in page.text and "6 à 10 personnes" in page.text
    assert 'href="/groupes?programme=prog-ppr"' in page.text


def test_the_groups_of_a_programme_with_their_fill_and_waiting_list(logged_in, services):
    summary = {k: GROUP[k] for k in ("group_id", "programme_id", "establishment", "room", "facilitators")}
    listed = {
        "total": 1,
        "items": [
            {
                **summary,
                "start_date": "2031-03-11",
                "end_date": "2031-05-06",
                "status": "open",
                "capacity": 10,
                "participants": 1,
                "waiting": 1,
                "fill_rate": 0.1,
            }
        ],
    }
    services.answer = by_path({"/programmes": PROGRAMMES, "/groups": listed})

    page = logged_in("dpip-1").get("/groupes?programme=prog-ppr")

    assert services.requests[0].url.params["programme_id"] == "prog-ppr"
    assert "<h1>Groupes : PPR-VIOL – Prévention de la récidive : violences</h1>" in page.text
    assert 'href="/groupes/g-1"' in page.text and "Inscriptions ouvertes" in page.text
    assert "<td>1 / 10</td>" in page.text


def test_a_group_shows_its_sessions_its_referrals_and_who_may_be_placed(logged_in, services):
    services.answer = group_service

    page = logged_in("cpip-1").get("/groupes/g-1")

    text = page.text
    assert 'href="/groupes/g-1/seances/s-1/presence">Saisir la présence' in text
    assert text.count("Saisir la présence") == 1  # not for the cancelled session
    assert "Annulée" in text
    assert "En liste d&#39;attente (rang 1)" in text and "Inscrit" in text
    assert ">p-1</a>" in text  # not a facilitator: the register's names are not theirs to read
    placing = [r for r in services.requests if r.url.params.get("status") == "eligible"]
    assert placing[0].url.params["programme_id"] == "prog-ppr"
    assert 'name="orientation" value="ref-3"' in text
    assert 'href="/groupes/g-1/emargement"' in text
    assert "<td>75&nbsp;%</td>" in text  # the sign never wraps away from its figure


def test_a_placement_is_the_services_command_and_its_refusal_comes_back_on_the_group(logged_in, services):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return problem(409, "group-full")
        return group_service(request)

    services.answer = answer
    client = logged_in("cpip-1")

    page = client.post(
        "/groupes/g-1/placements", data={"orientation": "ref-3", "choix": "inscrire", "cle": "k-1"}
    )

    assert page.status_code == 409
    sent = next(r for r in services.requests if r.method == "POST")
    assert sent.url.path == "/referrals/ref-3/enrol"
    assert json.loads(sent.content) == {"group_id": "g-1"} and sent.headers["Idempotency-Key"] == "k-1"
    assert "Le groupe est complet : mettez la personne en liste d&#39;attente." in page.text

    services.answer = lambda request: httpx.Response(200, json=referral("ref-3", "p-3", "waiting"))
    done = client.post(
        "/groupes/g-1/placements", data={"orientation": "ref-3", "choix": "attente", "cle": "k-2"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/groupes/g-1"
    assert services.requests[-1].url.path == "/referrals/ref-3/waitlist"


REGISTER = {
    "group_id": "g-1",
    "programme_code": "PPR-VIOL",
    "programme_name": "Prévention de la récidive : violences",
    "establishment": "CP d'Arras",
    "room": "Salle 3",
    "facilitators": ["cpip-1"],
    "start_date": "2031-03-11",
    "end_date": "2031-05-06",
    "sessions": [
        {
            "session_id": "s-1",
            "number": 1,
            "starts_at": "2031-03-11T14:30:00+01:00",
            "room": "Salle 3",
            "cancelled": False,
            "held": False,
        }
    ],
    "participants": [
        {
            "referral_id": "ref-1",
            "last_name": "Martin",
            "first_names": "Lucas",
            "ecrou_number": "62041",
            "marks": {"s-1": None},
            "sessions_attended": 0,
            "sessions_counted": 0,
        },
        {
            "referral_id": "ref-4",
            "last_name": "Benali",
            "first_names": "Karim",
            "ecrou_number": "62042",
            "marks": {"s-1": None},
            "sessions_attended": 0,
            "sessions_counted": 0,
        },
    ],
}


def test_a_facilitator_reads_the_participants_by_name_on_the_group(logged_in, services):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/groups/g-1/register":
            return httpx.Response(200, json=REGISTER)
        return group_service(request)

    services.answer = answer

    page = logged_in("cpip-1").get("/groupes/g-1")

    assert 'href="/personnes/p-1">MARTIN Lucas</a>' in page.text


def test_attendance_is_entered_per_participant_each_select_labelled_by_their_name(logged_in, services):
    services.answer = by_path({"/groups/g-1/register": REGISTER})

    page = logged_in("cpip-1").get("/groupes/g-1/seances/s-1/presence")

    assert "<h1>Présence : PPR-VIOL, séance 1</h1>" in page.text
    assert '<label class="fr-sr-only" for="marque-1">Présence de MARTIN Lucas</label>' in page.text
    assert 'name="marque-ref-4"' in page.text and 'name="cle"' in page.text


def test_attendance_is_sent_as_marks_and_a_refusal_keeps_what_was_entered(logged_in, services):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return problem(422, "reason-required")
        return httpx.Response(200, json=REGISTER)

    services.answer = answer
    form = {
        "cle": "k-9",
        "marque-ref-1": "present",
        "motif-ref-1": "",
        "marque-ref-4": "absent_excused",
        "motif-ref-4": "",
        "notes": "Bonne séance",
    }

    page = logged_in("cpip-1").post("/groupes/g-1/seances/s-1/presence", data=form)

    sent = next(r for r in services.requests if r.method == "POST")
    assert sent.url.path == "/groups/g-1/sessions/s-1/attendance" and sent.headers["Idempotency-Key"] == "k-9"
    assert json.loads(sent.content) == {
        "marks": [
            {"referral_id": "ref-1", "mark": "present", "reason": ""},
            {"referral_id": "ref-4", "mark": "absent_excused", "reason": ""},
        ],
        "notes": "Bonne séance",
    }
    assert page.status_code == 422
    assert "Indiquez le motif de l&#39;absence ou de l&#39;exclusion." in page.text
    assert '<option value="absent_excused" selected>' in page.text and "Bonne séance" in page.text
    assert 'value="k-9"' not in page.text  # a new key for what is sent next

    services.answer = lambda request: httpx.Response(200, json=GROUP)
    form["motif-ref-4"] = "Parloir avocat"
    done = logged_in("cpip-1").post("/groupes/g-1/seances/s-1/presence", data=form)
    assert done.status_code == 303 and done.headers["location"] == "/groupes/g-1"


def test_the_printed_register_is_the_services_own(logged_in, services):
    services.answer = lambda request: httpx.Response(200, text="<!doctype html><title>Feuille</title>")

    page = logged_in("psychologue-1").get("/groupes/g-1/emargement")

    assert page.text == "<!doctype html><title>Feuille</title>"
    (sent,) = services.requests
    assert sent.url.path == "/groups/g-1/register" and sent.url.params["format"] == "html"
