"""Crafted tokens (issue 18 #4, security review M2): each is refused with 401 problem+json and a detail in
our own words, through a FastAPI app built from the kernel's pieces; a token the identity provider really
issued passes, during a key rotation too; the event's actor is the role the route admitted."""

import asyncio
import base64
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import Depends, FastAPI, Request
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from contracts.roles import ESTABLISHMENT
from kernel.access import Principal
from kernel.auth import KeySet, TokenVerifier, allow
from kernel.gateway import CommandGateway
from kernel.http import CorrelationId, service_router
from kernel.problems import HANDLERS
from kernel.settings import ServiceSettings

ISSUER, AUDIENCE = "https://idp.example.org", "passerelle"
MAX_LIFETIME = 12 * 3600


class Idp:
    """An identity provider: signing keys by kid, the JWKS it publishes, and how often it was fetched."""

    def __init__(self) -> None:
        self.private: dict[str, Any] = {}
        self.published: list[str] = []
        self.fetches = 0

    def add_rsa(self, kid: str) -> None:
        self.private[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.published.append(kid)

    def add_ec(self, kid: str) -> None:
        self.private[kid] = ec.generate_private_key(ec.SECP256R1())
        self.published.append(kid)

    def jwks(self) -> dict:
        self.fetches += 1
        keys = []
        for kid in self.published:
            key = self.private[kid]
            if isinstance(key, rsa.RSAPrivateKey):
                jwk = {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "alg": "RS256"}
            else:
                jwk = {**ECAlgorithm.to_jwk(key.public_key(), as_dict=True), "alg": "ES256"}
            keys.append({**jwk, "kid": kid, "use": "sig"})
        return {"keys": keys}

    def token(
        self, kid: str = "k1", *, header: dict | None = None, drop: tuple[str, ...] = (), **claims
    ) -> str:
        now = datetime.now(UTC)
        body = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "cpip-1",
            "roles": ["cpip"],
            "iat": now,
            "exp": now + timedelta(minutes=15),
            **claims,
        }
        for name in drop:
            body.pop(name)
        key = self.private[kid]
        algorithm = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
        headers = {"kid": kid, "typ": "at+jwt", **(header or {})}
        return jwt.encode(body, key, algorithm=algorithm, headers=headers)


def unsigned(header: dict, claims: dict, signature: bytes = b"") -> str:
    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()

    return ".".join(
        [part(json.dumps(header).encode()), part(json.dumps(claims, default=str).encode()), part(signature)]
    )


def claims_now(**claims) -> dict:
    now = int(datetime.now(UTC).timestamp())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "cpip-1",
        "roles": ["cpip"],
        "iat": now,
        "exp": now + 900,
        **claims,
    }


@pytest.fixture(scope="module")
def idp() -> Idp:
    provider = Idp()
    provider.add_rsa("k1")
    return provider


def app_trusting(
    idp: Idp, *, refetch_interval: float = 30, leeway: int = 30, clock: Callable[[], float] = time.monotonic
) -> FastAPI:
    keys = KeySet(idp.jwks, lifetime=300, refetch_interval=refetch_interval, clock=clock)
    router = service_router()

    @router.get("/whoami")
    async def whoami(principal: Annotated[Principal, Depends(allow("cpip", "dpip", "partenaire"))]) -> dict:
        return {"sub": principal.subject, "roles": sorted(principal.roles), "org": principal.organisation_id}

    @router.post("/validate")
    async def validate(request: Request, principal: Annotated[Principal, Depends(allow("dpip"))]) -> dict:
        return CommandGateway(request).metadata(principal).actor.model_dump()

    @router.post("/note")
    async def note(request: Request, principal: Annotated[Principal, Depends(allow("cpip", "dpip"))]) -> dict:
        return CommandGateway(request).metadata(principal).actor.model_dump()

    app = FastAPI(exception_handlers=HANDLERS)
    app.include_router(router)
    app.add_middleware(CorrelationId)
    app.state.event_store = None  # the gateway only records it
    app.state.token_verifier = TokenVerifier(
        keys,
        issuer=ISSUER,
        audience=AUDIENCE,
        roles=ESTABLISHMENT,
        max_lifetime_seconds=MAX_LIFETIME,
        leeway_seconds=leeway,
    )
    return app


async def call(app: FastAPI, token: str, method: str = "GET", path: str = "/whoami") -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        return await http.request(method, path, headers={"Authorization": f"Bearer {token}"})


async def assert_refused(app: FastAPI, token: str, detail: str) -> None:
    response = await call(app, token)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["rule"] == "not-authenticated"
    assert detail in response.json()["detail"], response.json()["detail"]


async def test_a_token_the_provider_issued_passes(idp):
    response = await call(app_trusting(idp), idp.token(org=None))
    assert response.status_code == 200, response.text
    assert response.json() == {"sub": "cpip-1", "roles": ["cpip"], "org": None}


def public_pem(idp: Idp) -> bytes:
    return (
        idp.private["k1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


# --- signature and algorithm ---


@pytest.mark.parametrize("kid", [None, "k1"])
async def test_an_unsigned_token_alg_none_is_refused(idp, kid):
    header = {"alg": "none", "typ": "at+jwt", **({"kid": kid} if kid else {})}
    expected = "the token's algorithm is not accepted" if kid else "does not name its signing key"
    await assert_refused(app_trusting(idp), unsigned(header, claims_now()), expected)


async def test_hs256_keyed_with_the_public_pem_is_refused(idp):
    import hashlib
    import hmac

    header = {"alg": "HS256", "typ": "at+jwt", "kid": "k1"}
    head = unsigned(header, claims_now()).rsplit(".", 1)[0]
    signature = hmac.new(public_pem(idp), head.encode(), hashlib.sha256).digest()
    await assert_refused(
        app_trusting(idp), unsigned(header, claims_now(), signature), "algorithm is not accepted"
    )


async def test_an_rs256_header_over_an_hmac_signature_is_refused(idp):
    import hashlib
    import hmac

    header = {"alg": "RS256", "typ": "at+jwt", "kid": "k1"}
    head = unsigned(header, claims_now()).rsplit(".", 1)[0]
    signature = hmac.new(public_pem(idp), head.encode(), hashlib.sha256).digest()
    token = unsigned(header, claims_now(), signature)
    await assert_refused(app_trusting(idp), token, "the token's signature does not verify")


async def test_a_foreign_key_under_a_known_kid_is_refused(idp):
    forger = Idp()
    forger.add_rsa("k1")  # same kid, another key
    await assert_refused(app_trusting(idp), forger.token("k1"), "the token's signature does not verify")


async def test_an_es256_header_on_an_rsa_key_is_refused(idp):
    forger = Idp()
    forger.add_ec("k1")
    await assert_refused(app_trusting(idp), forger.token("k1"), "the token's algorithm is not accepted")


async def test_a_token_without_kid_is_refused_rather_than_tried_on_the_first_key(idp):
    token = jwt.encode(claims_now(), idp.private["k1"], algorithm="RS256", headers={"typ": "at+jwt"})
    await assert_refused(app_trusting(idp), token, "the token does not name its signing key (kid)")


@pytest.mark.parametrize("garbage", ["abc", "a.b.c", "eyJ.eyJ.sig", "...."])
async def test_garbage_is_refused_as_malformed(idp, garbage):
    await assert_refused(app_trusting(idp), garbage, "the token is malformed")


# --- token type ---


@pytest.mark.parametrize("typ", [None, "JWT", "id+jwt", "at+JWT+x", 5])
async def test_a_token_that_is_not_an_rfc_9068_access_token_is_refused(idp, typ):
    token = idp.token(header={"typ": typ})
    await assert_refused(
        app_trusting(idp), token, "the token is not an access token (its header's typ must be at+jwt)"
    )


async def test_the_media_type_spelling_of_the_access_token_type_passes(idp):
    assert (await call(app_trusting(idp), idp.token(header={"typ": "application/at+jwt"}))).status_code == 200


# --- key set: unknown kid, rotation, withdrawal ---


async def test_an_unknown_kid_triggers_one_refetch_and_a_flood_of_them_no_more(idp):
    now = [1000.0]
    app = app_trusting(idp, refetch_interval=60, clock=lambda: now[0])
    assert (await call(app, idp.token())).status_code == 200  # first use fetches the set
    fetched = idp.fetches
    stranger = Idp()
    stranger.add_rsa("k-unknown")
    now[0] += 61
    await assert_refused(app, stranger.token("k-unknown"), "the token was signed by an unknown key")
    assert idp.fetches == fetched + 1
    for n in range(20):
        now[0] += 1
        token = stranger.token("k-unknown", header={"kid": f"k-flood-{n}"})
        assert (await call(app, token)).status_code == 401
    assert idp.fetches == fetched + 1, "within the interval, unknown kids are refused without a refetch"
    now[0] += 60
    assert (await call(app, stranger.token("k-unknown"))).status_code == 401
    assert idp.fetches == fetched + 2


async def test_a_key_published_by_a_rotation_is_fetched_on_its_first_token():
    provider = Idp()
    provider.add_rsa("old")
    app = app_trusting(provider, refetch_interval=0)
    assert (await call(app, provider.token("old"))).status_code == 200
    provider.add_ec("new")  # the provider publishes its next key beside the current one
    assert (await call(app, provider.token("new"))).status_code == 200
    assert (await call(app, provider.token("old"))).status_code == 200, (
        "both keys are valid during a rotation"
    )


async def test_a_withdrawn_key_vouches_for_nothing_once_the_set_is_refetched():
    provider = Idp()
    provider.add_rsa("old")
    provider.add_rsa("new")
    app = app_trusting(provider, refetch_interval=0)
    token = provider.token("old")
    assert (await call(app, token)).status_code == 200
    provider.published.remove("old")
    provider.add_rsa("newer")
    # Any token naming a kid the service does not know refreshes the set; the cached verdict goes with it.
    assert (await call(app, provider.token("newer"))).status_code == 200
    await assert_refused(app, token, "the token was signed by an unknown key")


async def test_a_key_set_older_than_its_lifetime_is_refetched():
    provider = Idp()
    provider.add_rsa("k1")
    now = [0.0]
    keys = KeySet(provider.jwks, lifetime=300, refetch_interval=30, clock=lambda: now[0])
    assert await keys.key("k1") is not None and provider.fetches == 1
    now[0] = 299
    await keys.key("k1")
    assert provider.fetches == 1
    now[0] = 301
    await keys.key("k1")
    assert provider.fetches == 2


async def test_requests_arriving_during_the_first_fetch_wait_for_its_keys():
    provider = Idp()
    provider.add_rsa("k1")
    release = threading.Event()

    def slow_fetch() -> dict:
        release.wait(5)
        return provider.jwks()

    keys = KeySet(slow_fetch, lifetime=300, refetch_interval=30)
    first = asyncio.create_task(keys.key("k1"))
    await asyncio.sleep(0)  # the first request now holds the fetch
    others = [asyncio.create_task(keys.key("k1")) for _ in range(7)]
    await asyncio.sleep(0.01)
    release.set()
    found = await asyncio.gather(first, *others)
    assert all(key is not None for key in found) and provider.fetches == 1


async def test_a_provider_away_leaves_the_known_keys_in_use():
    provider = Idp()
    provider.add_rsa("k1")
    now, away = [0.0], [False]

    def fetch() -> dict:
        if away[0]:
            raise OSError("connection refused")
        return provider.jwks()

    keys = KeySet(fetch, lifetime=300, refetch_interval=30, clock=lambda: now[0])
    assert await keys.key("k1") is not None
    away[0], now[0] = True, 400
    assert await keys.key("k1") is not None


# --- times ---


async def test_a_token_without_iat_is_refused(idp):
    await assert_refused(app_trusting(idp), idp.token(drop=("iat",)), "the token lacks the iat claim")


@pytest.mark.parametrize("claim", ["exp", "sub", "iss", "aud"])
async def test_a_token_without_a_required_claim_is_refused(idp, claim):
    await assert_refused(app_trusting(idp), idp.token(drop=(claim,)), f"the token lacks the {claim} claim")


async def test_a_token_living_longer_than_the_cap_is_refused(idp):
    now = datetime.now(UTC)
    token = idp.token(iat=now, exp=now + timedelta(seconds=MAX_LIFETIME + 1))
    await assert_refused(app_trusting(idp), token, f"lives longer than the {MAX_LIFETIME} seconds")


async def test_a_token_backdated_to_hide_its_lifetime_is_refused(idp):
    now = datetime.now(UTC)
    token = idp.token(iat=now - timedelta(days=365), exp=now + timedelta(minutes=5))
    await assert_refused(app_trusting(idp), token, "lives longer than")


async def test_ten_years_ahead_is_refused(idp):
    token = idp.token(exp=datetime.now(UTC) + timedelta(days=3650))
    await assert_refused(app_trusting(idp), token, "lives longer than")


async def test_clocks_may_differ_by_the_leeway_and_no_more(idp):
    now = datetime.now(UTC)
    app = app_trusting(idp, leeway=30)
    just_expired = idp.token(iat=now - timedelta(minutes=10), exp=now - timedelta(seconds=10))
    assert (await call(app, just_expired)).status_code == 200
    long_expired = idp.token(iat=now - timedelta(minutes=10), exp=now - timedelta(seconds=90))
    await assert_refused(app, long_expired, "the token has expired")
    slightly_ahead = idp.token(iat=now + timedelta(seconds=10))
    assert (await call(app, slightly_ahead)).status_code == 200
    from_the_future = idp.token(iat=now + timedelta(seconds=90))
    await assert_refused(app, from_the_future, "the token is not valid yet")
    not_before = idp.token(nbf=now + timedelta(seconds=90))
    await assert_refused(app, not_before, "the token is not valid yet")


def test_the_leeway_is_at_most_a_minute(idp):
    with pytest.raises(ValueError, match="at most 60 seconds"):
        TokenVerifier(KeySet(idp.jwks, lifetime=1, refetch_interval=1), issuer="i", audience="a",
                      roles=ESTABLISHMENT, leeway_seconds=61)  # fmt: skip
    with pytest.raises(ValueError, match="auth_leeway_seconds|AUTH_LEEWAY_SECONDS"):
        ServiceSettings(database_url="postgresql://unused/unused", AUTH_LEEWAY_SECONDS=120)


@pytest.mark.parametrize("iat", ["1700000000", None, [1]])
async def test_an_iat_that_is_not_a_time_is_refused(idp, iat):
    claims = claims_now(iat=iat)
    token = jwt.encode(claims, idp.private["k1"], algorithm="RS256", headers={"kid": "k1", "typ": "at+jwt"})
    response = await call(app_trusting(idp), token)
    assert response.status_code == 401 and "iat" in response.json()["detail"], response.text


# --- audience, issuer, subject ---


async def test_another_audience_is_refused(idp):
    await assert_refused(
        app_trusting(idp), idp.token(aud="account"), "the token is meant for another audience"
    )


async def test_another_issuer_is_refused(idp):
    await assert_refused(
        app_trusting(idp), idp.token(iss="https://evil.example"), "an issuer this service does not trust"
    )


@pytest.mark.parametrize("sub, detail", [(42, "sub must be a string"), ("", "sub is empty")])
async def test_a_subject_that_is_not_a_name_is_refused(idp, sub, detail):
    await assert_refused(app_trusting(idp), idp.token(sub=sub), detail)


# --- roles and organisation ---


@pytest.mark.parametrize("roles", [{"cpip": True}, 5, [1, 2], "cpip", ["cpip", None], None])
async def test_roles_that_are_not_a_list_of_names_are_refused_never_a_500(idp, roles):
    await assert_refused(
        app_trusting(idp), idp.token(roles=roles), "the token's roles must be a list of role names"
    )


@pytest.mark.parametrize("org", [["org-1"], 7, {"id": "org-1"}])
async def test_an_organisation_that_is_not_a_string_is_refused(idp, org):
    token = idp.token(roles=["partenaire"], org=org)
    await assert_refused(app_trusting(idp), token, "the token's org claim must be a string")


@pytest.mark.parametrize("staff", ["cpip", "dpip", "auditeur", "ipro_conseiller"])
async def test_a_partner_role_combined_with_a_staff_role_is_refused(idp, staff):
    token = idp.token(roles=["partenaire", staff], org="org-1")
    await assert_refused(
        app_trusting(idp), token, f"(partenaire) cannot be combined with another role ({staff})"
    )


async def test_a_partner_token_passes_with_its_organisation(idp):
    response = await call(app_trusting(idp), idp.token(sub="p-1", roles=["partenaire"], org="org-1"))
    assert response.status_code == 200 and response.json()["org"] == "org-1"


async def test_the_detail_never_quotes_the_token(idp):
    token = idp.token(aud="<script>alert(1)</script>")
    response = await call(app_trusting(idp), token)
    assert response.status_code == 401 and "script" not in response.text


async def test_a_refused_role_is_not_told_which_roles_would_do(idp):
    response = await call(app_trusting(idp), idp.token(sub="cpip-1", roles=["cpip"]), "POST", "/validate")
    assert response.status_code == 403 and response.json()["rule"] == "role-not-allowed"
    assert "dpip" not in response.text


# --- the role exercised ---


async def test_the_actor_is_the_role_the_route_admitted_not_the_first_by_name(idp):
    token = idp.token(sub="cadre-1", roles=["cpip", "dpip"])
    response = await call(app_trusting(idp), token, "POST", "/validate")
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "dpip" and response.json()["subject"] == "cadre-1"


async def test_when_several_roles_are_admitted_the_actor_is_the_first_by_name(idp):
    token = idp.token(sub="cadre-1", roles=["dpip", "cpip"])
    assert (await call(app_trusting(idp), token, "POST", "/note")).json()["role"] == "cpip"
