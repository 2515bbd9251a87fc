"""Who may do what in the IPRO service (ARCHITECTURE.md §6), and what every router shares.

* Advisers (`ipro_conseiller`) act on their own caseload; `ipro_chef` and `ripro` on every pathway.
* The governor's office (`direction`) decides classement, affectation, declassification and leaves; the CPU's
  opinion and the contracts are recorded by IPRO management or the governor's office.
* `cpip` and `dpip` read the pathways of their people (a CPIP: their caseload); auditors read.
* A partner confirms and reports only the positionings on its own actions, and sees nothing else of a person
  than their name and their positioning.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from pydantic import StringConstraints

from kernel.api import now
from kernel.auth import IPRO_STAFF, Principal, allow
from kernel.clock import local_date
from kernel.commands import Commands
from kernel.errors import Forbidden
from ipro import store
from ipro.domain import errors

Adviser = Annotated[Principal, Depends(allow(IPRO_STAFF))]
Manager = Annotated[Principal, Depends(allow("ipro_chef", "ripro"))]
Governor = Annotated[Principal, Depends(allow("direction"))]
Commission = Annotated[Principal, Depends(allow("ipro_chef", "ripro", "direction"))]
PathwayReader = Annotated[Principal, Depends(allow(IPRO_STAFF, "direction", "cpip", "dpip", "auditeur"))]
# Reports across people (waiting lists, posts): IPRO, the governor's office, auditors.
WorkReader = Annotated[Principal, Depends(allow(IPRO_STAFF, "direction", "auditeur"))]
# One person's work file or positioning: also their SPIP officers (a CPIP: their people), like the pathway.
PersonWorkReader = Annotated[Principal, Depends(allow(IPRO_STAFF, "direction", "cpip", "dpip", "auditeur"))]

Id = Annotated[str, Path(max_length=120, pattern=r"^[A-Za-z0-9-]+$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]


class NotOnCaseload(Forbidden):
    code = "not-on-caseload"


def today(request: Request) -> date:
    return local_date(now(request))


def settings(request: Request):
    return request.app.state.settings


def is_adviser_only(principal: Principal) -> bool:
    return "ipro_conseiller" in principal.roles and not principal.has_any(frozenset({"ipro_chef", "ripro"}))


def is_cpip_only(principal: Principal) -> bool:
    return "cpip" in principal.roles and "dpip" not in principal.roles


def ensure_may_read(principal: Principal, row) -> None:
    """An adviser reads their caseload, a CPIP their people; the other readers are not limited."""
    if is_adviser_only(principal) and row["adviser"] != principal.subject:
        raise NotOnCaseload("this person is not on your caseload")
    if is_cpip_only(principal) and row["referent"] != principal.subject:
        raise NotOnCaseload("this person is not on your caseload")


def ensure_may_act(principal: Principal, row) -> None:
    if is_adviser_only(principal) and row["adviser"] != principal.subject:
        raise NotOnCaseload("this person is not on your caseload")


def ensure_partner_of(principal: Principal, partner_id: str) -> None:
    if "partenaire" in principal.roles and principal.organisation_id != partner_id:
        raise errors.PositioningNotFound("no such positioning")


async def on_pathway(commands: Commands, principal: Principal, pathway_id: str,
                     run: Callable[[Any, Any], Awaitable[Any]], *, status_code: int = 200):
    """Run a command on a pathway (or its work file, trainings, positionings) once the caller may act on it."""

    async def same(_session) -> str:
        return pathway_id

    return await on_pathway_of(commands, principal, same, run, status_code=status_code)


async def on_pathway_of(commands: Commands, principal: Principal, pathway_of: Callable[[Any], Awaitable[str]],
                        run: Callable[[Any, Any], Awaitable[Any]], *, status_code: int = 200):
    """The same, for a command on something the pathway owns: `pathway_of(session)` finds which pathway."""

    async def action(session, metadata):
        pathway_id = await pathway_of(session)
        ensure_may_act(principal, await store.pathway_row(session.connection, pathway_id))
        return await run(session, metadata)

    return await commands.run(principal, action, status_code=status_code)
