"""The schedule's print pages (issue 15, acceptance): the week and the movement list, served by the app and
rendered by headless Chromium (Debian's `chromium`, which `.ci/run` installs), as the person file's is. The
rendered pages show the expected entries and, to an entitled reader, the names. Screenshots are kept in
`var/artefacts/` for a human to look at."""

import pytest

from devinfra.testkit import serving
from projections.bootstrap import create_app
from services.projections.tests.integration.test_movements_http import views
from services.projections.tests.integration.test_person_file_print import ARTEFACTS, chromium, headless
from services.projections.tests.schedule_week import ARRAS, NOW, leaves_and_the_partner, the_week

pytestmark = pytest.mark.integration


@pytest.fixture
async def printed(views_settings, apply_all, infrastructure, dev_keys, tmp_path):
    """`await printed(route, params, name)`: the page the direction is served, rendered by Chromium: its DOM,
    and its screenshot in var/artefacts/<name>.png."""
    browser = chromium()
    week = the_week()
    leaves_and_the_partner(week)
    await apply_all(views, *week.envelopes)
    settings = views_settings
    headers = {"Authorization": f"Bearer {dev_keys.mint('direction', subject='direction-1')}"}
    async with serving(create_app(settings, clock=lambda: NOW)) as api:

        async def render(route: str, params: dict, name: str) -> str:
            response = await api.get(route, params=params, headers=headers)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/html")
            page = tmp_path / f"{name}.html"
            page.write_text(response.text, encoding="utf-8")
            dom = await headless(browser, "--dump-dom", page.as_uri())
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            screenshot = ARTEFACTS / f"{name}.png"
            await headless(browser, f"--screenshot={screenshot}", "--window-size=1240,1754", page.as_uri())
            assert screenshot.stat().st_size > 10_000  # a page was drawn, not a blank
            return dom

        yield render


async def test_the_week_rendered_by_chromium_shows_each_day_its_sessions_and_their_participants(printed):
    dom = await printed("/schedule.html", {"from": "2031-03-10", "establishment": ARRAS}, "schedule-week")
    assert "Emploi du temps – CP d'Arras" in dom and "Semaine du 10 au 16 mars 2031" in dom
    assert "mardi 11 mars 2031" in dom and "jeudi 13 mars 2031" in dom
    assert "14 h 00 – 16 h 00" in dom and "Action partenaire : Atelier CV" in dom
    assert "Programme : PPR-VIOL – Prévention de la récidive : violences (séance 2)" in dom
    assert (
        "BENALI Karim, LEFÈVRE Marie" in dom and "2 / 10 (20&nbsp;%)" in dom
    )  # the DOM written back as HTML


async def test_the_movement_list_rendered_by_chromium_shows_who_goes_where_and_the_partners(printed):
    tuesday = await printed("/movements.html", {"day": "2031-03-11", "establishment": ARRAS}, "movements")
    assert "Liste des mouvements" in tuesday and "CP d'Arras – mardi 11 mars 2031" in tuesday
    assert "LEFÈVRE Marie" in tuesday and "BENALI Karim" in tuesday
    assert "Action partenaire : Atelier CV" in tuesday and "Salle polyvalente" in tuesday
    assert "Partenaires attendus" in tuesday and "Association Emploi Arras" in tuesday
    assert "Camille" not in tuesday  # the partner's facilitator is counted, never named

    wednesday = await printed(
        "/movements.html", {"day": "2031-03-12", "establishment": ARRAS}, "movements-leave"
    )
    assert "BENALI Karim" in wednesday and "Journée" in wednesday and "Escorté" in wednesday
    assert "Permission de sortir encadrée : Visite de l'entreprise Bâtir" in wednesday
    assert "LEFÈVRE" not in wednesday  # her PMSMP was refused
    assert "Aucun partenaire attendu." in wednesday
