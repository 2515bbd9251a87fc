"""The only module that wires the projections service together."""

from pathlib import Path

from fastapi import FastAPI

from kernel.clock import Clock, system_clock
from kernel.consumer import Subscription
from kernel.service import ServiceDefinition, create_service_app
from projections import catalogue, partner_directory
from projections.http import router
from projections.settings import ProjectionsSettings


def subscriptions(settings: ProjectionsSettings) -> list[Subscription]:
    """One subscription per read view, each with its own checkpoint. A view whose `apply` learns new events
    takes a new name (`.v2`...): its consumer then starts at offset 0 and replays the topic into it."""
    events = [settings.topic("partners.events")]
    return [
        Subscription(
            name=settings.topic("projections.partner-directory.v2"), topics=events,
            handler=partner_directory.apply,
        ),
        Subscription(name=settings.topic("projections.catalogue"), topics=events, handler=catalogue.apply),
    ]


DEFINITION = ServiceDefinition(
    name="projections", routers=[router], migrations=Path(__file__).parent / "migrations",
    subscriptions=subscriptions,
)


def create_app(settings: ProjectionsSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    return create_service_app(DEFINITION, settings or ProjectionsSettings(), clock=clock)
