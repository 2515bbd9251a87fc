"""The only module that wires the ipro service together (its domain arrives with its own issue)."""

from fastapi import FastAPI

from kernel.service import ServiceDefinition, create_service_app
from ipro.settings import IproSettings

DEFINITION = ServiceDefinition(name="ipro")


def create_app(settings: IproSettings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings or IproSettings())
