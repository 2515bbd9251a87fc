"""Erasing a person (issue 17 #2, ADR 24): `assessment.subject.erased` appended, the service's own read rows
blanked, then the person's data key destroyed.

The event comes first, the key after. The erasure is appended in one transaction with the blanking of the
`cases` and `interviews` rows and an `erasures` row that stays pending until the key is destroyed; once that
transaction has committed, `finish` destroys the key and stamps the row. A crash between the two leaves a
pending row, which the next pass of the scheduler finishes: destroying a key is idempotent, so the event is
published once (one stream per person, appended only as a new stream) and the key destroyed once in effect.
The other order could destroy a key and crash before anything said why, and no replica would ever blank its
copies."""

from __future__ import annotations

import asyncpg

from assessment.domain import errors
from assessment.domain.commands import EraseSubject
from assessment.domain.erasure import CaseStatus, ErasureFacts, Retention, Subject, subject
from assessment.settings import AssessmentSettings
from contracts import Actor
from contracts.assessment import ErasureReason
from kernel import logs
from kernel.aggregates import Outcome, execute, load
from kernel.clock import local_date
from kernel.errors import ConcurrencyConflict
from kernel.eventstore import EventStore, Metadata, Session
from kernel.keyring import destroy
from kernel.scheduling import every
from kernel.sealing import ERASED_TEXT as ERASED  # what an erased value reads, everywhere

log = logs.get_logger(__name__)

SCHEDULER = Actor(subject="assessment-erasure-scheduler", role="system")


def retention(settings: AssessmentSettings) -> Retention:
    return Retention(years=settings.retention_years)


async def facts(connection: asyncpg.Connection, subject_id: str, kept: Retention) -> ErasureFacts:
    rows = await connection.fetch(
        "SELECT case_id, closed_on, held FROM cases WHERE subject_id = $1 ORDER BY case_id", subject_id
    )
    return ErasureFacts(cases=tuple(CaseStatus(**dict(row)) for row in rows), retention=kept)


async def erase(
    session: Session, command: EraseSubject, metadata: Metadata, kept: Retention
) -> Outcome[Subject]:
    """Decide and append the erasure, blank this service's rows and leave the key's destruction pending
    (`finish`, once the transaction has committed)."""
    found = await load(session, subject, command.subject_id)
    decided = await facts(session.connection, command.subject_id, kept)
    outcome = await execute(
        session, subject, found, command, metadata, facts=decided, subject=command.subject_id
    )
    await blank(session.connection, command.subject_id, command.reason, command.today)
    return outcome


async def blank(connection: asyncpg.Connection, subject_id: str, reason: ErasureReason, erased_on) -> None:
    """The person's identity and interview notes in the read tables: blanked, the rows kept (caseload counts,
    deadlines and statistics stay right)."""
    await connection.execute(
        "UPDATE cases SET last_name = $2, first_names = $2, ecrou_number = $2 WHERE subject_id = $1",
        subject_id,
        ERASED,
    )
    await connection.execute(
        """UPDATE interviews SET notes = $2
           WHERE case_id IN (SELECT case_id FROM cases WHERE subject_id = $1)""",
        subject_id,
        ERASED,
    )
    await connection.execute(
        "INSERT INTO erasures (subject_id, reason, erased_on) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        subject_id,
        reason.value,
        erased_on,
    )


async def finish(store: EventStore) -> int:
    """Destroy the data key of every erasure still pending (after a crash, or the command's own); how many."""
    rows = await store.pool.fetch("SELECT subject_id FROM erasures WHERE key_destroyed_at IS NULL")
    for row in rows:
        await destroy(store.keyring, row["subject_id"])
        await store.pool.execute(
            "UPDATE erasures SET key_destroyed_at = now() WHERE subject_id = $1", row["subject_id"]
        )
    return len(rows)


async def due(connection: asyncpg.Connection, kept: Retention, today) -> list[str]:
    """The people whose every case is closed, none held, not erased, and whose retention ran: the longest
    period counted from their last closure. A first filter in SQL (the shortest possible due date); the
    decider has the last word."""
    longest = max(kept.years.values())
    return [
        row["subject_id"]
        for row in await connection.fetch(
            """SELECT c.subject_id FROM cases c
               WHERE NOT EXISTS (SELECT 1 FROM erasures e WHERE e.subject_id = c.subject_id)
               GROUP BY c.subject_id
               HAVING bool_and(c.closed_on IS NOT NULL) AND NOT bool_or(c.held)
                  AND max(c.closed_on) <= $1::date - make_interval(years => $2)
               ORDER BY c.subject_id""",
            today,
            longest,
        )
    ]


async def erase_due(store: EventStore, settings: AssessmentSettings) -> int:
    """One pass of the scheduler: finish pending erasures, then erase everyone whose retention ran. How many
    people's keys this pass destroyed (each erasure ends there, one left pending by a crash too)."""
    finished = await finish(store)
    kept = retention(settings)
    today = local_date(store.clock())
    async with store.pool.acquire() as connection:
        subjects = await due(connection, kept, today)
    erased = 0
    for subject_id in subjects:
        command = EraseSubject(subject_id=subject_id, reason=ErasureReason.RETENTION_ELAPSED, today=today)
        try:
            async with store.transaction() as session:
                await erase(session, command, Metadata(actor=SCHEDULER), kept)
            erased += 1
        except (ConcurrencyConflict, errors.SubjectAlreadyErased):
            pass  # another instance erased them meanwhile
        except (errors.ErasureOnHold, errors.ErasureWhileFollowed, errors.RetentionNotElapsed) as refusal:
            log.info("erasure not due", subject_id=subject_id, reason=refusal.code)  # changed meanwhile
    if erased:
        finished += await finish(store)
    return finished


def scheduler(store: EventStore, settings: AssessmentSettings):
    return every(
        settings.erasure_check_seconds, lambda: erase_due(store, settings), "people erased, keys destroyed"
    )
