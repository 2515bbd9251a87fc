"""Who sees and who acts on a pathway and a positioning (`ipro.access`): the pure predicates, role by role.

The default pathway is followed by the adviser "ipro_conseiller-1"; the person's referent is "cpip-1"; the
default positioning is on an action of the partner organisation "partner-1"."""

import pytest

from ipro import access
from ipro.domain import errors
from ipro.domain.pathway import pathway
from ipro.domain.positioning import positioning
from kernel.auth import Principal

from ..builders import ESTABLISHMENT, OPEN_PATHWAY, PROPOSED, an_adviser_assigned, case_facts

FOLLOWED = pathway.fold([*OPEN_PATHWAY, an_adviser_assigned(adviser="ipro_conseiller-1")])
UNASSIGNED = pathway.fold(OPEN_PATHWAY)
CASE = case_facts(referent="cpip-1")
PLACE = positioning.fold(PROPOSED)


def staff(role: str, subject: str | None = None, establishments=frozenset({ESTABLISHMENT})) -> Principal:
    return Principal(subject=subject or f"{role}-1", roles=frozenset({role}), establishments=establishments)


def partner(organisation: str | None) -> Principal:
    return Principal(
        subject="partenaire-1",
        roles=frozenset({"partenaire"}),
        organisation_id=organisation,
        organisation_scope=organisation or "",
    )


SEES_EVERY_PATHWAY = ["ipro_chef", "ripro", "direction", "dpip", "auditeur"]


@pytest.mark.parametrize("role", SEES_EVERY_PATHWAY)
def test_management_the_governors_office_dpips_and_auditors_see_every_pathway(role):
    for state in (FOLLOWED, UNASSIGNED):
        assert access.may_see_pathway(staff(role), state, CASE)


def test_an_adviser_sees_and_acts_on_the_pathways_they_follow_only():
    mine, theirs = staff("ipro_conseiller"), staff("ipro_conseiller", "ipro_conseiller-2")
    assert access.may_see_pathway(mine, FOLLOWED, CASE) and access.may_act_on_pathway(mine, FOLLOWED)
    assert not access.may_see_pathway(theirs, FOLLOWED, CASE) and not access.may_act_on_pathway(
        theirs, FOLLOWED
    )
    assert not access.may_see_pathway(mine, UNASSIGNED, CASE), "an unassigned pathway is on nobody's caseload"


def test_an_adviser_who_also_manages_is_limited_by_no_caseload():
    both = Principal(
        subject="x-1",
        roles=frozenset({"ipro_conseiller", "ipro_chef"}),
        establishments=frozenset({ESTABLISHMENT}),
    )
    assert access.may_see_pathway(both, UNASSIGNED, CASE) and access.may_act_on_pathway(both, UNASSIGNED)


def test_a_cpip_sees_the_pathways_of_the_people_they_follow_only():
    assert access.may_see_pathway(staff("cpip"), FOLLOWED, CASE)
    assert not access.may_see_pathway(staff("cpip", "cpip-2"), FOLLOWED, CASE)
    assert not access.may_see_pathway(staff("cpip"), FOLLOWED, case_facts(referent=None))


@pytest.mark.parametrize("organisation", ["partner-1", None], ids=["its organisation", "none"])
def test_a_partner_sees_no_pathway(organisation):
    assert not access.may_see_pathway(partner(organisation), FOLLOWED, CASE)
    assert not access.may_act_on_pathway(partner(organisation), FOLLOWED)


def test_an_adviser_who_opens_a_pathway_follows_it_and_management_does_not():
    assert access.follows_what_they_open(staff("ipro_conseiller"))
    assert not access.follows_what_they_open(staff("ipro_chef"))


def test_what_the_caller_may_not_see_is_not_found_exactly_as_a_missing_pathway():
    with pytest.raises(errors.PathwayNotFound) as raised:
        access.ensure_may_act_on_pathway(staff("ipro_conseiller", "ipro_conseiller-2"), FOLLOWED, CASE)
    assert raised.value.message == "no pathway pathway-1"
    hidden = errors.TrainingNotFound("no training training-1")
    with pytest.raises(errors.TrainingNotFound):
        access.ensure_may_see_pathway(staff("cpip", "cpip-2"), FOLLOWED, CASE, hidden)


def test_a_partner_sees_and_acts_on_the_positionings_on_its_own_actions_only():
    own, other, none = partner("partner-1"), partner("partner-2"), partner(None)
    assert access.may_see_positioning(own, PLACE, FOLLOWED, CASE)
    assert access.may_act_on_positioning(own, PLACE, FOLLOWED)
    for caller in (other, none):
        assert not access.may_see_positioning(caller, PLACE, FOLLOWED, CASE)
        with pytest.raises(errors.PositioningNotFound) as raised:
            access.ensure_may_act_on_positioning(caller, PLACE, FOLLOWED, CASE)
        assert raised.value.message == "no positioning positioning-1"


def test_staff_see_a_positioning_as_they_see_its_pathway():
    assert access.may_see_positioning(staff("ipro_conseiller"), PLACE, FOLLOWED, CASE)
    assert not access.may_see_positioning(staff("ipro_conseiller"), PLACE, UNASSIGNED, CASE)
    assert access.may_see_positioning(staff("cpip"), PLACE, FOLLOWED, CASE)
    assert not access.may_see_positioning(staff("cpip", "cpip-2"), PLACE, FOLLOWED, CASE)


@pytest.mark.parametrize(
    ("caller", "scope"),
    [
        pytest.param(
            staff("ipro_conseiller"),
            access.ListScope(adviser="ipro_conseiller-1", establishments=[ESTABLISHMENT]),
            id="adviser",
        ),
        pytest.param(
            staff("cpip"), access.ListScope(referent="cpip-1", establishments=[ESTABLISHMENT]), id="cpip"
        ),
        pytest.param(partner("partner-1"), access.ListScope(partner="partner-1"), id="partner"),
        pytest.param(partner(None), access.ListScope(partner=""), id="partner without organisation"),
        *[
            pytest.param(staff(role), access.ListScope(establishments=[ESTABLISHMENT]), id=role)
            for role in SEES_EVERY_PATHWAY
        ],
    ],
)
def test_lists_show_each_caller_what_they_may_see(caller, scope):
    assert access.list_scope(caller) == scope


# --- the perimeter (ADR 26) ---

ELSEWHERE = frozenset({"CD Bapaume"})


@pytest.mark.parametrize("role", [*SEES_EVERY_PATHWAY, "ipro_conseiller", "cpip"])
def test_a_pathway_of_another_establishment_answers_every_staff_role_as_a_missing_one(role):
    other_site = staff(role, establishments=ELSEWHERE)
    assert not access.may_see_pathway(other_site, FOLLOWED, CASE)
    assert not access.may_see_positioning(other_site, PLACE, FOLLOWED, CASE)
    with pytest.raises(errors.PathwayNotFound):
        access.ensure_may_act_on_pathway(other_site, FOLLOWED, CASE)
    with pytest.raises(errors.PositioningNotFound):
        access.ensure_may_see_positioning(other_site, PLACE, FOLLOWED, CASE)
    with pytest.raises(errors.CaseNotFound, match="is known here"):
        access.ensure_reaches(other_site, CASE)


def test_the_persons_establishment_is_their_cases_now_after_a_transfer():
    transferred = case_facts(referent="cpip-1", establishment="CD Bapaume")
    assert not access.may_see_pathway(staff("ipro_chef"), FOLLOWED, transferred)
    assert access.may_see_pathway(staff("ipro_chef", establishments=ELSEWHERE), FOLLOWED, transferred)


def test_lists_are_limited_to_the_staffs_establishments_and_a_partners_by_its_organisation_only():
    assert access.list_scope(staff("ipro_chef")).establishments == [ESTABLISHMENT]
    assert access.list_scope(staff("direction", establishments=frozenset())).establishments == []
    assert access.list_scope(partner("partner-1")).establishments is None
