"""Who reads the programming coverage (issue 15 item 6; ARCHITECTURE.md §6): pure predicates over the caller.

It is the head of IPRO's tool to keep the programme "coherent and exhaustive" (the AMI): counts by theme, no
name nor subject id, so every role that plans or oversees the establishment's offer reads it whole.
* IPRO (`ipro_chef`, `ripro`, `ipro_conseiller`), which builds the offer with the partners;
* the DPIP, whose programmes are half of it, and the governor's office (`direction`);
* auditors, read-only.
Not a CPIP, a psychologist or a social worker (their people's needs are in the person file), nor partners
(the establishment's needs and other organisations' offer are not theirs). Each reads only the
establishments their token lists (ADR 26)."""

from __future__ import annotations

from contracts.roles import IPRO_STAFF

READERS = IPRO_STAFF | {"dpip", "direction", "auditeur"}
