"""The lists read page by page (kernel.pages): each row once, in the list's order, for a perimeter of one
site or of several; a cursor that is not a page's `next` is refused as bad input.

The clock stands on Friday 2026-11-27: groups start on the Mondays from 2026-11-30 and meet on Tuesdays."""

from datetime import date, datetime, timedelta

import pytest

from devinfra.testkit import assert_refused, every_page, ok
from kernel.pages import encode_cursor

from .flows import group_body, referred, tuesdays

pytestmark = pytest.mark.integration

ARRAS = "InSERRE Arras"
SHORT = ("programme-securite-routiere", "programme-cine-debat")  # two sessions, one
MONDAY = date(2026, 11, 30)


async def test_the_catalogue_walks_page_by_page_in_its_order(api, as_role):
    entries = await every_page(api, "/programmes", as_role("dpip"), 4)
    keys = [(e["definition"]["kind"], e["definition"]["code"]) for e in entries]
    assert keys == sorted(sorted(keys, key=lambda k: k[1]), key=lambda k: k[0], reverse=True)  # kind DESC
    assert len(set(keys)) == len(keys) > 4


async def test_groups_sessions_and_referrals_walk_page_by_page_in_their_order(api, people, as_role, clock):
    dpip, one_site = as_role("dpip"), as_role("dpip", establishments=[ARRAS])
    groups = []
    # Two groups start each week (the id breaks their ties), each in its room at the same hour (the room
    # breaks those); one meets at 23:00, into the next day; one is of another site.
    for n in range(6):
        start = MONDAY + timedelta(weeks=n // 2)
        body = group_body(
            SHORT[n % 2],
            clock.now.date(),
            room=f"Salle {n}",
            facilitators=[f"cpip-{n + 10}"],
            start_date=str(start),
            end_date=str(start + timedelta(weeks=4)),
            **({"pattern": tuesdays(starts_at="23:00")} if n == 4 else {}),
            **({"establishment": "CP Lille"} if n == 5 else {}),
        )
        groups.append(await ok(await api.post("/groups", json=body, headers=dpip), 201))
    in_arras = [g for g in groups if g["establishment"] == ARRAS]

    def by_start(group: dict) -> tuple:
        return group["start_date"], group["group_id"]

    for headers, listed in ((dpip, groups), (one_site, in_arras)):
        expected = [g["group_id"] for g in sorted(listed, key=by_start)]
        assert [g["group_id"] for g in await every_page(api, "/groups", headers, 2)] == expected

    def by_time(session: dict) -> tuple:
        return datetime.fromisoformat(session["starts_at"]), session["room"], session["session_id"]

    period = {"from": str(MONDAY), "to": str(MONDAY + timedelta(weeks=6))}
    for headers, listed in ((dpip, groups), (one_site, in_arras)):
        sessions = [s["session"] for g in listed for s in g["sessions"]]
        expected = [s["session_id"] for s in sorted(sessions, key=by_time)]
        assert [s["session_id"] for s in await every_page(api, "/sessions", headers, 3, **period)] == expected
    # A period that starts while a session is on (the one at 23:00 ends on Wednesday) still holds it.
    late = groups[4]["sessions"][0]["session"]
    wednesday = str(datetime.fromisoformat(late["starts_at"]).date() + timedelta(days=1))
    on_wednesday = await every_page(api, "/sessions", dpip, 3, **{"from": wednesday, "to": wednesday})
    assert [s["session_id"] for s in on_wednesday] == [late["session_id"]]

    referrals = []  # (day referred, referral id)
    for n in range(3):
        person = await people.followed(f"p-{n}")
        for programme_id in SHORT:
            referral = await referred(api, as_role, person, programme_id)
            referrals.append((people.today, referral["referral_id"]))
        if n % 2 == 0:
            clock.advance(days=1)
    listed = await every_page(api, "/referrals", dpip, 4)
    assert [r["referral_id"] for r in listed] == [r for _, r in sorted(referrals)]


@pytest.mark.parametrize(
    ("path", "of_the_wrong_types"),
    [
        ("/programmes", encode_cursor([1, 2])),
        ("/groups", encode_cursor(["not a day", "group-1"])),
        ("/sessions", encode_cursor(["not an instant", "Salle 1", "session-1"])),
        ("/referrals", encode_cursor(["not a day", "referral-1"])),
    ],
    ids=["programmes", "groups", "sessions", "referrals"],
)
async def test_a_cursor_that_is_no_page_s_next_is_refused(api, as_role, path, of_the_wrong_types):
    for after in ("forged", encode_cursor(["another list's"]), of_the_wrong_types):
        params = {"after": after} | ({"week": str(MONDAY)} if path == "/sessions" else {})
        response = await api.get(path, params=params, headers=as_role("dpip"))
        assert_refused(response, 400, "cursor-invalid", after)
