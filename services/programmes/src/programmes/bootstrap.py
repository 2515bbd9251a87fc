"""The only module that wires the programmes service together."""

from pathlib import Path

from fastapi import FastAPI

from contracts.roles import ESTABLISHMENT
from kernel.clock import Clock, system_clock
from kernel.consumer import Subscription
from kernel.eventstore import EventStore
from kernel.service import ServiceDefinition, create_service_app
from programmes import replica, seat_filler
from programmes.http import routers
from programmes.seed import seed_catalogue
from programmes.settings import ProgrammesSettings


def subscriptions(settings: ProgrammesSettings, store: EventStore) -> list[Subscription]:
    return [
        Subscription(
            name=settings.topic("programmes.assessment-replica"),
            # The offence categories travel restricted (ADR 25): the replica reads that one type of them.
            topics=[settings.topic("assessment.events"), settings.topic("assessment.restricted")],
            handler=replica.applier(store),
            appends_events=True,
            event_types=replica.EVENT_TYPES,
        )
    ]


DEFINITION = ServiceDefinition(
    name="programmes",
    roles=ESTABLISHMENT,
    routers=routers,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=subscriptions,
    reference_data=seed_catalogue,
    background=lambda settings, store: {
        "seat-filler": seat_filler.filler(store, settings.seat_filler_seconds)
    },
)


def create_app(settings: ProgrammesSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    return create_service_app(DEFINITION, settings or ProgrammesSettings(), clock=clock)
