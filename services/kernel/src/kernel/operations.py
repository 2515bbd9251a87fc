"""Operational endpoints every service exposes: /health, /ready, /metrics, /asyncapi.json."""

from __future__ import annotations

import asyncio
from typing import Annotated

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from contracts.generate import asyncapi_document
from kernel import relay
from kernel.api import Db, Settings, runtime
from kernel.auth import public
from kernel.http import service_router

# They answer anyone: orchestrators and scrapers carry no user token.
Anyone = Annotated[None, Depends(public())]
Runtime = Annotated[object, Depends(runtime)]


def operations_router() -> APIRouter:
    router = service_router(tags=["operations"])

    @router.get("/health")
    async def health(_: Anyone) -> dict:
        """Alive: the process answers."""
        return {"status": "ok"}

    @router.get("/ready")
    async def ready(_: Anyone, db: Db, settings: Settings, running: Runtime) -> JSONResponse:
        """Ready: the database and the Kafka broker answer, the relay moves, and no background task (relay,
        consumer, or one of a consumer's partitions) is failing or halted. `failing` names each and why."""
        failing = dict(running.failing_tasks)
        checks = {"database": await _database_ready(db), "kafka": await _kafka_ready(running.kafka_admin)}
        if running.relay_watch is not None:
            stalled = await _relay_stalled(db, running.relay_watch, settings.relay_stall_seconds)
            checks["relay"] = stalled is None
            if stalled:
                failing["relay backlog"] = stalled
        checks["background_tasks"] = not failing
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


async def _database_ready(db: asyncpg.Pool) -> bool:
    try:
        async with asyncio.timeout(2):
            await db.fetchval("SELECT 1")
        return True
    except Exception:
        return False


async def _relay_stalled(db: asyncpg.Pool, watch: relay.StallWatch, stall_seconds: float) -> str | None:
    """Why the relay does not keep up, if its backlog's head has not moved for too long."""
    try:
        async with asyncio.timeout(2), db.acquire() as connection:
            current = await relay.backlog(connection)
            waited = watch.observe(current)
            if waited < stall_seconds:
                return None
            return (
                f"{current.unpublished} events unpublished, the first one waiting for {waited:.0f} s; "
                + await relay.oldest_transaction(connection)
            )
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
        return None  # the database is not answering: its own check says so


async def _kafka_ready(admin: AIOKafkaAdminClient) -> bool:
    try:
        async with asyncio.timeout(2):
            await admin.start()
            await admin.describe_cluster()
        return True
    except Exception:
        return False
