"""Where a story's decisions go: each queued, then appended through the kernel's `Session` at its simulated
instant, in batches, after the head its stream had; and one establishment's story told through it
(`tell_site`). The bench's year (`bench/person_year.py`) and the demo (`devinfra.demo`) both write with it."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg

from contracts import Actor, Event
from devinfra.year.cast import Site, StaffNames
from devinfra.year.story import SiteYear
from kernel.eventstore import NEW_STREAM, Metadata, Session, StreamHead
from kernel.sealing import Sealer

SERVICES = ("assessment", "programmes", "ipro", "partners")
# A reaction's cause is appended first: the assessment and partners stores before those that react to them.
FLUSH_PHASES = (("assessment", "partners"), ("programmes", "ipro"))
CONNECTIONS = 2  # transactions side by side per store and worker
BATCH_EVENTS = 4000  # decisions queued before they are appended, a transaction per service


@dataclass(eq=False)
class Queued:
    """One decision waiting to be appended; once appended, the id of its first event (a reaction's cause)."""

    service: str
    stream_type: str
    stream_id: str
    events: list[Event]
    actor: Actor
    at: datetime
    subject: str | None
    restricted: bool
    correlation_id: str
    cause: Queued | None
    first_event_id: str | None = None


@dataclass
class Writer:
    """The story's `Sink` (`cast.Sink`): decisions queued per service, appended with `Session.append` in
    batches, each at its instant (the session's clock), after the head the stream had: versions and hash
    chains are the event store's. With a `sealer`, personal fields are sealed as the services' stores seal
    them (the demo); the bench appends them in clear, as values written before sealing existed are read."""

    pools: dict[str, asyncpg.Pool]
    sealer: Sealer | None = None
    queued: dict[str, list[Queued]] = field(default_factory=lambda: {s: [] for s in SERVICES})
    heads: dict[tuple[str, str], StreamHead] = field(default_factory=dict)
    waiting_events: int = 0
    appended: Counter = field(default_factory=Counter)
    transactions: int = 0

    def add(
        self,
        service,
        stream_type,
        stream_id,
        events,
        *,
        actor,
        at,
        subject,
        restricted,
        correlation_id,
        cause,
    ):
        item = Queued(
            service, stream_type, stream_id, events, actor, at, subject, restricted, correlation_id, cause
        )
        self.queued[service].append(item)
        self.waiting_events += len(events)
        return item

    @property
    def full(self) -> bool:
        return self.waiting_events >= BATCH_EVENTS

    async def flush(self) -> None:
        """Everything queued, appended: the stores that cause reactions first, then those that react (their
        causation ids are known by then). Within a store, streams are dealt to `CONNECTIONS` transactions
        that run side by side; a stream's events all go to one of them, in order."""
        for stores in FLUSH_PHASES:
            batches = []
            for service in stores:
                items, self.queued[service] = self.queued[service], []
                shares: list[list[Queued]] = [[] for _ in range(CONNECTIONS)]
                for item in items:
                    shares[hash(item.stream_id) % CONNECTIONS].append(item)
                batches += [self._append(service, share) for share in shares if share]
            await asyncio.gather(*batches)
        self.waiting_events = 0

    async def _append(self, service: str, items: list[Queued]) -> None:
        instant = [items[0].at]
        async with self.pools[service].acquire() as connection, connection.transaction():
            session = Session(connection, clock=lambda: instant[0], sealer=self.sealer)
            for item in items:
                instant[0] = item.at
                key = (service, item.stream_id)
                causation = item.cause.first_event_id if item.cause is not None else None
                appended = await session.append(
                    item.stream_type,
                    item.stream_id,
                    self.heads.get(key, NEW_STREAM),
                    item.events,
                    Metadata(actor=item.actor, correlation_id=item.correlation_id, causation_id=causation),
                    subject=item.subject,
                    restricted=item.restricted,
                )
                self.heads[key] = StreamHead.of(appended)
                item.first_event_id = str(appended[0].event_id)
                self.appended[service] += len(appended)
        self.transactions += 1


async def tell_site(
    writer: Writer,
    site: Site,
    seed: int,
    start: date,
    end: date,
    subject_key: bytes,
    programmes: dict,
    names: StaffNames | None = None,
    *,
    facilitators_booked_once: bool = False,
) -> SiteYear:
    """One establishment's story from `start` to `end`, every decision appended by `writer`: the bench's
    sites and the demo's one (`devinfra.demo`, which keeps each facilitator in one session at a time)."""
    story = SiteYear(
        site,
        seed=seed,
        start=start,
        end=end,
        ledger_sink=writer,
        programmes=programmes,
        subject_key=subject_key,
        names=names,
        facilitators_booked_once=facilitators_booked_once,
    )
    story.cast()
    for step, args in story.steps():
        step(*args)
        if writer.full:
            await writer.flush()
    await writer.flush()
    return story
