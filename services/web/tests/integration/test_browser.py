"""A CPIP's and an auditor's use of the pages in headless Chromium, against the real services: the login,
the work queue, a person's file and its "dossier au" date, the log view and its verification; each page
screenshotted and checked by axe-core for serious accessibility violations."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import expect

from devinfra.testkit import MARTIN, headers_for, ok, wait_for
from web.rendering import MONTHS

from .conftest import log_in, open_martins_case, screenshot, serious_violations

pytestmark = pytest.mark.integration

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
async def person(case) -> str:
    return case["subject_id"]


@pytest.fixture(scope="module")
async def case(web_system, dev_keys) -> dict:
    """Lucas Martin's case, arrived 100 days ago and followed by cpip-1 from today (`subject_id`: the id the
    assessment service made), once the projections show him to the CPIP and the auditor."""
    as_role = headers_for(dev_keys)
    case = await open_martins_case(web_system, dev_keys, admitted_days_ago=100)
    subject_id = case["subject_id"]
    async with httpx.AsyncClient(base_url=web_system.url("projections")) as projections:
        # The queue, the file and the log are fed by consumers of their own, each in its own time, and the
        # pages are read once, not polled. The queue names the person from the file's identities; the file
        # holds every event of the opening (its offences come on the restricted topic), so that the change the
        # file page later tells is the test's own; the log holds the opening itself, not only the offences or
        # the reads of the file.
        async def in_the_queue_the_file_and_the_log() -> bool:
            queue = await projections.get("/queues/mine", headers=as_role("cpip"))
            file = await projections.get(f"/persons/{subject_id}/file", headers=as_role("cpip"))
            log = await projections.get(f"/audit/subjects/{subject_id}", headers=as_role("auditeur"))
            named = queue.status_code == 200 and any(
                item["subject_id"] == subject_id and item["last_name"] == MARTIN["last_name"]
                for item in queue.json()["items"]
            )
            filed = file.status_code == 200 and (file.json()["case"] or {}).get("sentence", {}).get(
                "offence_categories"
            ) == ["theft"]
            logged = log.status_code == 200 and any(
                entry["event_type"] == "assessment.case.opened" for entry in log.json()["items"]
            )
            return named and filed and logged

        await wait_for(
            in_the_queue_the_file_and_the_log,
            timeout=30,
            message="the case in the CPIP's queue under his name, in his file and in the log",
        )
    return case


async def test_a_cpip_sees_the_queue_opens_a_file_and_reads_it_as_of_a_day(
    web_system, case, person, page, dev_keys
):
    web = web_system.url("web")
    await log_in(page, web, "Camille Laurent")

    # The queue: the first interview with the person they now follow, as the service dates it.
    await expect(page).to_have_url(web + "/file-de-travail")
    # From the keyboard, the first stop is the link to the content.
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mes personnes suivies")
    row = page.get_by_test_id("file-de-travail").get_by_role("row").filter(has_text="MARTIN Lucas")
    await expect(row).to_contain_text("Entretien de suivi à tenir")
    await screenshot(page, "cpip-file-de-travail")
    assert await serious_violations(page) == []

    # A window the service refuses: its French sentence beside the field, in place (htmx).
    await page.get_by_label("Échéances à venir dans (jours)").fill("900")
    await page.get_by_role("button", name="Afficher").click()
    await expect(page.locator("#dans-erreur")).to_have_text("La valeur est trop grande.")
    await expect(page.get_by_label("Échéances à venir dans (jours)")).to_have_attribute(
        "aria-invalid", "true"
    )
    await screenshot(page, "cpip-file-de-travail-refus")

    # The person found by name, and their file today: the case, and its opening in the timeline.
    await page.get_by_role("link", name="Rechercher une personne").click()
    await page.get_by_label("Nom, prénom ou numéro d'écrou").fill("martin")
    await page.get_by_role("button", name="Rechercher").click()
    await expect(page).to_have_url(f"{web}/personnes?q=martin")
    await screenshot(page, "cpip-recherche")
    assert await serious_violations(page) == []
    await page.get_by_test_id("resultats").get_by_role("link", name="MARTIN Lucas").click()
    await expect(page).to_have_url(f"{web}/personnes/{person}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("MARTIN Lucas")
    await expect(page.get_by_text("InSERRE Arras", exact=True)).to_be_visible()
    await expect(page.get_by_test_id("chronologie").get_by_role("listitem")).not_to_have_count(0)
    await screenshot(page, "cpip-dossier")
    assert await serious_violations(page) == []

    # Someone starts the initial assessment meanwhile: the page shown says the file changed.
    async with httpx.AsyncClient(base_url=web_system.url("assessment")) as assessment:
        await ok(
            await assessment.post(
                f"/cases/{case['case_id']}/assessments",
                headers=headers_for(dev_keys)("cpip"),
                json={"kind": "initial", "trigger": ""},
            ),
            201,
        )
    await expect(page.get_by_role("status")).to_contain_text("Le dossier a changé depuis son affichage.")
    await page.get_by_role("link", name="Actualiser").click()
    await expect(page.get_by_text("Évaluation initiale commencée le")).to_contain_text(
        "en cours de rédaction"
    )

    # Starting another from the page: the service refuses, and says why above the form, in place.
    await page.get_by_role("button", name="Commencer l'évaluation").click()
    await expect(page.locator("#nouvelle-evaluation").get_by_role("alert")).to_have_text(
        "Une évaluation est déjà en cours pour cette personne."
    )
    await screenshot(page, "cpip-evaluation-refusee")

    # "Dossier au" yesterday, before the case was opened: nothing was followed then.
    yesterday = datetime.now(PARIS).date() - timedelta(days=1)
    await page.get_by_label("Dossier au").fill(yesterday.isoformat())
    await page.get_by_role("button", name="Afficher").click()
    await expect(page.get_by_test_id("dossier-date")).to_contain_text(
        f"{yesterday.day} {MONTHS[yesterday.month - 1]} {yesterday.year}"
    )
    await expect(page.get_by_text("Aucun suivi à cette date.")).to_be_visible()
    await expect(page).to_have_url(f"{web}/personnes/{person}?au={yesterday.isoformat()}")
    await screenshot(page, "cpip-dossier-au-veille")

    # The file as it was that day, printed by projections through the web app.
    await page.get_by_role("link", name="Imprimer").click()
    await expect(page).to_have_url(f"{web}/personnes/{person}/impression?au={yesterday.isoformat()}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("MARTIN")


async def test_an_auditor_reads_a_persons_log_and_who_consulted_it(web_system, person, page, dev_keys):
    web = web_system.url("web")
    await log_in(page, web, "Paul Mercier")

    await expect(page).to_have_url(web + "/audit")
    await page.get_by_label("Personne (identifiant)").fill(person)
    await page.get_by_role("button", name="Afficher").click()
    journal = page.get_by_test_id("journal")
    await expect(journal).to_contain_text("assessment.case.opened")
    await expect(page).to_have_url(f"{web}/audit?personne={person}&au=&flux=")
    # The view shows hashes as published and checks nothing (ADR 30): the page sends the auditor to the tool.
    await expect(page.get_by_role("main")).to_contain_text("points de contrôle signés")
    await screenshot(page, "auditeur-journal")
    assert await serious_violations(page) == []

    # Who consulted the person: the CPIP's reads of their queue name him, as the journal recorded them.
    async with httpx.AsyncClient(base_url=web_system.url("projections")) as projections:

        async def journaled() -> bool:
            response = await projections.get(
                "/audit/access",
                params={"subject_id": person, "user": "cpip-1"},
                headers=headers_for(dev_keys)("auditeur"),
            )
            return response.status_code == 200 and bool(response.json()["items"])

        await wait_for(journaled, timeout=30, message="the CPIP's reads in the consultation journal")
    await page.get_by_role("link", name="Journal des consultations").click()
    await page.get_by_label("Personne (identifiant)").fill(person)
    await page.get_by_role("button", name="Afficher").click()
    await expect(page.get_by_test_id("consultations")).to_contain_text("cpip-1 (CPIP)")
    await screenshot(page, "auditeur-consultations")
    assert await serious_violations(page) == []


async def test_an_auditor_verifies_the_log_against_the_services_signed_checkpoints(
    web_system, person, page, dev_keys
):
    """The services sign their log every second; once projections holds a checkpoint and the events it covers,
    the report says each signature holds and the log gives each signed root, and what only the tool checks."""
    async with httpx.AsyncClient(base_url=web_system.url("projections")) as projections:
        seen = []

        async def assessment_checked() -> bool:
            response = await projections.get("/audit/checkpoints", headers=headers_for(dev_keys)("auditeur"))
            (assessment,) = [s for s in (await ok(response))["services"] if s["service"] == "assessment"]
            seen[:] = [assessment]
            checkpoints = assessment["checkpoints"]
            return bool(checkpoints) and all(c["heads"] == "conforme" for c in checkpoints)

        try:
            await wait_for(assessment_checked, timeout=30, message="assessment's checkpoints checked")
        except AssertionError as error:
            raise AssertionError(f"{error}; last seen: {seen}") from None
    web = web_system.url("web")
    await log_in(page, web, "Paul Mercier")
    await page.get_by_role("link", name="Vérification du journal", exact=True).click()
    await expect(page).to_have_url(web + "/audit/verification")
    assessment = page.get_by_test_id("verification-assessment")
    await expect(assessment.get_by_test_id("bilan-assessment")).to_contain_text(
        "0 signature(s) non valide(s)"
    )
    await expect(assessment.get_by_test_id("bilan-assessment")).to_contain_text("0 en écart avec le journal")
    await expect(assessment.get_by_test_id("point-assessment-1")).to_contain_text("Conforme")
    # Programmes signs nothing here; had it, only its signatures would be checked, and the page says why not.
    await expect(page.get_by_test_id("verification-programmes")).to_contain_text(
        "Aucun point de contrôle reçu"
    )
    await expect(page.get_by_role("main")).to_contain_text("passerelle audit verify --checkpoint-keys")
    await screenshot(page, "auditeur-verification")
    assert await serious_violations(page) == []
