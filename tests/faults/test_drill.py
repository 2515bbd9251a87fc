"""The fault drill of `make faults`, shorter and slower: under a mixed load over the four write services, IPRO
(a producer whose reactions to other services' events must happen once) and projections (the views) killed
with -9 in turn, then the Kafka broker, then PostgreSQL paused for 10 s; afterwards every acknowledged
command's events are in its store exactly once, on their topics with each stream in order, and in each view
exactly once. The other three services run the same kernel relay and consumer: `make faults` kills each of
them too, and tests/faults/test_kill9*.py kill partners' relay and programmes' reactions mid-stream."""

import pytest

from devinfra.drill import Drill, Plan

pytestmark = pytest.mark.integration

KILLED = ("ipro", "projections")


async def test_the_system_loses_nothing_and_doubles_nothing_through_every_fault(tmp_path):
    report = await Drill(tmp_path, Plan(rate=40, warm_up=5, between=3, killed=KILLED)).run()

    print(report.render())  # recovery times and checks, in the test's output
    assert [check for check in report.checks if not check.ok] == []
    assert report.ok
    assert len(report.recoveries) == len(KILLED) + 2  # and the broker, and PostgreSQL
    assert report.load["acknowledged"] > 1_000
