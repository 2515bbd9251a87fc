"""Telling the other services when a conflict appears and when it ends (ADR 29), on `projections.events`, in
the consumer's transaction: the conflict's row, the event and the checkpoint are committed together.

A conflict is one stream (its id a UUID derived from the view's conflict id). What was last told of it is
kept in `schedule_conflict_publications`, which a rebuild keeps: a transition is told only if it changes
what was told and comes later, in event time, than the last one told. Replaying the topics from offset 0
walks history again, never later than what was told, so it tells nothing twice; what it finds that was
never told (a kind of conflict added since) it tells once. At one instant a resolution comes before a
detection (a move away then back) and a withdrawal after it (the detection it takes back)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from contracts import Actor, EventEnvelope
from contracts.projections import ScheduleConflictDetected, ScheduleConflictResolved
from kernel.eventstore import Metadata, Session

STREAM_TYPE = "schedule_conflict"
ACTOR = Actor(subject="projections-schedule", role="system")
_NAMESPACE = uuid.UUID("5a6c3f0e-2b8e-4c43-9a55-1f0d2e7b6c11")  # fixed: a conflict's stream id never changes


class Step(IntEnum):
    """A transition of a conflict, in the order they are told at one instant."""

    RESOLVED = 0
    DETECTED = 1
    WITHDRAWN = 2  # it never existed in event time: two streams were read out of order


@dataclass(frozen=True)
class Told:
    open: bool
    at: datetime
    step: Step


@dataclass(frozen=True)
class Transition:
    row: dict[str, Any]  # the conflict as `conflicts.CONFLICT_ROWS` reads it
    step: Step
    at: datetime  # event time: its detection, its end, or (withdrawn) the detection it takes back

    @property
    def opens(self) -> bool:
        return self.step is Step.DETECTED


def stream_of(conflict_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, conflict_id))


def worth_telling(told: Told | None, transition: Transition) -> bool:
    """Tell what changes what was told, and only after it in event time: a replay's past stays untold."""
    if told is None:
        return transition.opens
    return told.open != transition.opens and (transition.at, transition.step) > (told.at, told.step)


async def tell(session: Session, cause: EventEnvelope, transitions: list[Transition]) -> None:
    if not transitions:
        return
    connection = session.connection
    told = {
        r["conflict_id"]: r
        for r in await connection.fetch(
            """SELECT conflict_id, open, told_at, told_rank, version FROM schedule_conflict_publications
               WHERE conflict_id = ANY($1)""",
            [t.row["conflict_id"] for t in transitions],
        )
    }
    metadata = Metadata(actor=ACTOR, correlation_id=cause.correlation_id, causation_id=str(cause.event_id))
    for transition in transitions:
        conflict_id = transition.row["conflict_id"]
        last = told.get(conflict_id)
        before = Told(last["open"], last["told_at"], Step(last["told_rank"])) if last else None
        if not worth_telling(before, transition):
            continue
        version = last["version"] if last else 0
        stream = stream_of(conflict_id)
        await session.append(
            STREAM_TYPE,
            stream,
            version,
            [_event(stream, transition, cause)],
            metadata,
            subject=transition.row["subject_id"],
        )
        await connection.execute(
            """INSERT INTO schedule_conflict_publications (conflict_id, stream_id, open, told_at, told_rank, version)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (conflict_id) DO UPDATE SET open = excluded.open, told_at = excluded.told_at,
                   told_rank = excluded.told_rank, version = excluded.version""",
            conflict_id,
            stream,
            transition.opens,
            transition.at,
            int(transition.step),
            version + 1,
        )
        told[conflict_id] = {
            "open": transition.opens,
            "told_at": transition.at,
            "told_rank": int(transition.step),
            "version": version + 1,
        }


def _event(
    stream: str, transition: Transition, cause: EventEnvelope
) -> ScheduleConflictDetected | ScheduleConflictResolved:
    row = transition.row
    if transition.opens:
        return ScheduleConflictDetected(
            conflict_id=stream,
            kind=row["kind"],
            severity=row["severity"],
            subject_id=row["subject_id"],
            room=row["room"],
            establishment=row["establishment"],
            first_item=row["first_item"],
            second_item=row["second_item"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            detected_at=row["detected_at"],
            absence_reason=row["absence_reason"],
        )
    return ScheduleConflictResolved(
        conflict_id=stream,
        kind=row["kind"],
        subject_id=row["subject_id"],
        establishment=row["establishment"],
        resolved_at=cause.occurred_at,
        resolved_by=cause.event_type,
        never_existed=transition.step is Step.WITHDRAWN,
    )
