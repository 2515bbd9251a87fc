"""Who may read and do what (ARCHITECTURE.md §6, ADR 11): the predicates the handlers and queries apply."""

import pytest

from assessment import access
from assessment.access import ContributionNotRequested, Reading
from assessment.domain.assessment import assessment
from assessment.domain.case import case
from assessment.domain.errors import AssessmentNotFound, CaseNotFound
from kernel.access import EstablishmentNotReached, NotOnCaseload
from kernel.auth import Principal

from ..builders import (
    ESTABLISHMENT,
    a_case_opened,
    a_case_transferred,
    a_contribution_requested,
    a_referent_assigned,
    an_assessment_started,
)

FOLLOWED_BY_CPIP_1 = case.fold([a_case_opened(), a_referent_assigned(referent="cpip-1")])
WITHOUT_REFERENT = case.fold([a_case_opened()])
ASKING_PSYCHOLOGUE_1 = assessment.fold([an_assessment_started(), a_contribution_requested()])


def user(name: str, *roles: str, establishments: frozenset[str] = frozenset({ESTABLISHMENT})) -> Principal:
    return Principal(
        subject=name, roles=frozenset(roles or {name.rsplit("-", 1)[0]}), establishments=establishments
    )


# --- caseload ---

UNLIMITED = [
    "dpip-1",
    "psychologue-1",
    "assistant_social-1",
    "ipro_conseiller-1",
    "direction-1",
    "auditeur-1",
]


def test_a_cpip_follows_the_people_whose_referent_they_are():
    assert access.on_caseload(user("cpip-1"), FOLLOWED_BY_CPIP_1)
    access.ensure_on_caseload(user("cpip-1"), FOLLOWED_BY_CPIP_1)


@pytest.mark.parametrize("state", [FOLLOWED_BY_CPIP_1, WITHOUT_REFERENT], ids=["another's", "nobody's"])
def test_a_cpip_neither_reads_nor_acts_on_a_case_they_do_not_follow(state):
    assert not access.on_caseload(user("cpip-2"), state)
    with pytest.raises(NotOnCaseload) as refused:
        access.ensure_on_caseload(user("cpip-2"), state)
    assert refused.value.code == "not-on-caseload"


@pytest.mark.parametrize("name", UNLIMITED)
def test_the_other_roles_are_not_limited_by_a_caseload(name):
    assert access.on_caseload(user(name), FOLLOWED_BY_CPIP_1)


def test_a_cpip_who_is_also_a_dpip_is_not_limited_by_a_caseload():
    assert access.on_caseload(user("cpip-2", "cpip", "dpip"), FOLLOWED_BY_CPIP_1)


@pytest.mark.parametrize(
    "principal, asked, listed",
    [
        pytest.param(user("cpip-1"), None, "cpip-1", id="a cpip: their caseload"),
        pytest.param(user("cpip-1"), "cpip-2", "cpip-1", id="a cpip asking for another's: still theirs"),
        pytest.param(user("dpip-1"), None, None, id="a dpip: every case"),
        pytest.param(user("dpip-1"), "cpip-2", "cpip-2", id="a dpip: the referent asked for"),
        pytest.param(user("psychologue-1"), None, None, id="another reader: every case"),
    ],
)
def test_a_cpips_lists_are_their_caseload(principal, asked, listed):
    assert access.listed_referent(principal, asked) == listed


@pytest.mark.parametrize(
    "principal, named, referent",
    [
        pytest.param(user("cpip-1"), None, "cpip-1", id="a cpip follows whom they admit"),
        pytest.param(user("cpip-1"), "cpip-2", "cpip-2", id="unless they name someone else"),
        pytest.param(user("dpip-1"), None, None, id="a dpip names a referent or none"),
        pytest.param(user("dpip-1"), "cpip-2", "cpip-2", id="a dpip names the referent"),
    ],
)
def test_the_referent_of_a_new_case(principal, named, referent):
    assert access.referent_of_new_case(principal, named) == referent


# --- cases: need to know ---


@pytest.mark.parametrize("name", ["psychologue-1", "assistant_social-1"])
def test_psychologists_and_social_workers_see_a_case_only_once_asked_to_contribute(name):
    assert access.involved_by_grant_only(user(name))
    assert access.sees_case(user(name), works_with_person=True)
    assert not access.sees_case(user(name), works_with_person=False)
    assert access.listed_contributor(user(name)) == name


@pytest.mark.parametrize(
    "name", ["cpip-1", "cpip-2", "dpip-1", "ipro_conseiller-1", "ipro_chef-1", "direction-1", "auditeur-1"]
)
def test_the_other_readers_see_every_case_without_a_grant(name):
    assert not access.involved_by_grant_only(user(name))
    assert access.sees_case(user(name), works_with_person=False)
    assert access.listed_contributor(user(name)) is None


@pytest.mark.parametrize("wider", ["cpip", "dpip", "ipro_conseiller", "direction", "auditeur"])
def test_a_psychologist_who_also_holds_a_wider_role_is_not_limited_by_the_grant(wider):
    both = user("psychologue-1", "psychologue", wider)
    assert not access.involved_by_grant_only(both)
    assert access.sees_case(both, works_with_person=False)
    assert access.listed_contributor(both) is None


# --- assessments: need to know ---


@pytest.mark.parametrize("name", ["cpip-1", "dpip-1", "dpip-2", "psychologue-1"])
def test_the_referent_dpips_and_those_asked_work_on_an_assessment_and_read_it_in_full(name):
    access.ensure_may_work_on(user(name), FOLLOWED_BY_CPIP_1, ASKING_PSYCHOLOGUE_1)
    assert access.assessment_reading(user(name), FOLLOWED_BY_CPIP_1, ASKING_PSYCHOLOGUE_1) == Reading.FULL


def test_another_cpip_neither_works_on_nor_reads_an_assessment_of_a_case_they_do_not_follow():
    with pytest.raises(NotOnCaseload):
        access.ensure_may_work_on(user("cpip-2"), FOLLOWED_BY_CPIP_1, ASKING_PSYCHOLOGUE_1)
    with pytest.raises(NotOnCaseload):
        access.assessment_reading(user("cpip-2"), FOLLOWED_BY_CPIP_1, ASKING_PSYCHOLOGUE_1)


@pytest.mark.parametrize("name", ["psychologue-2", "assistant_social-1"])
def test_nobody_contributes_to_or_reads_an_assessment_without_being_asked(name):
    with pytest.raises(ContributionNotRequested) as refused:
        access.ensure_may_work_on(user(name), FOLLOWED_BY_CPIP_1, ASKING_PSYCHOLOGUE_1)
    assert refused.value.code == "contribution-not-requested"
    with pytest.raises(ContributionNotRequested):
        access.assessment_reading(user(name), FOLLOWED_BY_CPIP_1, ASKING_PSYCHOLOGUE_1)


@pytest.mark.parametrize("name", ["ipro_conseiller-1", "ipro_chef-1", "ripro-1", "auditeur-1"])
def test_ipro_roles_and_auditors_read_the_shareable_summary(name):
    assert access.assessment_reading(user(name), FOLLOWED_BY_CPIP_1, ASKING_PSYCHOLOGUE_1) == Reading.SUMMARY


# --- interviews ---


@pytest.mark.parametrize("name", ["cpip-1", "dpip-1"])
def test_the_referent_and_dpips_read_the_interviews(name):
    access.ensure_may_read_interviews(user(name), FOLLOWED_BY_CPIP_1, works_with_person=False)


@pytest.mark.parametrize("name", ["psychologue-1", "assistant_social-1"])
def test_psychologists_and_social_workers_read_the_interviews_of_the_people_they_work_with(name):
    access.ensure_may_read_interviews(user(name), FOLLOWED_BY_CPIP_1, works_with_person=True)
    with pytest.raises(NotOnCaseload):
        access.ensure_may_read_interviews(user(name), FOLLOWED_BY_CPIP_1, works_with_person=False)


@pytest.mark.parametrize("name", ["psychologue-1", "assistant_social-1"])
def test_a_case_psychologists_and_social_workers_were_not_asked_about_is_missing_when_they_record(name):
    """Security review H4: the refusal must not tell them the case exists, as reading it does not."""
    access.ensure_may_record_interview(user(name), FOLLOWED_BY_CPIP_1, works_with_person=True)
    with pytest.raises(CaseNotFound, match="no case"):
        access.ensure_may_record_interview(user(name), FOLLOWED_BY_CPIP_1, works_with_person=False)


@pytest.mark.parametrize(
    "reader, readable",
    [
        pytest.param("psychologue-1", True, id="its author"),
        pytest.param("psychologue-2", True, id="another psychologist"),
        pytest.param("cpip-1", False, id="the referent CPIP"),
        pytest.param("dpip-1", False, id="a DPIP"),
        pytest.param("assistant_social-1", False, id="a social worker"),
    ],
)
def test_a_psychologists_contribution_not_shared_is_read_by_psychologists_only(reader, readable):
    assert (
        access.may_read_contribution(user(reader), "psychologue-1", "psychologue", shared=False) is readable
    )
    assert access.may_read_contribution(user(reader), "psychologue-1", "psychologue", shared=True)


@pytest.mark.parametrize(
    "name, shared", [("psychologue-1", False), ("assistant_social-1", True), ("cpip-1", True)]
)
def test_only_a_psychologists_contributions_are_kept_from_the_team_by_default(name, shared):
    assert access.shares_contributions_by_default(user(name)) is shared


def test_another_cpip_does_not_read_the_interviews():
    with pytest.raises(NotOnCaseload):
        access.ensure_may_read_interviews(user("cpip-2"), FOLLOWED_BY_CPIP_1, works_with_person=True)


@pytest.mark.parametrize(
    "reader, confidential, readable",
    [
        pytest.param("cpip-1", False, True, id="open notes: anyone who reads the interviews"),
        pytest.param("psychologue-1", True, True, id="confidential: their author"),
        pytest.param("dpip-1", True, True, id="confidential: a dpip"),
        pytest.param("cpip-1", True, False, id="confidential: not the referent"),
        pytest.param("psychologue-2", True, False, id="confidential: not another psychologist"),
    ],
)
def test_confidential_notes_are_for_their_author_and_dpips(reader, confidential, readable):
    assert access.may_read_notes(user(reader), "psychologue-1", confidential) == readable


# --- the perimeter (ADR 26) ---

ELSEWHERE = frozenset({"Centre de détention de Bapaume"})
READERS = ["cpip-1", *UNLIMITED]


@pytest.mark.parametrize("name", READERS)
def test_a_case_of_another_establishment_answers_every_role_as_a_missing_one(name):
    other_site = user(name, establishments=ELSEWHERE)
    for ensure in (access.ensure_on_caseload, access.ensure_reaches):
        with pytest.raises(CaseNotFound, match="no case"):
            ensure(other_site, FOLLOWED_BY_CPIP_1)
    with pytest.raises(CaseNotFound):
        access.ensure_may_read_interviews(other_site, FOLLOWED_BY_CPIP_1, works_with_person=True)
    with pytest.raises(CaseNotFound):
        access.ensure_may_record_interview(other_site, FOLLOWED_BY_CPIP_1, works_with_person=True)


@pytest.mark.parametrize("name", READERS)
def test_an_assessment_of_another_establishment_answers_as_a_missing_assessment(name):
    with pytest.raises(AssessmentNotFound, match="no assessment"):
        access.assessment_reading(
            user(name, establishments=ELSEWHERE), FOLLOWED_BY_CPIP_1, ASKING_PSYCHOLOGUE_1
        )


def test_a_token_naming_no_establishment_reaches_no_case():
    with pytest.raises(CaseNotFound):
        access.ensure_reaches(user("dpip-1", establishments=frozenset()), FOLLOWED_BY_CPIP_1)
    assert access.listed_establishments(user("dpip-1", establishments=frozenset())) == []


def test_the_referent_of_the_old_site_no_longer_follows_a_transferred_person():
    transferred = case.fold(
        [
            a_case_opened(),
            a_referent_assigned(referent="cpip-1"),
            a_case_transferred(establishment="CD Bapaume"),
        ]
    )
    with pytest.raises(CaseNotFound):
        access.ensure_on_caseload(user("cpip-1"), transferred)
    access.ensure_on_caseload(user("dpip-2", establishments=frozenset({"CD Bapaume"})), transferred)


def test_a_case_is_opened_only_in_one_of_the_callers_establishments():
    access.ensure_may_open_in(user("dpip-1"), ESTABLISHMENT)
    with pytest.raises(EstablishmentNotReached) as refused:
        access.ensure_may_open_in(user("dpip-1"), "CD Bapaume")
    assert refused.value.code == "establishment-not-reached"
