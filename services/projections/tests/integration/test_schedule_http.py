"""The schedule's routes (issue 15): who reads what, as a matrix over every role (ARCHITECTURE.md §6); the
iCalendar export parsed by the library; the printable week; the conflicts listed; windows bounded."""

import pytest
from icalendar import Calendar

from devinfra.testkit import assert_refused, break_glass, ok, pseudonym_of, serving
from projections.bootstrap import create_app
from services.projections.tests.integration.test_schedule_store import A1, G1, G2, P1, WORK_THURSDAY, both
from services.projections.tests.schedule_week import ARRAS, FACILITATOR, NOW, the_week

pytestmark = pytest.mark.integration

WEEK = {"from": "2031-03-10", "to": "2031-03-16"}
EVERY_SESSION = [A1, G1, G2]

PSEUDONYMS = "pseudonyms"  # names under the persons' pseudonyms (ADR 31)
MATRIX = [
    # role, organisation, the sessions seen, names shown (None: refused with this rule)
    # Every name for the DPIP; a CPIP, a psychologist or a social worker only those of the people they
    # follow, none in this week (test_schedule_need_to_know.py).
    ("cpip", None, EVERY_SESSION, False),
    ("dpip", None, EVERY_SESSION, True),
    ("psychologue", None, EVERY_SESSION, False),
    ("assistant_social", None, EVERY_SESSION, False),
    ("ipro_conseiller", None, EVERY_SESSION, True),
    ("ipro_chef", None, EVERY_SESSION, True),
    ("ripro", None, EVERY_SESSION, True),
    ("direction", None, EVERY_SESSION, True),
    ("auditeur", None, EVERY_SESSION, PSEUDONYMS),
    ("partenaire", "partner-1", [A1], False),  # its own session and who is positioned on it
    ("partenaire", "partner-2", [], False),
]


@pytest.fixture
async def api(views_settings, apply_all, infrastructure, dev_keys):
    await apply_all(both, *the_week().envelopes)
    settings = views_settings
    async with serving(create_app(settings, clock=lambda: NOW)) as client:

        def as_user(role: str, organisation: str | None = None, **establishments) -> dict[str, str]:
            token = dev_keys.mint(role, subject=f"{role}-1", organisation_id=organisation, **establishments)
            return {"Authorization": f"Bearer {token}"}

        yield client, as_user


async def test_each_role_reads_its_part_of_the_schedule(api):
    client, as_user = api
    for role, organisation, sessions, names in MATRIX:
        headers = as_user(role, organisation)
        schedule = await ok(await client.get("/schedule", params=WEEK, headers=headers))
        assert [i["item_id"] for i in schedule["items"]] == sessions, role
        people = [p for i in schedule["items"] for p in i["participants"]]
        assert all(p["subject_id"].startswith("person-") for p in people), role
        page = await client.get("/schedule.html", params=WEEK, headers=headers)
        assert page.status_code == 200, (role, page.text)
        if names == PSEUDONYMS:
            assert people and all(p["last_name"] == pseudonym_of(p["subject_id"]) for p in people), role
            assert pseudonym_of("person-1") in page.text and "Lefèvre".upper() not in page.text, role
        else:
            assert any(p["last_name"] for p in people) == names, role
            assert ("Lefèvre".upper() in page.text) == names, role
        if role == "partenaire":
            assert "PPR" not in page.text and "Prévention" not in page.text
            mine = await ok(
                await client.get("/schedule", params={**WEEK, "subject_id": "person-1"}, headers=headers)
            )
            assert [i["item_id"] for i in mine["items"]] == ([P1] if organisation == "partner-1" else [])
        calendar = await client.get(
            "/schedule.ics", params={**WEEK, "subject_id": "person-1"}, headers=headers
        )
        conflicts = await client.get("/schedule/conflicts", params=WEEK, headers=headers)
        if role in ("auditeur", "partenaire"):
            assert_refused(calendar, 403, "role-not-allowed", role)
            assert_refused(conflicts, 403, "role-not-allowed", role)
        else:
            assert calendar.status_code == 200, (role, calendar.text)
            assert len((await ok(conflicts))["items"]) == 4, role


@pytest.mark.parametrize("establishments", [["CD Bapaume"], None], ids=["another establishment", "none"])
async def test_staff_of_another_establishment_read_nothing_of_this_ones_schedule(api, establishments):
    """ADR 26: its sessions, a person's items and its conflicts, whatever establishment is asked for."""
    client, as_user = api
    for role in ("cpip", "dpip", "ipro_chef", "direction", "auditeur"):
        headers = as_user(role, establishments=establishments)
        for params in (WEEK, {**WEEK, "establishment": ARRAS}, {**WEEK, "subject_id": "person-1"}):
            schedule = await ok(await client.get("/schedule", params=params, headers=headers))
            assert schedule["items"] == [], (role, params)
        if role != "auditeur":
            conflicts = await ok(await client.get("/schedule/conflicts", params=WEEK, headers=headers))
            assert conflicts["items"] == [], role
            calendar = await client.get(
                "/schedule.ics", params={**WEEK, "subject_id": "person-1"}, headers=headers
            )
            assert "VEVENT" not in calendar.text, role


async def test_a_persons_calendar_parses_with_stable_uids_and_names_no_one(api):
    client, as_user = api
    headers = as_user("ipro_conseiller")
    first = await client.get("/schedule.ics", params={**WEEK, "subject_id": "person-1"}, headers=headers)
    assert first.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(first.content).walk("VEVENT")
    assert [(str(e["uid"]), str(e["summary"])) for e in events] == [
        (f"{P1}@passerelle.schedule", "Atelier CV"),
        (f"{G1}@passerelle.schedule", "PPR-VIOL – Prévention de la récidive : violences"),
        (f"{WORK_THURSDAY}@passerelle.schedule", "Cuisine"),
        (f"{G2}@passerelle.schedule", "PPR-VIOL – Prévention de la récidive : violences"),
    ]
    assert events[1].decoded("dtstart").isoformat() == "2031-03-11T13:30:00+00:00"
    assert str(events[1]["location"]) == "Salle polyvalente"
    assert b"Lef" not in first.content and b"Benali" not in first.content

    again = await client.get("/schedule.ics", params={**WEEK, "subject_id": "person-1"}, headers=headers)
    assert [str(e["uid"]) for e in Calendar.from_ical(again.content).walk("VEVENT")] == [
        str(e["uid"]) for e in events
    ]
    facilitator = await client.get(
        "/schedule.ics", params={**WEEK, "facilitator": FACILITATOR}, headers=headers
    )
    assert [str(e["uid"]).split("@")[0] for e in Calendar.from_ical(facilitator.content).walk("VEVENT")] == [
        G1,
        G2,
    ]


async def test_the_printable_week_lists_each_day_with_its_sessions(api):
    client, as_user = api
    params = {"room": "salle polyvalente", "from": "2031-03-10"}  # a week from then
    page = await client.get("/schedule.html", params=params, headers=as_user("direction"))
    text = page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "Semaine du 10 au 16 mars 2031" in text and "lieu : salle polyvalente" in text
    assert "mardi 11 mars 2031" in text and "dimanche 16 mars 2031" in text
    assert "14 h 30 – 16 h 30" in text and "Atelier CV" in text
    assert "BENALI Karim, LEFÈVRE Marie" in text
    assert "2 / 10 (20\u00a0%)" in text and "1 / 8 (12\u00a0%)" in text


async def test_windows_are_bounded_and_a_calendar_is_someones(api):
    client, as_user = api
    headers = as_user("dpip")
    too_long = await client.get(
        "/schedule", params={"from": "2031-03-01", "to": "2031-04-15"}, headers=headers
    )
    assert_refused(too_long, 422, "window-invalid")
    backwards = await client.get(
        "/schedule", params={"from": "2031-03-10", "to": "2031-03-09"}, headers=headers
    )
    assert_refused(backwards, 422, "window-invalid")
    assert_refused(await client.get("/schedule.ics", params=WEEK, headers=headers), 422, "calendar-whose")


async def test_an_auditor_breaking_the_glass_reads_the_names(api):
    client, as_user = api
    headers = {**as_user("auditeur"), **break_glass()}
    schedule = await ok(await client.get("/schedule", params=WEEK, headers=headers))
    page = await client.get("/schedule.html", params=WEEK, headers=headers)
    assert "Lefèvre" in {p["last_name"] for i in schedule["items"] for p in i["participants"]}
    assert "Lefèvre".upper() in page.text
