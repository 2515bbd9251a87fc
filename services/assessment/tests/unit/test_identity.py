"""Rectification (issue 17 #5): a DPIP corrects who the person is, on an open or a closed case; never once
their data was erased, never to the same identity."""

from datetime import date

import pytest

from assessment.domain import errors
from assessment.domain.case import case
from assessment.domain.commands import CorrectIdentity
from assessment.domain.facts import SubjectFacts
from contracts.assessment import IdentityCorrected
from kernel.testing import given

from ..builders import ADMISSION, a_case_closed, a_case_opened, a_referent_assigned, identity

REASON = "Nom mal orthographié à l'écrou"
CORRECTED = identity(last_name="Durant", ecrou_number="62041B")
OPEN = (a_case_opened(), a_referent_assigned())
CLOSED = (*OPEN, a_case_closed())


def correct(to=CORRECTED) -> CorrectIdentity:
    return CorrectIdentity(identity=to, reason=REASON)


@pytest.mark.parametrize("history", [pytest.param(OPEN, id="open"), pytest.param(CLOSED, id="closed")])
def test_the_identity_is_corrected_on_an_open_or_closed_case(history):
    assert given(case, *history).when(correct(), SubjectFacts()) == [
        IdentityCorrected(case_id="case-1", identity=CORRECTED, reason=REASON)
    ]


def test_the_case_then_knows_the_person_by_the_corrected_identity():
    corrected = IdentityCorrected(case_id="case-1", identity=CORRECTED, reason=REASON)
    with pytest.raises(errors.IdentityUnchanged):
        given(case, *OPEN, corrected).when(correct(), SubjectFacts())


def test_a_correction_that_changes_nothing_is_refused():
    with pytest.raises(errors.IdentityUnchanged, match="already known by this identity"):
        given(case, *OPEN).when(correct(identity()), SubjectFacts())


def test_the_identity_of_an_erased_person_cannot_be_corrected():
    with pytest.raises(errors.PersonErased, match="erased on"):
        given(case, *CLOSED).when(correct(), SubjectFacts(erased_on=date(2026, 1, 5)))


def test_a_corrected_birth_date_stays_before_the_admission():
    with pytest.raises(errors.DatesOutOfOrder):
        given(case, *OPEN).when(correct(identity(birth_date=ADMISSION)), SubjectFacts())


def test_there_is_no_identity_to_correct_without_a_case():
    with pytest.raises(errors.CaseNotFound):
        given(case).when(correct(), SubjectFacts())


def test_a_corrected_ecrou_number_leaves_the_persons_subject_id_as_it_was():
    """The id was made from the écrou number at admission (`assessment.subjects`); an id never changes."""
    corrected = IdentityCorrected(case_id="case-1", identity=CORRECTED, reason=REASON)
    state = case.fold([*OPEN, corrected])
    assert (state.identity.ecrou_number, state.subject_id) == ("62041B", "person-1")
