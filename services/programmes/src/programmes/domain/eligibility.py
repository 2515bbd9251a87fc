"""Eligibility: a programme's rules (data) against the shareable facts of a person's follow-up. Each failed
rule is named, so the CPIP sees why and a DPIP knows what an override sets aside."""

from __future__ import annotations

from contracts.programmes import EligibilityRules
from programmes.domain.facts import PersonFacts


def failed_rules(rules: EligibilityRules, person: PersonFacts) -> list[str]:
    failed = []
    if rules.offence_categories and not set(rules.offence_categories) & set(person.offence_categories):
        failed.append("eligibility-offence-category")
    if rules.short_sentence is not None and rules.short_sentence != person.short_sentence:
        failed.append("eligibility-short-sentence")
    if rules.risk_levels:
        if person.overall_risk_level is None:
            failed.append("eligibility-no-validated-assessment")
        elif person.overall_risk_level not in rules.risk_levels:
            failed.append("eligibility-risk-level")
    if rules.establishments and person.establishment.casefold() not in {
        e.casefold() for e in rules.establishments
    }:
        failed.append("eligibility-establishment")
    return failed
