"""The only module that wires the assessment service together."""

from pathlib import Path

from fastapi import FastAPI

from assessment import deadlines, erasure
from assessment.http import routers
from assessment.settings import AssessmentSettings
from contracts.roles import ESTABLISHMENT
from kernel.clock import Clock, system_clock
from kernel.service import ServiceDefinition, create_service_app

DEFINITION = ServiceDefinition(
    name="assessment",
    roles=ESTABLISHMENT,
    routers=routers,
    migrations=Path(__file__).parent / "migrations",
    background=lambda settings, store: {
        "deadline-scheduler": deadlines.scheduler(store, settings.deadline_check_seconds),
        "erasure-scheduler": erasure.scheduler(store, settings),
    },
)


def create_app(settings: AssessmentSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    settings = settings or AssessmentSettings()
    settings.subject_id_key()  # no service without its subject ids' secret: refused here, not at a first case
    return create_service_app(DEFINITION, settings, clock=clock)
