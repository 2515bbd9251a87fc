"""The partner organisation: registered → accredited (until an expiry date) → suspended ⇄ reinstated;
withdrawn is final. Its contact persons are personal data."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.partners import (
    ContactPersonAdded,
    ContactPersonRemoved,
    OrganisationType,
    PartnerAccredited,
    PartnerRegistered,
    PartnerReinstated,
    PartnerSuspended,
    PartnerWithdrawn,
    accreditation_expires_soon,
)
from kernel.clock import local_date
from kernel.decider import Decider
from kernel.wording import day
from partners.domain import errors, names
from partners.domain.commands import (
    AccreditPartner,
    AddContactPerson,
    Command,
    RegisterPartner,
    ReinstatePartner,
    RemoveContactPerson,
    SuspendPartner,
    WithdrawPartner,
)
from partners.domain.facts import PartnerStanding
from partners.domain.siret import is_valid_siret


class Accreditation(StrEnum):
    NONE = "none"
    ACCREDITED = "accredited"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


class Contact(BaseModel):
    model_config = ConfigDict(frozen=True)

    contact_id: str
    full_name: str
    job_title: str
    email: str | None
    phone: str | None


class Partner(BaseModel):
    model_config = ConfigDict(frozen=True)

    registered: bool = False
    partner_id: str | None = None
    name: str | None = None
    siret: str | None = None
    organisation_type: OrganisationType | None = None
    establishment: str | None = None
    accredited_until: date | None = None
    suspended: bool = False
    suspension_reason: str | None = None
    withdrawn: bool = False
    contacts: tuple[Contact, ...] = ()

    def accreditation(self, on: date) -> Accreditation:
        if self.withdrawn:
            return Accreditation.WITHDRAWN
        if self.suspended:
            return Accreditation.SUSPENDED
        if self.accredited_until is None:
            return Accreditation.NONE
        return Accreditation.ACCREDITED if self.accredited_until >= on else Accreditation.EXPIRED

    def expiry_alert(self, on: date) -> bool:
        """Accredited, and due for renewal soon (`contracts.partners.accreditation_expires_soon`)."""
        return self.accreditation(on) == Accreditation.ACCREDITED and accreditation_expires_soon(
            self.accredited_until, on
        )


initial_state = Partner()


def standing(state: Partner) -> PartnerStanding:
    return PartnerStanding(
        partner_id=state.partner_id,
        name=state.name or names.ORGANISATION,
        withdrawn=state.withdrawn,
        suspended=state.suspended,
        accredited_until=state.accredited_until,
    )


def ensure_may_host(partner: PartnerStanding, on: date) -> None:
    """An organisation runs sessions in the establishment only while accredited, on the session's day."""
    if partner.withdrawn:
        raise errors.PartnerWithdrawn(f"{partner.name} was withdrawn")
    if partner.suspended:
        raise errors.PartnerSuspended(f"the accreditation of {partner.name} is suspended")
    if partner.accredited_until is None:
        raise errors.PartnerNotAccredited(f"{partner.name} is not accredited for access to the establishment")
    if partner.accredited_until < on:
        raise errors.PartnerAccreditationExpired(
            f"the accreditation of {partner.name} ends on {day(partner.accredited_until)}, before {day(on)}"
        )


def decide(command: Command, state: Partner, facts: None = None) -> list[Event]:
    if isinstance(command, RegisterPartner):
        if state.registered:
            raise errors.PartnerAlreadyRegistered(
                f"{state.name} (SIRET {state.siret}) is already registered",
                existing=f"/partners/{command.partner_id}",
                partner_id=command.partner_id,
            )
        if not is_valid_siret(command.siret):
            raise errors.SiretInvalid(
                f"the SIRET {command.siret} is invalid: a SIRET is 14 digits whose Luhn checksum holds"
            )
        return [
            PartnerRegistered(
                partner_id=command.partner_id,
                name=command.name.strip(),
                siret=command.siret,
                organisation_type=command.organisation_type,
            )
        ]
    if not state.registered:
        raise errors.PartnerNotFound("no such partner organisation")
    name = state.name
    if state.withdrawn:
        raise errors.PartnerWithdrawn(f"{name} was withdrawn: nothing more can be recorded")
    partner_id = state.partner_id
    match command:
        case AddContactPerson():
            if listed := next((c for c in state.contacts if c.contact_id == command.contact_id), None):
                raise errors.ContactPersonAlreadyAdded(
                    f"{listed.full_name} is already a contact person of {name}", contact_id=command.contact_id
                )
            return [ContactPersonAdded(partner_id=partner_id, **command.model_dump())]
        case RemoveContactPerson():
            if all(c.contact_id != command.contact_id for c in state.contacts):
                raise errors.ContactPersonNotFound(
                    f"{name} has no contact person {command.contact_id}", contact_id=command.contact_id
                )
            return [ContactPersonRemoved(partner_id=partner_id, contact_id=command.contact_id)]
        case AccreditPartner():
            if state.suspended:
                raise errors.PartnerSuspended(
                    f"{name} is suspended: reinstate it before renewing its accreditation"
                )
            if command.accredited_until <= local_date(command.now):
                raise errors.AccreditationExpiryInThePast(
                    f"the accreditation of {name} must end after today, not on {day(command.accredited_until)}"
                )
            return [
                PartnerAccredited(
                    partner_id=partner_id,
                    establishment=command.establishment,
                    accredited_until=command.accredited_until,
                )
            ]
        case SuspendPartner():
            if state.suspended:
                raise errors.PartnerSuspended(f"{name} is already suspended")
            if state.accredited_until is None:
                raise errors.PartnerNotAccredited(
                    f"{name} is not accredited: only an accredited organisation can be suspended"
                )
            return [PartnerSuspended(partner_id=partner_id, reason=command.reason)]
        case ReinstatePartner():
            if not state.suspended:
                raise errors.PartnerNotSuspended(f"{name} is not suspended")
            return [PartnerReinstated(partner_id=partner_id)]
        case WithdrawPartner():
            return [PartnerWithdrawn(partner_id=partner_id, reason=command.reason)]
    raise TypeError(f"the partner aggregate does not handle {type(command).__name__}")


def evolve(state: Partner, event: Event) -> Partner:
    match event:
        case PartnerRegistered():
            return Partner(
                registered=True,
                partner_id=event.partner_id,
                name=event.name,
                siret=event.siret,
                organisation_type=event.organisation_type,
            )
        case ContactPersonAdded():
            contact = Contact(**event.model_dump(exclude={"partner_id"}))
            return state.model_copy(update={"contacts": (*state.contacts, contact)})
        case ContactPersonRemoved():
            kept = tuple(c for c in state.contacts if c.contact_id != event.contact_id)
            return state.model_copy(update={"contacts": kept})
        case PartnerAccredited():
            return state.model_copy(
                update={"establishment": event.establishment, "accredited_until": event.accredited_until}
            )
        case PartnerSuspended():
            return state.model_copy(update={"suspended": True, "suspension_reason": event.reason})
        case PartnerReinstated():
            return state.model_copy(update={"suspended": False, "suspension_reason": None})
        case PartnerWithdrawn():
            return state.model_copy(update={"withdrawn": True})
    return state


partner = Decider(stream_type="partner", initial_state=initial_state, decide=decide, evolve=evolve)
