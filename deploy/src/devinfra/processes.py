"""Stopping the detached processes we started (Kafka broker, services) by their pid."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

import psutil


def terminate(processes: list[psutil.Process], timeout: float) -> None:
    """SIGTERM all at once (so their shutdowns overlap), SIGKILL whatever is still alive at the deadline."""
    for process in processes:
        _send(process.terminate)
    kill(_wait_until_exited(processes, timeout))


def kill(processes: list[psutil.Process], timeout: float = 5) -> None:
    """SIGKILL, the way a crash ends a process (no shutdown hook runs); waits up to `timeout` for the exits."""
    for process in processes:
        _send(process.kill)
    _wait_until_exited(processes, timeout)


def _wait_until_exited(processes: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    alive = [process for process in processes if not _has_exited(process)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [process for process in alive if not _has_exited(process)]
    return alive


def _has_exited(process: psutil.Process) -> bool:
    try:
        process.wait(timeout=0)  # reaps it if it is our own child
        return True
    except psutil.TimeoutExpired:
        # An exited process stays a zombie until its parent reaps it. Ours are orphans whose parent is
        # init, which in containers and sandboxes can take seconds to reap; psutil.wait() would wait for that.
        # A multithreaded process (a JVM) shows as a zombie as soon as its main thread is gone, while other
        # threads still hold its sockets for some milliseconds: a restart on the same port would fail.
        try:
            return process.status() == psutil.STATUS_ZOMBIE and process.num_threads() <= 1
        except psutil.NoSuchProcess:
            return True


def _send(signal_process: Callable[[], None]) -> None:
    with contextlib.suppress(psutil.NoSuchProcess):
        signal_process()


def live_process(pid_file: Path, *markers: str) -> psutil.Process | None:
    """The process named by `pid_file` if it still runs and its command line holds every marker: a stale
    pid file may name a pid the system has since given to another program."""
    try:
        process = psutil.Process(int(pid_file.read_text()))
        command_line = _command_line(process)
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess, psutil.ZombieProcess):
        return None
    return process if all(marker in command_line for marker in markers) else None


def _command_line(process: psutil.Process, settle: float = 2.0) -> list[str]:
    """The process's arguments. A process just started may show none: `Popen` returns once `exec` has closed
    the child's close-on-exec pipe, before the kernel has set up the new program's arguments, and on a loaded
    machine the child can stay in that state for milliseconds. Taken for another program, a service just
    started read as "exited" and, not killed, outlived its test. A live process without arguments is given
    `settle` seconds to show them (a kernel thread or a zombie never will)."""
    deadline = time.monotonic() + settle
    while not (command_line := process.cmdline()) and time.monotonic() < deadline:
        if process.status() == psutil.STATUS_ZOMBIE:
            break
        time.sleep(0.01)
    return command_line
