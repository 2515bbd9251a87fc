"""HTTP routes of the schedule: a bounded window of it (JSON, iCalendar, a printable week) and the conflicts
found in a window. Access as `schedule.access` says; names only for the roles entitled to them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import AwareDatetime, BaseModel, Field

from contracts.projections import ABSENCE_REASON_LABELS, AbsenceReason
from contracts.rooms import NO_ROOMS, RoomList, load_rooms
from kernel.access import EstablishmentNotReached, Principal
from kernel.api import Db, IdFilter, Label, Now, Settings, Today, day_query
from kernel.auth import allow
from kernel.clock import start_of_day
from kernel.errors import InvalidValue
from kernel.http import service_router
from kernel.journal import Journal, RequestJournal
from projections.schedule import preview, store
from projections.schedule.access import (
    CALENDAR_READERS,
    CONFLICT_READERS,
    PREVIEWERS,
    READERS,
    finds,
    follows,
    only_partner,
    sees_names,
    sees_names_of_followed,
)
from projections.schedule.calendar import render_ics
from projections.schedule.occupancy import ConflictKind, Severity, facilitator_key
from projections.schedule.page import render_html

router = service_router("", tags=["schedule"])

MAX_DAYS = 31
MAX_SESSION = timedelta(days=1)  # a proposed session's span, at most
YEARS = (1900, 2999)  # a proposed session's; beyond, an instant may not even convert to UTC
MAX_FACILITATORS = 50  # as many as a proposal may name (contracts.partners.ProposalContent)


async def _rooms(settings: Settings) -> RoomList:
    """The establishments' rooms, from the file the settings name (none: rooms are places by name)."""
    return load_rooms(getattr(settings, "rooms_file", None))


Rooms = Annotated[RoomList, Depends(_rooms)]
Reader = Annotated[Principal, Depends(allow(READERS))]
CalendarReader = Annotated[Principal, Depends(allow(CALENDAR_READERS))]
ConflictReader = Annotated[Principal, Depends(allow(CONFLICT_READERS))]
Previewer = Annotated[Principal, Depends(allow(PREVIEWERS))]
From = Annotated[date | None, day_query("first local day (default: today)", alias="from")]
To = Annotated[date | None, day_query(f"last local day, included (at most {MAX_DAYS} days)", alias="to")]
Establishment = Annotated[Label | None, Query(description="the establishment's name")]
Room = Annotated[
    Label | None,
    Query(
        description="a room, by a name or alias of the establishments' reference list (each establishment's "
        "own, or `establishment`'s), else a place as sessions name it (case and spaces aside)"
    ),
]
Facilitator = Annotated[Label | None, Query(description="a facilitator, as the sessions name them")]


class ItemKind(StrEnum):
    GROUP_SESSION = "group_session"
    ACTION_SESSION = "action_session"
    POSITIONING = "positioning"
    TRAINING = "training"
    WORK = "work"
    INTERVIEW = "interview"  # an SPIP interview appointment


class Participant(BaseModel):
    subject_id: str
    last_name: str | None = Field(
        default=None,
        description="for the DPIP, IPRO roles and the direction; for a CPIP, a psychologist or a social "
        "worker only of the people they follow (referent, asked to contribute)",
    )
    first_names: str | None = None


class ScheduleItem(BaseModel):
    item_id: str = Field(description="stable: a weekly schedule's occurrence is its item and its start")
    kind: ItemKind
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    establishment: str | None
    cancelled: bool
    number: int | None = Field(description="a programme session's number")
    catch_up: bool
    review: bool
    partner_id: str | None
    seats: int | None
    taken: int | None
    fill_rate: float | None = Field(description="seats taken over seats, from 0 to 1")
    participants: list[Participant] | None = Field(description="who sits in a session, by subject id")
    warnings: list[ItemWarning] | None = Field(
        default=None, description="its open work-hours warnings, for the readers of conflicts (else absent)"
    )


class ItemWarning(BaseModel):
    """An open work-hours warning naming the item (Code pénitentiaire D.412-32), with its legitimate-absence
    reason where the session's events give one (ADR 29)."""

    kind: ConflictKind
    absence_reason: AbsenceReason | None
    absence_reason_label: str | None = Field(description="the reason, in French")


class Schedule(BaseModel):
    from_day: date
    to_day: date
    items: list[ScheduleItem]


class ScheduleConflict(BaseModel):
    conflict_id: str
    kind: ConflictKind
    severity: Severity
    subject_id: str | None
    room: str | None
    establishment: str | None
    first_item: str
    second_item: str
    starts_at: datetime
    ends_at: datetime
    detected_at: datetime = Field(description="when the two items began to overlap (event time)")
    absence_reason: AbsenceReason | None = Field(
        default=None,
        description="a work-hours warning's legitimate-absence reason, where the session's events give one",
    )
    absence_reason_label: str | None = Field(default=None, description="the reason, in French")
    resolved_at: datetime | None
    resolved_by: str | None = Field(description="the event type that ended it")


class Conflicts(BaseModel):
    from_day: date
    to_day: date
    items: list[ScheduleConflict]


class PreviewedConflict(BaseModel):
    kind: ConflictKind
    severity: Severity
    room: str | None = Field(description="the room asked about, for a room's conflict")
    facilitator: str | None = Field(description="the facilitator asked about, for a facilitator's conflict")
    item_id: str = Field(description="the session already there, as `/schedule` gives it")
    item_kind: ItemKind
    title: str
    place: str
    establishment: str | None
    item_starts_at: datetime
    item_ends_at: datetime
    starts_at: datetime = Field(description="the span the two would share")
    ends_at: datetime


class ConflictPreview(BaseModel):
    starts_at: datetime
    ends_at: datetime
    items: list[PreviewedConflict]


def window(first: date | None, last: date | None, today: date, *, days: int = 7) -> tuple[date, date]:
    first = first or today
    last = last or first + timedelta(days=days - 1)
    if last < first or (last - first).days >= MAX_DAYS:
        raise InvalidValue(f"from and to make a window of 1 to {MAX_DAYS} days", code="window-invalid")
    return first, last


@router.get("/schedule", response_model=Schedule, summary="The establishment's schedule over a window")
async def read_schedule(
    principal: Reader,
    db: Db,
    today: Today,
    journal: Journal,
    rooms: Rooms,
    first: From = None,
    last: To = None,
    establishment: Establishment = None,
    room: Room = None,
    facilitator: Facilitator = None,
    subject_id: IdFilter = None,
) -> Schedule:
    first, last = window(first, last, today)
    items = await _items(
        db, principal, journal, first, last, establishment, room, facilitator, subject_id, rooms=rooms
    )
    return Schedule(from_day=first, to_day=last, items=items)


@router.get(
    "/schedule.ics",
    summary="A person's or a facilitator's schedule as iCalendar",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
async def calendar(
    principal: CalendarReader,
    db: Db,
    today: Today,
    journal: Journal,
    now: Now,
    first: From = None,
    last: To = None,
    facilitator: Facilitator = None,
    subject_id: IdFilter = None,
) -> Response:
    if (facilitator is None) == (subject_id is None):
        raise InvalidValue("a calendar is a person's (subject_id) or a facilitator's", code="calendar-whose")
    first, last = window(first, last, today, days=MAX_DAYS)
    items = await _items(db, principal, journal, first, last, None, None, facilitator, subject_id)
    name = f"Emploi du temps – {subject_id or facilitator}"
    return Response(render_ics(items, name=name, generated_at=now), media_type="text/calendar; charset=utf-8")


@router.get(
    "/schedule.html",
    response_class=HTMLResponse,
    summary="The schedule as a printable page (a week by default)",
    responses={200: {"content": {"text/html": {}}}},
)
async def print_schedule(
    principal: Reader,
    db: Db,
    today: Today,
    journal: Journal,
    now: Now,
    rooms: Rooms,
    first: From = None,
    last: To = None,
    establishment: Establishment = None,
    room: Room = None,
    facilitator: Facilitator = None,
    subject_id: IdFilter = None,
) -> HTMLResponse:
    first, last = window(first or today - timedelta(days=today.weekday()), last, today)
    items = await _items(
        db, principal, journal, first, last, establishment, room, facilitator, subject_id, rooms=rooms
    )
    items = journal.disclose(items)
    heading = _heading(items, establishment, room, facilitator, subject_id)
    return HTMLResponse(render_html(items, first_day=first, last_day=last, heading=heading, generated_at=now))


@router.get(
    "/schedule/conflicts", response_model=Conflicts, summary="Conflicts found in a window, open and resolved"
)
async def list_conflicts(
    principal: ConflictReader,
    db: Db,
    today: Today,
    journal: Journal,
    first: From = None,
    last: To = None,
    establishment: Establishment = None,
    subject_id: IdFilter = None,
    facilitator: Facilitator = None,
) -> Conflicts:
    first, last = window(first, last, today)
    async with db.acquire() as connection:
        if subject_id is not None and not await _finds(connection, principal, subject_id):
            return Conflicts(from_day=first, to_day=last, items=[])
        rows = await store.conflicts(
            connection,
            lower=start_of_day(first),
            upper=start_of_day(last + timedelta(days=1)),
            establishment=establishment,
            subject_id=subject_id,
            establishments=principal.perimeter,
            facilitator=facilitator_key(facilitator) if facilitator else None,
        )
    journal.consulted(subject_ids=(row["subject_id"] for row in rows if row["subject_id"]))
    items = [
        ScheduleConflict(**row, absence_reason_label=ABSENCE_REASON_LABELS.get(row["absence_reason"]))
        for row in rows
    ]
    return Conflicts(from_day=first, to_day=last, items=items)


@router.get(
    "/schedule/conflicts/preview",
    response_model=ConflictPreview,
    summary="The conflicts a session not yet scheduled would have (a proposal's), nothing written",
)
async def preview_conflicts(
    principal: Previewer,
    db: Db,
    rooms: Rooms,
    establishment: Annotated[Label, Query(description="the establishment the session would take place in")],
    starts_at: Annotated[AwareDatetime, Query(description="when it would start, with its offset")],
    ends_at: Annotated[AwareDatetime, Query(description="when it would end, with its offset")],
    room: Room = None,
    facilitator: Annotated[
        list[Label], Query(description="who would run it, as the sessions name them (repeat for several)")
    ] = [],  # noqa: B006 (FastAPI copies a default)
) -> ConflictPreview:
    """The sessions already in the room (of `establishment`) or run by one of the facilitators at that time,
    of the establishments the caller reaches: what approving the proposal would double-book."""
    within = YEARS[0] <= starts_at.year and ends_at.year <= YEARS[1]  # checked first: no overflow below
    if not (within and starts_at < ends_at <= starts_at + MAX_SESSION):
        raise InvalidValue("a session ends after it starts, within a day", code="session-span-invalid")
    if room is None and not facilitator:
        raise InvalidValue("a room or a facilitator to look at", code="preview-empty")
    if len(facilitator) > MAX_FACILITATORS:
        raise InvalidValue(f"at most {MAX_FACILITATORS} facilitators", code="preview-too-many-facilitators")
    if not principal.reaches(establishment):
        raise EstablishmentNotReached(f"{establishment} is not in the caller's establishments")
    proposed = preview.Proposed(establishment, starts_at, ends_at, room, tuple(facilitator))
    async with db.acquire() as connection:
        found = await preview.conflicts(connection, proposed, rooms=rooms, establishments=principal.perimeter)
    return ConflictPreview(
        starts_at=starts_at, ends_at=ends_at, items=[PreviewedConflict(**row) for row in found]
    )


async def _items(
    db,
    principal: Principal,
    journal: RequestJournal,
    first: date,
    last: date,
    establishment: str | None,
    room: str | None,
    facilitator: str | None,
    subject_id: str | None,
    *,
    rooms: RoomList = NO_ROOMS,
) -> list[dict[str, Any]]:
    async with db.acquire() as connection:
        if subject_id is not None and not await _finds(connection, principal, subject_id):
            return []
        items = await store.schedule(
            connection,
            lower=start_of_day(first),
            upper=start_of_day(last + timedelta(days=1)),
            establishment=establishment,
            room=room or None,
            rooms=rooms,
            facilitator=facilitator_key(facilitator) if facilitator else None,
            subject_id=subject_id,
            partner_id=only_partner(principal),
            establishments=principal.perimeter,
        )
        if principal.has_any(CONFLICT_READERS):
            await _warn(connection, items, first, last)
        people = [person for item in items for person in item["participants"] or []]
        known = {}
        if sees_names_of_followed(principal):
            known = await store.followed(connection, (person["subject_id"] for person in people))
    journal.consulted(subject_ids=(person["subject_id"] for person in people))
    if not sees_names(principal):
        for person in people:
            if not follows(principal, known.get(person["subject_id"])):
                person.update(last_name=None, first_names=None)
    return items


# The open work-hours warnings of the window naming these items, by the conflicts' index on their span.
WARNINGS = """
    SELECT first_item, second_item, kind, absence_reason FROM schedule_conflicts
    WHERE kind = 'during_work_hours' AND resolved_at IS NULL AND during && tstzrange($1, $2)
      AND (first_item = ANY($3) OR second_item = ANY($3))
    ORDER BY lower(during), conflict_id"""


async def _warn(connection, items: list[dict[str, Any]], first: date, last: date) -> None:
    """Each item's open work-hours warnings, with their absence reason in French."""
    ids = [item["item_id"] for item in items]
    rows = (
        await connection.fetch(WARNINGS, start_of_day(first), start_of_day(last + timedelta(days=1)), ids)
        if ids
        else []
    )
    by_item: dict[str, list[dict[str, Any]]] = {item_id: [] for item_id in ids}
    for row in rows:
        warning = {
            "kind": row["kind"],
            "absence_reason": row["absence_reason"],
            "absence_reason_label": ABSENCE_REASON_LABELS.get(row["absence_reason"]),
        }
        for item_id in {row["first_item"], row["second_item"]} & by_item.keys():
            by_item[item_id].append(warning)
    for item in items:
        item["warnings"] = by_item[item["item_id"]]


async def _finds(connection, principal: Principal, subject_id: str) -> bool:
    """Whether the caller's `subject_id` filter finds this person (`schedule.access.finds`); no query for
    those who read every name."""
    if not sees_names_of_followed(principal):
        return True
    return finds(principal, (await store.followed(connection, [subject_id])).get(subject_id))


def _heading(items, establishment, room, facilitator, subject_id) -> str:
    if subject_id:
        for item in items:
            for person in item["participants"] or []:
                if person["subject_id"] == subject_id and person["last_name"]:
                    return f"{person['last_name'].upper()} {person['first_names']}"
        return f"personne {subject_id}"
    parts = [
        p for p in (establishment, room and f"lieu : {room}", facilitator and f"animé par {facilitator}") if p
    ]
    return ", ".join(parts) or "établissement"
