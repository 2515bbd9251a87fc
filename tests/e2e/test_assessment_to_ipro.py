"""The assessment service and the IPRO service together, each its real app with its relay: a case the SPIP
opens reaches IPRO through `assessment.events` and opens the person's pathway, which the case's referent CPIP
reads; the release closes it. (IPRO's own tests feed this replica with contract-built events instead.)"""

from datetime import timedelta

import pytest

from assessment.bootstrap import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from devinfra.testkit import ok, service_settings, serving, wait_for
from ipro.bootstrap import create_app as create_ipro_app
from ipro.settings import IproSettings
from kernel.clock import local_date

pytestmark = pytest.mark.integration


@pytest.fixture
async def services(new_database, infrastructure, dev_keys, topic_prefix, clock):
    """(assessment, ipro): two apps on their own databases, sharing fresh topics and one clock."""
    assessment = service_settings(
        AssessmentSettings,
        await new_database("assessment"),
        infrastructure,
        dev_keys,
        topic_prefix,
        run_relay=True,
    )
    ipro = service_settings(
        IproSettings, await new_database("ipro"), infrastructure, dev_keys, topic_prefix, run_relay=True
    )
    async with (
        serving(create_assessment_app(assessment, clock=clock)) as assessment_api,
        serving(create_ipro_app(ipro, clock=clock)) as ipro_api,
    ):
        yield assessment_api, ipro_api


async def test_a_case_the_spip_opens_opens_the_pathway_its_referent_reads_and_the_release_closes_it(
    services, as_role, clock
):
    assessment, ipro = services
    today = local_date(clock())
    case = await ok(
        await assessment.post(
            "/cases",
            headers=as_role("dpip"),
            json={
                "establishment": "InSERRE Arras",
                "admission_date": str(today),
                "identity": {
                    "last_name": "Martin",
                    "first_names": "Lucas",
                    "birth_date": "1994-03-12",
                    "ecrou_number": "62041",
                },
                "sentence": {
                    "short_sentence": False,
                    "total_length_months": 30,
                    "expected_end_date": str(today + timedelta(days=150)),
                    "offence_categories": ["theft"],
                },
                "referent": "cpip-1",
            },
        ),
        201,
    )
    url = f"/pathways/pathway-{case['case_id']}"

    async def read_by_the_referent():
        response = await ipro.get(url, headers=as_role("cpip"))
        return response.json() if response.status_code == 200 else None

    pathway = await wait_for(
        read_by_the_referent, timeout=30, message="the pathway, read by the referent CPIP"
    )
    assert (pathway["case_id"], pathway["subject_id"], pathway["establishment"]) == (
        case["case_id"],
        case["subject_id"],
        "InSERRE Arras",
    )
    assert pathway["opened_on"] == str(today) and pathway["closed_on"] is None
    # Another CPIP does not follow the person: the pathway does not exist for them.
    assert (await ipro.get(url, headers=as_role("cpip", "cpip-2"))).status_code == 404
    # The release date the case gives opens France Travail registration (within six months).
    registered = await ok(await ipro.post(f"{url}/france-travail", headers=as_role("ipro_chef")))
    assert registered["france_travail_registered_on"] == str(today)

    await ok(
        await assessment.post(
            f"/cases/{case['case_id']}/close",
            headers=as_role("dpip"),
            json={"reason": "release", "closed_on": str(today)},
        )
    )

    async def closed():
        body = await ok(await ipro.get(url, headers=as_role("ipro_chef")))
        return body if body["closed_on"] else None

    pathway = await wait_for(closed, timeout=30, message="the pathway closed at release")
    assert (pathway["closed_on"], pathway["exit_outcome"]["situation"]) == (str(today), "not_recorded")
