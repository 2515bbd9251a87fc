"""Who reads which part of a person's file (ARCHITECTURE.md §6, issue 14): pure predicates over the caller,
the person's case as their live file has it and their events. The file's routes apply them once, before
anything is folded as of an earlier instant or rendered.

* DPIPs read everything, ESPACE-like programmes included; a CPIP reads the people whose referent they are;
  psychologists and social workers the people they work with (asked to contribute to an assessment of
  theirs).
* IPRO roles read the IPRO part and the SPIP summary they are entitled to; the direction the same.
* Auditors read it pseudonymised, or as the referent CPIP does when they break the glass (ADR 31).
  Partners never read a file (the routes do not let them in).
* Every reader is limited to the people of the establishments their token lists (ADR 26): the person's
  establishment is their case's now (transfers included); a person of another one, or whose case is not
  known here yet, answers as a missing file, and the search does not find them.
"""

from __future__ import annotations

from collections.abc import Collection

from contracts.roles import IPRO_STAFF
from kernel.access import NotOnCaseload, Principal
from projections.person_file.model import Case
from projections.person_file.views import Reading

MULTIDISCIPLINARY = frozenset({"psychologue", "assistant_social"})


def reaches(principal: Principal, case: Case | None) -> bool:
    return principal.reaches(case.establishment if case is not None else None)


def reading_for(
    principal: Principal, case: Case | None, contributors: Collection[str], *, break_glass: bool = False
) -> Reading:
    """The most the caller's roles entitle them to read of this person's file; a refusal naming the rule
    when their only SPIP role does not reach this person. `break_glass`: the caller stated why they read in
    clear (`kernel.pseudonyms`)."""
    roles = principal.roles
    if "dpip" in roles:
        return Reading.SPIP_DIRECTOR
    if "cpip" in roles and case is not None and case.referent == principal.subject:
        return Reading.SPIP_FULL
    # Asked to contribute to one of the person's assessments: the recorded grant, never an interview they
    # wrote (security review H4; `snapshots.contributors_of`).
    if roles & MULTIDISCIPLINARY and principal.subject in contributors:
        return Reading.SPIP_FULL
    if roles & IPRO_STAFF:
        return Reading.IPRO
    if "direction" in roles:
        return Reading.DIRECTION
    if "auditeur" in roles:
        return Reading.AUDIT_BREAK_GLASS if break_glass else Reading.AUDIT
    if "cpip" in roles:
        raise NotOnCaseload(
            "this person is not on your caseload: a CPIP reads the files of the people they follow"
        )
    raise NotOnCaseload("psychologists and social workers read the files of the people they work with")
