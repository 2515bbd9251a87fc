"""A session inside the walls is held in one of its establishment's rooms, once the establishment has a list
(ADR 29): the rule every service booking a room applies, `contracts.rooms`. An action's establishment is its
call's. PMSMP, escorted leaves and temp missions take people outside: their place is no room."""

from __future__ import annotations

from contracts.partners import ActionType
from contracts.rooms import RoomList
from partners.domain import errors

OUTSIDE = frozenset({ActionType.PMSMP, ActionType.ESCORTED_PROFESSIONAL_LEAVE, ActionType.TEMP_MISSION})


def ensure_room(rooms: RoomList, establishment: str, action_type: ActionType | None, place: str) -> None:
    if action_type in OUTSIDE or not rooms.refuses(establishment, place):
        return
    known = ", ".join(r.name for r in rooms.rooms_of(establishment) or [])
    raise errors.RoomUnknown(f"{place.strip()!r} is not one of the rooms of {establishment}: {known}")
