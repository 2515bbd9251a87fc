"""Running a command from HTTP: one transaction holding the events and the idempotency record.

A command retried with the same `Idempotency-Key` (same caller, same request) appends nothing: it answers
the first status and the resource the command acted on, read again through its GET as the caller may see it
now (ADR 5, revised). The record keeps only the request's digest, the status and that resource's path: no
copy of an answer, which would hold personal data out of reach of erasure and skip today's access checks.
The same key with a different request is refused. A refused command rolls back whole. The key is recorded
after the events: of two concurrent requests with one key, the second waits on the first's record, then
rolls back and replays it.

A command that lost a race (a stream it appends to moved on since it read it) is run again on fresh state,
a few times: the caller did nothing wrong, the decision is simply taken again (ADR 14).
"""

from __future__ import annotations

import asyncio
import hashlib
import string
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from starlette.responses import Response
from starlette.types import Message
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from contracts import Actor
from kernel.api import store_of
from kernel.auth import Principal
from kernel.errors import BadRequest, ConcurrencyConflict, DomainError
from kernel.eventstore import EventStore, Metadata, Session
from kernel.instants import LocalTimeJSONResponse
from kernel.retrying import once_then_retrying

Action = Callable[[Session, Metadata], Awaitable[Any]]
MAX_KEY_LENGTH = 200
# What a replay's read of the resource does not take from the command's request: its body, its key,
# conditions meant for the command, and encodings (the read's body is passed on as it is).
_NOT_FOR_THE_READ = frozenset(
    {
        b"accept-encoding",
        b"content-length",
        b"content-type",
        b"transfer-encoding",
        b"expect",
        b"idempotency-key",
        b"if-match",
        b"if-none-match",
        b"if-modified-since",
        b"if-unmodified-since",
        b"if-range",
        b"range",
    }
)
# What a replay passes on from the read's answer (the app's middleware adds the rest again).
_FROM_THE_READ = frozenset({b"content-type", b"retry-after"})
# Enough for a hot stream under a burst of commands; then the conflict reaches the caller (409).
RACE_ATTEMPTS = 8


class IdempotencyKeyReused(DomainError):
    code = "idempotency-key-reused"


class IdempotencyKeyInvalid(BadRequest):
    code = "idempotency-key-invalid"


class _AnsweredConcurrently(Exception):
    """Another request with the same key committed first: roll ours back and replay its answer."""


class CommandGateway:
    def __init__(self, request: Request) -> None:
        self.request = request
        self.store: EventStore = store_of(request)

    def metadata(self, principal: Principal) -> Metadata:
        actor = Actor(
            subject=principal.subject, role=principal.role, organisation_id=principal.organisation_id
        )
        return Metadata(actor=actor, correlation_id=self.request.state.correlation_id)

    async def run(
        self,
        principal: Principal,
        action: Action,
        *,
        status_code: int = 201,
        location: str | None = None,
        resource: str | None = None,
    ) -> Response:
        """Run `action` in one transaction. Every command names the resource it acted on as the path of its
        GET, a template filled from the route's path parameters and the answer's fields: `location` for the
        one it created (also sent as `Location`: `"/partners/{partner_id}"`), else `resource`
        (`"/cases/{case_id}"`). A retry with the same `Idempotency-Key` answers that GET."""
        template = location or resource
        if template is None:
            raise TypeError("a command names the resource it acts on: location= or resource=")
        return await once_then_retrying(
            lambda: self._run_once(principal, action, status_code, template, location is not None),
            lambda: AsyncRetrying(
                retry=retry_if_exception_type(ConcurrencyConflict),
                stop=stop_after_attempt(RACE_ATTEMPTS),
                wait=wait_random_exponential(multiplier=0.005, max=0.1),
                reraise=True,
            ),
            retried=lambda error: isinstance(error, ConcurrencyConflict),
        )

    async def _run_once(
        self, principal: Principal, action: Action, status_code: int, template: str, locates: bool
    ) -> Response:
        key = self.request.headers.get("idempotency-key")
        if key is None:
            async with self.store.transaction() as session:
                body = _json_values(await action(session, self.metadata(principal)))
                path = self._path(template, body)  # with or without a key: a wrong template fails every call
            return _response(body, status_code, path if locates else None)
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            raise IdempotencyKeyInvalid(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
        fingerprint = await self._fingerprint()
        if (replay := await self._replay(principal, key, fingerprint, locates)) is not None:
            return replay
        try:
            async with self.store.transaction() as session:
                body = _json_values(await action(session, self.metadata(principal)))
                path = self._path(template, body)
                if not await self._remember(session, principal, key, fingerprint, status_code, path):
                    raise _AnsweredConcurrently
        except (_AnsweredConcurrently, DomainError):
            # A concurrent twin may have won (and caused our refusal, e.g. a unique value it took first).
            if (replay := await self._replay(principal, key, fingerprint, locates)) is not None:
                return replay
            raise
        return _response(body, status_code, path if locates else None)

    def _path(self, template: str, body: Any) -> str:
        """The resource's path: `template` filled from the answer's fields and the route's path parameters."""
        fields = {**(body if isinstance(body, Mapping) else {}), **self.request.path_params}
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        return template.format_map({name: quote(str(fields[name]), safe="") for name in names})

    async def _fingerprint(self) -> str:
        digest = hashlib.sha256(f"{self.request.method} {self.request.url.path}\n".encode())
        digest.update(await self.request.body())
        return digest.hexdigest()

    async def _remember(
        self, session: Session, principal: Principal, key: str, fingerprint: str, status_code: int, path: str
    ) -> bool:
        return bool(
            await session.connection.fetchval(
                """INSERT INTO idempotency_keys (principal, key, request_hash, status_code, resource)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true""",
                principal.subject,
                key,
                fingerprint,
                status_code,
                path,
            )
        )

    async def _replay(
        self, principal: Principal, key: str, fingerprint: str, locates: bool
    ) -> Response | None:
        first = await self.store.pool.fetchrow(
            "SELECT request_hash, status_code, resource FROM idempotency_keys WHERE principal = $1 AND key = $2",
            principal.subject,
            key,
        )
        if first is None:
            return None
        if first["request_hash"] != fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was already used for a different request")
        status, headers, body = await self._read(first["resource"])
        answered = 200 <= status < 300
        response = Response(
            body,
            status_code=first["status_code"] if answered else status,
            headers={name.decode("latin-1"): value.decode("latin-1") for name, value in headers},
        )
        response.headers["Idempotent-Replayed"] = "true"
        if answered and locates:
            response.headers["Location"] = first["resource"]
        return response

    async def _read(self, path: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """GET `path` from this app as the caller, through its whole stack (authentication, the route's
        policy and access checks, the consultation journal): the resource as they may see it now, or the
        refusal they would get."""
        outer = self.request.scope
        root = outer.get("root_path", "")
        scope = {
            "type": "http",
            "asgi": outer.get("asgi", {"version": "3.0"}),
            "http_version": outer.get("http_version", "1.1"),
            "method": "GET",
            "scheme": outer.get("scheme", "http"),
            "server": outer.get("server"),
            "client": outer.get("client"),
            "root_path": root,
            "path": root + path,
            "raw_path": (root + path).encode(),
            "query_string": b"",
            "headers": [(n, v) for n, v in outer["headers"] if n.lower() not in _NOT_FOR_THE_READ],
            "state": {},  # the read's own principal, journal and correlation: nothing of the command's
        }
        answered = asyncio.Event()
        requested = False
        status, headers, chunks = 500, [], []

        async def receive() -> Message:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await answered.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() in _FROM_THE_READ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    answered.set()

        await self.request.app(scope, receive, send)
        return status, headers, b"".join(chunks)


def _json_values(answer: Any) -> Any:
    """The action's answer as JSON values: a model by pydantic itself (what `jsonable_encoder` gives for one,
    at a tenth of its cost), anything else by `jsonable_encoder`."""
    if isinstance(answer, BaseModel):
        return answer.model_dump(mode="json", by_alias=True)
    return jsonable_encoder(answer)


def _response(body: Any, status_code: int, location: str | None) -> Response:
    response = LocalTimeJSONResponse(body, status_code=status_code)
    if location is not None:
        response.headers["Location"] = location
    return response


async def command_gateway(request: Request) -> CommandGateway:
    """A coroutine, not the class itself: FastAPI would build the class in a worker thread (`kernel.api`)."""
    return CommandGateway(request)


Commands = Annotated[CommandGateway, Depends(command_gateway)]
