"""The five services run as detached uvicorn processes, each with a pid file and a log file under var/."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from devinfra.paths import REPO_ROOT, VAR_DIR
from devinfra.processes import live_process, terminate

# Every service process runs with one malloc arena (the image sets the same, deploy/Dockerfile): a thread that
# allocates (the projections' folding thread, ADR 18 addendum) would otherwise get an arena of its own, which
# kept about 7 MB of the projections' RSS (148 MB against 141 with one, of the 150 allowed). The GIL already
# serialises the threads' Python work, so they hardly contend for the one arena.
PROCESS_ENVIRONMENT = {"MALLOC_ARENA_MAX": "1"}

DEFAULT_PORTS = {
    "assessment": 8001,
    "programmes": 8002,
    "ipro": 8003,
    "partners": 8004,
    "projections": 8005,
    "web": 8000,
}


class ServiceStartError(RuntimeError):
    pass


class _NotHealthyYet(Exception):
    pass


@dataclass(frozen=True)
class ServiceProcess:
    name: str
    port: int
    log_file: Path
    pid_file: Path

    @classmethod
    def in_var(
        cls, name: str, var_dir: Path = VAR_DIR, environ: Mapping[str, str] = os.environ
    ) -> ServiceProcess:
        port = int(environ.get(f"{name.upper()}_PORT", DEFAULT_PORTS[name]))
        return cls(name, port, var_dir / "log" / f"{name}.log", var_dir / "run" / f"{name}.pid")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def factory(self) -> str:
        return f"{self.name}.bootstrap:create_app"

    def start(self, environment: Mapping[str, str]) -> bool:
        """Launch the service unless it already runs; True when it was launched now."""
        if self.process() is not None:
            return False
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            self.factory,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        with open(self.log_file, "ab") as log:
            # Own session: the service keeps running after `make up` returns and ignores its Ctrl-C.
            process = subprocess.Popen(
                argv,
                env={**os.environ, **PROCESS_ENVIRONMENT, **environment},
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        return True

    def stop(self, timeout: float = 15) -> None:
        stop_all([self], timeout)

    def process(self) -> psutil.Process | None:
        """The live process of this service, if any."""
        return live_process(self.pid_file, self.factory)

    def is_healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_until_healthy(self, deadline: float) -> None:
        """Poll GET /health until it answers 200 or `deadline` (time.monotonic()) passes."""

        def check() -> None:
            if self.process() is None:
                raise ServiceStartError(f"{self.name} exited")
            if not self.is_healthy():
                raise _NotHealthyYet(f"GET {self.url}/health did not answer 200")

        retrying = Retrying(
            stop=stop_after_delay(max(0.0, deadline - time.monotonic())),
            wait=wait_fixed(0.5),
            retry=retry_if_exception_type(_NotHealthyYet),
            reraise=True,
        )
        try:
            retrying(check)
        except _NotHealthyYet as error:
            raise ServiceStartError(f"{self.name} did not become healthy in time: {error}") from error

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def stop_all(services: list[ServiceProcess], timeout: float = 15) -> None:
    terminate([process for service in services if (process := service.process()) is not None], timeout)
    for service in services:
        service.pid_file.unlink(missing_ok=True)
