"""Dead letters are listed per subscription and re-driven to it alone, once, after their cause is fixed."""

import pytest
from pydantic import BaseModel, field_validator

from contracts import registry
from devinfra.testkit import read_topic, wait_for
from kernel.consumer import Subscription
from kernel.dead_letters import dead_letters, redrive

from ..samples import ONE_NODE
from .test_consumer import an_envelope, applied, produce, record_number, runner_for, running

pytestmark = pytest.mark.integration


class _SampleReadingWords(BaseModel):
    """The fix deployed after the incident: the sample's contract now reads a number written in words."""

    number: int

    @field_validator("number", mode="before")
    @classmethod
    def _words(cls, value):
        return {"twelve": 12}.get(value, value)


async def test_a_dead_letter_is_redriven_once_to_its_subscription_after_the_fix(
    pool,
    dsn,
    bootstrap,
    unique_name,
    monkeypatch,  # noqa: F811
):
    topic = unique_name("topic")
    await produce(bootstrap, topic, an_envelope(1), an_envelope("twelve"), an_envelope(3))
    subscription = Subscription(unique_name("group"), [topic], record_number)
    async with running(runner_for(subscription, pool, bootstrap, dsn=dsn)):
        await wait_for(lambda: _applied_are(pool, [1, 3]), timeout=30, message="the good events")
        await read_topic(bootstrap, f"{topic}.dlq", at_least=1)

    [parked] = await dead_letters(bootstrap, subscription)
    assert (parked.error, parked.event_type, parked.redriven) == (
        "ValidationError: number: int_parsing",
        "kerneltest.sample.recorded",
        False,
    )
    assert parked.origin.startswith(f"{topic}[") and parked.origin.endswith("]@1")

    monkeypatch.setitem(registry._events, ("kerneltest.sample.recorded", 1), _SampleReadingWords)
    assert await redrive(bootstrap, subscription, ONE_NODE) == 1
    async with running(runner_for(subscription, pool, bootstrap, dsn=dsn)):
        await wait_for(lambda: _applied_are(pool, [1, 3, 12]), timeout=30, message="the re-driven event")

    assert await redrive(bootstrap, subscription, ONE_NODE) == 0  # once
    [parked] = await dead_letters(bootstrap, subscription)
    assert parked.redriven
    # Neither the audit log nor the topic's other readers see it again.
    assert len(await read_topic(bootstrap, topic, at_least=3, timeout=5)) == 3


async def _applied_are(pool, numbers) -> bool:  # noqa: F811
    return await applied(pool) == numbers
