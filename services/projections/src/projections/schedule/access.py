"""Who reads what of the schedule (ARCHITECTURE.md §6, issue 15): pure predicates over the caller.

* Staff roles read the establishment's schedule, every seat count and fill rate. Participants' names: the
  DPIP, the IPRO roles and the direction every one's; a CPIP those of the people they are referent of, a
  psychologist or a social worker those they were asked to contribute about (need to know, as the person
  file decides it: `person_file.access`), each only while the person's case is in their perimeter; every
  other participant by subject id alone (itself a pseudonym, ADR 24). Auditors read every participant under
  their pseudonym (the kernel's step, `kernel.pseudonyms`), by name when they break the glass (ADR 31).
* A partner reads only its own action sessions and the people positioned on them, by id: its token's
  organisation (`Principal.organisation_scope`), nothing when the token names none.
* Calendars and conflicts are for the staff who arrange people's days. What a proposed session would
  conflict with (`/schedule/conflicts/preview`) is for those who review partners' proposals (the head of IPRO,
  the RIPRO, the DPIP: partners' `Reviewer`): a partner would read other organisations' sessions through it.
* One person's schedule, calendar or conflicts (`subject_id=`) only for who may read their name: a CPIP, a
  psychologist or a social worker asking for someone they do not follow finds nothing (`finds`).
* Staff and auditors read the items and conflicts of the establishments their token lists (ADR 26), a
  session's being its group's or its call's, a person's their pathway's; a partner is limited by its
  organisation instead.
"""

from __future__ import annotations

from contracts.roles import IPRO_STAFF, PARTNER, SPIP_STAFF
from kernel.access import Principal
from projections.schedule.store import Followed

STAFF = SPIP_STAFF | IPRO_STAFF | {"direction"}
READERS = STAFF | {"auditeur", PARTNER}
# Every participant's name. Auditors' are put under pseudonyms where the answer is rendered (kernel.pseudonyms).
NAME_READERS = frozenset({"dpip", "direction", "auditeur"}) | IPRO_STAFF
MULTIDISCIPLINARY = frozenset({"psychologue", "assistant_social"})
# The names of the people they follow only.
FOLLOWERS = frozenset({"cpip"}) | MULTIDISCIPLINARY
CALENDAR_READERS = STAFF
CONFLICT_READERS = STAFF
PREVIEWERS = frozenset({"ipro_chef", "ripro", "dpip"})


def sees_names(principal: Principal) -> bool:
    """Every participant's name (the role's own; what a person's case says does not matter)."""
    return principal.has_any(NAME_READERS)


def sees_names_of_followed(principal: Principal) -> bool:
    """Some participants' names, those `follows` tells: a CPIP's, a psychologist's, a social worker's."""
    return not sees_names(principal) and principal.has_any(FOLLOWERS)


def follows(principal: Principal, person: Followed | None) -> bool:
    """The referent CPIP of the person's case, or a psychologist or social worker asked to contribute to an
    assessment of theirs (the recorded grant, never an interview they wrote: security review H4), the case
    being in their perimeter (ADR 26: a transfer re-checks the referent)."""
    if person is None or not principal.reaches(person.establishment):
        return False
    if "cpip" in principal.roles and person.referent == principal.subject:
        return True
    return bool(principal.roles & MULTIDISCIPLINARY) and principal.subject in person.contributors


def finds(principal: Principal, person: Followed | None) -> bool:
    """Whether a `subject_id` filter finds this person's activities for the caller: anyone's for those who read
    every name (a partner's rows are its own actions' already); a CPIP's, a psychologist's or a social worker's
    only the people they follow. Anyone else's reads as a person with no activity, as another establishment's
    person does (ADR 26): an empty list, which tells nothing of whether they exist."""
    return not sees_names_of_followed(principal) or follows(principal, person)


def only_partner(principal: Principal) -> str | None:
    """The partner organisation the caller is limited to ("" for a partner's token without one: it then sees
    nothing); None for staff."""
    if principal.has_any(STAFF | {"auditeur"}):
        return None
    return principal.organisation_scope if principal.organisation_scope is not None else ""
