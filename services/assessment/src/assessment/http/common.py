"""Who may do what in the SPIP follow-up (ARCHITECTURE.md §6), and what every router shares."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import StringConstraints

from kernel.api import now
from kernel.auth import IPRO_STAFF, SPIP_STAFF, Principal, allow
from kernel.clock import local_date

# Opening and following a case: the referent CPIP (own caseload) or a DPIP.
Officer = Annotated[Principal, Depends(allow("cpip", "dpip"))]
Director = Annotated[Principal, Depends(allow("dpip"))]
Contributor = Annotated[Principal, Depends(allow("psychologue", "assistant_social"))]
Interviewer = Annotated[Principal, Depends(allow(SPIP_STAFF))]
# Who is followed, by whom, until when: shareable with IPRO and the governor's office.
CaseReader = Annotated[Principal, Depends(allow(SPIP_STAFF, IPRO_STAFF, "direction", "auditeur"))]
# Assessments and plans: SPIP roles in full; IPRO and auditors their shareable part. Prison management does
# not see assessment content.
AssessmentReader = Annotated[Principal, Depends(allow(SPIP_STAFF, IPRO_STAFF, "auditeur"))]
SpipReader = Annotated[Principal, Depends(allow(SPIP_STAFF))]

Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]


def today(request: Request) -> date:
    return local_date(now(request))


def settings(request: Request):
    return request.app.state.settings


def sees_spip_content(principal: Principal) -> bool:
    return principal.has_any(SPIP_STAFF)
