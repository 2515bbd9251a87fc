"""Positioning people on partner actions: proposed by IPRO, confirmed and reported by the partner running
the action, who sees nothing of a person but their name and their positioning."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from contracts.ipro import PositioningOutcome
from ipro import feeds, handlers, reads
from ipro.domain import commands as c
from ipro.domain.positioning import Positioning, PositioningStatus
from ipro.http.common import Adviser, Confirmer, OnePositioningReader, PartnerOrIpro, PositioningReader
from kernel.aggregates import Aggregate
from kernel.api import (
    ID_MAX_LENGTH,
    After,
    Db,
    Id,
    IdFilter,
    Limit,
    Now,
    Page,
    Reason,
    RequestBody,
    Settings,
    Store,
)
from kernel.auth import Principal
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal

router = service_router("", tags=["positionings"])


class PositionRequest(RequestBody):
    action_id: str = Field(max_length=ID_MAX_LENGTH)
    session_id: str = Field(max_length=ID_MAX_LENGTH)


class AttendanceRequest(RequestBody):
    attended: bool


class OutcomeRequest(RequestBody):
    outcome: PositioningOutcome
    details: str = Field(default="", max_length=1000)


class PositioningView(BaseModel):
    positioning_id: str
    pathway_id: str
    subject_id: str
    action_id: str
    session_id: str
    partner_id: str
    starts_at: datetime
    ends_at: datetime
    status: PositioningStatus
    outcome: PositioningOutcome | None
    version: int
    warnings: list[str] = Field(
        default_factory=list,
        description="what was booked anyway: the SPIP programme sessions the new hours overlap (D.412-32)",
    )


class PartnerLine(BaseModel):
    """What a partner sees: the person's name and their positioning, nothing else."""

    positioning_id: str
    last_name: str
    first_names: str
    action_id: str
    session_id: str
    status: PositioningStatus
    outcome: PositioningOutcome | None


def view(aggregate: Aggregate[Positioning], warnings: list[str] | None = None) -> PositioningView:
    fields = aggregate.state.model_dump(include=set(PositioningView.model_fields))
    return PositioningView(**fields, version=aggregate.version, warnings=warnings or [])


PARTNER_FIELDS = set(PartnerLine.model_fields) - {"last_name", "first_names"}


@router.post(
    "/pathways/{pathway_id}/positionings",
    status_code=201,
    response_model=PositioningView,
    summary="Position the person on a session of a catalogue action",
    description="A session the catalogue replica does not know yet, while it has not read the partners' events "
    "of that action to their end (it was published a moment ago), answers 503 `action-session-not-yet-known` "
    "with `Retry-After`; once it has, an unknown session answers 404 `action-session-not-found`.",
)
async def position(
    pathway_id: Id,
    body: PositionRequest,
    principal: Adviser,
    commands: Commands,
    now: Now,
    settings: Settings,
):
    catalogue = feeds.partner_catalogue(settings)
    command = c.Position(
        positioning_id=str(uuid.uuid4()),
        pathway_id=pathway_id,
        action_id=body.action_id,
        session_id=body.session_id,
        now=now,
    )

    async def action(session, metadata):
        booked = await handlers.position(session, pathway_id, command, metadata, principal, catalogue)
        return view(booked.outcome, booked.warnings)

    return await commands.run(principal, action, status_code=201, resource="/positionings/{positioning_id}")


@router.get(
    "/positionings",
    response_model=Page[PartnerLine] | Page[PositioningView],
    summary="Positionings per action session (a partner: on its own actions, names and status only)",
)
async def list_positionings(
    principal: PositioningReader,
    db: Db,
    journal: Journal,
    action_id: IdFilter = None,
    session_id: IdFilter = None,
    limit: Limit = 100,
    after: After = None,
):
    found = await reads.positionings(
        db, principal, action_id=action_id, session_id=session_id, limit=limit, after=after
    )
    rows = found.listed.rows
    journal.consulted(subject_ids=(r["subject_id"] for r in rows))
    line = PartnerLine if found.names_only else PositioningView
    fields = set(line.model_fields) - {"warnings"}  # said when a place is booked, not when listed
    return Page.of(found.listed, [line(**{k: r[k] for k in fields}) for r in rows])


@router.get(
    "/positionings/{positioning_id}",
    response_model=PositioningView | PartnerLine,
    summary="A positioning (a partner: names and status only, on its own actions)",
)
async def get_positioning(
    positioning_id: Id, principal: OnePositioningReader, store: Store, journal: Journal
):
    seen = await reads.positioning_of(store, positioning_id, principal)
    journal.consulted(
        subject_id=seen.positioning.state.subject_id, object_id=seen.positioning.state.pathway_id
    )
    if seen.person is not None:
        return PartnerLine(**seen.person, **seen.positioning.state.model_dump(include=PARTNER_FIELDS))
    return view(seen.positioning)


@router.post(
    "/positionings/{positioning_id}/confirm",
    response_model=PositioningView,
    summary="The partner confirms the place",
)
async def confirm(positioning_id: Id, principal: Confirmer, commands: Commands):
    return await _command(commands, principal, positioning_id, c.ConfirmPositioning())


@router.post(
    "/positionings/{positioning_id}/attendance",
    response_model=PositioningView,
    summary="Attended, or no-show",
)
async def attendance(
    positioning_id: Id, body: AttendanceRequest, principal: PartnerOrIpro, commands: Commands, now: Now
):
    return await _command(
        commands, principal, positioning_id, c.RecordAttendance(attended=body.attended, now=now)
    )


@router.post(
    "/positionings/{positioning_id}/outcome",
    response_model=PositioningView,
    summary="What came of it: job offer, interview obtained, training place, PMSMP agreed, none",
)
async def outcome(positioning_id: Id, body: OutcomeRequest, principal: PartnerOrIpro, commands: Commands):
    return await _command(
        commands, principal, positioning_id, c.RecordPositioningOutcome(**body.model_dump())
    )


class WithdrawRequest(RequestBody):
    reason: Reason


@router.post(
    "/positionings/{positioning_id}/withdraw",
    response_model=PositioningView,
    summary="Withdraw the positioning (the place is freed)",
)
async def withdraw(positioning_id: Id, body: WithdrawRequest, principal: Adviser, commands: Commands):
    return await _command(commands, principal, positioning_id, c.WithdrawPositioning(reason=body.reason))


async def _command(commands: Commands, principal: Principal, positioning_id: str, command: c.Command):
    async def action(session, metadata):
        return view(await handlers.positioning_command(session, positioning_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=200, resource="/positionings/{positioning_id}")
