"""Builds a service's FastAPI app: routes and their policies, problem handlers, health/ready/metrics,
and, during its lifespan, the database, the outbox relay and the Kafka consumers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from tenacity import AsyncRetrying, retry_if_exception_type, retry_if_not_exception_type, wait_exponential

from kernel import checkpoints, cluster, database, heap, journal, logs, openapi, retention, transport
from kernel.auth import RoleModel, TokenVerifier
from kernel.clock import Clock, system_clock
from kernel.consumer import ConsumerRunner, Subscription
from kernel.errors import InfrastructureMisconfigured
from kernel.eventstore import EventStore
from kernel.http import (
    BodySizeLimit,
    CorrelationId,
    OperationsGate,
    PolicyRoute,
    RequestMetrics,
    SecurityHeaders,
    roles_not_in,
    routes_without_policy,
)
from kernel.keyring import Keyring, KeyringSettings
from kernel.operations import DOCS_ASSETS, DOCS_FILES, operations_router
from kernel.problems import HANDLERS
from kernel.pseudonyms import Pseudonyms
from kernel.ratelimits import RateLimits
from kernel.relay import StallWatch, service_relay
from kernel.settings import ServiceSettings

log = logs.get_logger(__name__)

SHUTDOWN_SECONDS = 10
# The loops the kernel runs in every service, by name: a service's own loops take other names.
KERNEL_LOOPS = frozenset({"retention", "checkpoints"})


@dataclass
class ServiceDefinition:
    name: str
    # The roles its tokens may carry and those limited to an organisation (`contracts.roles`).
    roles: RoleModel
    routers: list[APIRouter] = field(default_factory=list)
    # A service that only read others' events would append none: no relay, no topics of its own.
    appends_events: bool = True
    # How long its relay waits after publishing before it looks again (0: at once). A service whose events
    # no one waits for (projections' consultations) sets a tenth of a second: events written one per request
    # then go out ten times a second, each time together, instead of costing the relay five queries and a
    # produce each.
    relay_pace_seconds: float = 0.0
    migrations: Path | None = None
    # Built once the settings are known: topic names carry the configured prefix. A subscriber that reacts
    # with commands of its own appends through the store (its clock).
    subscriptions: Callable[[ServiceSettings, EventStore], list[Subscription]] = lambda settings, store: []
    # The service's own loops (e.g. a deadline scheduler), by name: each `run(started)` is supervised like
    # the relay, restarted with backoff and reported by /ready while it fails.
    background: Callable[[ServiceSettings, EventStore], dict[str, Callable[..., Awaitable[None]]]] = (
        lambda settings, store: {}
    )
    # Reference data the service appends at start-up when missing (e.g. a shipped catalogue), as events.
    reference_data: Callable[[ServiceSettings, EventStore], Awaitable[None]] | None = None


@dataclass
class Runtime:
    """The running service's loops and clients: what /ready reports on."""

    kafka_admin: AIOKafkaAdminClient
    relay_watch: StallWatch | None
    # The topics its subscriptions read, without the deployment's prefix (its AsyncAPI lists them).
    consumed_topics: frozenset[str] = frozenset()
    failing_tasks: dict[str, str] = field(default_factory=dict)
    background_tasks: list[asyncio.Task] = field(default_factory=list)


async def supervise(name: str, run: Callable[..., object], failing: dict[str, str]) -> None:
    """Keep a background loop alive: a crash (broker or database away) is logged and retried with backoff.
    From a failure until the loop has started again, `failing[name]` says why, and /ready answers 503. A
    misconfiguration that retrying cannot fix stops the loop for good, with the operator's instructions."""
    try:
        retry = retry_if_exception_type(Exception) & retry_if_not_exception_type(InfrastructureMisconfigured)
        async for attempt in AsyncRetrying(retry=retry, wait=wait_exponential(max=15)):
            with attempt:
                try:
                    await run(started=lambda: failing.pop(name, None))
                except InfrastructureMisconfigured:
                    raise
                except Exception as error:
                    if asyncio.current_task().cancelling():
                        # A library turned our cancellation into an error (asyncpg's pool does, with the
                        # database gone): stop, do not retry.
                        raise asyncio.CancelledError from error
                    failing[name] = f"{type(error).__name__}: {error}"[:300]
                    log.exception("background task failed; restarting", task=name)
                    raise
    except InfrastructureMisconfigured as error:
        failing[name] = f"stopped: {error}"
        log.critical("background task stopped: an operator must act", task=name, error=str(error))


def create_service_app(
    definition: ServiceDefinition, settings: ServiceSettings, *, clock: Clock = system_clock
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        logs.configure(settings.log_level, service=definition.name)
        migrations = [definition.migrations] if definition.migrations else []
        await database.migrate(settings.migration_database_url or settings.database_url, *migrations)
        pool = await database.create_pool(settings.database_url)
        async with pool.acquire() as connection:
            await cluster.check(connection)  # refuses to start on a restored database until it is rebased
        # Personal data is sealed with per-person keys from the deployment's one keyring (kernel.keyring).
        keyring = app.state.keyring = await Keyring.open(KeyringSettings())
        app.state.event_store = EventStore(pool, clock, keyring=keyring)
        app.state.rate_limits = RateLimits.shared(settings, pool)
        if definition.reference_data is not None:
            await definition.reference_data(settings, app.state.event_store)
        run_relay = settings.run_relay and definition.appends_events
        running = app.state.runtime = Runtime(
            kafka_admin=AIOKafkaAdminClient(
                bootstrap_servers=settings.kafka_bootstrap_servers,
                **settings.kafka_security().client_options(),
            ),
            relay_watch=StallWatch() if run_relay else None,
        )
        tasks, failing = running.background_tasks, running.failing_tasks
        tasks.append(asyncio.create_task(app.state.journal.warm_up(), name="journal warm-up"))
        if run_relay:
            relay = service_relay(settings, definition.name, pace_seconds=definition.relay_pace_seconds)
            tasks.append(asyncio.create_task(supervise("relay", relay.run, failing), name="relay"))
        subscriptions = definition.subscriptions(settings, app.state.event_store)
        running.consumed_topics = frozenset(
            topic.removeprefix(settings.kafka_topic_prefix) for s in subscriptions for topic in s.topics
        )
        if settings.run_consumers:
            for subscription in subscriptions:
                runner = ConsumerRunner(
                    subscription,
                    pool,
                    settings.kafka_bootstrap_servers,
                    dsn=settings.database_url,
                    topic_policy=settings.topic_policy(),
                    retry=settings.retry_policy(),
                    health=failing,
                    keyring=keyring,
                    security=settings.kafka_security(),
                )
                tasks.append(
                    asyncio.create_task(
                        supervise(subscription.name, runner.run, failing), name=subscription.name
                    )
                )
        if settings.run_background:
            own = definition.background(settings, app.state.event_store)
            # A service's loop named like one of the kernel's would silently replace it, or be replaced.
            if clash := own.keys() & KERNEL_LOOPS:
                raise InfrastructureMisconfigured(f"background loops {sorted(clash)} are the kernel's names")
            loops = {"retention": retention.pruner(pool, settings), **own}
            if definition.appends_events:
                if (checkpointer := checkpoints.service_checkpointer(settings, definition.name)) is not None:
                    loops["checkpoints"] = checkpointer.run
                else:
                    log.warning("no checkpoint signing key: the log is not anchored (ADR 27)")
            for name, run in loops.items():
                tasks.append(asyncio.create_task(supervise(name, run, failing), name=name))
        heap.settle()  # what start-up made lives as long as the process: out of the collector's walks
        log.info("service started", tasks=len(tasks))
        try:
            yield
        finally:
            # Every step is bounded: with the database or the broker gone, a graceful close could wait forever
            # and the process would ignore SIGTERM.
            for task in tasks:
                task.cancel()
            if tasks:
                _, stuck = await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)
                if stuck:
                    log.warning(
                        "background tasks did not stop in time", tasks=sorted(t.get_name() for t in stuck)
                    )
            with contextlib.suppress(Exception):
                await asyncio.wait_for(running.kafka_admin.close(), timeout=SHUTDOWN_SECONDS)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(app.state.journal.close(), timeout=SHUTDOWN_SECONDS)
            keyring.stop_listening()
            for closing in (pool, keyring.pool):
                try:
                    await asyncio.wait_for(closing.close(), timeout=SHUTDOWN_SECONDS)
                except Exception:
                    closing.terminate()

    if settings.require_tls and (insecure := transport.plaintext_links(settings, KeyringSettings())):
        raise InfrastructureMisconfigured(f"REQUIRE_TLS is set, but: {'; '.join(insecure)}")
    app = FastAPI(
        title=f"Passerelle — {definition.name}",
        lifespan=lifespan,
        exception_handlers=HANDLERS,
        docs_url=None,  # `operations` serves /docs without a CDN
        redoc_url=None,
    )
    app.openapi = lambda: openapi.describe(app)
    app.mount(DOCS_ASSETS, StaticFiles(directory=DOCS_FILES), name="docs-assets")
    app.router.route_class = PolicyRoute
    app.state.settings = settings
    # In memory until the lifespan opens the database the service's processes share them in.
    app.state.rate_limits = RateLimits.in_memory(settings)
    app.state.token_verifier = TokenVerifier.from_settings(settings, definition.roles)
    # Reads of personal data and refusals, before any of their answer leaves (kernel.journal).
    app.state.journal = journal.KafkaJournal(settings)
    # Who reads people under pseudonyms, and the deployment's key of them (kernel.pseudonyms).
    secret = settings.pseudonym_secret
    app.state.pseudonyms = Pseudonyms(
        secret.get_secret_value().encode() if secret is not None else None,
        definition.roles.pseudonymised_roles,
    )
    app.include_router(operations_router(definition.name))
    for router in definition.routers:
        app.include_router(router)
    unprotected = routes_without_policy(app)
    if unprotected:
        raise RuntimeError(f"routes without an access policy (deny by default): {unprotected}")
    unknown = roles_not_in(app, definition.roles.roles)
    if unknown:
        raise RuntimeError(f"routes allow roles no token can carry: {unknown}")
    app.add_middleware(journal.AccessJournal, service=definition.name)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(OperationsGate, networks=settings.operations_networks)
    app.add_middleware(CorrelationId)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestMetrics)
    return app
