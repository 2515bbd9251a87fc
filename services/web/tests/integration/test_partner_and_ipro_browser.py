"""A partner answering a call and an IPRO adviser's day, in headless Chromium against the real partners and
ipro services: the partner drafts a proposal (a refusal shown beside its field), submits it, IPRO takes it in
review and asks a question in its thread, the partner answers; IPRO management drafts a call (a closing date
before the opening refused beside it) and publishes it. An adviser opens a pathway, records the classement
request (a second one refused in place) and positions the person on a partner's session, which the partner
confirms, then withdraws it (a reason required); the partner records the person's attendance and outcome at
a session that has begun. The governor's office then takes the request through the CPU's opinion, the
classement, a post and its contract, which it suspends, resumes and ends. Each page screenshotted and
checked by axe-core for serious accessibility violations."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from contracts.assessment import CaseOpened, Identity, ReferentAssigned, Sentence
from devinfra.testkit import (
    PSEUDONYM_TEST_SECRET,
    LocalSystem,
    Upstream,
    headers_for,
    ok,
    query_value,
    service_settings,
    valid_siret,
    wait_for,
)
from devinfra.web import web_environment
from ipro.settings import IproSettings
from web.rendering import day

from .conftest import log_in, screenshot, serious_violations

pytestmark = pytest.mark.integration

PARIS = ZoneInfo("Europe/Paris")
ESTABLISHMENT = "InSERRE Arras"


@pytest.fixture(scope="module")
async def portal(infrastructure, dev_keys, unique_name, tmp_path_factory) -> AsyncIterator[dict]:
    """The partners and ipro services and the web app as processes; what the test needs to feed them."""
    databases = {
        name: await infrastructure.create_database(unique_name(f"web3_{name}").replace("-", "_"))
        for name in ("partners", "ipro")
    }
    prefix = unique_name("web3") + "."
    environment = {
        "PARTNERS_DATABASE_URL": databases["partners"],
        "IPRO_DATABASE_URL": databases["ipro"],
        "KAFKA_BOOTSTRAP_SERVERS": infrastructure.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": prefix,
        "AUTH_JWKS_FILE": str(dev_keys.jwks_path),
        "PSEUDONYM_SECRET": PSEUDONYM_TEST_SECRET,
        "LOG_LEVEL": "INFO",  # the services' logs stay in the module's tmp folder, for post-mortems
    }
    system = LocalSystem(tmp_path_factory.mktemp("web3"), environment, ["partners", "ipro", "web"])
    system.environment.update(
        web_environment([system.services["partners"], system.services["ipro"]], dev_keys.jwks_path.parent)
    )
    await asyncio.to_thread(system.start, timeout=90)
    # The assessment service's topics, fed as its relay would: ipro opens a pathway on a case's opening.
    ipro_settings = service_settings(IproSettings, databases["ipro"], infrastructure, dev_keys, prefix)
    yield {
        "system": system,
        "ipro_dsn": databases["ipro"],
        "assessment": Upstream(ipro_settings, "assessment", role="dpip"),
    }
    await asyncio.to_thread(system.stop)


@pytest.fixture
async def partners(portal) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=portal["system"].url("partners")) as client:
        yield client


def today() -> date:
    return datetime.now(PARIS).date()


async def open_call(partners: httpx.AsyncClient, as_role, title: str, themes: list[str]) -> str:
    body = {
        "title": title,
        "theme": "Insertion professionnelle",
        "establishment": ESTABLISHMENT,
        "description": "Des actions d'insertion en détention.\nRéponses attendues avant la clôture.",
        "opens_on": str(today() - timedelta(days=1)),
        "closes_on": str(today() + timedelta(days=30)),
        "target_themes": themes,
        "eligibility_notes": "",
    }
    call = await ok(await partners.post("/calls", json=body, headers=as_role("ipro_chef")), 201)
    await ok(await partners.post(f"/calls/{call['call_id']}/publish", headers=as_role("ipro_chef")))
    return call["call_id"]


async def accredited_partner(partners: httpx.AsyncClient, as_role, n: int, name: str) -> str:
    body = {"name": name, "siret": valid_siret(n), "organisation_type": "association"}
    partner = await ok(await partners.post("/partners", json=body, headers=as_role("ipro_chef")), 201)
    accreditation = {"establishment": ESTABLISHMENT, "accredited_until": str(today() + timedelta(days=365))}
    await ok(
        await partners.post(
            f"/partners/{partner['partner_id']}/accredit", json=accreditation, headers=as_role("dpip")
        )
    )
    return partner["partner_id"]


async def published_action(
    partners: httpx.AsyncClient, as_role, own: dict, call_id: str, title: str, starts: datetime
) -> dict:
    """A partner's proposal answering `call_id`, approved with one session at `starts` and published: the
    approval's answer (its `action_id` and `scheduled_sessions`)."""
    content = {
        "title": title,
        "action_type": "job_forum",
        "objectives": "Rencontrer des employeurs",
        "target_public": "",
        "prerequisites": "",
        "capacity_min": 1,
        "capacity_max": 8,
        "planned_sessions": [{"starts_at": starts.isoformat(), "duration_minutes": 120, "place": "Salle 2"}],
        "facilitators": ["Camille Martin"],
        "resources_needed": "",
    }
    proposal = await ok(
        await partners.post("/proposals", json={"call_id": call_id, "content": content}, headers=own), 201
    )
    url = f"/proposals/{proposal['proposal_id']}"
    await ok(await partners.post(f"{url}/submit", headers=own))
    await ok(await partners.post(f"{url}/start-review", headers=as_role("ripro")))
    approved = await ok(await partners.post(f"{url}/approve", headers=as_role("ripro")))
    await ok(await partners.post(f"/actions/{approved['action_id']}/publish", headers=as_role("ipro_chef")))
    return approved


async def checked(page: Page, name: str) -> None:
    await screenshot(page, name)
    assert await serious_violations(page) == []


async def test_a_partner_answers_a_call_and_ipro_reviews_it_in_the_thread(
    portal, partners, browser: Browser, page: Page, dev_keys
):
    as_role = headers_for(dev_keys)
    call_id = await open_call(partners, as_role, "Emploi et citoyenneté 2027", ["job_search_workshop"])
    partner_id = await accredited_partner(partners, as_role, 3001, "Association Ressources Emploi")
    web = portal["system"].url("web")

    # The partner lands on the open calls and opens this one.
    await log_in(page, web, "Léa Garnier", organisation=partner_id)
    await expect(page).to_have_url(web + "/appels")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Appels à manifestation d'intérêt")
    await checked(page, "partenaire-appels")
    await page.get_by_role("link", name="Emploi et citoyenneté 2027").click()
    await expect(page).to_have_url(f"{web}/appels/{call_id}")
    await expect(page.get_by_text("Aucune proposition pour cet appel.")).to_be_visible()
    await checked(page, "partenaire-appel")

    # A draft the service refuses: the rule's sentence beside the field, what was typed kept.
    await page.get_by_role("link", name="Répondre à cet appel").click()
    await page.get_by_label("Intitulé de l'action").fill("Atelier CV et lettre de motivation")
    await page.get_by_label("Type d'action").select_option("job_search_workshop")
    await page.get_by_label("Objectifs").fill("Rédiger un CV")
    await page.get_by_label("Nombre minimum de participants").fill("12")
    await page.get_by_label("Nombre maximum de participants").fill("10")
    session_day = today() + timedelta(days=21)
    await page.get_by_label("Début").fill(f"{session_day.isoformat()}T14:00")
    await page.get_by_label("Durée (minutes)").fill("120")
    await page.get_by_label("Lieu").fill("Salle polyvalente")
    await page.get_by_label("Animateurs").fill("Camille Martin")
    await page.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(page.locator("#capacite_max-erreur")).to_have_text(
        "Le nombre maximum de participants doit être au moins égal au minimum."
    )
    await expect(page.get_by_label("Objectifs")).to_have_value("Rédiger un CV")
    await checked(page, "partenaire-proposition-refusee")

    # Corrected, kept as a draft, then submitted to IPRO.
    await page.get_by_label("Nombre minimum de participants").fill("4")
    await page.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Atelier CV et lettre de motivation")
    await expect(page.get_by_test_id("etat-proposition")).to_have_text("Brouillon")
    proposal_url = page.url
    await page.get_by_role("button", name="Soumettre à l'équipe IPRO").click()
    await expect(page.get_by_test_id("etat-proposition")).to_have_text("Soumise")
    await expect(page.get_by_text("14:00, 120 min, Salle polyvalente")).to_be_visible()
    await checked(page, "partenaire-proposition-soumise")

    # IPRO management, in its own session: takes it in review and asks a question in the thread.
    ipro_context = await browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    ipro = await ipro_context.new_page()
    await log_in(ipro, web, "Élise Fontaine", then="/propositions")
    await expect(ipro).to_have_url(web + "/propositions")
    await ipro.get_by_role("link", name="Atelier CV et lettre de motivation").click()
    await ipro.get_by_role("button", name="Prendre en examen").click()
    await expect(ipro.get_by_test_id("etat-proposition")).to_have_text("En examen")
    await ipro.get_by_label("Votre message").fill(
        "Quel public visez-vous : courtes peines ou longues peines ?"
    )
    await ipro.get_by_role("button", name="Envoyer le message").click()
    await expect(ipro.get_by_test_id("fil")).to_contain_text("Quel public visez-vous")
    await checked(ipro, "ipro-proposition-en-examen")

    # The partner sees the question and answers it in the same thread.
    await page.goto(proposal_url)
    thread = page.get_by_test_id("fil")
    await expect(thread).to_contain_text("ripro-1 (RLIP)")
    await page.get_by_label("Votre message").fill("Des personnes à six mois de leur sortie.")
    await page.get_by_role("button", name="Envoyer le message").click()
    await expect(thread.get_by_role("listitem")).to_have_count(2)
    await expect(thread.get_by_role("listitem").last).to_contain_text(
        "Des personnes à six mois de leur sortie."
    )
    await checked(page, "partenaire-fil-de-discussion")

    # IPRO approves: the action, its session planned by the proposal, and a report too early refused.
    await ipro.reload()
    await ipro.get_by_role("button", name="Approuver : l'action entre au catalogue").click()
    await expect(ipro.get_by_test_id("etat-proposition")).to_have_text("Approuvée")

    # IPRO management drafts a call of its own: a closing date before the opening is refused beside it.
    await ipro.goto(web + "/appels")
    await ipro.get_by_role("link", name="Rédiger un appel").click()
    await ipro.get_by_label("Intitulé de l'appel").fill("Citoyenneté 2027")
    await ipro.get_by_label("Thème").fill("Espace citoyen")
    await ipro.get_by_label("Établissement").select_option(ESTABLISHMENT)
    await ipro.get_by_label("Ouverture des réponses").fill(str(today()))
    await ipro.get_by_label("Clôture des réponses").fill(str(today() - timedelta(days=1)))
    await ipro.get_by_text("Citoyenneté", exact=True).click()  # the DSFR draws the box on its label
    await ipro.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(ipro.locator("#cloture-erreur")).to_have_text(
        "La clôture des réponses ne peut précéder leur ouverture."
    )
    await expect(ipro.get_by_label("Intitulé de l'appel")).to_have_value("Citoyenneté 2027")
    await checked(ipro, "ipro-appel-refuse")
    # Corrected: the draft's page, which partners do not see until it is published from there.
    await ipro.get_by_label("Clôture des réponses").fill(str(today() + timedelta(days=30)))
    await ipro.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(ipro.get_by_role("heading", level=1)).to_have_text("Citoyenneté 2027")
    await expect(ipro.get_by_text("Brouillon", exact=True)).to_be_visible()
    # Revised while a draft: the form shows what the draft says; a refusal beside its field, what was typed
    # kept; then saved, the call's page showing the revision.
    await ipro.get_by_role("link", name="Modifier le brouillon").click()
    await expect(ipro.get_by_role("heading", level=1)).to_have_text("Modifier le brouillon de l'appel")
    await expect(ipro.get_by_label("Thème")).to_have_value("Espace citoyen")
    await expect(ipro.get_by_label("Citoyenneté", exact=True)).to_be_checked()
    await ipro.get_by_label("Intitulé de l'appel").fill("Citoyenneté et droits 2027")
    await ipro.get_by_label("Clôture des réponses").fill(str(today() - timedelta(days=2)))
    await ipro.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(ipro.locator("#cloture-erreur")).to_have_text(
        "La clôture des réponses ne peut précéder leur ouverture."
    )
    await expect(ipro.get_by_label("Intitulé de l'appel")).to_have_value("Citoyenneté et droits 2027")
    await checked(ipro, "ipro-appel-revision-refusee")
    await ipro.get_by_label("Clôture des réponses").fill(str(today() + timedelta(days=45)))
    await ipro.get_by_role("button", name="Enregistrer le brouillon").click()
    await expect(ipro.get_by_role("heading", level=1)).to_have_text("Citoyenneté et droits 2027")
    await expect(ipro.get_by_test_id("appel")).to_contain_text(f"au {day(today() + timedelta(days=45))}")
    await checked(ipro, "ipro-appel-brouillon-revise")
    await ipro.get_by_role("button", name="Publier l'appel").click()
    await expect(ipro.get_by_text("Ouvert aux propositions")).to_be_visible()
    await checked(ipro, "ipro-appel-publie")
    await ipro_context.close()
    await page.reload()
    await page.get_by_role("link", name="L'action au catalogue").click()
    await expect(page.get_by_test_id("seance")).to_contain_text("Salle polyvalente")
    await page.locator("label", has_text="Oui").click()
    await page.get_by_label("Nombre de présents").fill("6")
    await page.get_by_role("button", name="Transmettre le compte rendu").click()
    await expect(page.locator("#action").get_by_role("alert")).to_have_text(
        "La séance n'a pas encore commencé : son compte rendu se transmet ensuite."
    )
    await checked(page, "partenaire-action-seances")

    # Another organisation's token reaches none of it: the service answers as if it did not exist.
    other = as_role("partenaire", organisation_id=str(uuid.uuid4()))
    assert (
        await partners.get(f"/proposals/{proposal_url.rsplit('/', 1)[1]}", headers=other)
    ).status_code == 404


async def test_an_ipro_adviser_records_a_classement_request_and_positions_a_person(
    portal, partners, browser: Browser, page: Page, dev_keys
):
    as_role = headers_for(dev_keys)
    # A published action with one session, as the partner journey leaves one (done here through the API).
    call_id = await open_call(partners, as_role, "Forum emploi 2027", ["job_forum"])
    partner_id = await accredited_partner(partners, as_role, 3002, "Association Emploi Artois")
    own = as_role("partenaire", organisation_id=partner_id)
    starts = datetime.combine(today() + timedelta(days=14), datetime.min.time(), tzinfo=PARIS).replace(
        hour=10
    )
    approved = await published_action(partners, as_role, own, call_id, "Job dating logistique", starts)
    (session,) = approved["scheduled_sessions"]
    # Another, starting in a moment: a place is taken before a session starts, its attendance after.
    soon = datetime.now(PARIS).replace(microsecond=0) + timedelta(seconds=30)
    express = await published_action(partners, as_role, own, call_id, "Rencontre employeurs express", soon)
    (express_session,) = express["scheduled_sessions"]

    # The person, admitted: ipro opens their pathway; IPRO management names the adviser.
    case_id = str(uuid.uuid4())
    subject_id = f"person-{case_id[:8]}"
    await portal["assessment"].publish(
        case_id,
        CaseOpened(
            case_id=case_id,
            subject_id=subject_id,
            establishment=ESTABLISHMENT,
            admission_date=today() - timedelta(days=30),
            identity=Identity(
                last_name="Martin", first_names="Lucas", birth_date=date(1994, 3, 12), ecrou_number="62041"
            ),
            sentence=Sentence(
                short_sentence=False, total_length_months=30, expected_end_date=today() + timedelta(days=400)
            ),
        ),
        ReferentAssigned(case_id=case_id, referent="cpip-1"),
        subject=subject_id,
    )
    pathway_id = f"pathway-{case_id}"
    ipro_dsn = portal["ipro_dsn"]

    async def pathway_open_and_session_known() -> bool:
        # The sessions and their actions' publication, which ipro may read in either order.
        return await query_value(
            ipro_dsn,
            """SELECT (SELECT count(*) FROM pathways WHERE case_id = $1)
                    + (SELECT count(*) FROM catalogue_sessions WHERE session_id = ANY($2))
                    + (SELECT count(*) FROM catalogue_actions WHERE action_id = ANY($3) AND published) = 5""",
            case_id,
            [session["session_id"], express_session["session_id"]],
            [approved["action_id"], express["action_id"]],
        )

    await wait_for(
        pathway_open_and_session_known,
        timeout=30,
        message="the pathway, the sessions and their published actions in ipro",
    )
    async with httpx.AsyncClient(base_url=portal["system"].url("ipro")) as ipro_api:
        await ok(
            await ipro_api.post(
                f"/pathways/{pathway_id}/adviser",
                json={"adviser": "ipro_conseiller-1"},
                headers=as_role("ipro_chef"),
            )
        )
        # The person's place at the session about to start, proposed and confirmed through the APIs.
        express_place = await ok(
            await ipro_api.post(
                f"/pathways/{pathway_id}/positionings",
                json={"action_id": express["action_id"], "session_id": express_session["session_id"]},
                headers=as_role("ipro_conseiller"),
            ),
            201,
        )
        await ok(await ipro_api.post(f"/positionings/{express_place['positioning_id']}/confirm", headers=own))

    # The adviser's caseload, then the person's pathway.
    web = portal["system"].url("web")
    await log_in(page, web, "Nadia Roux", then="/parcours")
    await expect(page).to_have_url(web + "/parcours")
    await checked(page, "ipro-parcours")
    await page.get_by_test_id("parcours").get_by_role("link", name=f"Personne {subject_id}").click()
    await expect(page).to_have_url(f"{web}/parcours/{pathway_id}")
    await expect(page.get_by_test_id("classement")).to_contain_text("Aucune demande")
    await checked(page, "ipro-parcours-personne")

    # The person's written request to work, recorded; a second one is refused, in place.
    await page.get_by_role("button", name="Enregistrer la demande de classement").click()
    await expect(page.get_by_test_id("classement")).to_contain_text("Demande enregistrée")
    await expect(page.get_by_test_id("historique")).to_contain_text("Demande de classement")
    await page.get_by_role("button", name="Enregistrer la demande de classement").click()
    await expect(page.get_by_role("alert")).to_have_text("Une demande de classement est déjà enregistrée.")
    await checked(page, "ipro-classement-refuse")

    # Positioned on the partner's session, from the catalogue.
    await page.get_by_text("Job dating logistique, le").click()
    await page.get_by_role("button", name="Positionner la personne").click()
    # Its place listed once the page has loaded again (the history named the express place already).
    await expect(page.get_by_test_id("positionnements")).to_contain_text("Job dating logistique")
    await checked(page, "ipro-positionnement")
    # The partner running the action sees the person's name on its session, and confirms the place.
    partner_context = await browser.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    partner = await partner_context.new_page()
    await log_in(
        partner,
        web,
        "Léa Garnier",
        then=f"/actions-partenaires/{approved['action_id']}",
        organisation=partner_id,
    )
    placed = partner.get_by_test_id("positionnements")
    await expect(placed).to_contain_text("MARTIN Lucas : Proposé")
    await partner.get_by_role("button", name="Confirmer la place de MARTIN Lucas").click()
    await expect(placed).to_contain_text("MARTIN Lucas : Confirmé par le partenaire")
    await checked(partner, "partenaire-positionnement-confirme")

    # The adviser withdraws that place: a reason is required, then the place is given back.
    await page.reload()
    positioned = (
        page.get_by_test_id("positionnements")
        .get_by_role("listitem")
        .filter(has_text="Job dating logistique")
    )
    await expect(positioned).to_contain_text("Confirmé par le partenaire")
    await positioned.get_by_role("button", name="Retirer le positionnement").click()
    await expect(positioned.locator(".fr-error-text")).to_have_text("Le texte est trop court.")
    await positioned.get_by_label("Motif du retrait").fill("La personne préfère la formation CACES.")
    await positioned.get_by_role("button", name="Retirer le positionnement").click()
    await expect(positioned).to_contain_text(": Retiré")
    await expect(page.get_by_test_id("historique")).to_contain_text("Positionnement retiré")
    await checked(page, "ipro-positionnement-retire")

    # The session about to start has begun: the partner records the person present, then what came of it.
    await wait_for(lambda: _passed(soon), timeout=30, interval=0.2, message="the express session to begin")
    await partner.goto(f"{web}/actions-partenaires/{express['action_id']}")
    person = partner.get_by_test_id("positionnements").get_by_role("listitem")
    await expect(person).to_contain_text("MARTIN Lucas : Confirmé par le partenaire")
    await person.locator("label", has_text="Présent").click()
    await person.get_by_role("button", name="Enregistrer la présence de MARTIN Lucas").click()
    await expect(person).to_contain_text("MARTIN Lucas : Présent")
    await person.get_by_label("Suite donnée pour MARTIN Lucas").select_option("interview_obtained")
    await person.get_by_label("Précisions (facultatives)").fill("Entretien chez Logistique Artois le 12.")
    await person.get_by_role("button", name="Enregistrer la suite pour MARTIN Lucas").click()
    await expect(person).to_contain_text("suite : Entretien d'embauche obtenu")
    await checked(partner, "partenaire-presence-et-suite")
    await partner_context.close()

    # The work the request leads to, from the same page in the governor's office: the CPU's opinion, the
    # classement granted, a post assigned (refused beside its employer until the adviser has held the
    # interview with it, which no page records yet: through the API), the contract signed, suspended,
    # resumed and ended (an end for inadequacy refused beside its reason without a preliminary interview).
    office_context = await browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    office = await office_context.new_page()
    await log_in(office, web, "Marc Lefèvre", then=f"/parcours/{pathway_id}")
    classement = office.get_by_test_id("classement")
    await office.get_by_label("Date de la CPU").fill(str(today()))
    await office.locator("label[for='cpu_favorable-true']").click()  # the DSFR draws the radio on its label
    await office.get_by_role("button", name="Enregistrer l'avis").click()
    await expect(classement).to_contain_text("avis de la CPU favorable")
    await office.locator("label[for='decision-true']").click()
    await office.locator("label[for='regime-service_general']").click()
    await office.get_by_role("button", name="Enregistrer la décision").click()
    await expect(classement).to_contain_text("(Service général)")
    await checked(office, "direction-classement-accorde")

    post_starts = today() + timedelta(days=21)
    await office.get_by_label("Régime de travail").select_option("service_general")
    await office.get_by_label("Poste", exact=True).fill("Auxiliaire de cuisine")
    await office.get_by_label("Atelier", exact=True).fill("Cuisine")
    await office.get_by_label("Employeur", exact=True).fill("Administration pénitentiaire")
    await office.get_by_label("Jour de travail").select_option("0")
    await office.get_by_label("Heure de début", exact=True).fill("08:00")
    await office.get_by_label("Heure de fin", exact=True).fill("12:00")
    await office.get_by_label("Prise de poste le").fill(str(post_starts))
    await office.get_by_role("button", name="Attribuer le poste").click()
    await expect(office.locator("#aff_employeur-erreur")).to_have_text(
        "Tenez d'abord l'entretien avec cet employeur."
    )
    await expect(office.get_by_label("Poste", exact=True)).to_have_value("Auxiliaire de cuisine")
    await checked(office, "direction-affectation-refusee")
    async with httpx.AsyncClient(base_url=portal["system"].url("ipro")) as ipro_api:
        interview = {
            "regime": "service_general",
            "employer": "Administration pénitentiaire",
            "post": "Auxiliaire de cuisine",
            "held_on": str(today()),
        }
        await ok(
            await ipro_api.post(
                f"/pathways/{pathway_id}/work/employer-interviews",
                json=interview,
                headers=as_role("ipro_conseiller"),
            ),
            201,
        )
    await office.get_by_role("button", name="Attribuer le poste").click()
    await expect(office.get_by_text("Auxiliaire de cuisine, Cuisine (Service général")).to_be_visible()

    await office.get_by_label("Poste du contrat").select_option(label="Auxiliaire de cuisine, Cuisine")
    await office.get_by_label("Début du contrat").fill(str(post_starts))
    await office.get_by_label("Période d'essai (jours)").fill("2")
    await office.get_by_role("button", name="Enregistrer le contrat signé").click()
    contracts = office.get_by_test_id("contrats")
    await expect(contracts).to_contain_text(f"Du {day(post_starts)} : en cours")
    await checked(office, "direction-contrat-signe")
    await office.get_by_label("Motif de la suspension").select_option("illness")
    await office.get_by_role("button", name="Suspendre le contrat").click()
    await expect(contracts).to_contain_text(": suspendu")
    await checked(office, "direction-contrat-suspendu")
    await office.get_by_role("button", name="Reprendre le contrat").click()
    await expect(contracts).to_contain_text(": en cours")
    await office.get_by_label("Motif de la fin").select_option("professional_inadequacy")
    await office.get_by_role("button", name="Mettre fin au contrat").click()
    await expect(office.locator("#motif-fin-erreur")).to_have_text(
        "Une fin pour inaptitude professionnelle suit un entretien préalable : enregistrez-le d'abord."
    )
    await checked(office, "direction-contrat-fin-refusee")
    await office.get_by_label("Motif de la fin").select_option("agreement")
    await office.get_by_role("button", name="Mettre fin au contrat").click()
    await expect(contracts).to_contain_text(": terminé")
    await expect(office.get_by_role("button", name="Mettre fin au contrat")).to_have_count(0)
    await checked(office, "direction-contrat-termine")
    await office_context.close()


async def _passed(moment: datetime) -> bool:
    return datetime.now(PARIS) >= moment
