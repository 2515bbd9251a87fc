"""Running a command from HTTP: one transaction holding the events and the idempotency record.

A command retried with the same `Idempotency-Key` (same caller, same request) returns the first answer and
appends nothing; the same key with a different request is refused. A refused command rolls back whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from contracts import Actor
from kernel.auth import Principal
from kernel.errors import DomainError
from kernel.eventstore import EventStore, Metadata, Session

Action = Callable[[Session, Metadata], Awaitable[Any]]
MAX_KEY_LENGTH = 200


class IdempotencyKeyReused(DomainError):
    code = "idempotency-key-reused"
    status = 422


class InvalidIdempotencyKey(DomainError):
    code = "idempotency-key-invalid"
    status = 400


class CommandGateway:
    def __init__(self, request: Request) -> None:
        self.request = request
        self.store: EventStore = request.app.state.event_store

    def metadata(self, principal: Principal) -> Metadata:
        actor = Actor(subject=principal.subject, role=principal.role, organisation_id=principal.organisation_id)
        return Metadata(actor=actor, correlation_id=self.request.state.correlation_id)

    async def run(
        self,
        principal: Principal,
        action: Action,
        *,
        status_code: int = 201,
        location: Callable[[Any], str] | None = None,
    ) -> JSONResponse:
        """Run `action` in one transaction; `location(body)` names the created resource, if any."""
        key = self.request.headers.get("idempotency-key")
        if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH):
            raise InvalidIdempotencyKey(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
        fingerprint = await self._fingerprint()
        async with self.store.transaction() as session:
            if key is not None:
                replay = await self._claim(session, principal, key, fingerprint)
                if replay is not None:
                    return _with_location(replay, location)
            body = jsonable_encoder(await action(session, self.metadata(principal)))
            if key is not None:
                await session.connection.execute(
                    "UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE principal = $1 AND key = $2",
                    principal.subject, key, status_code, body,
                )
        return _with_location(JSONResponse(body, status_code=status_code), location)

    async def _fingerprint(self) -> str:
        digest = hashlib.sha256(f"{self.request.method} {self.request.url.path}\n".encode())
        digest.update(await self.request.body())
        return digest.hexdigest()

    async def _claim(self, session: Session, principal: Principal, key: str, fingerprint: str):
        # A concurrent request with the same key waits here until the first one commits or rolls back.
        claimed = await session.connection.fetchval(
            """INSERT INTO idempotency_keys (principal, key, request_hash) VALUES ($1, $2, $3)
               ON CONFLICT DO NOTHING RETURNING true""",
            principal.subject, key, fingerprint,
        )
        if claimed:
            return None
        first = await session.connection.fetchrow(
            "SELECT request_hash, status_code, response FROM idempotency_keys WHERE principal = $1 AND key = $2",
            principal.subject, key,
        )
        if first["request_hash"] != fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was already used for a different request")
        return JSONResponse(first["response"], status_code=first["status_code"], headers={"Idempotent-Replayed": "true"})


def _with_location(response: JSONResponse, location: Callable[[Any], str] | None) -> JSONResponse:
    if location is not None:
        response.headers["Location"] = location(json.loads(response.body))
    return response


Commands = Annotated[CommandGateway, Depends(CommandGateway)]
