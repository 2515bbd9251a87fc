"""The service's inline read tables (migrations 0100, 0101), written by the handlers after the events in the
same transaction: caseloads, the one-open-case and one-open-assessment rules (database constraints),
contributors, interviews, deadlines.

A refusal by one of those rules names what holds the value (`existing`, and its id), so that a client can go
on with it: a new row, the only kind a rule can refuse, is written in a savepoint (`add_*`), which leaves the
transaction able to look it up."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import asyncpg

from assessment.domain import errors, names
from assessment.domain.assessment import Assessment
from assessment.domain.case import Case
from assessment.domain.interview import Interview
from assessment.domain.plan import Plan
from contracts import Actor
from contracts.assessment import AssessmentKind, DeadlineKind
from kernel.wording import day


async def save_case(connection: asyncpg.Connection, state: Case, version: int) -> None:
    try:
        await connection.execute(
            """INSERT INTO cases (case_id, subject_id, last_name, first_names, ecrou_number, establishment,
                                  referent, admission_date, closed_on, version)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
               ON CONFLICT (case_id)
               DO UPDATE SET establishment = $6, referent = $7, closed_on = $9, version = $10""",
            state.case_id,
            state.subject_id,
            state.identity.last_name,
            state.identity.first_names,
            state.identity.ecrou_number,
            state.establishment,
            state.referent,
            state.admission_date,
            state.closed_on,
            version,
        )
    except asyncpg.UniqueViolationError:
        raise errors.PersonAlreadyFollowed(
            f"{names.person_of(state.identity)} already has an open case: close it first"
        ) from None
    if state.closed:
        await connection.execute(
            "UPDATE deadlines SET cancelled = true WHERE case_id = $1 AND done_on IS NULL", state.case_id
        )


async def correct_identity(connection: asyncpg.Connection, state: Case, version: int) -> None:
    await connection.execute(
        """UPDATE cases SET last_name = $2, first_names = $3, ecrou_number = $4, version = $5
           WHERE case_id = $1""",
        state.case_id,
        state.identity.last_name,
        state.identity.first_names,
        state.identity.ecrou_number,
        version,
    )


async def hold(connection: asyncpg.Connection, case_id: str, held: bool, version: int) -> None:
    await connection.execute(
        "UPDATE cases SET held = $2, version = $3 WHERE case_id = $1", case_id, held, version
    )


async def add_case(connection: asyncpg.Connection, state: Case, version: int) -> None:
    """A new case's row; a person followed already is refused naming their open case."""
    try:
        async with connection.transaction():  # a savepoint: the open case can be looked up after a refusal
            await save_case(connection, state, version)
    except errors.PersonAlreadyFollowed:
        case_id, admitted = await connection.fetchrow(
            "SELECT case_id, admission_date FROM cases WHERE subject_id = $1 AND closed_on IS NULL",
            state.subject_id,
        )
        raise errors.PersonAlreadyFollowed(
            f"{names.person_of(state.identity)} already has an open case, admitted on {day(admitted)}: go on "
            "with it, or close it first",
            existing=f"/cases/{case_id}",
            case_id=case_id,
        ) from None


async def validated_assessments(connection: asyncpg.Connection, case_id: str) -> int:
    return await connection.fetchval(
        "SELECT count(*) FROM assessments WHERE case_id = $1 AND status = 'validated'", case_id
    )


async def save_assessment(connection: asyncpg.Connection, state: Assessment, version: int) -> None:
    try:
        await connection.execute(
            """INSERT INTO assessments (assessment_id, case_id, kind, status, validated_on, version)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (assessment_id) DO UPDATE SET status = $4, validated_on = $5, version = $6""",
            state.assessment_id,
            state.case_id,
            state.kind.value,
            state.status.value,
            state.validated_on,
            version,
        )
    except asyncpg.UniqueViolationError:
        raise errors.AssessmentAlreadyOpen("the case already has an assessment in progress") from None


async def add_assessment(connection: asyncpg.Connection, state: Assessment, version: int) -> None:
    """A new assessment's row; a case with one in progress already is refused naming it."""
    try:
        async with connection.transaction():  # a savepoint: the open assessment can be looked up
            await save_assessment(connection, state, version)
    except errors.AssessmentAlreadyOpen:
        open_one = await connection.fetchrow(
            """SELECT a.assessment_id, a.kind, a.status, c.first_names, c.last_name, c.ecrou_number
               FROM assessments a JOIN cases c USING (case_id)
               WHERE a.case_id = $1 AND a.status <> 'validated'""",
            state.case_id,
        )
        assessment_id = open_one["assessment_id"]
        named = names.assessment(AssessmentKind(open_one["kind"]), _person(open_one))
        raise errors.AssessmentAlreadyOpen(
            f"{named} is in progress ({names.status(open_one['status'])}): complete it first",
            existing=f"/assessments/{assessment_id}",
            assessment_id=assessment_id,
        ) from None


async def add_contributor(connection: asyncpg.Connection, assessment_id: str, contributor: str) -> None:
    await connection.execute(
        "INSERT INTO assessment_contributors VALUES ($1, $2) ON CONFLICT DO NOTHING",
        assessment_id,
        contributor,
    )


async def save_plan(connection: asyncpg.Connection, state: Plan, version: int) -> None:
    try:
        await connection.execute(
            """INSERT INTO plans (plan_id, case_id, plan_version, review_date, version)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (plan_id) DO UPDATE SET plan_version = $3, review_date = $4, version = $5""",
            state.plan_id,
            state.case_id,
            state.current.plan_version,
            state.current.review_date,
            version,
        )
    except asyncpg.UniqueViolationError:
        raise errors.PlanAlreadyAdopted("the case already has a plan: revise it") from None


async def add_plan(connection: asyncpg.Connection, state: Plan, version: int) -> None:
    """A new plan's row; a case with a plan already is refused naming it."""
    try:
        async with connection.transaction():  # a savepoint: the case's plan can be looked up
            await save_plan(connection, state, version)
    except errors.PlanAlreadyAdopted:
        plan = await connection.fetchrow(
            """SELECT p.plan_id, p.plan_version, p.review_date, c.first_names, c.last_name, c.ecrou_number
               FROM plans p JOIN cases c USING (case_id) WHERE p.case_id = $1""",
            state.case_id,
        )
        plan_id = plan["plan_id"]
        raise errors.PlanAlreadyAdopted(
            f"{_person(plan)} already has a plan (version {plan['plan_version']}, to review on "
            f"{day(plan['review_date'])}): revise it",
            existing=f"/plans/{plan_id}",
            plan_id=plan_id,
        ) from None


async def save_interview(
    connection: asyncpg.Connection, interview: Interview, author: Actor, recorded_at: datetime
) -> None:
    await connection.execute(
        """INSERT INTO interviews (interview_id, case_id, held_on, interview_type, author, author_role,
                                   recorded_at, confidential, notes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        interview.interview_id,
        interview.case_id,
        interview.held_on,
        interview.interview_type.value,
        author.subject,
        author.role,
        recorded_at,
        interview.confidential,
        interview.notes,
    )


async def save_appointment(connection: asyncpg.Connection, interview: Interview) -> None:
    """The interview's appointment as it now stands (scheduled, moved, cancelled or held)."""
    status = "cancelled" if interview.cancelled else "held" if interview.held_on is not None else "scheduled"
    await connection.execute(
        """INSERT INTO interview_appointments (interview_id, case_id, officer, interview_type, starts_at, ends_at,
                                               place, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (interview_id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at,
               place = excluded.place, status = excluded.status""",
        interview.interview_id,
        interview.case_id,
        interview.officer,
        interview.interview_type.value,
        interview.starts_at,
        interview.ends_at,
        interview.place,
        status,
    )


async def appointment_of_day(connection: asyncpg.Connection, case_id: str, on: date) -> str | None:
    """The case's appointment still to hold on that day (local time), the earliest if several."""
    return await connection.fetchval(
        """SELECT interview_id FROM interview_appointments
           WHERE case_id = $1 AND status = 'scheduled' AND (starts_at AT TIME ZONE 'Europe/Paris')::date = $2
           ORDER BY starts_at, interview_id LIMIT 1""",
        case_id,
        on,
    )


# --- deadlines ---


def deadline_id(case_id: str, kind: DeadlineKind, due_on: date) -> str:
    return f"{case_id}.{kind.value}.{due_on.isoformat()}"


async def expect(connection: asyncpg.Connection, case_id: str, kind: DeadlineKind, due_on: date) -> None:
    """A new item the case must do by `due_on`; an earlier pending item of the same kind is superseded."""
    await connection.execute(
        """UPDATE deadlines SET cancelled = true
           WHERE case_id = $1 AND kind = $2 AND done_on IS NULL AND NOT cancelled AND due_on <> $3""",
        case_id,
        kind.value,
        due_on,
    )
    await connection.execute(
        """INSERT INTO deadlines (deadline_id, case_id, kind, due_on) VALUES ($1, $2, $3, $4)
           ON CONFLICT (deadline_id) DO NOTHING""",
        deadline_id(case_id, kind, due_on),
        case_id,
        kind.value,
        due_on,
    )


async def done(connection: asyncpg.Connection, case_id: str, kinds: list[DeadlineKind], on: date) -> None:
    await connection.execute(
        """UPDATE deadlines SET done_on = $3
           WHERE case_id = $1 AND kind = ANY($2::text[]) AND done_on IS NULL AND NOT cancelled""",
        case_id,
        [k.value for k in kinds],
        on,
    )


async def assessment_validated(
    connection: asyncpg.Connection, case_id: str, on: date, annual_days: int
) -> None:
    """A validated assessment meets the pending initial or annual one and sets the next annual one."""
    await done(connection, case_id, [DeadlineKind.INITIAL_ASSESSMENT, DeadlineKind.ANNUAL_ASSESSMENT], on)
    await expect(connection, case_id, DeadlineKind.ANNUAL_ASSESSMENT, on + timedelta(days=annual_days))


async def plan_versioned(connection: asyncpg.Connection, case_id: str, on: date, review_date: date) -> None:
    """A new plan version is the review of the previous one, and sets the next review."""
    await done(connection, case_id, [DeadlineKind.PLAN_REVIEW], on)
    await expect(connection, case_id, DeadlineKind.PLAN_REVIEW, review_date)


def _person(row: asyncpg.Record) -> str:
    """The person of a row joined with their case, as refusals name them."""
    return names.person(row["first_names"], row["last_name"], row["ecrou_number"])
