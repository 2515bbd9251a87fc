"""The only module that wires the partners service together."""

from pathlib import Path

from fastapi import FastAPI

from contracts.roles import ESTABLISHMENT
from kernel.clock import Clock, system_clock
from kernel.consumer import Subscription
from kernel.eventstore import EventStore
from kernel.service import ServiceDefinition, create_service_app
from partners import replica
from partners.http import routers
from partners.settings import PartnersSettings


def subscriptions(settings: PartnersSettings, store: EventStore | None = None) -> list[Subscription]:
    return [
        Subscription(
            name=settings.topic("partners.ipro-positionings"),
            topics=[settings.topic("ipro.events")],
            handler=replica.apply_positioning,
            event_types=replica.EVENT_TYPES,
            tables=replica.TABLES,
        )
    ]


DEFINITION = ServiceDefinition(
    name="partners",
    roles=ESTABLISHMENT,
    routers=routers,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=subscriptions,
)


def create_app(settings: PartnersSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    return create_service_app(DEFINITION, settings or PartnersSettings(), clock=clock)
