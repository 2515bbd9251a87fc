"""A service's process is found by its pid file and its command line, even in the moment after `Popen`
returns when the new program's arguments are not set up yet."""

import sys

import psutil
import pytest

from devinfra.processes import live_process


class _JustExecuted:
    """A live process whose command line reads empty at first, as between exec's switch of its memory and the
    setup of its arguments, then shows them."""

    def __init__(self, empty_reads: int, arguments: list[str]) -> None:
        self.empty_reads = empty_reads
        self.arguments = arguments

    def cmdline(self) -> list[str]:
        if self.empty_reads:
            self.empty_reads -= 1
            return []
        return self.arguments

    def status(self) -> str:
        return psutil.STATUS_RUNNING


def test_a_process_whose_arguments_are_not_set_up_yet_is_still_found(tmp_path, monkeypatch):
    pid_file = tmp_path / "ipro.pid"
    pid_file.write_text("4242")
    starting = _JustExecuted(3, [sys.executable, "-m", "uvicorn", "--factory", "ipro.bootstrap:create_app"])
    monkeypatch.setattr(psutil, "Process", lambda pid: starting)

    assert live_process(pid_file, "ipro.bootstrap:create_app") is starting


def test_a_process_that_never_shows_the_marker_is_not_ours(tmp_path, monkeypatch):
    pid_file = tmp_path / "ipro.pid"
    pid_file.write_text("4242")
    other = _JustExecuted(0, ["/usr/bin/something-else"])
    monkeypatch.setattr(psutil, "Process", lambda pid: other)

    assert live_process(pid_file, "ipro.bootstrap:create_app") is None


def test_a_stale_pid_file_names_nothing(tmp_path):
    pid_file = tmp_path / "ipro.pid"
    pid_file.write_text(str(2**22 + 1))  # above Linux's pid_max: no such process

    assert live_process(pid_file, "ipro.bootstrap:create_app") is None


@pytest.mark.parametrize("content", ["", "not a pid"])
def test_an_unreadable_pid_file_names_nothing(tmp_path, content):
    pid_file = tmp_path / "ipro.pid"
    pid_file.write_text(content)

    assert live_process(pid_file, "ipro.bootstrap:create_app") is None
