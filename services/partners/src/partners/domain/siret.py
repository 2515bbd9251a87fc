"""SIRET: the 14-digit French establishment identifier (SIREN + NIC), protected by a Luhn checksum."""

from __future__ import annotations

# La Poste's establishments share one SIREN and use a simpler rule (digit sum multiple of 5) instead of Luhn.
_LA_POSTE_SIREN = "356000000"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def is_valid_siret(value: str) -> bool:
    if len(value) != 14 or not value.isascii() or not value.isdigit():
        return False
    if value.startswith(_LA_POSTE_SIREN) and value != _LA_POSTE_SIREN + "00048":
        return sum(int(c) for c in value) % 5 == 0
    return _luhn_ok(value)
