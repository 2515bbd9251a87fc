"""The fault drill (`make faults`): the whole system under a steady mixed load, each service killed with -9 in
turn, then the Kafka broker, then PostgreSQL paused. Afterwards every acknowledged command's events are in
its service's store exactly once, on their topics in per-stream order, and in each view exactly once
(`drill_checks`); the time each fault took to recover from is printed.

It runs its own PostgreSQL and Kafka in a folder of its own, on free ports: the faults never touch `make up`
or a test session's infrastructure.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from devinfra.drill_checks import Check, check_everything, drained
from devinfra.infra import SERVICES, Infrastructure, Ports, database_url_variable, migration_url_variable
from devinfra.keyring import keyring_environment
from devinfra.subject_ids import subject_id_environment
from devinfra.testkit import LocalSystem, wait_for
from devinfra.tokens import DevKeys
from devinfra.workload import Workload

RECOVERY_TIMEOUT = 180.0


@dataclass(frozen=True)
class Plan:
    rate: float = 200.0  # commands per second over the four write services
    warm_up: float = 20.0  # seconds of load before the first fault
    between: float = 10.0  # seconds of load after each recovery, before the next fault
    postgres_pause: float = 10.0
    killed: tuple[str, ...] = SERVICES  # each killed with -9 in turn, then restarted


@dataclass(frozen=True)
class Recovery:
    fault: str
    seconds: float  # from the fault to every service answering /ready 200 again


@dataclass
class Report:
    plan: Plan
    recoveries: list[Recovery] = field(default_factory=list)
    load: dict = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def render(self) -> str:
        lines = [
            f"Fault drill at {self.plan.rate:.0f} commands/s",
            "",
            "fault                         recovered in",
        ]
        lines += [f"  {r.fault:<28} {r.seconds:6.1f} s" for r in self.recoveries]
        load = self.load
        lines += [
            "",
            f"load: {load.get('acknowledged')} commands acknowledged in {load.get('seconds')} s "
            f"({load.get('acknowledged_per_second')}/s for {self.plan.rate:.0f}/s offered), "
            f"{load.get('refused')} refused, {load.get('abandoned')} never answered, "
            f"{load.get('retried_attempts')} attempts retried",
            "      "
            + ", ".join(
                f"{service} {figures['acknowledged']}"
                for service, figures in load.get("by_service", {}).items()
            ),
        ]
        lines += [f"      refused: {count} x {what}" for what, count in load.get("refusals", {}).items()]
        lines += [f"      workload error: {error}" for error in load.get("chain_errors", [])] + [""]
        lines += [f"  {'ok ' if c.ok else 'FAIL'} {c.name}: {c.detail}" for c in self.checks]
        lines += ["", "every check holds" if self.ok else "SOME CHECKS FAILED"]
        return "\n".join(lines)


class Drill:
    def __init__(self, workdir: Path, plan: Plan, *, log: Callable[[str], object] = print) -> None:
        self.workdir = workdir
        self.plan = plan
        self.log = log
        self.infra = Infrastructure.local(workdir / "infra", Ports.free())
        self.environment: dict[str, str] = {}
        self.system: LocalSystem | None = None

    async def run(self) -> Report:
        report = Report(self.plan)
        await asyncio.to_thread(self.infra.start)
        try:
            await self._start_services()
            keys = DevKeys.load_or_create(self.workdir / "keys")
            workload = Workload({s: self.system.url(s) for s in SERVICES}, keys.mint, rate=self.plan.rate)
            stop = asyncio.Event()
            load = asyncio.create_task(workload.run(stop))
            try:
                await self._sleep_under_load(self.plan.warm_up, load)
                for fault, inflict in self._faults():
                    self.log(f"fault: {fault}")
                    started = time.monotonic()
                    await inflict()
                    await self._all_ready()
                    report.recoveries.append(Recovery(fault, time.monotonic() - started))
                    self.log(f"  recovered in {report.recoveries[-1].seconds:.1f} s")
                    await self._sleep_under_load(self.plan.between, load)
            finally:
                stop.set()
                await load
            report.load = workload.summary()
            self.log("load stopped; waiting for every relay and consumer to catch up")
            await drained(self.environment, timeout=RECOVERY_TIMEOUT)
            report.checks = await check_everything(self.environment, workload)
        finally:
            if self.system is not None:
                await asyncio.to_thread(self.system.stop)
            await asyncio.to_thread(self.infra.stop)
        return report

    async def _start_services(self) -> None:
        await self.infra.ensure_databases()
        keys = DevKeys.load_or_create(self.workdir / "keys")
        self.environment = {
            **self.infra.kafka_environment(),
            **{database_url_variable(s): self.infra.database_url(s) for s in SERVICES},
            **{migration_url_variable(s): self.infra.owner_database_url(s) for s in SERVICES},
            **await keyring_environment(self.infra, self.workdir / "keys"),
            **subject_id_environment(self.workdir / "keys"),
            "KAFKA_TOPIC_PREFIX": "drill.",
            "AUTH_JWKS_FILE": str(keys.jwks_path),
            "LOG_LEVEL": "WARNING",
        }
        self.system = LocalSystem(self.workdir / "services", self.environment, list(SERVICES))
        await asyncio.to_thread(self.system.start)
        await self._all_ready()

    def _faults(self) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
        faults = [(f"kill -9 {service}", self._killer(service)) for service in self.plan.killed]
        faults.append(("kill -9 the Kafka broker", self._kill_the_broker))
        faults.append((f"PostgreSQL paused {self.plan.postgres_pause:.0f} s", self._pause_postgres))
        return faults

    def _killer(self, service: str) -> Callable[[], Awaitable[None]]:
        async def kill_and_restart() -> None:
            self.system.kill(service)
            await asyncio.to_thread(self.system.start, service)

        return kill_and_restart

    async def _kill_the_broker(self) -> None:
        await asyncio.to_thread(self.infra.kafka.kill)
        await asyncio.to_thread(self.infra.kafka.start)

    async def _pause_postgres(self) -> None:
        """SIGSTOP the server and every backend, as a stalled disk or a frozen VM would, then SIGCONT."""
        postmaster = psutil.Process(
            int((self.infra.postgres.data_dir / "postmaster.pid").read_text().split()[0])
        )
        processes = [postmaster, *postmaster.children(recursive=True)]
        for process in processes:
            os.kill(process.pid, signal.SIGSTOP)
        try:
            await asyncio.sleep(self.plan.postgres_pause)
        finally:
            for process in processes:
                os.kill(process.pid, signal.SIGCONT)

    async def _all_ready(self) -> None:
        async with httpx.AsyncClient(timeout=3) as http:

            async def every_service_ready() -> bool:
                for service in SERVICES:
                    try:
                        if (await http.get(f"{self.system.url(service)}/ready")).status_code != 200:
                            return False
                    except httpx.HTTPError:
                        return False
                return True

            await wait_for(
                every_service_ready,
                timeout=RECOVERY_TIMEOUT,
                interval=0.2,
                message="every service ready again",
            )

    async def _sleep_under_load(self, seconds: float, load: asyncio.Task) -> None:
        """The load keeps running meanwhile; if it died, say so at once."""
        done, _ = await asyncio.wait([load], timeout=seconds)
        if done:
            raise RuntimeError(f"the workload stopped early: {load.exception()!r}")


def main() -> None:
    """`make faults`: the drill at full rate; prints its report, exits 1 if a check failed."""
    import typer

    def drill(
        rate: float = 200.0, warm_up: float = 20.0, between: float = 10.0, workdir: Path | None = None
    ) -> None:
        plan = Plan(rate=rate, warm_up=warm_up, between=between)
        with tempfile.TemporaryDirectory(prefix="passerelle-drill-") as scratch:
            report = asyncio.run(Drill(workdir or Path(scratch), plan).run())
        typer.echo(report.render())
        raise typer.Exit(0 if report.ok else 1)

    typer.run(drill)


if __name__ == "__main__":
    main()
