"""Given events / when command / then events or error: the shape of every domain test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contracts import Event
from kernel.decider import Decider


@dataclass(frozen=True)
class Scenario:
    decider: Decider
    history: Sequence[Event]

    def when(self, command: Any) -> list[Event]:
        return list(self.decider.run(command, self.decider.fold(self.history)))


def given(decider: Decider, *history: Event) -> Scenario:
    return Scenario(decider, history)
