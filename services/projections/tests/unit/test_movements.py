"""The movement list's assembly (issue 15 item 3): given the schedule's rows of one establishment's day, then
the movements (who goes where, when, escorted or not) and the partners expected; and its printable page."""

from datetime import date, datetime, time, timedelta

from kernel.clock import LOCAL_TIME_ZONE
from projections.movements.assemble import movements, partner_visits
from projections.movements.page import render_html

TUESDAY = date(2031, 3, 11)
MARIE = {"subject_id": "person-1", "last_name": "Lefèvre", "first_names": "Marie"}
KARIM = {"subject_id": "person-2", "last_name": "Benali", "first_names": "Karim"}
NOBODY_KNOWN = {"subject_id": "person-3", "last_name": None, "first_names": None}


def at(hour: int, minute: int = 0, day: date = TUESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TIME_ZONE)


def a_session_seat(person=MARIE, **overrides):
    return {
        "item_id": "programmes/group:group-1/s-1",
        "title": "PPR-VIOL – Prévention",
        "place": "Salle 2",
        "starts_at": at(14, 30),
        "ends_at": at(16, 30),
        **person,
        **overrides,
    }


def a_positioning(person=MARIE, **overrides):
    return {
        "item_id": "ipro/positioning:positioning-1",
        "title": "Atelier CV",
        "place": "Salle polyvalente",
        "starts_at": at(10),
        "ends_at": at(12),
        "action_type": "job_search_workshop",
        **person,
        **overrides,
    }


def a_weekly(person=KARIM, **overrides):
    return {
        "item_id": "ipro/training:training-2",
        "kind": "training",
        "title": "Agent de propreté",
        "place": "AFPA",
        "first_day": date(2031, 3, 3),
        "last_day": date(2031, 5, 30),
        "slots": [{"weekday": 1, "starts_at": "09:00:00", "ends_at": "11:00:00"}],
        "since": at(8, day=date(2031, 3, 1)),
        **person,
        **overrides,
    }


def a_leave(person=KARIM, **overrides):
    return {
        "leave_id": "leave-1",
        "kind": "escorted_professional_leave",
        "first_day": TUESDAY,
        "last_day": TUESDAY,
        "purpose": "Visite de l'entreprise Bâtir",
        **person,
        **overrides,
    }


def a_partner_session(**overrides):
    return {
        "item_id": "partners/action:action-1/a-1-s-1",
        "partner_id": "partner-1",
        "organisation": "Association Emploi Arras",
        "title": "Atelier CV",
        "action_type": "job_search_workshop",
        "starts_at": at(10),
        "ends_at": at(12),
        "place": "Salle polyvalente",
        "facilitator_keys": ["digest-1", "digest-2"],
        "participants": 3,
        **overrides,
    }


def day_of(*, sessions=(), positionings=(), weekly=(), leaves=(), with_names=True, day=TUESDAY):
    return movements(
        day, sessions=sessions, positionings=positionings, weekly=weekly, leaves=leaves, with_names=with_names
    )


def test_each_occupation_of_the_day_is_a_movement_to_its_place_in_time_order():
    found = day_of(
        sessions=[a_session_seat(MARIE), a_session_seat(KARIM)],
        positionings=[a_positioning()],
        weekly=[a_weekly()],
        leaves=[a_leave(MARIE, kind="pmsmp", leave_id="leave-2", purpose="PMSMP en boulangerie")],
    )
    assert [(m.kind, m.subject_id, m.starts_at, m.place, m.activity) for m in found] == [
        ("pmsmp", "person-1", None, "", "PMSMP en boulangerie"),
        ("training", "person-2", at(9), "AFPA", "Agent de propreté"),
        ("positioning", "person-1", at(10), "Salle polyvalente", "Atelier CV"),
        (
            "group_session",
            "person-2",
            at(14, 30),
            "Salle 2",
            "PPR-VIOL – Prévention",
        ),  # Benali before Lefèvre
        ("group_session", "person-1", at(14, 30), "Salle 2", "PPR-VIOL – Prévention"),
    ]
    assert found[1].item_id == "ipro/training:training-2@2031-03-11T09:00" and found[1].ends_at == at(11)
    assert found[0].item_id == "ipro/leave:leave-2@2031-03-11"


def test_escort_is_stated_only_where_a_service_says_so():
    found = {
        m.item_id: (m.outside, m.escorted)
        for m in day_of(
            sessions=[a_session_seat()],
            positionings=[
                a_positioning(),
                a_positioning(item_id="visit", action_type="escorted_professional_leave"),
                a_positioning(item_id="pmsmp", action_type="pmsmp"),
                a_positioning(item_id="mission", action_type="temp_mission"),
                a_positioning(item_id="untyped", action_type=None),  # an action ingested before its type was
            ],
            leaves=[a_leave(), a_leave(leave_id="leave-2", kind="pmsmp")],
        )
    }
    assert found == {
        "programmes/group:group-1/s-1": (False, None),
        "ipro/positioning:positioning-1": (False, None),
        "visit": (True, True),
        "pmsmp": (True, False),
        "mission": (True, False),
        "untyped": (False, None),
        "ipro/leave:leave-1@2031-03-11": (True, True),
        "ipro/leave:leave-2@2031-03-11": (True, False),
    }


def test_a_weekly_schedule_moves_people_only_on_its_weekdays_within_its_days():
    thursday = TUESDAY + timedelta(days=2)
    assert day_of(weekly=[a_weekly()], day=thursday) == []
    assert day_of(weekly=[a_weekly(first_day=TUESDAY + timedelta(days=1))]) == []
    assert day_of(weekly=[a_weekly(last_day=TUESDAY - timedelta(days=1))]) == []
    open_ended = day_of(weekly=[a_weekly(kind="work", item_id="ipro/work:w/a", last_day=None)])
    assert [(m.kind, m.starts_at) for m in open_ended] == [("work", at(9))]


def test_a_leave_moves_the_person_on_each_of_its_days_only():
    week_long = a_leave(first_day=TUESDAY - timedelta(days=1), last_day=TUESDAY + timedelta(days=3))
    assert [m.item_id for m in day_of(leaves=[week_long])] == ["ipro/leave:leave-1@2031-03-11"]
    assert day_of(leaves=[week_long], day=TUESDAY + timedelta(days=4)) == []


def test_without_names_people_are_shown_by_their_pseudonymous_id_only():
    found = day_of(sessions=[a_session_seat(MARIE), a_session_seat(NOBODY_KNOWN)], with_names=False)
    assert [(m.subject_id, m.last_name, m.first_names) for m in found] == [
        ("person-1", None, None),
        ("person-3", None, None),
    ]


def test_partners_expected_are_counted_not_named_and_outside_visits_said_so():
    visits = partner_visits(
        [
            a_partner_session(item_id="later", starts_at=at(15), ends_at=at(17), organisation=None),
            a_partner_session(),
            a_partner_session(
                item_id="visit", action_type="escorted_professional_leave", facilitator_keys=[]
            ),
        ]
    )
    assert [(v.item_id, v.organisation, v.facilitators, v.participants, v.outside) for v in visits] == [
        ("partners/action:action-1/a-1-s-1", "Association Emploi Arras", 2, 3, False),
        ("visit", "Association Emploi Arras", 0, 3, True),
        ("later", None, 2, 3, False),
    ]


# --- the printable page ---


def page_of(movement_rows, partner_rows=(), *, with_names=True):
    listed = {
        "day": TUESDAY,
        "establishment": "CP d'Arras",
        "movements": [m.__dict__ for m in day_of(**movement_rows, with_names=with_names)],
        "partners": [v.__dict__ for v in partner_visits(partner_rows)],
    }
    return render_html(listed, generated_at=at(7))


def test_the_page_lists_the_days_movements_and_partners_in_french():
    page = page_of({"sessions": [a_session_seat()], "leaves": [a_leave()]}, [a_partner_session()])
    assert "Liste des mouvements" in page and "CP d&#39;Arras – mardi 11 mars 2031" in page
    assert "14 h 30 – 16 h 30" in page and "LEFÈVRE Marie" in page and "Programme : PPR-VIOL" in page
    assert "Journée" in page and "BENALI Karim" in page and "Escorté" in page
    assert "Permission de sortir encadrée : Visite de l&#39;entreprise Bâtir" in page and "Extérieur" in page
    assert "Non précisé" in page
    assert "Association Emploi Arras" in page and "<td>2</td>" in page
    assert "size: A4" in page  # the documents' shared stylesheet
    assert "Édité le 11 mars 2031 à 7 h 00" in page


def test_an_empty_day_says_so_and_values_are_escaped():
    empty = page_of({})
    assert "Aucun mouvement prévu." in empty and "Aucun partenaire attendu." in empty
    escaped = page_of({"sessions": [a_session_seat(NOBODY_KNOWN, place="Salle <3>")]})
    assert "person-3" in escaped and "Salle &lt;3&gt;" in escaped and "Salle <3>" not in escaped
