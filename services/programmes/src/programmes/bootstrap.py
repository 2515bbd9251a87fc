"""The only module that wires the programmes service together (its domain arrives with its own issue)."""

from fastapi import FastAPI

from kernel.service import ServiceDefinition, create_service_app
from programmes.settings import ProgrammesSettings

DEFINITION = ServiceDefinition(name="programmes")


def create_app(settings: ProgrammesSettings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings or ProgrammesSettings())
