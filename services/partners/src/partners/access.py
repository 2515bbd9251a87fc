"""Who may see and act on what in the partners service: pure predicates over the caller and the facts.

A partner organisation sees its own organisation, proposals and actions, and the published calls; staff
see everything. What a partner may not see answers exactly as if it did not exist (404)."""

from __future__ import annotations

from collections.abc import Callable

from kernel.access import Principal
from kernel.errors import DomainError, Forbidden


class TokenWithoutOrganisation(Forbidden):
    code = "token-without-organisation"


def may_see_organisation(principal: Principal, partner_id: str | None) -> bool:
    return principal.organisation_scope is None or principal.organisation_scope == partner_id


def may_see_drafts(principal: Principal) -> bool:
    """Draft calls are internal to IPRO management: an organisation is told nothing about them."""
    return principal.organisation_scope is None


NO_ORGANISATION = ""  # no organisation has this id: a list limited to it is empty


def listed_organisation(principal: Principal, asked: str | None) -> str | None:
    """The organisation a list is limited to: what staff ask for; a partner's own, and an empty list when it
    asks for another one (as for an organisation that does not exist)."""
    scope = principal.organisation_scope
    if scope is None:
        return asked
    return scope if asked in (None, scope) else NO_ORGANISATION


def ensure_sees(principal: Principal, partner_id: str | None, missing: Callable[[str], DomainError]) -> None:
    if not may_see_organisation(principal, partner_id):
        raise missing(f"no partner {partner_id}")


def own_organisation(principal: Principal) -> str:
    """The organisation a partner acts for: its token must name one."""
    if not principal.organisation_scope:
        raise TokenWithoutOrganisation("the token names no partner organisation")
    return principal.organisation_scope
