"""Reading the facts a queue is computed from, each by an index: a CPIP's cases by referent, an adviser's
pathways by adviser, a site's open cases by establishment, the validations, decisions and waiting people by
partial indexes on what is awaited. Every query is limited to the caller's establishments (ADR 26): a case's
is its own (moved by a transfer), a pathway's its case's (else its own), a partner session's its call's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import asyncpg

from kernel.clock import local_date
from projections.queues.rules import Awaiting, Case, Decision, ItemKind, Pathway, Returned, Session, Waiting

_OPEN_CASES = """
    SELECT c.case_id, c.subject_id, c.referent, c.opened_on, c.release_on, c.last_validated_on, c.risk_level,
           c.initial_missed_on, c.last_interview_on, c.plan_id, c.plan_review_on
    FROM queue_cases c
    WHERE c.closed_on IS NULL AND c.subject_id IS NOT NULL AND c.opened_on IS NOT NULL
      AND {whose}
      AND ($2::text[] IS NULL OR c.establishment = ANY($2))
      AND ($3::text IS NULL OR c.establishment = $3)
    ORDER BY c.case_id"""


def _whose(column: str, value: str | None) -> str:
    """A person's queue reads the index range of their id; a generic `($1 IS NULL OR ...)` would not, once the
    server plans the statement for any value."""
    return f"{column} = $1" if value is not None else "$1::text IS NULL"


async def cases(
    connection: asyncpg.Connection,
    *,
    referent: str | None,
    establishments: list[str] | None,
    establishment: str | None = None,
) -> list[Case]:
    """Open cases: a referent's (their index range) or, without one, the establishments'."""
    select = _OPEN_CASES.format(whose=_whose("c.referent", referent))
    rows = await connection.fetch(select, referent, establishments, establishment)
    return [Case(**dict(r)) for r in rows]


async def returned(
    connection: asyncpg.Connection, *, referent: str | None, establishments: list[str] | None
) -> list[Returned]:
    """Assessments a DPIP sent back and their CPIP has not resubmitted."""
    rows = await connection.fetch(
        f"""SELECT a.assessment_id, a.case_id, c.subject_id, a.returned_at
           FROM queue_cases c JOIN queue_assessments a ON a.case_id = c.case_id
           WHERE c.closed_on IS NULL AND c.subject_id IS NOT NULL AND NOT a.validated
             AND a.returned_at IS NOT NULL AND a.returned_at > coalesce(a.submitted_at, '-infinity')
             AND {_whose("c.referent", referent)}
             AND ($2::text[] IS NULL OR c.establishment = ANY($2))
           ORDER BY a.returned_at, a.assessment_id""",
        referent,
        establishments,
    )
    return [
        Returned(
            assessment_id=r["assessment_id"],
            case_id=r["case_id"],
            subject_id=r["subject_id"],
            returned_on=_day(r["returned_at"]),
        )
        for r in rows
    ]


async def awaiting_validation(
    connection: asyncpg.Connection, *, establishments: list[str] | None, establishment: str | None = None
) -> list[Awaiting]:
    """Assessments submitted (and not returned since) and plan versions no DPIP has validated, of open cases."""
    rows = await connection.fetch(
        """SELECT 'assessment' AS what, a.assessment_id AS id, a.submitted_at AS since, c.case_id, c.subject_id,
                  c.referent
           FROM queue_assessments a JOIN queue_cases c ON c.case_id = a.case_id
           WHERE a.submitted_at IS NOT NULL AND NOT a.validated
             AND a.submitted_at > coalesce(a.returned_at, '-infinity')
             AND c.closed_on IS NULL AND c.subject_id IS NOT NULL
             AND ($1::text[] IS NULL OR c.establishment = ANY($1)) AND ($2::text IS NULL OR c.establishment = $2)
           UNION ALL
           SELECT 'plan', p.plan_id, p.adopted_at, c.case_id, c.subject_id, c.referent
           FROM queue_plans p JOIN queue_cases c ON c.case_id = p.case_id
           WHERE p.validated_version < p.plan_version AND p.adopted_at IS NOT NULL
             AND c.closed_on IS NULL AND c.subject_id IS NOT NULL
             AND ($1::text[] IS NULL OR c.establishment = ANY($1)) AND ($2::text IS NULL OR c.establishment = $2)""",
        establishments,
        establishment,
    )
    return [
        Awaiting(
            kind=ItemKind.ASSESSMENT_TO_VALIDATE if r["what"] == "assessment" else ItemKind.PLAN_TO_VALIDATE,
            subject_id=r["subject_id"],
            case_id=r["case_id"],
            referent=r["referent"],
            since=_day(r["since"]),
            assessment_id=r["id"] if r["what"] == "assessment" else None,
            plan_id=r["id"] if r["what"] == "plan" else None,
        )
        for r in rows
    ]


async def pathways(
    connection: asyncpg.Connection, *, adviser: str | None, establishments: list[str] | None, today: date
) -> list[Pathway]:
    """Open pathways (an adviser's by their index range), with their case's release dates and whether an
    activity occupies the person today or later (their activities, by person)."""
    rows = await connection.fetch(
        f"""SELECT p.pathway_id, p.subject_id, p.adviser, c.opened_on, p.synthesis_due_on, p.synthesis_written,
                  p.france_travail_on, c.release_on, c.adjustment_on, act.occupied, act.last_activity_on
           FROM queue_pathways p
           LEFT JOIN queue_cases c ON c.case_id = p.case_id
           LEFT JOIN LATERAL (
               SELECT coalesce(bool_or(a.active AND (a.last_day IS NULL OR a.last_day >= $3)), false) AS occupied,
                      max(a.last_day) FILTER (WHERE a.last_day < $3) AS last_activity_on
               FROM queue_activities a WHERE a.subject_id = p.subject_id
           ) act ON true
           WHERE p.closed_on IS NULL AND p.subject_id IS NOT NULL AND c.closed_on IS NULL
             AND {_whose("p.adviser", adviser)}
             AND ($2::text[] IS NULL OR coalesce(c.establishment, p.establishment) = ANY($2))
           ORDER BY p.pathway_id""",
        adviser,
        establishments,
        today,
    )
    return [Pathway(**dict(r)) for r in rows]


_PERSON_OF_PATHWAY = """
    LEFT JOIN queue_pathways p ON p.pathway_id = {table}.pathway_id
    LEFT JOIN queue_cases c ON c.case_id = p.case_id"""
_IN_PERIMETER = """p.closed_on IS NULL AND c.closed_on IS NULL
    AND ($1::text[] IS NULL OR coalesce(c.establishment, p.establishment) = ANY($1))"""


async def waiting_for_post(
    connection: asyncpg.Connection, *, establishments: list[str] | None
) -> list[Waiting]:
    rows = await connection.fetch(
        f"""SELECT w.work_id, w.pathway_id, coalesce(w.subject_id, p.subject_id) AS subject_id,
                   w.decided_on AS classed_on, w.regimes
            FROM queue_work w {_PERSON_OF_PATHWAY.format(table="w")}
            WHERE w.status = 'granted' AND NOT w.has_post AND w.decided_on IS NOT NULL
              AND coalesce(w.subject_id, p.subject_id) IS NOT NULL
              AND {_IN_PERIMETER}""",
        establishments,
    )
    return [Waiting(**{**dict(r), "regimes": tuple(r["regimes"])}) for r in rows]


async def sessions_ended(
    connection: asyncpg.Connection, *, establishments: list[str] | None, lower: datetime, upper: datetime
) -> list[Session]:
    """Partner sessions of the establishments that ended in [lower, upper), not cancelled, with the places
    booked on them (active positionings), those IPRO recorded present and the partner's report."""
    rows = await connection.fetch(
        """SELECT s.action_id, s.session_id, s.ends_at,
                  CASE WHEN s.reported THEN coalesce(s.present_count, 0) END AS reported,
                  count(b.positioning_id) FILTER (WHERE b.active) AS booked,
                  count(b.positioning_id) FILTER (WHERE b.active AND b.attended) AS attended
           FROM queue_sessions s
           JOIN queue_actions a ON a.action_id = s.action_id
           JOIN queue_calls k ON k.call_id = a.call_id
           LEFT JOIN queue_bookings b ON b.action_id = s.action_id AND b.session_id = s.session_id
           WHERE NOT s.cancelled AND s.ends_at >= $2 AND s.ends_at < $3
             AND ($1::text[] IS NULL OR k.establishment = ANY($1))
           GROUP BY s.action_id, s.session_id
           ORDER BY s.ends_at, s.action_id, s.session_id""",
        establishments,
        lower,
        upper,
    )
    return [
        Session(
            action_id=r["action_id"],
            session_id=r["session_id"],
            ended_on=_day(r["ends_at"]),
            booked=r["booked"],
            attended=r["attended"],
            reported=r["reported"],
        )
        for r in rows
    ]


async def decisions(connection: asyncpg.Connection, *, establishments: list[str] | None) -> list[Decision]:
    """What awaits the governor's office: classements asked for, posts to assign to people classed and seen
    by an employer since, leaves asked for."""
    work = await connection.fetch(
        f"""SELECT w.work_id, w.pathway_id, coalesce(w.subject_id, p.subject_id) AS subject_id, w.status,
                   w.requested_on, w.decided_on, w.interviewed_on, w.regimes
            FROM queue_work w {_PERSON_OF_PATHWAY.format(table="w")}
            WHERE w.status IN ('requested', 'granted') AND NOT w.has_post
              AND (w.status = 'requested' OR w.interviewed_on >= w.decided_on)
              AND coalesce(w.subject_id, p.subject_id) IS NOT NULL AND w.requested_on IS NOT NULL
              AND {_IN_PERIMETER}""",
        establishments,
    )
    leaves = await connection.fetch(
        f"""SELECT l.leave_id, l.pathway_id, coalesce(l.subject_id, p.subject_id) AS subject_id, l.starts_on,
                   l.requested_on
            FROM queue_leaves l {_PERSON_OF_PATHWAY.format(table="l")}
            WHERE NOT l.decided AND l.requested_on IS NOT NULL AND coalesce(l.subject_id, p.subject_id) IS NOT NULL
              AND {_IN_PERIMETER}""",
        establishments,
    )
    found = [
        Decision(
            kind=ItemKind.CLASSEMENT if w["status"] == "requested" else ItemKind.AFFECTATION,
            subject_id=w["subject_id"],
            since=w["requested_on"] if w["status"] == "requested" else w["interviewed_on"],
            pathway_id=w["pathway_id"],
            work_id=w["work_id"],
            regimes=tuple(w["regimes"]),
        )
        for w in work
    ]
    found += [
        Decision(
            kind=ItemKind.LEAVE,
            subject_id=r["subject_id"],
            since=r["requested_on"],
            due_on=r["starts_on"],
            pathway_id=r["pathway_id"],
            leave_id=r["leave_id"],
        )
        for r in leaves
    ]
    return found


async def names(connection: asyncpg.Connection, subject_ids: set[str]) -> dict[str, dict[str, Any]]:
    rows = await connection.fetch(
        "SELECT subject_id, last_name, first_names FROM person_identities WHERE subject_id = ANY($1::text[])",
        sorted(subject_ids),
    )
    return {r["subject_id"]: dict(r) for r in rows}


def _day(moment: datetime) -> date:
    return local_date(moment)
