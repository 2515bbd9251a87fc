"""The movement list (issue 15 item 3) through the app, from the week's events as the schedule's consumer
applies them: who goes where on a day of the establishment, escorted or not, the partners expected; who reads
it, with or without names; the day and establishment it is asked for."""

from datetime import date

import pytest

from contracts.assessment import ErasureReason, SubjectErased
from devinfra.testkit import BREAK_GLASS_REASON, assert_refused, break_glass, ok, pseudonym_of, serving
from kernel.journal import MemoryJournal
from kernel.pseudonyms import MASKED_TEXT
from kernel.sealing import ERASED_TEXT
from projections.bootstrap import create_app
from projections.partner_directory import apply as directory
from services.projections.tests.integration.test_schedule_store import (
    A1,
    G1,
    G2,
    P1,
    TRAINING_THURSDAY,
    WORK_THURSDAY,
    both,
)
from services.projections.tests.schedule_week import (
    ARRAS,
    NOW,
    at,
    leaves_and_the_partner,
    positioning_cancelled,
    the_week,
)

pytestmark = pytest.mark.integration

TUESDAY, WEDNESDAY, THURSDAY = "2031-03-11", "2031-03-12", "2031-03-13"

# role -> names shown (None: refused, role-not-allowed)
READERS = {
    "direction": True,
    "dpip": True,
    "ipro_conseiller": True,
    "ipro_chef": True,
    "ripro": True,
    "auditeur": False,
    "cpip": None,
    "psychologue": None,
    "assistant_social": None,
    "partenaire": None,
}


async def views(connection, envelope, event):
    """The schedule and the identities (`both`), and the partner directory the organisations' names are in."""
    await both(connection, envelope, event)
    await directory(connection, envelope, event)


@pytest.fixture
async def api(views_settings, apply_all, infrastructure, dev_keys):
    week = the_week()
    leaves_and_the_partner(week)
    await apply_all(views, *week.envelopes)
    settings = views_settings
    async with serving(create_app(settings, clock=lambda: NOW)) as client:

        def as_user(role: str, **claims) -> dict[str, str]:
            organisation = "partner-1" if role == "partenaire" else None
            token = dev_keys.mint(role, subject=f"{role}-1", organisation_id=organisation, **claims)
            return {"Authorization": f"Bearer {token}"}

        async def day(on: str, role: str = "direction", **claims) -> dict:
            params = {"day": on, "establishment": ARRAS}
            return await ok(await client.get("/movements", params=params, headers=as_user(role, **claims)))

        yield client, as_user, day


def moves(listed: dict) -> list[tuple]:
    return [(m["item_id"], m["subject_id"], m["last_name"], m["place"]) for m in listed["movements"]]


async def test_a_day_lists_each_persons_movements_and_the_partners_expected(api):
    _, _, day = api
    tuesday = await day(TUESDAY)
    assert (tuesday["day"], tuesday["establishment"]) == (TUESDAY, ARRAS)
    assert moves(tuesday) == [
        (P1, "person-1", "Lefèvre", "Salle polyvalente"),
        (G1, "person-2", "Benali", "Salle polyvalente"),
        (G1, "person-1", "Lefèvre", "Salle polyvalente"),
    ]
    first = tuesday["movements"][0]
    assert (first["starts_at"], first["ends_at"]) == (at(1, 14).isoformat(), at(1, 16).isoformat())
    assert (first["activity"], first["outside"], first["escorted"]) == ("Atelier CV", False, None)
    assert tuesday["partners"] == [
        {
            "item_id": A1,
            "partner_id": "partner-1",
            "organisation": "Association Emploi Arras",
            "activity": "Atelier CV",
            "starts_at": at(1, 14).isoformat(),
            "ends_at": at(1, 16).isoformat(),
            "place": "Salle polyvalente",
            "facilitators": 1,
            "participants": 1,
        }
        | {"outside": False}
    ]

    thursday = await day(THURSDAY)
    assert [(m["item_id"], m["kind"], m["subject_id"]) for m in thursday["movements"]] == [
        (WORK_THURSDAY, "work", "person-1"),
        (TRAINING_THURSDAY, "training", "person-2"),
        (G2, "group_session", "person-2"),
        (G2, "group_session", "person-1"),
    ]
    assert thursday["partners"] == []


async def test_an_approved_leave_is_an_escorted_movement_outside_and_a_refused_one_is_none(api):
    _, _, day = api
    wednesday = await day(WEDNESDAY)
    (leave,) = wednesday["movements"]
    assert (
        leave["item_id"] == "ipro/leave:leave-2@2031-03-12" and leave["kind"] == "escorted_professional_leave"
    )
    assert (leave["subject_id"], leave["last_name"], leave["starts_at"]) == ("person-2", "Benali", None)
    assert (leave["activity"], leave["outside"], leave["escorted"]) == (
        "Visite de l'entreprise Bâtir",
        True,
        True,
    )
    thursday = await day(THURSDAY)  # Marie's refused PMSMP would have taken her out on Thursday too
    assert all(m["kind"] != "pmsmp" for m in thursday["movements"])


async def test_an_erased_persons_leave_still_moves_them_its_purpose_read_as_erased(api, apply_all):
    """The purpose is written about the person (issue 17): sealed in IPRO's events, blanked here by the erasure."""
    _, _, day = api
    later = the_week()
    erasure = SubjectErased(
        subject_id="person-2", reason=ErasureReason.COURT_ORDER, erased_on=date(2031, 3, 10)
    )
    await apply_all(both, later.record("subject", "person-2", erasure, subject="person-2"))
    (leave,) = (await day(WEDNESDAY))["movements"]
    assert (leave["item_id"], leave["activity"], leave["outside"]) == (
        "ipro/leave:leave-2@2031-03-12",
        ERASED_TEXT,
        True,
    )


async def test_an_auditor_reads_a_leaves_purpose_masked(api):
    _, _, day = api
    (leave,) = (await day(WEDNESDAY, role="auditeur"))["movements"]
    assert (leave["kind"], leave["activity"]) == ("escorted_professional_leave", MASKED_TEXT)


async def test_a_cancelled_positioning_no_longer_moves_the_person(api, apply_all):
    _, _, day = api
    later = the_week()
    positioning_cancelled(later)
    await apply_all(both, later.envelopes[-1])
    assert P1 not in [m["item_id"] for m in (await day(TUESDAY))["movements"]]


async def test_each_role_reads_the_list_with_names_or_by_id_or_not_at_all(api):
    client, as_user, _ = api
    params = {"day": TUESDAY, "establishment": ARRAS}
    for role, names in READERS.items():
        for route in ("/movements", "/movements.html"):
            response = await client.get(route, params=params, headers=as_user(role))
            if names is None:
                assert_refused(response, 403, "role-not-allowed", role)
                continue
            assert response.status_code == 200, (role, response.text)
            assert ("Lefèvre" in response.text or "LEFÈVRE" in response.text) == names, (role, route)
            if not names:
                assert pseudonym_of("person-1") in response.text, (role, route)  # pseudonymised
    assert (await client.get("/movements", params=params)).status_code == 401


async def test_an_auditor_reads_pseudonyms_or_breaks_the_glass_and_the_journal_says_so(
    views_settings, apply_all, dev_keys
):
    week = the_week()
    leaves_and_the_partner(week)
    await apply_all(views, *week.envelopes)
    app = create_app(views_settings, clock=lambda: NOW)
    app.state.journal = MemoryJournal()
    params = {"day": TUESDAY, "establishment": ARRAS}
    auditor = {"Authorization": f"Bearer {dev_keys.mint('auditeur', subject='auditeur-1')}"}
    async with serving(app) as client:
        listed = await ok(await client.get("/movements", params=params, headers=auditor))
        page = await client.get("/movements.html", params=params, headers=auditor)
        clear = await ok(await client.get("/movements", params=params, headers={**auditor, **break_glass()}))
    lefevre = [m for m in clear["movements"] if m["subject_id"] == "person-1"]
    assert lefevre and {m["last_name"] for m in lefevre} == {"Lefèvre"}
    assert {m["last_name"] for m in listed["movements"] if m["subject_id"] == "person-1"} == {
        pseudonym_of("person-1")
    }
    assert pseudonym_of("person-1") in page.text and "Lefèvre" not in page.text + str(listed)
    *_, glass = app.state.journal.entries
    assert glass.break_glass and glass.purpose == "bris-de-glace: " + BREAK_GLASS_REASON
    assert not any(entry.break_glass for entry in app.state.journal.entries[:-1])


@pytest.mark.parametrize("establishments", [["CD Bapaume"], None], ids=["another establishment", "none"])
async def test_staff_of_another_establishment_get_an_empty_list(api, establishments):
    """ADR 26: whatever establishment they ask for."""
    _, _, day = api
    for role in ("direction", "dpip", "ipro_chef", "auditeur"):
        listed = await day(TUESDAY, role, establishments=establishments)
        assert listed["movements"] == [] and listed["partners"] == [], role


async def test_the_establishment_is_the_tokens_when_it_lists_only_one(api):
    client, as_user, _ = api
    alone = await client.get(
        "/movements", params={"day": TUESDAY}, headers=as_user("direction", establishments=[ARRAS])
    )
    assert (await ok(alone))["establishment"] == ARRAS and len((await ok(alone))["movements"]) == 3
    several = await client.get("/movements", params={"day": TUESDAY}, headers=as_user("direction"))
    assert_refused(several, 422, "establishment-required")


@pytest.mark.parametrize(
    ("params", "rule"),
    [
        ({}, "day-required"),
        ({"day": ""}, "day-required"),
        ({"day": "11/03/2031"}, "day-unreadable"),
        ({"day": "2031-02-30"}, "day-unreadable"),
        ({"day": "2032-03-11"}, "day-too-far"),  # NOW is 7 March 2031
        ({"day": "2030-03-01"}, "day-too-far"),
        ({"day": "2031-03-11-x"}, "request-validation"),  # longer than a day can be written
    ],
)
async def test_a_day_missing_unreadable_or_far_out_is_refused_naming_the_rule(api, params, rule):
    client, as_user, _ = api
    for route in ("/movements", "/movements.html"):
        response = await client.get(
            route, params={**params, "establishment": ARRAS}, headers=as_user("direction")
        )
        assert_refused(response, 422, rule, route)
