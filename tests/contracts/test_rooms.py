"""The establishments' rooms as reference data (ADR 29): one rule for every service that books one."""

import pytest
from pydantic import ValidationError

from contracts.rooms import EXAMPLE, RoomList, load_rooms

ROOMS = load_rooms(EXAMPLE)


def test_an_establishment_with_a_list_refuses_a_place_not_on_it():
    assert ROOMS.refuses("CP d'Arras", "Salle 9")
    assert ROOMS.refuses("CP d'Arras", "Gymnase")


def test_a_room_is_known_by_its_name_or_an_alias_case_and_spaces_aside():
    assert ROOMS.room_of("CP d'Arras", "  salle   POLYVALENTE ").room_id == "arras-polyvalente"
    assert ROOMS.room_of("cp d'arras", "Polyvalente").room_id == "arras-polyvalente"
    assert ROOMS.room_of("CP d'Arras", "Salle 4").room_id == "arras-espace-emploi"
    assert not ROOMS.refuses("CP d'Arras", "Espace emploi")


def test_an_establishment_without_a_list_accepts_any_place():
    assert ROOMS.rooms_of("CP de Lille") is None
    assert not ROOMS.refuses("CP de Lille", "Salle 9")
    assert not load_rooms(None).refuses("CP d'Arras", "Salle 9")


def test_a_list_is_checked_when_loaded():
    with pytest.raises(ValidationError):
        RoomList.model_validate({"establishments": [{"establishment": "CP d'Arras", "rooms": []}]})
    with pytest.raises(ValidationError):
        RoomList.model_validate(
            {
                "establishments": [
                    {"establishment": "CP", "rooms": [{"room_id": "r", "name": "S", "floor": 2}]}
                ]
            }
        )
