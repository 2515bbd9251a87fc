"""Who may do what through the programmes API (`http/common.py` and `access.py`), against the real app,
database and broker. Who reads each route, and what of it, is the access matrix
(tests/security/access_matrix.py); this module keeps the commands, the totals and the ESPACE checks.

* The catalogue and the schedules are read by the establishment's staff; IPRO roles, the governor's office,
  auditors and partners do not see the offence-specific content (eligibility rules, failed rules).
* A CPIP refers and reads the people of their caseload only; a DPIP does everything, overrides included.
* Facilitators (a CPIP, a psychologist, a partner) record attendance for their own groups; a partner sees
  nothing but the groups it facilitates.
* ESPACE (sensitive) groups and referrals exist for DPIPs only: anyone else gets 404, lists leave them out,
  and their events, like every facilitator's notes, reach `programmes.restricted` only.

The tests share one follow-up served by the module (`flows.follow_up`, which the access matrix of
tests/security builds too) (the programmes app with its relay running, its replica
fed with the assessment events of `flows.People`): reads change nothing, refused commands must append
nothing, and the few commands that succeed touch only what no other test asserts on.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from contracts.programmes import EligibilityRules
from contracts.roles import ROLES
from devinfra.testkit import (
    SettableClock,
    Upstream,
    assert_refused,
    events_in,
    headers_for,
    ok,
    read_topic,
    refused,
    routes_of,
    service_settings,
    serving,
    untrusted_credentials,
)
from kernel.sealing import is_sealed
from programmes.bootstrap import create_app
from programmes.http import routers
from programmes.settings import ProgrammesSettings

from .flows import ESPACE_NOTES, PARCOURS_NOTES, People, follow_up, referral_body, tuesdays

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))  # a Friday
FIRST_WEEK = "2026-11-30"  # the groups' first week: one session of each
WHOLE_PERIOD = "from=2026-11-30&to=2027-03-01"
LATER = NOW + timedelta(days=34)  # 2026-12-31 09:00: the first five Tuesday sessions have started

EMPTY_RULES = EligibilityRules().model_dump(mode="json")
NOTHING = {"total": 0, "total_exact": True, "items": [], "next": None}  # an empty list's page

STAFF_GROUPS = frozenset({"parcours", "other"})
EVERY_GROUP = STAFF_GROUPS | {"espace"}
PARTNER_GROUPS = frozenset({"parcours"})
NO_GROUP = frozenset()
SHAREABLE = frozenset({"r1", "r2", "r3", "r3b", "r4"})
EVERY_REFERRAL = SHAREABLE | {"re", "r5"}
CASELOAD_1 = frozenset({"r1", "r2", "r4"})
CASELOAD_2 = frozenset({"r3", "r3b"})
P1_SHAREABLE = frozenset({"r1"})
P1_EVERY = frozenset({"r1", "re"})


@dataclass
class World:
    api: httpx.AsyncClient
    app: FastAPI
    dev_keys: object
    dsn: str
    bootstrap: str
    prefix: str
    groups: dict[str, str]
    referrals: dict[str, str]
    cases: dict[str, str]
    people: dict[str, dict] = field(default_factory=dict)

    def headers(self, user: str) -> dict[str, str]:
        role = user.rsplit("-", 1)[0]
        organisation = f"org-{user.rsplit('-', 1)[1]}" if role == "partenaire" else None
        return {
            "Authorization": f"Bearer {self.dev_keys.mint(role, subject=user, organisation_id=organisation)}"
        }

    def url(self, template: str) -> str:
        return template.format(**self.groups, **self.referrals)

    def session(self, group: str, number: int) -> str:
        return f"{self.groups[group]}-s{number}"

    def group_key(self, group_id: str) -> str:
        return {v: k for k, v in self.groups.items()}[group_id]

    def referral_key(self, referral_id: str) -> str:
        return {v: k for k, v in self.referrals.items()}[referral_id]

    async def participants(self, group: str) -> list[str]:
        """The group's current participants (referral ids), as its register lists them for a DPIP."""
        register = await ok(
            await self.api.get(f"/groups/{self.groups[group]}/register", headers=self.headers("dpip-1"))
        )
        return [line["referral_id"] for line in register["participants"]]

    async def attendance(self, group: str) -> dict:
        return {
            "marks": [{"referral_id": r, "mark": "present"} for r in await self.participants(group)],
            "notes": "",
        }


@pytest.fixture(scope="module")
async def world(infrastructure, dev_keys, unique_name):
    """The follow-up, served once for the module: the programmes app runs its relay on topics of its own."""
    prefix = unique_name("t") + "."
    clock = SettableClock(NOW)
    as_role = headers_for(dev_keys)
    programmes_dsn = await infrastructure.create_database(unique_name("programmes").replace("-", "_"))
    settings = service_settings(
        ProgrammesSettings, programmes_dsn, infrastructure, dev_keys, prefix, run_relay=True
    )
    app = create_app(settings, clock=clock)
    async with serving(app) as api:
        people = People(Upstream(settings, "assessment"), programmes_dsn, clock)
        ids = await follow_up(api, people, as_role, clock, later=LATER)
        yield World(
            api=api,
            app=app,
            dev_keys=dev_keys,
            dsn=programmes_dsn,
            bootstrap=infrastructure.bootstrap_servers,
            prefix=prefix,
            **ids,
        )


# --- what a refusal looks like -------------------------------------------------------------------------

ROLE, CASELOAD, NOT_FACILITATOR = "role-not-allowed", "not-on-caseload", "not-a-facilitator"
GROUP_404, REFERRAL_404, PROGRAMME_404 = "group-not-found", "referral-not-found", "programme-not-found"
NO_CERTIFICATE = "certificate-not-found"
STATUS = {
    ROLE: 403,
    CASELOAD: 403,
    NOT_FACILITATOR: 403,
    "override-needs-dpip": 403,
    GROUP_404: 404,
    REFERRAL_404: 404,
    PROGRAMME_404: 404,
    NO_CERTIFICATE: 404,
    "not-authenticated": 401,
}


def refused_as(response: httpx.Response, rule: str, *context) -> None:
    assert_refused(response, STATUS[rule], rule, *context)


# --- lists: totals (who reads each route is the access matrix: tests/security/access_matrix.py) ---------


@pytest.mark.parametrize(
    ("user", "path", "total"),
    [
        ("cpip-1", "/referrals", 3),
        ("cpip-2", "/referrals", 2),
        ("dpip-1", "/referrals", 7),
        ("ipro_chef-1", "/referrals", 5),
        ("auditeur-1", "/referrals", 5),
        ("cpip-1", "/referrals?subject_id=p-3", 0),
        ("cpip-2", "/referrals?subject_id=p-3", 2),
        ("cpip-1", "/groups", 2),
        ("dpip-1", "/groups", 3),
        ("partenaire-1", "/groups", 1),
        ("partenaire-2", "/groups", 0),
        ("cpip-1", f"/sessions?week={FIRST_WEEK}", 2),
        ("dpip-1", f"/sessions?week={FIRST_WEEK}", 3),
        ("partenaire-1", f"/sessions?{WHOLE_PERIOD}", 12),
        ("partenaire-2", f"/sessions?{WHOLE_PERIOD}", 0),
    ],
)
async def test_list_totals_count_only_what_the_caller_may_see(world, user, path, total):
    separator = "&" if "?" in path else "?"
    body = await ok(await world.api.get(f"{path}{separator}limit=1", headers=world.headers(user)))
    assert body["total"] == total
    assert len(body["items"]) == min(total, 1)


# --- commands: the role policies -----------------------------------------------------------------------

OFFICER, DIRECTOR = frozenset({"cpip", "dpip"}), frozenset({"dpip"})
FACILITATOR = frozenset({"cpip", "dpip", "psychologue", "partenaire"})

COMMANDS = {  # (method, route): the only roles that may call it
    ("POST", "/programmes"): DIRECTOR,
    ("POST", "/programmes/{programme_id}/revisions"): DIRECTOR,
    ("POST", "/programmes/{programme_id}/withdraw"): DIRECTOR,
    ("POST", "/groups"): DIRECTOR,
    ("POST", "/groups/{group_id}/open"): DIRECTOR,
    ("POST", "/groups/{group_id}/start"): OFFICER,
    ("POST", "/groups/{group_id}/close"): OFFICER,
    ("POST", "/groups/{group_id}/sessions"): FACILITATOR,
    ("POST", "/groups/{group_id}/sessions/{session_id}/move"): FACILITATOR,
    ("POST", "/groups/{group_id}/sessions/{session_id}/cancel"): FACILITATOR,
    ("POST", "/groups/{group_id}/sessions/{session_id}/attendance"): FACILITATOR,
    ("POST", "/referrals"): OFFICER,
    ("POST", "/referrals/{referral_id}/override"): DIRECTOR,
    ("POST", "/referrals/{referral_id}/consent"): OFFICER,
    ("POST", "/referrals/{referral_id}/enrol"): OFFICER,
    ("POST", "/referrals/{referral_id}/waitlist"): OFFICER,
    ("POST", "/referrals/{referral_id}/drop-out"): OFFICER,
    ("POST", "/referrals/{referral_id}/exclude"): DIRECTOR,
    ("POST", "/referrals/{referral_id}/withdraw"): OFFICER,
}


def test_the_command_table_is_the_policy_every_command_route_declares():
    declared = {
        (method, path): policy.roles for method, path, policy in routes_of(routers) if method != "GET"
    }
    assert declared == COMMANDS


async def command_bodies(world: World) -> dict[str, dict | None]:
    """A valid body per command route: only the caller, never the payload, is what gets refused."""
    definition = (
        await ok(await world.api.get("/programmes/programme-cine-debat", headers=world.headers("dpip-1")))
    )["definition"]
    group = {
        "programme_id": "programme-parcours",
        "establishment": "InSERRE Arras",
        "room": "Salle 9",
        "facilitators": ["cpip-9"],
        "start_date": "2027-01-04",
        "end_date": "2027-04-30",
        "pattern": tuesdays(weekday=4),
        "capacity": 8,
    }
    return {
        "/programmes": {**definition, "code": "NOUVEAU", "name": "Nouvelle action"},
        "/programmes/{programme_id}/revisions": definition,
        "/programmes/{programme_id}/withdraw": {"reason": "Plus animée"},
        "/groups": group,
        "/groups/{group_id}/open": None,
        "/groups/{group_id}/start": {"below_minimum_reason": ""},
        "/groups/{group_id}/close": None,
        "/groups/{group_id}/sessions": {"starts_at": "2027-02-13T10:00:00+01:00"},
        "/groups/{group_id}/sessions/{session_id}/move": {"starts_at": "2027-02-12T16:00:00+01:00"},
        "/groups/{group_id}/sessions/{session_id}/cancel": {"reason": "Salle indisponible"},
        "/groups/{group_id}/sessions/{session_id}/attendance": await world.attendance("parcours"),
        "/referrals": referral_body(world.people["p-1"], "programme-addictions"),
        "/referrals/{referral_id}/override": {"reason": "Vu en commission"},
        "/referrals/{referral_id}/consent": {"given": True},
        "/referrals/{referral_id}/enrol": {"group_id": world.groups["parcours"]},
        "/referrals/{referral_id}/waitlist": {"group_id": world.groups["parcours"]},
        "/referrals/{referral_id}/drop-out": {"reason": "Ne vient plus"},
        "/referrals/{referral_id}/exclude": {"reason": "Violences en séance"},
        "/referrals/{referral_id}/withdraw": {"reason": "Transfert"},
    }


async def test_every_command_refuses_the_roles_outside_its_policy_and_appends_nothing(world):
    bodies = await command_bodies(world)
    ids = {
        "programme_id": "programme-cine-debat",
        "group_id": world.groups["parcours"],
        "session_id": world.session("parcours", 8),
        "referral_id": world.referrals["r1"],
    }
    before = await events_in(world.dsn)

    for (method, path), allowed in COMMANDS.items():
        for role in sorted(ROLES - allowed):
            response = await world.api.request(
                method, path.format(**ids), json=bodies[path], headers=world.headers(f"{role}-1")
            )
            refused_as(response, ROLE, role)
    assert await events_in(world.dsn) == before


async def test_without_a_valid_token_every_route_answers_401(world):
    ids = {
        "programme_id": "programme-parcours",
        "group_id": world.groups["parcours"],
        "session_id": world.session("parcours", 8),
        "referral_id": world.referrals["r1"],
        "subject_id": "p-1",
    }
    untrusted = untrusted_credentials(world.dev_keys, "dpip")
    unknown_role = world.dev_keys.mint("surveillant", subject="surveillant-1")
    before = await events_in(world.dsn)
    routes = [(method, path) for method, path, policy in routes_of(routers) if not policy.is_public]
    # Every command the policy table describes, and no other; the reads are the access matrix's.
    assert {route for route in routes if route[0] != "GET"} == set(COMMANDS)
    assert len(routes) > len(COMMANDS)

    for method, path in routes:
        url = path.format(**ids)
        for headers in untrusted:
            refused_as(
                await world.api.request(method, url, json={}, headers=headers), "not-authenticated", headers
            )
        # A valid token whose role is none of the service's: no role, no access.
        response = await world.api.request(
            method, url, json={}, headers={"Authorization": f"Bearer {unknown_role}"}
        )
        refused_as(response, ROLE)
    assert await events_in(world.dsn) == before


# --- commands: a CPIP's caseload -------------------------------------------------------------------------


def referral_calls(
    world: World, referral: str, group: str = "parcours"
) -> list[tuple[str, str, dict | None]]:
    """Every call a CPIP may make on a referral, each with a valid body."""
    url, group_id = f"/referrals/{world.referrals[referral]}", world.groups[group]
    return [
        ("GET", url, None),
        ("GET", f"{url}/certificate", None),
        ("POST", f"{url}/consent", {"given": True}),
        ("POST", f"{url}/enrol", {"group_id": group_id}),
        ("POST", f"{url}/waitlist", {"group_id": group_id}),
        ("POST", f"{url}/drop-out", {"reason": "Absent"}),
        ("POST", f"{url}/withdraw", {"reason": "Transfert"}),
    ]


@pytest.mark.parametrize(
    ("user", "referral", "person"),
    [("cpip-2", "r1", "p-1"), ("cpip-1", "r3", "p-3"), ("cpip-1", "r3b", "p-3")],
)
async def test_a_cpip_neither_refers_nor_reads_nor_acts_on_another_cpips_person(
    world, user, referral, person
):
    headers = world.headers(user)
    before = await events_in(world.dsn)
    calls = [
        *referral_calls(world, referral),
        ("POST", "/referrals", referral_body(world.people[person], "programme-addictions")),
        ("GET", f"/people/{person}/participation", None),
    ]

    for method, url, body in calls:
        refused_as(await world.api.request(method, url, json=body, headers=headers), CASELOAD, user)
    listed = await ok(await world.api.get(f"/referrals?case_id={world.cases[person]}", headers=headers))
    assert listed == NOTHING
    assert await events_in(world.dsn) == before


# --- commands: facilitators ------------------------------------------------------------------------------


def group_calls(world: World, group: str, role: str, attendance: dict) -> list[tuple[str, str, dict | None]]:
    url = f"/groups/{world.groups[group]}"
    calls = [
        ("GET", f"{url}/register", None),
        ("POST", f"{url}/sessions", {"starts_at": "2027-02-13T10:00:00+01:00"}),
        (
            "POST",
            f"{url}/sessions/{world.session(group, 8)}/move",
            {"starts_at": "2027-02-12T16:00:00+01:00"},
        ),
        ("POST", f"{url}/sessions/{world.session(group, 9)}/cancel", {"reason": "Salle indisponible"}),
        ("POST", f"{url}/sessions/{world.session(group, 2)}/attendance", attendance),
    ]
    if role == "cpip":
        calls += [("POST", f"{url}/start", {"below_minimum_reason": ""}), ("POST", f"{url}/close", None)]
    return calls


@pytest.mark.parametrize(
    ("user", "group", "rule"),
    [
        ("cpip-2", "parcours", NOT_FACILITATOR),
        ("psychologue-2", "parcours", NOT_FACILITATOR),
        ("partenaire-2", "parcours", GROUP_404),
        ("cpip-1", "other", NOT_FACILITATOR),
        ("psychologue-1", "other", NOT_FACILITATOR),
        ("partenaire-1", "other", GROUP_404),
        # ESPACE: not even its own facilitators, unless DPIPs
        ("cpip-1", "espace", GROUP_404),
        ("psychologue-1", "espace", GROUP_404),
        ("partenaire-1", "espace", GROUP_404),
    ],
)
async def test_only_a_groups_facilitators_or_a_dpip_run_its_sessions(world, user, group, rule):
    attendance = await world.attendance(group)
    before = await events_in(world.dsn)

    for method, url, body in group_calls(world, group, user.rsplit("-", 1)[0], attendance):
        refused_as(await world.api.request(method, url, json=body, headers=world.headers(user)), rule, user)
    assert await events_in(world.dsn) == before


@pytest.mark.parametrize(
    ("user", "number"), [("cpip-1", 2), ("psychologue-1", 3), ("partenaire-1", 4), ("dpip-1", 5)]
)
async def test_a_facilitator_or_a_dpip_records_attendance_with_notes(world, user, number):
    attendance = {**await world.attendance("parcours"), "notes": f"Séance {number} : {PARCOURS_NOTES}"}
    url = f"/groups/{world.groups['parcours']}/sessions/{world.session('parcours', number)}/attendance"

    group = await ok(await world.api.post(url, headers=world.headers(user), json=attendance))

    held = {s["session"]["number"]: s["held"] for s in group["sessions"]}
    assert held[number] is True


async def test_an_attendance_marks_reason_is_stored_sealed_with_its_participants_key_and_the_register_reads(
    world,
):
    """Issue 17: a group's stream has no person's key; each mark's reason takes its participant's."""
    group_id, session_id = world.groups["parcours"], world.session("parcours", 5)  # a correction
    participants = await world.participants("parcours")
    reason = "Audience devant le juge de l'application des peines"
    marks = [{"referral_id": r, "mark": "present"} for r in participants]
    marks[0] = {"referral_id": participants[0], "mark": "absent_excused", "reason": reason}
    url = f"/groups/{group_id}/sessions/{session_id}/attendance"
    await ok(await world.api.post(url, headers=world.headers("dpip-1"), json={"marks": marks, "notes": ""}))

    connection = await asyncpg.connect(world.dsn)
    try:
        rows = await connection.fetch(
            """SELECT event_type, payload::text AS payload FROM events WHERE stream_id = $1
               AND event_type IN ('programmes.group.attendance_recorded', 'programmes.group.participant_enrolled')
               ORDER BY position""",
            group_id,
        )
    finally:
        await connection.close()
    payloads = [json.loads(r["payload"]) for r in rows]
    subjects = {p["referral_id"]: p["subject_id"] for p in payloads if "subject_id" in p and "marks" not in p}
    recorded = next(p for p in reversed(payloads) if "marks" in p)
    assert reason not in json.dumps(recorded, ensure_ascii=False)
    assert all(is_sealed(m["reason"]) for m in recorded["marks"])
    assert [m["reason"]["kid"] for m in recorded["marks"]] == [
        subjects[m["referral_id"]] for m in recorded["marks"]
    ]
    assert [m["subject_id"] for m in recorded["marks"]] == [
        subjects[m["referral_id"]] for m in recorded["marks"]
    ]

    register = await ok(await world.api.get(f"/groups/{group_id}/register", headers=world.headers("dpip-1")))
    line = next(p for p in register["participants"] if p["referral_id"] == participants[0])
    assert line["marks"][session_id] == "absent_excused"


async def test_a_dpip_does_everything_overrides_and_exclusion_included(world):
    dpip, cpip2, ipro = world.headers("dpip-1"), world.headers("cpip-2"), world.headers("ipro_chef-1")
    r2, r3b, r4 = (f"/referrals/{world.referrals[k]}" for k in ("r2", "r3b", "r4"))

    # An eligibility override: the reason, like the failed rules, stays with SPIP readers.
    overridden = await ok(
        await world.api.post(f"{r2}/override", headers=dpip, json={"reason": "Vu en commission"})
    )
    assert overridden["status"] == "eligible" and overridden["override_reason"] == "Vu en commission"
    assert overridden["failed_rules"] == ["eligibility-short-sentence"]
    seen_by_ipro = await ok(await world.api.get(r2, headers=ipro))
    assert seen_by_ipro["failed_rules"] is None and seen_by_ipro["override_reason"] is None, seen_by_ipro

    # Another CPIP's person: consent and enrolment in a group the DPIP does not run.
    await ok(await world.api.post(f"{r3b}/consent", headers=dpip, json={"given": True}))
    enrolled = await ok(
        await world.api.post(f"{r3b}/enrol", headers=dpip, json={"group_id": world.groups["other"]})
    )
    assert enrolled["status"] == "enrolled"

    # Starting below the minimum is a DPIP's override, even for the group's own facilitator.
    other = f"/groups/{world.groups['other']}"
    refused_as(
        await world.api.post(f"{other}/start", headers=cpip2, json={"below_minimum_reason": "Urgence"}),
        "override-needs-dpip",
    )
    started = await ok(
        await world.api.post(f"{other}/start", headers=dpip, json={"below_minimum_reason": "Urgence"})
    )
    assert started["status"] == "started"
    cancelled = await ok(
        await world.api.post(
            f"{other}/sessions/{world.session('other', 10)}/cancel",
            headers=dpip,
            json={"reason": "Salle indisponible"},
        )
    )
    assert {s["session"]["number"] for s in cancelled["sessions"] if s["cancelled"]} == {10}
    moved = await ok(
        await world.api.post(
            f"/groups/{world.groups['espace']}/sessions/{world.session('espace', 9)}/move",
            headers=dpip,
            json={"starts_at": "2027-01-29T10:00:00+01:00"},
        )
    )
    assert {s["session"]["number"]: s["session"]["starts_at"] for s in moved["sessions"]}[9].startswith(
        "2027-01-29"
    )

    # Exclusion: the person leaves the group.
    excluded = await ok(
        await world.api.post(f"{r4}/exclude", headers=dpip, json={"reason": "Violences en séance"})
    )
    assert excluded["status"] == "excluded"
    assert world.referrals["r4"] not in await world.participants("parcours")


# --- ESPACE ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "person"), [("cpip-1", "p-1"), ("cpip-2", "p-3")])
async def test_a_cpip_cannot_refer_to_espace_nor_touch_an_espace_referral(world, user, person):
    """p-1 is cpip-1's own person: their ESPACE referral still does not exist for cpip-1."""
    headers = world.headers(user)
    before = await events_in(world.dsn)

    refer = await world.api.post(
        "/referrals", headers=headers, json=referral_body(world.people[person], "programme-espace")
    )
    refused_as(refer, PROGRAMME_404, user)
    for method, url, body in referral_calls(world, "re", group="espace"):
        refused_as(await world.api.request(method, url, json=body, headers=headers), REFERRAL_404, user)
    assert await events_in(world.dsn) == before


@pytest.mark.parametrize(
    "user", ["cpip-1", "psychologue-1", "ipro_conseiller-1", "auditeur-1", "partenaire-1", "direction-1"]
)
async def test_espace_groups_and_referrals_are_left_out_of_every_list_even_when_asked_for(world, user):
    espace = {world.groups["espace"], world.referrals["re"], world.referrals["r5"]}
    queries = {  # query: whether nothing at all is left for a non-DPIP (psychologue-1 also runs parcours)
        "/groups?programme_id=programme-espace": True,
        "/groups?programme_id=programme-espace&status=started": True,
        f"/sessions?{WHOLE_PERIOD}&room=Salle 3": True,
        f"/sessions?{WHOLE_PERIOD}&facilitator=psychologue-1": False,
        "/referrals?programme_id=programme-espace": True,
        "/referrals?subject_id=p-5": True,
        f"/referrals?group_id={world.groups['espace']}": True,
    }
    for query, empty in queries.items():
        dpip_sees = await ok(await world.api.get(query, headers=world.headers("dpip-1")))
        assert espace & {i.get("referral_id", i["group_id"]) for i in dpip_sees["items"]}, query
        response = await world.api.get(query, headers=world.headers(user))
        if response.status_code == 403:  # outside the route's policy: nothing listed either
            refused_as(response, ROLE, user)
            continue
        body = await ok(response)
        assert not espace & {i.get("referral_id", i["group_id"]) for i in body["items"]}, (user, query)
        assert body["total"] == len(body["items"]), (user, query)
        if empty:
            assert body == NOTHING, (user, query)

    response = await world.api.get("/people/p-5/participation", headers=world.headers(user))
    if response.status_code != 403:
        assert (await ok(response))["enrolments"] == []
    dpip_sees = await ok(await world.api.get("/people/p-5/participation", headers=world.headers("dpip-1")))
    assert [e["referral_id"] for e in dpip_sees["enrolments"]] == [world.referrals["r5"]]


async def test_no_espace_identifier_or_note_reaches_a_non_dpip_reader(world):
    """Every read route, every user but DPIPs: no ESPACE group, session, referral or note in an answer."""
    secrets = {world.groups["espace"], world.referrals["re"], world.referrals["r5"], ESPACE_NOTES, "Salle 3"}
    reads = (
        "/programmes",
        "/programmes/programme-aderes",
        "/groups",
        "/groups/{parcours}",
        "/groups/{other}",
        "/groups/{parcours}/register",
        f"/sessions?week={FIRST_WEEK}",
        "/referrals",
        "/referrals/{r2}",
        "/referrals/{r1}/certificate",
        "/people/p-1/participation",
    )
    urls = [world.url(route) for route in reads]
    urls += [
        f"/sessions?{WHOLE_PERIOD}",
        "/referrals?limit=200",
        "/people/p-5/participation",
        f"/groups/{world.groups['parcours']}/register?format=html",
    ]
    for user in (
        *("cpip-1", "cpip-2", "psychologue-1", "psychologue-2", "assistant_social-1", "ipro_conseiller-1"),
        *("ipro_chef-1", "ripro-1", "direction-1", "partenaire-1", "partenaire-2", "auditeur-1"),
    ):
        answered = 0
        for url in urls:
            response = await world.api.get(url, headers=world.headers(user))
            answered += response.status_code == 200
            assert not [s for s in secrets if s in response.text], (user, url, response.status_code)
        assert answered >= 4, user  # the scan read real data


async def test_a_partner_facilitator_reads_the_register_by_name_without_ecrou_numbers(world):
    """Security review L3: the écrou number is the prison's, for SPIP staff; a partner facilitator runs the
    session with names. The printed register says so with a dash."""
    url = world.url("/groups/{parcours}/register")
    by_dpip = await ok(await world.api.get(url, headers=world.headers("dpip-1")))
    by_partner = await ok(await world.api.get(url, headers=world.headers("partenaire-1")))
    printed = await world.api.get(f"{url}?format=html", headers=world.headers("partenaire-1"))

    ecrou_numbers = [line["ecrou_number"] for line in by_dpip["participants"]]
    assert ecrou_numbers and all(ecrou_numbers)
    assert [line["ecrou_number"] for line in by_partner["participants"]] == [None] * len(ecrou_numbers)
    assert [line["last_name"] for line in by_partner["participants"]] == [
        line["last_name"] for line in by_dpip["participants"]
    ]
    assert printed.status_code == 200 and "<td>–</td>" in printed.text


OUTSIDE_THE_SPIP = (
    *("ipro_conseiller-1", "ipro_chef-1", "ripro-1", "direction-1"),
    *("partenaire-1", "partenaire-2", "auditeur-1"),
)


def _as_missing(response: httpx.Response, programme_id: str) -> dict:
    """A problem without what differs from one request to another: the id asked for, the correlation id."""
    problem = json.loads(response.text.replace(programme_id, "?"))
    return {k: v for k, v in problem.items() if k != "correlation_id"}


async def test_the_espace_programme_is_unknown_outside_the_spip(world):
    """Security review L7: that an ESPACE programme exists is the SPIP's to know. IPRO, the governor's office,
    auditors and partners do not find it in the catalogue (its total neither), read it as a missing one, word
    for word, and find its id in no list nor participation; the SPIP's staff still see it in the catalogue."""
    listed = "/programmes?include_withdrawn=true&limit=500"
    for user in ("cpip-1", "dpip-1"):
        catalogue = await ok(await world.api.get(listed, headers=world.headers(user)))
        assert "programme-espace" in {p["programme_id"] for p in catalogue["items"]}, user
    reads = (
        "/referrals?limit=200&programme_id=programme-espace",
        "/referrals?limit=200",
        "/groups?programme_id=programme-espace",
        f"/sessions?{WHOLE_PERIOD}",
        "/people/p-1/participation",
        "/people/p-5/participation",
    )
    for user in OUTSIDE_THE_SPIP:
        headers = world.headers(user)
        catalogue = await ok(await world.api.get(listed, headers=headers))
        assert "programme-espace" not in {p["programme_id"] for p in catalogue["items"]}, user
        assert catalogue["total"] == len(catalogue["items"]), user
        hidden = await world.api.get("/programmes/programme-espace", headers=headers)
        missing = await world.api.get("/programmes/programme-nowhere", headers=headers)
        assert hidden.status_code == missing.status_code == 404, user
        assert _as_missing(hidden, "programme-espace") == _as_missing(missing, "programme-nowhere"), user
        for url in reads:
            response = await world.api.get(url, headers=headers)
            assert "programme-espace" not in response.text, (user, url, response.status_code)


async def test_a_revision_does_not_make_a_programme_sensitive_over_http(world):
    """Its groups' and referrals' events went to the shareable topic: the revision is refused naming the rule
    (ADR 12 addendum), the entry unchanged."""
    url = "/programmes/programme-aderes"
    before = await ok(await world.api.get(url, headers=world.headers("dpip-1")))
    definition = {**before["definition"], "sensitive": True}
    revision = world.api.post(f"{url}/revisions", json=definition, headers=world.headers("dpip-1"))
    await refused(world.dsn, revision, 422, "programme-sensitivity-fixed")
    assert await ok(await world.api.get(url, headers=world.headers("dpip-1"))) == before


# --- events: ESPACE and facilitators' notes are restricted ------------------------------------------------


async def stored_events(dsn: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetch("SELECT event_id, event_type, stream_id, restricted FROM events")
    finally:
        await connection.close()


async def test_espace_events_and_every_facilitators_notes_reach_only_the_restricted_topic(world):
    stored = await stored_events(world.dsn)
    shareable = {str(e["event_id"]) for e in stored if not e["restricted"]}
    restricted = {str(e["event_id"]) for e in stored if e["restricted"]}

    async def published(topic: str, expected: int) -> dict[str, dict]:
        records = await read_topic(world.bootstrap, world.prefix + topic, at_least=expected)
        return {envelope["event_id"]: envelope for envelope in (json.loads(r.value) for r in records)}

    on_events = await published("programmes.events", len(shareable))
    on_restricted = await published("programmes.restricted", len(restricted))
    assert set(on_events) == shareable and set(on_restricted) == restricted

    sensitive = {world.groups["espace"], world.referrals["re"], world.referrals["r5"]}
    for envelope in on_events.values():
        assert envelope["stream_id"] not in sensitive, envelope
        assert envelope["event_type"] != "programmes.group.facilitator_notes_recorded", envelope
        text = json.dumps(envelope, ensure_ascii=False)
        assert not [s for s in sensitive | {ESPACE_NOTES, PARCOURS_NOTES} if s in text], envelope
    for envelope in on_restricted.values():
        assert envelope["restricted"] is True

    def types(envelopes, stream: str) -> set[str]:
        return {e["event_type"].rsplit(".", 1)[1] for e in envelopes.values() if e["stream_id"] == stream}

    assert {
        "planned",
        "opened",
        "participant_enrolled",
        "started",
        "participant_left",
        "attendance_recorded",
        "facilitator_notes_recorded",
    } <= types(on_restricted, world.groups["espace"])
    assert {"requested", "found_eligible", "consent_recorded", "enrolled", "participation_started"} <= types(
        on_restricted, world.referrals["re"]
    )
    assert "ended_on_release" in types(on_restricted, world.referrals["r5"])  # appended by the replica
    # A shareable group's attendance is published; its facilitators' notes are not.
    assert types(on_restricted, world.groups["parcours"]) == {"facilitator_notes_recorded"}
    assert "attendance_recorded" in types(on_events, world.groups["parcours"])
    notes = [
        e["payload"]["notes"] for e in on_restricted.values() if e["stream_id"] == world.groups["parcours"]
    ]
    # And even there they travel sealed with the person's key (ADR 24), never in clear.
    assert notes and all(is_sealed(note) for note in notes)
    assert PARCOURS_NOTES not in str(on_restricted)


# --- found by these tests, and fixed ---------------------------------------------------------------


@pytest.mark.parametrize("action", ["enrol", "waitlist"])
async def test_placing_in_an_espace_group_answers_as_for_a_missing_group(world, action):
    url = f"/referrals/{world.referrals['r2']}/{action}"
    before = await events_in(world.dsn)
    missing = await world.api.post(url, headers=world.headers("cpip-1"), json={"group_id": str(uuid.uuid4())})
    refused_as(missing, GROUP_404)

    hidden = await world.api.post(
        url, headers=world.headers("cpip-1"), json={"group_id": world.groups["espace"]}
    )
    assert await events_in(world.dsn) == before
    refused_as(hidden, GROUP_404)


@pytest.mark.parametrize(
    ("user", "hidden"),
    [("cpip-1", "/groups/{espace}"), ("partenaire-1", "/groups/{other}"), ("ipro_chef-1", "/referrals/{re}")],
)
async def test_a_hidden_group_or_referral_answers_exactly_as_a_missing_one(world, user, hidden):
    missing_id = str(uuid.uuid4())
    missing = hidden.split("{")[0] + missing_id
    hidden_url = world.url(hidden)
    hidden_id = hidden_url.rsplit("/", 1)[1]

    def seen(response: httpx.Response, identifier: str) -> tuple:
        body = response.json()
        return response.status_code, body["rule"], body["detail"].replace(identifier, "<id>")

    answers = [
        seen(await world.api.get(url, headers=world.headers(user)), identifier)
        for url, identifier in ((missing, missing_id), (hidden_url, hidden_id))
    ]
    assert answers[0][0] == 404
    assert answers[1] == answers[0]


async def test_a_partner_runs_a_group_because_its_organisation_is_named_not_because_a_label_is_its_id(world):
    """Security review L3: group "other" has "partenaire-2" among its facilitators' labels; partenaire-2 (of
    org-2) neither sees nor runs it, as a missing group. Any account of org-1, the organisation the DPIP named
    for parcours, runs parcours."""
    other, parcours = world.groups["other"], world.groups["parcours"]
    labelled = world.headers("partenaire-2")
    for url in (f"/groups/{other}", f"/groups/{other}/register"):
        response = await world.api.get(url, headers=labelled)
        assert (response.status_code, response.json()["rule"]) == (404, "group-not-found"), url
    for url in ("/groups", f"/sessions?{WHOLE_PERIOD}"):
        listed = await ok(await world.api.get(url, headers=labelled))
        assert (listed["total"], listed["items"]) == (0, []), url

    token = world.dev_keys.mint("partenaire", subject="partenaire-7", organisation_id="org-1")
    colleague = {"Authorization": f"Bearer {token}"}
    await ok(await world.api.get(f"/groups/{parcours}/register", headers=colleague))
    listed = await ok(await world.api.get("/groups", headers=colleague))
    assert {world.group_key(g["group_id"]) for g in listed["items"]} == PARTNER_GROUPS
    planned = await ok(await world.api.get(f"/groups/{parcours}", headers=world.headers("dpip-1")))
    assert (planned["facilitators"], planned["partner_organisations"]) == (
        ["cpip-1", "psychologue-1"],
        ["org-1"],
    )


async def test_a_partner_lists_the_groups_it_runs_as_it_sees_and_runs_them(world):
    token = world.dev_keys.mint("partenaire", subject="Partenaire-1", organisation_id="org-1")
    headers = {"Authorization": f"Bearer {token}"}

    await ok(await world.api.get(f"/groups/{world.groups['parcours']}", headers=headers))
    await ok(await world.api.get(f"/groups/{world.groups['parcours']}/register", headers=headers))
    sessions = await ok(await world.api.get(f"/sessions?week={FIRST_WEEK}", headers=headers))
    assert {world.group_key(s["group_id"]) for s in sessions["items"]} == PARTNER_GROUPS
    groups = await ok(await world.api.get("/groups", headers=headers))
    assert {world.group_key(g["group_id"]) for g in groups["items"]} == PARTNER_GROUPS
