"""Retrying without paying for it when nothing fails.

Building and running tenacity's machinery costs about 25 µs a call, and nearly every command and consumer
transaction succeeds at once. So the action is run once bare; only if it fails is the retrying built, and that
failure becomes its first attempt (counted, logged and waited on exactly as when tenacity ran it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying

T = TypeVar("T")


async def once_then_retrying(
    action: Callable[[], Awaitable[T]],
    retrying: Callable[[], AsyncRetrying],
    *,
    retried: Callable[[Exception], bool],
) -> T:
    """`action()`; if it raises an exception `retried` accepts, `retrying()` takes over from there."""
    try:
        return await action()
    except Exception as error:
        if not retried(error):
            raise
        failed: Exception | None = error

    async def attempt() -> T:
        nonlocal failed
        if failed is not None:
            error, failed = failed, None
            raise error  # the first attempt, already made
        return await action()

    return await retrying()(attempt)
