"""Interviews (entretiens) with the person: recorded by SPIP staff; confidential notes are read by their
author and DPIPs only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import Request
from pydantic import BaseModel, Field

from contracts.assessment import InterviewType
from kernel.api import RequestBody
from kernel.auth import Principal
from kernel.commands import Commands
from kernel.errors import Forbidden
from kernel.http import service_router
from assessment import handlers, store
from assessment.domain import commands as c
from assessment.domain.interview import Interview, interview
from assessment.http.common import Id, Interviewer, SpipReader, today

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


@router.post("/{case_id}/interviews", status_code=201, response_model=InterviewView, summary="Record an interview")
async def record(case_id: Id, body: InterviewRequest, principal: Interviewer, commands: Commands, request: Request):
    interview_id, on = str(uuid.uuid4()), today(request)

    async def action(session, metadata):
        outcome = await handlers.record_interview(
            session, case_id, lambda case: c.RecordInterview(case=case, interview_id=interview_id, today=on,
                                                               **body.model_dump()),
            metadata, principal,
        )
        return _view(outcome.state, outcome.events[0], principal)

    return await commands.run(principal, action)


@router.get("/{case_id}/interviews", response_model=list[InterviewView], summary="The case's interviews")
async def list_interviews(case_id: Id, principal: SpipReader, request: Request) -> list[InterviewView]:
    reader = request.app.state.event_store
    handlers.ensure_caseload(principal, await handlers.load_case(reader, case_id))
    async with reader.pool.acquire() as connection:
        if not principal.has_any(frozenset({"cpip", "dpip"})) and not await store.is_involved(
            connection, case_id, principal.subject
        ):
            raise Forbidden("psychologists and social workers read the interviews of the people they work with")
        ids = await connection.fetch(
            "SELECT interview_id FROM interviews WHERE case_id = $1 ORDER BY held_on, interview_id", case_id
        )
    views = []
    for row in ids:
        state, stream = await handlers.current(reader, interview, row["interview_id"])
        views.append(_view(state, stream[0], principal))
    return views


def _view(state: Interview, first, principal: Principal) -> InterviewView:
    readable = not state.confidential or first.actor.subject == principal.subject or "dpip" in principal.roles
    return InterviewView(
        interview_id=state.interview_id, case_id=state.case_id, held_on=state.held_on,
        interview_type=state.interview_type, author=first.actor.subject, author_role=first.actor.role,
        recorded_at=first.occurred_at, confidential=state.confidential, notes=state.notes if readable else None,
    )
