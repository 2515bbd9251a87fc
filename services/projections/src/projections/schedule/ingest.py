"""What the schedule view keeps of the four services' topics: the sessions of programme groups and partner
actions, who sits in each, IPRO's positionings, trainings and work hours, the SPIP's interview appointments
(a session of one person, held by one CPIP in a room), and the conflicts between them.

Each event runs in the consumer's transaction beside its checkpoint (the runner applies an event id once).
An event that changes an item then looks again at the person, room or facilitator it concerns over the span it
touched (`conflicts.refresh_*`, by the rows `slots` keeps for them): never a recomputation of the whole
schedule. A conflict's appearance and end are told on `projections.events` in the same transaction (ADR 29):
`applier` gives the consumer a handler that appends with the service's clock.

No personal-data field is kept but a leave's purpose, which the movement list shows and the person's erasure
blanks: facilitators as digests only, participants by subject id. Of IPRO's restricted topic, only whether a
leave was approved (ADR 25), for the movement list."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import asyncpg
from prometheus_client import Histogram

from contracts import Event, EventEnvelope
from contracts.assessment import InterviewCancelled, InterviewRescheduled, InterviewScheduled, SubjectErased
from contracts.ipro import (
    AffectationDecided,
    AffectationEndedOnRelease,
    ContractEnded,
    ContractEndedOnRelease,
    Declassified,
    LeaveDecided,
    LeaveRequested,
    PathwayOpened,
    PositioningCancelled,
    PositioningMoved,
    PositioningProposed,
    PositioningWithdrawn,
    TrainingCompleted,
    TrainingDroppedOut,
    TrainingEnrolled,
    WeeklySlot,
)
from contracts.partners import (
    ActionCreated,
    CallDrafted,
    CallRevised,
    SessionCancelled,
    SessionMoved,
    SessionScheduled,
)
from contracts.programmes import (
    CatchUpSessionAdded,
    GroupPlanned,
    GroupSession,
    GroupSessionCancelled,
    GroupSessionMoved,
    ParticipantEnrolled,
    ParticipantLeft,
    ProgrammeCreated,
    ProgrammeRevised,
)
from contracts.rooms import NO_ROOMS, RoomList
from kernel.clock import Clock, local_date, start_of_day, system_clock
from kernel.consumer import Handler
from kernel.eventstore import Session
from kernel.sealing import ERASED_TEXT
from projections.schedule import slots
from projections.schedule.conflicts import Cause, Span, refresh_facilitators, refresh_person, refresh_room
from projections.schedule.occupancy import facilitator_key, room_key

TOPICS = ("assessment.events", "programmes.events", "ipro.events", "ipro.restricted", "partners.events")
TABLES = (
    "schedule_programmes",
    "schedule_groups",
    "schedule_actions",
    "schedule_calls",
    "schedule_people",
    "schedule_sessions",
    "schedule_facilitator_slots",
    "schedule_members",
    "schedule_person_slots",
    "schedule_positionings",
    "schedule_recurring",
    "schedule_conflicts",
    "schedule_leaves",
)

_WORK_ENDS = (ContractEnded, ContractEndedOnRelease, AffectationEndedOnRelease, Declassified)
EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        ProgrammeCreated,
        ProgrammeRevised,
        GroupPlanned,
        GroupSessionMoved,
        GroupSessionCancelled,
        CatchUpSessionAdded,
        ParticipantEnrolled,
        ParticipantLeft,
        CallDrafted,
        CallRevised,
        ActionCreated,
        SessionScheduled,
        SessionMoved,
        SessionCancelled,
        PathwayOpened,
        PositioningProposed,
        PositioningMoved,
        PositioningWithdrawn,
        PositioningCancelled,
        TrainingEnrolled,
        TrainingCompleted,
        TrainingDroppedOut,
        AffectationDecided,
        *_WORK_ENDS,
        LeaveRequested,
        LeaveDecided,  # restricted: the only type of `ipro.restricted` read here
        InterviewScheduled,
        InterviewRescheduled,
        InterviewCancelled,
        SubjectErased,
    )
)


def group_item(group_id: str, session_id: str) -> str:
    return f"programmes/group:{group_id}/{session_id}"


def action_item(action_id: str, session_id: str) -> str:
    return f"partners/action:{action_id}/{session_id}"


def interview_item(interview_id: str) -> str:
    return f"assessment/interview:{interview_id}"


# Each event's cost on /metrics, its conflict checks included (`conflicts.CHECK_SECONDS`: theirs alone).
APPLY_SECONDS = Histogram(
    "passerelle_schedule_apply_seconds", "Wall time of applying one event to the schedule view"
)


def applier(clock: Clock = system_clock, rooms: RoomList = NO_ROOMS) -> Handler:
    """The consumer's handler: conflicts are told as events appended with `clock` (the service's); rooms are
    identified by `rooms`, the establishments' reference list (`occupancy.room_key`)."""

    async def handle(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
        with APPLY_SECONDS.time():
            await _apply(connection, envelope, event, Cause(envelope, Session(connection, clock)), rooms)

    return handle


apply = applier()


async def _apply(
    connection: asyncpg.Connection, envelope: EventEnvelope, event: Event, cause: Cause, rooms: RoomList
) -> None:
    at = envelope.occurred_at
    match event:
        case ProgrammeCreated() | ProgrammeRevised():
            await connection.execute(
                """INSERT INTO schedule_programmes (programme_id, code, name) VALUES ($1, $2, $3)
                   ON CONFLICT (programme_id) DO UPDATE SET code = excluded.code, name = excluded.name""",
                event.programme_id,
                event.definition.code,
                event.definition.name,
            )
        case GroupPlanned():
            await connection.execute(
                """INSERT INTO schedule_groups (group_id, programme_id, establishment, capacity, facilitator_keys)
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (group_id) DO NOTHING""",
                event.group_id,
                event.programme_id,
                event.establishment,
                event.capacity,
                _keys(event.facilitators),
            )
            where = event.establishment
            keyed = [(room_key(rooms, where, s.room), s) for s in event.sessions]
            for room, session in keyed:
                await _add_group_session(
                    connection, event.group_id, session, where, room, _keys(event.facilitators), at
                )
            await slots.sessions_changed(
                connection, [group_item(event.group_id, s.session_id) for s in event.sessions]
            )
            for room in sorted({room for room, _ in keyed}):
                spans = [(s.starts_at, s.ends_at) for key, s in keyed if key == room]
                await refresh_room(connection, where, room, spans, at, cause)
            spans = [(s.starts_at, s.ends_at) for s in event.sessions]
            await refresh_facilitators(connection, _keys(event.facilitators), spans, at, cause)
        case CatchUpSessionAdded():
            group = await connection.fetchrow(
                "SELECT establishment, facilitator_keys FROM schedule_groups WHERE group_id = $1",
                event.group_id,
            )
            where = group["establishment"] if group else ""
            room = room_key(rooms, where, event.session.room)
            keys = group["facilitator_keys"] if group else []
            await _add_group_session(connection, event.group_id, event.session, where, room, keys, at)
            await slots.sessions_changed(connection, [group_item(event.group_id, event.session.session_id)])
            span = (event.session.starts_at, event.session.ends_at)
            await _refresh_session(connection, event.group_id, (where, room), [span], at, cause)
        case GroupSessionMoved():
            item = group_item(event.group_id, event.session_id)
            old = await _move(connection, rooms, item, event.starts_at, event.ends_at, event.room, at)
            await slots.sessions_changed(connection, [item])
            await _refresh_moved(connection, event.group_id, old, (event.starts_at, event.ends_at), at, cause)
        case GroupSessionCancelled():
            old = await _cancel(connection, group_item(event.group_id, event.session_id))
            if old:
                await _refresh_session(connection, event.group_id, _room(old), [_span(old)], at, cause)
        case ParticipantEnrolled():
            await connection.execute(
                """INSERT INTO schedule_members (referral_id, group_id, subject_id, since) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (referral_id) DO UPDATE SET active = true, since = excluded.since""",
                event.referral_id,
                event.group_id,
                event.subject_id,
                at,
            )
            await slots.seat_changed(connection, event.referral_id)
            await _refresh_member(connection, event.group_id, event.subject_id, at, cause)
        case ParticipantLeft():
            subject = await connection.fetchval(
                "UPDATE schedule_members SET active = false WHERE referral_id = $1 RETURNING subject_id",
                event.referral_id,
            )
            await slots.seat_changed(connection, event.referral_id)
            if subject:
                await _refresh_member(connection, event.group_id, subject, at, cause)
        case CallDrafted() | CallRevised():
            await connection.execute(
                """INSERT INTO schedule_calls (call_id, establishment) VALUES ($1, $2)
                   ON CONFLICT (call_id) DO UPDATE SET establishment = excluded.establishment""",
                event.call_id,
                event.content.establishment,
            )
            await _place_call_sessions(
                connection, rooms, event.call_id, event.content.establishment, at, cause
            )
        case ActionCreated():
            await connection.execute(
                """INSERT INTO schedule_actions (action_id, partner_id, call_id, title, capacity, action_type)
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (action_id) DO NOTHING""",
                event.action_id,
                event.partner_id,
                event.call_id,
                event.title,
                event.capacity_max,
                event.action_type.value,
            )
            # Positionings on it read first (another topic) had no type: their warnings' absence reason is
            # looked at again, so that the order topics are read in changes no reason (ADR 29).
            for row in await connection.fetch(
                """SELECT subject_id, lower(during) AS starts_at, upper(during) AS ends_at
                   FROM schedule_positionings WHERE action_id = $1 AND active""",
                event.action_id,
            ):
                await refresh_person(
                    connection, row["subject_id"], [(row["starts_at"], row["ends_at"])], at, cause
                )
        case SessionScheduled():
            slot = event.slot
            where = await _action_establishment(connection, event.action_id)
            room = room_key(rooms, where, slot.place)
            await connection.execute(
                """INSERT INTO schedule_sessions (item_id, kind, source_id, session_id, place, place_key, during,
                                                  facilitator_keys, since, placed_since, staffed_since,
                                                  establishment)
                   VALUES ($1, 'action_session', $2, $3, $4, $5, tstzrange($6, $7), $8, $9, $9, $9, $10)
                   ON CONFLICT (item_id) DO NOTHING""",
                action_item(event.action_id, event.session_id),
                event.action_id,
                event.session_id,
                slot.place,
                room,
                slot.starts_at,
                slot.ends_at,
                _keys(slot.facilitators),
                at,
                where,
            )
            await slots.sessions_changed(connection, [action_item(event.action_id, event.session_id)])
            span = (slot.starts_at, slot.ends_at)
            await refresh_room(connection, where, room, [span], at, cause)
            await refresh_facilitators(connection, _keys(slot.facilitators), [span], at, cause)
        case SessionMoved():
            slot = event.slot
            item = action_item(event.action_id, event.session_id)
            old = await _move(connection, rooms, item, slot.starts_at, slot.ends_at, slot.place, at)
            # New facilitators are set then: their conflicts appear at this move, whatever its times.
            await connection.execute(
                """UPDATE schedule_sessions SET facilitator_keys = $2,
                       staffed_since = CASE WHEN facilitator_keys = $2 THEN staffed_since ELSE $3 END
                   WHERE item_id = $1""",
                item,
                _keys(slot.facilitators),
                at,
            )
            await slots.sessions_changed(connection, [item])
            span = (slot.starts_at, slot.ends_at)
            if old:
                await refresh_room(connection, *_room(old), [_span(old)], at, cause)
                await refresh_room(connection, old["establishment"], old["new_key"], [span], at, cause)
            spans = [span, *([_span(old)] if old else [])]
            keys = _keys(slot.facilitators) + (list(old["facilitator_keys"]) if old else [])
            await refresh_facilitators(connection, keys, spans, at, cause)
        case SessionCancelled():
            old = await _cancel(connection, action_item(event.action_id, event.session_id))
            if old:
                await refresh_room(connection, *_room(old), [_span(old)], at, cause)
                await refresh_facilitators(connection, old["facilitator_keys"], [_span(old)], at, cause)
        case PathwayOpened():
            await connection.execute(
                """INSERT INTO schedule_people (subject_id, establishment) VALUES ($1, $2)
                   ON CONFLICT (subject_id) DO UPDATE SET establishment = excluded.establishment""",
                event.subject_id,
                event.establishment,
            )
            # The movement list reads a site's weekly hours by establishment (a pathway may come after them).
            await connection.execute(
                "UPDATE schedule_recurring SET establishment = $2 WHERE subject_id = $1",
                event.subject_id,
                event.establishment,
            )
        case PositioningProposed():
            await connection.execute(
                """INSERT INTO schedule_positionings (positioning_id, subject_id, action_id, session_id, title,
                                                      place, during, since)
                   VALUES ($1, $2, $3, $4, $5, $6, tstzrange($7, $8), $9) ON CONFLICT DO NOTHING""",
                event.positioning_id,
                event.subject_id,
                event.action_id,
                event.session_id,
                event.title,
                event.place,
                event.starts_at,
                event.ends_at,
                at,
            )
            await refresh_person(connection, event.subject_id, [(event.starts_at, event.ends_at)], at, cause)
        case PositioningMoved():
            old = await connection.fetchrow(
                """UPDATE schedule_positionings p SET during = tstzrange($2, $3), place = $4, since = $5
                   FROM schedule_positionings o WHERE p.positioning_id = $1 AND o.positioning_id = $1
                   RETURNING p.subject_id, lower(o.during) AS starts_at, upper(o.during) AS ends_at""",
                event.positioning_id,
                event.starts_at,
                event.ends_at,
                event.place or "",
                at,
            )
            if old:
                spans = [_span(old), (event.starts_at, event.ends_at)]
                await refresh_person(connection, old["subject_id"], spans, at, cause)
        case PositioningWithdrawn() | PositioningCancelled():
            old = await connection.fetchrow(
                """UPDATE schedule_positionings SET active = false WHERE positioning_id = $1
                   RETURNING subject_id, lower(during) AS starts_at, upper(during) AS ends_at""",
                event.positioning_id,
            )
            if old:
                await refresh_person(connection, old["subject_id"], [_span(old)], at, cause)
        case TrainingEnrolled():
            await _add_weekly(
                connection,
                f"ipro/training:{event.training_id}",
                "training",
                event.training_id,
                event.subject_id,
                event.title,
                event.body,
                event.starts_on,
                event.ends_on,
                event.schedule,
                at,
            )
            await refresh_person(
                connection, event.subject_id, [_days(event.starts_on, event.ends_on)], at, cause
            )
        case TrainingCompleted():
            await _end_weekly(connection, event.training_id, None, event.completed_on, at, cause)
        case TrainingDroppedOut():
            await _end_weekly(connection, event.training_id, None, local_date(at), at, cause)
        case AffectationDecided():
            if envelope.subject is None:
                return  # IPRO names the person on every work event; without one there is nobody to place
            # A new post ends the previous one the day before it starts.
            await _end_weekly(connection, event.work_id, None, event.starts_on - timedelta(days=1), at, cause)
            await _add_weekly(
                connection,
                f"ipro/work:{event.work_id}/{event.affectation_id}",
                "work",
                event.work_id,
                envelope.subject,
                event.post,
                event.workshop,
                event.starts_on,
                None,
                event.schedule,
                at,
            )
            await refresh_person(connection, envelope.subject, [_days(event.starts_on, None)], at, cause)
        case AffectationEndedOnRelease():
            item = f"ipro/work:{event.work_id}/{event.affectation_id}"
            await _end_weekly(connection, event.work_id, item, event.ended_on - timedelta(days=1), at, cause)
        case ContractEnded() | ContractEndedOnRelease():
            await _end_weekly(connection, event.work_id, None, event.ended_on - timedelta(days=1), at, cause)
        case Declassified():
            await _end_weekly(
                connection, event.work_id, None, event.decided_on - timedelta(days=1), at, cause
            )
        case LeaveRequested():
            await connection.execute(
                """INSERT INTO schedule_leaves (leave_id, subject_id, kind, first_day, last_day, purpose)
                   VALUES ($1, $2, $3, $4, $5, $6)
                   ON CONFLICT (leave_id) DO UPDATE SET subject_id = excluded.subject_id, kind = excluded.kind,
                       first_day = excluded.first_day, last_day = excluded.last_day, purpose = excluded.purpose""",
                event.leave_id,
                envelope.subject,
                event.kind.value,
                event.starts_on,
                event.ends_on,
                event.purpose,
            )
        case LeaveDecided():
            # Only the outcome: a refusal's reasons stay IPRO's and the SPIP's (ADR 25).
            await connection.execute(
                """INSERT INTO schedule_leaves (leave_id, approved) VALUES ($1, $2)
                   ON CONFLICT (leave_id) DO UPDATE SET approved = excluded.approved""",
                event.leave_id,
                event.approved,
            )
        case InterviewScheduled():
            item = interview_item(event.interview_id)
            room = room_key(rooms, event.establishment, event.place)
            keys = _keys([event.officer])
            await connection.execute(
                """INSERT INTO schedule_sessions (item_id, kind, source_id, session_id, place, place_key, during,
                                                  facilitator_keys, since, placed_since, staffed_since,
                                                  establishment, subject_id, interview_type)
                   VALUES ($1, 'interview', $2, $2, $3, $4, tstzrange($5, $6), $7, $8, $8, $8, $9, $10, $11)
                   ON CONFLICT (item_id) DO NOTHING""",
                item,
                event.interview_id,
                event.place,
                room,
                event.starts_at,
                event.ends_at,
                keys,
                at,
                event.establishment,
                event.subject_id,
                event.interview_type.value,
            )
            await slots.sessions_changed(connection, [item])
            span = (event.starts_at, event.ends_at)
            await refresh_room(connection, event.establishment, room, [span], at, cause)
            await refresh_facilitators(connection, keys, [span], at, cause)
            await refresh_person(connection, event.subject_id, [span], at, cause)
        case InterviewRescheduled():
            item = interview_item(event.interview_id)
            old = await _move(connection, rooms, item, event.starts_at, event.ends_at, event.place, at)
            await slots.sessions_changed(connection, [item])
            if old:
                await _refresh_interview(connection, item, old, [(event.starts_at, event.ends_at)], at, cause)
        case InterviewCancelled():
            item = interview_item(event.interview_id)
            old = await _cancel(connection, item)
            if old:
                await _refresh_interview(
                    connection, item, {**old, "new_key": old["place_key"]}, [], at, cause
                )
        case SubjectErased():
            # A leave's purpose is written about the person: it reads as their sealed one now does.
            await connection.execute(
                "UPDATE schedule_leaves SET purpose = $2 WHERE subject_id = $1 AND purpose IS DISTINCT FROM $2",
                event.subject_id,
                ERASED_TEXT,
            )


def _keys(facilitators: list[str]) -> list[str]:
    return sorted({facilitator_key(f) for f in facilitators if f.strip()})


def _room(row: asyncpg.Record) -> tuple[str, str]:
    """A session's room, as `conflicts.refresh_room` takes it: its establishment and its key there."""
    return row["establishment"], row["place_key"]


def _span(row: asyncpg.Record) -> Span:
    return row["starts_at"], row["ends_at"]


def _days(first: date, last: date | None) -> Span:
    return start_of_day(first), None if last is None else start_of_day(last + timedelta(days=1))


async def _add_group_session(
    connection: asyncpg.Connection,
    group_id: str,
    session: GroupSession,
    establishment: str,
    room: str,
    keys: list[str],
    at: datetime,
) -> None:
    await connection.execute(
        """INSERT INTO schedule_sessions (item_id, kind, source_id, session_id, number, review, catch_up, place,
                                          place_key, during, facilitator_keys, since, placed_since, staffed_since,
                                          establishment)
           VALUES ($1, 'group_session', $2, $3, $4, $5, $6, $7, $8, tstzrange($9, $10), $11, $12, $12, $12, $13)
           ON CONFLICT (item_id) DO NOTHING""",
        group_item(group_id, session.session_id),
        group_id,
        session.session_id,
        session.number,
        session.review,
        session.catch_up,
        session.room,
        room,
        session.starts_at,
        session.ends_at,
        keys,
        at,
        establishment,
    )


async def _action_establishment(connection: asyncpg.Connection, action_id: str) -> str:
    """An action's establishment, its call's: "" while the call is not read (`_place_call_sessions` then)."""
    found = await connection.fetchval(
        """SELECT c.establishment FROM schedule_actions a JOIN schedule_calls c ON c.call_id = a.call_id
           WHERE a.action_id = $1""",
        action_id,
    )
    return found or ""


async def _place_call_sessions(
    connection: asyncpg.Connection,
    rooms: RoomList,
    call_id: str,
    establishment: str,
    at: datetime,
    cause: Cause,
) -> None:
    """A call read after its actions' sessions (topics interleave): they are in its establishment's rooms."""
    moved = await connection.fetch(
        """SELECT s.item_id, s.place, s.establishment, s.place_key, lower(s.during) AS starts_at,
                  upper(s.during) AS ends_at
           FROM schedule_actions a JOIN schedule_sessions s ON s.kind = 'action_session' AND s.source_id = a.action_id
           WHERE a.call_id = $1 AND s.establishment <> $2
           ORDER BY s.item_id""",
        call_id,
        establishment,
    )
    for old in moved:
        room = room_key(rooms, establishment, old["place"])
        await connection.execute(
            "UPDATE schedule_sessions SET establishment = $2, place_key = $3 WHERE item_id = $1",
            old["item_id"],
            establishment,
            room,
        )
        await refresh_room(connection, *_room(old), [_span(old)], at, cause)
        await refresh_room(connection, establishment, room, [_span(old)], at, cause)


async def _move(
    connection: asyncpg.Connection,
    rooms: RoomList,
    item: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    at: datetime,
) -> asyncpg.Record | None:
    """Move a session; where, when and by whom it was run before, and its new room's key (`new_key`). A move
    to another room only keeps its times' `since`: the people in it, and its facilitators, were already there
    then."""
    where = await connection.fetchval("SELECT establishment FROM schedule_sessions WHERE item_id = $1", item)
    room = room_key(rooms, where or "", place)
    return await connection.fetchrow(
        """UPDATE schedule_sessions s SET during = tstzrange($2, $3), place = $4, place_key = $5, placed_since = $6,
               since = CASE WHEN o.during = tstzrange($2, $3) THEN o.since ELSE $6 END,
               staffed_since = CASE WHEN o.during = tstzrange($2, $3) THEN o.staffed_since ELSE $6 END
           FROM schedule_sessions o WHERE s.item_id = $1 AND o.item_id = $1
           RETURNING o.establishment, o.place_key, o.facilitator_keys, lower(o.during) AS starts_at,
                     upper(o.during) AS ends_at, s.place_key AS new_key""",
        item,
        starts_at,
        ends_at,
        place,
        room,
        at,
    )


async def _cancel(connection: asyncpg.Connection, item: str) -> asyncpg.Record | None:
    old = await connection.fetchrow(
        """UPDATE schedule_sessions SET cancelled = true WHERE item_id = $1
           RETURNING establishment, place_key, facilitator_keys, lower(during) AS starts_at,
                     upper(during) AS ends_at""",
        item,
    )
    await slots.sessions_changed(connection, [item])
    return old


async def _refresh_moved(
    connection: asyncpg.Connection,
    group_id: str,
    old: asyncpg.Record | None,
    new: Span,
    at: datetime,
    cause: Cause,
) -> None:
    if not old:
        return  # a session the view does not hold: nothing of it to look at again
    room = (old["establishment"], old["new_key"])
    if _room(old) != room:
        await refresh_room(connection, *_room(old), [_span(old)], at, cause)
    await _refresh_session(connection, group_id, room, [new, _span(old)], at, cause)


async def _refresh_session(
    connection: asyncpg.Connection,
    group_id: str,
    room: tuple[str, str],
    spans: list[Span],
    at: datetime,
    cause: Cause,
) -> None:
    """A group session changed: its room (establishment, key), its group's facilitators, and each person
    sitting in its group, over its old and new spans."""
    await refresh_room(connection, *room, spans, at, cause)
    keys = await connection.fetchval(
        "SELECT facilitator_keys FROM schedule_groups WHERE group_id = $1", group_id
    )
    await refresh_facilitators(connection, keys or [], spans, at, cause)
    for subject in await _members(connection, group_id):
        await refresh_person(connection, subject, spans, at, cause)


async def _refresh_interview(
    connection: asyncpg.Connection, item: str, old, new: list[Span], at: datetime, cause: Cause
) -> None:
    """An interview moved (`new`: its span now) or cancelled (none): its old and new rooms, its CPIP and its
    person, over its old and new spans."""
    spans = [_span(old), *new]
    if _room(old) != (old["establishment"], old["new_key"]):
        await refresh_room(connection, *_room(old), [_span(old)], at, cause)
    await refresh_room(connection, old["establishment"], old["new_key"], spans, at, cause)
    await refresh_facilitators(connection, list(old["facilitator_keys"]), spans, at, cause)
    subject = await connection.fetchval("SELECT subject_id FROM schedule_sessions WHERE item_id = $1", item)
    if subject:
        await refresh_person(connection, subject, spans, at, cause)


async def _members(connection: asyncpg.Connection, group_id: str) -> list[str]:
    rows = await connection.fetch(
        "SELECT DISTINCT subject_id FROM schedule_members WHERE group_id = $1 AND active ORDER BY subject_id",
        group_id,
    )
    return [r["subject_id"] for r in rows]


async def _refresh_member(
    connection: asyncpg.Connection, group_id: str, subject_id: str, at: datetime, cause: Cause
) -> None:
    """A seat taken or freed: the person over the group's whole run."""
    span = await connection.fetchrow(
        """SELECT min(lower(during)) AS starts_at, max(upper(during)) AS ends_at
           FROM schedule_sessions WHERE source_id = $1""",
        group_id,
    )
    if span and span["starts_at"] is not None:
        await refresh_person(connection, subject_id, [_span(span)], at, cause)


async def _add_weekly(
    connection: asyncpg.Connection,
    item_id: str,
    kind: str,
    source_id: str,
    subject_id: str,
    title: str,
    place: str,
    first_day: date,
    last_day: date | None,
    schedule: list[WeeklySlot],
    at: datetime,
) -> None:
    await connection.execute(
        """INSERT INTO schedule_recurring (item_id, kind, source_id, subject_id, title, place, first_day, last_day,
                                           slots, since, establishment)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                   (SELECT establishment FROM schedule_people WHERE subject_id = $4))
           ON CONFLICT (item_id) DO NOTHING""",
        item_id,
        kind,
        source_id,
        subject_id,
        title,
        place,
        first_day,
        last_day,
        [slot.model_dump(mode="json") for slot in schedule],
        at,
    )


async def _end_weekly(
    connection: asyncpg.Connection,
    source_id: str,
    item_id: str | None,
    last_day: date,
    at: datetime,
    cause: Cause,
) -> None:
    """A training or a post ends after `last_day`: its hours after that day, and their conflicts, go."""
    ended = await connection.fetch(
        """UPDATE schedule_recurring r SET last_day = $3
           FROM schedule_recurring o
           WHERE r.item_id = o.item_id AND r.source_id = $1 AND ($2::text IS NULL OR r.item_id = $2)
             AND (r.last_day IS NULL OR r.last_day > $3)
           RETURNING r.subject_id, o.last_day AS was""",
        source_id,
        item_id,
        last_day,
    )
    for row in ended:
        await refresh_person(
            connection, row["subject_id"], [_days(last_day + timedelta(days=1), row["was"])], at, cause
        )
