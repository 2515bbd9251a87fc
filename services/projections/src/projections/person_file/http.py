"""HTTP routes of the person file: find a person, read their file (JSON or a print-ready page) now or as of
an instant, poll it for changes, and see who consulted it. Every read of a file is recorded first, as a
restricted event of its own, and in the consultation journal of every service (kernel.journal)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import AwareDatetime, BaseModel, Field

from contracts import Actor, not_personal_data
from contracts.projections import FileConsulted, FileFormat
from contracts.roles import IPRO_STAFF, SPIP_STAFF
from kernel.access import Principal
from kernel.api import After, Db, Id, Limit, Now, Page, Store
from kernel.auth import allow
from kernel.errors import NotFound
from kernel.eventstore import NEW_STREAM, EventStore, Metadata
from kernel.http import service_router
from kernel.journal import Journal, RequestJournal
from projections.person_file import snapshots, store
from projections.person_file.access import reaches, reading_for
from projections.person_file.model import PersonFile
from projections.person_file.page import render_html
from projections.person_file.snapshots import LiveFile
from projections.person_file.views import for_reader, keeps_whole

router = service_router("/persons", tags=["person file"])

FileReader = Annotated[Principal, Depends(allow(SPIP_STAFF, IPRO_STAFF, "direction", "auditeur"))]
# Finding someone by name is for the staff who follow people, not for auditors (who read pseudonyms).
PersonFinder = Annotated[Principal, Depends(allow(SPIP_STAFF, IPRO_STAFF, "direction"))]
HistoryReader = Annotated[Principal, Depends(allow("dpip", "auditeur"))]
AsOf = Annotated[
    AwareDatetime | None,
    Query(
        description="the file as it stood at this instant (with its offset), folded from the events recorded until then"
    ),
]


class PersonNotFound(NotFound):
    code = "person-not-found"


class FoundPerson(BaseModel):
    subject_id: str
    last_name: str
    first_names: str
    birth_date: date
    ecrou_number: str


class FileChanges(BaseModel):
    cursor: int = Field(description="give it back as `since` on the next poll")
    changed: bool = Field(description="whether the file changed after `since`")


class Consultation(BaseModel):
    consulted_at: datetime
    reader: str
    role: str
    reading: str
    format: FileFormat
    as_of: datetime | None
    purpose: str = not_personal_data()  # why the reader read: the journal's, which auditors read


@router.get("", response_model=Page[FoundPerson], summary="Find a person by name or écrou number")
async def find_persons(
    principal: PersonFinder,
    db: Db,
    journal: Journal,
    q: Annotated[str, Query(min_length=2, max_length=100, description="words of the name or écrou number")],
    limit: Limit = 20,
    after: After = None,
) -> Page[FoundPerson]:
    async with db.acquire() as connection:
        listed = await store.search(
            connection, q, limit=limit, after=after, establishments=principal.perimeter
        )
    journal.consulted(subject_ids=(r["subject_id"] for r in listed.rows))
    return Page.of(listed, [FoundPerson(**{k: r[k] for k in FoundPerson.model_fields}) for r in listed.rows])


@router.get("/{subject_id}/file", response_model=PersonFile, summary="A person's consolidated file")
async def read_file(
    subject_id: Id, principal: FileReader, event_store: Store, now: Now, journal: Journal, as_of: AsOf = None
) -> PersonFile | Response:
    answer = await _read(event_store, principal, subject_id, now, as_of, journal, FileFormat.JSON)
    if isinstance(answer, bytes):  # the kept file, whole: the same JSON, not validated and rendered again
        return Response(answer, media_type="application/json")
    return answer


@router.get(
    "/{subject_id}/file.html",
    response_class=HTMLResponse,
    summary="A person's consolidated file, as a print-ready page",
    responses={200: {"content": {"text/html": {}}}},
)
async def print_file(
    subject_id: Id, principal: FileReader, event_store: Store, now: Now, journal: Journal, as_of: AsOf = None
) -> HTMLResponse:
    file = await _read(event_store, principal, subject_id, now, as_of, journal, FileFormat.HTML)
    assert isinstance(file, PersonFile)  # a page is rendered from the file, never from its kept text
    shown = PersonFile.model_validate(journal.disclose(file.model_dump(mode="json"), PersonFile))
    return HTMLResponse(render_html(shown, reader_role=principal.role, generated_at=now))


@router.get(
    "/{subject_id}/file/changes",
    response_model=FileChanges,
    summary="Whether a person's file changed since the last poll",
)
async def file_changes(
    subject_id: Id,
    principal: FileReader,
    db: Db,
    now: Now,
    since: Annotated[int, Query(ge=0, le=2**62, description="the cursor of the previous poll")] = 0,
) -> FileChanges:
    """Only for those who may read the file: when someone's file changes is no one else's business. Shows
    nothing of it, so records no consultation, and stays out of the journal: a front-end polls every few
    seconds, and its answers would drown the reads (its refusals are journaled, as on every route)."""
    async with db.acquire() as connection:
        live = await _live_file(connection, subject_id, now, principal)
    reading_for(principal, live.case, live.contributors)  # refuses those who may not
    return FileChanges(cursor=live.cursor, changed=live.cursor > since)


@router.get(
    "/{subject_id}/consultations",
    response_model=Page[Consultation],
    summary="Who consulted a person's file, most recent first",
)
async def consultations(
    subject_id: Id,
    principal: HistoryReader,
    db: Db,
    now: Now,
    _journal: Journal,
    limit: Limit = 100,
    after: After = None,
) -> Page[Consultation]:
    async with db.acquire() as connection:
        await _live_file(connection, subject_id, now, principal)
        listed = await store.consultations_of(connection, subject_id, limit=limit, after=after)
    return Page.of(
        listed, [Consultation(**{k: r[k] for k in Consultation.model_fields}) for r in listed.rows]
    )


async def _read(
    event_store: EventStore,
    principal: Principal,
    subject_id: str,
    now: datetime,
    as_of: datetime | None,
    journal: RequestJournal,
    format: FileFormat,
) -> PersonFile | bytes:
    """The file as the caller may read it, after recording that they did: access is decided on the file as it
    stands now (a CPIP who follows the person today may read their past), the answer folded as of `as_of`.
    A JSON answer that is the whole file now (`views.keeps_whole`) is its kept text, with the identity: the
    cost of validating and rendering a large file again was most of its read."""
    async with event_store.pool.acquire() as connection:
        live = await _live_file(connection, subject_id, now, principal)
        reading = reading_for(principal, live.case, live.contributors, break_glass=journal.break_glass)
        identity = await store.identity_of(connection, subject_id)
        whole = as_of is None and format is FileFormat.JSON and keeps_whole(reading, live.sensitive)
        if not whole:
            file = live.file if as_of is None else await snapshots.fold_as_of(connection, subject_id, as_of)
    await _record_consultation(event_store, principal, subject_id, reading, format, as_of, journal.purpose)
    if whole:
        return live.answer(identity)
    return for_reader(file.model_copy(update={"identity": identity}), reading)


async def _live_file(
    connection: asyncpg.Connection, subject_id: str, now: datetime, principal: Principal
) -> LiveFile:
    """The file as it stands now; a person outside the caller's establishments has none for them."""
    live = await snapshots.live_file(connection, subject_id, now)
    if live is None or not reaches(principal, live.case):
        raise PersonNotFound(f"no file for person {subject_id}", subject_id=subject_id)
    return live


async def _record_consultation(
    event_store: EventStore,
    principal: Principal,
    subject_id: str,
    reading: str,
    format: FileFormat,
    as_of: datetime | None,
    purpose: str,
) -> None:
    """One restricted event per read, in a stream of its own: reads of one file never wait on each other. Its own
    transaction, committed with the consultations made at the same time (group commit, ADR 8): one statement,
    where a transaction of its own would add a BEGIN and a COMMIT to every read."""
    consulted = FileConsulted(
        subject_id=subject_id, reading=reading, format=format, as_of=as_of, purpose=purpose
    )
    actor = Actor(subject=principal.subject, role=principal.role, organisation_id=principal.organisation_id)
    await event_store.append(
        "consultation", str(uuid.uuid4()), NEW_STREAM, [consulted], Metadata(actor=actor), subject=subject_id
    )
