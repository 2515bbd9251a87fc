"""The lists read page by page (kernel.pages): each row once, in the list's order, for a perimeter of one
site or of several; a cursor that is not a page's `next` is refused as bad input."""

import pytest

from devinfra.testkit import assert_refused, every_page, ok
from kernel.pages import encode_cursor

from .flows import case_body

pytestmark = pytest.mark.integration

ARRAS = "InSERRE Arras"
# Names repeat, in another case too (the order is case-blind): their ties are broken by the case id.
PEOPLE = [
    ("Martin", "Lucas"),
    ("bernard", "Paul"),
    ("MARTIN", "lucas"),
    ("martin", "Anne"),
    ("Aubert", "Zoe"),
    ("Martin", "Lucas"),
    ("Zola", "Emile"),
]


async def test_cases_and_deadlines_walk_page_by_page_in_their_order(api, as_role, clock):
    dpip = as_role("dpip")
    cases = []
    for n, (last_name, first_names) in enumerate(PEOPLE):
        body = case_body(clock.now.date(), f"6210{n}", referent="cpip-1")
        body["identity"] |= {"last_name": last_name, "first_names": first_names}
        cases.append(await ok(await api.post("/cases", json=body, headers=dpip), 201))
        if n % 2:
            clock.advance(days=1)  # initial assessments due on the same day two by two: the id breaks ties
    closed = cases.pop()
    release = {"reason": "release", "closed_on": str(clock.now.date())}
    await ok(await api.post(f"/cases/{closed['case_id']}/close", json=release, headers=dpip))

    def by_name(case: dict) -> tuple:
        identity = case["identity"]
        return identity["last_name"].lower(), identity["first_names"].lower(), case["case_id"]

    in_order = [c["case_id"] for c in sorted(cases, key=by_name)]
    # Several sites (`= ANY`), one site asked among them, a perimeter of one site, a caseload: the same list.
    one_site, cpip = as_role("dpip", establishments=[ARRAS]), as_role("cpip")
    for headers, params in ((dpip, {}), (dpip, {"establishment": ARRAS}), (one_site, {}), (cpip, {})):
        assert [c["case_id"] for c in await every_page(api, "/cases", headers, 2, **params)] == in_order
    with_closed = await every_page(api, "/cases", one_site, 3, include_closed="true")
    assert [c["case_id"] for c in with_closed] == [
        c["case_id"] for c in sorted([*cases, closed], key=by_name)
    ]

    for headers in (dpip, one_site, cpip):
        deadlines = await every_page(api, "/deadlines", headers, 2, within_days=366)
        keys = [(d["due_on"], d["deadline_id"]) for d in deadlines]
        assert keys == sorted(set(keys)) and len(keys) == len(cases)
        assert {d["case_id"] for d in deadlines} == {c["case_id"] for c in cases}  # not the closed case's


@pytest.mark.parametrize(
    ("path", "of_the_wrong_types"),
    [("/cases", encode_cursor([1, 2, 3])), ("/deadlines", encode_cursor(["not a day", "deadline-1"]))],
    ids=["cases", "deadlines"],
)
async def test_a_cursor_that_is_no_page_s_next_is_refused(api, as_role, path, of_the_wrong_types):
    for after in ("forged", encode_cursor(["another list's"]), of_the_wrong_types):
        response = await api.get(path, params={"after": after}, headers=as_role("dpip"))
        assert_refused(response, 400, "cursor-invalid", after)
