"""Who reads the movement list (issue 15 item 3; ARCHITECTURE.md §6): pure predicates over the caller.

It is the detention's daily sheet: who leaves for where, escorted or not, and who comes in.
* The governor's office (`direction`), which answers for the detention staff and decides the leaves, and
  IPRO (`ipro_conseiller`, `ipro_chef`, `ripro`), which arranges the positionings, trainings, work posts,
  leaves and partner visits the list is made of, read it with names.
* The DPIP reads it with names: all SPIP data of the establishment, and the programme sessions are the SPIP's.
* Auditors read it pseudonymised: the names under the persons' pseudonyms (the kernel's step,
  `kernel.pseudonyms`), in clear when they break the glass (ADR 31).
* A CPIP, a psychologist or a social worker does not: the list names every person of the establishment who
  moves that day, beyond a caseload or a contribution; their people's days are in the schedule.
* Partners never: it names people who are not theirs and other organisations' visits.
Staff and auditors read only the establishments their token lists (ADR 26).
"""

from __future__ import annotations

from contracts.roles import IPRO_STAFF
from kernel.access import Principal

# Auditors' names are put under pseudonyms where the answer is rendered (kernel.pseudonyms).
NAME_READERS = IPRO_STAFF | {"direction", "dpip", "auditeur"}
READERS = NAME_READERS


def sees_names(principal: Principal) -> bool:
    return principal.has_any(NAME_READERS)
