"""The partner organisation aggregate: State, initial_state, decide, evolve."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.partners import OrganisationType, PartnerRegistered
from kernel.decider import Decider
from partners.domain.commands import Command, RegisterPartner
from partners.domain.errors import InvalidSiret, PartnerAlreadyRegistered
from partners.domain.siret import is_valid_siret


class Partner(BaseModel):
    model_config = ConfigDict(frozen=True)

    registered: bool = False
    partner_id: str | None = None
    name: str | None = None
    siret: str | None = None
    organisation_type: OrganisationType | None = None


initial_state = Partner()


def decide(command: Command, state: Partner) -> list[Event]:
    match command:
        case RegisterPartner():
            if state.registered:
                raise PartnerAlreadyRegistered(f"partner {command.partner_id} is already registered")
            if not is_valid_siret(command.siret):
                raise InvalidSiret("a SIRET is 14 digits whose Luhn checksum holds")
            return [
                PartnerRegistered(
                    partner_id=command.partner_id,
                    name=command.name.strip(),
                    siret=command.siret,
                    organisation_type=command.organisation_type,
                )
            ]
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
    return state


partner = Decider(stream_type="partner", initial_state=initial_state, decide=decide, evolve=evolve)
