"""Commands of the partners domain: what a user asks for, in the imperative."""

from pydantic import BaseModel, ConfigDict

from contracts.partners import OrganisationType


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegisterPartner(Command):
    partner_id: str
    name: str
    siret: str
    organisation_type: OrganisationType
