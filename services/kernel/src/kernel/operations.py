"""Operational endpoints every service exposes: /health, /ready, /metrics, /asyncapi.json."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import asyncpg
import fastapi_offline
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from contracts.generate import asyncapi_document
from kernel import relay
from kernel.api import Db, Settings, runtime
from kernel.auth import public
from kernel.http import service_router

# Swagger UI's scripts and styles, served by the service itself (`fastapi-offline` ships them).
DOCS_ASSETS = "/docs-assets"
DOCS_FILES = Path(fastapi_offline.__file__).parent / "static"

# They answer anyone: orchestrators and scrapers carry no user token.
Anyone = Annotated[None, Depends(public())]
Runtime = Annotated[object, Depends(runtime)]


def operations_router(service: str) -> APIRouter:
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
    async def asyncapi(_: Anyone, running: Runtime) -> dict:
        """The AsyncAPI of the events this service publishes and those it consumes, from the contracts."""
        return asyncapi_document(publisher=service, consumed=running.consumed_topics)

    @router.get("/docs", include_in_schema=False)
    async def docs(_: Anyone, request: Request) -> HTMLResponse:
        """Swagger UI from the files shipped with the service: no CDN, so it works offline."""
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json",
            title=f"{request.app.title} — API",
            swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS}/favicon.png",
        )

    @router.get(
        "/metrics",
        response_class=Response,
        responses={200: {"description": "Prometheus text exposition", "content": {"text/plain": {}}}},
    )
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
