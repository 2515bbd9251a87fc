"""The establishment's week, the movement list and the indicators over fake services: what the pages ask
projections, how they place its conflicts and figures, and its refusals beside their fields."""

from datetime import date, datetime, timedelta

import httpx

from web.rendering import LOCAL_TIME_ZONE

from .conftest import problem

MEETING = "group-1:g-1-s-1"
PARTNER_SESSION = "action-1:a-1-s-1"
SCHEDULE = {
    "from_day": "2031-03-10",
    "to_day": "2031-03-16",
    "items": [
        {
            "item_id": MEETING,
            "kind": "group_session",
            "title": "PPR-VIOL – Prévention de la récidive",
            "starts_at": "2031-03-11T14:30:00+01:00",
            "ends_at": "2031-03-11T16:30:00+01:00",
            "place": "Salle polyvalente",
            "establishment": "CP d'Arras",
            "cancelled": False,
            "number": 1,
            "catch_up": False,
            "review": False,
            "partner_id": None,
            "seats": 10,
            "taken": 2,
            "fill_rate": 0.2,
            "participants": [],
        },
        {
            "item_id": PARTNER_SESSION,
            "kind": "action_session",
            "title": "Atelier CV",
            "starts_at": "2031-03-11T14:00:00+01:00",
            "ends_at": "2031-03-11T16:00:00+01:00",
            "place": "Salle polyvalente",
            "establishment": "CP d'Arras",
            "cancelled": False,
            "number": None,
            "catch_up": False,
            "review": False,
            "partner_id": "partner-1",
            "seats": 8,
            "taken": 1,
            "fill_rate": 0.125,
            "participants": [],
        },
    ],
}
CONFLICTS = {
    "from_day": "2031-03-10",
    "to_day": "2031-03-16",
    "items": [
        {
            "conflict_id": "c-1",
            "kind": "room_double_booked",
            "severity": "conflict",
            "subject_id": None,
            "room": "Salle polyvalente",
            "establishment": "CP d'Arras",
            "first_item": PARTNER_SESSION,
            "second_item": MEETING,
            "starts_at": "2031-03-11T14:30:00+01:00",
            "ends_at": "2031-03-11T16:00:00+01:00",
            "detected_at": "2031-03-04T09:00:00+01:00",
            "resolved_at": None,
            "resolved_by": None,
        }
    ],
}


def by_path(answers: dict):
    """Answers each request with what `answers` gives for its path (a response or a JSON body)."""

    def answer(request: httpx.Request) -> httpx.Response:
        found = answers[request.url.path]
        return found if isinstance(found, httpx.Response) else httpx.Response(200, json=found)

    return answer


def test_the_week_lists_each_day_by_room_and_says_each_conflict_in_words(logged_in, services):
    services.answer = by_path({"/schedule": SCHEDULE, "/schedule/conflicts": CONFLICTS})

    page = logged_in("direction-1").get("/semaine?du=2031-03-10&etablissement=CP+d%27Arras")

    assert page.status_code == 200
    schedule, conflicts = services.requests
    assert (schedule.url.path, conflicts.url.path) == ("/schedule", "/schedule/conflicts")
    for sent in (schedule, conflicts):
        assert (sent.url.params["from"], sent.url.params["establishment"]) == ("2031-03-10", "CP d'Arras")
    text = page.text
    assert "Du lundi 10 mars 2031 au dimanche 16 mars 2031." in text
    assert "1 conflit à régler" in text
    # Said in words, in the list and on both sessions: never by colour alone.
    assert "<strong>Salle réservée deux fois</strong> (Salle polyvalente)" in text
    assert "« Atelier CV » et « PPR-VIOL – Prévention de la récidive »" in text
    assert text.count("Conflit : Salle réservée deux fois") == 2
    # Tuesday's two sessions, room by room then by time: the partner's 14:00 before the group's 14:30.
    tuesday = text[text.index('data-testid="jour-2031-03-11"') :]
    assert tuesday.index("14:00–16:00") < tuesday.index("14:30–16:30")
    assert "Rien de prévu." in text  # the other days
    assert 'href="/semaine?du=2031-03-17&etablissement=CP%20d%27Arras&amp;lieu="' in text


def test_a_work_hours_warning_says_the_legitimate_absence_the_service_gives(logged_in, services):
    warning = {
        **CONFLICTS["items"][0],
        "conflict_id": "c-2",
        "kind": "during_work_hours",
        "severity": "warning",
        "subject_id": "person-1",
        "room": None,
        "first_item": PARTNER_SESSION,
        "second_item": "ipro/work:work-1/a-1@2031-03-11T14:00",
        "absence_reason": "ipro_pathway",
        "absence_reason_label": "Action de son parcours d'insertion professionnelle",
    }
    services.answer = by_path(
        {"/schedule": SCHEDULE, "/schedule/conflicts": {**CONFLICTS, "items": [warning]}}
    )

    text = logged_in("direction-1").get("/semaine?du=2031-03-10").text

    assert (
        "<strong>Pendant les heures de travail</strong> (person-1), absence légitime : "
        "Action de son parcours d&#39;insertion professionnelle :" in text
    )
    # Beside the warning on the partner's session too.
    assert "Absence légitime : Action de son parcours d&#39;insertion professionnelle</p>" in text
    # A warning without a reason says none.
    services.answer = by_path({"/schedule": SCHEDULE, "/schedule/conflicts": CONFLICTS})
    assert "bsence légitime" not in logged_in("direction-1").get("/semaine?du=2031-03-10").text


def test_the_week_starts_on_this_weeks_monday_by_default(logged_in, services):
    services.answer = by_path({"/schedule": SCHEDULE, "/schedule/conflicts": {**CONFLICTS, "items": []}})

    page = logged_in("dpip-1").get("/semaine")

    today = datetime.now(LOCAL_TIME_ZONE).date()
    assert services.requests[0].url.params["from"] == (today - timedelta(days=today.weekday())).isoformat()
    assert "Aucun conflit cette semaine." in page.text


def test_a_reader_the_service_keeps_conflicts_from_still_reads_the_week(logged_in, services):
    services.answer = by_path(
        {"/schedule": SCHEDULE, "/schedule/conflicts": problem(403, "role-not-allowed")}
    )

    page = logged_in("auditeur-1").get("/semaine?du=2031-03-10")

    assert page.status_code == 200
    assert "Atelier CV" in page.text and 'data-testid="conflits"' not in page.text


def test_a_window_the_service_refuses_is_told_beside_the_first_day(logged_in, services):
    services.answer = lambda request: problem(
        422, "request-validation", errors=[{"field": "query.from", "type": "date_parsing", "message": "…"}]
    )

    page = logged_in("direction-1").get("/semaine?du=demain", headers={"HX-Request": "true"})

    assert page.status_code == 422
    assert '<p class="fr-error-text" id="du-erreur">Saisissez une date valide.</p>' in page.text


def test_the_printed_week_is_the_services_own(logged_in, services):
    services.answer = lambda request: httpx.Response(200, text="<!DOCTYPE html><title>Semaine</title>")

    page = logged_in("direction-1").get("/semaine/impression?du=2031-03-10&etablissement=CP+d%27Arras")

    assert page.text == "<!DOCTYPE html><title>Semaine</title>"
    (sent,) = services.requests
    assert sent.url.path == "/schedule.html"
    assert dict(sent.url.params) == {"from": "2031-03-10", "establishment": "CP d'Arras"}


MOVEMENTS = {
    "day": "2031-03-12",
    "establishment": "CP d'Arras",
    "movements": [
        {
            "item_id": "leave-2",
            "kind": "escorted_professional_leave",
            "starts_at": None,
            "ends_at": None,
            "subject_id": "person-2",
            "last_name": "Benali",
            "first_names": "Karim",
            "activity": "Visite de l'entreprise Bâtir",
            "place": "Extérieur",
            "outside": True,
            "escorted": True,
        },
        {
            "item_id": "work-1",
            "kind": "work",
            "starts_at": "2031-03-12T08:00:00+01:00",
            "ends_at": "2031-03-12T12:00:00+01:00",
            "subject_id": "person-1",
            "last_name": None,
            "first_names": None,
            "activity": "Cuisine",
            "place": "Cuisine centrale",
            "outside": False,
            "escorted": None,
        },
    ],
    "partners": [
        {
            "item_id": "a-1-s-1",
            "partner_id": "partner-1",
            "organisation": "Association Emploi Arras",
            "activity": "Atelier CV",
            "starts_at": "2031-03-12T14:00:00+01:00",
            "ends_at": "2031-03-12T16:00:00+01:00",
            "place": "Salle polyvalente",
            "facilitators": 1,
            "participants": 3,
            "outside": False,
        }
    ],
}


def test_the_movement_list_of_a_day_says_who_leaves_escorted_and_who_comes_in(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json=MOVEMENTS)

    page = logged_in("direction-1").get("/mouvements?jour=2031-03-12")

    (sent,) = services.requests
    assert sent.url.path == "/movements"
    # One establishment's list: the first of the user's unless they choose another.
    assert dict(sent.url.params) == {"day": "2031-03-12", "establishment": "InSERRE Arras"}
    text = page.text
    assert "BENALI Karim" in text and "Toute la journée" in text and "Escortée" in text
    assert "person-1" in text and "Non précisé" in text  # a name the service did not give: the id
    assert "Association Emploi Arras" in text and "Atelier CV" in text
    assert 'href="/mouvements/impression?jour=2031-03-12&etablissement=CP%20d%27Arras"' in text


def test_the_movement_list_is_today_s_by_default(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json=MOVEMENTS)

    logged_in("ipro_chef-1").get("/mouvements")

    assert services.requests[0].url.params["day"] == datetime.now(LOCAL_TIME_ZONE).date().isoformat()


def test_a_day_too_far_is_told_beside_the_day(logged_in, services):
    services.answer = lambda request: problem(422, "day-too-far")

    page = logged_in("direction-1").get("/mouvements?jour=2040-01-01")

    assert page.status_code == 422
    assert 'id="jour-erreur">Choisissez un jour à moins d&#39;un an d&#39;aujourd&#39;hui.</p>' in page.text


def test_the_printed_movement_list_is_the_services_own(logged_in, services):
    services.answer = lambda request: httpx.Response(200, text="<!DOCTYPE html><title>Mouvements</title>")

    page = logged_in("direction-1").get("/mouvements/impression?jour=2031-03-12&etablissement=CP+d%27Arras")

    assert page.text == "<!DOCTYPE html><title>Mouvements</title>"
    assert dict(services.requests[0].url.params) == {"day": "2031-03-12", "establishment": "CP d'Arras"}


def share(numerator: int, denominator: int) -> dict:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "share": numerator / denominator if denominator else None,
        "target": None,
    }


def month(key: str, **overrides) -> dict:
    return {
        "month": key,
        "establishment": "CP d'Arras",
        "complete": True,
        "residents": 120,
        "in_activity": share(45, 100),
        "days_to_first_activity": {"count": 4, "mean": 12.5, "median": 10.0},
        "programme_completion": share(0, 0),
        "partner_bookings": 14,
        "partner_attendance": share(9, 12),
        "partner_outcomes": share(3, 9),
        "outcomes_by_kind": {},
        "release_outcomes": share(1, 4),
        "releases_by_situation": {},
        "releases_by_reason": {},
        "releases_before_expected_end": 0,
        **overrides,
    }


INDICATORS = {
    "from_month": "2031-01",
    "to_month": "2031-02",
    "months": [month("2031-01"), month("2031-02", complete=False, residents=118)],
}


def test_each_indicator_is_a_chart_with_its_values_in_a_table(logged_in, services):
    services.answer = lambda request: httpx.Response(200, json=INDICATORS)

    page = logged_in("direction-1").get("/indicateurs?du=2031-01&au=2031-02")

    (sent,) = services.requests
    assert sent.url.path == "/indicators"
    assert dict(sent.url.params) == {"from": "2031-01", "to": "2031-02"}
    text = page.text
    assert "De janvier 2031 à février 2031." in text
    assert (
        'src="/indicateurs/graphiques/in-activity.svg?du=2031-01&amp;au=2031-02&amp;etablissement="' in text
    )
    assert 'alt="Graphique : Part des jours en travail, formation ou parcours actif, par mois.' in text
    assert "<td>45 % (45 sur 100)</td>" in text
    assert "<td>12,5 jours en moyenne, médiane 10 (4 personnes)</td>" in text
    assert "<td>rien à mesurer</td>" in text  # no programme ended: no rate, rather than 0 %
    assert "février 2031 (en cours)" in text and "118 personnes, 14 places" in text


def test_a_chart_is_the_services_svg_drawn_over_the_users_establishments(logged_in, services):
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>Présence</title></svg>'
    services.answer = lambda request: httpx.Response(200, text=svg, headers={"content-type": "image/svg+xml"})

    chart = logged_in("dpip-1").get("/indicateurs/graphiques/partner-attendance.svg?du=2031-01&au=2031-02")

    assert chart.status_code == 200 and chart.text == svg
    assert chart.headers["content-type"].startswith("image/svg+xml")
    (sent,) = services.requests
    assert sent.url.path == "/indicators/partner-attendance.svg"
    assert sent.headers["Authorization"].startswith("Bearer ")


def test_a_chart_the_page_does_not_draw_is_not_asked_for(logged_in, services):
    assert logged_in("dpip-1").get("/indicateurs/graphiques/..%2Fschedule.svg").status_code == 404
    assert services.requests == []


def test_a_month_in_the_future_is_told_beside_the_last_month(logged_in, services):
    services.answer = lambda request: problem(422, "month-in-future")
    next_year = date.today().year + 1

    page = logged_in("direction-1").get(f"/indicateurs?au={next_year}-01")

    assert page.status_code == 422
    assert '<p class="fr-error-text" id="au-erreur">Choisissez ce mois-ci ou un mois passé' in page.text


def test_a_person_in_two_places_is_named_as_the_week_names_them(logged_in, services):
    seated = {"subject_id": "person-1", "last_name": "Lefèvre", "first_names": "Marie"}
    items = [{**SCHEDULE["items"][0], "participants": [seated]}, SCHEDULE["items"][1]]
    person = {**CONFLICTS["items"][0], "kind": "person_double_booked", "room": None, "subject_id": "person-1"}
    services.answer = by_path(
        {"/schedule": {**SCHEDULE, "items": items}, "/schedule/conflicts": {**CONFLICTS, "items": [person]}}
    )

    page = logged_in("direction-1").get("/semaine?du=2031-03-10")

    assert "<strong>Personne attendue à deux endroits</strong> (LEFÈVRE Marie)" in page.text
