"""The lists read page by page (kernel.pages): each row once, in the list's order, whatever the page size and
the caller's perimeter; a cursor that is not a page's `next` is refused as bad input."""

from datetime import timedelta

import pytest

from devinfra.testkit import assert_refused, every_page, ok
from kernel.pages import encode_cursor

pytestmark = pytest.mark.integration

# Admitted so many days ago, under this name: days and names repeat (ties are broken by the id), and the
# oldest syntheses are overdue, the others not yet due.
PEOPLE = [
    (40, "Martin"),
    (3, "Bernard"),
    (40, "Martin"),
    (0, "Petit"),
    (3, "Aubert"),
    (40, "Martin"),
    (1, "Zola"),
]


async def test_the_lists_walk_page_by_page_in_their_order(api, residents, catalogue, as_role):
    today = residents.today
    people = []
    for n, (days_ago, last_name) in enumerate(PEOPLE):
        admitted_on = today - timedelta(days=days_ago)
        person = await residents.admitted(f"person-{n}", last_name=last_name, admitted_on=admitted_on)
        people.append({**person, "opened_on": admitted_on, "last_name": last_name})
    chef = as_role("ipro_chef")
    actions = [await catalogue.published_action(days_ahead=14 + i, title=f"Action {i}") for i in range(2)]
    positioned = {}  # positioning id -> its list's keys but the last: session, name
    for n, person in enumerate(people):
        action = actions[n % 2]
        body = {"action_id": action["action_id"], "session_id": action["session_id"]}
        url = f"/pathways/{person['pathway_id']}/positionings"
        positioning = await ok(await api.post(url, headers=chef, json=body), 201)
        positioned[positioning["positioning_id"]] = (action["session_id"], person["last_name"])

    by_opening = [p["pathway_id"] for p in sorted(people, key=lambda p: (p["opened_on"], p["pathway_id"]))]
    for headers in (chef, as_role("ipro_chef", establishments=["InSERRE Arras"])):  # several sites, or one
        assert [p["pathway_id"] for p in await every_page(api, "/pathways", headers, 3)] == by_opening

    caseload = await every_page(api, "/caseload", as_role("ripro"), 2)
    assert {i["pathway_id"] for i in caseload} == {p["pathway_id"] for p in people}
    assert caseload == sorted(
        caseload, key=lambda i: (not i["synthesis_overdue"], i["synthesis_due_on"], i["pathway_id"])
    )
    assert {i["synthesis_overdue"] for i in caseload} == {True, False}

    positionings = await every_page(api, "/positionings", chef, 3)
    assert [i["positioning_id"] for i in positionings] == sorted(
        positioned, key=lambda i: (*positioned[i], i)
    )


@pytest.mark.parametrize(
    ("path", "of_the_wrong_types"),
    [
        ("/pathways", encode_cursor(["not a day", "pathway-1"])),
        ("/caseload", encode_cursor(["not a boolean", "2026-11-27", "pathway-1"])),
        ("/positionings", encode_cursor([1, 2, 3])),
    ],
    ids=["pathways", "caseload", "positionings"],
)
async def test_a_cursor_that_is_no_page_s_next_is_refused(api, as_role, path, of_the_wrong_types):
    for after in ("forged", encode_cursor(["another list's"]), of_the_wrong_types):
        response = await api.get(path, params={"after": after}, headers=as_role("ipro_chef"))
        assert_refused(response, 400, "cursor-invalid", after)
