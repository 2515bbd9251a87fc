"""The only module that wires the assessment service together (its domain arrives with its own issue)."""

from fastapi import FastAPI

from kernel.service import ServiceDefinition, create_service_app
from assessment.settings import AssessmentSettings

DEFINITION = ServiceDefinition(name="assessment")


def create_app(settings: AssessmentSettings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings or AssessmentSettings())
