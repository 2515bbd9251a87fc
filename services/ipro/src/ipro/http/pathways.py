"""Pathways: opened with the case (or by an adviser), the referent adviser, the initial synthesis, profile,
readiness, interviews, goals, France Travail, leaves and the outcome at release; the person's history."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from contracts import personal_data
from contracts.ipro import ExitOutcome, GoalStatus, GoalStep, LeaveKind, Profile, ReadinessStatus
from ipro import handlers, reads
from ipro.domain import commands as c
from ipro.domain.pathway import Pathway
from ipro.http.common import Adviser, Governor, Manager, PathwayReader
from kernel.aggregates import Aggregate
from kernel.api import (
    ID_MAX_LENGTH,
    ID_PATTERN,
    After,
    Db,
    Id,
    Label,
    LabelFilter,
    Limit,
    LongText,
    Page,
    Reason,
    RequestBody,
    Settings,
    Store,
    Today,
)
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal

router = service_router("/pathways", tags=["pathways"])


class OpenRequest(RequestBody):
    case_id: str = Field(max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)


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
    # Each status with the adviser's reason, a free text about the person: masked for auditors (ADR 31).
    readiness_history: list[tuple[ReadinessStatus, str]] = personal_data()
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


def view(aggregate: Aggregate[Pathway]) -> PathwayView:
    return PathwayView(**aggregate.state.model_dump(mode="json"), version=aggregate.version)


@router.post(
    "",
    status_code=201,
    response_model=PathwayView,
    summary="Open a pathway (when the admission did not open it already)",
)
async def open_pathway(
    body: OpenRequest, principal: Adviser, commands: Commands, settings: Settings, today: Today
):
    command = c.OpenPathway(
        pathway_id=handlers.pathway_id_of(body.case_id),
        case_id=body.case_id,
        today=today,
        synthesis_working_days=settings.synthesis_working_days,
    )

    async def action(session, metadata):
        return view(await handlers.open_pathway(session, command, metadata, principal))

    return await commands.run(principal, action, location="/pathways/{pathway_id}")


@router.get("", response_model=Page[PathwaySummary], summary="Pathways (an adviser's: their caseload)")
async def list_pathways(
    principal: PathwayReader,
    db: Db,
    journal: Journal,
    adviser: LabelFilter = None,
    establishment: LabelFilter = None,
    include_closed: bool = False,
    limit: Limit = 50,
    after: After = None,
):
    listed = await reads.pathways(
        db,
        principal,
        adviser=adviser,
        establishment=establishment,
        include_closed=include_closed,
        limit=limit,
        after=after,
    )
    journal.consulted(subject_ids=(r["subject_id"] for r in listed.rows))
    return Page.of(
        listed, [PathwaySummary(**{k: r[k] for k in PathwaySummary.model_fields}) for r in listed.rows]
    )


@router.get("/{pathway_id}", response_model=PathwayView, summary="A person's pathway")
async def get_pathway(pathway_id: Id, principal: PathwayReader, store: Store, journal: Journal):
    found = await reads.pathway_of(store, pathway_id, principal)
    journal.consulted(subject_id=found.state.subject_id)
    return view(found)


@router.get(
    "/{pathway_id}/history",
    response_model=list[HistoryEntry],
    summary="Everything recorded on the person's pathway, work, trainings and positionings, in order",
)
async def history(pathway_id: Id, principal: PathwayReader, store: Store, journal: Journal):
    events = await reads.history_of(store, pathway_id, principal)
    journal.consulted(subject_ids=(e.payload.get("subject_id") for e in events))
    return [
        HistoryEntry(
            event_type=e.event_type,
            stream_type=e.stream_type,
            occurred_at=e.occurred_at,
            actor_role=e.actor.role,
            payload=e.payload,
        )
        for e in events
    ]


@router.post("/{pathway_id}/adviser", response_model=PathwayView, summary="Assign the referent adviser (CIP)")
async def assign_adviser(pathway_id: Id, body: AdviserRequest, principal: Manager, commands: Commands):
    return await _command(commands, principal, pathway_id, c.AssignAdviser(adviser=body.adviser))


@router.post(
    "/{pathway_id}/synthesis",
    response_model=PathwayView,
    summary="The initial socio-professional interview's written synthesis",
)
async def write_synthesis(
    pathway_id: Id, body: SynthesisRequest, principal: Adviser, commands: Commands, today: Today
):
    return await _command(commands, principal, pathway_id, c.WriteSynthesis(**body.model_dump(), today=today))


@router.put("/{pathway_id}/profile", response_model=PathwayView, summary="The person's profile and project")
async def record_profile(pathway_id: Id, body: Profile, principal: Adviser, commands: Commands):
    return await _command(commands, principal, pathway_id, c.RecordProfile(profile=body))


@router.post("/{pathway_id}/readiness", response_model=PathwayView, summary="Change the readiness status")
async def change_readiness(pathway_id: Id, body: ReadinessRequest, principal: Adviser, commands: Commands):
    return await _command(commands, principal, pathway_id, c.ChangeReadiness(**body.model_dump()))


@router.post(
    "/{pathway_id}/interviews",
    status_code=201,
    response_model=PathwayView,
    summary="Record an individual follow-up interview",
)
async def hold_interview(
    pathway_id: Id, body: InterviewRequest, principal: Adviser, commands: Commands, today: Today
):
    command = c.HoldFollowUpInterview(interview_id=str(uuid.uuid4()), **body.model_dump(), today=today)
    return await _command(commands, principal, pathway_id, command, status_code=201)


@router.post(
    "/{pathway_id}/goals", status_code=201, response_model=PathwayView, summary="Set a goal with its steps"
)
async def set_goal(pathway_id: Id, body: GoalRequest, principal: Adviser, commands: Commands):
    command = c.SetGoal(goal_id=str(uuid.uuid4()), description=body.description, steps=body.steps)
    return await _command(commands, principal, pathway_id, command, status_code=201)


@router.post(
    "/{pathway_id}/goals/{goal_id}/status",
    response_model=PathwayView,
    summary="A goal (or one of its steps) achieved or abandoned",
)
async def goal_status(
    pathway_id: Id, goal_id: Id, body: GoalStatusRequest, principal: Adviser, commands: Commands
):
    return await _command(
        commands, principal, pathway_id, c.ChangeGoalStatus(goal_id=goal_id, **body.model_dump())
    )


@router.post(
    "/{pathway_id}/france-travail",
    response_model=PathwayView,
    summary="Register the person with France Travail (within months of release)",
)
async def register_france_travail(
    pathway_id: Id, principal: Adviser, commands: Commands, settings: Settings, today: Today
):
    command = c.RegisterWithFranceTravail(today=today, window_months=settings.france_travail_window_months)
    return await _command(commands, principal, pathway_id, command)


@router.post(
    "/{pathway_id}/leaves",
    status_code=201,
    response_model=PathwayView,
    summary="Request a PMSMP or an escorted professional leave",
)
async def request_leave(
    pathway_id: Id, body: LeaveRequest, principal: Adviser, commands: Commands, today: Today
):
    command = c.RequestLeave(leave_id=str(uuid.uuid4()), **body.model_dump(), today=today)
    return await _command(commands, principal, pathway_id, command, status_code=201)


@router.post(
    "/{pathway_id}/leaves/{leave_id}/decision",
    response_model=PathwayView,
    summary="The governor approves or refuses a leave",
)
async def decide_leave(
    pathway_id: Id, leave_id: Id, body: LeaveDecision, principal: Governor, commands: Commands
):
    return await _command(
        commands, principal, pathway_id, c.DecideLeave(leave_id=leave_id, **body.model_dump())
    )


@router.post(
    "/{pathway_id}/leaves/{leave_id}/done", response_model=PathwayView, summary="The leave took place"
)
async def leave_done(pathway_id: Id, leave_id: Id, principal: Adviser, commands: Commands, today: Today):
    return await _command(commands, principal, pathway_id, c.MarkLeaveDone(leave_id=leave_id, today=today))


@router.put(
    "/{pathway_id}/exit-outcome",
    response_model=PathwayView,
    summary="The outcome at release (job, training, job-seeker follow-up, no solution)",
)
async def exit_outcome(pathway_id: Id, body: ExitOutcome, principal: Adviser, commands: Commands):
    return await _command(commands, principal, pathway_id, c.RecordExitOutcome(outcome=body))


async def _command(
    commands: Commands, principal, pathway_id: str, command: c.Command, *, status_code: int = 200
):
    async def action(session, metadata):
        return view(await handlers.pathway_command(session, pathway_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=status_code, resource="/pathways/{pathway_id}")
