"""The establishment's roles (ARCHITECTURE.md §6), as tokens carry them and events record them (`Actor.role`).

Part of the published language: every service, and the kernel's token check through `ESTABLISHMENT`,
reads roles from here, so the kernel itself names none."""

from __future__ import annotations

from dataclasses import dataclass

SPIP_STAFF = frozenset({"cpip", "dpip", "psychologue", "assistant_social"})
IPRO_STAFF = frozenset({"ipro_conseiller", "ipro_chef", "ripro"})
PARTNER = "partenaire"
ROLES = SPIP_STAFF | IPRO_STAFF | {"direction", PARTNER, "auditeur"}


@dataclass(frozen=True)
class RoleModel:
    """The roles a service trusts, and those limited to the organisation their token names (its
    `organisation_claim`): a partner without one sees nothing, never everything. Every other role is limited
    to the establishments its token lists (`establishment_claim`), none when it lists none (ADR 26)."""

    roles: frozenset[str]
    organisation_roles: frozenset[str]
    organisation_claim: str = "org"
    establishment_claim: str = "establishments"
    # Roles that read personal data under pseudonyms unless they break the glass (`kernel.pseudonyms`).
    pseudonymised_roles: frozenset[str] = frozenset()


ESTABLISHMENT = RoleModel(
    roles=ROLES, organisation_roles=frozenset({PARTNER}), pseudonymised_roles=frozenset({"auditeur"})
)
