"""The one vocabulary of access refusals. Each service's `access.py` holds pure predicates over the caller
and the facts of what they ask for; its handlers and queries apply them at one place and raise these.

The kernel knows no role names: which roles exist, which are limited to a caseload or an organisation, is
the services' business (`contracts.roles` and each `access.py`)."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.errors import Forbidden


@dataclass(frozen=True)
class Principal:
    """Who is calling, as their verified token says (`kernel.auth`)."""

    subject: str
    roles: frozenset[str]
    organisation_id: str | None = None
    # The organisation the caller is limited to ("" when its token names none: it then sees nothing);
    # None for a caller limited by no organisation.
    organisation_scope: str | None = None
    # The role the route's policy admitted the caller with (`auth.Policy.check`): the one exercised.
    acting_role: str | None = None
    # The establishments whose people, cases and groups the caller reaches: their token's `establishments`
    # (none when it names none: nothing, never everything); None for a caller limited by an organisation
    # instead (partners). ADR 26.
    establishments: frozenset[str] | None = frozenset()

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)

    def reaches(self, establishment: str | None) -> bool:
        """Whether the caller's perimeter holds this establishment (exactly as the services record it)."""
        return self.establishments is None or establishment in self.establishments

    @property
    def perimeter(self) -> list[str] | None:
        """The perimeter as a list queries filter on (`establishment = ANY($n)`); None: no filter."""
        return None if self.establishments is None else sorted(self.establishments)

    @property
    def role(self) -> str:
        """The role recorded as the actor of events: the one exercised, else the first by name."""
        return self.acting_role or sorted(self.roles)[0]


class RoleNotAllowed(Forbidden):
    code = "role-not-allowed"


class NotOnCaseload(Forbidden):
    """The caller sees this person's case but does not follow them, so may not act on it."""

    code = "not-on-caseload"


class OrganisationNotAllowed(Forbidden):
    """The caller is limited to an organisation, and this action needs one it is not."""

    code = "organisation-not-allowed"


class EstablishmentNotReached(Forbidden):
    """The caller would create something in an establishment outside their perimeter (ADR 26)."""

    code = "establishment-not-reached"
