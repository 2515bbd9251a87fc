"""The person-file view's rebuild alone, and where its CPU goes (issue 14): `make bench`'s `rebuild` phase
without the rest of the bench, small enough to repeat while changing the code.

    uv run python bench/person_file_rebuild.py --people 300 --rebuilds 3 [--profile /tmp/rebuild.prof] \
        [--keep /tmp/rebuild-year]

A fresh PostgreSQL and Kafka under a temporary folder; a year of `--people` generated into the four stores
(`person_year.py`) and published by the kernel's relays; then, in this process, the projections service's
person-file consumer and its refresher (nothing else of the service) read the topics to their end, and the
view is rebuilt (`kernel.views.rebuild`) `--rebuilds` times. Each rebuild prints its rate and, since the
machine is shared and wall-clock rates are noisy, the CPU it took per event: this process (the consumer, as
the projections process would spend it) and the PostgreSQL backends. `--profile` writes a cProfile of the
last rebuild (cProfile slows it: its own rates are not comparable). `--keep` keeps the year in a folder
between runs, so that a change of code is measured on the same events in a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil
import uvloop

from devinfra.infra import Infrastructure, Ports, database_url_variable
from devinfra.keyring import keyring_environment
from devinfra.subject_ids import subject_id_environment
from kernel import database, heap, kafka, views
from kernel.clock import system_clock
from kernel.consumer import ConsumerRunner
from kernel.eventstore import EventStore
from kernel.keyring import Keyring, KeyringSettings
from kernel.relay import Relay, backlog

HERE = Path(__file__).resolve().parent
SERVICES = ("assessment", "programmes", "ipro", "partners")
POLICY = kafka.TopicPolicy(partitions=3, replication_factor=1, min_insync_replicas=1)  # one local broker
TIMEOUT_S = 1800


async def generate(infra: Infrastructure, workdir: Path, people: int) -> dict[str, str]:
    environment = {**os.environ, **subject_id_environment(workdir / "keys")}
    dsns = {service: await infra.create_database(service) for service in SERVICES}
    environment.update({database_url_variable(s): dsn for s, dsn in dsns.items()})
    command = [sys.executable, str(HERE / "person_year.py"), "--people", str(people)]
    process = await asyncio.create_subprocess_exec(*command, env=environment)
    if await process.wait():
        raise RuntimeError(f"person_year.py exited with {process.returncode}")
    return dsns


async def publish(infra: Infrastructure, dsns: dict[str, str]) -> None:
    """The stores' relays, until nothing is left unpublished."""
    relays = [
        Relay(
            dsn,
            infra.bootstrap_servers,
            lambda envelope, s=service: f"{s}.restricted" if envelope.restricted else f"{s}.events",
            topics=[f"{service}.events", f"{service}.restricted"],
            topic_policy=POLICY,
        )
        for service, dsn in dsns.items()
    ]
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        for dsn in dsns.values():
            connection = await database.connect(dsn)
            try:
                while (await backlog(connection)).unpublished:
                    await asyncio.sleep(0.5)
            finally:
                await connection.close()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def postgres_processes(infra: Infrastructure) -> list[psutil.Process]:
    postmaster = psutil.Process(int((infra.postgres.data_dir / "postmaster.pid").read_text().split()[0]))
    return [postmaster, *postmaster.children(recursive=True)]


def cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
            times = process.cpu_times()
            seconds[process.pid] = times.user + times.system
    return seconds


async def caught_up(pool, subscription, ends) -> float:
    """Once the consumer has reached the topics' ends: how long it took to start (its first checkpoint), which a
    rebuild spends before its replay (the leader noticing the reset, and leading again)."""
    started, first = time.perf_counter(), None
    while (done := await views.progress(pool, subscription, ends)) < 1:
        if first is None and done > 0:
            first = time.perf_counter()
        if time.perf_counter() - started > TIMEOUT_S:
            raise TimeoutError("the person-file consumer did not reach the topics' ends")
        await asyncio.sleep(0.02)
    return (first or time.perf_counter()) - started


async def settled(pool, args: argparse.Namespace) -> None:
    """Until the refresher has folded every file the last read marked (at once without it)."""
    started = time.perf_counter()
    while not args.no_refresher and await pool.fetchval(
        "SELECT EXISTS (SELECT 1 FROM person_file_changed_streams) OR EXISTS (SELECT 1 FROM person_file_stale)"
    ):
        if time.perf_counter() - started > TIMEOUT_S:
            raise TimeoutError("the refresher did not fold every file")
        await asyncio.sleep(0.5)
    print(f"  files folded again in {time.perf_counter() - started:.1f} s", flush=True)
    await asyncio.sleep(1)  # the refresher's rate check sees a quiet view again


async def measure(infra: Infrastructure, workdir: Path, args: argparse.Namespace) -> None:
    from projections.bootstrap import subscriptions
    from projections.person_file.refresher import refresher
    from projections.settings import ProjectionsSettings

    published = workdir / "published"
    if published.exists():  # --keep: the year of an earlier run, in its stores and topics
        print(f"the year of {published.read_text()} people published before, under {workdir}", flush=True)
    else:
        started = time.perf_counter()
        dsns = await generate(infra, workdir, args.people)
        print(f"year generated in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        await publish(infra, dsns)
        print(f"year published in {time.perf_counter() - started:.0f} s", flush=True)
        published.write_text(str(args.people))

    dsn = await infra.create_database(f"projections_{time.time_ns()}")  # a fresh view each run
    await database.migrate(dsn, Path(__import__("projections").__file__).parent / "migrations")
    keyring = await Keyring.open(KeyringSettings(**await keyring_environment(infra, workdir / "keys")))
    settings = ProjectionsSettings(database_url=dsn, kafka_bootstrap_servers=infra.bootstrap_servers)
    subscription = next(
        s
        for s in subscriptions(settings, EventStore(pool=None))
        if s.name == settings.topic("projections.person-file")
    )
    pool = await database.create_pool(dsn)
    runner = ConsumerRunner(
        subscription, pool, infra.bootstrap_servers, dsn=dsn, topic_policy=POLICY, keyring=keyring
    )
    partitions = await kafka.partitions_of(infra.bootstrap_servers, subscription.topics)
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=infra.bootstrap_servers)
    await consumer.start()
    try:
        ends = {(p.topic, p.partition): end for p, end in (await consumer.end_offsets(partitions)).items()}
    finally:
        await consumer.stop()
    total = sum(ends.values())
    heap.settle()  # as the service does once started: start-up's objects out of the collector's walks
    tasks = [asyncio.create_task(runner.run())]
    if not args.no_refresher:
        tasks.append(asyncio.create_task(refresher(pool, system_clock)()))
    try:
        started = time.perf_counter()
        await caught_up(pool, subscription, ends)
        kept = await pool.fetchval("SELECT count(*) FROM person_file_events")
        print(
            f"first read: {total:,} messages in {time.perf_counter() - started:.1f} s, {kept:,} events kept",
            flush=True,
        )
        await settled(pool, args)  # the refresher folds the files once: not the rebuild's work
        for n in range(1, args.rebuilds + 1):
            profiler = cProfile.Profile(time.process_time) if args.profile and n == args.rebuilds else None
            postgres = postgres_processes(infra)
            before_pg, before_self = cpu_seconds(postgres), time.process_time()
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            await views.rebuild(pool, subscription)
            starting = await caught_up(pool, subscription, ends)
            if profiler:
                profiler.disable()
                profiler.dump_stats(args.profile)
            seconds = time.perf_counter() - started
            after_pg = cpu_seconds(postgres_processes(infra))
            own = time.process_time() - before_self
            pg = sum(s - before_pg.get(pid, 0.0) for pid, s in after_pg.items())
            kept = await pool.fetchval("SELECT count(*) FROM person_file_events")
            print(
                f"rebuild {n}{' (profiled)' if profiler else ''}: {total:,} messages in {seconds:.1f} s, "
                f"{total / seconds:,.0f} events/s; CPU per message: projections {own * 1e6 / total:.0f} µs, "
                f"PostgreSQL {pg * 1e6 / total:.0f} µs, both {(own + pg) * 1e6 / total:.0f} µs; "
                f"{kept:,} events kept; {starting:.1f} s to start, {total / (seconds - starting):,.0f}/s after",
                flush=True,
            )
            await settled(pool, args)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await pool.close()
        keyring.stop_listening()
        await keyring.pool.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--rebuilds", type=int, default=3)
    parser.add_argument("--profile", help="a cProfile of the last rebuild, written there")
    parser.add_argument("--keep", help="a folder where the year stays between runs (generated once)")
    parser.add_argument("--no-refresher", action="store_true", help="the consumer alone")
    args = parser.parse_args()
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="passerelle-rebuild-"))
    workdir.mkdir(parents=True, exist_ok=True)
    saved = workdir / "ports.json"  # the broker's topics name it by its address: the same ports again
    ports = Ports(**json.loads(saved.read_text())) if saved.exists() else Ports.free()
    saved.write_text(json.dumps(vars(ports)))
    infra = Infrastructure.local(root=workdir / "infra", ports=ports)
    try:
        infra.start()
        uvloop.run(measure(infra, workdir, args))  # the loop uvicorn runs the projections service on
    finally:
        infra.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
