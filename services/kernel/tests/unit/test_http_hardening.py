"""HTTP hardening (issue 18 #5, security review M7, L2, L5), through an app built by the kernel's own factory:
security headers, rate limits answering 429 problem+json with Retry-After, operational endpoints kept to
internal networks, correlation ids accepted only as UUIDs."""

import re
import uuid
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import Depends
from fastapi.responses import HTMLResponse, JSONResponse

from contracts.roles import ESTABLISHMENT
from devinfra.tokens import DevKeys
from kernel.access import Principal
from kernel.auth import allow, public
from kernel.http import service_router
from kernel.ratelimits import Buckets, TokenBucket
from kernel.service import ServiceDefinition, create_service_app
from kernel.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[4]
Reader = Annotated[Principal, Depends(allow("cpip", "dpip"))]


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> DevKeys:
    return DevKeys.load_or_create(tmp_path_factory.mktemp("keys"))


def app_with(keys: DevKeys, **settings):
    router = service_router()

    @router.get("/cases")
    async def cases(principal: Reader) -> dict:
        return {"reader": principal.subject}

    @router.get("/cases/page", response_class=HTMLResponse)
    async def page(principal: Reader) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>Dossier</title><p>Dossier</p>")

    @router.get("/cases/cacheable")
    async def cacheable(principal: Reader) -> JSONResponse:
        return JSONResponse({}, headers={"Cache-Control": "public, max-age=3600"})

    @router.get("/open")
    async def open_(_: Annotated[None, Depends(public())]) -> dict:
        return {"open": True}

    definition = ServiceDefinition(name="sample", roles=ESTABLISHMENT, routers=[router])
    return create_service_app(
        definition,
        ServiceSettings(database_url="postgresql://unused/unused", auth_jwks_file=keys.jwks_path, **settings),
    )


def client(app, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def bearer(keys: DevKeys, role: str = "cpip", subject: str = "cpip-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.mint(role, subject=subject)}"}


# --- headers ---


async def test_every_answer_forbids_sniffing_and_an_authenticated_one_forbids_storing(keys):
    async with client(app_with(keys)) as http:
        anonymous = await http.get("/open")
        read = await http.get("/cases", headers=bearer(keys))
        refused = await http.get("/cases", headers={"Authorization": "Bearer nonsense"})
    assert anonymous.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in anonymous.headers.get("cache-control", "")
    assert read.status_code == 200
    assert read.headers["x-content-type-options"] == "nosniff"
    assert read.headers["cache-control"] == "no-store" and read.headers["pragma"] == "no-cache"
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    assert "content-security-policy" not in read.headers  # JSON is not rendered by a browser


async def test_no_route_can_let_an_authenticated_answer_be_cached(keys):
    async with client(app_with(keys)) as http:
        response = await http.get("/cases/cacheable", headers=bearer(keys))
    assert response.headers.get_list("cache-control") == ["no-store"]


async def test_an_html_page_carries_a_content_security_policy_and_refuses_framing(keys):
    async with client(app_with(keys)) as http:
        page = await http.get("/cases/page", headers=bearer(keys))
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # no script may run at all
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"


def test_the_print_templates_need_nothing_the_page_policy_blocks():
    """The person file and the schedule print pages (projections) and the programmes register: inline
    styles only, no script, nothing loaded from anywhere."""
    templates = list((ROOT / "services/projections/src/projections").glob("*/templates/*.html"))
    register = ROOT / "services/programmes/src/programmes/http/register.py"
    assert len(templates) >= 2
    for source in [*templates, register]:
        text = source.read_text()
        assert "<script" not in text and "<link" not in text, source
        assert not re.search(r"""(?:src|href)\s*=|url\(|@import""", text), source


async def test_the_docs_page_gets_a_policy_that_lets_swagger_run_from_the_service_only(keys):
    async with client(app_with(keys)) as http:
        docs = await http.get("/docs")
    assert docs.status_code == 200
    policy = docs.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy and "default-src 'self'" in policy


# --- operational endpoints ---

OPERATIONAL = [
    "/ready",
    "/metrics",
    "/docs",
    "/openapi.json",
    "/asyncapi.json",
    "/docs-assets/swagger-ui.css",
]


@pytest.mark.parametrize("path", OPERATIONAL)
async def test_operational_endpoints_are_hidden_from_outside_networks(keys, path):
    async with client(app_with(keys), "203.0.113.7") as http:
        response = await http.get(path, headers=bearer(keys))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_operational_endpoints_answer_the_configured_networks_and_health_answers_anyone(keys):
    app = app_with(keys, OPERATIONS_NETWORKS="10.0.0.0/8, 127.0.0.1/32")
    async with client(app, "10.2.3.4") as http:
        assert (await http.get("/metrics")).status_code == 200
        assert (await http.get("/openapi.json")).status_code == 200
    async with client(app, "192.168.1.9") as http:
        assert (await http.get("/metrics")).status_code == 404
        assert (await http.get("/health")).status_code == 200


async def test_by_default_operational_endpoints_answer_the_loopback_as_make_up_and_the_bench_need(keys):
    async with client(app_with(keys), "127.0.0.1") as http:
        assert (await http.get("/metrics")).status_code == 200
        assert (await http.get("/openapi.json")).status_code == 200


async def test_an_answer_over_https_asks_the_browser_to_keep_to_https_and_one_over_http_does_not(keys):
    app = app_with(keys)
    secure = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver")
    async with secure, client(app) as plain:
        over_tls = await secure.get("/open")
        in_clear = await plain.get("/open")
    assert over_tls.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in in_clear.headers


# --- rate limits ---


async def test_a_user_over_their_budget_gets_429_with_retry_after_and_others_are_not_slowed(keys):
    app = app_with(keys, RATE_LIMIT_USER_BURST=3, RATE_LIMIT_USER_PER_SECOND=0.5)
    async with client(app) as http:
        statuses = [(await http.get("/cases", headers=bearer(keys))).status_code for _ in range(3)]
        over = await http.get("/cases", headers=bearer(keys))
        other = await http.get("/cases", headers=bearer(keys, "dpip", "dpip-1"))
    assert statuses == [200, 200, 200]
    assert over.status_code == 429
    assert over.headers["content-type"] == "application/problem+json"
    assert over.json()["rule"] == "too-many-requests" and "this user" in over.json()["detail"]
    assert int(over.headers["retry-after"]) == 2  # one token at 0.5 per second
    assert other.status_code == 200


async def test_an_address_with_too_many_failed_authentications_is_refused_before_its_tokens_are_checked(keys):
    app = app_with(keys, RATE_LIMIT_AUTH_FAILURES_BURST=2, RATE_LIMIT_AUTH_FAILURES_PER_MINUTE=6)
    bad = {"Authorization": "Bearer forged"}
    async with client(app, "198.51.100.4") as http:
        assert [(await http.get("/cases", headers=bad)).status_code for _ in range(2)] == [401, 401]
        blocked = await http.get("/cases", headers=bearer(keys))
        missing = await http.get("/cases")
    async with client(app, "198.51.100.5") as http:
        elsewhere = await http.get("/cases", headers=bearer(keys))
    assert blocked.status_code == 429 and blocked.headers["content-type"] == "application/problem+json"
    assert "failed authentications" in blocked.json()["detail"]
    assert int(blocked.headers["retry-after"]) == 10  # one failure forgiven every 10 s
    assert missing.status_code == 429
    assert elsewhere.status_code == 200


async def test_a_request_without_a_token_is_not_counted_as_a_failed_authentication(keys):
    app = app_with(keys, RATE_LIMIT_AUTH_FAILURES_BURST=1, RATE_LIMIT_AUTH_FAILURES_PER_MINUTE=1)
    async with client(app) as http:
        assert [(await http.get("/cases")).status_code for _ in range(3)] == [401, 401, 401]
        assert (await http.get("/cases", headers=bearer(keys))).status_code == 200


async def test_the_api_description_says_a_protected_operation_may_answer_429_and_an_open_one_not(keys):
    async with client(app_with(keys)) as http:
        paths = (await http.get("/openapi.json")).json()["paths"]
    protected, open_ = paths["/cases"]["get"]["responses"], paths["/open"]["get"]["responses"]
    assert "Retry-After" in protected["429"]["description"]
    assert protected["429"]["content"]["application/problem+json"]
    assert "429" not in open_


async def test_a_zero_rate_turns_the_per_user_limit_off(keys):
    app = app_with(keys, RATE_LIMIT_USER_BURST=1, RATE_LIMIT_USER_PER_SECOND=0)
    async with client(app) as http:
        assert {(await http.get("/cases", headers=bearer(keys))).status_code for _ in range(5)} == {200}


def test_a_bucket_refills_at_its_rate_up_to_its_capacity():
    bucket = TokenBucket(capacity=2, rate=1, tokens=2, updated=0)
    assert [bucket.take(0), bucket.take(0)] == [0, 0]
    assert bucket.take(0) == pytest.approx(1.0)
    assert bucket.take(1.5) == 0  # 1.5 tokens came back
    assert bucket.take(100) == 0 and bucket.tokens == 1  # never more than the capacity


async def test_full_buckets_are_forgotten_when_the_table_is_full():
    now = [0.0]
    buckets = Buckets(capacity=1, rate=1, clock=lambda: now[0])
    buckets.MAX_KEYS = 3
    for user in ("a", "b", "c"):
        await buckets.take(user)
    now[0] = 10  # all three refilled
    await buckets.take("d")
    assert set(buckets.buckets) == {"d"}


async def test_taking_says_whether_it_was_granted_and_how_long_the_budget_is_then_empty():
    buckets = Buckets(capacity=2, rate=0.5, clock=lambda: 0.0)
    first, second, third = [await buckets.take("u") for _ in range(3)]
    assert (first.refused_for, first.empty_for) == (0, 0)  # one token left
    assert (second.refused_for, second.empty_for) == (0, 2)  # the last one: empty for one interval
    assert (third.refused_for, third.empty_for) == (2, 2)


# --- correlation ids ---


async def test_a_uuid_correlation_id_is_kept_in_its_canonical_form(keys):
    given = uuid.uuid4()
    async with client(app_with(keys)) as http:
        response = await http.get("/open", headers={"X-Correlation-Id": str(given).upper()})
    assert response.headers["x-correlation-id"] == str(given)


@pytest.mark.parametrize(
    "given",
    ["req-123", "x" * 100, "</script><script>alert(1)</script>", "0" * 31, "ünïcode-ünïcode-ünïcode-ünïcode"],
)
async def test_any_other_correlation_id_is_replaced_by_a_fresh_uuid(keys, given):
    async with client(app_with(keys)) as http:
        response = await http.get("/open", headers={"X-Correlation-Id": given.encode()})
    echoed = response.headers["x-correlation-id"]
    assert echoed != given and str(uuid.UUID(echoed)) == echoed
