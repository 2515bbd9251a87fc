"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import asyncpg
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kernel import logs
from kernel.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    NotAuthenticated,
    NotFound,
    NotYetKnown,
    TextWithNulCharacter,
    TooManyRequests,
)

log = logs.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, code: str, detail: str, request: Request | None = None, **extra: Any
) -> JSONResponse:
    body = {
        "type": f"urn:passerelle:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "rule": code,
        **extra,
    }
    if request is not None:
        body["instance"] = request.url.path
        body["correlation_id"] = getattr(request.state, "correlation_id", None)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# Each kind of refusal has one status; the first kind an error is wins (most specific first).
STATUS_OF_KIND: tuple[tuple[type[DomainError], int], ...] = (
    (NotAuthenticated, 401),
    (TooManyRequests, 429),
    (NotYetKnown, 503),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (BadRequest, 400),
    (DomainError, 422),
)


def status_of(error: DomainError) -> int:
    return next(status for kind, status in STATUS_OF_KIND if isinstance(error, kind))


def problem_of(error: DomainError, request: Request | None = None) -> JSONResponse:
    response = problem(status_of(error), error.code, error.message, request, **error.members)
    if isinstance(error, NotYetKnown | TooManyRequests):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


async def domain_error(request: Request, error: DomainError) -> JSONResponse:
    return problem_of(error, request)


async def text_refused_by_the_database(request: Request, error: Exception) -> JSONResponse:
    """A NUL character reached the database in a value (a body's text, a query's filter): whatever the route,
    the statement failed and its transaction rolled back, so nothing was written."""
    refusal = TextWithNulCharacter("a text contains the NUL character (U+0000), which cannot be stored")
    return problem_of(refusal, request)


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [
        {
            "field": ".".join(str(part) for part in e.get("loc", ()) if part != "body") or "body",
            "message": e.get("msg", "invalid"),
            "type": e.get("type", "invalid"),
        }
        for e in error.errors()
    ]
    fields = ", ".join(sorted({e["field"] for e in errors}))
    return problem(422, "request-validation", f"the request is invalid: {fields}", request, errors=errors)


async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    code = {404: "not-found", 405: "method-not-allowed", 413: "body-too-large"}.get(
        error.status_code, "http-error"
    )
    return problem(error.status_code, code, str(error.detail), request)


async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error", path=request.url.path)
    return problem(500, "internal-error", "an unexpected error occurred; it has been logged", request)


HANDLERS = {
    DomainError: domain_error,
    asyncpg.UntranslatableCharacterError: text_refused_by_the_database,
    asyncpg.CharacterNotInRepertoireError: text_refused_by_the_database,
    RequestValidationError: validation_error,
    StarletteHTTPException: http_error,
    Exception: unexpected_error,
}
