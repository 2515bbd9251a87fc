"""Who may see and do what: the service's access predicates over the caller and the facts."""

import pytest

from contracts.roles import ROLES, SPIP_STAFF
from kernel.access import EstablishmentNotReached, NotOnCaseload
from kernel.auth import Principal
from programmes import access
from programmes.domain import errors
from programmes.domain.facts import ReferralVisibility
from programmes.domain.group import group

from ..builders import ESTABLISHMENT, PLANNED_GROUP, a_group_planned, person_facts, ppr, programme_facts

GROUP = group.fold(PLANNED_GROUP)  # run by cpip-1 and psychologue-1
SENSITIVE_GROUP = group.fold(
    [a_group_planned(sensitive=True, facilitators=["dpip-2"], partner_organisations=["org-1"])]
)
PARTNER_GROUP = group.fold([a_group_planned(facilitators=["cpip-1"], partner_organisations=["org-1"])])
# A DPIP typed a partner account's user id among the facilitators' labels: it names no organisation.
LABELLED_GROUP = group.fold([a_group_planned(facilitators=["cpip-1", " Partenaire-1 "])])


def caller(
    role: str,
    subject: str | None = None,
    establishments=frozenset({ESTABLISHMENT}),
    organisation: str | None = "org-1",
) -> Principal:
    partner = role == "partenaire"
    return Principal(
        subject=subject or f"{role}-1",
        roles=frozenset({role}),
        organisation_scope=organisation if partner else None,
        establishments=None if partner else establishments,
    )


# --- groups ---


@pytest.mark.parametrize("role", sorted(ROLES - {"partenaire"}))
def test_the_establishments_staff_see_every_group_but_the_sensitive_ones(role):
    assert access.may_see_group(caller(role), GROUP)
    assert access.may_see_group(caller(role), SENSITIVE_GROUP) is (role == "dpip")


def test_a_partner_sees_and_runs_the_groups_naming_its_organisation_whoever_its_account_is():
    for user in ("partenaire-1", "partenaire-2"):
        assert access.may_see_group(caller("partenaire", user), PARTNER_GROUP)
        access.ensure_may_run_group(caller("partenaire", user), PARTNER_GROUP)
    assert not access.may_see_group(caller("partenaire"), GROUP)
    assert not access.may_see_group(caller("partenaire", organisation="org-2"), PARTNER_GROUP)


def test_a_partner_whose_user_id_equals_a_facilitators_label_neither_sees_nor_runs_the_group():
    """Security review L3: the labels are typed by hand; only a named organisation makes a partner a
    facilitator."""
    assert not access.may_see_group(caller("partenaire", "partenaire-1"), LABELLED_GROUP)
    assert not access.may_run_group(caller("partenaire", "partenaire-1"), LABELLED_GROUP)


def test_a_partner_token_naming_no_organisation_facilitates_nothing():
    assert not access.may_see_group(caller("partenaire", organisation=""), PARTNER_GROUP)
    assert not access.may_run_group(caller("partenaire", organisation=None), PARTNER_GROUP)


def test_a_sensitive_group_is_hidden_even_from_its_own_facilitators_who_are_not_dpips():
    assert not access.may_see_group(caller("partenaire"), SENSITIVE_GROUP)
    assert access.may_see_group(caller("dpip", "dpip-2"), SENSITIVE_GROUP)


@pytest.mark.parametrize("user", [("cpip", "cpip-1"), ("psychologue", "psychologue-1"), ("dpip", "dpip-9")])
def test_a_groups_facilitators_and_any_dpip_run_it(user):
    access.ensure_may_run_group(caller(*user), GROUP)


@pytest.mark.parametrize("user", [("cpip", "cpip-2"), ("psychologue", "psychologue-2"), ("partenaire", None)])
def test_anyone_else_who_sees_the_group_does_not_run_it(user):
    with pytest.raises(access.NotAFacilitator) as raised:
        access.ensure_may_run_group(caller(*user), GROUP)
    assert raised.value.code == "not-a-facilitator"


# --- referrals ---


def test_a_cpip_follows_only_the_people_of_their_caseload():
    assert access.follows(caller("cpip"), "cpip-1")
    assert not access.follows(caller("cpip"), "cpip-2")
    assert not access.follows(caller("cpip"), None)
    with pytest.raises(NotOnCaseload):
        access.ensure_follows(caller("cpip"), "cpip-2")


@pytest.mark.parametrize("role", ["dpip", "ipro_conseiller", "direction", "auditeur"])
def test_the_other_roles_are_limited_by_no_caseload(role):
    assert access.follows(caller(role), "cpip-2")


def test_a_referral_to_a_sensitive_programme_is_hidden_from_all_but_dpips():
    sensitive = ReferralVisibility(sensitive=True, referent="cpip-1", establishment=ESTABLISHMENT)
    assert access.may_see_referral(caller("dpip"), sensitive)
    assert not access.may_see_referral(caller("cpip"), sensitive)  # even their own person's
    other = ReferralVisibility(sensitive=False, referent="cpip-2", establishment=ESTABLISHMENT)
    assert access.may_see_referral(caller("cpip"), other)


def test_a_sensitive_programme_takes_referrals_from_dpips_only_and_exists_for_no_one_else():
    espace = programme_facts(programme_id="programme-espace", definition=ppr(sensitive=True))
    access.ensure_may_refer_to(caller("dpip"), espace)
    access.ensure_may_refer_to(caller("cpip"), programme_facts())
    with pytest.raises(errors.ProgrammeNotFound) as raised:
        access.ensure_may_refer_to(caller("cpip"), espace)
    assert str(raised.value) == "no programme programme-espace"  # word for word a missing programme's


@pytest.mark.parametrize("role", sorted(ROLES))
def test_offence_content_is_for_spip_staff_only(role):
    assert access.may_read_offence_content(caller(role)) is (role in SPIP_STAFF)


# --- the perimeter (ADR 26) ---

ELSEWHERE = frozenset({"CD Bapaume"})
SITE = [ESTABLISHMENT]


@pytest.mark.parametrize("role", sorted(ROLES - {"partenaire"}))
def test_a_group_or_referral_of_another_establishment_exists_for_no_staff_role(role):
    other_site = caller(role, establishments=ELSEWHERE)
    assert not access.may_see_group(other_site, GROUP)
    assert not access.may_see_group(other_site, SENSITIVE_GROUP)
    referral = ReferralVisibility(sensitive=False, referent=f"{role}-1", establishment=ESTABLISHMENT)
    assert not access.may_see_referral(other_site, referral)
    assert access.scope(other_site).establishments == ["CD Bapaume"]


def test_a_partner_is_limited_by_the_groups_it_facilitates_not_by_establishment():
    assert access.may_see_group(caller("partenaire"), PARTNER_GROUP)
    assert access.scope(caller("partenaire")).establishments is None


def test_a_person_of_another_establishment_is_not_known_to_the_caller():
    access.ensure_reaches_person(caller("cpip"), person_facts())
    with pytest.raises(errors.CaseNotFound, match="is known here"):
        access.ensure_reaches_person(caller("cpip", establishments=ELSEWHERE), person_facts())


def test_a_group_is_planned_only_in_one_of_the_callers_establishments():
    access.ensure_may_plan_in(caller("dpip"), ESTABLISHMENT)
    with pytest.raises(EstablishmentNotReached):
        access.ensure_may_plan_in(caller("dpip"), "CD Bapaume")


# --- lists ---


@pytest.mark.parametrize(
    "role, expected",
    [
        (
            "dpip",
            access.Scope(
                include_sensitive=True, partner_organisation=None, referent=None, establishments=SITE
            ),
        ),
        (
            "cpip",
            access.Scope(
                include_sensitive=False, partner_organisation=None, referent="cpip-1", establishments=SITE
            ),
        ),
        ("partenaire", access.Scope(include_sensitive=False, partner_organisation="org-1", referent=None)),
        (
            "ipro_chef",
            access.Scope(
                include_sensitive=False, partner_organisation=None, referent=None, establishments=SITE
            ),
        ),
    ],
)
def test_what_each_list_shows_the_caller(role, expected):
    assert access.scope(caller(role)) == expected
