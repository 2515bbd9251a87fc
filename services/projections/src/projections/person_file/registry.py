"""A table of functions by event type, filled where each function is written: the fold's handlers and the
timeline's sentences are both looked up this way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def registering(table: dict[str, F]) -> Callable[..., Callable[[F], F]]:
    """`on = registering(TABLE)`, then `@on("a.b.opened", "a.b.reopened")` files a function under each."""

    def on(*event_types: str) -> Callable[[F], F]:
        def register(function: F) -> F:
            for event_type in event_types:
                table[event_type] = function
            return function

        return register

    return on
