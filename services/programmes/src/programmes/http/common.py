"""The role policy of each kind of route (ARCHITECTURE.md §6), checked before the body is read. What a caller
may see or do with a given programme, group or referral is `access.py`, applied by the handlers.

* The catalogue and the schedules are read by the establishment's staff, IPRO roles, the governor's office,
  auditors and partners (who see the groups they facilitate).
* A CPIP refers and follows people; a DPIP does everything and overrides.
* Facilitators (a CPIP, a psychologist, a partner co-facilitating) run their groups' sessions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import StringConstraints

from contracts.roles import IPRO_STAFF, PARTNER, SPIP_STAFF
from kernel.api import ID_MAX_LENGTH, ID_PATTERN
from kernel.auth import Principal, allow

Director = Annotated[Principal, Depends(allow("dpip"))]
Officer = Annotated[Principal, Depends(allow("cpip", "dpip"))]
# Runs a group's sessions: its facilitators (checked on the group) or a DPIP.
Facilitator = Annotated[Principal, Depends(allow("cpip", "dpip", "psychologue", PARTNER))]
ScheduleReader = Annotated[
    Principal, Depends(allow(SPIP_STAFF, IPRO_STAFF, "direction", "auditeur", PARTNER))
]
ParticipationReader = Annotated[
    Principal, Depends(allow("cpip", "dpip", IPRO_STAFF, "direction", "auditeur"))
]

# An id in a request body (a programme, case, plan or group the request names).
IdValue = Annotated[str, StringConstraints(max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
