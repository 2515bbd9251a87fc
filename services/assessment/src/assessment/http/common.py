"""The role policies of the SPIP follow-up's routes (ARCHITECTURE.md §6). What a caller may read or do
within them (a CPIP's caseload, need to know) is `assessment.access`, applied by handlers and queries."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from contracts.roles import IPRO_STAFF, SPIP_STAFF
from kernel.auth import Principal, allow

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
