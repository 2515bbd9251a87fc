"""Happy paths of the partners API beyond the scenario: calls revised, closed and archived; organisations
suspended, reinstated and withdrawn, with their accreditation in views and lists; contact persons; proposals
rejected or withdrawn; sessions moved; the lists' orders and filters; a transition retried."""

from datetime import datetime, timedelta

import pytest

from devinfra.testkit import events_in

from .flows import (
    accredited_partner,
    approved_action,
    call_body,
    ok,
    proposal_content,
    published_call,
    registered_partner,
    scheduled_session,
)

pytestmark = pytest.mark.integration


async def test_a_call_is_revised_as_a_draft_then_published_closed_and_archived(api, as_role, clock):
    today, chef = clock.now.date(), as_role("ipro_chef")
    draft = await ok(await api.post("/calls", json=call_body(today), headers=chef), 201)
    url = f"/calls/{draft['call_id']}"

    revised = await ok(
        await api.put(
            url,
            json=call_body(
                today, title="Espace citoyen 2027 (v2)", closes_on=str(today + timedelta(days=45))
            ),
            headers=chef,
        )
    )
    assert revised["status"] == "draft" and revised["open"] is False and revised["version"] == 2
    assert revised["content"]["title"] == "Espace citoyen 2027 (v2)"
    assert revised["content"]["closes_on"] == str(today + timedelta(days=45))
    assert await ok(await api.get(url, headers=chef)) == revised

    published = await ok(await api.post(f"{url}/publish", headers=chef))
    assert (published["status"], published["open"], published["version"]) == ("published", True, 3)
    closed = await ok(await api.post(f"{url}/close", headers=chef))
    assert (closed["status"], closed["open"]) == ("closed", False)
    archived = await ok(await api.post(f"{url}/archive", headers=as_role("dpip")))
    assert (archived["status"], archived["open"], archived["version"]) == ("archived", False, 5)

    listed = await ok(
        await api.get("/calls?status=archived", headers=as_role("partenaire", organisation_id="p"))
    )
    assert [(c["call_id"], c["title"], c["status"]) for c in listed["items"]] == [
        (draft["call_id"], "Espace citoyen 2027 (v2)", "archived")
    ]


async def test_calls_are_listed_open_ones_first_soonest_closing_first(api, as_role, clock):
    today, chef = clock.now.date(), as_role("ipro_chef")

    def days(n):
        return str(today + timedelta(days=n))

    open_late = (await published_call(api, as_role, today, title="Ouvert, 30 jours"))["call_id"]
    open_soon = (await published_call(api, as_role, today, title="Ouvert, 10 jours", closes_on=days(10)))[
        "call_id"
    ]
    not_yet = (
        await published_call(api, as_role, today, title="Pas encore", opens_on=days(5), closes_on=days(40))
    )["call_id"]
    closed = (await published_call(api, as_role, today, title="Clos", closes_on=days(20)))["call_id"]
    await ok(await api.post(f"/calls/{closed}/close", headers=chef))
    draft = (
        await ok(
            await api.post(
                "/calls", json=call_body(today, title="Brouillon", closes_on=days(50)), headers=chef
            ),
            201,
        )
    )["call_id"]

    for_staff = await ok(await api.get("/calls", headers=as_role("cpip")))
    for_partner = await ok(await api.get("/calls", headers=as_role("partenaire", organisation_id="p")))
    open_only = await ok(await api.get("/calls?status=published&limit=2", headers=chef))

    # Open calls by closing date, then the others, latest closing first.
    assert [(c["call_id"], c["open"]) for c in for_staff["items"]] == [
        (open_soon, True),
        (open_late, True),
        (draft, False),
        (not_yet, False),
        (closed, False),
    ]
    assert for_staff["total"] == 5
    assert [c["call_id"] for c in for_partner["items"]] == [open_soon, open_late, not_yet, closed]
    assert for_partner["total"] == 4
    assert open_only["total"] == 3 and [c["call_id"] for c in open_only["items"]] == [open_soon, open_late]


async def test_an_organisation_is_suspended_reinstated_then_withdrawn_and_its_accreditation_follows(
    api, as_role, clock
):
    today, direction = clock.now.date(), as_role("direction")
    partner_id = (await registered_partner(api, as_role, 1, name="Ressources Emploi"))["partner_id"]
    url, reader = f"/partners/{partner_id}", as_role("cpip")

    async def accreditation() -> tuple:
        view = await ok(await api.get(url, headers=reader))
        (listed,) = (await ok(await api.get("/partners", headers=reader)))["items"]
        assert listed["accreditation"] == view["accreditation"]
        assert listed["accredited_until"] == view["accredited_until"]
        return view["accreditation"], view["suspension_reason"]

    assert await accreditation() == ("none", None)
    until = str(today + timedelta(days=365))
    accredited = await ok(
        await api.post(
            f"{url}/accredit",
            headers=direction,
            json={"establishment": "InSERRE Arras", "accredited_until": until},
        )
    )
    assert (accredited["establishment"], accredited["accredited_until"]) == ("InSERRE Arras", until)
    assert await accreditation() == ("accredited", None)

    await ok(await api.post(f"{url}/suspend", json={"reason": "Incident en détention"}, headers=direction))
    assert await accreditation() == ("suspended", "Incident en détention")
    suspended = await ok(await api.get("/partners?accreditation=suspended", headers=reader))
    assert [p["partner_id"] for p in suspended["items"]] == [partner_id]
    assert (await ok(await api.get("/partners?accreditation=accredited", headers=reader)))["total"] == 0

    await ok(await api.post(f"{url}/reinstate", headers=as_role("dpip")))
    assert await accreditation() == ("accredited", None)

    withdrawn = await ok(
        await api.post(f"{url}/withdraw", json={"reason": "Fin du partenariat"}, headers=as_role("ripro"))
    )
    assert withdrawn["accreditation"] == "withdrawn" and withdrawn["version"] == 5
    assert await accreditation() == ("withdrawn", None)
    assert (await ok(await api.get("/partners?accreditation=withdrawn", headers=reader)))["total"] == 1


async def test_accreditations_ending_within_thirty_days_are_alerted_and_listed_apart(api, as_role, clock):
    today, reader = clock.now.date(), as_role("ipro_conseiller")

    async def accredited_for(n: int, name: str, days: int) -> str:
        partner_id = (await registered_partner(api, as_role, n, name=name))["partner_id"]
        await ok(
            await api.post(
                f"/partners/{partner_id}/accredit",
                headers=as_role("dpip"),
                json={
                    "establishment": "InSERRE Arras",
                    "accredited_until": str(today + timedelta(days=days)),
                },
            )
        )
        return partner_id

    lasting = await accredited_for(1, "Alpha", 365)
    ending = await accredited_for(2, "Zeta", 20)
    never = (await registered_partner(api, as_role, 3, name="Beta"))["partner_id"]

    # The list goes by name (an index order: ADR 36); the alerts are a filter of their own.
    listed = await ok(await api.get("/partners", headers=reader))
    assert [(p["partner_id"], p["accreditation"], p["expiry_alert"]) for p in listed["items"]] == [
        (lasting, "accredited", False),
        (never, "none", False),
        (ending, "accredited", True),
    ]
    assert (await ok(await api.get(f"/partners/{ending}", headers=reader)))[
        "accreditation_expires_soon"
    ] is True
    assert (await ok(await api.get(f"/partners/{lasting}", headers=reader)))[
        "accreditation_expires_soon"
    ] is False
    alerts = await ok(await api.get("/partners?expiry_alert=true", headers=reader))
    assert alerts["total"] == 1 and [p["partner_id"] for p in alerts["items"]] == [ending]

    clock.advance(days=21)  # Zeta's accreditation has ended: no more an alert, but expired
    listed = await ok(await api.get("/partners", headers=reader))
    assert [(p["partner_id"], p["accreditation"], p["expiry_alert"]) for p in listed["items"]] == [
        (lasting, "accredited", False),
        (never, "none", False),
        (ending, "expired", False),
    ]
    ended = await ok(await api.get(f"/partners/{ending}", headers=reader))
    assert (ended["accreditation"], ended["accreditation_expires_soon"]) == ("expired", False)


async def test_contact_persons_are_added_by_the_organisation_or_ipro_and_removed(api, as_role, clock):
    partner_id = (await accredited_partner(api, as_role, 1, clock.now.date()))["partner_id"]
    url, partner = f"/partners/{partner_id}", as_role("partenaire", organisation_id=partner_id)

    own = await ok(
        await api.post(
            f"{url}/contacts",
            headers=partner,
            json={
                "full_name": "Léa Petit",
                "job_title": "Coordinatrice",
                "email": "lea.petit@example.org",
                "phone": "+33 3 21 00 00 00",
            },
        ),
        201,
    )
    both = await ok(
        await api.post(f"{url}/contacts", json={"full_name": "Karim Benali"}, headers=as_role("ripro")), 201
    )
    assert [(c["full_name"], c["job_title"], c["email"], c["phone"]) for c in both["contacts"]] == [
        ("Léa Petit", "Coordinatrice", "lea.petit@example.org", "+33 3 21 00 00 00"),
        ("Karim Benali", "", None, None),
    ]

    lea = own["contacts"][0]["contact_id"]
    removed = await ok(await api.post(f"{url}/contacts/{lea}/remove", headers=partner))
    assert [c["full_name"] for c in removed["contacts"]] == ["Karim Benali"]
    assert await ok(await api.get(url, headers=as_role("dpip"))) == removed


async def test_a_proposal_is_rejected_with_its_reason_another_withdrawn_and_both_listed_by_call_and_status(
    api, as_role, clock
):
    today, ripro, next_week = clock.now.date(), as_role("ripro"), clock.now + timedelta(days=7)
    first_call = (await published_call(api, as_role, today))["call_id"]
    second_call = (await published_call(api, as_role, today, title="Forum emploi"))["call_id"]
    partner = as_role(
        "partenaire", organisation_id=(await accredited_partner(api, as_role, 1, today))["partner_id"]
    )

    async def drafted(call_id: str, title: str) -> str:
        body = {"call_id": call_id, "content": proposal_content(next_week, title=title)}
        return (await ok(await api.post("/proposals", json=body, headers=partner), 201))["proposal_id"]

    rejected, withdrawn = await drafted(first_call, "Atelier A"), await drafted(first_call, "Atelier B")
    untouched = await drafted(second_call, "Atelier C")

    await ok(await api.post(f"/proposals/{rejected}/submit", headers=partner))
    await ok(await api.post(f"/proposals/{rejected}/start-review", headers=ripro))
    view = await ok(
        await api.post(f"/proposals/{rejected}/reject", json={"reason": "Public déjà couvert"}, headers=ripro)
    )
    assert (view["status"], view["decision_reason"], view["action_id"]) == (
        "rejected",
        "Public déjà couvert",
        None,
    )
    await ok(await api.post(f"/proposals/{withdrawn}/submit", headers=partner))
    view = await ok(
        await api.post(
            f"/proposals/{withdrawn}/withdraw", json={"reason": "Animateur indisponible"}, headers=partner
        )
    )
    assert view["status"] == "withdrawn"

    async def listed(query: str) -> list[tuple[str, str]]:
        page = await ok(await api.get(f"/proposals?{query}", headers=ripro))
        assert page["total"] == len(page["items"])
        return [(p["proposal_id"], p["status"]) for p in page["items"]]

    assert await listed(f"call_id={first_call}") == [(rejected, "rejected"), (withdrawn, "withdrawn")]
    assert await listed(f"call_id={second_call}") == [(untouched, "draft")]
    assert await listed("status=rejected") == [(rejected, "rejected")]
    assert await listed(f"call_id={first_call}&status=withdrawn") == [(withdrawn, "withdrawn")]
    assert await listed(f"call_id={second_call}&status=withdrawn") == []


async def test_a_moved_session_frees_its_former_place_and_facilitator(api, as_role, clock):
    today, next_week = clock.now.date(), clock.now + timedelta(days=7)
    call_id = (await published_call(api, as_role, today))["call_id"]
    partner_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    partner = as_role("partenaire", organisation_id=partner_id)
    first = await approved_action(
        api, as_role, call_id, partner_id, proposal_content(next_week, planned_sessions=[])
    )
    second = await approved_action(
        api, as_role, call_id, partner_id, proposal_content(next_week, title="Atelier 2", planned_sessions=[])
    )
    session_id = await scheduled_session(api, partner, first["action_id"], next_week)

    moved_to = next_week + timedelta(days=1, hours=5)
    moved = await ok(
        await api.post(
            f"/actions/{first['action_id']}/sessions/{session_id}/move",
            headers=partner,
            json={
                "starts_at": moved_to.isoformat(),
                "duration_minutes": 90,
                "place": "Salle 2",
                "facilitators": ["Karim Benali"],
            },
        )
    )

    (session,) = moved["sessions"]
    assert session["session_id"] == session_id and not session["cancelled"]
    assert session["slot"]["place"] == "Salle 2" and session["slot"]["facilitators"] == ["Karim Benali"]
    starts_at, ends_at = (datetime.fromisoformat(session["slot"][end]) for end in ("starts_at", "ends_at"))
    assert (starts_at, ends_at) == (moved_to, moved_to + timedelta(minutes=90))
    assert await ok(await api.get(f"/actions/{first['action_id']}", headers=as_role("cpip"))) == moved
    # The former slot, place and facilitator included, is free for another action.
    await scheduled_session(
        api, partner, second["action_id"], next_week, place="Salle 1", facilitators=("Camille Martin",)
    )


async def test_the_catalogue_filters_by_type_theme_dates_and_seats_left(api, as_role, clock):
    today, chef = clock.now.date(), as_role("ipro_chef")
    citizen_call = (await published_call(api, as_role, today))["call_id"]
    forum_call = (await published_call(api, as_role, today, theme="Emploi", target_themes=["job_forum"]))[
        "call_id"
    ]
    partner_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    partner = as_role("partenaire", organisation_id=partner_id)

    def day(n):
        return clock.now + timedelta(days=n)

    workshop = (
        await approved_action(
            api, as_role, citizen_call, partner_id, proposal_content(day(7), planned_sessions=[])
        )
    )["action_id"]
    forum = (
        await approved_action(
            api,
            as_role,
            forum_call,
            partner_id,
            proposal_content(
                day(7),
                title="Forum emploi",
                action_type="job_forum",
                capacity_min=10,
                capacity_max=30,
                planned_sessions=[],
            ),
        )
    )["action_id"]
    unpublished = (
        await approved_action(
            api,
            as_role,
            citizen_call,
            partner_id,
            proposal_content(day(7), title="Pas encore publié", planned_sessions=[]),
        )
    )["action_id"]
    first = await scheduled_session(api, partner, workshop, day(7), place="Salle 1")
    second = await scheduled_session(api, partner, workshop, day(14), place="Salle 1")
    cancelled = await scheduled_session(api, partner, workshop, day(21), place="Salle 1")
    forum_day = await scheduled_session(
        api, partner, forum, day(10), place="Gymnase", facilitators=("Karim",)
    )
    await scheduled_session(api, partner, unpublished, day(8), place="Salle 3", facilitators=("Léa",))
    for action_id in (workshop, forum):
        await ok(await api.post(f"/actions/{action_id}/publish", headers=chef))
    await ok(
        await api.post(
            f"/actions/{workshop}/sessions/{cancelled}/cancel", json={"reason": "Grève"}, headers=partner
        )
    )

    async def catalogue(query: str = "") -> list[tuple[str, list[str]]]:
        page = await ok(await api.get(f"/catalogue?{query}", headers=as_role("cpip")))
        assert page["total"] == len(page["items"])
        return [(e["action_id"], [s["session_id"] for s in e["sessions"]]) for e in page["items"]]

    assert await catalogue() == [(workshop, [first, second]), (forum, [forum_day])]
    assert await catalogue("action_type=job_forum") == [(forum, [forum_day])]
    assert await catalogue("theme=emploi") == [(forum, [forum_day])]
    assert await catalogue("theme=Espace citoyen") == [(workshop, [first, second])]
    # Date filters are calendar days of the establishment, both included.
    assert await catalogue(f"starts_from={day(8).date()}") == [(forum, [forum_day]), (workshop, [second])]
    assert await catalogue(f"starts_until={day(7).date()}") == [(workshop, [first])]
    assert await catalogue(f"starts_from={day(10).date()}&starts_until={day(10).date()}") == [
        (forum, [forum_day])
    ]
    assert await catalogue(f"starts_from={day(22).date()}") == []
    assert await catalogue("min_seats_left=11") == [(forum, [forum_day])]
    assert await catalogue("min_seats_left=10&action_type=job_search_workshop") == [
        (workshop, [first, second])
    ]
    (entry,) = (await ok(await api.get("/catalogue?action_type=job_forum", headers=chef)))["items"]
    assert (entry["theme"], entry["capacity_max"], entry["sessions"][0]["seats_left"]) == ("Emploi", 30, 30)


async def test_the_catalogue_shows_coming_sessions_only(api, as_role, clock):
    today = clock.now.date()
    call_id = (await published_call(api, as_role, today))["call_id"]
    partner_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    partner = as_role("partenaire", organisation_id=partner_id)
    action_id = (
        await approved_action(
            api,
            as_role,
            call_id,
            partner_id,
            proposal_content(clock.now + timedelta(days=7), planned_sessions=[]),
        )
    )["action_id"]
    tomorrow = await scheduled_session(api, partner, action_id, clock.now + timedelta(days=1))
    next_week = await scheduled_session(api, partner, action_id, clock.now + timedelta(days=7))
    await ok(await api.post(f"/actions/{action_id}/publish", headers=as_role("ipro_chef")))
    before = await ok(await api.get("/catalogue", headers=as_role("cpip")))
    assert [s["session_id"] for s in before["items"][0]["sessions"]] == [tomorrow, next_week]

    clock.advance(days=2)  # tomorrow's session took place; the partner has not reported it yet

    after = await ok(await api.get("/catalogue", headers=as_role("cpip")))
    assert [s["session_id"] for s in after["items"][0]["sessions"]] == [next_week]


async def test_a_retried_submission_returns_the_first_answer_and_appends_one_event(
    api, as_role, clock, partners_dsn
):
    today = clock.now.date()
    call_id = (await published_call(api, as_role, today))["call_id"]
    partner_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    partner = as_role("partenaire", organisation_id=partner_id)
    body = {"call_id": call_id, "content": proposal_content(clock.now + timedelta(days=7))}
    url = f"/proposals/{(await ok(await api.post('/proposals', json=body, headers=partner), 201))['proposal_id']}"
    before = await events_in(partners_dsn)

    retrying = {**partner, "Idempotency-Key": "submit-atelier-cv"}
    first = await api.post(f"{url}/submit", headers=retrying)
    retried = await api.post(f"{url}/submit", headers=retrying)
    unkeyed = await api.post(f"{url}/submit", headers=partner)

    assert first.status_code == retried.status_code == 200
    assert retried.json() == first.json() and first.json()["status"] == "submitted"
    assert retried.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert unkeyed.status_code == 422 and unkeyed.json()["rule"] == "proposal-not-draft"
    assert await events_in(partners_dsn) == before + 1
