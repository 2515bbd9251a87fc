"""Who may do what through the IPRO API (route policies in http/common.py, `ipro.access`), against the real
app, database and broker. Who reads each route, and what of it, is the access matrix
(tests/security/access_matrix.py); this module keeps the commands, the filters and the word-for-word 404s.

* Advisers (`ipro_conseiller`) see and act on their own caseload only (the pathways whose adviser they
  are): another adviser's pathway, or an unassigned one, and what it owns, answer as if they did not exist
  (404); their lists count only theirs. IPRO management (`ipro_chef`, `ripro`) acts on every pathway and
  names the adviser.
* The governor's office (`direction`) alone decides classement, affectation, declassification and leaves.
* A CPIP reads the pathways of their own people (the case's referent), a DPIP all of them; neither acts.
* A partner confirms and reports only the positionings on its own organisation's actions (another
  organisation's positioning does not exist for it) and sees a person's name and positioning, nothing else;
  it has no access to pathways, work, trainings or reports.
* Auditors read; psychologists and social workers have no access; without a valid token nothing answers.

The tests share one follow-up served by the module (`flows.follow_up`, which the access matrix of
tests/security builds too) (the IPRO app fed with the assessment and partners
events it replicates): reads change nothing, refused commands must append nothing, and the few commands that
succeed touch only what no other test asserts on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from contracts.roles import ROLES
from devinfra.testkit import (
    SettableClock,
    Upstream,
    assert_refused,
    events_in,
    headers_for,
    ok,
    routes_of,
    service_settings,
    serving,
    untrusted_credentials,
)
from ipro.bootstrap import create_app
from ipro.http import routers
from ipro.settings import IproSettings

from .flows import (
    AFTERNOONS,
    LEAVE,
    MONDAY,
    NOW,
    PEOPLE,
    PROFILE,
    TODAY,
    TRAINING,
    Catalogue,
    Residents,
    admitted,
    follow_up,
)

pytestmark = pytest.mark.integration

EVERYONE = frozenset(PEOPLE)
EVERY_POSITIONING = frozenset({"pos1", "pos2", "posB", "pos3"})
OWNER = {"pos1": "p1", "pos2": "p2", "posB": "p2", "pos3": "p3"}  # whose positioning
PARTNER_LINE = {"positioning_id", "last_name", "first_names", "action_id", "session_id", "status", "outcome"}


@dataclass
class World:
    api: httpx.AsyncClient
    residents: Residents
    dev_keys: object
    dsn: str
    clock: SettableClock
    pathways: dict[str, str]  # p1 -> pathway id
    cases: dict[str, str]
    trainings: dict[str, str]  # t1 -> training id
    positionings: dict[str, str]  # pos1 -> positioning id
    goals: dict[str, str]  # p1 -> goal id
    leaves: dict[str, str]  # p1 -> leave id
    actions: dict[str, dict]  # A -> action_id, session_id, partner_id, starts_at

    def headers(self, user: str) -> dict[str, str]:
        """`partenaire-A` is a user of the organisation running action A; `partenaire-none` carries none."""
        role, name = user.rsplit("-", 1)
        organisation = (
            self.actions[name]["partner_id"] if role == "partenaire" and name in self.actions else None
        )
        return {
            "Authorization": f"Bearer {self.dev_keys.mint(role, subject=user, organisation_id=organisation)}"
        }

    def url(self, template: str) -> str:
        return template.format(**self.pathways, **self.trainings, **self.positionings)

    def key(
        self,
        *,
        pathway_id: str | None = None,
        subject_id: str | None = None,
        positioning_id: str | None = None,
    ) -> str:
        if pathway_id is not None:
            return {v: k for k, v in self.pathways.items()}[pathway_id]
        if subject_id is not None:
            return subject_id
        return {v: k for k, v in self.positionings.items()}[positioning_id]


@pytest.fixture(scope="module")
async def world(infrastructure, dev_keys, unique_name):
    """The follow-up, served once for the module: the app, fresh topics, one clock."""
    clock = SettableClock(NOW)
    as_role = headers_for(dev_keys)
    ipro_dsn = await infrastructure.create_database(unique_name("ipro").replace("-", "_"))
    settings = service_settings(IproSettings, ipro_dsn, infrastructure, dev_keys, unique_name("t") + ".")
    async with serving(create_app(settings, clock=clock)) as api:
        residents = Residents(Upstream(settings, "assessment", role="dpip"), ipro_dsn, clock)
        catalogue = Catalogue(Upstream(settings, "partners", role="ipro_chef"), ipro_dsn, clock)
        ids = await follow_up(api, residents, catalogue, as_role)
        yield World(api=api, residents=residents, dev_keys=dev_keys, dsn=ipro_dsn, clock=clock, **ids)


# --- what a refusal looks like -------------------------------------------------------------------------

ROLE, CASELOAD = "role-not-allowed", "not-on-caseload"
PATHWAY_404, TRAINING_404, POSITIONING_404 = (
    "pathway-not-found",
    "training-not-found",
    "positioning-not-found",
)
# What the caller may not see answers as if it did not exist: the not found of the resource the path names.
HIDDEN = "hidden"
STATUS = {
    ROLE: 403,
    CASELOAD: 403,
    PATHWAY_404: 404,
    TRAINING_404: 404,
    POSITIONING_404: 404,
    "not-authenticated": 401,
}


def hidden_as(path: str) -> str:
    return {"trainings": TRAINING_404, "positionings": POSITIONING_404}.get(path.split("/")[1], PATHWAY_404)


def refused_as(response: httpx.Response, rule: str, *context) -> None:
    """`rule` may be `HIDDEN`: the not found of what the request's path names."""
    if rule == HIDDEN:
        rule = hidden_as(response.request.url.path)
    assert_refused(response, STATUS[rule], rule, *context)


# --- lists: what a filter cannot widen (who reads each route is the access matrix: tests/security) ----------


@pytest.mark.parametrize(
    ("user", "path", "total"),
    [
        ("cpip-1", "/pathways", 2),
        ("cpip-2", "/pathways", 2),
        ("dpip-1", "/pathways", 4),
        ("ipro_conseiller-1", "/pathways", 1),
        ("ipro_conseiller-2", "/pathways", 1),
        ("ipro_chef-1", "/pathways", 4),
        ("ipro_conseiller-1", "/pathways?adviser=ipro_conseiller-2", 1),
        ("cpip-1", "/pathways?adviser=ipro_conseiller-2", 0),
        ("ipro_conseiller-1", "/caseload", 1),
        ("ipro_conseiller-1", "/caseload?adviser=ipro_conseiller-2", 1),
        ("ripro-1", "/caseload", 4),
        ("ripro-1", "/caseload?adviser=ipro_conseiller-2", 1),
        ("ipro_conseiller-1", "/positionings", 1),
        ("ipro_conseiller-2", "/positionings", 2),
        ("ipro_chef-1", "/positionings", 4),
        ("partenaire-A", "/positionings", 2),
        ("partenaire-B", "/positionings", 2),
        ("partenaire-none", "/positionings", 0),
    ],
)
async def test_list_totals_count_only_what_the_caller_may_see(world, user, path, total):
    separator = "&" if "?" in path else "?"
    body = await ok(await world.api.get(f"{path}{separator}limit=1", headers=world.headers(user)))
    assert body["total"] == total
    assert len(body["items"]) == min(total, 1)


async def test_an_adviser_cannot_widen_their_lists_with_a_filter(world):
    headers = world.headers("ipro_conseiller-1")
    for query in (
        "/pathways?adviser=ipro_conseiller-2",
        "/caseload?adviser=ipro_conseiller-2",
        f"/positionings?action_id={world.actions['B']['action_id']}",
    ):
        body = await ok(await world.api.get(query, headers=headers))
        assert {item["pathway_id"] for item in body["items"]} <= {world.pathways["p1"]}, query
        assert body["total"] == len(body["items"]), query
    partner = world.headers("partenaire-A")
    other_action = await ok(
        await world.api.get(f"/positionings?action_id={world.actions['B']['action_id']}", headers=partner)
    )
    assert other_action == {"total": 0, "total_exact": True, "items": [], "next": None}


# --- commands: the role policies -----------------------------------------------------------------------

ADVISER = frozenset({"ipro_conseiller", "ipro_chef", "ripro"})
MANAGER = frozenset({"ipro_chef", "ripro"})
GOVERNOR = frozenset({"direction"})
COMMISSION = MANAGER | GOVERNOR
PARTNER_OR_IPRO = ADVISER | {"partenaire"}
CONFIRMER = MANAGER | {"partenaire"}

COMMANDS = {  # (method, route): the only roles that may call it
    ("POST", "/pathways"): ADVISER,
    ("POST", "/pathways/{pathway_id}/adviser"): MANAGER,
    ("POST", "/pathways/{pathway_id}/synthesis"): ADVISER,
    ("PUT", "/pathways/{pathway_id}/profile"): ADVISER,
    ("POST", "/pathways/{pathway_id}/readiness"): ADVISER,
    ("POST", "/pathways/{pathway_id}/interviews"): ADVISER,
    ("POST", "/pathways/{pathway_id}/goals"): ADVISER,
    ("POST", "/pathways/{pathway_id}/goals/{goal_id}/status"): ADVISER,
    ("POST", "/pathways/{pathway_id}/france-travail"): ADVISER,
    ("POST", "/pathways/{pathway_id}/leaves"): ADVISER,
    ("POST", "/pathways/{pathway_id}/leaves/{leave_id}/decision"): GOVERNOR,
    ("POST", "/pathways/{pathway_id}/leaves/{leave_id}/done"): ADVISER,
    ("PUT", "/pathways/{pathway_id}/exit-outcome"): ADVISER,
    ("POST", "/pathways/{pathway_id}/work/classement-request"): ADVISER,
    ("POST", "/pathways/{pathway_id}/work/cpu-opinion"): COMMISSION,
    ("POST", "/pathways/{pathway_id}/work/decision"): GOVERNOR,
    ("POST", "/pathways/{pathway_id}/work/employer-interviews"): ADVISER,
    ("POST", "/pathways/{pathway_id}/work/affectation"): GOVERNOR,
    ("POST", "/pathways/{pathway_id}/work/contract"): COMMISSION,
    ("POST", "/pathways/{pathway_id}/work/contract/suspend"): COMMISSION,
    ("POST", "/pathways/{pathway_id}/work/contract/resume"): COMMISSION,
    ("POST", "/pathways/{pathway_id}/work/contract/preliminary-interview"): COMMISSION,
    ("POST", "/pathways/{pathway_id}/work/contract/end"): COMMISSION,
    ("POST", "/pathways/{pathway_id}/work/adversarial-hearing"): COMMISSION,
    ("POST", "/pathways/{pathway_id}/work/declassify"): GOVERNOR,
    ("POST", "/pathways/{pathway_id}/trainings"): ADVISER,
    ("POST", "/trainings/{training_id}/start"): ADVISER,
    ("POST", "/trainings/{training_id}/complete"): ADVISER,
    ("POST", "/trainings/{training_id}/drop-out"): ADVISER,
    ("POST", "/pathways/{pathway_id}/positionings"): ADVISER,
    ("POST", "/positionings/{positioning_id}/confirm"): CONFIRMER,
    ("POST", "/positionings/{positioning_id}/attendance"): PARTNER_OR_IPRO,
    ("POST", "/positionings/{positioning_id}/outcome"): PARTNER_OR_IPRO,
    ("POST", "/positionings/{positioning_id}/withdraw"): ADVISER,
}


def test_the_command_table_is_the_policy_every_command_route_declares():
    declared = {
        (method, path): policy.roles for method, path, policy in routes_of(routers) if method != "GET"
    }
    assert declared == COMMANDS


def command_bodies(world: World) -> dict[str, dict | None]:
    """A valid body per command route: only the caller, never the payload, is what gets refused."""
    action = world.actions["A"]
    return {
        "/pathways": {"case_id": world.cases["p1"]},
        "/pathways/{pathway_id}/adviser": {"adviser": "ipro_conseiller-1"},
        "/pathways/{pathway_id}/synthesis": {"interview_held_on": str(TODAY), "synthesis": "Motivé"},
        "/pathways/{pathway_id}/profile": PROFILE,
        "/pathways/{pathway_id}/readiness": {"status": "support_needed"},
        "/pathways/{pathway_id}/interviews": {"held_on": str(TODAY), "notes": "RAS"},
        "/pathways/{pathway_id}/goals": {"description": "Passer le permis", "steps": []},
        "/pathways/{pathway_id}/goals/{goal_id}/status": {"status": "achieved", "step_id": "s1"},
        "/pathways/{pathway_id}/france-travail": None,
        "/pathways/{pathway_id}/leaves": {
            **LEAVE,
            "starts_on": str(TODAY + timedelta(days=20)),
            "ends_on": str(TODAY + timedelta(days=21)),
        },
        "/pathways/{pathway_id}/leaves/{leave_id}/decision": {"approved": True},
        "/pathways/{pathway_id}/leaves/{leave_id}/done": None,
        "/pathways/{pathway_id}/exit-outcome": {"situation": "training"},
        "/pathways/{pathway_id}/work/classement-request": None,
        "/pathways/{pathway_id}/work/cpu-opinion": {"held_on": str(TODAY), "favourable": True},
        "/pathways/{pathway_id}/work/decision": {"granted": True, "regimes": ["service_general"]},
        "/pathways/{pathway_id}/work/employer-interviews": {
            "regime": "service_general",
            "employer": "Cuisine centrale",
            "post": "Commis",
            "held_on": str(TODAY),
        },
        "/pathways/{pathway_id}/work/affectation": {
            "regime": "service_general",
            "post": "Commis",
            "workshop": "Cuisine",
            "employer": "Cuisine centrale",
            "schedule": AFTERNOONS,
            "starts_on": str(MONDAY),
        },
        "/pathways/{pathway_id}/work/contract": {
            "affectation_id": str(uuid.uuid4()),
            "starts_on": str(MONDAY),
            "trial_days": 2,
        },
        "/pathways/{pathway_id}/work/contract/suspend": {"reason": "illness"},
        "/pathways/{pathway_id}/work/contract/resume": None,
        "/pathways/{pathway_id}/work/contract/preliminary-interview": None,
        "/pathways/{pathway_id}/work/contract/end": {"reason": "agreement"},
        "/pathways/{pathway_id}/work/adversarial-hearing": None,
        "/pathways/{pathway_id}/work/declassify": {"reason": "Refus répété du poste"},
        "/pathways/{pathway_id}/trainings": {
            **TRAINING,
            "schedule": [{"weekday": 3, "starts_at": "13:30", "ends_at": "17:00"}],
        },
        "/trainings/{training_id}/start": None,
        "/trainings/{training_id}/complete": {"certification_obtained": True},
        "/trainings/{training_id}/drop-out": {"reason": "Transfert"},
        "/pathways/{pathway_id}/positionings": {
            "action_id": action["action_id"],
            "session_id": action["session_id"],
        },
        "/positionings/{positioning_id}/confirm": None,
        "/positionings/{positioning_id}/attendance": {"attended": True},
        "/positionings/{positioning_id}/outcome": {"outcome": "interview_obtained"},
        "/positionings/{positioning_id}/withdraw": {"reason": "Libéré avant"},
    }


def ids_of(world: World, key: str) -> dict[str, str]:
    """The path parameters of the commands on person `key`'s pathway and what it owns."""
    training = {"p1": "t1", "p2": "t2"}.get(key)
    positioning = {"p1": "pos1", "p2": "pos2", "p3": "pos3"}.get(key)
    return {
        "pathway_id": world.pathways[key],
        "goal_id": world.goals.get(key, "no-goal"),
        "leave_id": world.leaves.get(key, "no-leave"),
        "training_id": world.trainings[training] if training else "no-training",
        "positioning_id": world.positionings[positioning] if positioning else "no-positioning",
    }


async def test_every_command_refuses_the_roles_outside_its_policy_and_appends_nothing(world):
    bodies, ids = command_bodies(world), ids_of(world, "p1")
    before = await events_in(world.dsn)

    for (method, path), allowed in COMMANDS.items():
        for role in sorted(ROLES - allowed):
            user = "partenaire-A" if role == "partenaire" else f"{role}-1"  # the partner of pos1's action
            response = await world.api.request(
                method, path.format(**ids), json=bodies[path], headers=world.headers(user)
            )
            refused_as(response, ROLE, user)
    assert await events_in(world.dsn) == before


async def test_without_a_valid_token_every_route_answers_401(world):
    ids = {**ids_of(world, "p1"), "positioning_id": world.positionings["pos1"]}
    untrusted = untrusted_credentials(world.dev_keys, "ipro_chef")
    unknown_role = world.dev_keys.mint("surveillant", subject="surveillant-1")
    before = await events_in(world.dsn)
    routes = [(method, path) for method, path, policy in routes_of(routers) if not policy.is_public]
    # Every command the policy table above describes, and no other; the reads are the access matrix's.
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


# --- advisers: their caseload ----------------------------------------------------------------------------


ONE_PERSONS_READS = (
    "/pathways/{pathway_id}",
    "/pathways/{pathway_id}/history",
    "/pathways/{pathway_id}/work",
    "/trainings/{training_id}",
    "/positionings/{positioning_id}",
)


def caseload_calls(world: World, key: str) -> list[tuple[str, str, str, dict | None]]:
    """Every call an adviser may make on person `key`'s pathway and what it owns, each with a valid body:
    (method, route, url, body)."""
    bodies, ids = command_bodies(world), ids_of(world, key)
    calls = [
        (method, path, path.format(**ids), bodies[path])
        for (method, path), allowed in COMMANDS.items()
        if "ipro_conseiller" in allowed and path != "/pathways"
    ]
    calls += [("GET", path, path.format(**ids), None) for path in ONE_PERSONS_READS]
    if key not in ("p1", "p2"):  # no training to name: the pathway's own calls are enough
        calls = [call for call in calls if not call[1].startswith("/trainings/")]
    return calls


@pytest.mark.parametrize(
    ("user", "key"), [("ipro_conseiller-2", "p1"), ("ipro_conseiller-1", "p2"), ("ipro_conseiller-1", "p3")]
)
async def test_an_adviser_neither_reads_nor_acts_on_a_pathway_that_is_not_theirs(world, user, key):
    """It does not exist for them: p3 has no adviser yet, it is on nobody's caseload."""
    headers = world.headers(user)
    before = await events_in(world.dsn)
    calls = caseload_calls(world, key)
    # Every route an adviser may call on one person is walked (a training's, when the person has one).
    on_one_person = {
        (verb, path)
        for verb, path, policy in routes_of(routers)
        if "ipro_conseiller" in policy.roles and "{" in path
    }
    assert {(method, route) for method, route, _, _ in calls} == {
        (verb, path)
        for verb, path in on_one_person
        if key in ("p1", "p2") or not path.startswith("/trainings/")
    }

    for method, route, url, body in calls:
        refused_as(await world.api.request(method, url, json=body, headers=headers), HIDDEN, user, route)
    # Naming the adviser is IPRO management's: nobody takes a pathway onto their own caseload.
    assign = await world.api.post(
        f"/pathways/{world.pathways[key]}/adviser", headers=headers, json={"adviser": user}
    )
    refused_as(assign, ROLE, user)
    assert await events_in(world.dsn) == before


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("ipro_conseiller-2", "/pathways/{p1}"),
        ("ipro_conseiller-2", "/pathways/{p1}/work"),
        ("ipro_conseiller-2", "/trainings/{t1}"),
        ("ipro_conseiller-2", "/positionings/{pos1}"),
        ("cpip-2", "/pathways/{p1}/history"),
        ("cpip-2", "/trainings/{t1}"),
        ("cpip-2", "/positionings/{pos1}"),
    ],
)
async def test_a_pathway_hidden_from_the_caller_answers_exactly_as_a_missing_one(world, user, path):
    hidden = world.url(path)
    identifier = hidden.split("/")[2]
    missing = hidden.replace(identifier, str(uuid.uuid4()))

    def seen(response: httpx.Response, url: str) -> tuple:
        body = response.json()
        return response.status_code, body["rule"], body["detail"].replace(url.split("/")[2], "<id>")

    answers = [seen(await world.api.get(url, headers=world.headers(user)), url) for url in (missing, hidden)]
    assert answers[0][0] == 404 and answers[1] == answers[0], answers


async def test_an_adviser_acts_on_their_own_caseload(world):
    headers, url = world.headers("ipro_conseiller-1"), f"/pathways/{world.pathways['p1']}"
    interviews = (await ok(await world.api.get(url, headers=headers)))["interviews"]

    interviewed = await ok(
        await world.api.post(
            f"{url}/interviews", headers=headers, json={"held_on": str(TODAY), "notes": "Point d'étape"}
        ),
        201,
    )
    assert interviewed["interviews"] == interviews + 1
    await ok(await world.api.put(f"{url}/profile", headers=headers, json=PROFILE))
    goal = await ok(
        await world.api.post(
            f"{url}/goals/{world.goals['p1']}/status",
            headers=headers,
            json={"status": "achieved", "step_id": "s1"},
        )
    )
    assert goal["goals"][world.goals["p1"]]["steps"] == {"s1": "achieved"}
    started = await ok(await world.api.post(f"/trainings/{world.trainings['t1']}/start", headers=headers))
    assert started["status"] == "in_progress"
    history = await ok(await world.api.get(f"{url}/history", headers=headers))
    assert {(e["event_type"], e["actor_role"]) for e in history} >= {
        ("ipro.pathway.follow_up_interview_held", "ipro_conseiller"),
        ("ipro.training.started", "ipro_conseiller"),
    }


@pytest.mark.parametrize(
    ("role", "adviser"), [("ipro_chef", "ipro_conseiller-3"), ("ripro", "ipro_conseiller-4")]
)
async def test_ipro_management_acts_on_every_pathway_and_names_the_adviser(world, role, adviser):
    """Every pathway: an adviser's (p1, p2) as an unassigned one's (p3, p4)."""
    headers = world.headers(f"{role}-1")
    for key in PEOPLE:
        interviewed = await world.api.post(
            f"/pathways/{world.pathways[key]}/interviews",
            headers=headers,
            json={"held_on": str(TODAY), "notes": f"Entretien ({role})"},
        )
        assert (await ok(interviewed, 201))["interviews"] >= 1
    positioning = await ok(
        await world.api.get(f"/positionings/{world.positionings['pos2']}", headers=headers)
    )
    assert positioning["pathway_id"] == world.pathways["p2"]

    # Naming an adviser puts the pathway on their caseload, and only that one.
    assigned = await ok(
        await world.api.post(
            f"/pathways/{world.pathways['p3']}/adviser", headers=headers, json={"adviser": adviser}
        )
    )
    assert assigned["adviser"] == adviser
    caseload = await ok(await world.api.get("/caseload", headers=world.headers(adviser)))
    assert [item["pathway_id"] for item in caseload["items"]] == [world.pathways["p3"]]
    await ok(
        await world.api.get(f"/positionings/{world.positionings['pos3']}", headers=world.headers(adviser))
    )
    refused_as(
        await world.api.get(f"/pathways/{world.pathways['p1']}", headers=world.headers(adviser)), HIDDEN
    )


# --- the governor's office ------------------------------------------------------------------------------

DECISIONS = ("/work/decision", "/work/affectation", "/work/declassify", "/leaves/{leave_id}/decision")


@pytest.mark.parametrize("user", ["ipro_conseiller-1", "ipro_chef-1", "ripro-1", "dpip-1"])
async def test_nobody_but_the_governors_office_decides_even_on_their_own_caseload(world, user):
    """ipro_conseiller-1 is p1's adviser; IPRO management acts on every pathway: none of them decides."""
    bodies, ids = command_bodies(world), ids_of(world, "p1")
    before = await events_in(world.dsn)
    for decision in DECISIONS:
        path = "/pathways/{pathway_id}" + decision
        response = await world.api.post(path.format(**ids), json=bodies[path], headers=world.headers(user))
        refused_as(response, ROLE, user)
    assert await events_in(world.dsn) == before


async def test_the_governors_office_decides_classement_affectation_declassification_and_leaves(world):
    governor, chef = world.headers("direction-1"), world.headers("ipro_chef-1")
    url, leave_id = f"/pathways/{world.pathways['p4']}", world.leaves["p4"]

    granted = await ok(
        await world.api.post(
            f"{url}/work/decision", headers=governor, json={"granted": True, "regimes": ["state_workshop"]}
        )
    )
    assert (granted["classement"], granted["regimes"]) == ("granted", ["state_workshop"])
    await ok(
        await world.api.post(
            f"{url}/work/employer-interviews",
            headers=chef,
            json={"regime": "state_workshop", "employer": "RIEP", "post": "Menuisier", "held_on": str(TODAY)},
        ),
        201,
    )
    affected = await ok(
        await world.api.post(
            f"{url}/work/affectation",
            headers=governor,
            json={
                "regime": "state_workshop",
                "post": "Menuisier",
                "workshop": "Menuiserie",
                "employer": "RIEP",
                "schedule": AFTERNOONS,
                "starts_on": str(MONDAY),
            },
        ),
        201,
    )
    assert len(affected["affectations"]) == 1
    await ok(await world.api.post(f"{url}/work/adversarial-hearing", headers=chef))
    declassified = await ok(
        await world.api.post(
            f"{url}/work/declassify", headers=governor, json={"reason": "Refus répété du poste"}
        )
    )
    assert declassified["classement"] == "declassified"
    decided = await ok(
        await world.api.post(f"{url}/leaves/{leave_id}/decision", headers=governor, json={"approved": True})
    )
    assert decided["leaves"][leave_id]["approved"] is True

    history = await ok(await world.api.get(f"{url}/history", headers=chef))
    decisions = {
        e["event_type"]: e["actor_role"]
        for e in history
        if e["event_type"].endswith(("granted", "affectation_decided", "declassified", "leave_decided"))
    }
    assert set(decisions.values()) == {"direction"} and len(decisions) == 4, decisions


# --- SPIP readers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "key"), [("cpip-1", "p2"), ("cpip-2", "p1"), ("cpip-2", "p3")])
async def test_a_cpip_reads_nothing_of_another_cpips_person(world, user, key):
    ids = ids_of(world, key)
    for path in ("/pathways/{pathway_id}", "/pathways/{pathway_id}/history", "/trainings/{training_id}"):
        if "training" in path and ids["training_id"] == "no-training":
            continue
        refused_as(await world.api.get(path.format(**ids), headers=world.headers(user)), HIDDEN, user)
    listed = await ok(
        await world.api.get("/pathways?include_closed=true&limit=200", headers=world.headers(user))
    )
    assert world.pathways[key] not in {item["pathway_id"] for item in listed["items"]}


@pytest.mark.parametrize("user", ["cpip-1", "dpip-1"])
async def test_spip_readers_act_on_nothing_even_their_own_people(world, user):
    """p1 is cpip-1's person: reading their pathway gives no right to act on it."""
    bodies, ids = command_bodies(world), ids_of(world, "p1")
    await ok(await world.api.get(f"/pathways/{ids['pathway_id']}", headers=world.headers(user)))
    before = await events_in(world.dsn)
    for method, path in COMMANDS:
        response = await world.api.request(
            method, path.format(**ids), json=bodies[path], headers=world.headers(user)
        )
        refused_as(response, ROLE, user)
    assert await events_in(world.dsn) == before


@pytest.mark.parametrize("user", ["cpip-1", "dpip-1"])
async def test_history_gives_a_reader_nothing_the_dedicated_routes_refuse_them(world, user):
    """What a reader gets through the history they get through the dedicated routes, and the other way round:
    p1's work file and positioning are both in p1's history."""
    headers = world.headers(user)
    history = await ok(await world.api.get(f"/pathways/{world.pathways['p1']}/history", headers=headers))
    streams = {e["stream_type"] for e in history}
    assert {"pathway", "training"} <= streams
    dedicated = {
        "work": f"/pathways/{world.pathways['p1']}/work",
        "positioning": f"/positionings/{world.positionings['pos1']}",
    }
    for stream_type, url in dedicated.items():
        answer = (await world.api.get(url, headers=headers)).status_code
        assert (stream_type in streams) == (answer == 200), (user, stream_type, answer)


# --- partners -------------------------------------------------------------------------------------------


def positioning_calls(world: World, key: str) -> list[tuple[str, str, dict | None]]:
    url = f"/positionings/{world.positionings[key]}"
    return [
        ("GET", url, None),
        ("POST", f"{url}/confirm", None),
        ("POST", f"{url}/attendance", {"attended": True}),
        ("POST", f"{url}/outcome", {"outcome": "job_offer"}),
    ]


@pytest.mark.parametrize(
    ("user", "key"),
    [
        ("partenaire-B", "pos1"),
        ("partenaire-B", "pos2"),
        ("partenaire-A", "posB"),
        ("partenaire-A", "pos3"),
        ("partenaire-none", "pos1"),
    ],
)
async def test_another_organisations_positioning_does_not_exist_for_a_partner(world, user, key):
    before = await events_in(world.dsn)
    for method, url, body in positioning_calls(world, key):
        response = await world.api.request(method, url, json=body, headers=world.headers(user))
        refused_as(response, POSITIONING_404, user)
    assert await events_in(world.dsn) == before


@pytest.mark.parametrize("user", ["partenaire-A", "partenaire-B"])
async def test_a_hidden_positioning_answers_exactly_as_a_missing_one(world, user):
    hidden = world.positionings["posB" if user == "partenaire-A" else "pos1"]
    missing = str(uuid.uuid4())

    def seen(response: httpx.Response, identifier: str) -> tuple:
        body = response.json()
        return response.status_code, body["rule"], body["detail"].replace(identifier, "<id>")

    for suffix in ("", "/confirm"):
        answers = [
            seen(
                await world.api.request(
                    "GET" if not suffix else "POST", f"/positionings/{i}{suffix}", headers=world.headers(user)
                ),
                i,
            )
            for i in (missing, hidden)
        ]
        assert answers[0][0] == 404
        assert answers[1] == answers[0]


async def test_a_partner_lists_only_names_and_positioning_on_its_own_actions(world):
    listed = await ok(await world.api.get("/positionings", headers=world.headers("partenaire-A")))
    assert listed["total"] == 2
    for line in listed["items"]:
        assert set(line) == PARTNER_LINE, line
        assert line["action_id"] == world.actions["A"]["action_id"]
    assert {(line["last_name"], line["first_names"]) for line in listed["items"]} == {
        ("Dupont", "Jean"),
        ("Bernard", "Jean"),
    }
    secrets = {world.pathways[key] for key in PEOPLE} | {world.cases[key] for key in PEOPLE} | {"subject_id"}
    response = await world.api.get(
        f"/positionings?session_id={world.actions['A']['session_id']}", headers=world.headers("partenaire-A")
    )
    assert not [s for s in secrets if s in response.text], response.text


async def test_a_partner_confirms_and_reports_the_positionings_on_its_own_actions(world):
    partner, url = world.headers("partenaire-A"), f"/positionings/{world.positionings['pos1']}"
    confirmed = await ok(await world.api.post(f"{url}/confirm", headers=partner))
    assert confirmed["status"] == "confirmed"
    world.clock.now = world.actions["A"]["starts_at"] + timedelta(hours=1)
    try:
        attended = await ok(
            await world.api.post(f"{url}/attendance", headers=partner, json={"attended": True})
        )
        assert attended["status"] == "attended"
        done = await ok(
            await world.api.post(
                f"{url}/outcome",
                headers=partner,
                json={"outcome": "interview_obtained", "details": "Chez un logisticien"},
            )
        )
        assert done["outcome"] == "interview_obtained"
    finally:
        world.clock.now = NOW
    line = await ok(await world.api.get(url, headers=partner))
    assert set(line) == PARTNER_LINE and (line["status"], line["outcome"]) == (
        "attended",
        "interview_obtained",
    )
    history = await ok(
        await world.api.get(f"/pathways/{world.pathways['p1']}/history", headers=world.headers("ipro_chef-1"))
    )
    assert {
        e["actor_role"]
        for e in history
        if e["event_type"].startswith("ipro.positioning.") and not e["event_type"].endswith("proposed")
    } == {"partenaire"}


# --- a person followed twice: two custody periods, two pathways, two caseloads ------------------------------

FIRST_NOTES, SECOND_NOTES = "Première détention : suivi addictologie", "Seconde détention : projet en cuisine"


@pytest.fixture(scope="module")
async def readmitted(world):
    """p5, released then admitted again: the first pathway followed by cpip-1 and ipro_conseiller-5, the second
    by cpip-2 and ipro_conseiller-6. (Served last: it adds a person the tests above do not expect.)"""
    chef = world.headers("ipro_chef-1")
    pathways = []
    for number, referent, adviser, notes in (
        (5, "cpip-1", "ipro_conseiller-5", FIRST_NOTES),
        (6, "cpip-2", "ipro_conseiller-6", SECOND_NOTES),
    ):
        case_id = await admitted(world.residents, "p5", last_name="Roux", referent=referent)
        url = f"/pathways/pathway-{case_id}"
        await ok(await world.api.post(f"{url}/adviser", headers=chef, json={"adviser": adviser}))
        await ok(
            await world.api.post(
                f"{url}/interviews",
                headers=world.headers(adviser),
                json={"held_on": str(TODAY), "notes": notes},
            ),
            201,
        )
        pathways.append(f"pathway-{case_id}")
        if number == 5:
            await world.residents.released(case_id, TODAY)
    return {"first": pathways[0], "second": pathways[1]}


async def test_each_custody_periods_pathway_is_read_by_its_own_adviser_and_referent_only(world, readmitted):
    first, second = readmitted["first"], readmitted["second"]
    for user, mine, theirs in (
        ("ipro_conseiller-5", first, second),
        ("cpip-1", first, second),
        ("ipro_conseiller-6", second, first),
        ("cpip-2", second, first),
    ):
        await ok(await world.api.get(f"/pathways/{mine}", headers=world.headers(user)))
        for suffix in ("", "/history"):
            refused_as(
                await world.api.get(f"/pathways/{theirs}{suffix}", headers=world.headers(user)), HIDDEN, user
            )


async def test_a_pathways_history_holds_that_pathways_events_only(world, readmitted):
    first, second = readmitted["first"], readmitted["second"]
    for user, pathway, other_notes in (
        ("ipro_conseiller-5", first, SECOND_NOTES),
        ("cpip-1", first, SECOND_NOTES),
        ("ipro_conseiller-6", second, FIRST_NOTES),
        ("cpip-2", second, FIRST_NOTES),
    ):
        history = await ok(await world.api.get(f"/pathways/{pathway}/history", headers=world.headers(user)))
        assert [e["event_type"] for e in history].count("ipro.pathway.opened") == 1, (user, history)
        assert not [e for e in history if other_notes in str(e["payload"])], (user, history)
