"""Running a decider against the event store: load an aggregate once, decide, append at the version read.

An application handler `load`s (or `load_existing`s) the aggregate, checks the caller's access on it,
loads the facts the decision needs, then `execute`s the command on what it loaded: each stream is folded
once per request, and the outcome carries the whole stream for the view the route renders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any, Generic, Protocol, TypeVar

from contracts import EventEnvelope
from kernel.decider import Decider, payloads
from kernel.errors import DomainError
from kernel.eventstore import Metadata, Session, StreamHead

C = TypeVar("C")
S = TypeVar("S")


class StreamReader(Protocol):
    """A `Session` inside a command, or the `EventStore` for a read outside one."""

    async def read_stream(self, stream_id: str) -> list[EventEnvelope]: ...


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    """An aggregate as read: its state and the stream it was folded from."""

    stream_id: str
    state: S
    stream: Sequence[EventEnvelope]

    @property
    def exists(self) -> bool:
        return bool(self.stream)

    @property
    def head(self) -> StreamHead:
        return StreamHead.of(self.stream)

    @property
    def version(self) -> int:
        return self.head.version

    @property
    def created_at(self) -> datetime:
        return self.stream[0].occurred_at

    @property
    def updated_at(self) -> datetime:
        return self.stream[-1].occurred_at


@dataclass(frozen=True)
class Outcome(Aggregate[S]):
    """What a command did: the aggregate after it (state and whole stream) and the events it appended."""

    events: Sequence[EventEnvelope] = ()


async def load(reader: StreamReader, decider: Decider[C, S], stream_id: str) -> Aggregate[S]:
    stream = await reader.read_stream(stream_id)
    return Aggregate(stream_id, decider.fold(payloads(stream)), stream)


async def load_existing(
    reader: StreamReader, decider: Decider[C, S], stream_id: str, missing: Callable[[str], DomainError]
) -> Aggregate[S]:
    """The aggregate, or `missing(message)` raised when its stream holds nothing."""
    aggregate = await load(reader, decider, stream_id)
    if not aggregate.exists:
        raise missing(f"no {decider.stream_type} {stream_id}")
    return aggregate


def named(decider: Decider[C, S], stream_id: str) -> Aggregate[S]:
    """A stream the request has just named (its route minted the id, a uuid4): there is nothing to read, it
    starts empty. Saves the read a creation would make of a stream that cannot exist yet; an id that comes
    from outside the request may name an existing stream: `load` that one."""
    return Aggregate(stream_id, decider.initial_state, ())


async def execute(
    session: Session,
    decider: Decider[C, S],
    aggregate: Aggregate[S] | str,
    command: C,
    metadata: Metadata,
    *,
    facts: Any = None,
    subject: str | None = None,
    restricted: bool = False,
) -> Outcome[S]:
    """Decide on the aggregate as loaded (or load it, given its id), append at the version read."""
    if isinstance(aggregate, str):
        aggregate = await load(session, decider, aggregate)
    events = decider.run(command, aggregate.state, facts)
    appended = await session.append(
        decider.stream_type,
        aggregate.stream_id,
        aggregate.head,
        events,
        metadata,
        subject=subject,
        restricted=restricted,
    )
    return Outcome(
        stream_id=aggregate.stream_id,
        state=reduce(decider.evolve, events, aggregate.state),
        stream=[*aggregate.stream, *appended],
        events=appended,
    )
