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

    def when(self, command: Any, facts: Any = None) -> list[Event]:
        """The events `command` decides, knowing `facts` about other aggregates (if the decider needs any)."""
        return list(self.decider.run(command, self.decider.fold(self.history), facts))


def given(decider: Decider, *history: Event) -> Scenario:
    return Scenario(decider, history)
