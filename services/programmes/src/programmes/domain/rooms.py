"""A group meets in one of its establishment's rooms, once the establishment has a list (ADR 29): the rule
every service booking a room applies, `contracts.rooms`."""

from __future__ import annotations

from contracts.rooms import RoomList
from programmes.domain import errors


def ensure_room(rooms: RoomList, establishment: str, room: str | None) -> None:
    """`room` None: the session keeps the room it has."""
    if room is not None and rooms.refuses(establishment, room):
        known = ", ".join(r.name for r in rooms.rooms_of(establishment) or [])
        raise errors.RoomUnknown(f"{room!r} is not one of the rooms of {establishment}: {known}")
