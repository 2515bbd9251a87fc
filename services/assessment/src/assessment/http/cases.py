"""Cases (prise en charge): opened on admission, referent assigned, sentence updated, transferred, closed on
release. The ESPACE (radicalisation) notes of a case are for DPIPs only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assessment import access, handlers, queries, subjects
from assessment.domain import commands as c
from assessment.domain.case import Case
from assessment.http.common import CaseReader, Director, Officer
from contracts import EventEnvelope
from contracts.assessment import ClosureReason, EspaceNoteRecorded, Identity, OffenceCategory
from contracts.assessment import Sentence as SentenceDates
from kernel.aggregates import Aggregate
from kernel.api import (
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
from kernel.auth import Principal
from kernel.decider import payloads
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal, subjects_of

router = service_router("/cases", tags=["cases"])


class IdentityRequest(RequestBody):
    last_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    first_names: Label
    birth_date: date
    ecrou_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class OpenCaseRequest(RequestBody):
    """No `subject_id`: the service derives the person's id from the establishment and the écrou number
    (`assessment.subjects`) and answers it; a client sending one is refused (422)."""

    identity: IdentityRequest
    establishment: Label
    admission_date: date
    sentence: c.Sentence
    referent: Label | None = Field(default=None, description="the referent CPIP's user id, if known")


class ReferentRequest(RequestBody):
    referent: Label


class TransferRequest(RequestBody):
    establishment: Label
    transferred_on: date


class CloseRequest(RequestBody):
    reason: ClosureReason
    closed_on: date


class IdentityCorrectionRequest(RequestBody):
    identity: IdentityRequest
    reason: Reason


class NoteRequest(RequestBody):
    text: LongText


class SharedIdentity(BaseModel):
    """Who the person is, for readers outside the SPIP: no birth date, no écrou number."""

    model_config = ConfigDict(extra="forbid")

    last_name: str
    first_names: str


class SharedSentence(BaseModel):
    """The sentence's dates, for readers outside the SPIP: no offence categories."""

    model_config = ConfigDict(extra="forbid")

    short_sentence: bool
    total_length_months: int
    expected_end_date: date
    conditional_release_eligibility_date: date | None


class RecordedSentence(SentenceDates):
    """The sentence as SPIP staff read it: its dates and its offence categories, recorded apart (ADR 25); none
    for a case recorded under version 1, whose categories the upcaster dropped (ADR 25), rather than a 500."""

    offence_categories: list[OffenceCategory]


class CaseView(BaseModel):
    case_id: str
    subject_id: str = Field(
        description="the person's pseudonymous id, shared by every service: made by this service from the "
        "establishment and the écrou number when the case opened, and never changed afterwards"
    )
    identity: Identity | SharedIdentity = Field(
        description="SPIP staff read the birth date and écrou number; other readers the name only"
    )
    establishment: str
    admission_date: date
    sentence: RecordedSentence | SharedSentence = Field(
        description="SPIP staff read the offence categories; other readers the dates only"
    )
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
async def open_case(
    body: OpenCaseRequest, principal: Officer, commands: Commands, settings: Settings, today: Today
):
    """The answer carries the person's `subject_id`, derived from the establishment and the écrou number:
    the same ones always give the same id. A person whose case is open already is refused
    (409 `person-already-followed`, `existing` naming that case)."""
    access.ensure_may_open_in(principal, body.establishment)
    command = c.OpenCase(
        case_id=str(uuid.uuid4()),
        subject_id=subjects.subject_id(
            settings.subject_id_key(), body.establishment, body.identity.ecrou_number
        ),
        **body.model_dump(exclude={"referent", "identity"}),
        identity=Identity(**body.identity.model_dump()),
        referent=access.referent_of_new_case(principal, body.referent),
        today=today,
    )

    async def action(session, metadata):
        return _view(await handlers.open_case(session, command, metadata, settings))

    return await commands.run(principal, action, location="/cases/{case_id}")


@router.post("/{case_id}/referent", response_model=CaseView, summary="Assign or reassign the referent CPIP")
async def assign_referent(case_id: Id, body: ReferentRequest, principal: Director, commands: Commands):
    return await _change(case_id, c.AssignReferent(referent=body.referent), principal, commands)


@router.post("/{case_id}/sentence", response_model=CaseView, summary="Update the sentence facts and dates")
async def update_sentence(case_id: Id, body: c.Sentence, principal: Officer, commands: Commands):
    return await _change(case_id, c.UpdateSentence(sentence=body), principal, commands)


@router.post(
    "/{case_id}/transfer", response_model=CaseView, summary="Record a transfer to another establishment"
)
async def transfer(case_id: Id, body: TransferRequest, principal: Director, commands: Commands, today: Today):
    return await _change(case_id, c.TransferCase(**body.model_dump(), today=today), principal, commands)


@router.post("/{case_id}/close", response_model=CaseView, summary="Close the case: release or end of measure")
async def close(case_id: Id, body: CloseRequest, principal: Officer, commands: Commands, today: Today):
    return await _change(case_id, c.CloseCase(**body.model_dump(), today=today), principal, commands)


@router.put(
    "/{case_id}/identity",
    response_model=CaseView,
    summary="Correct the person's identity (rectification), open or closed case: DPIPs only",
)
async def correct_identity(
    case_id: Id, body: IdentityCorrectionRequest, principal: Director, commands: Commands
):
    command = c.CorrectIdentity(identity=Identity(**body.identity.model_dump()), reason=body.reason)

    async def action(session, metadata):
        return _view(await handlers.correct_identity(session, case_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=200, resource="/cases/{case_id}")


async def _change(case_id: str, command: c.Command, principal: Principal, commands: Commands):
    async def action(session, metadata):
        return _view(await handlers.case_command(session, case_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=200, resource="/cases/{case_id}")


@router.post(
    "/{case_id}/espace-notes",
    status_code=201,
    response_model=list[EspaceNote],
    summary="Record an ESPACE (radicalisation) note: DPIPs only",
)
async def record_espace_note(case_id: Id, body: NoteRequest, principal: Director, commands: Commands):
    command = c.RecordEspaceNote(note_id=str(uuid.uuid4()), text=body.text)

    async def action(session, metadata):
        outcome = await handlers.record_espace_note(session, case_id, command, metadata, principal)
        return _espace_notes(outcome.stream)

    return await commands.run(principal, action, resource="/cases/{case_id}/espace-notes")


@router.get("/{case_id}/espace-notes", response_model=list[EspaceNote], summary="ESPACE notes: DPIPs only")
async def espace_notes(case_id: Id, principal: Director, store: Store, journal: Journal) -> list[EspaceNote]:
    stream = await queries.espace_notes(store, case_id, principal)
    journal.consulted(subject_ids=subjects_of(stream))
    return _espace_notes(stream)


def _espace_notes(stream: Sequence[EventEnvelope]) -> list[EspaceNote]:
    return [
        EspaceNote(
            note_id=event.note_id,
            text=event.text,
            author=envelope.actor.subject,
            written_at=envelope.occurred_at,
        )
        for envelope, event in zip(stream, payloads(stream), strict=True)
        if isinstance(event, EspaceNoteRecorded)
    ]


@router.get("", response_model=Page[CaseSummary], summary="Cases: a CPIP's caseload, or all open cases")
async def list_cases(
    principal: CaseReader,
    db: Db,
    journal: Journal,
    establishment: LabelFilter = None,
    referent: LabelFilter = None,
    include_closed: bool = False,
    limit: Limit = 100,
    after: After = None,
) -> Page[CaseSummary]:
    listed = await queries.cases(
        db,
        establishment=establishment,
        referent=access.listed_referent(principal, referent),
        include_closed=include_closed,
        limit=limit,
        after=after,
        perimeter=access.listed_establishments(principal),
        contributor=access.listed_contributor(principal),
    )
    rows = listed.rows
    journal.consulted(subject_ids=(r["subject_id"] for r in rows), object_ids=(r["case_id"] for r in rows))
    return Page.of(listed, [CaseSummary.model_validate(dict(row)) for row in rows])


@router.get("/{case_id}", response_model=CaseView, summary="A case")
async def get_case(case_id: Id, principal: CaseReader, store: Store, journal: Journal) -> CaseView:
    found = await queries.read_case(store, case_id, principal)
    journal.consulted(subject_id=found.state.subject_id, establishment=found.state.establishment)
    return _view(found, details=access.reads_case_details(principal))


def _view(case: Aggregate[Case], details: bool = True) -> CaseView:
    state = case.state
    view = CaseView(
        **state.model_dump(exclude={"sentence"}),
        sentence=RecordedSentence(**state.sentence.model_dump(), offence_categories=state.offence_categories),
        version=case.version,
    )
    if details:
        return view
    shared = {
        "identity": SharedIdentity(**view.identity.model_dump(include=set(SharedIdentity.model_fields))),
        "sentence": SharedSentence(**view.sentence.model_dump(include=set(SharedSentence.model_fields))),
    }
    return view.model_copy(update=shared)
