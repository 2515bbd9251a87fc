"""The garbage collector kept out of the answers' latency (ADR 37).

CPython's full collection walks every object the collector tracks, and a service holds well over a hundred
thousand from its imports and its app alone (FastAPI's routes, pydantic's validators, the Kafka and
PostgreSQL clients): measured under load, each full collection stopped the event loop for 120 to 400 ms,
several times a minute in the projections service, and made most of a read's p99. Those objects live as long
as the process: once the service has started they are moved out of the collector's sight (`gc.freeze`), so
that a full collection walks only what requests and consumers made since. The young generation is then
collected every `YOUNG_COLLECTION_THRESHOLD` new objects rather than CPython's 700: a consumer catching up
keeps its batch's objects alive until the batch is applied, and walking them every 700 new objects cost
about 2 µs of the 33 µs an event cost the process (ADR 37)."""

from __future__ import annotations

import gc

_frozen = False
YOUNG_COLLECTION_THRESHOLD = 20_000  # ADR 37's addendum: a young collection then takes 2 ms at most


def settle() -> None:
    """Once per process, after start-up: what exists now is collected once, then frozen. Only once: a test
    process starts many apps, and freezing at each would keep each one's garbage for good."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
    _frozen = True
