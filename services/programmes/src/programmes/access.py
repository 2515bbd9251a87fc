"""Who may see and do what in the programmes service (ARCHITECTURE.md §6): pure predicates over the caller
and the facts of what they ask for, and the `ensure_*` functions that refuse. The handlers apply them on
the command path and on reads of one resource (what the caller may not see answers the 404 of a missing
one, word for word); `scope` limits every list. Routes only declare their role policy
(`http/common.py`).

* The catalogue and the schedules are read by the establishment's staff; IPRO roles, the governor's office,
  auditors and partners do not see the offence-specific content (eligibility rules, failed rules).
* A CPIP refers and follows the people of their caseload; a DPIP does everything and overrides.
* Facilitators (a CPIP, a psychologist, a partner co-facilitating) run their own groups; a partner sees
  nothing but the groups it facilitates.
* Groups and referrals of a sensitive programme (ESPACE) exist for DPIPs only: anyone else gets the 404 a
  missing one gets, word for word, and no list shows them.
* Staff are limited to the establishments their token lists (`Principal.reaches`, ADR 26): another
  establishment's group, session or referral (the person's establishment now) answers them as a missing one
  and no list shows it. A partner is limited by the groups it facilitates, not by establishment.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.roles import PARTNER, SPIP_STAFF
from kernel.access import EstablishmentNotReached, NotOnCaseload, Principal
from kernel.errors import Forbidden
from programmes.domain import errors
from programmes.domain.facts import PersonFacts, ProgrammeFacts, ReferralVisibility
from programmes.domain.group import Group

DIRECTOR, OFFICER = "dpip", "cpip"


class NotAFacilitator(Forbidden):
    """The caller sees the group but does not run it."""

    code = "not-a-facilitator"


def is_director(principal: Principal) -> bool:
    return DIRECTOR in principal.roles


def may_override(principal: Principal) -> bool:
    """Setting a rule aside (a group started below its minimum size) is a DPIP's decision."""
    return is_director(principal)


def may_read_offence_content(principal: Principal) -> bool:
    """Eligibility rules and failed rules name offences and risk: SPIP staff only."""
    return principal.has_any(SPIP_STAFF)


def knows_sensitive_programmes(principal: Principal) -> bool:
    """That an ESPACE-like programme exists at all is the establishment's staff's to know: IPRO roles, the
    governor's office, auditors and partners neither list it nor read it (a missing one's 404)."""
    return principal.has_any(SPIP_STAFF)


def ensure_may_see_programme(principal: Principal, programme_id: str, sensitive: bool) -> None:
    if sensitive and not knows_sensitive_programmes(principal):
        raise errors.ProgrammeNotFound(f"no programme {programme_id}")


def facilitates(principal: Principal, group: Group) -> bool:
    """A partner runs a group because the DPIP named its organisation when planning it; staff because the
    group names their user id. A partner's user id among the staff's labels counts for nothing (security
    review L3: those are typed by hand)."""
    if PARTNER in principal.roles:
        return (
            bool(principal.organisation_scope) and principal.organisation_scope in group.partner_organisations
        )
    return principal.subject.strip().casefold() in {f.strip().casefold() for f in group.facilitators}


def follows(principal: Principal, referent: str | None) -> bool:
    """A CPIP acts on and reads the people of their caseload; the other roles allowed are not limited."""
    return OFFICER not in principal.roles or is_director(principal) or referent == principal.subject


# --- groups ---


def may_see_group(principal: Principal, group: Group) -> bool:
    if (group.sensitive and not is_director(principal)) or not principal.reaches(group.establishment):
        return False
    return PARTNER not in principal.roles or facilitates(principal, group)


def may_run_group(principal: Principal, group: Group) -> bool:
    return is_director(principal) or facilitates(principal, group)


def ensure_may_run_group(principal: Principal, group: Group) -> None:
    """Sessions, attendance, the register, the start and the close of a group the caller sees: its
    facilitators or a DPIP."""
    if not may_run_group(principal, group):
        raise NotAFacilitator("only the group's facilitators or a DPIP do this")


def ensure_may_plan_in(principal: Principal, establishment: str) -> None:
    """A group is planned in one of the caller's establishments: they could not see it otherwise."""
    if not principal.reaches(establishment):
        raise EstablishmentNotReached(f"{establishment} is not one of your establishments")


# --- referrals ---


def ensure_reaches_person(principal: Principal, person: PersonFacts) -> None:
    """A person of another establishment is not known to the caller: their case answers as one the replica
    has not seen."""
    if not principal.reaches(person.establishment):
        raise errors.CaseNotFound(f"no case {person.case_id} is known here (yet)")


def may_refer_to(principal: Principal, programme: ProgrammeFacts) -> bool:
    return not programme.definition.sensitive or is_director(principal)


def ensure_may_refer_to(principal: Principal, programme: ProgrammeFacts) -> None:
    if not may_refer_to(principal, programme):
        raise errors.ProgrammeNotFound(f"no programme {programme.programme_id}")


def ensure_follows(principal: Principal, referent: str | None) -> None:
    if not follows(principal, referent):
        raise NotOnCaseload("this person is not on your caseload")


def may_see_referral(principal: Principal, referral: ReferralVisibility) -> bool:
    """A referral to a sensitive programme is hidden (another CPIP's person's is seen, never acted on), and one
    of a person of another establishment."""
    return (not referral.sensitive or is_director(principal)) and principal.reaches(referral.establishment)


# --- lists ---


@dataclass(frozen=True)
class Scope:
    """What a list shows the caller, applied by the query itself (never filtered after the fact)."""

    include_sensitive: bool
    partner_organisation: str | None  # a partner's lists: only the groups naming its organisation
    referent: str | None  # a CPIP's lists of referrals: only their caseload's
    establishments: list[str] | None = None  # staff's lists: only these establishments' (ADR 26)


def scope(principal: Principal) -> Scope:
    return Scope(
        include_sensitive=is_director(principal),
        partner_organisation=(principal.organisation_scope or "") if PARTNER in principal.roles else None,
        referent=principal.subject if OFFICER in principal.roles and not is_director(principal) else None,
        establishments=principal.perimeter,
    )
