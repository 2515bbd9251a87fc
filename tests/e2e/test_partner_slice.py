"""The thin slice end to end: HTTP command -> event store -> relay -> Kafka -> projection -> HTTP query."""

import json
import time
from pathlib import Path

import httpx
import jsonschema
import pytest

from devinfra.testkit import read_topic, valid_siret, wait_for
from kernel import kafka

pytestmark = pytest.mark.integration

SCHEMAS = Path(__file__).resolve().parents[2] / "contracts" / "schemas"


async def in_directory(http: httpx.AsyncClient, url: str, headers, partner_id: str) -> bool:
    response = await http.get(f"{url}/directory/partners", params={"limit": 500}, headers=headers)
    return partner_id in {p["partner_id"] for p in response.json()["items"]}


async def register(http, url, headers, n: int, name: str = "Organisme de formation") -> dict:
    body = {"name": f"{name} {n}", "siret": valid_siret(n), "organisation_type": "training_body"}
    response = await http.post(f"{url}/partners", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_registered_partner_reaches_the_directory_within_a_second(slice_system, bearer):
    partners, projections = slice_system.url("partners"), slice_system.url("projections")
    writer, reader = bearer("ipro_chef"), bearer("cpip")
    async with httpx.AsyncClient(timeout=10) as http:
        # Warm-up: the first event also waits for the consumer to join its group.
        warm = await register(http, partners, writer, 1)
        await wait_for(
            lambda: in_directory(http, projections, reader, warm["partner_id"]),
            timeout=30,
            message="the warm-up partner in the directory",
        )

        created = await register(http, partners, writer, 2)
        started = time.monotonic()
        await wait_for(
            lambda: in_directory(http, projections, reader, created["partner_id"]),
            timeout=1.0,
            interval=0.02,
            message="the partner in the directory within 1 s",
        )
        assert time.monotonic() - started < 1.0


async def test_the_event_on_its_topic_validates_against_the_committed_schemas(
    slice_system, slice_env, bearer
):
    async with httpx.AsyncClient(timeout=10) as http:
        created = await register(http, slice_system.url("partners"), bearer("ripro"), 3)

    records = await read_topic(
        slice_env["KAFKA_BOOTSTRAP_SERVERS"], f"{slice_env['KAFKA_TOPIC_PREFIX']}partners.events", at_least=1
    )
    value = json.loads(records[0].value)
    jsonschema.validate(value, json.loads((SCHEMAS / "envelope.json").read_text()))
    jsonschema.validate(
        value["payload"], json.loads((SCHEMAS / "partners.partner.registered.v1.json").read_text())
    )
    assert value["payload"]["partner_id"] == created["partner_id"]
    assert records[0].key == created["partner_id"].encode()
    assert kafka.decode(records[0].value).actor.role == "ripro"


async def test_a_partner_sees_only_itself_in_the_directory(slice_system, bearer):
    partners, projections = slice_system.url("partners"), slice_system.url("projections")
    async with httpx.AsyncClient(timeout=10) as http:
        mine = await register(http, partners, bearer("ipro_chef"), 4)
        other = await register(http, partners, bearer("ipro_chef"), 5)

        # Two organisations, two streams, folded in either order: the later one listed says nothing of the
        # earlier one.
        async def both_in_directory() -> bool:
            return all(
                [
                    await in_directory(http, projections, bearer("dpip"), p["partner_id"])
                    for p in (mine, other)
                ]
            )

        await wait_for(both_in_directory, timeout=30, message="both partners in the directory")
        seen = await http.get(
            f"{projections}/directory/partners",
            headers=bearer("partenaire", organisation_id=mine["partner_id"]),
        )
    assert [p["partner_id"] for p in seen.json()["items"]] == [mine["partner_id"]]
    assert seen.json()["total"] == 1
