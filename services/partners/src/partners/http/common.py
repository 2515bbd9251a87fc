"""Who may call which route of the service (the role policies; `partners.access` limits partners to
their own organisation's data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from contracts.roles import IPRO_STAFF, PARTNER, SPIP_STAFF
from contracts.rooms import RoomList, load_rooms
from kernel.api import Settings
from kernel.auth import Principal, allow


async def _rooms(settings: Settings) -> RoomList:
    """The establishments' rooms, from the file the settings name (none: every place accepted)."""
    return load_rooms(getattr(settings, "rooms_file", None))


Rooms = Annotated[RoomList, Depends(_rooms)]
# Everyone with a role in the establishment reads; partners are limited to their organisation.
Reader = Annotated[Principal, Depends(allow(IPRO_STAFF, SPIP_STAFF, "direction", "auditeur", PARTNER))]
# Calls, registrations and catalogue publication are IPRO management's and the SPIP director's call.
Manager = Annotated[Principal, Depends(allow("ipro_chef", "ripro", "dpip"))]
# Access to the establishment is also the governor's office's business.
Accreditor = Annotated[Principal, Depends(allow("ipro_chef", "ripro", "dpip", "direction"))]
# Co-construction of proposals: the partner and IPRO (the DPIP for SPIP themes).
Reviewer = Annotated[Principal, Depends(allow("ipro_chef", "ripro", "dpip"))]
Proposer = Annotated[Principal, Depends(allow(PARTNER))]
Discussant = Annotated[Principal, Depends(allow(PARTNER, IPRO_STAFF, "dpip"))]
# Scheduling and reporting sessions: the partner, or IPRO management on its behalf.
Organiser = Annotated[Principal, Depends(allow(PARTNER, "ipro_chef", "ripro"))]
# Contact persons: the organisation itself, or those who registered it.
ContactEditor = Annotated[Principal, Depends(allow(PARTNER, "ipro_chef", "ripro", "dpip"))]
