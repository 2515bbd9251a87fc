"""Errors become problem+json in one place: the kind of an error decides its status."""

import json

import pytest

from kernel.access import NotOnCaseload, OrganisationNotAllowed, RoleNotAllowed
from kernel.errors import (
    AlreadyExists,
    ConcurrencyConflict,
    Conflict,
    DomainError,
    Forbidden,
    InvalidValue,
    NotAuthenticated,
    NotFound,
)
from kernel.gateway import IdempotencyKeyInvalid, IdempotencyKeyReused
from kernel.problems import problem_of, status_of


class ThingMissing(NotFound):
    code = "thing-missing"


@pytest.mark.parametrize(
    "error, status",
    [
        (DomainError, 422),
        (InvalidValue, 422),
        (IdempotencyKeyReused, 422),
        (IdempotencyKeyInvalid, 400),
        (NotAuthenticated, 401),
        (Forbidden, 403),
        (RoleNotAllowed, 403),
        (NotOnCaseload, 403),
        (OrganisationNotAllowed, 403),
        (NotFound, 404),
        (ThingMissing, 404),
        (Conflict, 409),
        (AlreadyExists, 409),
        (ConcurrencyConflict, 409),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_the_kind_of_an_error_decides_its_status(error, status):
    assert status_of(error("why")) == status


def test_a_problem_names_the_broken_rule_and_explains_it():
    response = problem_of(ThingMissing("no thing 42"))
    assert response.media_type == "application/problem+json"
    assert json.loads(response.body) == {
        "type": "urn:passerelle:problem:thing-missing",
        "title": "Not Found",
        "status": 404,
        "detail": "no thing 42",
        "rule": "thing-missing",
    }


def test_an_unauthenticated_caller_is_told_how_to_authenticate():
    assert problem_of(NotAuthenticated("a bearer token is required")).headers["www-authenticate"] == "Bearer"
