"""The Decider pattern (J. Chassaing): pure `decide` and `evolve`, run against the event store.

A service's domain module builds one `Decider` per aggregate; `execute` is the whole persistence runner:
load the stream, fold it into state, decide, append at the version that was read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from contracts import Event, EventEnvelope, parse_payload
from kernel.eventstore import Metadata, Session

C = TypeVar("C")
S = TypeVar("S")


@dataclass(frozen=True)
class Decider(Generic[C, S]):
    stream_type: str
    initial_state: S
    decide: Callable[[C, S], Sequence[Event]]
    evolve: Callable[[S, Event], S]

    def fold(self, events: Iterable[Event]) -> S:
        state = self.initial_state
        for event in events:
            state = self.evolve(state, event)
        return state


def payloads(stream: Iterable[EventEnvelope]) -> list[Event]:
    return [parse_payload(e.event_type, e.schema_version, e.payload) for e in stream]


async def load(session: Session, decider: Decider[C, S], stream_id: str) -> tuple[S, int]:
    """The aggregate's current state and the version it was read at."""
    stream = await session.read_stream(stream_id)
    return decider.fold(payloads(stream)), len(stream)


async def execute(
    session: Session,
    decider: Decider[C, S],
    stream_id: str,
    command: C,
    metadata: Metadata,
    *,
    subject: str | None = None,
    restricted: bool = False,
) -> list[EventEnvelope]:
    state, version = await load(session, decider, stream_id)
    events = decider.decide(command, state)
    return await session.append(
        decider.stream_type, stream_id, version, events, metadata, subject=subject, restricted=restricted
    )
