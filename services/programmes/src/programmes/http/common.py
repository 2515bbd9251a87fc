"""Who may do what with programmes, groups and referrals (ARCHITECTURE.md §6), and what every router shares.

* The catalogue and the schedules are read by the establishment's staff; IPRO roles and the governor's office
  see schedules and participation, not the programmes' offence-specific content (eligibility rules).
* A CPIP refers and follows the people of their caseload; a DPIP does everything and overrides.
* Facilitators (a CPIP, a psychologist, a partner co-facilitating) record attendance for their own groups;
  a partner sees nothing but the groups it facilitates.
* Groups and referrals of a sensitive programme (ESPACE) exist for DPIPs only: anyone else gets the 404 a
  missing one gets, word for word.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import StringConstraints

from kernel.api import now
from kernel.auth import IPRO_STAFF, SPIP_STAFF, Principal, allow
from kernel.clock import local_date
from programmes.domain import errors

Director = Annotated[Principal, Depends(allow("dpip"))]
Officer = Annotated[Principal, Depends(allow("cpip", "dpip"))]
# Runs a group's sessions: its facilitators (checked on the group) or a DPIP.
Facilitator = Annotated[Principal, Depends(allow("cpip", "dpip", "psychologue", "partenaire"))]
ScheduleReader = Annotated[
    Principal, Depends(allow(SPIP_STAFF, IPRO_STAFF, "direction", "auditeur", "partenaire"))
]
ParticipationReader = Annotated[Principal, Depends(allow("cpip", "dpip", IPRO_STAFF, "direction", "auditeur"))]

Id = Annotated[str, Path(max_length=80, pattern=r"^[A-Za-z0-9-]+$")]
IdFilter = Annotated[str | None, Query(max_length=80, pattern=r"^[A-Za-z0-9-]+$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


def today(request: Request) -> date:
    return local_date(now(request))


def is_director(principal: Principal) -> bool:
    return "dpip" in principal.roles


def sees_offence_content(principal: Principal) -> bool:
    return principal.has_any(SPIP_STAFF)


def facilitates(principal: Principal, facilitators: list[str]) -> bool:
    return principal.subject.strip().casefold() in {f.strip().casefold() for f in facilitators}


def ensure_sees_group(principal: Principal, sensitive: bool, facilitators: list[str]) -> None:
    """Sensitive groups are hidden from all but DPIPs; a partner sees the groups it facilitates only."""
    if (sensitive and not is_director(principal)) or (
        "partenaire" in principal.roles and not facilitates(principal, facilitators)
    ):
        raise errors.GroupNotFound("no such group")


def ensure_runs_group(principal: Principal, sensitive: bool, facilitators: list[str]) -> None:
    ensure_sees_group(principal, sensitive, facilitators)
    if not is_director(principal) and not facilitates(principal, facilitators):
        raise errors.NotAFacilitator("only the group's facilitators or a DPIP do this")


def ensure_follows(principal: Principal, referent: str | None) -> None:
    """A CPIP acts on and reads the people of their caseload; the other roles allowed are not limited."""
    if "cpip" in principal.roles and not is_director(principal) and referent != principal.subject:
        raise errors.NotOnCaseload("this person is not on your caseload")


def ensure_sees_referral(principal: Principal, sensitive: bool, referent: str | None) -> None:
    if sensitive and not is_director(principal):
        raise errors.ReferralNotFound("no such referral")
    ensure_follows(principal, referent)
