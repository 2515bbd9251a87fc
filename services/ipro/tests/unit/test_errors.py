"""Every rule of the IPRO domain answers as a problem of its kind: its code spells its name, its kind (the
base class) gives the status `kernel.problems` maps it to, once."""

import pytest

from devinfra.testkit import assert_answers_problem, assert_names_its_rule, errors_of
from ipro.domain import errors

STATUS = {
    # 404: nothing there, or nothing the caller may see
    "pathway-not-found": 404,
    "case-not-found": 404,
    "goal-not-found": 404,
    "leave-not-found": 404,
    "training-not-found": 404,
    "positioning-not-found": 404,
    "action-session-not-found": 404,
    # 503: not known here yet (a replica's lag), the client retries
    "action-session-not-yet-known": 503,
    # 409: a clash with something else's state
    "pathway-already-open": 409,
    "goal-already-set": 409,
    "leave-already-requested": 409,
    "training-already-exists": 409,
    "positioning-already-exists": 409,
    "already-positioned": 409,
    "booking-overlap": 409,
    "positioning-over-capacity": 409,
    # 422: a rule broken
    "pathway-closed": 422,
    "case-closed": 422,
    "date-in-the-future": 422,
    "dates-out-of-order": 422,
    "date-before-opening": 422,
    "synthesis-already-written": 422,
    "readiness-unchanged": 422,
    "no-right-to-work": 422,
    "reason-required": 422,
    "goal-closed": 422,
    "france-travail-too-early": 422,
    "france-travail-already-registered": 422,
    "leave-not-pending": 422,
    "leave-not-approved": 422,
    "contract-type-required": 422,
    "classement-already-requested": 422,
    "already-classed": 422,
    "classement-not-requested": 422,
    "regimes-required": 422,
    "cpu-opinion-missing": 422,
    "cpu-opinion-already-recorded": 422,
    "affectation-without-classement": 422,
    "not-classed-for-regime": 422,
    "not-classed": 422,
    "employer-interview-missing": 422,
    "already-affected": 422,
    "contract-without-affectation": 422,
    "contract-already-active": 422,
    "trial-period-too-long": 422,
    "contract-not-active": 422,
    "contract-already-suspended": 422,
    "contract-not-suspended": 422,
    "preliminary-interview-missing": 422,
    "adversarial-hearing-missing": 422,
    "contract-still-active": 422,
    "training-not-enrolled": 422,
    "training-starts-later": 422,
    "training-not-in-progress": 422,
    "training-ended": 422,
    "action-session-not-open": 422,
    "positioning-not-proposed": 422,
    "positioning-not-confirmed": 422,
    "action-session-not-yet-held": 422,
    "positioning-not-attended": 422,
    "outcome-already-recorded": 422,
    "positioning-ended": 422,
}
RULES = errors_of(errors)


def test_the_table_names_every_rule_of_the_service_once():
    assert sorted(cls.code for cls in RULES) == sorted(STATUS)


@pytest.mark.parametrize("rule", RULES, ids=lambda cls: cls.__name__)
def test_each_rule_answers_with_the_status_of_its_kind_and_a_code_spelling_its_name(rule):
    assert_names_its_rule(rule)
    assert_answers_problem(rule, STATUS[rule.code])
    assert not hasattr(rule("a message"), "status"), "the HTTP status is the kind's, mapped in one place"
