"""The only module that wires the projections service together."""

from pathlib import Path

import asyncpg
from fastapi import FastAPI

from contracts import EventEnvelope

from kernel.clock import Clock, system_clock
from kernel.consumer import Subscription
from kernel.service import ServiceDefinition, create_service_app
from projections import catalogue, partner_directory
from projections.http import router
from projections.settings import ProjectionsSettings


async def apply_partner_views(connection: asyncpg.Connection, envelope: EventEnvelope) -> None:
    """The directory and the catalogue, both from `partners.events`: one consumer feeds them, so each
    event costs one fetch, one transaction and one checkpoint, and both views always stand at the same
    offset. Each `apply` stays idempotent per row: a replay rebuilds them together."""
    await partner_directory.apply(connection, envelope)
    await catalogue.apply(connection, envelope)


def subscriptions(settings: ProjectionsSettings, store: object = None) -> list[Subscription]:
    """A view whose `apply` learns new events takes a new subscription name: its consumer then starts at
    offset 0 and replays the topic into it."""
    return [
        Subscription(
            name=settings.topic("projections.partner-views"), topics=[settings.topic("partners.events")],
            handler=apply_partner_views,
        ),
    ]


DEFINITION = ServiceDefinition(
    name="projections", routers=[router], migrations=Path(__file__).parent / "migrations",
    subscriptions=subscriptions,
)


def create_app(settings: ProjectionsSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    return create_service_app(DEFINITION, settings or ProjectionsSettings(), clock=clock)
