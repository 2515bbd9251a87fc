"""What every router of the service shares: who may do what, path ids, pages, the clock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, StringConstraints

from kernel.auth import IPRO_STAFF, SPIP_STAFF, Principal, allow
from kernel.errors import Forbidden
from partners.domain.time import local_date

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
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]

T = TypeVar("T")


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    total: int
    items: list[T]


def now(request: Request) -> datetime:
    return request.app.state.event_store.clock()


def today(request: Request) -> date:
    return local_date(now(request))


def partner_scope(principal: Principal) -> str | None:
    """The organisation a partner's lists are limited to; None for staff (everything)."""
    if "partenaire" not in principal.roles:
        return None
    return principal.organisation_id or ""


def own_organisation(principal: Principal) -> str:
    if not principal.organisation_id:
        raise Forbidden("the token names no partner organisation")
    return principal.organisation_id
