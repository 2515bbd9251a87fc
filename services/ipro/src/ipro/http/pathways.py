"""Pathways: opened with the case (or by an adviser), the referent adviser, the initial synthesis, profile,
readiness, interviews, goals, France Travail, leaves and the outcome at release; the person's history."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import Request
from pydantic import BaseModel, Field

from contracts.ipro import ExitOutcome, GoalStatus, GoalStep, LeaveKind, Profile, ReadinessStatus
from kernel.api import Limit, Offset, Page, RequestBody
from kernel.commands import Commands
from kernel.http import service_router
from ipro import handlers, queries, store
from ipro.domain import commands as c
from ipro.domain.pathway import Pathway
from ipro.http.common import (
    Adviser, Governor, Id, Label, LongText, Manager, PathwayReader, Reason, ensure_may_read, is_adviser_only,
    is_cpip_only, on_pathway, settings, today,
)

router = service_router("/pathways", tags=["pathways"])


class OpenRequest(RequestBody):
    case_id: str = Field(max_length=120, pattern=r"^[A-Za-z0-9-]+$")


class AdviserRequest(RequestBody):
    adviser: Label


class SynthesisRequest(RequestBody):
    interview_held_on: date
    synthesis: LongText


class ReadinessRequest(RequestBody):
    status: ReadinessStatus
    reason: str = Field(default="", max_length=1000)


class InterviewRequest(RequestBody):
    held_on: date
    notes: str = Field(default="", max_length=8000)


class GoalRequest(RequestBody):
    description: Reason
    steps: list[GoalStep] = Field(default_factory=list, max_length=20)


class GoalStatusRequest(RequestBody):
    status: GoalStatus
    step_id: str | None = Field(default=None, max_length=64)


class LeaveRequest(RequestBody):
    kind: LeaveKind
    starts_on: date
    ends_on: date
    purpose: Reason


class LeaveDecision(RequestBody):
    approved: bool
    reason: str = Field(default="", max_length=1000)


class PathwayView(BaseModel):
    pathway_id: str
    case_id: str
    subject_id: str
    establishment: str
    opened_on: date
    synthesis_due_on: date
    synthesis_written_on: date | None
    adviser: str | None
    profile: Profile | None
    readiness: ReadinessStatus | None
    readiness_history: list[tuple[ReadinessStatus, str]]
    interviews: int
    goals: dict
    france_travail_registered_on: date | None
    leaves: dict
    exit_outcome: ExitOutcome | None
    closed_on: date | None
    version: int


class PathwaySummary(BaseModel):
    pathway_id: str
    case_id: str
    subject_id: str
    establishment: str
    adviser: str | None
    opened_on: date
    synthesis_due_on: date
    synthesis_written: bool
    readiness: str | None
    closed_on: date | None


class HistoryEntry(BaseModel):
    event_type: str
    stream_type: str
    occurred_at: datetime
    actor_role: str
    payload: dict


def view(state: Pathway, version: int) -> PathwayView:
    return PathwayView(**state.model_dump(mode="json"), version=version)


@router.post("", status_code=201, response_model=PathwayView,
             summary="Open a pathway (when the admission did not open it already)")
async def open_pathway(body: OpenRequest, principal: Adviser, commands: Commands, request: Request):
    on = today(request)

    async def action(session, metadata):
        case = await store.case_facts(session.connection, body.case_id)
        outcome = await handlers.open_pathway(session, case, metadata, settings(request), on)
        if is_adviser_only(principal):  # an adviser who opens a pathway follows it
            outcome = await handlers.pathway_command(session, outcome.state.pathway_id,
                                                     c.AssignAdviser(adviser=principal.subject), metadata)
        return view(outcome.state, handlers.version(outcome))

    return await commands.run(principal, action, location=lambda v: f"/pathways/{v['pathway_id']}")


@router.get("", response_model=Page[PathwaySummary], summary="Pathways (an adviser's: their caseload)")
async def list_pathways(principal: PathwayReader, request: Request, adviser: str | None = None,
                        establishment: str | None = None, include_closed: bool = False,
                        limit: Limit = 50, offset: Offset = 0):
    if is_adviser_only(principal):
        adviser = principal.subject
    referent = principal.subject if is_cpip_only(principal) else None
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await queries.pathways(connection, adviser=adviser, establishment=establishment,
                                             referent=referent, include_closed=include_closed, limit=limit,
                                             offset=offset)
    return Page(total=total, items=[PathwaySummary(**{k: r[k] for k in PathwaySummary.model_fields}) for r in rows])


@router.get("/{pathway_id}", response_model=PathwayView, summary="A person's pathway")
async def get_pathway(pathway_id: Id, principal: PathwayReader, request: Request):
    event_store = request.app.state.event_store
    async with event_store.pool.acquire() as connection:
        ensure_may_read(principal, await store.pathway_row(connection, pathway_id))
    state, stream = await handlers.current(event_store, handlers.pathway, pathway_id)
    return view(state, stream[-1].stream_version)


@router.get("/{pathway_id}/history", response_model=list[HistoryEntry],
            summary="Everything recorded on the person's pathway, work, trainings and positionings, in order")
async def history(pathway_id: Id, principal: PathwayReader, request: Request):
    async with request.app.state.event_store.pool.acquire() as connection:
        row = await store.pathway_row(connection, pathway_id)
        ensure_may_read(principal, row)
        rows = await queries.history(connection, pathway_id)
    return [HistoryEntry(event_type=r["event_type"], stream_type=r["stream_type"], occurred_at=r["occurred_at"],
                         actor_role=r["actor"]["role"], payload=r["payload"]) for r in rows]


@router.post("/{pathway_id}/adviser", response_model=PathwayView, summary="Assign the referent adviser (CIP)")
async def assign_adviser(pathway_id: Id, body: AdviserRequest, principal: Manager, commands: Commands):
    return await _command(commands, principal, pathway_id, c.AssignAdviser(adviser=body.adviser))


@router.post("/{pathway_id}/synthesis", response_model=PathwayView,
             summary="The initial socio-professional interview's written synthesis")
async def write_synthesis(pathway_id: Id, body: SynthesisRequest, principal: Adviser, commands: Commands,
                          request: Request):
    return await _command(commands, principal, pathway_id,
                          c.WriteSynthesis(**body.model_dump(), today=today(request)))


@router.put("/{pathway_id}/profile", response_model=PathwayView, summary="The person's profile and project")
async def record_profile(pathway_id: Id, body: Profile, principal: Adviser, commands: Commands):
    return await _command(commands, principal, pathway_id, c.RecordProfile(profile=body))


@router.post("/{pathway_id}/readiness", response_model=PathwayView, summary="Change the readiness status")
async def change_readiness(pathway_id: Id, body: ReadinessRequest, principal: Adviser, commands: Commands):
    return await _command(commands, principal, pathway_id, c.ChangeReadiness(**body.model_dump()))


@router.post("/{pathway_id}/interviews", status_code=201, response_model=PathwayView,
             summary="Record an individual follow-up interview")
async def hold_interview(pathway_id: Id, body: InterviewRequest, principal: Adviser, commands: Commands,
                         request: Request):
    command = c.HoldFollowUpInterview(interview_id=str(uuid.uuid4()), **body.model_dump(), today=today(request))
    return await _command(commands, principal, pathway_id, command, status_code=201)


@router.post("/{pathway_id}/goals", status_code=201, response_model=PathwayView, summary="Set a goal with its steps")
async def set_goal(pathway_id: Id, body: GoalRequest, principal: Adviser, commands: Commands):
    command = c.SetGoal(goal_id=str(uuid.uuid4()), description=body.description, steps=body.steps)
    return await _command(commands, principal, pathway_id, command, status_code=201)


@router.post("/{pathway_id}/goals/{goal_id}/status", response_model=PathwayView,
             summary="A goal (or one of its steps) achieved or abandoned")
async def goal_status(pathway_id: Id, goal_id: Id, body: GoalStatusRequest, principal: Adviser, commands: Commands):
    return await _command(commands, principal, pathway_id, c.ChangeGoalStatus(goal_id=goal_id, **body.model_dump()))


@router.post("/{pathway_id}/france-travail", response_model=PathwayView,
             summary="Register the person with France Travail (within months of release)")
async def register_france_travail(pathway_id: Id, principal: Adviser, commands: Commands, request: Request):
    on, months = today(request), settings(request).france_travail_window_months
    return await _command(commands, principal, pathway_id,
                          lambda case: c.RegisterWithFranceTravail(case=case, today=on, window_months=months))


@router.post("/{pathway_id}/leaves", status_code=201, response_model=PathwayView,
             summary="Request a PMSMP or an escorted professional leave")
async def request_leave(pathway_id: Id, body: LeaveRequest, principal: Adviser, commands: Commands, request: Request):
    command = c.RequestLeave(leave_id=str(uuid.uuid4()), **body.model_dump(), today=today(request))
    return await _command(commands, principal, pathway_id, command, status_code=201)


@router.post("/{pathway_id}/leaves/{leave_id}/decision", response_model=PathwayView,
             summary="The governor approves or refuses a leave")
async def decide_leave(pathway_id: Id, leave_id: Id, body: LeaveDecision, principal: Governor, commands: Commands):
    return await _command(commands, principal, pathway_id, c.DecideLeave(leave_id=leave_id, **body.model_dump()))


@router.post("/{pathway_id}/leaves/{leave_id}/done", response_model=PathwayView, summary="The leave took place")
async def leave_done(pathway_id: Id, leave_id: Id, principal: Adviser, commands: Commands, request: Request):
    return await _command(commands, principal, pathway_id, c.MarkLeaveDone(leave_id=leave_id, today=today(request)))


@router.put("/{pathway_id}/exit-outcome", response_model=PathwayView,
            summary="The outcome at release (job, training, job-seeker follow-up, no solution)")
async def exit_outcome(pathway_id: Id, body: ExitOutcome, principal: Adviser, commands: Commands):
    return await _command(commands, principal, pathway_id, c.RecordExitOutcome(outcome=body))


async def _command(commands: Commands, principal, pathway_id: str, command, *, status_code: int = 200):
    async def run(session, metadata):
        outcome = await handlers.pathway_command(session, pathway_id, command, metadata)
        return view(outcome.state, handlers.version(outcome))

    return await on_pathway(commands, principal, pathway_id, run, status_code=status_code)


