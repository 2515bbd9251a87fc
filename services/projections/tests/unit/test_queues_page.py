"""The printable work queue: French, every value escaped, late items marked, the workload only in the DPIP's."""

from datetime import date, datetime

from kernel.clock import LOCAL_TIME_ZONE
from projections.queues.page import render_html
from projections.queues.rules import Item, ItemKind

NOW = datetime(2031, 6, 16, 9, 0, tzinfo=LOCAL_TIME_ZONE)


def an_entry(**overrides) -> dict:
    values = Item(
        kind=ItemKind.INTERVIEW, subject_id="person-1", due_on=date(2031, 6, 1), overdue=True
    ).model_dump()
    return {**values, "label": "", "last_name": "Lefèvre", "first_names": "Marie", "link": None, **overrides}


def a_queue(role: str = "cpip", items=(), workload=None) -> dict:
    return {"role": role, "today": NOW.date(), "within_days": 30, "items": list(items), "workload": workload}


def test_a_cpips_page_lists_their_people_late_first_in_french():
    page = render_html(a_queue(items=[an_entry()]), generated_at=NOW)
    assert "Mes personnes suivies" in page and "Au 16 juin 2031" in page
    assert "LEFÈVRE Marie" in page and "Entretien de suivi à tenir" in page
    assert "1er juin 2031 (en retard)" in page
    assert "Charge par CPIP" not in page


def test_names_and_ids_are_escaped():
    page = render_html(a_queue(items=[an_entry(last_name="<script>x</script>")]), generated_at=NOW)
    assert "<script>x" not in page and "&lt;SCRIPT&gt;" in page


def test_a_partner_session_shows_its_counts_and_the_dpips_page_its_workload():
    session = an_entry(
        kind=ItemKind.ATTENDANCE,
        subject_id=None,
        last_name=None,
        action_id="action-1",
        session_id="s-2",
        overdue=False,
        booked=3,
        attended=2,
        reported=None,
    )
    head = render_html(a_queue("ripro", [session]), generated_at=NOW)
    assert "action action-1, séance s-2" in head
    assert "réservées : 3, présences IPRO : 2, déclarées : non déclarées" in head

    workload = [
        {"referent": "cpip-durand", "people": 2, "due": 4, "overdue": 3},
        {"referent": None, "people": 1, "due": 0, "overdue": 0},
    ]
    dpip = render_html(a_queue("dpip", [], workload), generated_at=NOW)
    assert "Validations et charge des CPIP" in dpip and "Rien en attente." in dpip
    assert "Charge par CPIP" in dpip and "cpip-durand" in dpip and "sans référent" in dpip
