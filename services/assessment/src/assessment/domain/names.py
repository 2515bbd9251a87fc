"""How the SPIP follow-up names people and things in what it tells users (refusals): the person by their name
and écrou number, an assessment by its kind and whose it is, days as every service says them
(`kernel.wording`). Ids stay in the problem's members, for clients."""

from __future__ import annotations

from contracts.assessment import AssessmentKind, Identity

_KINDS = {
    AssessmentKind.INITIAL: "the initial assessment",
    AssessmentKind.REASSESSMENT: "the re-assessment",
    AssessmentKind.ANNUAL: "the annual assessment",
}


def person(first_names: str, last_name: str, ecrou_number: str) -> str:
    """`Jean Pierre Durand (écrou 62041A)`."""
    name = " ".join(part for part in (first_names.strip(), last_name.strip()) if part) or "the person"
    return f"{name} (écrou {ecrou_number})" if ecrou_number.strip() else name


def person_of(identity: Identity | None) -> str:
    if identity is None:
        return "the person"
    return person(identity.first_names, identity.last_name, identity.ecrou_number)


def assessment(kind: AssessmentKind | None, whose: str) -> str:
    """`the initial assessment of Jean Pierre Durand (écrou 62041A)`."""
    return f"{_KINDS.get(kind, 'the assessment')} of {whose}"


def status(value: str) -> str:
    """An assessment's status as a sentence says it: `is a draft`, `is submitted`."""
    return "a draft" if value == "draft" else value
