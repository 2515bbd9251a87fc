"""Vocational trainings: enrolment (body, title, certification, dates, hours, weekly schedule), start,
completion with or without the certification, drop-out."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import Request
from pydantic import BaseModel, Field

from contracts.ipro import WeeklySlot
from kernel.api import RequestBody
from kernel.commands import Commands
from kernel.http import service_router
from ipro import handlers, store
from ipro.domain import commands as c
from ipro.domain import errors
from ipro.domain.training import Training, TrainingStatus
from ipro.http.common import (
    Adviser, Id, Label, PathwayReader, Reason, ensure_may_read, on_pathway, on_pathway_of, today,
)

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


def view(state: Training, version: int) -> TrainingView:
    return TrainingView(**state.model_dump(), version=version)


@router.post("/pathways/{pathway_id}/trainings", status_code=201, response_model=TrainingView,
             summary="Enrol the person in a vocational training")
async def enrol(pathway_id: Id, body: EnrolRequest, principal: Adviser, commands: Commands):
    training_id = str(uuid.uuid4())

    async def run(session, metadata):
        outcome = await handlers.enrol_in_training(session, pathway_id, lambda owner, bookings: c.EnrolInTraining(
            training_id=training_id, pathway_id=pathway_id, subject_id=owner.subject_id,
            **body.model_dump(exclude={"schedule"}), schedule=body.schedule, bookings=bookings), metadata)
        return view(outcome.state, handlers.version(outcome))

    return await on_pathway(commands, principal, pathway_id, run, status_code=201)


@router.get("/trainings/{training_id}", response_model=TrainingView, summary="A training")
async def get_training(training_id: Id, principal: PathwayReader, request: Request):
    event_store = request.app.state.event_store
    state, stream = await handlers.current(event_store, handlers.training, training_id)
    if state.training_id is None:
        raise errors.TrainingNotFound("no such training")
    async with event_store.pool.acquire() as connection:
        ensure_may_read(principal, await store.pathway_row(connection, state.pathway_id))
    return view(state, stream[-1].stream_version)


@router.post("/trainings/{training_id}/start", response_model=TrainingView, summary="The training started")
async def start(training_id: Id, principal: Adviser, commands: Commands):
    return await _command(commands, principal, training_id, c.StartTraining())


@router.post("/trainings/{training_id}/complete", response_model=TrainingView,
             summary="The training is completed, with or without its certification")
async def complete(training_id: Id, body: CompleteRequest, principal: Adviser, commands: Commands, request: Request):
    return await _command(commands, principal, training_id,
                          c.CompleteTraining(certification_obtained=body.certification_obtained, today=today(request)))


@router.post("/trainings/{training_id}/drop-out", response_model=TrainingView, summary="The person dropped out")
async def drop_out(training_id: Id, body: DropOutRequest, principal: Adviser, commands: Commands):
    return await _command(commands, principal, training_id, c.DropOutOfTraining(reason=body.reason))


async def _command(commands: Commands, principal, training_id: str, command: c.Command):
    async def pathway_of(session) -> str:
        state, _ = await handlers.current(session, handlers.training, training_id)
        if state.training_id is None:
            raise errors.TrainingNotFound("no such training")
        return state.pathway_id

    async def run(session, metadata):
        outcome = await handlers.training_command(session, training_id, command, metadata)
        return view(outcome.state, handlers.version(outcome))

    return await on_pathway_of(commands, principal, pathway_of, run)
