"""The InSERRE indicators of a month, from facts per person and day: a pure function, so that a past month
is what the facts say whenever it is asked, and every rule here is unit-tested (docs/indicators.md).

Each fact is counted at the establishment where the person was held on its day: a person transferred in
the middle of a month counts at each site for the days spent there."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

# IPRO's exit situations that are a solution at release (a job, a training, France Travail's follow-up).
SOLUTIONS = frozenset({"job", "training", "job_seeker_follow_up"})
# How a programme participation may end that says something of the programme: releases and withdrawals
# before the start are left out (a release is not a drop-out: domain review §2).
COUNTED_ENDINGS = frozenset({"completed", "not_completed", "dropped_out", "excluded"})
RELEASES = frozenset({"release", "end_of_measure"})


@dataclass(frozen=True)
class Stay:
    """Days a person was held at one establishment, both ends included (`last_day` None: still there)."""

    case_id: str
    subject_id: str
    establishment: str
    first_day: date
    last_day: date | None
    admitted_on: date
    ended_by: str | None = None  # transfer | release | end_of_measure
    expected_end_date: date | None = None
    exit_situation: str | None = None  # IPRO's, for a release

    @property
    def released_on(self) -> date | None:
        if self.ended_by not in RELEASES or self.last_day is None:
            return None
        return self.last_day + timedelta(days=1)


@dataclass(frozen=True)
class Activity:
    """Days in work, training or an active pathway step, both ends included (`last_day` None: not ended)."""

    subject_id: str
    first_day: date
    last_day: date | None


@dataclass(frozen=True)
class Booking:
    """A place on a partner action's session."""

    subject_id: str
    proposed_on: date
    session_day: date
    status: str  # booked | attended | no_show | withdrawn | cancelled
    ended_on: date | None = None
    outcome: str | None = None

    def as_activity(self) -> Activity:
        """A place counts as an active pathway step from its booking to its session, unless given up."""
        last = self.session_day
        if self.status in ("withdrawn", "cancelled") and self.ended_on is not None:
            last = min(last, self.ended_on - timedelta(days=1))
        return Activity(self.subject_id, self.proposed_on, last)


@dataclass(frozen=True)
class Participation:
    """A programme participation that ended, at its referral's establishment."""

    establishment: str
    enrolled: bool
    ended_on: date
    outcome: str


@dataclass(frozen=True)
class Facts:
    stays: list[Stay] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    # The establishments to answer for (None: every one the facts name); other sites' stays only place a
    # person's first activity.
    shown: frozenset[str] | None = None


@dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int
    target: float | None = None

    @property
    def share(self) -> float | None:
        return round(self.numerator / self.denominator, 4) if self.denominator else None


@dataclass(frozen=True)
class Delays:
    """Days from admission to the first activity, of the first activities that began in the month."""

    count: int
    mean: float | None
    median: float | None


@dataclass(frozen=True)
class MonthIndicators:
    month: str  # YYYY-MM
    establishment: str
    complete: bool  # the month is over: its numbers change only if the log does
    residents: int
    in_activity: Share  # person-days; the target is 100 %
    days_to_first_activity: Delays
    programme_completion: Share
    partner_bookings: int
    partner_attendance: Share
    partner_outcomes: Share
    outcomes_by_kind: dict[str, int]
    release_outcomes: Share
    releases_by_situation: dict[str, int]
    releases_by_reason: dict[str, int]
    releases_before_expected_end: int


Month = tuple[int, int]


def month_key(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def months_between(first: Month, last: Month) -> list[Month]:
    months, (year, number) = [], first
    while (year, number) <= last:
        months.append((year, number))
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def bounds(month: Month) -> tuple[date, date]:
    year, number = month
    following = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    return date(year, number, 1), following - timedelta(days=1)


def compute(facts: Facts, months: list[Month], *, today: date) -> list[MonthIndicators]:
    """Per month and establishment (of the facts' stays and participations), month by month. Days after
    `today` are not counted yet."""
    activities = defaultdict(list)
    for activity in [*facts.activities, *(b.as_activity() for b in facts.bookings)]:
        activities[activity.subject_id].append(activity)
    stays, stays_at = defaultdict(list), defaultdict(list)
    for stay in facts.stays:
        stays[stay.subject_id].append(stay)
        stays_at[stay.establishment].append(stay)
    spans = defaultdict(list, {subject: _merged(own, today) for subject, own in activities.items()})
    # Each fact once, in the establishment and month it falls in, so that a month reads only its own.
    firsts: dict[tuple[str, Month], list[tuple[date, int]]] = defaultdict(list)
    sessions: dict[tuple[str, Month], list[Booking]] = defaultdict(list)
    releases: dict[tuple[str, Month], list[Stay]] = defaultdict(list)
    endings: dict[tuple[str, Month], list[Participation]] = defaultdict(list)
    for where, on, delay in _first_activities(stays, activities, today):
        firsts[(where, _month_of(on))].append((on, delay))
    for booking in facts.bookings:
        where = _held_at(stays[booking.subject_id], booking.session_day)
        if where is not None:
            sessions[(where, _month_of(booking.session_day))].append(booking)
    for stay in facts.stays:
        if stay.released_on is not None:
            releases[(stay.establishment, _month_of(stay.released_on))].append(stay)
    for participation in facts.participations:
        endings[(participation.establishment, _month_of(participation.ended_on))].append(participation)
    named = {s.establishment for s in facts.stays} | {p.establishment for p in facts.participations}
    establishments = sorted(named if facts.shown is None else facts.shown)
    results = []
    for month in months:
        first, last = bounds(month)
        counted_last = min(last, today)
        for establishment in establishments:
            residents, in_activity = _in_activity(stays_at[establishment], spans, first, counted_last)
            results.append(
                MonthIndicators(
                    month=month_key(month),
                    establishment=establishment,
                    complete=last < today,
                    residents=residents,
                    in_activity=in_activity,
                    days_to_first_activity=_delays(
                        [delay for on, delay in firsts[(establishment, month)] if on <= counted_last]
                    ),
                    programme_completion=_completion(endings[(establishment, month)], counted_last),
                    **_partner_actions(sessions[(establishment, month)], counted_last),
                    **_releases(releases[(establishment, month)], counted_last),
                )
            )
    return results


def _held_at(stays: list[Stay], day: date) -> str | None:
    """Where the person was held that day, if anywhere."""
    return next((s.establishment for s in stays if _days(s, day, day)), None)


def _month_of(day: date) -> Month:
    return day.year, day.month


def _days(stay: Stay, first: date, last: date) -> tuple[date, date] | None:
    """The stay's days within [first, last], or None."""
    start = max(stay.first_day, first)
    end = last if stay.last_day is None else min(stay.last_day, last)
    return (start, end) if start <= end else None


def _merged(periods: list[Activity], today: date) -> list[tuple[date, date]]:
    """A person's periods in activity as disjoint spans of days, soonest first (an open one ends today)."""
    merged: list[tuple[date, date]] = []
    for lower, upper in sorted((p.first_day, p.last_day or today) for p in periods):
        if upper < lower:
            continue  # ended before it began: no day
        if merged and lower <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(upper, merged[-1][1]))
        else:
            merged.append((lower, upper))
    return merged


def _covered(spans: list[tuple[date, date]], start: date, end: date) -> int:
    """How many days of [start, end] the disjoint spans hold."""
    return sum(
        (min(upper, end) - max(lower, start)).days + 1
        for lower, upper in spans
        if lower <= end and upper >= start
    )


def _in_activity(here: list[Stay], spans, first: date, last: date) -> tuple[int, Share]:
    """The people held in [first, last], and their days in activity over their days held."""
    people, held, covered = set(), 0, 0
    for stay in here:
        days = _days(stay, first, last)
        if days:
            people.add(stay.subject_id)
            held += (days[1] - days[0]).days + 1
            covered += _covered(spans[stay.subject_id], *days)
    return len(people), Share(covered, held, target=1.0)


def _first_activities(stays, activities, today: date) -> list[tuple[str, date, int]]:
    """Per custody period (a case), its first day in activity: (the establishment that day, the day, days
    since admission)."""
    found = []
    for subject, own in stays.items():
        by_case = defaultdict(list)
        for stay in own:
            by_case[stay.case_id].append(stay)
        for periods in by_case.values():
            admitted = periods[0].admitted_on
            ends = [s.last_day for s in periods]
            custody_end = None if None in ends else max(ends)
            starts = [
                max(a.first_day, admitted)
                for a in activities[subject]
                if (a.last_day is None or a.last_day >= max(a.first_day, admitted))
                and (custody_end is None or a.first_day <= custody_end)
            ]
            if not starts or min(starts) > today:
                continue
            on = min(starts)
            where = _held_at(periods, on)
            if where is not None:
                found.append((where, on, (on - admitted).days))
    return found


def _delays(days: list[int]) -> Delays:
    if not days:
        return Delays(0, None, None)
    return Delays(len(days), round(statistics.fmean(days), 1), float(statistics.median(days)))


def _completion(participations: list[Participation], last: date) -> Share:
    """Of the participations that ended in the month (by `last`)."""
    ended = [p for p in participations if p.enrolled and p.outcome in COUNTED_ENDINGS and p.ended_on <= last]
    return Share(sum(p.outcome == "completed" for p in ended), len(ended))


def _partner_actions(bookings: list[Booking], last: date) -> dict:
    """Of the places whose session fell in the month (by `last`) while the person was held here."""
    kept = [b for b in bookings if b.session_day <= last and b.status not in ("withdrawn", "cancelled")]
    attended = [b for b in kept if b.status == "attended"]
    reported = [b for b in kept if b.status in ("attended", "no_show")]
    by_kind: dict[str, int] = defaultdict(int)
    for booking in attended:
        by_kind[booking.outcome or "not_recorded"] += 1
    positive = sum(b.outcome not in (None, "none") for b in attended)
    return {
        "partner_bookings": len(kept),
        "partner_attendance": Share(len(attended), len(reported)),
        "partner_outcomes": Share(positive, len(attended)),
        "outcomes_by_kind": dict(sorted(by_kind.items())),
    }


def _releases(released: list[Stay], last: date) -> dict:
    """Of the month's releases (by `last`)."""
    released = [s for s in released if s.released_on <= last]
    by_situation: dict[str, int] = defaultdict(int)
    by_reason: dict[str, int] = defaultdict(int)
    for stay in released:
        by_situation[stay.exit_situation or "not_recorded"] += 1
        by_reason[stay.ended_by] += 1
    return {
        "release_outcomes": Share(sum(s.exit_situation in SOLUTIONS for s in released), len(released)),
        "releases_by_situation": dict(sorted(by_situation.items())),
        "releases_by_reason": dict(sorted(by_reason.items())),
        "releases_before_expected_end": sum(
            s.expected_end_date is not None and s.released_on < s.expected_end_date for s in released
        ),
    }
