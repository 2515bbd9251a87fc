"""The only module that wires the IPRO service together."""

from pathlib import Path

from fastapi import FastAPI

from contracts.roles import ESTABLISHMENT
from ipro import deadlines, feeds, replica
from ipro.http import routers
from ipro.settings import IproSettings
from kernel.clock import Clock, system_clock
from kernel.consumer import Subscription
from kernel.eventstore import EventStore
from kernel.service import ServiceDefinition, create_service_app


def subscriptions(settings: IproSettings, store: EventStore) -> list[Subscription]:
    catalogue = feeds.partner_catalogue(settings)
    return [
        Subscription(
            name=settings.topic("ipro.assessment-replica"),
            topics=[settings.topic("assessment.events")],
            handler=replica.assessment_applier(store, settings),
            appends_events=True,
            event_types=replica.CASE_EVENT_TYPES,
        ),
        Subscription(
            name=catalogue.subscription,
            topics=[catalogue.topic],
            handler=replica.partner_catalogue_applier(store),
            # A session cancelled or moved cancels or moves the places on it: a reaction (never replayed).
            appends_events=True,
            event_types=replica.CATALOGUE_EVENT_TYPES,
            fetch_min_bytes=64 * 1024,  # partners.events is busy; the catalogue is a small part of it
        ),
        Subscription(
            name=settings.topic("ipro.programme-sessions"),
            topics=[settings.topic("programmes.events")],
            handler=replica.apply_programme_sessions,
            event_types=replica.PROGRAMME_EVENT_TYPES,
            tables=("programme_names", "programme_groups", "programme_sessions", "programme_participants"),
        ),
    ]


DEFINITION = ServiceDefinition(
    name="ipro",
    roles=ESTABLISHMENT,
    routers=routers,
    migrations=Path(__file__).parent / "migrations",
    subscriptions=subscriptions,
    background=lambda settings, store: {
        "synthesis-scheduler": deadlines.scheduler(store, settings.deadline_check_seconds)
    },
)


def create_app(settings: IproSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    return create_service_app(DEFINITION, settings or IproSettings(), clock=clock)
