"""The decider runner: facts reach `decide`, a value the contract refuses is a named rule, and the kernel's
domain half loads neither the database driver nor the metrics library."""

import subprocess
import sys
from pathlib import Path

import pytest

from kernel.decider import Decider
from kernel.errors import InvalidValue
from kernel.testing import given

from ..samples import SampleRecorded


def decide(command: int | str, state: int, facts: int | None = None) -> list[SampleRecorded]:
    if isinstance(command, str):  # what a careless decider would put in an event
        return [SampleRecorded(number=command)]
    return [SampleRecorded(number=command + state + (facts or 0))]


counter = Decider(
    stream_type="sample", initial_state=0, decide=decide, evolve=lambda state, event: state + event.number
)


def test_decide_receives_the_state_folded_from_the_history_and_the_facts():
    assert given(counter, SampleRecorded(number=2), SampleRecorded(number=3)).when(1, facts=10) == [
        SampleRecorded(number=16)
    ]


def test_a_decider_that_needs_no_facts_is_run_without_them():
    assert given(counter).when(4) == [SampleRecorded(number=4)]


def test_a_value_the_event_contract_refuses_is_reported_as_an_invalid_value():
    with pytest.raises(InvalidValue) as refused:
        given(counter).when("not a number")
    assert refused.value.code == "value-invalid" and "number" in refused.value.message


SERVICES = Path(__file__).parents[3]


def domain_modules() -> list[str]:
    """Every service's pure half: its domain package and its access predicates."""
    paths = [*SERVICES.glob("*/src/*/domain/*.py"), *SERVICES.glob("*/src/*/access.py")]
    names = {
        ".".join(
            path.relative_to(path.parents[2] if path.parent.name == "domain" else path.parents[1])
            .with_suffix("")
            .parts
        )
        for path in paths
    }
    return sorted({"kernel.decider", "kernel.testing"} | {name.removesuffix(".__init__") for name in names})


def test_the_domain_half_of_every_service_loads_no_database_driver_no_broker_client_and_no_metrics():
    # One fresh interpreter imports each module in turn and names the first that drags one in.
    code = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
    loaded = sorted({m.split('.')[0] for m in sys.modules} & {'asyncpg', 'prometheus_client', 'aiokafka'})
    if loaded:
        print(name, loaded)
        break
"""
    modules = domain_modules()
    assert len(modules) > 20
    result = subprocess.run(
        [sys.executable, "-c", code, *modules], capture_output=True, text=True, check=True
    )
    assert result.stdout == ""
