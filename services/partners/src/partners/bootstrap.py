"""The only module that wires the partners service together."""

from pathlib import Path

from fastapi import FastAPI

from kernel.service import ServiceDefinition, create_service_app
from partners.http import router
from partners.settings import PartnersSettings

DEFINITION = ServiceDefinition(name="partners", routers=[router], migrations=Path(__file__).parent / "migrations")


def create_app(settings: PartnersSettings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings or PartnersSettings())
