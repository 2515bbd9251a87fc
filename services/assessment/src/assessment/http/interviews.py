"""Interviews (entretiens) with the person: recorded by SPIP staff; confidential notes are read by their
author and DPIPs only. An interview may be scheduled first (an appointment, convocation) by the referent CPIP
or a DPIP, then moved or cancelled; recording it as held on its day closes it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Depends
from pydantic import AwareDatetime, BaseModel, Field

from assessment import access, handlers, queries
from assessment.domain import commands as c
from assessment.domain import errors
from assessment.domain.interview import Interview
from assessment.http.common import Interviewer, Officer, SpipReader
from contracts.assessment import InterviewType
from contracts.rooms import NO_ROOMS, RoomList, load_rooms
from kernel.api import Id, Label, Now, RequestBody, Settings, Store, Today
from kernel.auth import Principal
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal

router = service_router("/cases", tags=["interviews"])


class InterviewRequest(RequestBody):
    held_on: date
    interview_type: InterviewType
    notes: str = Field(default="", max_length=20000)
    confidential: bool = False


class InterviewView(BaseModel):
    interview_id: str
    case_id: str
    held_on: date
    interview_type: InterviewType
    author: str
    author_role: str
    recorded_at: datetime
    confidential: bool
    notes: str | None = Field(description="None when confidential and the reader is neither author nor DPIP")


@router.post(
    "/{case_id}/interviews", status_code=201, response_model=InterviewView, summary="Record an interview"
)
async def record(
    case_id: Id, body: InterviewRequest, principal: Interviewer, commands: Commands, today: Today
):
    command = c.RecordInterview(interview_id=str(uuid.uuid4()), today=today, **body.model_dump())

    async def action(session, metadata):
        outcome = await handlers.record_interview(session, case_id, command, metadata, principal)
        state, first = outcome.state, outcome.stream[0]
        return _view(
            principal,
            interview_id=state.interview_id,
            case_id=state.case_id,
            held_on=state.held_on,
            interview_type=state.interview_type,
            author=first.actor.subject,
            author_role=first.actor.role,
            recorded_at=first.occurred_at,
            confidential=state.confidential,
            notes=state.notes,
        )

    return await commands.run(principal, action, resource="/cases/{case_id}/interviews")


@router.get("/{case_id}/interviews", response_model=list[InterviewView], summary="The case's interviews")
async def list_interviews(
    case_id: Id, principal: SpipReader, store: Store, journal: Journal
) -> list[InterviewView]:
    rows = await queries.interviews(store, case_id, principal)
    journal.consulted(object_ids=(row["interview_id"] for row in rows))
    return [_view(principal, **dict(row)) for row in rows]


def _view(principal: Principal, **interview) -> InterviewView:
    readable = access.may_read_notes(principal, interview["author"], interview["confidential"])
    return InterviewView(**{**interview, "notes": interview["notes"] if readable else None})


# --- appointments (convocations) ---


async def _rooms(settings: Settings) -> RoomList:
    """The establishments' rooms, from the file the settings name (none: every place accepted)."""
    return load_rooms(getattr(settings, "rooms_file", None))


Rooms = Annotated[RoomList, Depends(_rooms)]


class AppointmentRequest(RequestBody):
    starts_at: AwareDatetime
    duration_minutes: int = Field(default=45, ge=15, le=240)
    place: Label = Field(description="the room (a name of the establishment's list of rooms)")
    interview_type: InterviewType


class MoveAppointmentRequest(RequestBody):
    starts_at: AwareDatetime
    duration_minutes: int | None = Field(default=None, ge=15, le=240, description="unchanged if absent")
    place: Label


class AppointmentView(BaseModel):
    interview_id: str
    case_id: str
    interview_type: InterviewType
    starts_at: datetime
    ends_at: datetime
    place: str
    officer: str = Field(description="the user id of the CPIP who holds it")
    status: Literal["scheduled", "cancelled", "held"]


@router.post(
    "/{case_id}/appointments",
    status_code=201,
    response_model=AppointmentView,
    summary="Schedule an interview (convocation)",
)
async def schedule(
    case_id: Id, body: AppointmentRequest, principal: Officer, commands: Commands, now: Now, rooms: Rooms
):
    command = c.ScheduleInterview(
        interview_id=str(uuid.uuid4()), officer=principal.subject, now=now, **body.model_dump()
    )

    async def action(session, metadata):
        outcome = await handlers.schedule_interview(session, case_id, command, metadata, principal, rooms)
        return _appointment(outcome)

    return await commands.run(principal, action, location="/cases/{case_id}/appointments/{interview_id}")


@router.post(
    "/{case_id}/appointments/{interview_id}/move",
    response_model=AppointmentView,
    summary="Move an interview appointment",
)
async def move(
    case_id: Id,
    interview_id: Id,
    body: MoveAppointmentRequest,
    principal: Officer,
    commands: Commands,
    now: Now,
    rooms: Rooms,
):
    command = c.RescheduleInterview(now=now, **body.model_dump())
    return await _appointment_command(case_id, interview_id, command, principal, commands, rooms)


@router.post(
    "/{case_id}/appointments/{interview_id}/cancel",
    response_model=AppointmentView,
    summary="Cancel an interview appointment",
)
async def cancel(case_id: Id, interview_id: Id, principal: Officer, commands: Commands):
    return await _appointment_command(case_id, interview_id, c.CancelInterview(), principal, commands)


async def _appointment_command(
    case_id: str,
    interview_id: str,
    command: c.RescheduleInterview | c.CancelInterview,
    principal: Principal,
    commands: Commands,
    rooms: RoomList = NO_ROOMS,
):
    async def action(session, metadata):
        outcome = await handlers.appointment_command(
            session, case_id, interview_id, command, metadata, principal, rooms
        )
        return _appointment(outcome)

    resource = "/cases/{case_id}/appointments/{interview_id}"
    return await commands.run(principal, action, status_code=200, resource=resource)


@router.get(
    "/{case_id}/appointments",
    response_model=list[AppointmentView],
    summary="The case's interview appointments",
)
async def list_appointments(
    case_id: Id, principal: SpipReader, store: Store, journal: Journal
) -> list[AppointmentView]:
    rows = await queries.appointments(store, case_id, principal)
    journal.consulted(object_ids=(row["interview_id"] for row in rows))
    return [AppointmentView(**dict(row)) for row in rows]


@router.get(
    "/{case_id}/appointments/{interview_id}",
    response_model=AppointmentView,
    summary="An interview appointment",
)
async def get_appointment(
    case_id: Id, interview_id: Id, principal: SpipReader, store: Store, journal: Journal
) -> AppointmentView:
    rows = await queries.appointments(store, case_id, principal, interview_id)
    if not rows:
        raise errors.InterviewNotFound(f"no interview appointment {interview_id} on case {case_id}")
    journal.consulted(object_id=interview_id)
    return AppointmentView(**dict(rows[0]))


def _appointment(outcome) -> AppointmentView:
    state: Interview = outcome.state
    status = "cancelled" if state.cancelled else "held" if state.held_on is not None else "scheduled"
    return AppointmentView(
        interview_id=state.interview_id,
        case_id=state.case_id,
        interview_type=state.interview_type,
        starts_at=state.starts_at,
        ends_at=state.ends_at,
        place=state.place,
        officer=state.officer,
        status=status,
    )
