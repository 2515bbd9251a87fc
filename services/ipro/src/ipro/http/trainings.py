"""Vocational trainings: enrolment (body, title, certification, dates, hours, weekly schedule), start,
completion with or without the certification, drop-out."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from contracts.ipro import WeeklySlot
from ipro import handlers, reads
from ipro.domain import commands as c
from ipro.domain.training import Training, TrainingStatus
from ipro.http.common import Adviser, PathwayReader
from kernel.aggregates import Aggregate
from kernel.api import Id, Label, Reason, RequestBody, Store, Today
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal

router = service_router("", tags=["trainings"])


class EnrolRequest(RequestBody):
    body: Label
    title: Label
    certification: str = Field(default="", max_length=200)
    starts_on: date
    ends_on: date
    hours: int = Field(ge=1, le=3000)
    schedule: list[WeeklySlot] = Field(min_length=1, max_length=14)


class CompleteRequest(RequestBody):
    certification_obtained: bool


class DropOutRequest(RequestBody):
    reason: Reason


class TrainingView(BaseModel):
    training_id: str
    pathway_id: str
    subject_id: str
    title: str
    starts_on: date
    ends_on: date
    schedule: list[WeeklySlot]
    status: TrainingStatus
    certification_obtained: bool | None
    version: int
    warnings: list[str] = Field(
        default_factory=list,
        description="what was booked anyway: the SPIP programme sessions the new hours overlap (D.412-32)",
    )


def view(aggregate: Aggregate[Training], warnings: list[str] | None = None) -> TrainingView:
    return TrainingView(**aggregate.state.model_dump(), version=aggregate.version, warnings=warnings or [])


@router.post(
    "/pathways/{pathway_id}/trainings",
    status_code=201,
    response_model=TrainingView,
    summary="Enrol the person in a vocational training",
)
async def enrol(pathway_id: Id, body: EnrolRequest, principal: Adviser, commands: Commands):
    command = c.EnrolInTraining(
        training_id=str(uuid.uuid4()),
        pathway_id=pathway_id,
        **body.model_dump(exclude={"schedule"}),
        schedule=body.schedule,
    )

    async def action(session, metadata):
        booked = await handlers.enrol_in_training(session, pathway_id, command, metadata, principal)
        return view(booked.outcome, booked.warnings)

    return await commands.run(principal, action, status_code=201, resource="/trainings/{training_id}")


@router.get("/trainings/{training_id}", response_model=TrainingView, summary="A training")
async def get_training(training_id: Id, principal: PathwayReader, store: Store, journal: Journal):
    found = await reads.training_of(store, training_id, principal)
    journal.consulted(subject_id=found.state.subject_id, object_id=found.state.pathway_id)
    return view(found)


@router.post(
    "/trainings/{training_id}/start",
    response_model=TrainingView,
    summary="The training started (on or after its start date)",
)
async def start(training_id: Id, principal: Adviser, commands: Commands, today: Today):
    return await _command(commands, principal, training_id, c.StartTraining(today=today))


@router.post(
    "/trainings/{training_id}/complete",
    response_model=TrainingView,
    summary="The training is completed, with or without its certification",
)
async def complete(
    training_id: Id, body: CompleteRequest, principal: Adviser, commands: Commands, today: Today
):
    command = c.CompleteTraining(certification_obtained=body.certification_obtained, today=today)
    return await _command(commands, principal, training_id, command)


@router.post(
    "/trainings/{training_id}/drop-out", response_model=TrainingView, summary="The person dropped out"
)
async def drop_out(training_id: Id, body: DropOutRequest, principal: Adviser, commands: Commands):
    return await _command(commands, principal, training_id, c.DropOutOfTraining(reason=body.reason))


async def _command(commands: Commands, principal, training_id: str, command: c.Command):
    async def action(session, metadata):
        return view(await handlers.training_command(session, training_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=200, resource="/trainings/{training_id}")
