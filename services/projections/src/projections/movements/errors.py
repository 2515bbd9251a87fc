"""Why a movement list is refused: the day and the establishment it is asked for."""

from __future__ import annotations

from kernel.errors import InvalidValue


class DayRequired(InvalidValue):
    code = "day-required"


class DayUnreadable(InvalidValue):
    code = "day-unreadable"


class DayTooFar(InvalidValue):
    code = "day-too-far"


class EstablishmentRequired(InvalidValue):
    code = "establishment-required"
