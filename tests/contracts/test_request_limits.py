"""Issue 13 #3: a request never accepts a value the event it feeds would refuse (a 500 when the event is
built). For every route's body, each text or list field whose name the service's own events also carry
must allow no more than those events do. Runs without infrastructure."""

from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from contracts.generate import published_events

from ..security.test_route_policies import apps  # noqa: F401  (the five apps, built once)

LIMITS = ("maxLength", "maxItems", "maximum")


def limits_of(model: type[BaseModel]) -> dict[str, dict[str, Any]]:
    """Each property's bounds, nested models included (`content.title`), by its own name."""
    schema = model.model_json_schema()
    found: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any], definitions: dict[str, Any]) -> None:
        for name, prop in node.get("properties", {}).items():
            candidates = [prop, *prop.get("anyOf", []), prop.get("items", {})]
            for candidate in candidates:
                if "$ref" in candidate:
                    walk(definitions[candidate["$ref"].rsplit("/", 1)[1]], definitions)
                bounds = {key: candidate[key] for key in LIMITS if key in candidate}
                if bounds:
                    found.setdefault(name, {}).update(bounds)
            if "maxItems" in prop:
                found.setdefault(name, {})["maxItems"] = prop["maxItems"]

    walk(schema, schema.get("$defs", {}))
    return found


def contract_limits(service: str) -> dict[str, dict[str, Any]]:
    """The tightest bound each field name has in any of the service's events."""
    tightest: dict[str, dict[str, Any]] = {}
    for event in published_events():
        if event.service() != service:
            continue
        for name, bounds in limits_of(event).items():
            for key, value in bounds.items():
                current = tightest.setdefault(name, {}).get(key)
                tightest[name][key] = value if current is None else min(current, value)
    return tightest


def request_bodies(app):
    for route in app.routes:
        if isinstance(route, APIRoute) and route.body_field is not None:
            annotation = route.body_field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                yield f"{sorted(route.methods)[0]} {route.path}", annotation


@pytest.mark.parametrize("service", ["assessment", "programmes", "ipro", "partners"])
def test_no_request_allows_more_than_the_event_it_feeds(apps, service):  # noqa: F811
    events = contract_limits(service)
    too_loose = []
    for route, model in request_bodies(apps[service]):
        for name, bounds in limits_of(model).items():
            for key, value in bounds.items():
                allowed = events.get(name, {}).get(key)
                if allowed is not None and value > allowed:
                    too_loose.append(
                        f"{route} {model.__name__}.{name}: {key} {value} > {allowed} in the events"
                    )
    assert too_loose == []


def test_every_day_in_a_query_is_bounded_to_the_calendar_an_establishment_uses(apps):  # noqa: F811
    """A fuzzer's `?from=0001-01-01` was a 500: the day overflowed once made an instant of Europe/Paris.
    Every date a query takes is bounded (`kernel.api.day_query`), so such a day is a 422."""
    from datetime import date

    import annotated_types

    from kernel.api import EARLIEST_DAY, LATEST_DAY

    unbounded = []
    for service, app in apps.items():
        for route in app.routes:
            if not isinstance(route, APIRoute):
                continue
            for param in route.dependant.query_params:
                if date not in getattr(
                    param.field_info.annotation, "__args__", (param.field_info.annotation,)
                ):
                    continue
                bounds = {type(m): m for m in param.field_info.metadata}
                low, high = bounds.get(annotated_types.Ge), bounds.get(annotated_types.Le)
                if not (low and high and low.ge == EARLIEST_DAY and high.le == LATEST_DAY):
                    unbounded.append(f"{service} {route.path} ?{param.alias}")
    assert unbounded == []
