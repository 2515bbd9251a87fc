"""The printable schedule (issue 15 #1): French, a section per day, values escaped."""

from datetime import date, datetime

from kernel.clock import LOCAL_TIME_ZONE
from projections.schedule.page import render_html

GENERATED = datetime(2031, 3, 7, 9, 0, tzinfo=LOCAL_TIME_ZONE)


def an_item(**overrides):
    values = dict(
        item_id="programmes/group:g/s",
        kind="group_session",
        title="PPR-VIOL – Prévention",
        starts_at=datetime(2031, 3, 11, 14, 30, tzinfo=LOCAL_TIME_ZONE),
        ends_at=datetime(2031, 3, 11, 16, 30, tzinfo=LOCAL_TIME_ZONE),
        place="Salle <3>",
        cancelled=False,
        number=1,
        catch_up=False,
        seats=10,
        taken=1,
        fill_rate=0.1,
        participants=[{"subject_id": "person-1", "last_name": "Lefèvre", "first_names": "Marie"}],
    )
    return {**values, **overrides}


def render(*items):
    return render_html(
        list(items),
        first_day=date(2031, 3, 10),
        last_day=date(2031, 3, 16),
        heading="CP d'Arras",
        generated_at=GENERATED,
    )


def test_each_day_of_the_week_has_its_section_and_its_items():
    page = render(
        an_item(), an_item(item_id="x", kind="work", title="Cuisine", participants=None, seats=None)
    )
    assert "Semaine du 10 au 16 mars 2031" in page
    assert (
        page.index("lundi 10 mars 2031")
        < page.index("mardi 11 mars 2031")
        < page.index("dimanche 16 mars 2031")
    )
    assert page.count("Rien de prévu.") == 6
    assert '<td class="time">14 h 30 – 16 h 30</td>' in page  # a cell that never wraps (its style)
    assert "Programme : PPR-VIOL – Prévention (séance 1)" in page
    assert "LEFÈVRE Marie" in page and "1 / 10 (10\u00a0%)" in page and "Travail : Cuisine" in page


def test_participants_without_a_name_are_shown_by_id_and_values_are_escaped():
    page = render(an_item(participants=[{"subject_id": "person-1", "last_name": None, "first_names": None}]))
    assert "person-1" in page and "Salle &lt;3&gt;" in page and "Salle <3>" not in page


def test_a_cancelled_session_says_so():
    assert "– annulée" in render(an_item(cancelled=True))
