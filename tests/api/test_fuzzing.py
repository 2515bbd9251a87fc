"""Issue 13: each service's OpenAPI, fuzzed by schemathesis against the running service, with a token whose
role the operation allows (so that no operation goes unfuzzed): no server error, no response outside its
documented schema, no undocumented status code. Bounded: a few examples per operation."""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contracts.roles import PARTNER

from .conftest import SERVICES

pytestmark = pytest.mark.integration

EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def caller(operation) -> tuple[str, str | None]:
    """A role the operation allows: staff first (a partner's token also names its organisation)."""
    roles = operation.definition.raw.get("x-roles") or ["auditeur"]
    staff = [role for role in roles if role != PARTNER]
    return (staff[0], None) if staff else (PARTNER, "partner-fuzz")


def fuzz(operation, session: requests.Session, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def examples(case):
        case.call_and_validate(session=session, headers=headers, checks=CHECKS)

    examples()


@pytest.mark.parametrize("service", SERVICES)
def test_no_operation_answers_outside_its_description(all_services, dev_keys, service):
    schema = schemathesis.openapi.from_url(f"{all_services.url(service)}/openapi.json")
    session, failures, fuzzed = requests.Session(), [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        role, organisation = caller(operation)
        headers = {"Authorization": f"Bearer {dev_keys.mint(role, organisation_id=organisation)}"}
        try:
            fuzz(operation, session, headers)
        except Exception as failure:  # noqa: BLE001 (every failure is collected, then reported together)
            failures.append(f"{operation.label} as {role}: {failure}"[:2000])
        fuzzed += 1
    assert fuzzed > 3
    assert failures == [], "\n\n".join(failures)
