"""Test support shared by every suite: read a topic as any downstream system would, wait with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord


async def read_topic(bootstrap: str, topic: str, *, at_least: int, timeout: float = 30) -> list[ConsumerRecord]:
    """All records of `topic` once at least `at_least` arrived (or the timeout passed), in partition order."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < at_least and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            for batch in batches.values():
                records.extend(batch)
        # Anything already on its way (duplicates) is read too.
        for batch in (await consumer.getmany(timeout_ms=300)).values():
            records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def wait_for(predicate, *, timeout: float, interval: float = 0.05, message: str = "condition"):
    """Poll an async predicate until it holds: a readiness check with a deadline, not a blind sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def serving(app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to `app` in process, its lifespan (database, relay, consumers) running."""
    from asgi_lifespan import LifespanManager  # a test-only dependency

    async with LifespanManager(app, startup_timeout=60), httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client
