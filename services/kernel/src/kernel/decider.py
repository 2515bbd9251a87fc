"""The Decider pattern (J. Chassaing): pure `decide` and `evolve`, run against the event store.

A service's domain module builds one `Decider` per aggregate; `execute` is the whole persistence runner:
load the stream, fold it into state, decide, append at the version that was read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Generic, TypeVar

from pydantic import ValidationError

from contracts import Event, EventEnvelope, parse_payload
from kernel.errors import InvalidValue
from kernel.eventstore import Metadata, Session, StreamHead

C = TypeVar("C")
S = TypeVar("S")


@dataclass(frozen=True)
class Decider(Generic[C, S]):
    stream_type: str
    initial_state: S
    decide: Callable[[C, S], Sequence[Event]]
    evolve: Callable[[S, Event], S]

    def run(self, command: C, state: S) -> Sequence[Event]:
        """`decide`, where a value the events' contract refuses is reported as the broken rule it is."""
        try:
            return self.decide(command, state)
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


@dataclass(frozen=True)
class Outcome(Generic[S]):
    """What a command did: the aggregate's state after it, and the events it appended."""

    state: S
    events: list[EventEnvelope]


def version(outcome: Outcome) -> int:
    """The stream's version after the command (its last appended event's)."""
    return outcome.events[-1].stream_version


async def current(reader, decider: Decider[C, S], stream_id: str) -> tuple[S, list[EventEnvelope]]:
    """An aggregate's state and its stream, from a `Session` (inside a command) or the `EventStore`."""
    stream = await reader.read_stream(stream_id)
    return decider.fold(payloads(stream)), stream


async def load(session: Session, decider: Decider[C, S], stream_id: str) -> tuple[S, StreamHead]:
    """The aggregate's current state and where its stream stood when read."""
    stream = await session.read_stream(stream_id)
    return decider.fold(payloads(stream)), StreamHead.of(stream)


async def execute(
    session: Session,
    decider: Decider[C, S],
    stream_id: str,
    command: C,
    metadata: Metadata,
    *,
    subject: str | None = None,
    restricted: bool = False,
    check: Callable[[S], None] | None = None,
) -> Outcome[S]:
    """Load, decide, append at the version read. `check(state)` runs first, e.g. whether the caller may act
    on this aggregate at all (a partner on another organisation's proposal)."""
    state, head = await load(session, decider, stream_id)
    if check is not None:
        check(state)
    events = decider.run(command, state)
    appended = await session.append(
        decider.stream_type, stream_id, head, events, metadata, subject=subject, restricted=restricted
    )
    return Outcome(state=reduce(decider.evolve, events, state), events=appended)
