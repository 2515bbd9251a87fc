"""The role policies of the IPRO routes (ARCHITECTURE.md §6): which roles may call a route at all. Whose
pathway, work file, training or positioning a caller may see or act on is `ipro.access`'s to say.

* Advisers (`ipro_conseiller`) act on their own caseload; `ipro_chef` and `ripro` on every pathway.
* The governor's office (`direction`) decides classement, affectation, declassification and leaves; the CPU's
  opinion and the contracts are recorded by IPRO management or the governor's office.
* `cpip` and `dpip` read the pathways of their people (a CPIP: their caseload); auditors read.
* A partner confirms and reports only the positionings on its own actions, and sees nothing else of a person
  than their name and their positioning.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from contracts.roles import IPRO_STAFF, PARTNER
from kernel.auth import Principal, allow

MANAGEMENT = ("ipro_chef", "ripro")

Adviser = Annotated[Principal, Depends(allow(IPRO_STAFF))]
Manager = Annotated[Principal, Depends(allow(*MANAGEMENT))]
Governor = Annotated[Principal, Depends(allow("direction"))]
Commission = Annotated[Principal, Depends(allow(*MANAGEMENT, "direction"))]
PathwayReader = Annotated[Principal, Depends(allow(IPRO_STAFF, "direction", "cpip", "dpip", "auditeur"))]
# Reports across people (waiting lists, posts, caseloads): IPRO, the governor's office, auditors.
WorkReader = Annotated[Principal, Depends(allow(IPRO_STAFF, "direction", "auditeur"))]
# One person's work file: also their SPIP officers (a CPIP: their people), like the pathway.
PersonWorkReader = Annotated[Principal, Depends(allow(IPRO_STAFF, "direction", "cpip", "dpip", "auditeur"))]
IndicatorReader = Annotated[Principal, Depends(allow(IPRO_STAFF, "direction", "dpip", "auditeur"))]
# The partner running the action, or IPRO on its behalf.
PartnerOrIpro = Annotated[Principal, Depends(allow(PARTNER, IPRO_STAFF))]
Confirmer = Annotated[Principal, Depends(allow(PARTNER, *MANAGEMENT))]
PositioningReader = Annotated[Principal, Depends(allow(PARTNER, IPRO_STAFF, "direction", "auditeur"))]
# One positioning: also the person's SPIP officers (a CPIP: their people), as in the pathway's history.
OnePositioningReader = Annotated[
    Principal, Depends(allow(PARTNER, IPRO_STAFF, "direction", "cpip", "dpip", "auditeur"))
]
