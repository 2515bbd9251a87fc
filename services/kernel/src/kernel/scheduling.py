"""What a service's own scheduler needs (e.g. publish each missed deadline once): a loop that runs a pass
every few seconds, and an append that happens once per occurrence whatever crashes or second instances do."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg

from contracts import Event
from kernel import logs
from kernel.errors import ConcurrencyConflict
from kernel.eventstore import NEW_STREAM, EventStore, Metadata

log = logs.get_logger(__name__)


async def append_once(
    store: EventStore,
    stream_type: str,
    stream_id: str,
    event: Event,
    metadata: Metadata,
    *,
    subject: str | None,
    mark: Callable[[asyncpg.Connection], Awaitable[object]],
) -> bool:
    """Append `event` as the only event of the stream named after its occurrence, and `mark(connection)` the
    occurrence done in the same transaction. A stream that exists was published before (only the mark was
    lost): it is marked, nothing is appended. True if appended by this call."""
    try:
        async with store.transaction() as session:
            await session.append(stream_type, stream_id, NEW_STREAM, [event], metadata, subject=subject)
            await mark(session.connection)
        return True
    except ConcurrencyConflict:
        async with store.pool.acquire() as connection:
            await mark(connection)
        return False


def every(
    seconds: float, run_pass: Callable[[], Awaitable[int]], what: str
) -> Callable[..., Awaitable[None]]:
    """A background loop (`ServiceDefinition.background`) running `run_pass()` every `seconds`; the pass returns
    how many items it handled."""

    async def run(started: Callable[[], object] = lambda: None) -> None:
        started()
        while True:
            if count := await run_pass():
                log.info(what, count=count)
            await asyncio.sleep(seconds)

    return run
