"""The deadline scheduler: publishes `assessment.deadline.missed` once for each item that became overdue.

Each occurrence has its own stream (the deadline id), appended only as a new stream: after a crash, a
restart or beside a second instance, a second publication is a concurrency conflict, so the event exists
exactly once whatever happens between the append and the `missed_published` flag.
"""

from __future__ import annotations

from datetime import date

import asyncpg

from contracts import Actor
from contracts.assessment import DeadlineKind, DeadlineMissed
from kernel.clock import local_date
from kernel.eventstore import EventStore, Metadata
from kernel.scheduling import append_once, every

SCHEDULER = Actor(subject="assessment-deadline-scheduler", role="system")


async def overdue(connection: asyncpg.Connection, today: date) -> list[asyncpg.Record]:
    return await connection.fetch(
        """SELECT d.deadline_id, d.case_id, d.kind, d.due_on, c.subject_id, c.referent, c.establishment
           FROM deadlines d JOIN cases c USING (case_id)
           WHERE d.due_on < $1 AND d.done_on IS NULL AND NOT d.cancelled AND NOT d.missed_published
           ORDER BY d.due_on, d.deadline_id""",
        today,
    )


async def publish_missed(store: EventStore) -> int:
    """Publish every item overdue today and not yet published; how many were published by this call."""
    async with store.pool.acquire() as connection:
        rows = await overdue(connection, local_date(store.clock()))
    published = 0
    for row in rows:
        event = DeadlineMissed(
            deadline_id=row["deadline_id"],
            case_id=row["case_id"],
            kind=DeadlineKind(row["kind"]),
            due_on=row["due_on"],
            referent=row["referent"],
            establishment=row["establishment"],
        )
        published += await append_once(
            store,
            "deadline",
            event.deadline_id,
            event,
            Metadata(actor=SCHEDULER),
            subject=row["subject_id"],
            mark=lambda connection, deadline_id=event.deadline_id: connection.execute(
                "UPDATE deadlines SET missed_published = true WHERE deadline_id = $1", deadline_id
            ),
        )
    return published


def scheduler(store: EventStore, every_seconds: float):
    return every(every_seconds, lambda: publish_missed(store), "missed deadlines published")
