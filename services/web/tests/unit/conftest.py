"""The web app without any service: the services' answers are an `httpx.MockTransport` the test writes."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from web.api import Api
from web.bootstrap import create_app
from web.settings import WebSettings


class FakeServices:
    """Records the requests the pages send; answers with what `answer(request)` returns."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answer: Callable[[httpx.Request], httpx.Response] = lambda request: httpx.Response(404)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


def problem(status: int, rule: str, **extra) -> httpx.Response:
    body = {"type": f"urn:passerelle:problem:{rule}", "status": status, "rule": rule, "detail": rule, **extra}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
def settings(tmp_path) -> WebSettings:
    return WebSettings(session_secret="unit-test-secret", dev_keys_dir=tmp_path / "keys")


@pytest.fixture
def client(settings, services):
    app = create_app(settings)
    with TestClient(app, follow_redirects=False) as client:
        app.state.api = Api(
            httpx.AsyncClient(transport=httpx.MockTransport(services.handle)), settings.service_urls()
        )
        yield client


@pytest.fixture
def logged_in(client) -> Callable[[str], TestClient]:
    def as_user(subject: str) -> TestClient:
        response = client.post("/connexion", data={"identite": subject})
        assert response.status_code == 303, response.text
        return client

    return as_user
