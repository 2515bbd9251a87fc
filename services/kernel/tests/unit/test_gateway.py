"""The gateway's replay reads the resource as its caller, in process (ADR 5, revised): what that read takes
from the command's request, and the path it reads. A command that lost a race is decided again, a few times."""

import contextlib
import json
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel

from kernel.errors import ConcurrencyConflict
from kernel.gateway import RACE_ATTEMPTS, CommandGateway


def an_app() -> FastAPI:
    app = FastAPI()
    app.state.event_store = None  # the read needs none

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str, request: Request):
        return {
            "thing_id": thing_id,
            "method": request.method,
            "headers": dict(request.headers),
            "state": sorted(vars(request.state)["_state"]),
        }

    @app.post("/things/{thing_id}/rename")
    async def rename(thing_id: str, request: Request):
        request.state.principal = "the command's"
        gateway = CommandGateway(request)
        status, headers, body = await gateway._read(gateway._path("/things/{thing_id}", {"thing_id": "x"}))
        return {
            "status": status,
            "headers": [[n.decode(), v.decode()] for n, v in headers],
            "body": body.decode(),
        }

    return app


async def test_the_read_carries_the_callers_headers_but_not_the_commands_body_key_or_state():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=an_app()), base_url="http://t") as client:
        answer = await client.post(
            "/things/t-1/rename",
            json={"name": "Nouveau nom"},
            headers={
                "Authorization": "Bearer token",
                "Purpose": "suivi",
                "Idempotency-Key": "k-1",
                "If-Match": '"3"',
                "Accept-Encoding": "gzip",
            },
        )

    assert answer.status_code == 200, answer.text
    read = answer.json()
    assert read["status"] == 200 and read["headers"] == [["content-type", "application/json"]]
    seen = httpx.Response(200, content=read["body"]).json()
    assert seen["thing_id"] == "t-1" and seen["method"] == "GET"  # the route's path parameter wins
    assert {"authorization": "Bearer token", "purpose": "suivi"}.items() <= seen["headers"].items()
    for header in ("idempotency-key", "content-type", "content-length", "if-match", "accept-encoding"):
        assert header not in seen["headers"]
    assert seen["state"] == []  # nothing of the command's request state (its principal, its journal)


def test_the_resource_path_is_filled_from_the_answer_and_the_path_parameters_each_value_quoted():
    request = Request({"type": "http", "app": an_app(), "path_params": {"case_id": "c-1"}, "headers": []})
    gateway = CommandGateway(request)

    assert (
        gateway._path("/cases/{case_id}/interviews", [{"note": "a list answer"}]) == "/cases/c-1/interviews"
    )
    assert gateway._path("/plans/{plan_id}", {"plan_id": "p/1 ?", "case_id": "c-9"}) == "/plans/p%2F1%20%3F"


class _Transactions:
    """The event store's `transaction()` alone: these tests are about what the gateway does around it."""

    @contextlib.asynccontextmanager
    async def transaction(self):
        yield None


class Renamed(BaseModel):
    thing_id: str
    name: str
    renamed_at: datetime


def a_gateway() -> CommandGateway:
    app = FastAPI()
    app.state.event_store = _Transactions()
    request = Request(
        {"type": "http", "app": app, "path_params": {}, "headers": [], "state": {"correlation_id": "c-1"}}
    )
    return CommandGateway(request)


CALLER = SimpleNamespace(subject="cpip-1", role="cpip", organisation_id=None)


async def test_a_command_that_lost_a_race_is_decided_again_and_answers_its_model_as_json():
    attempts = []

    async def action(session, metadata):
        attempts.append(metadata.correlation_id)
        if len(attempts) < 3:
            raise ConcurrencyConflict("the stream moved on")
        return Renamed(thing_id="t 1", name="Atelier CV", renamed_at=datetime(2026, 12, 5, 9, 30, tzinfo=UTC))

    response = await a_gateway().run(CALLER, action, location="/things/{thing_id}")

    assert attempts == ["c-1", "c-1", "c-1"]
    assert response.status_code == 201 and response.headers["Location"] == "/things/t%201"
    assert json.loads(response.body) == {
        "thing_id": "t 1",
        "name": "Atelier CV",
        "renamed_at": "2026-12-05T10:30:00+01:00",  # in the establishment's local time, as every answer
    }


async def test_a_command_that_keeps_losing_its_race_is_refused_after_its_attempts():
    attempts = 0

    async def action(session, metadata):
        nonlocal attempts
        attempts += 1
        raise ConcurrencyConflict("the stream moved on")

    with pytest.raises(ConcurrencyConflict):
        await a_gateway().run(CALLER, action, resource="/things/t-1")
    assert attempts == RACE_ATTEMPTS
