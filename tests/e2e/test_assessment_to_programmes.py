"""The assessment and programmes services end to end, each on its own database: a person followed through the
real assessment service (HTTP → event store → relay → Kafka) reaches the programmes service's replica, is
referred and enrolled there, and their release, recorded by the assessment service, ends the referral and
frees the seat. The programmes service's own tests feed its replica with contract-built events
(`testkit.Upstream`); this is the one test of the real path between the two."""

from datetime import timedelta

import pytest

from assessment.bootstrap import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from devinfra.testkit import followed_with_a_plan, ok, query_value, service_settings, serving, wait_for
from kernel.clock import local_date
from programmes.bootstrap import create_app as create_programmes_app
from programmes.settings import ProgrammesSettings

pytestmark = pytest.mark.integration


async def an_open_group(programmes, dpip, today) -> dict:
    """A group of the "parcours" programme, 12 weeks of Tuesdays from next week in Salle 1, open."""
    start = today + timedelta(days=7 - today.weekday())
    group = await ok(
        await programmes.post(
            "/groups",
            headers=dpip,
            json={
                "programme_id": "programme-parcours",
                "establishment": "InSERRE Arras",
                "room": "Salle 1",
                "facilitators": ["cpip-1"],
                "start_date": str(start),
                "end_date": str(start + timedelta(weeks=12)),
                "pattern": {"weekday": 1, "starts_at": "14:00", "duration_minutes": 120},
                "capacity": 8,
            },
        ),
        201,
    )
    await ok(await programmes.post(f"/groups/{group['group_id']}/open", headers=dpip))
    return group


async def referred_and_enrolled(programmes, as_role, case_id: str, plan_id: str, today) -> str:
    """The person referred from the plan's first objective to the "parcours" programme once the programmes
    replica knows their case, consenting, and enrolled in a fresh open group: the referral id."""
    cpip, dpip = as_role("cpip"), as_role("dpip")

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

    referral = await wait_for(referred, timeout=30, message="the case in the programmes replica")
    url = f"/referrals/{referral['referral_id']}"
    await ok(await programmes.post(f"{url}/consent", headers=cpip, json={"given": True}))
    group = await an_open_group(programmes, dpip, today)
    await ok(await programmes.post(f"{url}/enrol", headers=cpip, json={"group_id": group["group_id"]}))
    return referral["referral_id"]


@pytest.fixture
async def services(new_database, infrastructure, dev_keys, topic_prefix, clock):
    """Both services on fresh databases and shared fresh topics, their relays and consumers running."""
    assessment_settings, programmes_settings = [
        service_settings(
            settings, await new_database(name), infrastructure, dev_keys, topic_prefix, run_relay=True
        )
        for settings, name in ((AssessmentSettings, "assessment"), (ProgrammesSettings, "programmes"))
    ]
    async with (
        serving(create_assessment_app(assessment_settings, clock=clock)) as assessment,
        serving(create_programmes_app(programmes_settings, clock=clock)) as programmes,
    ):
        yield assessment, programmes, programmes_settings.database_url


async def test_a_person_followed_in_assessment_is_referred_in_programmes_and_released_from_it(
    services, as_role, clock
):
    assessment, programmes, programmes_dsn = services
    cpip, dpip, today = as_role("cpip"), as_role("dpip"), local_date(clock())

    case_id, plan_id, subject = await followed_with_a_plan(assessment, as_role, today)
    await wait_for(
        lambda: query_value(
            programmes_dsn,
            """SELECT 1 FROM followed_cases c JOIN followed_plans p USING (case_id)
               JOIN followed_risks r USING (case_id) WHERE c.case_id = $1 AND c.referent = 'cpip-1'""",
            case_id,
        ),
        timeout=30,
        message="the case, its assessment and its plan in the programmes replica",
    )

    referral = await ok(
        await programmes.post(
            "/referrals",
            headers=cpip,
            json={
                "case_id": case_id,
                "programme_id": "programme-parcours",
                "plan_id": plan_id,
                "objective_id": "obj-1",
            },
        ),
        201,
    )
    assert (referral["status"], referral["subject_id"]) == ("eligible", subject)
    url = f"/referrals/{referral['referral_id']}"
    await ok(await programmes.post(f"{url}/consent", headers=cpip, json={"given": True}))
    group = await an_open_group(programmes, dpip, today)
    enrolled = await ok(
        await programmes.post(f"{url}/enrol", headers=cpip, json={"group_id": group["group_id"]})
    )
    assert enrolled["status"] == "enrolled"

    await ok(
        await assessment.post(
            f"/cases/{case_id}/close", headers=dpip, json={"reason": "release", "closed_on": str(today)}
        )
    )

    async def released() -> dict | None:
        found = await ok(await programmes.get(url, headers=dpip))
        return found if found["status"] != "enrolled" else None

    ended = await wait_for(released, timeout=30, message="the release in the programmes service")
    assert (ended["status"], ended["end_reason"]) == ("withdrawn", "released")
    assert (await ok(await programmes.get(f"/groups/{group['group_id']}", headers=dpip)))["participants"] == 0
