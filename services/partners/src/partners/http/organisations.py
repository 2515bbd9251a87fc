"""Partner organisations: registration, contact persons, accreditation for access to the establishment,
suspension, withdrawal. A partner sees its own organisation only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import Request
from pydantic import BaseModel, Field

from contracts import EventEnvelope
from contracts.partners import OrganisationType
from kernel.api import Limit, Offset, Page, RequestBody, now
from kernel.auth import Principal, ensure_organisation, organisation_scope
from kernel.commands import Commands
from kernel.http import service_router
from partners import handlers, queries
from partners.domain import commands as c
from partners.domain.errors import PartnerNotFound
from partners.domain.partner import Accreditation, Contact, Partner, partner
from partners.http.common import Accreditor, ContactEditor, Id, Label, Manager, Reader, today

router = service_router("/partners", tags=["partner organisations"])


class RegisterPartnerRequest(RequestBody):
    name: Label = Field(examples=["Association Ressources Emploi"])
    siret: str = Field(max_length=20, description="14 digits, Luhn-checked", examples=["73282932000074"])
    organisation_type: OrganisationType


class ContactPersonRequest(RequestBody):
    full_name: Label
    job_title: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40, pattern=r"^[0-9+ ().-]{6,40}$")


class AccreditRequest(RequestBody):
    establishment: Label = Field(examples=["InSERRE Arras"])
    accredited_until: date


class ReasonRequest(RequestBody):
    reason: str = Field(min_length=1, max_length=1000)


class PartnerView(BaseModel):
    partner_id: str
    name: str
    siret: str
    organisation_type: OrganisationType
    registered_at: datetime
    establishment: str | None
    accreditation: Accreditation
    accredited_until: date | None
    accreditation_expires_soon: bool
    suspension_reason: str | None
    contacts: list[Contact]
    version: int


class OrganisationSummary(BaseModel):
    partner_id: str
    name: str
    organisation_type: OrganisationType
    accreditation: Accreditation
    accredited_until: date | None
    expiry_alert: bool = Field(description=f"accredited, expiring within {queries.EXPIRY_ALERT_DAYS} days")


@router.post("", status_code=201, response_model=PartnerView, summary="Register a partner organisation")
async def register_partner(body: RegisterPartnerRequest, principal: Manager, commands: Commands, request: Request):
    command = c.RegisterPartner(partner_id=str(uuid.uuid4()), **body.model_dump())

    async def action(session, metadata):
        outcome = await handlers.register_partner(session, command, metadata)
        # A registration opens the stream: its first event is the registration.
        return _view(outcome.state, outcome.events[0], outcome.events[-1], request)

    return await commands.run(principal, action, location=lambda view: f"/partners/{view['partner_id']}")


@router.post("/{partner_id}/contacts", status_code=201, response_model=PartnerView, summary="Add a contact person")
async def add_contact(partner_id: Id, body: ContactPersonRequest, principal: ContactEditor, commands: Commands,
                      request: Request):
    command = c.AddContactPerson(contact_id=str(uuid.uuid4()), **body.model_dump())
    return await _change(partner_id, command, principal, commands, request, status_code=201)


@router.post("/{partner_id}/contacts/{contact_id}/remove", response_model=PartnerView,
             summary="Remove a contact person")
async def remove_contact(partner_id: Id, contact_id: Id, principal: ContactEditor, commands: Commands,
                         request: Request):
    return await _change(partner_id, c.RemoveContactPerson(contact_id=contact_id), principal, commands, request)


@router.post("/{partner_id}/accredit", response_model=PartnerView,
             summary="Accredit (or renew) the organisation's access to the establishment")
async def accredit(partner_id: Id, body: AccreditRequest, principal: Accreditor, commands: Commands,
                   request: Request):
    command = c.AccreditPartner(**body.model_dump(), now=now(request))
    return await _change(partner_id, command, principal, commands, request)


@router.post("/{partner_id}/suspend", response_model=PartnerView, summary="Suspend the accreditation")
async def suspend(partner_id: Id, body: ReasonRequest, principal: Accreditor, commands: Commands, request: Request):
    return await _change(partner_id, c.SuspendPartner(reason=body.reason), principal, commands, request)


@router.post("/{partner_id}/reinstate", response_model=PartnerView, summary="Lift a suspension")
async def reinstate(partner_id: Id, principal: Accreditor, commands: Commands, request: Request):
    return await _change(partner_id, c.ReinstatePartner(), principal, commands, request)


@router.post("/{partner_id}/withdraw", response_model=PartnerView, summary="Stop working with the organisation")
async def withdraw(partner_id: Id, body: ReasonRequest, principal: Manager, commands: Commands, request: Request):
    return await _change(partner_id, c.WithdrawPartner(reason=body.reason), principal, commands, request)


async def _change(partner_id: str, command: c.Command, principal: Principal, commands, request: Request,
                  status_code: int = 200):
    async def action(session, metadata):
        outcome = await handlers.organisation_command(session, partner_id, command, metadata, principal)
        stream = await session.read_stream(partner_id)
        return _view(outcome.state, stream[0], stream[-1], request)

    return await commands.run(principal, action, status_code=status_code)


@router.get("", response_model=Page[OrganisationSummary],
            summary="Organisations, with their accreditation and expiry alerts first")
async def list_organisations(
    principal: Reader, request: Request, accreditation: Accreditation | None = None,
    expiry_alert: bool | None = None, limit: Limit = 100, offset: Offset = 0,
) -> Page[OrganisationSummary]:
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await queries.organisations(
            connection, today=today(request), accreditation=accreditation.value if accreditation else None,
            expiring_soon=expiry_alert, only_partner=organisation_scope(principal), limit=limit, offset=offset,
        )
    return Page(total=total, items=[OrganisationSummary.model_validate(dict(row)) for row in rows])


@router.get("/{partner_id}", response_model=PartnerView, summary="A partner organisation")
async def get_partner(partner_id: Id, principal: Reader, request: Request) -> PartnerView:
    ensure_organisation(principal, partner_id)
    state, stream = await handlers.current(request.app.state.event_store, partner, partner_id)
    if not state.registered:
        raise PartnerNotFound(f"no partner {partner_id}")
    return _view(state, stream[0], stream[-1], request)


def _view(state: Partner, first: EventEnvelope, last: EventEnvelope, request: Request) -> PartnerView:
    on = today(request)
    accreditation = state.accreditation(on)
    expires_soon = accreditation == Accreditation.ACCREDITED and (
        (state.accredited_until - on).days < queries.EXPIRY_ALERT_DAYS
    )
    return PartnerView(
        partner_id=state.partner_id, name=state.name, siret=state.siret, organisation_type=state.organisation_type,
        registered_at=first.occurred_at, establishment=state.establishment, accreditation=accreditation,
        accredited_until=state.accredited_until, accreditation_expires_soon=expires_soon,
        suspension_reason=state.suspension_reason, contacts=list(state.contacts), version=last.stream_version,
    )
