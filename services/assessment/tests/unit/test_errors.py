"""Every refusal of the assessment service, as a client receives it: problem+json naming the rule, with the
status of its kind. A new error joins this table, or this test fails."""

import pytest

from assessment import access
from assessment.domain import errors as e
from devinfra.testkit import assert_answers_problem, assert_names_its_rule, errors_of

NOT_FOUND = {
    e.CaseNotFound,
    e.AssessmentNotFound,
    e.PlanNotFound,
    e.ObjectiveNotFound,
    e.SubjectNotFound,
    e.InterviewNotFound,
}
CONFLICT = {
    e.CaseAlreadyOpened,
    e.PersonAlreadyFollowed,
    e.AssessmentAlreadyStarted,
    e.AssessmentAlreadyOpen,
    e.ContributionAlreadyRequested,
    e.PlanAlreadyAdopted,
    e.InterviewAlreadyRecorded,
    e.InterviewAlreadyScheduled,
    e.LitigationHoldAlreadyPlaced,
    e.SubjectAlreadyErased,
}
FORBIDDEN = {e.AssessmentSelfValidation, access.ContributionNotRequested}
ERRORS = errors_of(e, access)
STATUS = {
    error: 404 if error in NOT_FOUND else 409 if error in CONFLICT else 403 if error in FORBIDDEN else 422
    for error in ERRORS
}


def test_the_table_knows_every_error_of_the_service():
    assert set(ERRORS) >= NOT_FOUND | CONFLICT | FORBIDDEN
    assert len(ERRORS) == len({error.code for error in ERRORS}), "two errors share a code"


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.__name__)
def test_an_error_answers_the_problem_of_its_rule(error):
    assert_names_its_rule(error)
    assert_answers_problem(error, STATUS[error])
