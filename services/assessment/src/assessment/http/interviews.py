"""Interviews (entretiens) with the person: recorded by SPIP staff; confidential notes are read by their
author and DPIPs only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from assessment import access, handlers, queries
from assessment.domain import commands as c
from assessment.http.common import Interviewer, SpipReader
from contracts.assessment import InterviewType
from kernel.api import Id, RequestBody, Store, Today
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
