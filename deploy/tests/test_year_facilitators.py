"""The demo's story keeps each facilitator in one session at a time (ADR 33), as the programmes service's groups
table demands, which the demo writes; the bench's story double-books one now and then, and its schedule
conflict detection finds it. Told in memory: the decisions go nowhere."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from devinfra import demo
from devinfra.year.cast import Site, catalogue
from devinfra.year.story import SiteYear

LAST_DAY = date(2026, 12, 3)
SUBJECT_KEY = b"k" * 32


class Nowhere:
    """A sink that appends nothing: the story's states are all these tests read."""

    def add(self, *decision, **more) -> object:
        return object()


def told(*, facilitators_booked_once: bool) -> SiteYear:
    story = SiteYear(
        Site(demo.SITE_CODE, demo.SITE_NAME, demo.PEOPLE),
        seed=demo.SEED,
        start=LAST_DAY - timedelta(days=demo.HISTORY_DAYS),
        end=LAST_DAY,
        ledger_sink=Nowhere(),
        programmes=catalogue(),
        subject_key=SUBJECT_KEY,
        names=demo.DemoNames(),
        facilitators_booked_once=facilitators_booked_once,
    )
    story.cast()
    for step, args in story.steps():
        step(*args)
    return story


def double_bookings(story: SiteYear) -> list[tuple[str, datetime]]:
    """(facilitator, start) of each session overlapping another of theirs, as the groups' table holds them:
    every group planned, its sessions not cancelled."""
    booked: dict[str, list[tuple[datetime, datetime, str]]] = {}
    for group_id in story.planned_groups:
        state = story.group_state(group_id)
        for held in state.sessions.values():
            if not held.cancelled:
                session = held.session
                for name in {f.strip().casefold() for f in state.facilitators}:
                    booked.setdefault(name, []).append(
                        (session.starts_at, session.ends_at, session.session_id)
                    )
    found = []
    for name, sessions in booked.items():
        sessions.sort()
        for (_, ends, _), (starts, _, _) in zip(sessions, sessions[1:], strict=False):
            if starts < ends:
                found.append((name, starts))
    return found


def test_the_demo_keeps_each_facilitator_in_one_session_at_a_time():
    story = told(facilitators_booked_once=True)

    assert len(story.planned_groups) >= 5, "groups, with their facilitators"
    assert double_bookings(story) == []


def test_the_bench_s_story_double_books_a_facilitator_now_and_then():
    story = told(facilitators_booked_once=False)

    assert double_bookings(story), "the same establishment's story, told as the bench tells it"
