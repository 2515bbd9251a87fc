"""Who may read and do what in the SPIP follow-up (ARCHITECTURE.md §6, ADR 11): pure predicates over the
caller and the case (or assessment) they ask about, and the `ensure_*` functions that refuse. The handlers
apply them on the command path, `queries` on the read path; routes only declare their role policy.

* Every reader is limited to the cases of the establishments their token lists (`Principal.reaches`, ADR 26):
  another establishment's case, its assessments, plan, interviews and ESPACE notes answer them as missing
  ones (404), and no list shows them, whatever establishment it is asked for.
* A CPIP reads and acts on the people of their caseload (the case's referent); DPIPs on every case; the
  establishment's other readers see that a case exists, who follows it and until when.
* Psychologists and social workers read and add to the assessments they were asked to contribute to, and
  record and read the interviews of those people (need to know). They become involved only by that recorded
  grant, never by writing something on a case (security review H4): a case they were not asked about,
  and its plan, answer them as a missing one would (404), and their list of cases holds only theirs.
* IPRO roles and auditors read the shareable part of an assessment; confidential interview notes are for
  their author and DPIPs.
* A case's birth date, écrou number and offence categories are for SPIP staff: IPRO roles, the governor's
  office and auditors read who is followed, where, by whom and until when (DOMAIN.md, need to know).

A caller who sees a case but may not do this with it gets a refusal (403) naming the rule: the case's
existence is no secret among these roles (unknown ids answer 404 as usual).
"""

from __future__ import annotations

from enum import StrEnum

from assessment.domain import errors
from assessment.domain.assessment import Assessment
from assessment.domain.case import Case
from contracts.roles import IPRO_STAFF, SPIP_STAFF
from kernel.access import EstablishmentNotReached, NotOnCaseload, Principal
from kernel.errors import Forbidden, NotFound

OFFICERS = frozenset({"cpip", "dpip"})
# Involved in a case only by a recorded grant: a contribution request on one of its assessments (DOMAIN.md).
NEED_TO_KNOW = frozenset({"psychologue", "assistant_social"})
# Roles that see every case (a CPIP within their caseload): held with one of them, the grant limits nothing.
CASE_WIDE = (SPIP_STAFF | IPRO_STAFF | {"direction", "auditeur"}) - NEED_TO_KNOW


class ContributionNotRequested(Forbidden):
    """Psychologists and social workers read and add to the assessments they were asked to (need to know)."""

    code = "contribution-not-requested"


class Reading(StrEnum):
    FULL = "full"  # everything recorded, restricted content included
    SUMMARY = "summary"  # what other services may know: the validated conclusion


def is_director(principal: Principal) -> bool:
    return "dpip" in principal.roles


def limited_to_caseload(principal: Principal) -> bool:
    return "cpip" in principal.roles and not is_director(principal)


# --- the perimeter ---


def ensure_reaches(principal: Principal, case: Case, missing: NotFound | None = None) -> None:
    """A case of an establishment outside the caller's perimeter answers as a missing one would, or as
    `missing` (its assessment's or plan's own not found): checked before any other rule, so no refusal
    tells it exists."""
    if not principal.reaches(case.establishment):
        raise missing or errors.CaseNotFound(f"no case {case.case_id}")


def ensure_may_open_in(principal: Principal, establishment: str) -> None:
    """A case is opened in one of the caller's establishments: they could not read it otherwise."""
    if not principal.reaches(establishment):
        raise EstablishmentNotReached(f"{establishment} is not one of your establishments")


def listed_establishments(principal: Principal) -> list[str] | None:
    """The establishments every list of cases or deadlines is limited to (None: the caller is not limited
    by establishment)."""
    return principal.perimeter


# --- cases ---


def on_caseload(principal: Principal, case: Case) -> bool:
    """A CPIP follows the people whose referent they are; the other roles are not limited by a caseload."""
    return not limited_to_caseload(principal) or case.referent == principal.subject


def ensure_on_caseload(principal: Principal, case: Case) -> None:
    ensure_reaches(principal, case)
    if not on_caseload(principal, case):
        raise NotOnCaseload("this person is not on your caseload")


def involved_by_grant_only(principal: Principal) -> bool:
    """Psychologists and social workers see the cases they were asked to contribute to, and no other."""
    return principal.has_any(NEED_TO_KNOW) and not principal.has_any(CASE_WIDE)


def sees_case(principal: Principal, works_with_person: bool) -> bool:
    """Whether the case exists for the caller: for psychologists and social workers, once asked to contribute
    to one of its assessments (`works_with_person`); for the other readers, always (a CPIP outside their
    caseload sees it exists but may not read it)."""
    return works_with_person or not involved_by_grant_only(principal)


def listed_contributor(principal: Principal) -> str | None:
    """The person whose contribution requests a list of cases is limited to: a psychologist's or social
    worker's list holds the cases they were asked about."""
    return principal.subject if involved_by_grant_only(principal) else None


def reads_case_details(principal: Principal) -> bool:
    """Birth date, écrou number and offence categories: SPIP staff only (need to know)."""
    return principal.has_any(SPIP_STAFF)


def listed_referent(principal: Principal, asked: str | None) -> str | None:
    """The referent a list of cases or deadlines is limited to: a CPIP's list is their caseload."""
    return principal.subject if limited_to_caseload(principal) else asked


def referent_of_new_case(principal: Principal, named: str | None) -> str | None:
    """A CPIP who opens a case follows the person, unless someone else is named."""
    return named or (principal.subject if "cpip" in principal.roles else None)


# --- assessments ---


def asked_to_contribute(principal: Principal, assessment: Assessment) -> bool:
    return principal.subject in assessment.contributors


def _ensure_reaches_assessment(principal: Principal, case: Case, assessment: Assessment) -> None:
    started = assessment.assessment_id is not None  # else one about to start: the case is what is named
    missing = errors.AssessmentNotFound(f"no assessment {assessment.assessment_id}") if started else None
    ensure_reaches(principal, case, missing)


def ensure_may_work_on(principal: Principal, case: Case, assessment: Assessment) -> None:
    """The referent CPIP and DPIPs work on a case's assessments; psychologists and social workers on those
    they were asked to contribute to."""
    _ensure_reaches_assessment(principal, case, assessment)
    if principal.has_any(OFFICERS):
        ensure_on_caseload(principal, case)
    elif not asked_to_contribute(principal, assessment):
        raise ContributionNotRequested(
            "psychologists and social workers read and add to the assessments they were asked to "
            "contribute to"
        )


def assessment_reading(principal: Principal, case: Case, assessment: Assessment) -> Reading:
    """SPIP roles read in full what they may work on; IPRO roles and auditors read the shareable summary."""
    _ensure_reaches_assessment(principal, case, assessment)
    if principal.has_any(SPIP_STAFF):
        ensure_may_work_on(principal, case, assessment)
        return Reading.FULL
    return Reading.SUMMARY


def shares_contributions_by_default(principal: Principal) -> bool:
    """A psychologist's clinical content stays with psychologists unless they share it (medical
    confidentiality, security review M1); a social worker's is for the team working on the assessment."""
    return "psychologue" not in principal.roles


def may_read_contribution(principal: Principal, author: str, author_role: str, shared: bool) -> bool:
    """A contribution not shared is read by its author and the psychologists asked, not by the CPIP, the
    DPIP or a social worker."""
    return (
        shared
        or author == principal.subject
        or (author_role == "psychologue" and "psychologue" in principal.roles)
    )


# --- interviews ---


def ensure_may_read_interviews(principal: Principal, case: Case, works_with_person: bool) -> None:
    """The referent CPIP and DPIPs; psychologists and social workers if they work with the person (they
    were asked to contribute to one of the case's assessments)."""
    ensure_reaches(principal, case)
    if principal.has_any(OFFICERS):
        ensure_on_caseload(principal, case)
    elif not works_with_person:
        raise NotOnCaseload(
            "psychologists and social workers read the interviews of the people they work with"
        )


def ensure_may_record_interview(principal: Principal, case: Case, works_with_person: bool) -> None:
    """The referent CPIP and DPIPs; psychologists and social workers once asked to contribute to one of the
    case's assessments: an interview is not a way in, and a case they were not asked about answers them as a
    missing one, as it does when they read it (no 403 telling them it exists)."""
    ensure_reaches(principal, case)
    if principal.has_any(OFFICERS):
        ensure_on_caseload(principal, case)
    elif not sees_case(principal, works_with_person):
        raise errors.CaseNotFound(f"no case {case.case_id}")
    elif not works_with_person:
        raise NotOnCaseload(
            "psychologists and social workers record interviews with the people they were asked to work with"
        )


def may_read_notes(principal: Principal, author: str, confidential: bool) -> bool:
    """Confidential notes are for their author and DPIPs."""
    return not confidential or author == principal.subject or is_director(principal)
