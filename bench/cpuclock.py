"""Where the CPU went during a measured window: seconds per group of processes, and the rest of the machine.

On a 2-core box the benchmark client, the services, PostgreSQL and Kafka all compete for the same cores,
so a throughput figure means little without knowing who was busy. "other" is whatever ran on the machine
outside our processes (e.g. someone's test run): a large value means the figures of that window are noisy.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import psutil

# Above this share of the machine used by processes not ours, a window's figures are flagged as noisy.
NOISY = 0.10
Groups = Callable[[], dict[str, list[psutil.Process]]]


def _cpu_seconds(process: psutil.Process) -> float | None:
    try:
        times = process.cpu_times()
        return times.user + times.system
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return None


def _snapshot(groups: Groups) -> dict[str, dict[int, float]]:
    return {
        name: {p.pid: s for p in processes if (s := _cpu_seconds(p)) is not None}
        for name, processes in groups().items()
    }


def _machine_busy() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


@contextlib.contextmanager
def cpu_window(groups: Groups) -> Iterator[dict]:
    """`with cpu_window(groups) as used:` fills `used` on exit: CPU seconds per group, "other", "idle",
    and the wall-clock length of the window (capacity = cores * seconds)."""
    used: dict = {}
    before, busy_before = _snapshot(groups), _machine_busy()
    wall_before = time.monotonic()
    yield used
    after, busy_after = _snapshot(groups), _machine_busy()
    wall = time.monotonic() - wall_before
    for name, pids in after.items():
        # A process born inside the window (a new PostgreSQL backend) counts from zero.
        used[name] = sum(s - before.get(name, {}).get(pid, 0.0) for pid, s in pids.items())
    busy = busy_after - busy_before
    used["other"] = max(0.0, busy - sum(used.values()))
    used["idle"] = max(0.0, wall * psutil.cpu_count() - busy)
    used["window_s"] = wall


def describe(used: dict, operations: int) -> str:
    """One line: CPU ms per operation for each group, and the share of the machine each took."""
    capacity = used["window_s"] * psutil.cpu_count()
    parts = [
        f"{name} {seconds * 1000 / max(operations, 1):.2f} ms/op ({seconds / capacity:.0%})"
        for name, seconds in used.items()
        if name not in {"window_s", "idle"} and seconds > 0.005 * capacity
    ]
    noisy = used["other"] / capacity > NOISY
    line = ", ".join(parts + [f"idle {used['idle'] / capacity:.0%}"])
    return line + ("  <- NOISY: not ours" if noisy else "")
