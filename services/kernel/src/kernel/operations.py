"""Operational endpoints every service exposes: /health, /ready, /metrics, /asyncapi.json."""

from __future__ import annotations

import asyncio
from typing import Annotated

from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from contracts.generate import asyncapi_document
from kernel.auth import public
from kernel.http import service_router

# They answer anyone: orchestrators and scrapers carry no user token.
Anyone = Annotated[None, Depends(public())]


def operations_router() -> APIRouter:
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
