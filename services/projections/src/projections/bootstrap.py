"""The only module that wires the projections service together."""

from pathlib import Path

from fastapi import FastAPI

from kernel.consumer import Subscription
from kernel.service import ServiceDefinition, create_service_app
from projections import partner_directory
from projections.http import router
from projections.settings import ProjectionsSettings


def subscriptions(settings: ProjectionsSettings) -> list[Subscription]:
    return [
        Subscription(
            name=settings.topic("projections.partner-directory"),
            topics=[settings.topic("partners.events")],
            handler=partner_directory.apply,
        )
    ]


DEFINITION = ServiceDefinition(
    name="projections", routers=[router], migrations=Path(__file__).parent / "migrations", subscriptions=subscriptions
)


def create_app(settings: ProjectionsSettings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings or ProjectionsSettings())
