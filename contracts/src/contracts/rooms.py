"""The establishments' rooms: reference data, not free text (issue 15 #2, ADR 29).

A site's list is a JSON file (`reference/rooms.example.json` shows its shape) read by every service that
books a room. One rule for all of them: an establishment with a list refuses a place that is not one of its
rooms (by name or alias, case and spaces aside); an establishment without a list accepts any place, as before
lists existed, so that a site turns the rule on by loading its list."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field

from contracts.events import Value, label

EXAMPLE = Path(__file__).parent / "reference" / "rooms.example.json"


def same_place(text: str) -> str:
    """A place as compared: case and spaces aside."""
    return " ".join(text.split()).casefold()


class Room(Value):
    room_id: str = Field(min_length=1, max_length=100)
    name: str = label()
    aliases: list[str] = Field(default_factory=list, max_length=20, description="other names it goes by")

    def is_named(self, place: str) -> bool:
        return same_place(place) in {same_place(n) for n in (self.name, *self.aliases)}


class EstablishmentRooms(Value):
    establishment: str = label()
    rooms: list[Room] = Field(min_length=1)


class RoomList(Value):
    establishments: list[EstablishmentRooms] = Field(default_factory=list)

    def rooms_of(self, establishment: str) -> list[Room] | None:
        """The establishment's rooms; None if it has no list."""
        for entry in self.establishments:
            if same_place(entry.establishment) == same_place(establishment):
                return entry.rooms
        return None

    def room_of(self, establishment: str, place: str) -> Room | None:
        return next((r for r in self.rooms_of(establishment) or [] if r.is_named(place)), None)

    def refuses(self, establishment: str, place: str) -> bool:
        return self.rooms_of(establishment) is not None and self.room_of(establishment, place) is None


NO_ROOMS = RoomList()  # no establishment has a list: every place accepted


@cache
def load_rooms(path: Path | None) -> RoomList:
    """The list in `path` (read once), or no list at all: every place accepted."""
    if path is None:
        return NO_ROOMS
    return RoomList.model_validate_json(path.read_text(encoding="utf-8"))
