"""What every service's OpenAPI says beyond its routes' own models, written in one place: who may call each
operation, the problem+json answers it can give, and the `Idempotency-Key` a command accepts.

A client (or schemathesis) reading a service's description then knows every status it may receive."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from kernel.http import policy_of
from kernel.problems import PROBLEM_JSON

COMMANDS = {"post", "put", "patch", "delete"}

# Why each status may come back, whatever the route.
WHY = {
    400: "the request is malformed (an Idempotency-Key of the wrong length, an `after` no page handed out)",
    401: "no token, or one that cannot be trusted",
    403: "the caller's role may not do this, or may see this but not act on it",
    404: "nothing there, or nothing the caller may see",
    409: "the command clashes with the current state (a taken value, a booked slot, a concurrent change)",
    413: "the request body is too large",
    422: "a rule or the request's schema is broken: `rule` names which",
    429: "the caller's request budget, or their address's failed authentications, are spent: retry after "
    "`Retry-After` seconds",
    503: "something the caller may just have seen is not known here yet: retry after `Retry-After` seconds",
}


class Problem(BaseModel):
    """RFC 9457 problem details; `rule` names the broken rule, and a refusal may add what a client needs to
    act on it (`existing`: the resource a unique rule protects)."""

    type: str = Field(examples=["urn:passerelle:problem:call-not-found"])
    title: str
    status: int
    detail: str
    rule: str
    instance: str | None = None
    correlation_id: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, description="per field, for request-validation")
    model_config = {"extra": "allow"}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Retrying a command with the same key appends nothing: it answers the first status (and "
    "`Location`) with `Idempotent-Replayed: true` and the resource the command acted on as the caller may "
    "read it now (its GET's answer, or that GET's 403 or 404).",
}


def statuses_of(method: str, path: str, protected: bool, paged: bool) -> list[int]:
    statuses = [422, 400] if paged else [422]  # a page's `after` is refused if no page handed it out
    if protected:
        statuses += [401, 403, 429]  # 429: `auth.Policy.check` applies the rate limits (kernel.http)
    if "{" in path:
        statuses.append(404)
    if method in COMMANDS:
        statuses += [400, 404, 409, 413, 503]
    return sorted(set(statuses))


def describe(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI, completed with its roles, problems and idempotency keys (cached by FastAPI)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes, description=app.description)
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    problem = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        policy = policy_of(route)
        protected = policy is not None and not policy.is_public
        for method in route.methods:
            operation = schema["paths"][route.path_format][method.lower()]
            if protected:
                roles = sorted(policy.roles)
                operation["x-roles"] = roles
                operation["description"] = (
                    operation.get("description", "") + f"\n\nRoles allowed: {', '.join(roles)}."
                ).strip()
            responses = operation.setdefault("responses", {})
            paged = any(p["name"] == "after" and p["in"] == "query" for p in operation.get("parameters", []))
            for status in statuses_of(method.lower(), route.path_format, protected, paged):
                responses[str(status)] = {"description": WHY[status], **problem}
            if method.lower() in COMMANDS:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == IDEMPOTENCY_KEY["name"] for p in parameters):
                    parameters.append(IDEMPOTENCY_KEY)
    app.openapi_schema = schema
    return schema
