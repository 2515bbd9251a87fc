"""Partner organisations: registration, contact persons, accreditation for access to the establishment,
suspension, withdrawal. A partner sees its own organisation only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from contracts import personal_data
from contracts.partners import ACCREDITATION_ALERT_DAYS, OrganisationType
from kernel.aggregates import Aggregate
from kernel.api import After, Db, Id, Label, Limit, Now, Page, Reason, RequestBody, Store, Today
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal
from partners import access, handlers, queries
from partners.domain import commands as c
from partners.domain.partner import Accreditation, Contact, Partner
from partners.http.common import Accreditor, ContactEditor, Manager, Reader

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
    reason: Reason


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
    # Why the organisation may no longer come in: free text that may name one of its people (ADR 31).
    suspension_reason: str | None = personal_data()
    contacts: list[Contact]
    version: int


class OrganisationSummary(BaseModel):
    partner_id: str
    name: str
    organisation_type: OrganisationType
    accreditation: Accreditation
    accredited_until: date | None
    expiry_alert: bool = Field(description=f"accredited, expiring within {ACCREDITATION_ALERT_DAYS} days")


@router.post("", status_code=201, response_model=PartnerView, summary="Register a partner organisation")
async def register_partner(
    body: RegisterPartnerRequest, principal: Manager, commands: Commands, today: Today
):
    command = c.RegisterPartner(partner_id=str(uuid.uuid4()), **body.model_dump())

    async def action(session, metadata):
        return _view(await handlers.register_partner(session, command, metadata), today)

    return await commands.run(principal, action, location="/partners/{partner_id}")


@router.post(
    "/{partner_id}/contacts", status_code=201, response_model=PartnerView, summary="Add a contact person"
)
async def add_contact(
    partner_id: Id, body: ContactPersonRequest, principal: ContactEditor, commands: Commands, today: Today
):
    command = c.AddContactPerson(contact_id=str(uuid.uuid4()), **body.model_dump())
    return await _change(partner_id, command, principal, commands, today, status_code=201)


@router.post(
    "/{partner_id}/contacts/{contact_id}/remove",
    response_model=PartnerView,
    summary="Remove a contact person",
)
async def remove_contact(
    partner_id: Id, contact_id: Id, principal: ContactEditor, commands: Commands, today: Today
):
    return await _change(partner_id, c.RemoveContactPerson(contact_id=contact_id), principal, commands, today)


@router.post(
    "/{partner_id}/accredit",
    response_model=PartnerView,
    summary="Accredit (or renew) the organisation's access to the establishment",
)
async def accredit(
    partner_id: Id, body: AccreditRequest, principal: Accreditor, commands: Commands, now: Now, today: Today
):
    command = c.AccreditPartner(**body.model_dump(), now=now)
    return await _change(partner_id, command, principal, commands, today)


@router.post("/{partner_id}/suspend", response_model=PartnerView, summary="Suspend the accreditation")
async def suspend(
    partner_id: Id, body: ReasonRequest, principal: Accreditor, commands: Commands, today: Today
):
    return await _change(partner_id, c.SuspendPartner(reason=body.reason), principal, commands, today)


@router.post("/{partner_id}/reinstate", response_model=PartnerView, summary="Lift a suspension")
async def reinstate(partner_id: Id, principal: Accreditor, commands: Commands, today: Today):
    return await _change(partner_id, c.ReinstatePartner(), principal, commands, today)


@router.post(
    "/{partner_id}/withdraw", response_model=PartnerView, summary="Stop working with the organisation"
)
async def withdraw(partner_id: Id, body: ReasonRequest, principal: Manager, commands: Commands, today: Today):
    return await _change(partner_id, c.WithdrawPartner(reason=body.reason), principal, commands, today)


async def _change(
    partner_id: str, command: c.Command, principal, commands: Commands, today: date, status_code: int = 200
):
    async def action(session, metadata):
        return _view(
            await handlers.organisation_command(session, partner_id, command, metadata, principal), today
        )

    return await commands.run(principal, action, status_code=status_code, resource="/partners/{partner_id}")


@router.get(
    "",
    response_model=Page[OrganisationSummary],
    summary="Organisations, with their accreditation and expiry alerts first",
)
async def list_organisations(
    principal: Reader,
    db: Db,
    today: Today,
    accreditation: Accreditation | None = None,
    expiry_alert: bool | None = None,
    limit: Limit = 100,
    after: After = None,
) -> Page[OrganisationSummary]:
    async with db.acquire() as connection:
        listed = await queries.organisations(
            connection,
            today=today,
            accreditation=accreditation.value if accreditation else None,
            expiring_soon=expiry_alert,
            only_partner=access.listed_organisation(principal, None),
            limit=limit,
            after=after,
        )
    return Page.of(listed, [OrganisationSummary.model_validate(dict(row)) for row in listed.rows])


@router.get("/{partner_id}", response_model=PartnerView, summary="A partner organisation")
async def get_partner(
    partner_id: Id, principal: Reader, store: Store, today: Today, journal: Journal
) -> PartnerView:
    # Its contact persons are personal data (ADR 22): journaled, and auditors read them masked (ADR 31).
    found = await handlers.read_organisation(store, partner_id, principal)
    journal.consulted(establishment=found.state.establishment)
    return _view(found, today)


def _view(organisation: Aggregate[Partner], today: date) -> PartnerView:
    state = organisation.state
    return PartnerView(
        partner_id=state.partner_id,
        name=state.name,
        siret=state.siret,
        organisation_type=state.organisation_type,
        registered_at=organisation.created_at,
        establishment=state.establishment,
        accreditation=state.accreditation(today),
        accredited_until=state.accredited_until,
        accreditation_expires_soon=state.expiry_alert(today),
        suspension_reason=state.suspension_reason,
        contacts=list(state.contacts),
        version=organisation.version,
    )
