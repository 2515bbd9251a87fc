"""An action run once bare, tenacity only after a failure, which counts as its first attempt."""

import pytest
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_none

from kernel.retrying import once_then_retrying


class Lost(Exception):
    pass


class Broken(Exception):
    pass


def an_action(*outcomes):
    """Raises or returns each of `outcomes` in turn; `calls` counts the calls."""
    pending = list(outcomes)

    async def action():
        action.calls += 1
        outcome = pending.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    action.calls = 0
    return action


def retrying_up_to(attempts: int, seen: list):
    def build() -> AsyncRetrying:
        seen.append("built")
        return AsyncRetrying(
            retry=retry_if_exception_type(Lost),
            stop=stop_after_attempt(attempts),
            wait=wait_none(),
            before_sleep=lambda state: seen.append((state.attempt_number, str(state.outcome.exception()))),
            reraise=True,
        )

    return build


def is_lost(error: Exception) -> bool:
    return isinstance(error, Lost)


async def test_an_action_that_succeeds_at_once_builds_no_retrying():
    seen, action = [], an_action("done")

    assert await once_then_retrying(action, retrying_up_to(3, seen), retried=is_lost) == "done"
    assert action.calls == 1 and seen == []


async def test_a_first_failure_is_the_retryings_first_attempt():
    seen, action = [], an_action(Lost("first"), Lost("second"), "done")

    assert await once_then_retrying(action, retrying_up_to(3, seen), retried=is_lost) == "done"
    assert action.calls == 3
    assert seen == ["built", (1, "first"), (2, "second")]  # numbered and told as tenacity alone would


async def test_the_attempts_include_the_first_one():
    seen, action = [], an_action(Lost("1"), Lost("2"), Lost("3"), "never reached")

    with pytest.raises(Lost, match="3"):
        await once_then_retrying(action, retrying_up_to(3, seen), retried=is_lost)
    assert action.calls == 3


async def test_an_error_not_retried_is_raised_at_once():
    seen, action = [], an_action(Broken("no"), "never reached")

    with pytest.raises(Broken):
        await once_then_retrying(action, retrying_up_to(3, seen), retried=is_lost)
    assert action.calls == 1 and seen == []
