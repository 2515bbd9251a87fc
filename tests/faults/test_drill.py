"""The fault drill of `make faults`, shorter and slower: every service killed with -9 in turn under a mixed
load, then the Kafka broker, then PostgreSQL paused for 10 s; afterwards every acknowledged command's events
are in its store exactly once, on their topics with each stream in order, and in each view exactly once."""

import pytest

from devinfra.drill import Drill, Plan

pytestmark = pytest.mark.integration


async def test_the_system_loses_nothing_and_doubles_nothing_through_every_fault(tmp_path):
    report = await Drill(tmp_path, Plan(rate=40, warm_up=5, between=3)).run()

    print(report.render())  # recovery times and checks, in the test's output
    assert [check for check in report.checks if not check.ok] == []
    assert report.ok
    assert len(report.recoveries) == 7
    assert report.load["acknowledged"] > 1_000
