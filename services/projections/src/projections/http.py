"""HTTP routes of the projections service: read views only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from contracts.partners import ActionType, OrganisationType
from contracts.roles import IPRO_STAFF, PARTNER, SPIP_STAFF
from kernel.api import After, Db, Limit, Now, Page, Today, day_query
from kernel.auth import Principal, allow
from kernel.http import service_router
from projections import catalogue, partner_directory
from projections.partner_directory import AccreditationStatus

router = service_router("/directory", tags=["directory"])

DirectoryReader = Annotated[
    Principal, Depends(allow(IPRO_STAFF, SPIP_STAFF, "direction", "auditeur", PARTNER))
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


class CatalogueSession(BaseModel):
    session_id: str
    starts_at: datetime
    ends_at: datetime
    place: str
    seats_left: int = Field(description="the action's capacity minus the places IPRO's positionings hold")


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


@router.get("/partners", response_model=Page[DirectoryEntry], summary="The partner directory")
async def list_partners(
    principal: DirectoryReader,
    db: Db,
    today: Today,
    organisation_type: OrganisationType | None = None,
    accreditation_status: AccreditationStatus | None = None,
    q: Annotated[str | None, Query(max_length=100, description="part of the name")] = None,
    limit: Limit = 100,
    after: After = None,
) -> Page[DirectoryEntry]:
    async with db.acquire() as connection:
        listed = await partner_directory.search(
            connection,
            today=today,
            organisation_type=organisation_type.value if organisation_type else None,
            name_contains=q,
            accreditation_status=accreditation_status.value if accreditation_status else None,
            only_partner=principal.organisation_scope,
            limit=limit,
            after=after,
        )
    return Page.of(listed, [DirectoryEntry(**dict(r)) for r in listed.rows])


@router.get(
    "/catalogue",
    response_model=Page[CatalogueAction],
    summary="The catalogue: published actions still open, with their coming sessions",
)
async def list_catalogue(
    principal: DirectoryReader,
    db: Db,
    now: Now,
    action_type: ActionType | None = None,
    theme: Annotated[str | None, Query(max_length=200)] = None,
    starts_from: Annotated[date | None, day_query("sessions on or after this day")] = None,
    starts_until: Annotated[date | None, day_query("sessions on or before this day")] = None,
    limit: Limit = 100,
    after: After = None,
) -> Page[CatalogueAction]:
    async with db.acquire() as connection:
        listed, items = await catalogue.search(
            connection,
            now=now,
            action_type=action_type.value if action_type else None,
            theme=theme,
            starts_from=starts_from,
            starts_until=starts_until,
            only_partner=principal.organisation_scope,
            limit=limit,
            after=after,
        )
    return Page.of(listed, [CatalogueAction(**item) for item in items])
