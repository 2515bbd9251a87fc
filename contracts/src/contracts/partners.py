"""Events of the partners service (calls for expression of interest, partner organisations, proposals)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from contracts.events import Event


class OrganisationType(StrEnum):
    ASSOCIATION = "association"
    FRANCE_TRAVAIL = "france_travail"
    MISSION_LOCALE = "mission_locale"
    TRAINING_BODY = "training_body"
    CONCESSION_COMPANY = "concession_company"
    IAE_STRUCTURE = "iae_structure"
    TEMP_AGENCY = "temp_agency"
    LOCAL_AUTHORITY = "local_authority"
    OTHER = "other"


class PartnerRegistered(Event):
    """A partner organisation was registered with the establishment."""

    event_type = "partners.partner.registered"
    schema_version = 1

    partner_id: str
    name: str = Field(min_length=1, max_length=200)
    siret: str = Field(pattern=r"^\d{14}$")
    organisation_type: OrganisationType
