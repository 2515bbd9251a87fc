"""Who may see and who may act on what in the IPRO service (ARCHITECTURE.md §6): pure predicates over the
caller and the facts of what they ask for. The handlers apply them on the command path, `reads` on the
read path; which roles may call a route at all is the route's policy (`http/common.py`).

* An adviser (`ipro_conseiller`, without a management role) sees and acts on their caseload only: the
  pathways they follow, and the work file, trainings and positionings of those.
* IPRO management (`ipro_chef`, `ripro`), the governor's office, DPIPs and auditors see every pathway.
* A CPIP (without `dpip`) sees the pathways of the people whose referent they are.
* The governor's office reads pathways and work files, not a pathway's history: it holds the IPRO interview
  notes, the synthesis and the CPU's opinions, part of the multidisciplinary assessment, whose content prison
  management does not see (DOMAIN.md; security review M1).
* A partner sees no pathway: only the positionings on its own organisation's actions (and of the person,
  their name), which it confirms and reports on.
* Staff are limited to the people of the establishments their token lists (`Principal.reaches`, ADR 26):
  another establishment's pathway, work file, trainings and positionings answer them as missing ones, and
  no list or report shows them. The person's establishment is their case's now (transfers included).

What the caller may not see answers exactly as if it did not exist (the resource's `NotFound`); what they
see but may not do is refused (`kernel.access.NotOnCaseload`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from contracts.roles import PARTNER
from ipro.domain import errors
from ipro.domain.facts import CaseFacts
from ipro.domain.pathway import Pathway
from ipro.domain.positioning import Positioning
from kernel.access import NotOnCaseload, RoleNotAllowed
from kernel.errors import NotFound

if TYPE_CHECKING:  # the caller as `kernel.auth` verified it: importing it would load the web stack
    from kernel.auth import Principal

ADVISER = "ipro_conseiller"
MANAGEMENT = frozenset({"ipro_chef", "ripro"})


def is_partner(principal: Principal) -> bool:
    """Limited to an organisation: its token's, or none at all ("")."""
    return principal.organisation_scope is not None or PARTNER in principal.roles


def is_adviser_only(principal: Principal) -> bool:
    return ADVISER in principal.roles and not principal.has_any(MANAGEMENT)


def is_cpip_only(principal: Principal) -> bool:
    return "cpip" in principal.roles and "dpip" not in principal.roles


# --- pathways, and what they own ---


def may_see_pathway(principal: Principal, pathway: Pathway, case: CaseFacts) -> bool:
    if is_partner(principal) or not principal.reaches(case.establishment):
        return False
    if is_adviser_only(principal):
        return pathway.adviser == principal.subject
    if is_cpip_only(principal):
        return case.referent == principal.subject
    return True


def may_read_history(principal: Principal) -> bool:
    """Everyone who sees a pathway, but for the governor's office (unless another role lets them)."""
    return principal.roles != {"direction"}


def ensure_may_read_history(principal: Principal) -> None:
    if not may_read_history(principal):
        raise RoleNotAllowed(
            "the governor's office reads the pathway and the work file, not the history of interviews, "
            "synthesis and CPU opinions"
        )


def may_act_on_pathway(principal: Principal, pathway: Pathway) -> bool:
    """An adviser acts on the pathways they follow; whoever else a route lets act, on every pathway."""
    return not is_partner(principal) and (
        not is_adviser_only(principal) or pathway.adviser == principal.subject
    )


def follows_what_they_open(principal: Principal) -> bool:
    """An adviser who opens a pathway follows it."""
    return is_adviser_only(principal)


def ensure_reaches(principal: Principal, case: CaseFacts) -> None:
    """A person of an establishment outside the caller's perimeter is not known to them: their case answers
    as one the replica has not seen."""
    if not principal.reaches(case.establishment):
        raise errors.CaseNotFound(f"no case {case.case_id} is known here (yet)")


def ensure_may_see_pathway(
    principal: Principal, pathway: Pathway, case: CaseFacts, hidden: NotFound | None = None
) -> None:
    """`hidden`: what to answer instead (a training's or a work file's own not found)."""
    if not may_see_pathway(principal, pathway, case):
        raise hidden or errors.PathwayNotFound(f"no pathway {pathway.pathway_id}")


def ensure_may_act_on_pathway(
    principal: Principal, pathway: Pathway, case: CaseFacts, hidden: NotFound | None = None
) -> None:
    ensure_may_see_pathway(principal, pathway, case, hidden)
    if not may_act_on_pathway(principal, pathway):
        raise NotOnCaseload(f"{case.person} is not on your caseload")


# --- positionings ---


def may_see_positioning(
    principal: Principal, positioning: Positioning, pathway: Pathway, case: CaseFacts
) -> bool:
    if is_partner(principal):
        return bool(principal.organisation_scope) and positioning.partner_id == principal.organisation_scope
    return may_see_pathway(principal, pathway, case)


def may_act_on_positioning(principal: Principal, positioning: Positioning, pathway: Pathway) -> bool:
    """The partner running the action acts on its positionings; IPRO staff as on the pathway."""
    if is_partner(principal):
        return positioning.partner_id == principal.organisation_scope
    return may_act_on_pathway(principal, pathway)


def ensure_may_see_positioning(
    principal: Principal, positioning: Positioning, pathway: Pathway, case: CaseFacts
) -> None:
    if not may_see_positioning(principal, positioning, pathway, case):
        raise errors.PositioningNotFound(f"no positioning {positioning.positioning_id}")


def ensure_may_act_on_positioning(
    principal: Principal, positioning: Positioning, pathway: Pathway, case: CaseFacts
) -> None:
    ensure_may_see_positioning(principal, positioning, pathway, case)
    if not may_act_on_positioning(principal, positioning, pathway):
        raise NotOnCaseload(f"{case.person} is not on your caseload")


# --- lists ---


@dataclass(frozen=True)
class ListScope:
    """What a list shows the caller, whatever they filter on: None is no limit."""

    adviser: str | None = None  # the pathways this adviser follows
    referent: str | None = None  # the people this CPIP follows
    partner: str | None = None  # the positionings on this organisation's actions ("": none)
    establishments: list[str] | None = None  # the people of these establishments (ADR 26)


def list_scope(principal: Principal) -> ListScope:
    return ListScope(
        adviser=principal.subject if is_adviser_only(principal) else None,
        referent=principal.subject if is_cpip_only(principal) else None,
        partner=(principal.organisation_scope or "") if is_partner(principal) else None,
        establishments=None if is_partner(principal) else principal.perimeter,
    )
