"""The governor's office's and a programme facilitator's day in headless Chromium, against the real
projections and programmes services: next week's schedule with a room booked twice, the movement list of
that day and its print page, the indicators' charts and tables; a DPIP planning, opening and starting a
group from the pages, its facilitator recording a person's consent and enrolling them, entering attendance,
printing the register and recording the person's drop-out, the DPIP closing the group. Each page
screenshotted and checked by axe-core.

The week's group is planned through the programmes service (which publishes it, as in production); the
partner's session in the same room and a person's escorted leave are published on the partners', IPRO's and
assessment's topics as those services would (`Upstream`): the services themselves are not started."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import expect

from contracts.assessment import CaseOpened, Identity, Sentence
from contracts.ipro import LeaveDecided, LeaveKind, LeaveRequested, PathwayOpened
from contracts.partners import (
    ActionCreated,
    ActionType,
    CallContent,
    CallDrafted,
    OrganisationType,
    PartnerRegistered,
    SessionScheduled,
    SessionSlot,
)
from devinfra.testkit import (
    PSEUDONYM_TEST_SECRET,
    LocalSystem,
    Upstream,
    followed_with_a_plan,
    headers_for,
    ok,
    wait_for,
)
from devinfra.web import web_environment
from kernel.settings import ServiceSettings

from .conftest import log_in, screenshot, serious_violations

pytestmark = pytest.mark.integration

PARIS = ZoneInfo("Europe/Paris")
ARRAS = "CP d'Arras"
ROOM = "Salle polyvalente"


def next_week() -> tuple[date, date]:
    """Next week's Monday and Tuesday: the group is planned ahead, its sessions still to come."""
    today = datetime.now(PARIS).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return monday, monday + timedelta(days=1)


@pytest.fixture(scope="module")
async def system(infrastructure, dev_keys, unique_name, tmp_path_factory) -> AsyncIterator[LocalSystem]:
    """Projections, programmes and the web app, as `make up` runs them, on fresh databases and topics."""

    async def database(service: str) -> str:
        return await infrastructure.create_database(unique_name(f"w4_{service}").replace("-", "_"))

    environment = {
        "PROJECTIONS_DATABASE_URL": await database("projections"),
        "PROGRAMMES_DATABASE_URL": await database("programmes"),
        "ASSESSMENT_DATABASE_URL": await database("assessment"),
        "KAFKA_BOOTSTRAP_SERVERS": infrastructure.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": unique_name("w4") + ".",
        "AUTH_JWKS_FILE": str(dev_keys.jwks_path),
        "PSEUDONYM_SECRET": PSEUDONYM_TEST_SECRET,
        "LOG_LEVEL": "INFO",
    }
    system = LocalSystem(
        tmp_path_factory.mktemp("w4"), environment, ["assessment", "projections", "programmes", "web"]
    )
    apis = [system.services[name] for name in ("assessment", "projections", "programmes")]
    system.environment.update(web_environment(apis, dev_keys.jwks_path.parent))
    await asyncio.to_thread(system.start, timeout=90)
    yield system
    await asyncio.to_thread(system.stop)


@pytest.fixture(scope="module")
async def week(system, dev_keys, infrastructure) -> dict:
    """Next Tuesday: the DPIP's PPR group at 14:30 in the multi-purpose room, where a partner's CV workshop
    runs from 14:00 (the room booked twice), and Karim Benali's escorted professional leave that day."""
    monday, tuesday = next_week()
    as_role = headers_for(dev_keys)
    async with httpx.AsyncClient(base_url=system.url("programmes")) as programmes:
        group = await ok(
            await programmes.post(
                "/groups",
                headers=as_role("dpip"),
                json={
                    "programme_id": "programme-ppr",
                    "establishment": ARRAS,
                    "room": ROOM,
                    "facilitators": ["cpip-1"],
                    "start_date": str(tuesday),
                    "end_date": str(tuesday + timedelta(weeks=10)),
                    "pattern": {"weekday": 1, "starts_at": "14:30", "duration_minutes": 120},
                    "capacity": 10,
                },
            ),
            201,
        )
    settings = ServiceSettings(
        database_url="unused",
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=system.environment["KAFKA_TOPIC_PREFIX"],
    )

    def at(hour: int) -> datetime:
        return datetime.combine(tuesday, time(hour), tzinfo=PARIS)

    partners = Upstream(settings, "partners", role="ripro")
    await partners.publish(
        "partner-w4",
        PartnerRegistered(
            partner_id="partner-w4",
            name="Association Emploi Arras",
            siret="73282932000074",
            organisation_type=OrganisationType.ASSOCIATION,
        ),
    )
    await partners.publish(
        "call-w4",
        CallDrafted(
            call_id="call-w4",
            content=CallContent(
                title="Espace emploi",
                theme="Espace emploi",
                establishment=ARRAS,
                opens_on=monday - timedelta(days=60),
                closes_on=monday - timedelta(days=30),
                target_themes=[ActionType.JOB_SEARCH_WORKSHOP],
            ),
        ),
    )
    await partners.publish(
        "action-w4",
        ActionCreated(
            action_id="action-w4",
            proposal_id="proposal-w4",
            call_id="call-w4",
            partner_id="partner-w4",
            title="Atelier CV",
            action_type=ActionType.JOB_SEARCH_WORKSHOP,
            theme="Espace emploi",
            capacity_min=2,
            capacity_max=8,
        ),
        SessionScheduled(
            action_id="action-w4",
            session_id="a-w4-s-1",
            slot=SessionSlot(
                starts_at=at(14), ends_at=at(16), place=ROOM, facilitators=["Camille Formatrice"]
            ),
        ),
    )
    person = "person-w4"
    await Upstream(settings, "assessment", role="dpip").publish(
        "case-w4",
        CaseOpened(
            case_id="case-w4",
            subject_id=person,
            identity=Identity(
                last_name="Benali", first_names="Karim", birth_date=date(1990, 2, 1), ecrou_number="B67890"
            ),
            establishment=ARRAS,
            admission_date=monday - timedelta(days=90),
            sentence=Sentence(
                short_sentence=False, total_length_months=30, expected_end_date=monday + timedelta(days=700)
            ),
        ),
        subject=person,
    )
    ipro = Upstream(settings, "ipro", role="direction")
    await ipro.publish(
        "pathway-w4",
        PathwayOpened(
            pathway_id="pathway-w4",
            case_id="case-w4",
            subject_id=person,
            establishment=ARRAS,
            opened_on=monday - timedelta(days=80),
            synthesis_due_on=monday - timedelta(days=50),
        ),
        LeaveRequested(
            pathway_id="pathway-w4",
            leave_id="leave-w4",
            kind=LeaveKind.ESCORTED_PROFESSIONAL_LEAVE,
            starts_on=tuesday,
            ends_on=tuesday,
            purpose="Visite de l'entreprise Bâtir",
        ),
        LeaveDecided(pathway_id="pathway-w4", leave_id="leave-w4", approved=True, reason=""),
        subject=person,
    )
    async with httpx.AsyncClient(base_url=system.url("projections")) as projections:
        window = {"from": str(monday), "establishment": ARRAS}

        # The pages are read once, not polled, and each view has its own consumer, each in its own time: the
        # movement list names the person and the partner from the file's identities and the directory, and the
        # indicators count the person's stay on their own.
        async def seen() -> bool:
            conflicts = await projections.get(
                "/schedule/conflicts", params=window, headers=as_role("direction")
            )
            movements = await projections.get(
                "/movements",
                params={"day": str(tuesday), "establishment": ARRAS},
                headers=as_role("direction"),
            )
            indicators = await projections.get("/indicators", headers=as_role("direction"))
            day = movements.json() if movements.status_code == 200 else {}
            return (
                conflicts.status_code == 200
                and any(c["kind"] == "room_double_booked" for c in conflicts.json()["items"])
                and any(m["last_name"] == "Benali" for m in day.get("movements", []))
                and any(p["organisation"] == "Association Emploi Arras" for p in day.get("partners", []))
                and indicators.status_code == 200
                and any(m["establishment"] == ARRAS for m in indicators.json()["months"])
            )

        await wait_for(
            seen,
            timeout=30,
            message="the room conflict, the named movements and the site's indicators in projections",
        )
    return {"monday": monday, "tuesday": tuesday, "group_id": group["group_id"]}


@pytest.fixture(scope="module")
async def martin_referred(system, dev_keys) -> dict:
    """Lucas Martin, followed by cpip-1 with a plan and referred to PARCOURS, his consent not asked yet: his
    to be recorded from the referral's page, then to be enrolled in the group the DPIP plans from the page."""
    as_role = headers_for(dev_keys)
    cpip = as_role("cpip")
    today = datetime.now(PARIS).date()
    async with httpx.AsyncClient(base_url=system.url("assessment")) as assessment:
        case_id, plan_id, _ = await followed_with_a_plan(assessment, as_role, today)
    async with httpx.AsyncClient(base_url=system.url("programmes")) as programmes:

        async def referred():
            response = await programmes.post(
                "/referrals",
                headers=cpip,
                json={
                    "case_id": case_id,
                    "programme_id": "programme-parcours",
                    "plan_id": plan_id,
                    "objective_id": "obj-1",
                },
            )
            return response.json() if response.status_code == 201 else None

        return await wait_for(referred, timeout=30, message="the case in the programmes replica")


@pytest.fixture
async def dpip_page(browser) -> AsyncIterator:
    """The DPIP's own browser, beside the facilitator's, tablet-sized."""
    context = await browser.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    yield await context.new_page()
    await context.close()


async def plan_todays_group(dpip, web: str) -> str:
    """The DPIP plans a PARCOURS group from the page, cpip-1 facilitating, whose first session began at
    midnight today (a capacity outside the programme's limits refused first, beside it, all else kept), and
    opens it for enrolment; its id."""
    today = datetime.now(PARIS).date()
    await log_in(dpip, web, "Sophie Bernard")
    await dpip.goto(f"{web}/groupes?programme=programme-parcours")
    await dpip.get_by_role("link", name="Planifier un groupe").click()
    await expect(dpip.get_by_role("heading", level=1)).to_have_text("Planifier un groupe")
    await expect(dpip.get_by_label("Programme")).to_have_value("programme-parcours")
    await dpip.get_by_label("Établissement", exact=True).select_option("InSERRE Arras")
    await dpip.get_by_label("Salle").fill("Salle 1")
    await dpip.get_by_label("Animateurs").fill("cpip-1")
    await dpip.get_by_label("Nombre de places").fill("20")
    await dpip.get_by_label("Premier jour").fill(str(today))
    await dpip.get_by_label("Dernier jour").fill(str(today + timedelta(weeks=12)))
    await dpip.get_by_label("Jour des séances").select_option(str(today.weekday()))
    await dpip.get_by_label("Heure de début").fill("00:00")
    await dpip.get_by_role("button", name="Planifier le groupe").click()
    await expect(dpip.locator("#capacite-erreur")).to_have_text(
        "Ce nombre de places sort des limites de taille du programme."
    )
    await expect(dpip.get_by_label("Salle")).to_have_value("Salle 1")
    await expect(dpip.get_by_label("Dernier jour")).to_have_value(str(today + timedelta(weeks=12)))
    await screenshot(dpip, "dpip-groupe-planification-refusee")
    assert await serious_violations(dpip) == []
    await dpip.get_by_label("Nombre de places").fill("8")
    await dpip.get_by_role("button", name="Planifier le groupe").click()
    await expect(dpip).to_have_url(re.compile(rf"{re.escape(web)}/groupes/[^/]+$"))
    await expect(dpip.get_by_test_id("seances").get_by_role("row")).to_have_count(13)  # 12 and the header
    await dpip.get_by_role("button", name="Ouvrir les inscriptions").click()
    await expect(dpip.get_by_role("main")).to_contain_text("Inscriptions ouvertes")
    await screenshot(dpip, "dpip-groupe-planifie")
    assert await serious_violations(dpip) == []
    return dpip.url.rsplit("/", 1)[1]


async def start_below_minimum(dpip, web: str, group_id: str) -> None:
    """The DPIP starts the group below its minimum size: refused without a reason (said beside it), then
    started with one."""
    await dpip.goto(f"{web}/groupes/{group_id}")
    await dpip.get_by_role("button", name="Commencer le groupe").click()
    await expect(dpip.locator("#conduite-motif-erreur")).to_contain_text(
        "Le groupe compte moins de participants que le minimum du programme"
    )
    await screenshot(dpip, "dpip-groupe-demarrage-refuse")
    await dpip.get_by_label("Motif d'un démarrage en dessous de l'effectif minimum").fill(
        "Groupe pilote : démarrage à un participant"
    )
    await dpip.get_by_role("button", name="Commencer le groupe").click()
    await expect(dpip.get_by_role("main")).to_contain_text("Commencé")
    await expect(dpip.get_by_role("button", name="Clore le groupe")).to_be_visible()
    await screenshot(dpip, "dpip-groupe-commence")
    assert await serious_violations(dpip) == []


async def test_the_governors_office_sees_the_conflict_prints_the_movements_and_reads_the_indicators(
    system, week, page
):
    web = system.url("web")
    monday, tuesday = week["monday"], week["tuesday"]
    await log_in(page, web, "Marc Lefèvre")

    # This week, then the next one: the room booked twice, said in words in the list and on both sessions.
    await page.get_by_role("link", name="La semaine").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("La semaine de l'établissement")
    await page.get_by_label("Établissement").select_option(ARRAS)
    await page.get_by_role("button", name="Afficher").click()
    await expect(page).to_have_url(re.compile(r"etablissement=CP"))  # swapped in place, the URL kept
    await page.get_by_role("link", name="Semaine suivante").click()
    await expect(page).to_have_url(re.compile(rf"/semaine\?du={monday}&etablissement=CP"))
    conflicts = page.get_by_test_id("conflits")
    await expect(conflicts).to_contain_text("1 conflit à régler")
    await expect(conflicts.get_by_role("listitem")).to_contain_text("Salle réservée deux fois")
    await expect(conflicts.get_by_role("listitem")).to_contain_text("« Atelier CV »")
    tuesday_table = page.get_by_test_id(f"jour-{tuesday}")
    await expect(tuesday_table.get_by_text("Conflit : Salle réservée deux fois")).to_have_count(2)
    await screenshot(page, "direction-semaine-conflit")
    assert await serious_violations(page) == []

    # Tuesday's movement list: the escorted leave and the partner coming in; then its print page.
    await page.get_by_role("link", name="Mouvements du jour").click()
    await page.get_by_label("Jour").fill(str(tuesday))
    await page.get_by_label("Établissement").select_option(ARRAS)
    await page.get_by_role("button", name="Afficher").click()
    await expect(page).to_have_url(re.compile(rf"jour={tuesday}"))
    leave = page.get_by_test_id("mouvements").get_by_role("row").filter(has_text="BENALI Karim")
    await expect(leave).to_contain_text("Toute la journée")
    await expect(leave).to_contain_text("Escortée")
    await expect(page.get_by_test_id("partenaires")).to_contain_text("Association Emploi Arras")
    await screenshot(page, "direction-mouvements")
    assert await serious_violations(page) == []
    await page.get_by_role("link", name="Imprimer la liste").click()
    await expect(page).to_have_url(f"{web}/mouvements/impression?jour={tuesday}&etablissement=CP%20d%27Arras")
    await expect(page.locator("body")).to_contain_text("BENALI Karim")
    await screenshot(page, "direction-mouvements-impression")
    await page.go_back()

    # The indicators: each chart drawn by projections and served with the user's token, its table beside it.
    await page.get_by_role("link", name="Indicateurs").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs InSERRE")
    chart = page.get_by_role("img", name="Graphique : Présence aux actions partenaires", exact=False)
    await expect(chart).to_be_visible()
    # Visible as soon as it is laid out: drawn once its SVG has loaded, which may come a moment later.
    drawn = "image => image.complete && image.naturalWidth > 0"
    await page.wait_for_function(drawn, arg=await chart.element_handle())
    # Its values, folded under the chart, unfold from the keyboard.
    await page.get_by_role("button", name="Les valeurs du graphique : Part des jours en travail").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("valeurs-in-activity")).to_be_visible()
    await expect(page.get_by_test_id("valeurs-in-activity")).to_contain_text(ARRAS)
    await screenshot(page, "direction-indicateurs")
    assert await serious_violations(page) == []


async def test_a_dpip_plans_and_starts_a_group_a_facilitator_runs_it_and_records_a_drop_out(
    system, martin_referred, page, dpip_page, dev_keys
):
    web = system.url("web")
    group_id = await plan_todays_group(dpip_page, web)
    await log_in(page, web, "Camille Laurent")

    await page.get_by_role("link", name="Programmes").click()
    await expect(page.get_by_test_id("catalogue")).to_contain_text("PARCOURS")
    await screenshot(page, "cpip-catalogue")
    assert await serious_violations(page) == []
    await page.get_by_role("link", name="Groupes PARCOURS", exact=True).click()
    groups = page.get_by_test_id("groupes")
    await expect(groups).to_contain_text("InSERRE Arras")
    await screenshot(page, "cpip-groupes")
    assert await serious_violations(page) == []
    await groups.get_by_role("link").first.click()
    await expect(page).to_have_url(f"{web}/groupes/{group_id}")

    # The referral waiting for a place: not before the person's consent, recorded from the referral's page
    # (an unanswered question refused beside it), then enrolled from the group's page.
    await page.get_by_role("button", name="Inscrire").click()
    await expect(page.locator("#placements").get_by_role("alert")).to_have_text(
        "Recueillez d'abord le consentement de la personne."
    )
    await page.get_by_role("link", name="consentement non recueilli").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Orientation vers PARCOURS : MARTIN Lucas"
    )
    await page.get_by_role("button", name="Enregistrer la réponse").click()
    await expect(page.locator("#consentement-erreur")).to_have_text("Choisissez une réponse.")
    await screenshot(page, "cpip-consentement-refuse")
    assert await serious_violations(page) == []
    await page.locator("label", has_text="Oui, elle consent").click()
    await page.get_by_role("button", name="Enregistrer la réponse").click()
    await expect(page.get_by_test_id("orientation")).to_contain_text("Consentement : donné le")
    await screenshot(page, "cpip-consentement")
    assert await serious_violations(page) == []
    await page.goto(f"{web}/groupes/{group_id}")
    await page.get_by_role("button", name="Inscrire").click()
    await expect(page).to_have_url(f"{web}/groupes/{group_id}")
    enrolled = page.get_by_test_id("orientations").get_by_role("row").filter(has_text="MARTIN Lucas")
    await expect(enrolled).to_contain_text("Inscrit")
    await screenshot(page, "cpip-groupe")
    assert await serious_violations(page) == []

    # Attendance before the group has started: refused, what was entered kept.
    await page.get_by_role("link", name="Saisir la présence de la séance 1", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Présence : PARCOURS, séance 1")
    await page.get_by_label("Présence de MARTIN Lucas").select_option("present")
    await page.get_by_role("button", name="Enregistrer la présence").click()
    await expect(page.get_by_role("alert")).to_contain_text("Le groupe n'a pas encore commencé")
    await expect(page.get_by_label("Présence de MARTIN Lucas")).to_have_value("present")
    await screenshot(page, "cpip-presence-refusee")
    assert await serious_violations(page) == []

    await start_below_minimum(dpip_page, web, group_id)
    await page.get_by_role("button", name="Enregistrer la présence").click()
    await expect(page).to_have_url(f"{web}/groupes/{group_id}")
    first = page.get_by_test_id("seances").get_by_role("row").nth(1)
    await expect(first).to_contain_text("Tenue")

    await page.get_by_role("link", name="Imprimer la feuille d'émargement").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Feuille d'émargement — PARCOURS")
    await expect(page.get_by_role("row").filter(has_text="Martin")).to_contain_text("Présent")
    await screenshot(page, "cpip-emargement")

    # He stops coming: the drop-out recorded from his referral, its reason asked for first.
    await page.goto(f"{web}/groupes/{group_id}")
    await page.get_by_role("link", name="Suivre l'orientation de MARTIN Lucas").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Orientation vers PARCOURS : MARTIN Lucas"
    )
    await expect(page.get_by_test_id("situation")).to_have_text("Situation : En cours")
    await page.get_by_role("button", name="Enregistrer l'abandon").click()
    await expect(page.locator("#abandon-motif-erreur")).to_have_text("Le texte est trop court.")
    await screenshot(page, "cpip-abandon-refuse")
    assert await serious_violations(page) == []
    await page.locator("#abandon-motif").fill("Ne vient plus depuis son changement d'atelier.")
    await page.get_by_role("button", name="Enregistrer l'abandon").click()
    await expect(page.get_by_test_id("situation")).to_have_text("Situation : Abandon")
    await expect(page.get_by_test_id("orientation")).to_contain_text(
        "Motif de fin : Ne vient plus depuis son changement d'atelier."
    )
    await screenshot(page, "cpip-abandon")
    assert await serious_violations(page) == []

    # The DPIP closes the group: refused while sessions are neither held nor cancelled; once the others are
    # cancelled (through the API: no page cancels a session yet), closed.
    await dpip_page.goto(f"{web}/groupes/{group_id}")
    await dpip_page.get_by_role("button", name="Clore le groupe").click()
    await expect(dpip_page.locator("#conduite").get_by_role("alert")).to_have_text(
        "Des séances n'ont ni présence saisie ni annulation : complétez-les avant de clore le groupe."
    )
    await screenshot(dpip_page, "dpip-groupe-cloture-refusee")
    assert await serious_violations(dpip_page) == []
    dpip = headers_for(dev_keys)("dpip")
    async with httpx.AsyncClient(base_url=system.url("programmes")) as programmes:
        group = await ok(await programmes.get(f"/groups/{group_id}", headers=dpip))
        for pending in (s for s in group["sessions"] if not (s["held"] or s["cancelled"])):
            await ok(
                await programmes.post(
                    f"/groups/{group_id}/sessions/{pending['session']['session_id']}/cancel",
                    headers=dpip,
                    json={"reason": "Le groupe s'arrête : plus aucun participant."},
                )
            )
    await dpip_page.goto(f"{web}/groupes/{group_id}")  # not a reload, which would post the refused form again
    await dpip_page.get_by_role("button", name="Clore le groupe").click()
    await expect(dpip_page.get_by_role("main")).to_contain_text("· Clos ·")
    await expect(dpip_page.get_by_role("button", name="Clore le groupe")).to_have_count(0)
    await screenshot(dpip_page, "dpip-groupe-clos")
    assert await serious_violations(dpip_page) == []
