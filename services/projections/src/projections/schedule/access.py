"""Who reads what of the schedule (ARCHITECTURE.md §6, issue 15): pure predicates over the caller.

* Staff roles read the establishment's schedule; participants' names only the SPIP and IPRO roles and the
  direction; auditors under the persons' pseudonyms (the kernel's step, `kernel.pseudonyms`), by name when
  they break the glass (ADR 31).
* A partner reads only its own action sessions and the people positioned on them, by id: its token's
  organisation (`Principal.organisation_scope`), nothing when the token names none.
* Calendars and conflicts are for the staff who arrange people's days.
* Staff and auditors read the items and conflicts of the establishments their token lists (ADR 26), a
  session's being its group's or its call's, a person's their pathway's; a partner is limited by its
  organisation instead.
"""

from __future__ import annotations

from contracts.roles import IPRO_STAFF, PARTNER, SPIP_STAFF
from kernel.access import Principal

STAFF = SPIP_STAFF | IPRO_STAFF | {"direction"}
READERS = STAFF | {"auditeur", PARTNER}
# Auditors' names are put under pseudonyms where the answer is rendered (kernel.pseudonyms).
NAME_READERS = STAFF | {"auditeur"}
CALENDAR_READERS = STAFF
CONFLICT_READERS = STAFF


def sees_names(principal: Principal) -> bool:
    return principal.has_any(NAME_READERS)


def only_partner(principal: Principal) -> str | None:
    """The partner organisation the caller is limited to ("" for a partner's token without one: it then sees
    nothing); None for staff."""
    if principal.has_any(STAFF | {"auditeur"}):
        return None
    return principal.organisation_scope if principal.organisation_scope is not None else ""
