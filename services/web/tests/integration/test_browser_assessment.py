"""A DPIP validating (issue 20), in headless Chromium against the real services: a CPIP fills in and submits
an initial assessment part by part (one part refused, what was typed kept), the DPIP returns it from the
queue with a reason, the CPIP corrects and resubmits, the DPIP validates; the CPIP adopts the plan, the DPIP
validates it, the CPIP follows an objective. Along the way the CPIP asks a psychologist to contribute, who
finds the person among those asked about and writes a clinical note kept for psychologists and a shared one,
which alone the CPIP reads. Three browsers side by side, each page screenshotted and checked by axe-core."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from devinfra.testkit import headers_for, wait_for

from .conftest import log_in, open_martins_case, screenshot, serious_violations

pytestmark = pytest.mark.integration

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
async def case(web_system, dev_keys) -> dict:
    """Lucas Martin's case, followed by cpip-1, once projections show his file to the CPIP."""
    as_role = headers_for(dev_keys)
    case = await open_martins_case(web_system, dev_keys, admitted_days_ago=20)
    async with httpx.AsyncClient(base_url=web_system.url("projections")) as projections:

        async def filed() -> bool:
            file = await projections.get(f"/persons/{case['subject_id']}/file", headers=as_role("cpip"))
            return file.status_code == 200 and file.json().get("case") is not None

        await wait_for(filed, timeout=30, message="the case in the person file")
    return case


@pytest.fixture
async def pages(browser: Browser) -> AsyncIterator[tuple[Page, Page, Page]]:
    """The CPIP's browser, the DPIP's and the psychologist's, tablet-sized."""
    contexts = [
        await browser.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768}) for _ in range(3)
    ]
    yield tuple([await context.new_page() for context in contexts])
    for context in contexts:
        await context.close()


async def reload_until_visible(page: Page, locator: Locator, timeout: float = 20) -> None:
    """What a read view shows once projections caught up: the page reloaded until it does."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await expect(locator).to_be_visible(timeout=1000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await page.reload()


async def checked(page: Page, name: str) -> None:
    """Screenshotted and checked by axe-core (a few seconds on the assessment's long form: once per page and
    state worth it, the other states screenshotted only)."""
    await screenshot(page, name)
    assert await serious_violations(page) == []


async def test_a_dpip_returns_then_validates_an_assessment_and_the_cpip_follows_the_plan(
    web_system, case, pages
):
    web = web_system.url("web")
    cpip, dpip, psychologist = pages
    await log_in(cpip, web, "Camille Laurent")
    await expect(cpip).to_have_url(web + "/file-de-travail")

    # The CPIP starts the initial assessment from the file, and opens it once the file shows it.
    await cpip.goto(f"{web}/personnes/{case['subject_id']}")
    async with cpip.expect_navigation():  # the service's answer, then the file again
        await cpip.get_by_role("button", name="Commencer l'évaluation").click()
    opening = cpip.get_by_role("link", name="Ouvrir l'évaluation en cours")
    await reload_until_visible(cpip, opening)
    await opening.click()
    await expect(cpip.get_by_role("heading", level=1)).to_have_text("Évaluation initiale de MARTIN Lucas")
    await screenshot(cpip, "cpip-evaluation")

    # A domain rated and saved as the draft, in place.
    employment = cpip.locator("#domaine-education_employment")
    await employment.locator("label", has_text="Facteur de risque").click()
    await employment.get_by_label("Nature").select_option("dynamic_stable")
    await employment.get_by_label("Niveau").select_option("high")
    await employment.get_by_label("Éléments d'appréciation").fill("Sans diplôme.")
    await employment.get_by_role("button", name="Enregistrer").click()
    await expect(employment.get_by_role("status")).to_have_text("Enregistré dans le brouillon.")

    # A level without a risk factor: refused beside the level, what was typed still there.
    drugs = cpip.locator("#domaine-alcohol_drugs")
    await drugs.get_by_label("Niveau").select_option("high")
    await drugs.get_by_label("Éléments d'appréciation").fill(
        "Consommation quotidienne avant l'incarcération."
    )
    await drugs.get_by_role("button", name="Enregistrer").click()
    await expect(drugs.locator("#domaine-alcohol_drugs-niveau-erreur")).to_contain_text(
        "Un facteur de risque a une nature"
    )
    await expect(drugs.get_by_label("Éléments d'appréciation")).to_have_value(
        "Consommation quotidienne avant l'incarcération."
    )
    await expect(employment.get_by_label("Éléments d'appréciation")).to_have_value("Sans diplôme.")
    await checked(cpip, "cpip-evaluation-refus")

    # The CPIP asks the psychologist to contribute (a blank id refused beside the field first).
    await cpip.get_by_role("button", name="Solliciter sa contribution").click()
    await expect(cpip.locator("#contributeurs-contributeur-erreur")).to_have_text("Le texte est trop court.")
    await cpip.get_by_label("Solliciter un psychologue ou un assistant de service social").fill(
        "psychologue-1"
    )
    await cpip.get_by_role("button", name="Solliciter sa contribution").click()
    await expect(cpip.get_by_test_id("sollicites")).to_have_text("Sollicités : psychologue-1.")

    # The psychologist finds the person among those asked about, and the assessment from the file.
    await log_in(psychologist, web, "Hélène Petit")
    await expect(psychologist).to_have_url(web + "/contributions")
    await psychologist.get_by_test_id("sollicitations").get_by_role("link", name="MARTIN Lucas").click()
    opening = psychologist.get_by_role("link", name="Ouvrir l'évaluation en cours")
    await reload_until_visible(psychologist, opening)
    await opening.click()
    # A clinical note, kept for psychologists (the box unticked as the service's default); a shared one.
    mine = psychologist.locator("#contribution")
    await expect(mine.get_by_label("Partager avec l'équipe")).not_to_be_checked()
    await mine.get_by_label("Domaine de besoins").select_option("physical_mental_health")
    await mine.get_by_label("Texte de la contribution").fill("Troubles anxieux suivis par l'unité sanitaire.")
    await mine.get_by_role("button", name="Ajouter ma contribution").click()
    contributions = psychologist.get_by_test_id("contributions")
    await expect(contributions).to_contain_text("[non partagée] : Troubles anxieux suivis")
    await mine.get_by_label("Texte de la contribution").fill(
        "Adhère au suivi ; favorable à un travail en groupe."
    )
    await mine.locator("label", has_text="Partager avec l'équipe").click()
    await mine.get_by_role("button", name="Ajouter ma contribution").click()
    await expect(contributions.get_by_role("listitem")).to_have_count(2)
    await checked(psychologist, "psychologue-contribution")
    # The CPIP reads the shared one only, as the service allows.
    await cpip.reload()
    await expect(cpip.get_by_test_id("contributions")).to_contain_text("favorable à un travail en groupe")
    await expect(cpip.get_by_test_id("contributions")).not_to_contain_text("Troubles anxieux")

    conclusion = cpip.locator("#conclusion")
    await conclusion.get_by_label("Niveau de risque global").select_option("moderate")
    await conclusion.get_by_label("Axe 1").select_option("education_employment")
    await conclusion.get_by_role("button", name="Enregistrer").click()
    await expect(conclusion.get_by_role("status")).to_be_visible()
    await cpip.get_by_role("button", name="Soumettre au DPIP").click()
    await expect(cpip.get_by_test_id("statut")).to_have_text(
        "Cette évaluation est soumise à la validation du DPIP."
    )

    # The DPIP finds it in the queue and returns it with a reason.
    await log_in(dpip, web, "Sophie Bernard")
    await expect(dpip).to_have_url(web + "/file-de-travail")
    to_validate = dpip.get_by_role("link", name="Évaluation soumise à valider")
    await reload_until_visible(dpip, to_validate)
    await to_validate.click()
    await expect(dpip.get_by_label("Éléments d'appréciation").first).to_be_disabled()
    reason = "Préciser les périodes d'emploi : dates et durées."
    await dpip.get_by_label("Motif du renvoi").fill(reason)
    await dpip.get_by_role("button", name="Renvoyer pour reprise").click()
    await expect(dpip.get_by_test_id("statut")).to_have_text(
        "Cette évaluation est renvoyée pour reprise par le DPIP."
    )
    await expect(dpip.get_by_test_id("motifs-renvoi")).to_have_text(reason)
    await checked(dpip, "dpip-evaluation-renvoyee")

    # The CPIP reads why, corrects and resubmits.
    await cpip.reload()
    await expect(cpip.get_by_test_id("motifs-renvoi")).to_have_text(reason)
    await employment.get_by_label("Éléments d'appréciation").fill(
        "Sans diplôme ; intérim de 2019 à 2021, trois missions de moins de trois mois."
    )
    await employment.get_by_role("button", name="Enregistrer").click()
    await expect(employment.get_by_role("status")).to_be_visible()
    await cpip.get_by_role("button", name="Soumettre à nouveau au DPIP").click()
    await expect(cpip.get_by_test_id("statut")).to_have_text(
        "Cette évaluation est soumise à la validation du DPIP."
    )

    # The DPIP validates it.
    await dpip.reload()
    await expect(
        dpip.locator("#domaine-education_employment").get_by_label("Éléments d'appréciation")
    ).to_have_value("Sans diplôme ; intérim de 2019 à 2021, trois missions de moins de trois mois.")
    await dpip.get_by_role("button", name="Valider l'évaluation").click()
    await expect(dpip.get_by_test_id("statut")).to_have_text("Cette évaluation est validée.")
    await screenshot(dpip, "dpip-evaluation-validee")

    # The CPIP adopts the plan from the validated assessment.
    await cpip.reload()
    await cpip.get_by_role("link", name="Établir le plan d'accompagnement").click()
    await expect(cpip.get_by_role("heading", level=1)).to_have_text(
        "Établir le plan d'accompagnement de MARTIN Lucas"
    )
    await cpip.get_by_label("Axe de travail (objectif 1)").select_option("education_employment")
    await cpip.get_by_label("Objectif 1", exact=True).fill("Obtenir un premier diplôme qualifiant")
    await cpip.get_by_label("Type d'intervention 1 (objectif 1)").select_option("ipro_action")
    await cpip.get_by_label("Description de l'intervention 1 (objectif 1)").fill("Positionnement sur un CAP")
    review = datetime.now(PARIS).date() + timedelta(days=180)
    await cpip.get_by_label("Date de révision du plan").fill(review.isoformat())
    await checked(cpip, "cpip-plan-editeur")
    await cpip.get_by_role("button", name="Adopter le plan").click()
    objectives = cpip.get_by_test_id("objectifs")
    await expect(objectives).to_contain_text("Obtenir un premier diplôme qualifiant")
    await expect(objectives).to_contain_text("Action du pôle IPRO : Positionnement sur un CAP")
    await cpip.locator("label", has_text="La personne adhère au plan").click()
    await cpip.get_by_role("button", name="Enregistrer la réponse").click()
    await expect(cpip.get_by_test_id("plan-etat")).to_contain_text("la personne adhère au plan")
    await checked(cpip, "cpip-plan")

    # The DPIP validates the plan; the CPIP follows its objective: an abandon needs a reason.
    await dpip.goto(cpip.url)
    await dpip.get_by_role("button", name="Valider le plan").click()
    await expect(dpip.get_by_test_id("plan-etat")).to_contain_text("validée par le DPIP")
    await cpip.reload()
    await cpip.get_by_label("Nouveau statut (objectif 1)").select_option("abandoned")
    await cpip.get_by_role("button", name="Enregistrer le statut").click()
    await expect(cpip.get_by_text("Indiquez le motif de l'abandon.")).to_be_visible()
    await expect(cpip.get_by_label("Nouveau statut (objectif 1)")).to_have_value("abandoned")
    await checked(cpip, "cpip-plan-objectif-refus")
    await cpip.get_by_label("Nouveau statut (objectif 1)").select_option("achieved")
    await cpip.get_by_role("button", name="Enregistrer le statut").click()
    await expect(objectives.get_by_role("row").nth(1)).to_contain_text("Atteint")

    # A revision: the current version's rows to start from, a second objective added; a new version.
    await cpip.get_by_role("link", name="Réviser le plan").click()
    await expect(cpip.get_by_label("Objectif 1", exact=True)).to_have_value(
        "Obtenir un premier diplôme qualifiant"
    )
    await cpip.get_by_label("Axe de travail (objectif 2)").select_option("education_employment")
    await cpip.get_by_label("Objectif 2", exact=True).fill("Préparer une recherche d'emploi à la sortie")
    await cpip.get_by_role("button", name="Enregistrer la nouvelle version").click()
    await expect(cpip.get_by_test_id("plan-etat")).to_contain_text("Version 2 sur 2")
    await expect(objectives).to_contain_text("Préparer une recherche d'emploi à la sortie")
    await screenshot(cpip, "cpip-plan-revise")
