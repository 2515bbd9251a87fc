"""The Decider pattern (J. Chassaing): pure `decide` and `evolve`. Importing it loads no driver, no metrics:
a service's domain package depends on this module and on `contracts` only.

`decide(command, state, facts)`: the command is the user's intent, the state the aggregate's own history
folded, and `facts` what the decision needs to know about other aggregates or replicas (loaded by the
application handler, once, never by a route). An aggregate that needs none takes `facts: None = None`.
`kernel.aggregates` runs a decider against the event store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from contracts import Event, EventEnvelope, parse_payload
from kernel.errors import InvalidValue

C = TypeVar("C")
S = TypeVar("S")


@dataclass(frozen=True)
class Decider(Generic[C, S]):
    stream_type: str
    initial_state: S
    decide: Callable[[C, S, Any], Sequence[Event]]
    evolve: Callable[[S, Event], S]

    def run(self, command: C, state: S, facts: Any = None) -> Sequence[Event]:
        """`decide`, where a value the events' contract refuses is reported as the broken rule it is."""
        try:
            return self.decide(command, state, facts)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise InvalidValue(problems) from None

    def fold(self, events: Iterable[Event]) -> S:
        state = self.initial_state
        for event in events:
            state = self.evolve(state, event)
        return state


def payloads(stream: Iterable[EventEnvelope]) -> list[Event]:
    return [parse_payload(e.event_type, e.schema_version, e.payload) for e in stream]
