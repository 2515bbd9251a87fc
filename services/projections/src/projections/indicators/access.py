"""Who reads the InSERRE indicators (issue 15 item 5; ARCHITECTURE.md §6): the governor's office, the DPIP,
the head of IPRO and the RIPRO, who answer for the establishment's programme, and auditors (the scientific
committee's figures are checked from the log). Staff and auditors read only the establishments their token
lists (ADR 26).

The indicators are aggregates and name nobody: no subject id, no name. Small counts are not hidden: every
reader here already reads the people behind them within the same perimeter. Figures leaving the service (a
report to the scientific committee) are another matter (docs/indicators.md)."""

from __future__ import annotations

READERS = frozenset({"direction", "dpip", "ipro_chef", "ripro", "auditeur"})
