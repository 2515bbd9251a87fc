"""The production login against a stand-in identity provider (an httpx transport): authorization code with
PKCE, the provider's access token kept in the session as the services' bearer token."""

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from web.bootstrap import create_app
from web.oidc import oidc_client
from web.settings import WebSettings

ISSUER = "https://idp.example"


def access_token(claims: dict) -> str:
    """Shaped as a JWT; the web app never checks its signature (the services do)."""
    part = lambda value: base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'RS256', 'typ': 'at+jwt'})}.{part(claims)}.signature"


class Provider:
    def __init__(self, claims: dict) -> None:
        self.claims = claims
        self.token_requests: list[dict] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                },
            )
        if request.url.path == "/token":
            self.token_requests.append({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
            return httpx.Response(
                200,
                json={"access_token": access_token(self.claims), "token_type": "Bearer", "expires_in": 3600},
            )
        return httpx.Response(404)


@pytest.fixture
def provider() -> Provider:
    return Provider({"sub": "agent-42", "roles": ["cpip"], "establishments": ["CP Arras"]})


@pytest.fixture
def client(provider):
    settings = WebSettings(
        session_secret="unit-test-secret",
        login_mode="oidc",
        oidc_issuer=ISSUER,
        oidc_client_id="passerelle-web",
        oidc_client_secret="client-secret",
    )
    app = create_app(settings)
    app.state.oidc = oidc_client(settings, transport=httpx.MockTransport(provider.handle))
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_the_login_sends_to_the_provider_with_a_pkce_challenge_and_keeps_its_token(client, provider):
    assert 'href="/connexion/oidc"' in client.get("/connexion").text

    redirect = client.get("/connexion/oidc")

    assert redirect.status_code == 302
    location = urlsplit(redirect.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{ISSUER}/authorize"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["response_type"] == "code" and query["client_id"] == "passerelle-web"
    assert query["code_challenge_method"] == "S256"
    assert query["redirect_uri"] == "http://testserver/connexion/retour"

    back = client.get("/connexion/retour", params={"code": "the-code", "state": query["state"]})

    assert back.status_code == 303 and back.headers["location"] == "/file-de-travail"
    (sent,) = provider.token_requests
    assert sent["code"] == "the-code"
    # The verifier sent with the code is the one the challenge was made from (RFC 7636, S256).
    digest = hashlib.sha256(sent["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == query["code_challenge"]


def test_a_callback_with_a_state_the_session_never_issued_is_refused_in_french(client, provider):
    response = client.get("/connexion/retour", params={"code": "the-code", "state": "forged"})

    assert response.status_code == 400
    assert "La connexion n&#39;a pas abouti" in response.text
    assert provider.token_requests == []


def test_an_account_without_a_passerelle_role_is_told_so(client, provider):
    provider.claims = {"sub": "agent-43", "roles": ["comptable"]}
    query = parse_qs(urlsplit(client.get("/connexion/oidc").headers["location"]).query)

    response = client.get("/connexion/retour", params={"code": "c", "state": query["state"][0]})

    assert response.status_code == 403
    assert "aucun rôle dans Passerelle" in response.text
