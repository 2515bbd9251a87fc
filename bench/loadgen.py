"""Load generators and the one statistic the benchmark needs.

Closed loop (N workers, each starts its next operation when the previous one ends) measures capacity.
Open loop (operation i starts at t0 + i / rate whatever happened before) measures latency at a given
load without coordinated omission: a slow answer does not delay the requests scheduled after it.
`wrk` (Debian's, written in C) measures HTTP capacity when the Python client would be the bottleneck.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from cpuclock import Groups, cpu_window

T = TypeVar("T")
Operation = Callable[[int], Awaitable[bool]]  # one operation of worker `n`; whether it succeeded

WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
PATHS_SCRIPT = WRK_SCRIPTS / "paths.lua"  # GET paths drawn at random from a file
BODIES_SCRIPT = WRK_SCRIPTS / "bodies.lua"  # POST bodies from a file, each once, in order
PACED_SCRIPT = WRK_SCRIPTS / "paced.lua"  # the same at a fixed rate, open loop


async def closed_loop(operation: Operation, *, workers: int, duration: float) -> dict:
    """Run `operation(worker)` back to back in `workers` tasks for `duration` s; successes per second.

    The window ends at a fixed instant; operations still in flight then are not counted, so the rate is
    not inflated by work that started inside the window but finished after it.
    """
    started = time.perf_counter()
    until = started + duration
    done = failed = 0

    async def worker(index: int) -> None:
        nonlocal done, failed
        while time.perf_counter() < until:
            ok = await operation(index)
            if time.perf_counter() <= until:
                done, failed = (done + 1, failed) if ok else (done, failed + 1)

    await asyncio.gather(*(worker(i) for i in range(workers)))
    return {"per_second": done / duration, "done": done, "failed": failed, "seconds": duration}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): a value that was actually observed, never interpolated."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


async def wait_until(
    predicate: Callable[[], Awaitable[Any]], *, timeout: float, what: str, interval: float = 0.05
) -> Any:
    """Poll `predicate` until it is truthy; fail loudly after `timeout` s (a deadline, not a blind sleep)."""
    deadline = time.monotonic() + timeout
    while not (value := await predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)
    return value


def wrk(url: str, script: Path, arguments: Sequence[object], connections: int, seconds: int) -> dict:
    """Run `wrk` with one thread and `connections` connections for `seconds` against `url`, `script`
    given `arguments`; what it did, its latencies, and the CPU it took itself (to be told apart from the
    system's). The scripts print one JSON line at the end (`wrk/common.lua`)."""
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url, "--",
        *(str(argument) for argument in arguments),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    out, err = process.stdout.read(), process.stderr.read()
    if process.returncode:
        raise RuntimeError(f"wrk exited with {process.returncode}: {err or out}")
    report = json.loads(next(line for line in reversed(out.splitlines()) if line.startswith("{")))
    seconds_run = report["duration_us"] / 1e6
    latency = report["latency_us"]
    return {
        "tool": "wrk",
        "done": report["requests"],
        "per_second": report["requests"] / seconds_run,
        "failed": report["errors"]["status"] + report["errors"]["timeout"] + report["errors"]["connect"],
        "p50_ms": latency["p50"] / 1000,
        "p90_ms": latency["p90"] / 1000,
        "p99_ms": latency["p99"] / 1000,
        "max_ms": latency["max"] / 1000,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def quantiles_ms(result: dict) -> dict[int, float]:
    """wrk's latencies of a run as {percentile: ms}, the form the bench records."""
    return {50: result["p50_ms"], 90: result["p90_ms"], 99: result["p99_ms"], 100: result["max_ms"]}


async def measured_wrk(
    groups: Groups, url: str, script: Path, arguments: Sequence[object], connections: int, seconds: int
) -> tuple[dict, dict]:
    """`wrk` inside a CPU window: what it did, and the CPU each group spent, wrk's own told apart from the
    rest of the machine ("other")."""
    with cpu_window(groups) as cpu:
        result = await asyncio.to_thread(wrk, url, script, arguments, connections, seconds)
    cpu["wrk"] = result.pop("cpu_seconds")
    cpu["other"] = max(0.0, cpu["other"] - cpu["wrk"])
    return result, cpu
