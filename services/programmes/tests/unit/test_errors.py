"""Every refusal of the programmes service answers as the problem+json of its rule: the code spells the
error's name, its kind gives the status (`kernel.problems`, the one mapping)."""

import pytest

from devinfra.testkit import assert_answers_problem, assert_names_its_rule, errors_of
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
    errors.ProgrammeSensitivityFixed: 422,
    errors.GroupSizeMinAboveMax: 422,
    errors.CapacityOutsideProgrammeLimits: 422,
    errors.GroupPeriodInvalid: 422,
    errors.SessionOutsideGroupPeriod: 422,
    errors.RoomUnknown: 422,
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


ERRORS = errors_of(errors, access)


def test_the_table_names_every_error_of_the_service():
    assert set(ERRORS) == set(STATUS)


@pytest.mark.parametrize(("error", "status"), [pytest.param(e, s, id=e.__name__) for e, s in STATUS.items()])
def test_each_error_answers_the_problem_of_its_rule_with_the_status_of_its_kind(error, status):
    assert_names_its_rule(error)
    assert_answers_problem(error, status)
