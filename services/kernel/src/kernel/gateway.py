"""Running a command from HTTP: one transaction holding the events and the idempotency record.

A command retried with the same `Idempotency-Key` (same caller, same request) returns the first answer and
appends nothing; the same key with a different request is refused. A refused command rolls back whole.
The key is recorded after the events: of two concurrent requests with one key, the second waits on the
first's record, then rolls back and replays the first's answer.

A command that lost a race (a stream it appends to moved on since it read it) is run again on fresh state,
a few times: the caller did nothing wrong, the decision is simply taken again (ADR 14).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from contracts import Actor
from kernel.api import event_store
from kernel.auth import Principal
from kernel.errors import BadRequest, ConcurrencyConflict, DomainError
from kernel.eventstore import EventStore, Metadata, Session
from kernel.instants import LocalTimeJSONResponse

Action = Callable[[Session, Metadata], Awaitable[Any]]
MAX_KEY_LENGTH = 200
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
        self.store: EventStore = event_store(request)

    def metadata(self, principal: Principal) -> Metadata:
        actor = Actor(
            subject=principal.subject, role=principal.role, organisation_id=principal.organisation_id
        )
        return Metadata(actor=actor, correlation_id=self.request.state.correlation_id)

    async def run(
        self, principal: Principal, action: Action, *, status_code: int = 201, location: str | None = None
    ) -> JSONResponse:
        """Run `action` in one transaction; `location` names the created resource, if any, as a template of
        the answer's fields (`"/partners/{partner_id}"`)."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(ConcurrencyConflict),
            stop=stop_after_attempt(RACE_ATTEMPTS),
            wait=wait_random_exponential(multiplier=0.005, max=0.1),
            reraise=True,
        )
        return await retrying(self._run_once, principal, action, status_code, location)

    async def _run_once(
        self, principal: Principal, action: Action, status_code: int, location: str | None
    ) -> JSONResponse:
        key = self.request.headers.get("idempotency-key")
        if key is None:
            async with self.store.transaction() as session:
                body = jsonable_encoder(await action(session, self.metadata(principal)))
            return _response(body, status_code, location)
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            raise IdempotencyKeyInvalid(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
        fingerprint = await self._fingerprint()
        if (replay := await self._replay(principal, key, fingerprint, location)) is not None:
            return replay
        try:
            async with self.store.transaction() as session:
                body = jsonable_encoder(await action(session, self.metadata(principal)))
                if not await self._remember(session, principal, key, fingerprint, status_code, body):
                    raise _AnsweredConcurrently
        except (_AnsweredConcurrently, DomainError):
            # A concurrent twin may have won (and caused our refusal, e.g. a unique value it took first).
            if (replay := await self._replay(principal, key, fingerprint, location)) is not None:
                return replay
            raise
        return _response(body, status_code, location)

    async def _fingerprint(self) -> str:
        digest = hashlib.sha256(f"{self.request.method} {self.request.url.path}\n".encode())
        digest.update(await self.request.body())
        return digest.hexdigest()

    async def _remember(
        self, session: Session, principal: Principal, key: str, fingerprint: str, status_code: int, body: Any
    ) -> bool:
        return bool(
            await session.connection.fetchval(
                """INSERT INTO idempotency_keys (principal, key, request_hash, status_code, response)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true""",
                principal.subject,
                key,
                fingerprint,
                status_code,
                body,
            )
        )

    async def _replay(
        self, principal: Principal, key: str, fingerprint: str, location
    ) -> JSONResponse | None:
        first = await self.store.pool.fetchrow(
            "SELECT request_hash, status_code, response FROM idempotency_keys WHERE principal = $1 AND key = $2",
            principal.subject,
            key,
        )
        if first is None:
            return None
        if first["request_hash"] != fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was already used for a different request")
        response = _response(first["response"], first["status_code"], location)
        response.headers["Idempotent-Replayed"] = "true"
        return response


def _response(body: Any, status_code: int, location: str | None) -> JSONResponse:
    response = LocalTimeJSONResponse(body, status_code=status_code)
    if location is not None:
        response.headers["Location"] = location.format(**body)
    return response


Commands = Annotated[CommandGateway, Depends(CommandGateway)]
