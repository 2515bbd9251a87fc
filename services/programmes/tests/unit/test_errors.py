"""Every refusal of the programmes service answers as the problem+json of its rule: the code spells the
error's name, its kind gives the status (`kernel.problems`, the one mapping)."""

import inspect
import re

import httpx
import pytest
from fastapi import FastAPI

from kernel.errors import DomainError
from kernel.problems import HANDLERS, status_of
from programmes import access
from programmes.domain import errors

STATUS = {
    # something unknown, or hidden from the caller
    errors.ProgrammeNotFound: 404,
    errors.GroupNotFound: 404,
    errors.SessionNotFound: 404,
    errors.ReferralNotFound: 404,
    errors.CaseNotFound: 404,
    errors.CertificateNotFound: 404,
    # a clash with what exists: a code, an id, a booking, an open referral
    errors.ProgrammeCodeTaken: 409,
    errors.GroupAlreadyExists: 409,
    errors.RoomDoubleBooked: 409,
    errors.FacilitatorDoubleBooked: 409,
    errors.ReferralAlreadyExists: 409,
    errors.ReferralAlreadyOpen: 409,
    errors.EnrolmentOverlap: 409,
    # a caller who sees the resource but may not do this
    errors.OverrideNeedsDpip: 403,
    access.NotAFacilitator: 403,
    # a broken rule
    errors.ProgrammeWithdrawn: 422,
    errors.GroupSizeMinAboveMax: 422,
    errors.CapacityOutsideProgrammeLimits: 422,
    errors.GroupPeriodInvalid: 422,
    errors.SessionOutsideGroupPeriod: 422,
    errors.GroupNotPlanned: 422,
    errors.GroupNotOpenForEnrolment: 422,
    errors.GroupNotStarted: 422,
    errors.GroupClosed: 422,
    errors.GroupBelowMinimum: 422,
    errors.SessionCancelled: 422,
    errors.SessionAlreadyHeld: 422,
    errors.SessionNotYetStarted: 422,
    errors.SessionInThePast: 422,
    errors.SessionsNotRecorded: 422,
    errors.AttendanceNonParticipant: 422,
    errors.AttendanceIncomplete: 422,
    errors.ReasonRequired: 422,
    errors.CaseClosed: 422,
    errors.ObjectiveNotInPlan: 422,
    errors.ReferralNotRefused: 422,
    errors.ReferralNotEligible: 422,
    errors.ConsentMissing: 422,
    errors.ConsentAlreadyRecorded: 422,
    errors.ReferralAlreadyPlaced: 422,
    errors.GroupOfAnotherProgramme: 422,
    errors.GroupFull: 422,
    errors.GroupHasSeats: 422,
    errors.ReferralNotStarted: 422,
    errors.ReferralEnded: 422,
    errors.PeriodInvalid: 422,
}


def defined_in(module) -> set[type]:
    return {
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, DomainError) and cls.__module__ == module.__name__
    }


def kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def test_the_table_names_every_error_of_the_service():
    assert defined_in(errors) | defined_in(access) == set(STATUS)


@pytest.fixture(scope="module")
def raising() -> httpx.AsyncClient:
    app = FastAPI(exception_handlers=HANDLERS)

    @app.get("/{name}")
    async def refuse(name: str):
        raise {cls.__name__: cls for cls in STATUS}[name]("refused")

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.mark.parametrize(("error", "status"), [pytest.param(e, s, id=e.__name__) for e, s in STATUS.items()])
async def test_each_error_answers_the_problem_of_its_rule_with_the_status_of_its_kind(raising, error, status):
    assert error.code == kebab(error.__name__)
    assert status_of(error("refused")) == status
    response = await raising.get(f"/{error.__name__}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() | {"instance": None} == {
        "type": f"urn:passerelle:problem:{error.code}",
        "title": response.json()["title"],
        "status": status,
        "detail": "refused",
        "rule": error.code,
        "instance": None,
        "correlation_id": None,
    }
