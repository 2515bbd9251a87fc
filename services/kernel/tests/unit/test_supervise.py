"""The supervisor of background loops: restarts a failing loop, and stops when the service stops."""

import asyncio

from kernel.service import supervise


async def test_a_failing_loop_is_restarted_and_reported_until_it_starts():
    failing: dict[str, str] = {}
    attempts = 0

    async def run(started):
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise ConnectionError("broker away")
        started()

    await asyncio.wait_for(supervise("relay", run, failing), timeout=10)
    assert attempts == 3 and failing == {}


async def test_a_loop_stops_when_cancelled_even_if_a_library_turns_the_cancellation_into_an_error():
    failing: dict[str, str] = {}
    running = asyncio.Event()

    async def run(started):
        running.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise ConnectionError("connection was closed in the middle of operation") from None

    task = asyncio.create_task(supervise("consumer", run, failing))
    await running.wait()
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=5)
    assert task in done and task.cancelled()
    assert failing == {}
