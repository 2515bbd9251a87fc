"""HTTP routes of the projections service: read views only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from contracts.partners import OrganisationType
from kernel.auth import IPRO_STAFF, SPIP_STAFF, Principal, allow
from kernel.http import service_router
from projections import partner_directory

router = service_router("/directory", tags=["directory"])

DirectoryReader = Annotated[
    Principal, Depends(allow(IPRO_STAFF, SPIP_STAFF, "direction", "auditeur", "partenaire"))
]


class DirectoryEntry(BaseModel):
    partner_id: str
    name: str
    siret: str
    organisation_type: OrganisationType
    registered_at: datetime


class DirectoryPage(BaseModel):
    total: int
    items: list[DirectoryEntry]


@router.get("/partners", response_model=DirectoryPage, summary="The partner directory")
async def list_partners(
    principal: DirectoryReader,
    request: Request,
    organisation_type: OrganisationType | None = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the name")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DirectoryPage:
    # A partner sees its own organisation only: the list is filtered, never leaked.
    only_partner = principal.organisation_id or "" if "partenaire" in principal.roles else None
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await partner_directory.search(
            connection,
            organisation_type=organisation_type.value if organisation_type else None,
            name_contains=q,
            only_partner=only_partner,
            limit=limit,
            offset=offset,
        )
    return DirectoryPage(total=total, items=[DirectoryEntry(**dict(r)) for r in rows])
