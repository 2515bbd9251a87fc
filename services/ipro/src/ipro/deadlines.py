"""The synthesis scheduler: publishes `ipro.deadline.synthesis_missed` once for each pathway whose initial
synthesis is past due (a stream per occurrence, see `kernel.scheduling.append_once`)."""

from __future__ import annotations

from contracts import Actor
from contracts.ipro import SynthesisMissed
from kernel.clock import local_date
from kernel.eventstore import EventStore, Metadata
from kernel.scheduling import append_once, every

SCHEDULER = Actor(subject="ipro-synthesis-scheduler", role="system")


async def publish_overdue(store: EventStore) -> int:
    async with store.pool.acquire() as connection:
        rows = await connection.fetch(
            """SELECT pathway_id, subject_id, synthesis_due_on, adviser, establishment FROM pathways
               WHERE synthesis_due_on < $1 AND NOT synthesis_written AND closed_on IS NULL AND NOT overdue_published
               ORDER BY synthesis_due_on, pathway_id""",
            local_date(store.clock()),
        )
    published = 0
    for row in rows:
        event = SynthesisMissed(
            pathway_id=row["pathway_id"],
            due_on=row["synthesis_due_on"],
            adviser=row["adviser"],
            establishment=row["establishment"],
        )
        published += await append_once(
            store,
            "deadline",
            f"synthesis-overdue-{row['pathway_id']}",
            event,
            Metadata(actor=SCHEDULER),
            subject=row["subject_id"],
            mark=lambda connection, pathway_id=row["pathway_id"]: connection.execute(
                "UPDATE pathways SET overdue_published = true WHERE pathway_id = $1", pathway_id
            ),
        )
    return published


def scheduler(store: EventStore, every_seconds: float):
    return every(every_seconds, lambda: publish_overdue(store), "overdue syntheses published")
