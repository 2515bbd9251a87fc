"""The fold's handlers of the partners service's events: organisations and actions, the context a
positioning names."""

from __future__ import annotations

from typing import Any

from projections.person_file.folding.state import Apply, FileEvent, FileState
from projections.person_file.model import Part
from projections.person_file.registry import registering

APPLY: dict[str, Apply] = {}
_on = registering(APPLY)


@_on("partners.partner.registered")
def _partner_registered(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    s.partners[p["partner_id"]] = p["name"]
    return None


@_on("partners.action.created")
def _action_created(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    s.actions[p["action_id"]] = {"title": p["title"], "partner_id": p["partner_id"]}
    return None
