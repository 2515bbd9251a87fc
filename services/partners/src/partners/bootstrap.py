"""The only module that wires the partners service together."""

from pathlib import Path

from fastapi import FastAPI

from contracts.roles import ESTABLISHMENT
from kernel.clock import Clock, system_clock
from kernel.service import ServiceDefinition, create_service_app
from partners.http import routers
from partners.settings import PartnersSettings

DEFINITION = ServiceDefinition(
    name="partners", roles=ESTABLISHMENT, routers=routers, migrations=Path(__file__).parent / "migrations"
)


def create_app(settings: PartnersSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    return create_service_app(DEFINITION, settings or PartnersSettings(), clock=clock)
