"""The partners service and the IPRO service together, each its real app with its relay: an action the
partners service approves and publishes reaches IPRO's catalogue through `partners.events`; an adviser
positions a person on its session and the organisation running it, as the partners service knows it, confirms
the place in IPRO. (IPRO's own tests feed this replica with contract-built events instead.)"""

import uuid
from datetime import date, datetime, timedelta

import pytest

from contracts.assessment import CaseOpened, Identity, ReferentAssigned, Sentence
from devinfra.testkit import Upstream, ok, query_value, service_settings, serving, valid_siret, wait_for
from ipro.bootstrap import create_app as create_ipro_app
from ipro.settings import IproSettings
from kernel.clock import LOCAL_TIME_ZONE, local_date
from partners.bootstrap import create_app as create_partners_app
from partners.settings import PartnersSettings

pytestmark = pytest.mark.integration


@pytest.fixture
async def services(new_database, infrastructure, dev_keys, topic_prefix, clock):
    """(partners, ipro, ipro settings, ipro dsn): two apps on their own databases, sharing fresh topics and one
    clock."""
    partners = service_settings(
        PartnersSettings,
        await new_database("partners"),
        infrastructure,
        dev_keys,
        topic_prefix,
        run_relay=True,
    )
    ipro_dsn = await new_database("ipro")
    ipro = service_settings(IproSettings, ipro_dsn, infrastructure, dev_keys, topic_prefix, run_relay=True)
    async with (
        serving(create_partners_app(partners, clock=clock)) as partners_api,
        serving(create_ipro_app(ipro, clock=clock)) as ipro_api,
    ):
        yield partners_api, ipro_api, ipro, ipro_dsn


async def published_action(api, as_role, today: date, starts_at: datetime) -> tuple[str, str, str]:
    """A call, an accredited organisation, its proposal approved into an action with one session, published:
    (partner id, action id, session id)."""
    chef = as_role("ipro_chef")
    call = await ok(
        await api.post(
            "/calls",
            headers=chef,
            json={
                "title": "Emploi 2027",
                "theme": "Insertion professionnelle",
                "establishment": "InSERRE Arras",
                "description": "Actions d'insertion en détention",
                "opens_on": str(today - timedelta(days=1)),
                "closes_on": str(today + timedelta(days=30)),
                "target_themes": ["job_forum"],
                "eligibility_notes": "",
            },
        ),
        201,
    )
    await ok(await api.post(f"/calls/{call['call_id']}/publish", headers=chef))
    partner = await ok(
        await api.post(
            "/partners",
            headers=chef,
            json={
                "name": "Association Emploi Artois",
                "siret": valid_siret(4242),
                "organisation_type": "association",
            },
        ),
        201,
    )
    partner_id = partner["partner_id"]
    await ok(
        await api.post(
            f"/partners/{partner_id}/accredit",
            headers=as_role("dpip"),
            json={"establishment": "InSERRE Arras", "accredited_until": str(today + timedelta(days=365))},
        )
    )
    own = as_role("partenaire", organisation_id=partner_id)
    proposal = await ok(
        await api.post(
            "/proposals",
            headers=own,
            json={
                "call_id": call["call_id"],
                "content": {
                    "title": "Job dating logistique",
                    "action_type": "job_forum",
                    "objectives": "Rencontrer des employeurs",
                    "target_public": "Personnes à 6 mois de la sortie",
                    "prerequisites": "",
                    "capacity_min": 1,
                    "capacity_max": 8,
                    "planned_sessions": [
                        {"starts_at": starts_at.isoformat(), "duration_minutes": 120, "place": "Salle 1"}
                    ],
                    "facilitators": ["Camille Martin"],
                    "resources_needed": "",
                },
            },
        ),
        201,
    )
    url = f"/proposals/{proposal['proposal_id']}"
    await ok(await api.post(f"{url}/submit", headers=own))
    await ok(await api.post(f"{url}/start-review", headers=as_role("ripro")))
    approved = await ok(await api.post(f"{url}/approve", headers=as_role("ripro")))
    # The approval schedules the proposal's planned session on the new action (issue 13 #12).
    (scheduled,) = approved["scheduled_sessions"]
    action_id, session_id = approved["action_id"], scheduled["session_id"]
    await ok(await api.post(f"/actions/{action_id}/publish", headers=chef))
    return partner_id, action_id, session_id


async def test_an_action_the_partners_service_publishes_takes_a_place_its_organisation_confirms_in_ipro(
    services, as_role, clock
):
    partners, ipro, ipro_settings, ipro_dsn = services
    today = local_date(clock())
    starts_at = datetime.combine(
        today + timedelta(days=14), datetime.min.time(), tzinfo=LOCAL_TIME_ZONE
    ).replace(hour=10)
    partner_id, action_id, session_id = await published_action(partners, as_role, today, starts_at)

    # The person, admitted as the assessment service publishes it (that pair has its own end-to-end test).
    case_id = str(uuid.uuid4())
    await Upstream(ipro_settings, "assessment", role="dpip").publish(
        case_id,
        CaseOpened(
            case_id=case_id,
            subject_id="person-e2e",
            establishment="InSERRE Arras",
            admission_date=today,
            identity=Identity(
                last_name="Martin", first_names="Lucas", birth_date=date(1994, 3, 12), ecrou_number="62041"
            ),
            sentence=Sentence(
                short_sentence=False, total_length_months=30, expected_end_date=today + timedelta(days=400)
            ),
        ),
        ReferentAssigned(case_id=case_id, referent="cpip-1"),
        subject="person-e2e",
    )

    async def in_the_catalogue_with_the_pathway_open():
        return await query_value(
            ipro_dsn,
            """SELECT count(*) = 2 FROM (
            SELECT 1 FROM catalogue_sessions s JOIN catalogue_actions a USING (action_id)
            WHERE s.session_id = $1 AND a.published AND a.partner_id = $2
            UNION ALL SELECT 1 FROM pathways WHERE case_id = $3) AS known""",
            session_id,
            partner_id,
            case_id,
        )

    await wait_for(
        in_the_catalogue_with_the_pathway_open,
        timeout=30,
        message="the published action in IPRO's catalogue, and the person's pathway",
    )
    positioned = await ok(
        await ipro.post(
            f"/pathways/pathway-{case_id}/positionings",
            headers=as_role("ipro_chef"),
            json={"action_id": action_id, "session_id": session_id},
        ),
        201,
    )
    assert positioned["partner_id"] == partner_id
    assert datetime.fromisoformat(positioned["starts_at"]) == starts_at

    place = f"/positionings/{positioned['positioning_id']}"
    confirmed = await ok(
        await ipro.post(f"{place}/confirm", headers=as_role("partenaire", organisation_id=partner_id))
    )
    assert confirmed["status"] == "confirmed"
    # Another organisation does not see the place at all.
    other = as_role("partenaire", organisation_id=str(uuid.uuid4()))
    assert (await ipro.get(place, headers=other)).status_code == 404
    line = await ok(await ipro.get(place, headers=as_role("partenaire", organisation_id=partner_id)))
    assert (line["last_name"], line["status"]) == ("Martin", "confirmed") and "subject_id" not in line
