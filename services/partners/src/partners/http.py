"""HTTP routes of the partners service: parse, authorise, call a handler, translate."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from contracts import EventEnvelope
from contracts.partners import OrganisationType
from kernel.auth import IPRO_STAFF, SPIP_STAFF, Principal, allow, ensure_organisation
from kernel.commands import Commands
from kernel.errors import NotFound
from kernel.http import service_router
from partners import handlers
from partners.domain.commands import RegisterPartner
from partners.domain.partner import Partner

router = service_router("/partners", tags=["partners"])

# Registering organisations is IPRO management's and the SPIP director's call (issue: partners service).
Registrar = Annotated[Principal, Depends(allow("ipro_chef", "ripro", "dpip"))]
Reader = Annotated[Principal, Depends(allow(IPRO_STAFF, SPIP_STAFF, "direction", "auditeur", "partenaire"))]
PartnerId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


class RegisterPartnerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Association Ressources Emploi"])
    siret: str = Field(max_length=20, description="14 digits, Luhn-checked", examples=["73282932000074"])
    organisation_type: OrganisationType


class PartnerView(BaseModel):
    partner_id: str
    name: str
    siret: str
    organisation_type: OrganisationType
    registered_at: datetime
    version: int


@router.post("", status_code=201, response_model=PartnerView, summary="Register a partner organisation")
async def register_partner(body: RegisterPartnerRequest, principal: Registrar, commands: Commands):
    command = RegisterPartner(partner_id=str(uuid.uuid4()), **body.model_dump())

    async def action(session, metadata):
        outcome = await handlers.register_partner(session, command, metadata)
        # A registration opens the stream: its first event is the registration.
        return _view(outcome.state, first=outcome.events[0], last=outcome.events[-1])

    return await commands.run(principal, action, location=lambda view: f"/partners/{view['partner_id']}")


@router.get("/{partner_id}", response_model=PartnerView, summary="A partner organisation")
async def get_partner(partner_id: PartnerId, principal: Reader, request: Request) -> PartnerView:
    ensure_organisation(principal, partner_id)
    state, stream = await handlers.get_partner(request.app.state.event_store, partner_id)
    if not state.registered:
        raise NotFound(f"no partner {partner_id}")
    return _view(state, first=stream[0], last=stream[-1])


def _view(state: Partner, *, first: EventEnvelope, last: EventEnvelope) -> PartnerView:
    return PartnerView(
        partner_id=state.partner_id, name=state.name, siret=state.siret,
        organisation_type=state.organisation_type, registered_at=first.occurred_at, version=last.stream_version,
    )
