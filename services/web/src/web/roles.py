"""The establishment's roles as users read them, and the demo identities of the local login. The role names
are the published language's (`contracts.roles`); what each role may do is the services' to decide."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.roles import PARTNER

ROLE_LABELS: dict[str, str] = {
    "cpip": "Conseiller pénitentiaire d'insertion et de probation (CPIP)",
    "dpip": "Directeur pénitentiaire d'insertion et de probation (DPIP)",
    "psychologue": "Psychologue",
    "assistant_social": "Assistant de service social",
    "ipro_conseiller": "Conseiller d'insertion professionnelle (pôle IPRO)",
    "ipro_chef": "Chef du pôle IPRO",
    "ripro": "Responsable local de l'insertion professionnelle (RLIP)",
    "direction": "Direction de l'établissement (greffe, chef d'établissement)",
    PARTNER: "Organisation partenaire",
    "auditeur": "Auditeur",
}


# As the header names the logged-in user, in a few words.
ROLE_SHORT: dict[str, str] = {
    "cpip": "CPIP",
    "dpip": "DPIP",
    "psychologue": "Psychologue",
    "assistant_social": "Assistant social",
    "ipro_conseiller": "Conseiller IPRO",
    "ipro_chef": "Chef du pôle IPRO",
    "ripro": "RLIP",
    "direction": "Direction",
    PARTNER: "Partenaire",
    "auditeur": "Auditeur",
}


@dataclass(frozen=True)
class DemoUser:
    subject: str  # the token's `sub`: "cpip-1" is the referent the demo's and the tests' cases name
    role: str
    name: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("cpip-1", "cpip", "Camille Laurent"),
    DemoUser("cpip-2", "cpip", "Julien Moreau"),
    DemoUser("dpip-1", "dpip", "Sophie Bernard"),
    DemoUser("psychologue-1", "psychologue", "Hélène Petit"),
    DemoUser("assistant_social-1", "assistant_social", "Karim Haddad"),
    DemoUser("ipro_conseiller-1", "ipro_conseiller", "Nadia Roux"),
    DemoUser("ipro_chef-1", "ipro_chef", "Thomas Girard"),
    DemoUser("ripro-1", "ripro", "Élise Fontaine"),
    DemoUser("direction-1", "direction", "Marc Lefèvre"),
    DemoUser("partenaire-1", PARTNER, "Léa Garnier"),
    DemoUser("auditeur-1", "auditeur", "Paul Mercier"),
)


def demo_user(subject: str) -> DemoUser | None:
    return next((user for user in DEMO_USERS if user.subject == subject), None)


def main_role(roles: list[str]) -> str | None:
    """The role a token's user works in: an auditor's token holding another role reads as an auditor's, as
    the services read it (docs/audit.md); otherwise the first role the establishment knows."""
    if "auditeur" in roles:
        return "auditeur"
    return next((role for role in roles if role in ROLE_LABELS), None)
