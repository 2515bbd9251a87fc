"""HTTP plumbing shared by every service: policy-checked routes, request size limits, security headers,
operational endpoints kept to internal networks, correlation ids (ADR 21)."""

from __future__ import annotations

import ipaddress
import time
import uuid
from collections.abc import Callable, Iterator

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel import logs, metrics
from kernel.auth import Policy
from kernel.instants import is_json, localise
from kernel.problems import problem


def _policies(dependant: Dependant) -> Iterator[Policy]:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Policy):
            yield dependency.call
        yield from _policies(dependency)


def policy_of(route: APIRoute) -> Policy | None:
    found = list(_policies(route.dependant))
    return found[0] if len(found) == 1 else None


class PolicyRoute(APIRoute):
    """Checks the route's policy before the body is even parsed: an anonymous caller learns nothing
    about the payload a route expects, and a caller with the wrong role gets 403, not a validation error."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()
        policy = policy_of(self)

        async def guarded(request):
            if policy is not None:
                await policy.check(request)
            response = await handler(request)
            # A pseudonymised reader's answer (kernel.pseudonyms), rewritten before anything of it leaves.
            journal = request.scope.get("state", {}).get("journal")
            if journal is not None and journal.pseudonymised and not journal.disclosed:
                response = request.app.state.pseudonyms.rewrite(response, self.response_model)
            return in_local_time(response)

        return guarded


def in_local_time(response: Response) -> Response:
    """A JSON answer's instants in local time (kernel.instants), once FastAPI rendered it (with pydantic's
    own serialiser, for a route with a response model)."""
    body = getattr(response, "body", None)
    if body and is_json(response.media_type):
        response.body = localise(body)
        response.headers["content-length"] = str(len(response.body))
    return response


def service_router(prefix: str = "", tags: list[str] | None = None) -> APIRouter:
    """The router every service uses: its routes check their policy first."""
    return APIRouter(prefix=prefix, tags=tags or [], route_class=PolicyRoute)


def routes_without_policy(app: FastAPI) -> list[str]:
    """Routes that declare no policy, or would check it after parsing the body: none may exist."""
    return [
        f"{sorted(route.methods)} {route.path}"
        for route in app.routes
        if isinstance(route, APIRoute) and (policy_of(route) is None or not isinstance(route, PolicyRoute))
    ]


def roles_not_in(app: FastAPI, known: frozenset[str]) -> list[str]:
    """Routes whose policy names a role outside `known`: a typo would lock everyone out of them."""
    return [
        f"{sorted(route.methods)} {route.path}: {sorted(policy.roles - known)}"
        for route in app.routes
        if isinstance(route, APIRoute)
        and (policy := policy_of(route)) is not None
        and not policy.is_public
        and policy.roles - known
    ]


class BodySizeLimit:
    """Refuse bodies above the limit with 413, whether announced by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await self._refuse(scope, receive, send)
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # FastAPI re-raises an HTTPException met while reading the body; the problem handler answers.
                raise HTTPException(413, f"the request body exceeds {self.max_bytes} bytes")
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, "body-too-large", f"the request body exceeds {self.max_bytes} bytes")
        await response(scope, receive, send)


class RequestMetrics:
    """Latency of every request by route template (never by raw path: ids would explode the series)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            metrics.HTTP_REQUESTS.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - started
            )


class CorrelationId:
    """Take the caller's X-Correlation-Id if it is a UUID (or make one), log with it, echo it, and hand it to
    commands. Anything else the caller sends is dropped unread: it would be kept for ever in the events'
    audit trail, and a caller could plant misleading ids or text there and in the logs."""

    HEADER = b"x-correlation-id"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        correlation_id = as_uuid(dict(scope["headers"]).get(self.HEADER, b"")) or str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        logs.clear_context()
        logs.bind_correlation_id(correlation_id=correlation_id)

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((self.HEADER, correlation_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_header)


def as_uuid(value: bytes) -> str | None:
    """The canonical form of a UUID (any of its usual spellings), or None."""
    if not 32 <= len(value) <= 45:
        return None
    try:
        return str(uuid.UUID(value.decode("ascii")))
    except ValueError:
        return None


# A page of ours: inline styles only, nothing loaded, never framed, no form or base to hijack.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# Swagger UI (internal networks only) starts from an inline script and fetches /openapi.json.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


class SecurityHeaders:
    """Every response: `nosniff` and no referrer; over HTTPS, HSTS. A request that carried credentials:
    `no-store`, since what it answers may be personal data and SPIP offices share workstations. An HTML page: a
    content security policy and no framing."""

    def __init__(self, app: ASGIApp, docs_path: str = "/docs") -> None:
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        authenticated = any(name == b"authorization" for name, _ in scope["headers"])
        # "https" when the service terminates TLS itself, or trusts its proxy's X-Forwarded-Proto.
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() not in _OURS]
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
                if authenticated:  # whatever the route said about caching
                    headers = [(n, v) for n, v in headers if n.lower() not in (b"cache-control", b"pragma")]
                    headers += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
                if https:  # a browser ignores it over plain HTTP (RFC 6797); the terminator sets it too
                    headers.append((b"strict-transport-security", HSTS))
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    policy = DOCS_POLICY if scope["path"] == self.docs_path else PAGE_POLICY
                    headers += [(b"content-security-policy", policy.encode()), (b"x-frame-options", b"DENY")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_OURS = frozenset(
    {
        b"x-content-type-options",
        b"referrer-policy",
        b"content-security-policy",
        b"x-frame-options",
        b"strict-transport-security",
    }
)
# A year, for this host only: whether its sibling names are all HTTPS is the deployment's to say (ADR 35).
HSTS = b"max-age=31536000"


# What only operators and their tools read: the service's state, its metrics, and its full description.
OPERATIONS_PATHS = ("/ready", "/metrics", "/docs", "/redoc", "/openapi.json", "/asyncapi.json")
OPERATIONS_PREFIXES = ("/docs-assets/",)


class OperationsGate:
    """The operational endpoints answer only clients on the configured networks (orchestrator probes,
    Prometheus, operators); anyone else gets 404, as if they did not exist. `/health` stays open: it says
    nothing but "alive"."""

    def __init__(self, app: ASGIApp, networks: str) -> None:
        self.app = app
        self.networks = parse_networks(networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_operational(scope["path"]) or self.admits(scope.get("client")):
            return await self.app(scope, receive, send)
        response = problem(404, "not-found", "Not Found")
        await response(scope, receive, send)

    def admits(self, client: tuple[str, int] | None) -> bool:
        if client is None:
            return False
        try:
            address = ipaddress.ip_address(client[0])
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def is_operational(path: str) -> bool:
    return path in OPERATIONS_PATHS or path.startswith(OPERATIONS_PREFIXES)


def parse_networks(networks: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in networks.split(",") if part.strip()
    )
