"""Retention and erasure (issue 17 #2): given events / when command / then events or error."""

from __future__ import annotations

from datetime import date

import pytest

from assessment.domain import errors
from assessment.domain.case import case
from assessment.domain.commands import EraseSubject, LiftLitigationHold, PlaceLitigationHold
from assessment.domain.erasure import CaseStatus, ErasureFacts, Retention, subject
from contracts.assessment import ErasureReason, LitigationHoldLifted, LitigationHoldPlaced, SubjectErased
from kernel.testing import given

from ..builders import a_case_closed, a_case_opened, a_referent_assigned

CLOSED_ON = date(2020, 3, 2)
RETENTION = Retention(years={"spip_followup": 5, "ipro_pathway": 3, "programme_participation": 4})
DUE_ON = date(2025, 3, 2)  # the longest period, five years, from the closure


def erase(reason=ErasureReason.RETENTION_ELAPSED, today=DUE_ON) -> EraseSubject:
    return EraseSubject(subject_id="person-1", reason=reason, today=today)


def facts(*cases: CaseStatus) -> ErasureFacts:
    return ErasureFacts(
        cases=cases or (CaseStatus(case_id="case-1", closed_on=CLOSED_ON, held=False),), retention=RETENTION
    )


def a_subject_erased(**overrides) -> SubjectErased:
    values = dict(subject_id="person-1", reason=ErasureReason.RETENTION_ELAPSED, erased_on=DUE_ON)
    return SubjectErased(**{**values, **overrides})


# --- retention --------------------------------------------------------------------------------------------


def test_retention_is_the_longest_period_counted_from_the_closure():
    assert RETENTION.due_on(CLOSED_ON) == DUE_ON


def test_retention_from_29_february_ends_on_28_february():
    assert Retention(years={"spip_followup": 1}).due_on(date(2024, 2, 29)) == date(2025, 2, 28)


def test_a_person_is_erased_on_the_day_their_retention_has_run():
    assert given(subject).when(erase(), facts()) == [a_subject_erased()]


def test_a_person_is_not_erased_the_day_before_their_retention_has_run():
    with pytest.raises(errors.RetentionNotElapsed, match="kept until"):
        given(subject).when(erase(today=date(2025, 3, 1)), facts())


def test_retention_runs_from_the_last_closure_of_all_their_cases():
    later = CaseStatus(case_id="case-2", closed_on=date(2022, 6, 1), held=False)
    first = CaseStatus(case_id="case-1", closed_on=CLOSED_ON, held=False)
    with pytest.raises(errors.RetentionNotElapsed):
        given(subject).when(erase(), facts(first, later))
    assert given(subject).when(erase(today=date(2027, 6, 1)), facts(first, later)) == [
        a_subject_erased(erased_on=date(2027, 6, 1))
    ]


# --- holds, open cases, a second erasure ------------------------------------------------------------------


def test_a_litigation_hold_blocks_the_erasure_when_retention_has_run():
    held = CaseStatus(case_id="case-1", closed_on=CLOSED_ON, held=True)
    with pytest.raises(errors.ErasureOnHold):
        given(subject).when(erase(), facts(held))


def test_a_litigation_hold_blocks_an_erasure_after_acquittal_too():
    held = CaseStatus(case_id="case-1", closed_on=CLOSED_ON, held=True)
    with pytest.raises(errors.ErasureOnHold):
        given(subject).when(erase(ErasureReason.ACQUITTAL), facts(held))


def test_an_acquitted_person_is_erased_at_once_once_their_case_is_closed():
    events = given(subject).when(erase(ErasureReason.ACQUITTAL, today=CLOSED_ON), facts())
    assert events == [a_subject_erased(reason=ErasureReason.ACQUITTAL, erased_on=CLOSED_ON)]


def test_a_person_still_followed_is_not_erased():
    still_open = CaseStatus(case_id="case-2", closed_on=None, held=False)
    with pytest.raises(errors.ErasureWhileFollowed):
        given(subject).when(erase(ErasureReason.ACQUITTAL), facts(still_open))


def test_a_person_never_followed_is_not_found():
    with pytest.raises(errors.SubjectNotFound):
        given(subject).when(erase(), ErasureFacts(cases=(), retention=RETENTION))


def test_a_second_erasure_is_refused():
    with pytest.raises(errors.SubjectAlreadyErased):
        given(subject, a_subject_erased()).when(erase(ErasureReason.COURT_ORDER), facts())


# --- the hold on a case -----------------------------------------------------------------------------------

CLOSED = (a_case_opened(), a_referent_assigned(), a_case_closed())


def test_a_hold_is_placed_on_a_closed_case():
    events = given(case, *CLOSED).when(PlaceLitigationHold(reason="appel en cours"))
    assert events == [LitigationHoldPlaced(case_id="case-1", reason="appel en cours")]


def test_a_second_hold_is_refused_naming_the_first():
    held = LitigationHoldPlaced(case_id="case-1", reason="appel en cours")
    with pytest.raises(errors.LitigationHoldAlreadyPlaced, match="appel en cours"):
        given(case, *CLOSED, held).when(PlaceLitigationHold(reason="autre"))


def test_a_hold_is_lifted():
    held = LitigationHoldPlaced(case_id="case-1", reason="appel en cours")
    assert given(case, *CLOSED, held).when(LiftLitigationHold()) == [LitigationHoldLifted(case_id="case-1")]


def test_lifting_a_hold_never_placed_is_refused():
    with pytest.raises(errors.LitigationHoldMissing):
        given(case, a_case_opened()).when(LiftLitigationHold())


def test_a_hold_lifted_leaves_the_case_free_to_be_held_again():
    history = (
        *CLOSED,
        LitigationHoldPlaced(case_id="case-1", reason="appel"),
        LitigationHoldLifted(case_id="case-1"),
    )
    assert case.fold(history).hold is None
    assert given(case, *history).when(PlaceLitigationHold(reason="nouvel appel")) != []
