"""What is due, per role, as a pure function of the facts the view keeps and of the day: no clock, no
database. Each queue is a list of items (what, whom, due when, overdue or not, the ids to act on), the most
urgent first.

The thresholds and where they come from:
* the initial assessment is due `INITIAL_ASSESSMENT_DAYS` after the case opens, the next one
  `ANNUAL_ASSESSMENT_DAYS` after the last validation: DOMAIN.md (RPO1: "about 3 months", "an annual
  assessment") and ADR 11, the assessment service's defaults (`ASSESSMENT_INITIAL_ASSESSMENT_DAYS`,
  `..._ANNUAL_...`). Once that service publishes `assessment.deadline.missed` for the initial assessment, its
  own due date wins (a site that set 30 days is not told 90);
* interviews every `INTERVIEW_WEEKS[risk level]`: DOMAIN.md says risk drives intensity but gives no public
  figure (reviews/domain.md §4, "no rhythm by risk level and no alert after N weeks"), so these are
  reference defaults a site may change (`Rules`), never figures of the law;
* releases within `RELEASE_PREPARATION_MONTHS` (3) for the CPIP: issue 15 #4 and reviews/domain.md §2
  ("people released within 3 months");
* France Travail within `FRANCE_TRAVAIL_MONTHS` (6) of the release or a sentence adjustment: DOMAIN.md
  ("release or sentence adjustment under about 6 months away"), as IPRO's `france_travail_window_months`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

INITIAL_ASSESSMENT_DAYS = 90
ANNUAL_ASSESSMENT_DAYS = 365
# Weeks without an interview before one is due, by the overall risk level of the latest validated
# assessment; `None`: no assessment validated yet (it is being made through interviews: the closest rhythm).
INTERVIEW_WEEKS: dict[str | None, int] = {"high": 4, "moderate": 8, "low": 12, None: 4}
RELEASE_PREPARATION_MONTHS = 3
FRANCE_TRAVAIL_MONTHS = 6
# Partner sessions whose attendance is followed: those ended within these days.
ATTENDANCE_LOOKBACK_DAYS = 28


@dataclass(frozen=True)
class Rules:
    initial_assessment_days: int = INITIAL_ASSESSMENT_DAYS
    annual_assessment_days: int = ANNUAL_ASSESSMENT_DAYS
    interview_weeks: dict[str | None, int] = field(default_factory=lambda: dict(INTERVIEW_WEEKS))
    release_preparation_months: int = RELEASE_PREPARATION_MONTHS
    france_travail_months: int = FRANCE_TRAVAIL_MONTHS


RULES = Rules()


class ItemKind(StrEnum):
    # the CPIP's people
    INITIAL_ASSESSMENT = "initial_assessment"
    ANNUAL_ASSESSMENT = "annual_assessment"
    PLAN_REVIEW = "plan_review"
    INTERVIEW = "interview"
    RELEASE = "release"
    ASSESSMENT_RETURNED = "assessment_returned"
    # the DPIP's validations
    ASSESSMENT_TO_VALIDATE = "assessment_to_validate"
    PLAN_TO_VALIDATE = "plan_to_validate"
    # the IPRO adviser's people
    SYNTHESIS = "synthesis"
    WITHOUT_ACTIVITY = "without_activity"
    FRANCE_TRAVAIL = "france_travail"
    # the head of IPRO's and the RIPRO's
    WAITING_FOR_POST = "waiting_for_post"
    ATTENDANCE = "attendance"
    # the governor's office's decisions
    CLASSEMENT = "classement"
    AFFECTATION = "affectation"
    LEAVE = "leave"


class Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ItemKind
    subject_id: str | None = Field(default=None, description="whom it concerns (none for a partner session)")
    due_on: date | None = Field(default=None, description="when it is due; none for a decision awaited")
    overdue: bool = Field(default=False, description="due before today")
    since: date | None = Field(default=None, description="waiting since, or the last activity's day")
    case_id: str | None = None
    assessment_id: str | None = None
    plan_id: str | None = None
    pathway_id: str | None = None
    work_id: str | None = None
    leave_id: str | None = None
    action_id: str | None = None
    session_id: str | None = None
    referent: str | None = Field(default=None, description="the referent CPIP (the DPIP's queue)")
    adviser: str | None = None
    risk_level: str | None = None
    booked: int | None = Field(default=None, description="places booked on a partner session")
    attended: int | None = Field(default=None, description="people IPRO recorded as present")
    reported: int | None = Field(
        default=None, description="present as the partner reported (none: no report)"
    )
    regimes: list[str] | None = None


# --- facts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """An open SPIP case, as the view keeps it."""

    case_id: str
    subject_id: str
    referent: str | None
    opened_on: date
    release_on: date | None = None
    last_validated_on: date | None = None
    risk_level: str | None = None
    initial_missed_on: date | None = None
    last_interview_on: date | None = None
    plan_id: str | None = None
    plan_review_on: date | None = None


@dataclass(frozen=True)
class Returned:
    """An assessment a DPIP sent back to its CPIP, not yet resubmitted."""

    assessment_id: str
    case_id: str
    subject_id: str
    returned_on: date


@dataclass(frozen=True)
class Awaiting:
    """An assessment submitted, or a plan version adopted, that no DPIP has validated yet."""

    kind: ItemKind
    subject_id: str
    case_id: str
    referent: str | None
    since: date
    assessment_id: str | None = None
    plan_id: str | None = None


@dataclass(frozen=True)
class Pathway:
    pathway_id: str
    subject_id: str
    adviser: str | None
    opened_on: date | None
    synthesis_due_on: date | None
    synthesis_written: bool
    france_travail_on: date | None
    release_on: date | None
    adjustment_on: date | None
    occupied: bool = False  # an activity running today or to come
    last_activity_on: date | None = None


@dataclass(frozen=True)
class Waiting:
    """Classed for work, without a post."""

    work_id: str
    pathway_id: str | None
    subject_id: str
    classed_on: date
    regimes: tuple[str, ...]


@dataclass(frozen=True)
class Session:
    """A partner action's session that ended: places booked against attendance."""

    action_id: str
    session_id: str
    ended_on: date
    booked: int
    attended: int
    reported: int | None  # the partner's present count; None: no report yet


@dataclass(frozen=True)
class Decision:
    """Something the governor's office decides: a classement asked for, a post to assign after an employer
    interview, a leave asked for."""

    kind: ItemKind
    subject_id: str
    since: date
    due_on: date | None = None
    pathway_id: str | None = None
    work_id: str | None = None
    leave_id: str | None = None
    regimes: tuple[str, ...] = ()


# --- queues ---------------------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The same day `months` later (earlier when negative); the 31st of a shorter month is its last day."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def cpip_queue(
    cases: Iterable[Case],
    returned: Iterable[Returned],
    today: date,
    *,
    within_days: int,
    rules: Rules = RULES,
) -> list[Item]:
    """A CPIP's people: assessments and plan reviews due within `within_days` or overdue, an interview due
    by the rhythm of the person's risk level, a release within the preparation months, an assessment sent
    back by a DPIP."""
    horizon = today + timedelta(days=within_days)
    items: list[Item] = []
    for case in cases:
        person = dict(subject_id=case.subject_id, case_id=case.case_id, referent=case.referent)
        for kind, due_on in _deadlines(case, rules):
            if due_on <= horizon:
                plan_id = case.plan_id if kind == ItemKind.PLAN_REVIEW else None
                items.append(
                    Item(kind=kind, due_on=due_on, overdue=due_on < today, plan_id=plan_id, **person)
                )
        weeks = rules.interview_weeks.get(case.risk_level, rules.interview_weeks[None])
        interview_due = (case.last_interview_on or case.opened_on) + timedelta(weeks=weeks)
        if interview_due <= horizon:
            items.append(
                Item(
                    kind=ItemKind.INTERVIEW,
                    due_on=interview_due,
                    overdue=interview_due < today,
                    since=case.last_interview_on,
                    risk_level=case.risk_level,
                    **person,
                )
            )
        if case.release_on and case.release_on <= add_months(today, rules.release_preparation_months):
            items.append(
                Item(kind=ItemKind.RELEASE, due_on=case.release_on, overdue=case.release_on < today, **person)
            )
    for back in returned:
        items.append(
            Item(
                kind=ItemKind.ASSESSMENT_RETURNED,
                subject_id=back.subject_id,
                case_id=back.case_id,
                assessment_id=back.assessment_id,
                since=back.returned_on,
            )
        )
    return _urgent_first(items)


def _deadlines(case: Case, rules: Rules) -> list[tuple[ItemKind, date]]:
    if case.last_validated_on is None:
        initial = case.initial_missed_on or case.opened_on + timedelta(days=rules.initial_assessment_days)
        found = [(ItemKind.INITIAL_ASSESSMENT, initial)]
    else:
        annual = case.last_validated_on + timedelta(days=rules.annual_assessment_days)
        found = [(ItemKind.ANNUAL_ASSESSMENT, annual)]
    if case.plan_review_on:
        found.append((ItemKind.PLAN_REVIEW, case.plan_review_on))
    return found


@dataclass(frozen=True)
class Workload:
    referent: str | None
    people: int
    due: int
    overdue: int


def dpip_queue(
    awaiting: Iterable[Awaiting],
    cases: Sequence[Case],
    today: date,
    *,
    within_days: int,
    rules: Rules = RULES,
) -> tuple[list[Item], list[Workload]]:
    """The validation queue (submitted assessments, plan versions not validated), oldest first, and each
    CPIP's workload: people followed, items due within `within_days`, overdue ones. People without a
    referent are a line of their own (`referent` None)."""
    items = [
        Item(
            kind=a.kind,
            subject_id=a.subject_id,
            case_id=a.case_id,
            assessment_id=a.assessment_id,
            plan_id=a.plan_id,
            referent=a.referent,
            since=a.since,
        )
        for a in awaiting
    ]
    items.sort(key=lambda i: (i.since, i.kind.value, i.assessment_id or i.plan_id or ""))
    by_referent: dict[str | None, list[Case]] = {}
    for case in cases:
        by_referent.setdefault(case.referent, []).append(case)
    workload = []
    for referent, theirs in sorted(by_referent.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        due = [i for i in cpip_queue(theirs, (), today, within_days=within_days, rules=rules) if i.due_on]
        workload.append(
            Workload(
                referent=referent, people=len(theirs), due=len(due), overdue=sum(1 for i in due if i.overdue)
            )
        )
    return items, workload


def adviser_queue(pathways: Iterable[Pathway], today: date, *, rules: Rules = RULES) -> list[Item]:
    """An adviser's people: the initial synthesis not written yet, nobody occupied by any activity, a
    release or sentence adjustment within the France Travail months without registration."""
    items: list[Item] = []
    for p in pathways:
        person = dict(subject_id=p.subject_id, pathway_id=p.pathway_id, adviser=p.adviser)
        if not p.synthesis_written and p.synthesis_due_on:
            items.append(
                Item(
                    kind=ItemKind.SYNTHESIS,
                    due_on=p.synthesis_due_on,
                    overdue=p.synthesis_due_on < today,
                    **person,
                )
            )
        if not p.occupied:
            items.append(
                Item(kind=ItemKind.WITHOUT_ACTIVITY, since=p.last_activity_on or p.opened_on, **person)
            )
        exits = [d for d in (p.release_on, p.adjustment_on) if d]
        if p.france_travail_on is None and exits:
            next_exit = min(exits)
            if next_exit <= add_months(today, rules.france_travail_months):
                items.append(
                    Item(kind=ItemKind.FRANCE_TRAVAIL, due_on=next_exit, overdue=next_exit < today, **person)
                )
    return _urgent_first(items)


def ipro_head_queue(waiting: Iterable[Waiting], sessions: Iterable[Session], today: date) -> list[Item]:
    """The head of IPRO's and the RIPRO's: who waits for a post and since when (the longest first), and the
    partner sessions ended whose attendance was not reported or differs from the places booked."""
    items = [
        Item(
            kind=ItemKind.WAITING_FOR_POST,
            subject_id=w.subject_id,
            pathway_id=w.pathway_id,
            work_id=w.work_id,
            since=w.classed_on,
            regimes=list(w.regimes),
        )
        for w in sorted(waiting, key=lambda w: (w.classed_on, w.work_id))
    ]
    for s in sorted(sessions, key=lambda s: (s.ended_on, s.action_id, s.session_id)):
        if s.reported is not None and s.reported == s.booked:
            continue
        items.append(
            Item(
                kind=ItemKind.ATTENDANCE,
                action_id=s.action_id,
                session_id=s.session_id,
                due_on=s.ended_on,
                overdue=s.reported is None and s.ended_on < today,
                booked=s.booked,
                attended=s.attended,
                reported=s.reported,
            )
        )
    return items


def direction_queue(decisions: Iterable[Decision], today: date) -> list[Item]:
    """Decisions awaiting the governor's office: leaves by their first day (one not decided by then is
    overdue), then classements and posts to assign, the longest waiting first."""
    items = [
        Item(
            kind=d.kind,
            subject_id=d.subject_id,
            pathway_id=d.pathway_id,
            work_id=d.work_id,
            leave_id=d.leave_id,
            since=d.since,
            due_on=d.due_on,
            overdue=d.due_on is not None and d.due_on < today,
            regimes=list(d.regimes) or None,
        )
        for d in decisions
    ]
    return _urgent_first(items)


def _urgent_first(items: list[Item]) -> list[Item]:
    """Overdue first, then by due date (undated ones last, the longest waiting first), then stably by ids."""
    return sorted(
        items,
        key=lambda i: (
            not i.overdue,
            i.due_on is None,
            i.due_on or date.max,
            i.since or date.max,
            i.kind.value,
            i.subject_id or "",
            i.action_id or "",
            i.session_id or "",
        ),
    )
