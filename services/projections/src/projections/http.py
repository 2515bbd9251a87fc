"""HTTP routes of the projections service: read views only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from contracts.partners import ActionType, OrganisationType
from kernel.api import Limit, Offset, now
from kernel.auth import IPRO_STAFF, SPIP_STAFF, Principal, allow, organisation_scope
from kernel.clock import local_date
from kernel.http import service_router
from projections import catalogue, partner_directory
from projections.partner_directory import AccreditationStatus

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
    accreditation_status: AccreditationStatus
    accredited_until: date | None
    accreditation_expires_soon: bool


class DirectoryPage(BaseModel):
    total: int
    items: list[DirectoryEntry]


class CatalogueSession(BaseModel):
    session_id: str
    starts_at: datetime
    ends_at: datetime
    place: str


class CatalogueAction(BaseModel):
    action_id: str
    partner_id: str
    partner_name: str | None  # None until the directory has seen the organisation
    title: str
    action_type: ActionType
    theme: str
    capacity_min: int
    capacity_max: int
    sessions: list[CatalogueSession]


class CataloguePage(BaseModel):
    total: int
    items: list[CatalogueAction]


@router.get("/partners", response_model=DirectoryPage, summary="The partner directory")
async def list_partners(
    principal: DirectoryReader,
    request: Request,
    organisation_type: OrganisationType | None = None,
    accreditation_status: AccreditationStatus | None = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the name")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> DirectoryPage:
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await partner_directory.search(
            connection,
            today=local_date(now(request)),
            organisation_type=organisation_type.value if organisation_type else None,
            name_contains=q,
            accreditation_status=accreditation_status.value if accreditation_status else None,
            only_partner=organisation_scope(principal),
            limit=limit,
            offset=offset,
        )
    return DirectoryPage(total=total, items=[DirectoryEntry(**dict(r)) for r in rows])


@router.get(
    "/catalogue", response_model=CataloguePage,
    summary="The catalogue: published actions still open, with their coming sessions",
)
async def list_catalogue(
    principal: DirectoryReader,
    request: Request,
    action_type: ActionType | None = None,
    theme: Annotated[str | None, Query(max_length=200)] = None,
    starts_from: Annotated[date | None, Query(description="sessions on or after this day")] = None,
    starts_until: Annotated[date | None, Query(description="sessions on or before this day")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> CataloguePage:
    async with request.app.state.event_store.pool.acquire() as connection:
        total, items = await catalogue.search(
            connection,
            now=now(request),
            action_type=action_type.value if action_type else None,
            theme=theme,
            starts_from=starts_from,
            starts_until=starts_until,
            only_partner=organisation_scope(principal),
            limit=limit,
            offset=offset,
        )
    return CataloguePage(total=total, items=[CatalogueAction(**item) for item in items])
