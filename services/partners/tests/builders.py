"""Test builders with overrides, instead of copy-pasted dictionaries."""

from contracts.partners import OrganisationType, PartnerRegistered
from partners.domain.commands import RegisterPartner

VALID_SIRET = "73282932000074"


def register_partner(**overrides) -> RegisterPartner:
    values = dict(
        partner_id="partner-1", name="Association Ressources Emploi", siret=VALID_SIRET,
        organisation_type=OrganisationType.ASSOCIATION,
    )
    return RegisterPartner(**{**values, **overrides})


def a_partner_registered(**overrides) -> PartnerRegistered:
    values = dict(
        partner_id="partner-1", name="Association Ressources Emploi", siret=VALID_SIRET,
        organisation_type=OrganisationType.ASSOCIATION,
    )
    return PartnerRegistered(**{**values, **overrides})
