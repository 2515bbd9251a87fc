"""The rules only the database enforces (a SIRET registered once; two actions never in one place, or with
one facilitator, at the same time), and how a broken rule reaches a client: problem+json naming it, and
nothing appended. The domain's rules themselves are unit-tested (`tests/unit`); `tests/unit/test_errors.py`
maps every error to its problem."""

from datetime import timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager

from devinfra.testkit import refused, valid_siret
from partners.bootstrap import create_app

from .flows import (
    accredited_partner,
    approved_action,
    ok,
    proposal_content,
    published_call,
    scheduled_session,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def answering_api(partners_settings, clock):
    """Like `api`, but an unexpected error comes back as the 500 a client would get, instead of being raised
    into the test: for the inputs that should be refused as 4xx and are not."""
    app = create_app(partners_settings, clock=clock)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client


async def test_a_broken_rule_answers_its_problem_and_appends_nothing(api, as_role, clock, partners_dsn):
    chef = as_role("ipro_chef")
    registration = {
        "name": "Nouvelle association",
        "siret": "73282932000075",
        "organisation_type": "association",
    }
    await refused(partners_dsn, api.post("/partners", json=registration, headers=chef), 422, "siret-invalid")
    await refused(
        partners_dsn,
        api.post("/partners/no-such-partner/suspend", json={"reason": "Incident"}, headers=chef),
        404,
        "partner-not-found",
    )


async def test_a_siret_is_registered_once(api, as_role, clock, partners_dsn):
    await accredited_partner(api, as_role, 1, clock.now.date())
    registration = {"name": "Homonyme", "siret": valid_siret(1), "organisation_type": "association"}
    await refused(
        partners_dsn,
        api.post("/partners", json=registration, headers=as_role("ipro_chef")),
        409,
        "siret-already-registered",
    )


async def test_two_actions_never_share_a_place_or_a_facilitator_at_the_same_time(
    api, as_role, clock, partners_dsn
):
    today, next_week = clock.now.date(), clock.now + timedelta(days=7)
    call_id = (await published_call(api, as_role, today))["call_id"]
    first_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    second_id = (await accredited_partner(api, as_role, 2, today))["partner_id"]
    first = await approved_action(
        api, as_role, call_id, first_id, proposal_content(next_week, planned_sessions=[])
    )
    second = await approved_action(
        api,
        as_role,
        call_id,
        second_id,
        proposal_content(next_week, title="Ciné-débat", action_type="citizenship", planned_sessions=[]),
    )
    first_partner = as_role("partenaire", organisation_id=first_id)
    second_partner = as_role("partenaire", organisation_id=second_id)
    await scheduled_session(
        api, first_partner, first["action_id"], next_week, place="Salle 1", facilitators=("Camille Martin",)
    )
    elsewhere = await scheduled_session(
        api,
        second_partner,
        second["action_id"],
        next_week + timedelta(days=1),
        place="Salle 2",
        facilitators=("Karim Benali",),
    )
    url = f"/actions/{second['action_id']}/sessions"

    def slot(starts_at, place, facilitators):
        return {
            "starts_at": starts_at.isoformat(),
            "duration_minutes": 60,
            "place": place,
            "facilitators": facilitators,
        }

    overlapping = next_week + timedelta(minutes=90)  # the first session runs for two hours
    await refused(
        partners_dsn,
        api.post(url, json=slot(overlapping, "salle 1", ["Karim Benali"]), headers=second_partner),
        409,
        "place-double-booked",
    )
    await refused(
        partners_dsn,
        api.post(url, json=slot(overlapping, "Salle 3", ["CAMILLE MARTIN"]), headers=second_partner),
        409,
        "facilitator-double-booked",
    )
    # Moving a session onto the other action's slot is refused the same way, IPRO acting on the partner's behalf.
    await refused(
        partners_dsn,
        api.post(f"{url}/{elsewhere}/move", json=slot(overlapping, "Salle 1", []), headers=as_role("ripro")),
        409,
        "place-double-booked",
    )
    await refused(
        partners_dsn,
        api.post(
            f"{url}/{elsewhere}/move",
            json=slot(overlapping, "Salle 3", ["Karim Benali", "Camille Martin"]),
            headers=as_role("ripro"),
        ),
        409,
        "facilitator-double-booked",
    )
    # Right after the first session, the place and the facilitator are free again.
    await ok(
        await api.post(
            url,
            json=slot(next_week + timedelta(hours=2), "Salle 1", ["Camille Martin"]),
            headers=second_partner,
        ),
        201,
    )


async def test_a_blank_organisation_name_is_refused_as_invalid_input(answering_api, as_role, partners_dsn):
    body = {"name": "   ", "siret": valid_siret(1), "organisation_type": "association"}
    await refused(
        partners_dsn,
        answering_api.post("/partners", json=body, headers=as_role("ipro_chef")),
        422,
        "request-validation",
    )


async def test_a_blank_session_place_is_refused_as_invalid_input(answering_api, as_role, clock, partners_dsn):
    api, today, next_week = answering_api, clock.now.date(), clock.now + timedelta(days=7)
    call_id = (await published_call(api, as_role, today))["call_id"]
    partner_id = (await accredited_partner(api, as_role, 1, today))["partner_id"]
    action = await approved_action(
        api, as_role, call_id, partner_id, proposal_content(next_week, planned_sessions=[])
    )
    blank = {"starts_at": next_week.isoformat(), "duration_minutes": 60, "place": "   ", "facilitators": []}

    await refused(
        partners_dsn,
        api.post(
            f"/actions/{action['action_id']}/sessions",
            json=blank,
            headers=as_role("partenaire", organisation_id=partner_id),
        ),
        422,
        "request-validation",
    )
