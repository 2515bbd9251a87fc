"""The partners HTTP API against the real database: rules, access, bad input, idempotency."""

import asyncpg
import pytest

from devinfra.testkit import events_in, every_page, valid_siret

pytestmark = pytest.mark.integration

VALID = {
    "name": "Mission locale de l'Arrageois",
    "siret": "73282932000074",
    "organisation_type": "mission_locale",
}


async def test_an_ipro_head_registers_a_partner_and_reads_it_back(api, as_role):
    created = await api.post("/partners", json=VALID, headers=as_role("ipro_chef"))

    assert created.status_code == 201, created.text
    partner = created.json()
    assert partner["name"] == VALID["name"] and partner["version"] == 1
    assert created.headers["location"] == f"/partners/{partner['partner_id']}"
    fetched = await api.get(created.headers["location"], headers=as_role("cpip"))
    assert fetched.status_code == 200 and fetched.json() == partner


async def test_the_event_carries_the_actor_and_the_callers_correlation_id(api, as_role, partners_dsn):
    correlation_id = "6f1c2d4e-8a9b-4c3d-9e2f-1a2b3c4d5e6f"  # a UUID: anything else is replaced (ADR 21)
    await api.post("/partners", json=VALID, headers=as_role("ripro", **{"X-Correlation-Id": correlation_id}))

    connection = await asyncpg.connect(partners_dsn)
    try:
        row = await connection.fetchrow("SELECT event_type, actor::text, correlation_id FROM events")
    finally:
        await connection.close()
    assert row["event_type"] == "partners.partner.registered"
    assert '"role": "ripro"' in row["actor"] and row["correlation_id"] == correlation_id


@pytest.mark.parametrize(
    "body, rule, field",
    [
        ({**VALID, "siret": "73282932000075"}, "siret-invalid", None),
        ({**VALID, "siret": "1234"}, "siret-invalid", None),
        ({**VALID, "organisation_type": "cartel"}, "request-validation", "organisation_type"),
        ({**VALID, "name": ""}, "request-validation", "name"),
        ({**VALID, "surprise": 1}, "request-validation", "surprise"),
        ({"name": "x"}, "request-validation", "siret"),
    ],
)
async def test_bad_input_names_the_broken_rule_and_appends_nothing(
    api, as_role, partners_dsn, body, rule, field
):
    response = await api.post("/partners", json=body, headers=as_role("ipro_chef"))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["rule"] == rule and problem["status"] == 422
    if field:
        assert field in {e["field"] for e in problem["errors"]}
    assert await events_in(partners_dsn) == 0


async def test_a_siret_already_registered_is_a_conflict_and_appends_nothing(api, as_role, partners_dsn):
    assert (await api.post("/partners", json=VALID, headers=as_role("ipro_chef"))).status_code == 201

    again = await api.post("/partners", json={**VALID, "name": "Doublon"}, headers=as_role("dpip"))

    assert again.status_code == 409 and again.json()["rule"] == "siret-already-registered"
    assert await events_in(partners_dsn) == 1


async def test_malformed_and_oversized_bodies_are_refused_as_problems(api, as_role):
    malformed = await api.post(
        "/partners",
        content=b'{"name": ',
        headers=as_role("ipro_chef", **{"Content-Type": "application/json"}),
    )
    oversized = await api.post(
        "/partners", json={**VALID, "name": "x" * 100_000}, headers=as_role("ipro_chef")
    )

    assert malformed.status_code == 422 and malformed.json()["rule"] == "request-validation"
    assert oversized.status_code == 413 and oversized.json()["rule"] == "body-too-large"


async def test_callers_without_a_token_or_the_right_role_are_refused(api, as_role):
    anonymous = await api.post("/partners", json=VALID)
    forged = await api.post("/partners", json=VALID, headers={"Authorization": "Bearer not.a.token"})
    cpip = await api.post("/partners", json=VALID, headers=as_role("cpip"))

    assert anonymous.status_code == 401 and anonymous.json()["rule"] == "not-authenticated"
    assert forged.status_code == 401
    assert cpip.status_code == 403 and cpip.json()["rule"] == "role-not-allowed"


async def test_a_partner_sees_its_own_organisation_and_no_other(api, as_role):
    first = (await api.post("/partners", json=VALID, headers=as_role("ipro_chef"))).json()["partner_id"]
    other_body = {**VALID, "siret": "35600000049837", "name": "Intérim Arras"}
    other = (await api.post("/partners", json=other_body, headers=as_role("ipro_chef"))).json()["partner_id"]

    own = await api.get(f"/partners/{first}", headers=as_role("partenaire", organisation_id=first))
    foreign = await api.get(f"/partners/{other}", headers=as_role("partenaire", organisation_id=first))

    assert own.status_code == 200
    # Another organisation answers as one that does not exist.
    assert foreign.status_code == 404 and foreign.json()["rule"] == "partner-not-found"


async def test_an_unknown_partner_is_not_found(api, as_role):
    response = await api.get("/partners/does-not-exist", headers=as_role("dpip"))
    assert response.status_code == 404 and response.json()["rule"] == "partner-not-found"


async def test_a_retried_command_returns_the_first_answer_and_appends_nothing(api, as_role, partners_dsn):
    headers = as_role("ipro_chef", **{"Idempotency-Key": "register-mlarras-1"})

    first = await api.post("/partners", json=VALID, headers=headers)
    retried = await api.post("/partners", json=VALID, headers=headers)
    reused = await api.post("/partners", json={**VALID, "name": "Autre"}, headers=headers)

    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json() and retried.headers["location"] == first.headers["location"]
    assert retried.headers["idempotent-replayed"] == "true"
    assert reused.status_code == 422 and reused.json()["rule"] == "idempotency-key-reused"
    assert await events_in(partners_dsn) == 1


async def test_the_service_is_ready_when_its_database_and_broker_answer(api):
    response = await api.get("/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "kafka": True, "background_tasks": True}


async def test_the_service_is_not_ready_while_the_broker_is_unreachable(partners_dsn, dev_keys):
    from devinfra.testkit import serving, wait_for
    from partners.bootstrap import create_app
    from partners.settings import PartnersSettings

    settings = PartnersSettings(
        database_url=partners_dsn, kafka_bootstrap_servers="127.0.0.1:1", auth_jwks_file=dev_keys.jwks_path
    )
    async with serving(create_app(settings)) as client:

        async def relay_reported_failing():
            return (await client.get("/ready")).json()["failing"].get("relay")

        await wait_for(relay_reported_failing, timeout=30, message="the relay's failure in /ready")
        response = await client.get("/ready")

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": True,
        "kafka": False,
        "relay": True,
        "background_tasks": False,
    }


async def test_organisations_come_page_by_page_each_once_and_a_forged_position_is_refused(api, as_role):
    for n in range(7):
        body = {**VALID, "name": f"Organisme {n % 3}", "siret": valid_siret(700 + n)}
        assert (await api.post("/partners", json=body, headers=as_role("ipro_chef"))).status_code == 201

    listed = await every_page(api, "/partners", as_role("cpip"), 3)
    seen = [(p["name"], p["partner_id"]) for p in listed]
    assert len(seen) == 7 and seen == sorted(seen)
    forged = await api.get("/partners", params={"after": "bm90IGEgY3Vyc29y"}, headers=as_role("cpip"))
    assert forged.status_code == 400 and forged.json()["rule"] == "cursor-invalid"
