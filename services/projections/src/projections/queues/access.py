"""Who reads which work queue (issue 15 item 4; ARCHITECTURE.md §6): pure predicates over the caller.

* Each role with a queue reads its own (`/queues/mine`): a CPIP their people (the cases they are the
  referent of), a DPIP the validations and each CPIP's workload, an IPRO adviser their people, the head of
  IPRO and the RIPRO the waiting list and the partner sessions' attendance, the governor's office the
  decisions awaiting it.
* Looking at another role's queue (`/queues/{role}`): a DPIP reads the CPIPs' (all SPIP data of the
  establishment, and the validation queue is theirs); the head of IPRO and the RIPRO read the advisers' and
  the governor's office's (IPRO prepares those decisions); the governor's office reads IPRO's (the caseloads
  and waiting lists IPRO reports to it). No one else's: SPIP queues show assessments in progress, which the
  governor's office and IPRO do not read (ADR 11).
* Psychologists, social workers, auditors and partners have no queue here.
* All of it with names (every reader is staff entitled to them, as for the schedule), and only of the
  establishments the token lists (ADR 26).
"""

from __future__ import annotations

from enum import StrEnum

from kernel.access import Principal


class QueueRole(StrEnum):
    CPIP = "cpip"
    DPIP = "dpip"
    IPRO_CONSEILLER = "ipro_conseiller"
    IPRO_CHEF = "ipro_chef"
    RIPRO = "ripro"
    DIRECTION = "direction"


OWNERS = frozenset(QueueRole)
VIEWERS: dict[QueueRole, frozenset[str]] = {
    QueueRole.CPIP: frozenset({"dpip"}),
    QueueRole.DPIP: frozenset({"dpip"}),
    QueueRole.IPRO_CONSEILLER: frozenset({"ipro_chef", "ripro", "direction"}),
    QueueRole.IPRO_CHEF: frozenset({"ipro_chef", "ripro", "direction"}),
    QueueRole.RIPRO: frozenset({"ipro_chef", "ripro", "direction"}),
    QueueRole.DIRECTION: frozenset({"direction", "ipro_chef", "ripro"}),
}
LOOKERS = frozenset().union(*VIEWERS.values())


def own_queue(principal: Principal) -> QueueRole:
    """The queue `/queues/mine` answers: the role the route admitted the caller with."""
    return QueueRole(principal.role)


def may_view(principal: Principal, role: QueueRole) -> bool:
    return principal.has_any(VIEWERS[role])
