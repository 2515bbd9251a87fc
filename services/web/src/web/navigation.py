"""The main navigation, by role: which pages a user is offered. Links only; each page's data comes from a
service that checks the token itself, so a link shown to the wrong role gets a refusal, not the data."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.roles import IPRO_STAFF, PARTNER, SPIP_STAFF

# The roles with a work queue of their own (projections' `/queues/mine`).
QUEUE_OWNERS = frozenset({"cpip", "dpip", "ipro_conseiller", "ipro_chef", "ripro", "direction"})
# The staff who follow people and look them up by name (auditors read pseudonyms, partners nobody's file).
STAFF = SPIP_STAFF | IPRO_STAFF | {"direction"}


@dataclass(frozen=True)
class Link:
    label: str
    path: str
    roles: frozenset[str]


LINKS: tuple[Link, ...] = (
    Link("Ma file de travail", "/file-de-travail", QUEUE_OWNERS),
    # Psychologists and social workers work on the assessments they were asked to contribute to.
    Link("Mes contributions", "/contributions", frozenset({"psychologue", "assistant_social"})),
    Link("Rechercher une personne", "/personnes", STAFF),
    Link("Journal d'audit", "/audit", frozenset({"auditeur"})),
    Link("Vérification du journal", "/audit/verification", frozenset({"auditeur"})),
    Link("Journal des consultations", "/audit/consultations", frozenset({"auditeur", "dpip"})),
    # The establishment's days: its week and conflicts, the movement list, the indicators (issue 15's views).
    Link("La semaine", "/semaine", STAFF),
    Link("Mouvements du jour", "/mouvements", IPRO_STAFF | {"direction", "dpip", "auditeur"}),
    Link("Indicateurs", "/indicateurs", frozenset({"direction", "dpip", "ipro_chef", "ripro", "auditeur"})),
    Link("Programmes", "/programmes", SPIP_STAFF | {"direction"}),
    # The partner portal: a partner lands on the calls (its first link); IPRO reviews the proposals.
    Link("Appels à manifestation d'intérêt", "/appels", IPRO_STAFF | {PARTNER, "dpip"}),
    Link("Nos propositions", "/propositions", frozenset({PARTNER})),
    Link("Propositions des partenaires", "/propositions", frozenset({"ipro_chef", "ripro", "dpip"})),
    Link("Parcours IPRO", "/parcours", IPRO_STAFF | {"direction"}),
)


def links_for(role: str) -> list[Link]:
    return [link for link in LINKS if role in link.roles]


def home_of(role: str) -> str:
    """Where a user lands after logging in: their first page, else the page saying they have none yet."""
    links = links_for(role)
    return links[0].path if links else "/accueil"
