"""The IPRO service's replicas of the assessment and partners events, fed as those services publish them: an
admission opens the person's pathway, a published action takes positionings, a release closes the pathway
and gives its places back."""

import pytest

from devinfra.testkit import ok

pytestmark = pytest.mark.integration


async def test_an_admission_opens_a_pathway_and_the_release_closes_it_giving_its_places_back(
    api, residents, catalogue, as_role
):
    person = await residents.admitted("p-1", release_in_days=150)
    chef = as_role("ipro_chef")
    pathway = await ok(await api.get(f"/pathways/{person['pathway_id']}", headers=chef))
    assert (pathway["subject_id"], pathway["establishment"]) == ("p-1", "InSERRE Arras")
    assert (pathway["opened_on"], pathway["synthesis_due_on"]) == ("2026-11-27", "2026-12-04")
    action = await catalogue.published_action()
    positioned = await ok(
        await api.post(
            f"/pathways/{person['pathway_id']}/positionings",
            headers=chef,
            json={"action_id": action["action_id"], "session_id": action["session_id"]},
        ),
        201,
    )
    assert (positioned["status"], positioned["partner_id"]) == ("proposed", action["partner_id"])

    await residents.released(person["case_id"])
    closed = await ok(await api.get(f"/pathways/{person['pathway_id']}", headers=chef))
    assert closed["closed_on"] == "2026-11-27" and closed["exit_outcome"]["situation"] == "not_recorded"
    given_back = await ok(await api.get(f"/positionings/{positioned['positioning_id']}", headers=chef))
    assert given_back["status"] == "withdrawn"
