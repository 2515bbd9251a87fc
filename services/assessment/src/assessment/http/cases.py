"""Cases (prise en charge): opened on admission, referent assigned, sentence updated, transferred, closed on
release. The ESPACE (radicalisation) notes of a case are for DPIPs only."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import Request
from pydantic import BaseModel, Field, StringConstraints

from contracts.assessment import ClosureReason, EspaceNoteRecorded, Identity, Sentence
from kernel.api import Limit, Offset, Page, RequestBody
from kernel.auth import Principal
from kernel.commands import Commands
from kernel.decider import payloads
from kernel.http import service_router
from assessment import handlers, queries
from assessment.domain import commands as c
from assessment.domain.case import Case, case
from assessment.domain.espace import stream_id as espace_stream
from assessment.domain.errors import CaseNotFound
from assessment.http.common import CaseReader, Director, Id, Label, Officer, Text, settings, today

router = service_router("/cases", tags=["cases"])


class IdentityRequest(RequestBody):
    last_name: Label
    first_names: Label
    birth_date: date
    ecrou_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class OpenCaseRequest(RequestBody):
    subject_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$",
                            description="the person's pseudonymous id, shared by every service")
    identity: IdentityRequest
    establishment: Label
    admission_date: date
    sentence: Sentence
    referent: Label | None = Field(default=None, description="the referent CPIP's user id, if known")


class ReferentRequest(RequestBody):
    referent: Label


class TransferRequest(RequestBody):
    establishment: Label
    transferred_on: date


class CloseRequest(RequestBody):
    reason: ClosureReason
    closed_on: date


class NoteRequest(RequestBody):
    text: Text


class CaseView(BaseModel):
    case_id: str
    subject_id: str
    identity: Identity
    establishment: str
    admission_date: date
    sentence: Sentence
    referent: str | None
    closed_on: date | None
    closure_reason: ClosureReason | None
    version: int


class CaseSummary(BaseModel):
    case_id: str
    subject_id: str
    last_name: str
    first_names: str
    establishment: str
    referent: str | None
    admission_date: date
    closed_on: date | None


class EspaceNote(BaseModel):
    note_id: str
    text: str
    author: str
    written_at: datetime


@router.post("", status_code=201, response_model=CaseView, summary="Open a case on admission")
async def open_case(body: OpenCaseRequest, principal: Officer, commands: Commands, request: Request):
    case_id, on = str(uuid.uuid4()), today(request)
    # A CPIP who opens a case follows the person unless someone else is named.
    referent = body.referent or (principal.subject if "cpip" in principal.roles else None)
    command = c.OpenCase(case_id=case_id, **body.model_dump(exclude={"referent", "identity"}),
                         identity=Identity(**body.identity.model_dump()), referent=referent, today=on)

    async def action(session, metadata):
        outcome = await handlers.open_case(session, command, metadata, settings(request), on)
        return _view(outcome.state, handlers.version(outcome))

    return await commands.run(principal, action, location=lambda view: f"/cases/{view['case_id']}")


@router.post("/{case_id}/referent", response_model=CaseView, summary="Assign or reassign the referent CPIP")
async def assign_referent(case_id: Id, body: ReferentRequest, principal: Director, commands: Commands):
    return await _change(case_id, c.AssignReferent(referent=body.referent), principal, commands)


@router.post("/{case_id}/sentence", response_model=CaseView, summary="Update the sentence facts and dates")
async def update_sentence(case_id: Id, body: Sentence, principal: Officer, commands: Commands):
    return await _change(case_id, c.UpdateSentence(sentence=body), principal, commands)


@router.post("/{case_id}/transfer", response_model=CaseView, summary="Record a transfer to another establishment")
async def transfer(case_id: Id, body: TransferRequest, principal: Director, commands: Commands, request: Request):
    return await _change(case_id, c.TransferCase(**body.model_dump(), today=today(request)), principal, commands)


@router.post("/{case_id}/close", response_model=CaseView, summary="Close the case: release or end of measure")
async def close(case_id: Id, body: CloseRequest, principal: Officer, commands: Commands, request: Request):
    return await _change(case_id, c.CloseCase(**body.model_dump(), today=today(request)), principal, commands)


async def _change(case_id: str, command: c.Command, principal: Principal, commands, status_code: int = 200):
    async def action(session, metadata):
        outcome = await handlers.case_command(session, case_id, command, metadata, principal)
        return _view(outcome.state, handlers.version(outcome))

    return await commands.run(principal, action, status_code=status_code)


@router.post("/{case_id}/espace-notes", status_code=201, response_model=list[EspaceNote],
             summary="Record an ESPACE (radicalisation) note: DPIPs only")
async def record_espace_note(case_id: Id, body: NoteRequest, principal: Director, commands: Commands):
    note_id = str(uuid.uuid4())

    async def action(session, metadata):
        await handlers.record_espace_note(
            session, case_id, lambda case: c.RecordEspaceNote(case=case, note_id=note_id, text=body.text), metadata,
            principal,
        )
        return await _espace_notes(session, case_id)

    return await commands.run(principal, action)


@router.get("/{case_id}/espace-notes", response_model=list[EspaceNote], summary="ESPACE notes: DPIPs only")
async def espace_notes(case_id: Id, principal: Director, request: Request) -> list[EspaceNote]:
    await handlers.load_case(request.app.state.event_store, case_id)
    return await _espace_notes(request.app.state.event_store, case_id)


async def _espace_notes(reader, case_id: str) -> list[EspaceNote]:
    stream = await reader.read_stream(espace_stream(case_id))
    return [
        EspaceNote(note_id=event.note_id, text=event.text, author=envelope.actor.subject,
                   written_at=envelope.occurred_at)
        for envelope, event in zip(stream, payloads(stream), strict=True)
        if isinstance(event, EspaceNoteRecorded)
    ]


@router.get("", response_model=Page[CaseSummary], summary="Cases: a CPIP's caseload, or all open cases")
async def list_cases(
    principal: CaseReader, request: Request, establishment: str | None = None, referent: str | None = None,
    include_closed: bool = False, limit: Limit = 100, offset: Offset = 0,
) -> Page[CaseSummary]:
    if "cpip" in principal.roles and not principal.has_any(frozenset({"dpip"})):
        referent = principal.subject  # a CPIP's list is their caseload
    async with request.app.state.event_store.pool.acquire() as connection:
        total, rows = await queries.cases(connection, establishment=establishment, referent=referent,
                                          include_closed=include_closed, limit=limit, offset=offset)
    return Page(total=total, items=[CaseSummary.model_validate(dict(row)) for row in rows])


@router.get("/{case_id}", response_model=CaseView, summary="A case")
async def get_case(case_id: Id, principal: CaseReader, request: Request) -> CaseView:
    state, stream = await handlers.current(request.app.state.event_store, case, case_id)
    if state.case_id is None:
        raise CaseNotFound(f"no case {case_id}")
    handlers.ensure_caseload(principal, state)
    return _view(state, stream[-1].stream_version)


def _view(state: Case, version: int) -> CaseView:
    return CaseView(**state.model_dump(), version=version)
