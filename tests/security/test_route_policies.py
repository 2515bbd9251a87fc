"""Every route of every service declares who may call it, and refuses everyone else properly.

Walks the routes of all five apps: no token -> 401, a role outside the policy -> 403, a malformed body -> 422,
an oversized body -> 413, each as application/problem+json. Runs without infrastructure: access and body
checks happen before any handler touches the database.
"""

import inspect
import re
from datetime import timedelta

import httpx
import pytest
from fastapi.routing import APIRoute

from assessment.bootstrap import create_app as assessment_app
from assessment.settings import AssessmentSettings
from contracts.roles import ROLES
from devinfra import subject_ids
from ipro.bootstrap import create_app as ipro_app
from ipro.settings import IproSettings
from kernel.http import policy_of, routes_without_policy
from partners.bootstrap import create_app as partners_app
from partners.settings import PartnersSettings
from programmes.bootstrap import create_app as programmes_app
from programmes.settings import ProgrammesSettings
from projections.bootstrap import create_app as projections_app
from projections.settings import ProjectionsSettings

FACTORIES = {
    "assessment": (assessment_app, AssessmentSettings),
    "programmes": (programmes_app, ProgrammesSettings),
    "ipro": (ipro_app, IproSettings),
    "partners": (partners_app, PartnersSettings),
    "projections": (projections_app, ProjectionsSettings),
}


@pytest.fixture(scope="module")
def apps(dev_keys):
    return {
        name: factory(
            settings(
                database_url="postgresql://unused/unused",
                auth_jwks_file=dev_keys.jwks_path,
                subject_id_secret=subject_ids.TEST_SECRET,  # assessment's; the others ignore it
            )
        )
        for name, (factory, settings) in FACTORIES.items()
    }


def protected_routes(apps):
    for service, app in apps.items():
        for route in app.routes:
            if isinstance(route, APIRoute) and not policy_of(route).is_public:
                for method in route.methods:
                    yield service, app, method, re.sub(r"\{[^}]+\}", "x-1", route.path), route


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def test_every_route_of_every_service_declares_a_policy(apps):
    for service, app in apps.items():
        assert routes_without_policy(app) == [], service


def test_only_operational_endpoints_are_public(apps):
    public = {
        route.path
        for app in apps.values()
        for route in app.routes
        if isinstance(route, APIRoute) and policy_of(route).is_public
    }
    assert public == {"/health", "/ready", "/metrics", "/asyncapi.json", "/docs"}


def test_there_are_protected_routes_to_walk(apps):
    assert len(list(protected_routes(apps))) >= 3


def assert_problem(response, status):
    assert response.status_code == status, (response.request.url, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


async def test_no_token_is_401_and_a_wrong_role_is_403_on_every_route(apps, dev_keys):
    for _service, app, method, path, route in protected_routes(apps):
        policy = policy_of(route)
        outsider = sorted(ROLES - policy.roles)
        async with client(app) as http:
            assert_problem(await http.request(method, path), 401)
            expired = dev_keys.mint(sorted(policy.roles)[0], ttl=timedelta(seconds=-60))
            assert_problem(
                await http.request(method, path, headers={"Authorization": f"Bearer {expired}"}), 401
            )
            if outsider:
                token = dev_keys.mint(outsider[0])
                assert_problem(
                    await http.request(method, path, headers={"Authorization": f"Bearer {token}"}), 403
                )


async def test_malformed_and_oversized_bodies_are_refused_on_every_command(apps, dev_keys):
    commands = [(s, a, m, p, r) for s, a, m, p, r in protected_routes(apps) if m in {"POST", "PUT", "PATCH"}]
    assert commands, "the partners service has at least one command"
    for _service, app, method, path, route in commands:
        role = sorted(policy_of(route).roles)[0]
        headers = {"Authorization": f"Bearer {dev_keys.mint(role)}", "Content-Type": "application/json"}
        async with client(app) as http:
            if route.body_field is not None:  # a command without a body (e.g. publish) has nothing to parse
                assert_problem(await http.request(method, path, content=b"{not json", headers=headers), 422)
                assert_problem(await http.request(method, path, content=b"[1, 2", headers=headers), 422)
            assert_problem(await http.request(method, path, content=b"x" * (65 * 1024), headers=headers), 413)


def _unbounded_text(schema: dict) -> bool:
    """A string schema with no length, set of values, format or whole-value pattern to bound it (`anyOf`
    [string, null] too)."""
    if "anyOf" in schema:
        return any(_unbounded_text(option) for option in schema["anyOf"])
    pattern = schema.get("pattern", "")
    anchored = pattern.startswith("^") and pattern.endswith("$") and "*" not in pattern and "+" not in pattern
    bounded = {"maxLength", "enum", "const", "format"}
    return schema.get("type") == "string" and not bounded & schema.keys() and not anchored


def test_every_text_query_parameter_of_every_service_is_bounded(apps):
    """Security review L6: a filter without a bound lets a caller send megabytes into every query."""
    unbounded = [
        f"{service} {method.upper()} {path} ?{parameter['name']}"
        for service, app in apps.items()
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and _unbounded_text(parameter["schema"])
    ]
    assert unbounded == []


def test_no_route_dependency_runs_in_a_worker_thread(apps):
    """FastAPI runs a dependency that is a plain function (or a class) in a worker thread: a hop of about 0.1 ms
    a request for what is an attribute read (issue 19 §3). Every dependency of every route is a coroutine."""
    in_threads = sorted(
        {
            f"{service} {route.path}: {getattr(dependant.call, '__qualname__', dependant.call)}"
            for service, app in apps.items()
            for route in app.routes
            if isinstance(route, APIRoute)
            for dependant in _dependencies(route.dependant)
            if not _is_coroutine(dependant.call)
        }
    )
    assert in_threads == []


def _dependencies(dependant):
    for dependency in dependant.dependencies:
        yield dependency
        yield from _dependencies(dependency)


def _is_coroutine(call) -> bool:
    """A coroutine function, or an instance whose `__call__` is one (`allow(...)`, `HTTPBearer`); a class is not."""
    method = None if inspect.isclass(call) else type(call).__call__
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(method)
