"""The garbage collector kept out of the answers' latency (ADR 37).

CPython's full collection walks every object the collector tracks, and a service holds well over a hundred
thousand from its imports and its app alone (FastAPI's routes, pydantic's validators, the Kafka and
PostgreSQL clients): measured under load, each full collection stopped the event loop for 120 to 400 ms,
several times a minute in the projections service, and made most of a read's p99. Those objects live as long
as the process: once the service has started they are moved out of the collector's sight (`gc.freeze`), so
that a full collection walks only what requests and consumers made since."""

from __future__ import annotations

import gc

_frozen = False


def settle() -> None:
    """Once per process, after start-up: what exists now is collected once, then frozen. Only once: a test
    process starts many apps, and freezing at each would keep each one's garbage for good."""
    global _frozen
    if _frozen:
        return
    gc.collect()
    gc.freeze()
    _frozen = True
