"""What every router of the service shares: who may do what, ids and labels, today's date."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from pydantic import StringConstraints

from kernel.api import now
from kernel.auth import IPRO_STAFF, SPIP_STAFF, Principal, allow
from kernel.clock import local_date
from kernel.errors import Forbidden

# Everyone with a role in the establishment reads; partners are limited to their organisation by each route.
Reader = Annotated[Principal, Depends(allow(IPRO_STAFF, SPIP_STAFF, "direction", "auditeur", "partenaire"))]
# Calls, registrations and catalogue publication are IPRO management's and the SPIP director's call.
Manager = Annotated[Principal, Depends(allow("ipro_chef", "ripro", "dpip"))]
# Access to the establishment is also the governor's office's business.
Accreditor = Annotated[Principal, Depends(allow("ipro_chef", "ripro", "dpip", "direction"))]
# Co-construction of proposals: the partner and IPRO (the DPIP for SPIP themes).
Reviewer = Annotated[Principal, Depends(allow("ipro_chef", "ripro", "dpip"))]
Proposer = Annotated[Principal, Depends(allow("partenaire"))]
Discussant = Annotated[Principal, Depends(allow("partenaire", IPRO_STAFF, "dpip"))]
# Scheduling and reporting sessions: the partner, or IPRO management on its behalf.
Organiser = Annotated[Principal, Depends(allow("partenaire", "ipro_chef", "ripro"))]
# Contact persons: the organisation itself, or those who registered it.
ContactEditor = Annotated[Principal, Depends(allow("partenaire", "ipro_chef", "ripro", "dpip"))]

# Names and places: surrounding blanks dropped, never empty once they are.
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
IdFilter = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


def today(request: Request) -> date:
    return local_date(now(request))


def own_organisation(principal: Principal) -> str:
    if not principal.organisation_id:
        raise Forbidden("the token names no partner organisation")
    return principal.organisation_id
