"""The read path: lists served from the inline read tables (caseloads, deadlines, a case's interviews) and
single aggregates read from their stream, each after `access` says what the caller may read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import asyncpg

from assessment import access
from assessment.domain import errors
from assessment.domain.assessment import Assessment, assessment
from assessment.domain.case import Case, case
from assessment.domain.espace import stream_id as espace_stream
from assessment.domain.plan import Plan, plan
from contracts import EventEnvelope
from kernel.aggregates import Aggregate, StreamReader, load_existing
from kernel.auth import Principal
from kernel.errors import NotFound
from kernel.eventstore import EventStore
from kernel.pages import Listed, one_site, page

Reader = asyncpg.Pool | asyncpg.Connection


# --- one aggregate ---


async def _case(reader: StreamReader, case_id: str) -> Aggregate[Case]:
    return await load_existing(reader, case, case_id, errors.CaseNotFound)


async def _ensure_seen(store: EventStore, case_id: str, principal: Principal, missing: NotFound) -> None:
    """A case the caller may not see answers as a missing one: psychologists and social workers see those
    they were asked to contribute to (one indexed lookup, made for them only)."""
    if access.involved_by_grant_only(principal):
        works_with = await works_with_person(store.pool, case_id, principal.subject)
        if not access.sees_case(principal, works_with):
            raise missing


async def read_case(store: EventStore, case_id: str, principal: Principal) -> Aggregate[Case]:
    found = await _case(store, case_id)
    await _ensure_seen(store, case_id, principal, errors.CaseNotFound(f"no {case.stream_type} {case_id}"))
    access.ensure_on_caseload(principal, found.state)
    return found


async def read_assessment(
    reader: StreamReader, assessment_id: str, principal: Principal
) -> tuple[Aggregate[Assessment], access.Reading]:
    """The assessment, and how much of it the caller reads."""
    found = await load_existing(reader, assessment, assessment_id, errors.AssessmentNotFound)
    of_case = await _case(reader, found.state.case_id)
    return found, access.assessment_reading(principal, of_case.state, found.state)


async def read_plan(store: EventStore, plan_id: str, principal: Principal) -> Aggregate[Plan]:
    found = await load_existing(store, plan, plan_id, errors.PlanNotFound)
    of_case = await _case(store, found.state.case_id)
    missing = errors.PlanNotFound(f"no {plan.stream_type} {plan_id}")
    access.ensure_reaches(principal, of_case.state, missing)
    await _ensure_seen(store, of_case.state.case_id, principal, missing)
    access.ensure_on_caseload(principal, of_case.state)
    return found


async def espace_notes(reader: StreamReader, case_id: str, principal: Principal) -> list[EventEnvelope]:
    """The case's ESPACE file (DPIP-only routes): its stream, for a case of the caller's establishments."""
    of_case = await _case(reader, case_id)
    access.ensure_reaches(principal, of_case.state)
    return await reader.read_stream(espace_stream(case_id))


async def ensure_reaches_subject(
    reader: Reader, subject_id: str, principal: Principal, missing: NotFound
) -> None:
    """A person is of the establishment of their latest case (an open one, else the last closed): outside
    the caller's perimeter they answer as `missing` (ADR 26)."""
    if principal.perimeter is None:
        return
    where = await reader.fetchval(
        """SELECT establishment FROM cases WHERE subject_id = $1
           ORDER BY closed_on DESC NULLS FIRST, admission_date DESC LIMIT 1""",
        subject_id,
    )
    if where is not None and not principal.reaches(where):
        raise missing


# --- lists ---


def _establishment_filter(
    asked: str | None, perimeter: list[str] | None
) -> tuple[str | None, list[str] | None]:
    """The establishment and the perimeter a list filters on: one establishment (the one asked for within the
    perimeter, or the perimeter's only one) by equality alone (`kernel.pages.one_site`)."""
    if perimeter is not None and asked in perimeter:
        return asked, None
    if asked is not None:
        return asked, perimeter  # outside the perimeter, it lists nothing
    return one_site(perimeter)


@asynccontextmanager
async def _reading_interviews(
    store: EventStore, case_id: str, principal: Principal
) -> AsyncIterator[asyncpg.Connection]:
    """A connection to read the case's interviews or appointments on, once the caller may: a case they do not
    see is missing, one they see without reading its interviews refused."""
    of_case = await _case(store, case_id)
    async with store.pool.acquire() as connection:
        works_with = await works_with_person(connection, case_id, principal.subject)
        if not access.sees_case(principal, works_with):
            raise errors.CaseNotFound(f"no {case.stream_type} {case_id}")
        access.ensure_may_read_interviews(principal, of_case.state, works_with)
        yield connection


async def interviews(store: EventStore, case_id: str, principal: Principal) -> list[asyncpg.Record]:
    """The case's interviews, in the order they were held."""
    async with _reading_interviews(store, case_id, principal) as connection:
        return await connection.fetch(
            """SELECT interview_id, case_id, held_on, interview_type, author, author_role, recorded_at,
                      confidential, notes
               FROM interviews WHERE case_id = $1 ORDER BY held_on, interview_id""",
            case_id,
        )


async def appointments(
    store: EventStore, case_id: str, principal: Principal, interview_id: str | None = None
) -> list[asyncpg.Record]:
    """The case's interview appointments (all, or `interview_id`'s), soonest first: read by whoever reads its
    interviews."""
    async with _reading_interviews(store, case_id, principal) as connection:
        return await connection.fetch(
            """SELECT interview_id, case_id, interview_type, starts_at, ends_at, place, officer, status
               FROM interview_appointments WHERE case_id = $1 AND ($2::text IS NULL OR interview_id = $2)
               ORDER BY starts_at, interview_id""",
            case_id,
            interview_id,
        )


async def works_with_person(connection: Reader, case_id: str, person: str) -> bool:
    """Has this psychologist or social worker been asked to contribute to an assessment of the case? The
    recorded grant, not an interview they wrote, involves them."""
    return bool(
        await connection.fetchval(
            """SELECT EXISTS (SELECT 1 FROM assessment_contributors ac
                          JOIN assessments a USING (assessment_id)
                          WHERE a.case_id = $1 AND ac.contributor = $2)""",
            case_id,
            person,
        )
    )


async def cases(
    connection: Reader,
    *,
    establishment: str | None,
    referent: str | None,
    include_closed: bool,
    limit: int,
    after: str | None,
    perimeter: list[str] | None,
    contributor: str | None = None,
) -> Listed:
    """Cases of the `perimeter`'s establishments (None: of all), optionally of one establishment or
    referent, by name; with `contributor`, only those where that person was asked to contribute to an
    assessment (found through `assessment_contributors_by_person`)."""
    establishment, perimeter = _establishment_filter(establishment, perimeter)
    where = """($1::text IS NULL OR establishment = $1) AND ($2::text IS NULL OR referent = $2)
               AND ($3 OR closed_on IS NULL) AND ($4::text[] IS NULL OR establishment = ANY($4))"""
    args: list[object] = [establishment, referent, include_closed, perimeter]
    if contributor is not None:
        args.append(contributor)
        where += """ AND case_id IN (SELECT a.case_id FROM assessment_contributors ac
                                     JOIN assessments a USING (assessment_id) WHERE ac.contributor = $5)"""
    return await page(
        connection,
        f"""SELECT *, lower(last_name) AS sort_last_name, lower(first_names) AS sort_first_names
            FROM cases WHERE {where}""",
        *args,
        order=("sort_last_name", "sort_first_names", "case_id"),
        limit=limit,
        after=after,
    )


async def deadlines(
    connection: Reader,
    *,
    today: date,
    horizon: date,
    overdue_only: bool,
    establishment: str | None,
    referent: str | None,
    limit: int,
    after: str | None,
    perimeter: list[str] | None,
) -> Listed:
    """Pending items of open cases of the `perimeter`'s establishments (None: of all): overdue ones (due
    before today) and, unless `overdue_only`, those due by `horizon`; the most urgent first."""
    establishment, perimeter = _establishment_filter(establishment, perimeter)
    return await page(
        connection,
        """SELECT d.deadline_id, d.case_id, d.kind, d.due_on, d.due_on < $1 AS overdue, c.subject_id,
                  c.last_name, c.first_names, c.establishment, c.referent
           FROM deadlines d JOIN cases c USING (case_id)
           WHERE d.done_on IS NULL AND NOT d.cancelled AND c.closed_on IS NULL
             AND d.due_on <= CASE WHEN $3::boolean THEN $1::date - 1 ELSE $2::date END
             AND ($4::text IS NULL OR c.establishment = $4) AND ($5::text IS NULL OR c.referent = $5)
             AND ($6::text[] IS NULL OR c.establishment = ANY($6))""",
        today,
        horizon,
        overdue_only,
        establishment,
        referent,
        perimeter,
        order=("due_on", "deadline_id"),
        limit=limit,
        after=after,
    )
