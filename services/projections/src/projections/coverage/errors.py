"""Why a coverage is refused: the window and the establishment it is asked for."""

from __future__ import annotations

from kernel.errors import InvalidValue


class WindowInvalid(InvalidValue):
    code = "window-invalid"


class WindowTooLong(InvalidValue):
    code = "window-too-long"


class EstablishmentRequired(InvalidValue):
    code = "establishment-required"
