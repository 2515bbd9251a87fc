"""The lists read page by page (kernel.pages): each row once, in the list's order, whatever the page size; a
cursor that is not a page's `next` is refused as bad input."""

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.assessment import CaseOpened, Identity, Sentence
from contracts.partners import ActionPublished
from devinfra.testkit import assert_refused, every_page, ok, serving
from kernel.pages import encode_cursor
from projections import catalogue, partner_directory
from projections.bootstrap import create_app
from projections.person_file import ingest
from services.projections.tests.builders import (
    NOW,
    History,
    a_partner_registered,
    a_session_scheduled,
    an_action_created,
)
from services.projections.tests.person_history import CPIP, two_people

pytestmark = pytest.mark.integration

# Names repeat, in another case: the directory's order is case-blind, its ties broken by the id.
PARTNERS = {f"p-{n:02}": f"{'Asso' if n % 2 else 'asso'} {n % 7}" for n in range(23)}
# Titles and next sessions repeat; every fifth action has no session ahead, and comes last.
ACTIONS = {
    f"a-{n:02}": (f"Atelier {n % 4}", None if n % 5 == 0 else NOW + timedelta(days=n % 3 + 1))
    for n in range(17)
}
# People found by "martin", more and less alike, some of the same name.
MARTINS = [("Martin", "Paul"), ("Martineau", "Anne"), ("Martin", "Anne"), ("Saint-Martin", "Luc")] * 3
READERS = [
    ("dpip", "dpip-1"),
    ("cpip", "cpip-durand"),
    ("ipro_chef", "ipro-chef-1"),
    ("direction", "direction-1"),
]


def people_named_martin() -> History:
    history = History()
    for n, (last_name, first_names) in enumerate(MARTINS):
        identity = Identity(
            last_name=last_name, first_names=first_names, birth_date=date(1990, 1, 1), ecrou_number=f"M{n}"
        )
        opened = CaseOpened(
            case_id=f"case-m{n}",
            subject_id=f"person-m{n}",
            identity=identity,
            establishment="CP d'Arras",
            admission_date=date(2031, 1, 5),
            sentence=Sentence(
                short_sentence=False, total_length_months=30, expected_end_date=date(2033, 6, 30)
            ),
        )
        history.record("case", f"case-m{n}", opened, subject=f"person-m{n}", actor=CPIP)
    return history


@pytest.fixture
async def api(views_settings, apply_all, dev_keys):
    history = History()
    for partner_id, name in PARTNERS.items():
        history.partner(a_partner_registered(partner_id=partner_id, name=name))
    for action_id, (title, starts_at) in ACTIONS.items():
        history.action(an_action_created(action_id=action_id, title=title))
        if starts_at:
            history.action(a_session_scheduled(action_id, "s-1", starts_at))
        history.action(ActionPublished(action_id=action_id))
    for envelope in history.envelopes:
        await apply_all(partner_directory.apply, envelope)
        await apply_all(catalogue.apply, envelope)
    await apply_all(ingest.apply, *two_people().envelopes, *people_named_martin().envelopes)
    async with serving(create_app(views_settings, clock=lambda: NOW)) as client:

        def as_user(role: str, user: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {dev_keys.mint(role, subject=user)}"}

        yield client, as_user


async def test_the_directory_and_the_catalogue_walk_page_by_page_in_their_order(api):
    client, as_user = api
    cpip = as_user("cpip", "cpip-1")

    directory = await every_page(client, "/directory/partners", cpip, 4)
    assert [p["partner_id"] for p in directory] == sorted(PARTNERS, key=lambda p: (PARTNERS[p].lower(), p))

    never = datetime.max.replace(tzinfo=UTC)
    soonest = sorted(ACTIONS, key=lambda a: (ACTIONS[a][1] or never, ACTIONS[a][0].lower(), a))
    assert [a["action_id"] for a in await every_page(client, "/directory/catalogue", cpip, 4)] == soonest


async def test_the_search_and_the_consultations_walk_page_by_page_in_their_order(api):
    client, as_user = api
    dpip = as_user("dpip", "dpip-1")

    # A ranking: the walk holds what one page of them all holds, in the same order.
    whole = await ok(await client.get("/persons", params={"q": "martin", "limit": 100}, headers=dpip))
    walked = await every_page(client, "/persons", dpip, 5, q="martin")
    assert walked == whole["items"] and len(walked) == len(MARTINS)
    assert walked[0]["last_name"] == "Martin" and walked[-1]["last_name"] != "Martin"

    for role, user in READERS:
        await ok(await client.get("/persons/person-1/file", headers=as_user(role, user)))
    consultations = await every_page(client, "/persons/person-1/consultations", dpip, 3)
    assert [c["reader"] for c in consultations] == [user for _, user in reversed(READERS)]


@pytest.mark.parametrize(
    ("path", "params", "of_the_wrong_types"),
    [
        ("/directory/partners", {}, encode_cursor([1, 2])),
        ("/directory/catalogue", {}, encode_cursor(["not an instant", "atelier 1", "a-01"])),
        ("/persons", {"q": "martin"}, encode_cursor(["close", "Martin", "Paul", "person-m0"])),
        ("/persons/person-1/consultations", {}, encode_cursor(["last"])),
    ],
    ids=["directory", "catalogue", "search", "consultations"],
)
async def test_a_cursor_that_is_no_page_s_next_is_refused(api, path, params, of_the_wrong_types):
    client, as_user = api
    for after in ("forged", encode_cursor(["a", "cursor", "of", "another", "list"]), of_the_wrong_types):
        response = await client.get(
            path, params={**params, "after": after}, headers=as_user("dpip", "dpip-1")
        )
        assert_refused(response, 400, "cursor-invalid", after)
