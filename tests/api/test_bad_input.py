"""Issue 13 #1 and #2: inputs that used to reach the database and come back as server errors are refused as
bad input naming the rule, and nothing is appended."""

import httpx
import pytest

from devinfra.testkit import valid_siret

from .conftest import SERVICES

pytestmark = pytest.mark.integration

LISTS = {
    "assessment": "/cases",
    "programmes": "/groups",
    "ipro": "/pathways",
    "partners": "/partners",
    "projections": "/directory/partners",
}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_forged_cursor_is_refused_as_bad_input(all_services, dev_keys, service):
    """#1: ?offset=2^63 was a 500 on every paginated list; lists now page by cursor (kernel.pages, ADR 36),
    and a cursor the service did not hand out is their bad input."""
    headers = {"Authorization": f"Bearer {dev_keys.mint('dpip')}"}
    async with httpx.AsyncClient(base_url=all_services.url(service)) as http:
        response = await http.get(LISTS[service], params={"after": "forged"}, headers=headers)
        assert response.status_code == 400 and response.json()["rule"] == "cursor-invalid", response.text
        too_long = await http.get(LISTS[service], params={"after": "x" * 2001}, headers=headers)
        assert too_long.status_code == 422 and too_long.json()["rule"] == "request-validation", too_long.text
        assert (await http.get(LISTS[service], headers=headers)).status_code == 200


async def test_a_nul_character_in_a_text_is_refused_and_nothing_is_appended(all_services, dev_keys):
    """#2: a NUL character (U+0000) in a free text was a 500 when the event was appended."""
    headers = {"Authorization": f"Bearer {dev_keys.mint('ipro_chef')}"}
    body = {
        "name": "Association\u0000 Ressources",
        "siret": valid_siret(91),
        "organisation_type": "association",
    }
    async with httpx.AsyncClient(base_url=all_services.url("partners")) as http:
        refused = await http.post("/partners", json=body, headers=headers)
        assert refused.status_code == 422, refused.text
        assert refused.json()["rule"] == "text-with-nul-character"
        listed = (await http.get("/partners", headers=headers)).json()
        assert valid_siret(91) not in str(listed)
        # The same organisation, without the NUL, is registered: the refusal left nothing behind.
        accepted = await http.post(
            "/partners", json={**body, "name": "Association Ressources"}, headers=headers
        )
        assert accepted.status_code == 201, accepted.text


async def test_a_nul_character_in_a_search_is_refused_as_bad_input(all_services, dev_keys):
    headers = {"Authorization": f"Bearer {dev_keys.mint('cpip')}"}
    async with httpx.AsyncClient(base_url=all_services.url("projections")) as http:
        response = await http.get("/directory/partners", params={"q": "a\u0000b"}, headers=headers)
    assert response.status_code == 422 and response.json()["rule"] == "text-with-nul-character", response.text
