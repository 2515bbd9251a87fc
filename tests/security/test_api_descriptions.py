"""What a client reads in each service's OpenAPI is what it gets (issue 13 #15, #17): every operation names
the roles allowed, every problem it can answer (problem+json), and commands their `Idempotency-Key`; the
docs page loads nothing from outside the service. Runs without infrastructure."""

import re

import pytest

from .test_route_policies import apps, client  # noqa: F401  (the five apps, built once)

METHODS = {"get", "post", "put", "patch", "delete"}


def operations(app):
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_operation_lists_its_problems_and_who_may_call_it(apps):  # noqa: F811
    for service, app in apps.items():
        for path, method, operation in operations(app):
            where = (service, method, path)
            responses = operation["responses"]
            assert {"401", "403", "422"} <= set(responses) or operation.get("x-roles") is None, where
            for status, response in responses.items():
                if int(status) >= 400:
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}, where
            if "{" in path:
                assert "404" in responses, where
            if method != "get":
                assert {"400", "409"} <= set(responses), where
                assert "Idempotency-Key" in [p["name"] for p in operation.get("parameters", [])], where


def test_every_protected_operation_names_its_roles(apps):  # noqa: F811
    public = {"/health", "/ready", "/metrics", "/asyncapi.json"}
    for service, app in apps.items():
        for path, method, operation in operations(app):
            if path not in public:
                assert operation["x-roles"], (service, method, path)
                assert "Roles allowed:" in operation["description"], (service, method, path)


@pytest.mark.parametrize("service", ["assessment", "partners", "projections"])
async def test_the_docs_page_loads_nothing_from_another_host(apps, service):  # noqa: F811
    async with client(apps[service]) as http:
        page = await http.get("/docs")
        assert page.status_code == 200
        sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
        assert sources and all(source.startswith("/") for source in sources), sources
        for source in sources:
            asset = await http.get(source)
            assert asset.status_code == 200, source
        assert "cdn" not in page.text.lower()
