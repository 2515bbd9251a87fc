"""Builds a service's FastAPI app: routes and their policies, problem handlers, health/ready/metrics,
and, during its lifespan, the database, the outbox relay and the Kafka consumers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from contracts.generate import asyncapi_document
from kernel import database, logs
from kernel.auth import TokenVerifier, public
from kernel.clock import Clock, system_clock
from kernel.consumer import ConsumerRunner, Subscription
from kernel.eventstore import EventStore
from kernel.http import (
    BodySizeLimit,
    CorrelationId,
    PolicyRoute,
    RequestMetrics,
    routes_without_policy,
    service_router,
)
from kernel.problems import HANDLERS
from kernel.relay import service_relay
from kernel.settings import ServiceSettings

log = logs.get_logger(__name__)

# Operational endpoints answer anyone: orchestrators and scrapers carry no user token.
Anyone = Annotated[None, Depends(public())]


@dataclass
class ServiceDefinition:
    name: str
    routers: list[APIRouter] = field(default_factory=list)
    migrations: Path | None = None
    # Built once the settings are known: topic names carry the configured prefix.
    subscriptions: Callable[[ServiceSettings], list[Subscription]] = lambda settings: []


async def supervise(name: str, run: Callable[..., object], failing: dict[str, str]) -> None:
    """Keep a background loop alive: a crash (broker or database away) is logged and retried with backoff.
    From a failure until the loop has started again, `failing[name]` says why, and /ready answers 503."""
    async for attempt in AsyncRetrying(retry=retry_if_exception_type(Exception), wait=wait_exponential(max=15)):
        with attempt:
            try:
                await run(started=lambda: failing.pop(name, None))
            except Exception as error:
                failing[name] = f"{type(error).__name__}: {error}"[:300]
                log.exception("background task failed; restarting", task=name)
                raise


def create_service_app(
    definition: ServiceDefinition, settings: ServiceSettings, *, clock: Clock = system_clock
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        logs.configure(settings.log_level, service=definition.name)
        migrations = [definition.migrations] if definition.migrations else []
        await database.migrate(settings.database_url, *migrations)
        pool = await database.create_pool(settings.database_url)
        app.state.event_store = EventStore(pool, clock)
        app.state.kafka_admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
        tasks, app.state.failing_tasks = [], {}
        if settings.run_relay:
            relay = service_relay(settings, definition.name)
            tasks.append(asyncio.create_task(supervise("relay", relay.run, app.state.failing_tasks)))
        if settings.run_consumers:
            for subscription in definition.subscriptions(settings):
                runner = ConsumerRunner(subscription, pool, settings.kafka_bootstrap_servers)
                tasks.append(
                    asyncio.create_task(supervise(subscription.name, runner.run, app.state.failing_tasks))
                )
        app.state.background_tasks = tasks
        log.info("service started", tasks=len(tasks))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            with contextlib.suppress(Exception):
                await app.state.kafka_admin.close()
            await pool.close()

    app = FastAPI(
        title=f"Passerelle — {definition.name}",
        lifespan=lifespan,
        exception_handlers=HANDLERS,
        responses={
            401: {"description": "no or invalid token (problem+json)"},
            403: {"description": "role or organisation not allowed (problem+json)"},
            422: {"description": "a rule or the request schema is broken (problem+json)"},
        },
    )
    app.router.route_class = PolicyRoute
    app.state.token_verifier = TokenVerifier.from_settings(settings)
    app.include_router(_operations_router())
    for router in definition.routers:
        app.include_router(router)
    unprotected = routes_without_policy(app)
    if unprotected:
        raise RuntimeError(f"routes without an access policy (deny by default): {unprotected}")
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CorrelationId)
    app.add_middleware(RequestMetrics)
    return app


def _operations_router() -> APIRouter:
    router = service_router(tags=["operations"])

    @router.get("/health")
    async def health(_: Anyone) -> dict:
        """Alive: the process answers."""
        return {"status": "ok"}

    @router.get("/ready")
    async def ready(request: Request, _: Anyone) -> JSONResponse:
        """Ready: the database and the Kafka broker answer, and no background task is failing."""
        failing = request.app.state.failing_tasks
        checks = {
            "database": await _database_ready(request),
            "kafka": await _kafka_ready(request),
            "background_tasks": not failing,
        }
        status = 200 if all(checks.values()) else 503
        body = {"status": "ready" if status == 200 else "not ready", "checks": checks, "failing": failing}
        return JSONResponse(body, status)

    @router.get("/asyncapi.json")
    async def asyncapi(_: Anyone) -> dict:
        """The AsyncAPI document of every event, generated from the contracts."""
        return asyncapi_document()

    @router.get("/metrics")
    async def metrics(_: Anyone) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _database_ready(request: Request) -> bool:
    try:
        async with asyncio.timeout(2):
            await request.app.state.event_store.pool.fetchval("SELECT 1")
        return True
    except Exception:
        return False


async def _kafka_ready(request: Request) -> bool:
    admin: AIOKafkaAdminClient = request.app.state.kafka_admin
    try:
        async with asyncio.timeout(2):
            await admin.start()
            await admin.describe_cluster()
        return True
    except Exception:
        return False
