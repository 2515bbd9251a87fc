"""HTTP plumbing shared by every service: policy-checked routes, request limits, correlation ids."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel import logs, metrics
from kernel.auth import Policy
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
                policy.check(request)
            return await handler(request)

        return guarded


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
    """Take the caller's X-Correlation-Id (or make one), log with it, echo it, and hand it to commands."""

    HEADER = b"x-correlation-id"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = dict(scope["headers"]).get(self.HEADER, b"").decode("latin-1")[:100]
        correlation_id = incoming or str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        logs.clear_context()
        logs.bind_correlation_id(correlation_id=correlation_id)

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((self.HEADER, correlation_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_header)
