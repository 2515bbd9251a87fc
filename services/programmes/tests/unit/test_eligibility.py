import pytest

from contracts.assessment import OffenceCategory as O
from contracts.assessment import RiskLevel as R
from programmes.domain.eligibility import failed_rules

from ..builders import ESTABLISHMENT, eligibility_rules, person_facts, ppr_rules

OFFENCE = "eligibility-offence-category"
SHORT = "eligibility-short-sentence"
NO_ASSESSMENT = "eligibility-no-validated-assessment"
RISK = "eligibility-risk-level"
ESTABLISHMENTS = "eligibility-establishment"


def test_no_rule_takes_everyone():
    person = person_facts(offence_categories=[], short_sentence=True, overall_risk_level=None)
    assert failed_rules(eligibility_rules(), person) == []


def test_the_default_person_meets_the_default_programmes_rules():
    assert failed_rules(ppr_rules(), person_facts()) == []


# --- offence categories: any of them ---


@pytest.mark.parametrize(
    "offences",
    [
        pytest.param([O.VIOLENCE], id="one of them"),
        pytest.param([O.THEFT, O.DOMESTIC_VIOLENCE], id="the other one among others"),
        pytest.param([O.VIOLENCE, O.DOMESTIC_VIOLENCE], id="both"),
    ],
)
def test_a_person_convicted_of_one_of_the_offences_meets_the_rule(offences):
    rules = eligibility_rules(offence_categories=[O.VIOLENCE, O.DOMESTIC_VIOLENCE])
    assert failed_rules(rules, person_facts(offence_categories=offences)) == []


@pytest.mark.parametrize(
    "offences", [pytest.param([O.THEFT, O.FRAUD], id="other offences"), pytest.param([], id="no offence")]
)
def test_a_person_convicted_of_none_of_the_offences_fails_the_rule(offences):
    rules = eligibility_rules(offence_categories=[O.VIOLENCE, O.DOMESTIC_VIOLENCE])
    assert failed_rules(rules, person_facts(offence_categories=offences)) == [OFFENCE]


# --- short sentence ---


@pytest.mark.parametrize(
    "required, short, failed",
    [
        pytest.param(True, True, [], id="short only, short"),
        pytest.param(True, False, [SHORT], id="short only, long"),
        pytest.param(False, False, [], id="long only, long"),
        pytest.param(False, True, [SHORT], id="long only, short"),
        pytest.param(None, True, [], id="no condition, short"),
        pytest.param(None, False, [], id="no condition, long"),
    ],
)
def test_the_length_of_the_sentence(required, short, failed):
    rules = eligibility_rules(short_sentence=required)
    assert failed_rules(rules, person_facts(short_sentence=short)) == failed


# --- risk levels ---


@pytest.mark.parametrize(
    "level, failed",
    [
        pytest.param(R.MODERATE, [], id="moderate"),
        pytest.param(R.HIGH, [], id="high"),
        pytest.param(R.LOW, [RISK], id="low"),
        pytest.param(None, [NO_ASSESSMENT], id="no validated assessment"),
    ],
)
def test_the_risk_level_of_the_latest_validated_assessment(level, failed):
    rules = eligibility_rules(risk_levels=[R.MODERATE, R.HIGH])
    assert failed_rules(rules, person_facts(overall_risk_level=level)) == failed


def test_without_a_risk_rule_no_assessment_is_needed():
    assert failed_rules(eligibility_rules(), person_facts(overall_risk_level=None)) == []


# --- establishments ---


@pytest.mark.parametrize(
    "establishment",
    [
        pytest.param(ESTABLISHMENT, id="as written"),
        pytest.param("CENTRE PÉNITENTIAIRE D'ARRAS", id="upper case with an accent"),
        pytest.param("centre pénitentiaire d'arras", id="lower case"),
        pytest.param("Maison d'arrêt de Lille-Sequedin", id="another one of the list"),
    ],
)
def test_a_person_held_in_one_of_the_establishments_meets_the_rule(establishment):
    rules = eligibility_rules(establishments=[ESTABLISHMENT, "Maison d'arrêt de Lille-Sequedin"])
    assert failed_rules(rules, person_facts(establishment=establishment)) == []


def test_a_person_held_elsewhere_fails_the_rule():
    rules = eligibility_rules(establishments=[ESTABLISHMENT])
    person = person_facts(establishment="Centre de détention de Bapaume")
    assert failed_rules(rules, person) == [ESTABLISHMENTS]


# --- combined ---


def test_every_failed_rule_is_named_in_order():
    rules = eligibility_rules(
        offence_categories=[O.SEXUAL_OFFENCE],
        short_sentence=True,
        risk_levels=[R.HIGH],
        establishments=["Centre de détention de Bapaume"],
    )
    assert failed_rules(rules, person_facts()) == [OFFENCE, SHORT, RISK, ESTABLISHMENTS]


def test_no_validated_assessment_is_named_among_the_other_failed_rules():
    rules = eligibility_rules(
        offence_categories=[O.SEXUAL_OFFENCE], short_sentence=True, risk_levels=[R.HIGH]
    )
    assert failed_rules(rules, person_facts(overall_risk_level=None)) == [OFFENCE, SHORT, NO_ASSESSMENT]


@pytest.mark.parametrize(
    "person, failed",
    [
        pytest.param(person_facts(), [], id="meets them all"),
        pytest.param(person_facts(offence_categories=[O.DRUGS]), [OFFENCE], id="fails one"),
        pytest.param(
            person_facts(short_sentence=True, establishment="Ailleurs"),
            [SHORT, ESTABLISHMENTS],
            id="fails two",
        ),
    ],
)
def test_rules_are_checked_independently(person, failed):
    rules = eligibility_rules(
        offence_categories=[O.THEFT],
        short_sentence=False,
        risk_levels=[R.MODERATE],
        establishments=[ESTABLISHMENT],
    )
    assert failed_rules(rules, person) == failed
