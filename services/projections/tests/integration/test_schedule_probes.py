"""Conflict checks whose cost does not grow with history (issue 15: "a request must not get slower as a table
grows"; migration 0127). Two facilitators, each running a session on Tuesday morning: one ran 10 sessions
before it, the other 1,000 (50 groups of 20), and a person sits in each one's groups; one person held one
work post, the other 30 in turn. Each check of that Tuesday reads as many rows for the long history as for
the short one, by the index meant for it (PostgreSQL's own account: EXPLAIN ANALYZE).

A facilitator's and a person's week read those same rows: with 1,000 other sessions in the region that week, each
reads its own sessions and nothing of the others', never more than with 10.

What those indexes are on, the rows `schedule.slots` keeps, is checked against the migrations' backfills after a
week of every change a session or a seat may have."""

import re
from collections import Counter
from datetime import date, time, timedelta
from importlib.resources import files

import pytest

from contracts import Actor
from contracts.ipro import AffectationDecided, WeeklySlot, WorkRegime
from contracts.partners import SessionCancelled
from contracts.programmes import (
    CatchUpSessionAdded,
    GroupPlanned,
    GroupSession,
    GroupSessionCancelled,
    ParticipantEnrolled,
    ParticipantLeft,
    WeeklyPattern,
)
from projections.schedule import ingest, store
from projections.schedule.conflicts import FACILITATOR_SESSIONS, PERSON_ITEMS, PERSON_WEEKLY
from projections.schedule.occupancy import facilitator_key
from services.projections.tests.builders import History
from services.projections.tests.schedule_week import (
    ARRAS,
    CPIP,
    FACILITATOR,
    MONDAY,
    PARTNER_FACILITATOR,
    RIPRO,
    at,
    facilitator_double_booked,
    facilitator_replaced,
    room_moved,
    the_week,
    thursday_moved_to_afternoon,
)

pytestmark = pytest.mark.integration

TUESDAY = (at(1, 9), at(1, 11))  # the span a change of the Tuesday sessions makes the checks look at
GROUP_SIZE = 20
SHORT, LONG = "short", "long"


def runs(h: History, who: str, sessions: int) -> None:
    """`who`'s facilitator runs `sessions` sessions, one a day at 09:00, the last on Tuesday, in groups of 20
    (in `who`'s room), and `who`'s person sits in each group."""
    first = MONDAY + timedelta(days=1 - (sessions - 1))
    days = [first + timedelta(days=n) for n in range(sessions)]
    for g, start in enumerate(range(0, sessions, GROUP_SIZE)):
        group_id = f"{who}-group-{g}"
        run = days[start : start + GROUP_SIZE]
        h.record(
            "group",
            group_id,
            GroupPlanned(
                group_id=group_id,
                programme_id="programme-1",
                programme_version=1,
                establishment=ARRAS,
                room=f"Salle {who}",
                facilitators=[f"anim-{who}"],
                start_date=run[0],
                end_date=run[-1],
                pattern=WeeklyPattern(weekday=run[0].weekday(), starts_at=time(9), duration_minutes=120),
                capacity=10,
                minimum=2,
                sessions=[
                    GroupSession(
                        session_id=f"{group_id}-s-{n}",
                        number=n,
                        starts_at=at((day - MONDAY).days, 9),
                        ends_at=at((day - MONDAY).days, 11),
                        room=f"Salle {who}",
                    )
                    for n, day in enumerate(run, 1)
                ],
            ),
            actor=CPIP,
        )
        h.record(
            "group",
            group_id,
            ParticipantEnrolled(group_id=group_id, referral_id=f"{group_id}-r", subject_id=f"person-{who}"),
            subject=f"person-{who}",
            actor=CPIP,
        )


def posts(h: History, who: str, count: int) -> None:
    """`who`'s person holds `count` work posts in turn, a month each, the last one still (Tuesdays 14:00)."""
    for n in range(count):
        h.record(
            "work",
            f"work-{who}",
            AffectationDecided(
                work_id=f"work-{who}",
                affectation_id=f"{who}-affectation-{n}",
                regime=WorkRegime.SERVICE_GENERAL,
                post="Cuisine",
                workshop="Cuisine centrale",
                employer="Administration pénitentiaire",
                schedule=[WeeklySlot(weekday=1, starts_at=time(14), ends_at=time(16))],
                starts_on=date(2031, 3, 1) - timedelta(days=30 * (count - 1 - n)),
            ),
            subject=f"person-{who}",
            actor=Actor(subject="direction-1", role="direction"),
        )


async def rows_read(connection, query: str, *arguments) -> tuple[Counter, set[str], int]:
    """What the query read, table by table (rows returned by its scans and rows they discarded, over all
    loops), the indexes it went through, and the rows it returned."""
    (plan,) = await connection.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {query}", *arguments)  # json decoded
    read: Counter = Counter()
    indexes: set[str] = set()
    nodes = [plan["Plan"]]
    while nodes:
        node = nodes.pop()
        nodes += node.get("Plans", [])
        if "Index Name" in node:
            indexes.add(node["Index Name"])
        if "Relation Name" in node:
            seen = sum(
                node.get(k, 0)
                for k in ("Actual Rows", "Rows Removed by Filter", "Rows Removed by Index Recheck")
            )
            read[node["Relation Name"]] += round(seen * node["Actual Loops"])
    return read, indexes, plan["Plan"]["Actual Rows"]


async def reads(connection, query: str, who_is) -> dict[str, tuple[Counter, set[str], int]]:
    """What the check `query` of that Tuesday reads for the short history and for the long one."""
    return {who: await rows_read(connection, query, who_is(who), *TUESDAY) for who in (SHORT, LONG)}


async def test_each_check_reads_the_span_not_the_history(pool, apply_all):
    h = History(start=at(-7, 8))
    posts(h, SHORT, 1)
    posts(h, LONG, 30)
    runs(h, SHORT, 10)
    runs(h, LONG, 1000)
    await apply_all(ingest.apply, *h.envelopes)
    async with pool.acquire() as connection:
        # As in service: the planner knows the tables (autovacuum would have analysed them by now).
        await connection.execute("ANALYZE")

        staffed = await reads(connection, FACILITATOR_SESSIONS, lambda who: facilitator_key(f"anim-{who}"))
        assert staffed[SHORT][2] == staffed[LONG][2] == 1  # each one's Tuesday session
        assert staffed[LONG][0] == staffed[SHORT][0] == Counter(schedule_facilitator_slots=1), staffed
        assert staffed[LONG][1] == {"schedule_facilitator_slots_during"}

        seated = await reads(connection, PERSON_ITEMS, lambda who: f"person-{who}")
        assert seated[SHORT][2] == seated[LONG][2] == 1  # each one's Tuesday session
        only_tuesday = Counter(schedule_person_slots=1, schedule_positionings=0)
        assert seated[LONG][0] == seated[SHORT][0] == only_tuesday, seated
        assert "schedule_person_slots_during" in seated[LONG][1]

        # Posts fill a page here, which the planner reads whole; a region's fill thousands.
        await connection.execute("SET enable_seqscan = off")
        working = await reads(connection, PERSON_WEEKLY, lambda who: f"person-{who}")
        assert working[SHORT][2] == working[LONG][2] == 1  # the post held now
        assert working[LONG][0] == working[SHORT][0] == Counter(schedule_recurring=1), working
        assert working[LONG][1] == {"schedule_recurring_subject"}


class Explaining:
    """A connection that has PostgreSQL account for each query it answers (`rows_read`), summed over a call."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.read: Counter = Counter()
        self.indexes: set[str] = set()

    async def _explain(self, query: str, arguments: tuple) -> None:
        read, indexes, _ = await rows_read(self.connection, query, *arguments)
        self.read.update(read)
        self.indexes |= indexes

    async def fetch(self, query: str, *arguments):
        await self._explain(query, arguments)
        return await self.connection.fetch(query, *arguments)

    async def fetchval(self, query: str, *arguments):
        await self._explain(query, arguments)
        return await self.connection.fetchval(query, *arguments)


PROBED = "anim-probe"
WEEK = (at(0, 0), at(7, 0))


def the_probed_week(h: History) -> None:
    """A facilitator running a group's two sessions that week (Tuesday and Thursday mornings), Marie in it."""
    sessions = [
        GroupSession(
            session_id=f"probe-s-{n}", number=n, starts_at=at(day, 9), ends_at=at(day, 11), room="Salle 1"
        )
        for n, day in ((1, 1), (2, 3))
    ]
    h.record(
        "group",
        "probe",
        GroupPlanned(
            group_id="probe",
            programme_id="programme-1",
            programme_version=1,
            establishment=ARRAS,
            room="Salle 1",
            facilitators=[PROBED],
            start_date=MONDAY + timedelta(days=1),
            end_date=MONDAY + timedelta(days=3),
            pattern=WeeklyPattern(weekday=1, starts_at=time(9), duration_minutes=120),
            capacity=10,
            minimum=2,
            sessions=sessions,
        ),
        actor=CPIP,
    )
    h.record(
        "group",
        "probe",
        ParticipantEnrolled(group_id="probe", referral_id="probe-r", subject_id="person-probed"),
        subject="person-probed",
        actor=CPIP,
    )


def others(h: History, first: int, groups: int) -> None:
    """The region's other groups that week, ten sessions each (an hour, every 16 hours from Monday 00:00), each
    in its own room, run by its own facilitator, with one person of its own."""
    for g in range(first, first + groups):
        group_id = f"other-{g}"
        h.record(
            "group",
            group_id,
            GroupPlanned(
                group_id=group_id,
                programme_id="programme-1",
                programme_version=1,
                establishment=ARRAS,
                room=f"Salle {group_id}",
                facilitators=[f"anim-{group_id}"],
                start_date=MONDAY,
                end_date=MONDAY + timedelta(days=6),
                pattern=WeeklyPattern(weekday=0, starts_at=time(0), duration_minutes=60),
                capacity=10,
                minimum=2,
                sessions=[
                    GroupSession(
                        session_id=f"{group_id}-s-{n}",
                        number=n + 1,
                        starts_at=at(0, 0) + timedelta(hours=16 * n),
                        ends_at=at(0, 1) + timedelta(hours=16 * n),
                        room=f"Salle {group_id}",
                    )
                    for n in range(10)
                ],
            ),
            actor=CPIP,
        )
        h.record(
            "group",
            group_id,
            ParticipantEnrolled(
                group_id=group_id, referral_id=f"{group_id}-r", subject_id=f"person-{group_id}"
            ),
            subject=f"person-{group_id}",
            actor=CPIP,
        )


async def weeks_read(pool) -> dict[str, tuple[Counter, set[str], list[str]]]:
    """What the facilitator's week, Marie's and (for contrast) the establishment's read, as the routes ask them
    (a staff token's perimeter), and the sessions each found."""
    found = {}
    async with pool.acquire() as connection:
        await connection.execute("ANALYZE")  # as in service: the planner knows the tables
        # Groups and seats fill a few pages here, which the planner reads whole; a region's fill thousands.
        await connection.execute("SET enable_seqscan = off")
        for name, whose in (
            ("facilitator", {"facilitator": facilitator_key(PROBED)}),
            ("person", {"subject_id": "person-probed"}),
            ("establishment", {"establishment": ARRAS}),
        ):
            explaining = Explaining(connection)
            items = await store.schedule(
                explaining, lower=WEEK[0], upper=WEEK[1], establishments=[ARRAS], **whose
            )
            found[name] = (explaining.read, explaining.indexes, [i["item_id"] for i in items])
    return found


async def test_a_facilitators_and_a_persons_week_read_theirs_not_the_regions(pool, apply_all):
    h = History(start=at(-7, 8))
    the_probed_week(h)
    others(h, 0, 1)
    quiet = len(h.envelopes)
    others(h, 1, 99)
    await apply_all(ingest.apply, *h.envelopes[:quiet])
    with_10 = await weeks_read(pool)
    await apply_all(ingest.apply, *h.envelopes[quiet:])
    with_1000 = await weeks_read(pool)

    probed = ["programmes/group:probe/probe-s-1", "programmes/group:probe/probe-s-2"]
    for week in ("facilitator", "person"):
        assert with_10[week][2] == with_1000[week][2] == probed, week
        # Never more rows of any table with 1,000 others than with 10 (where the planner may read a table of a
        # dozen rows whole through an index rather than look up two of them), and only its own sessions.
        assert with_1000[week][0] <= with_10[week][0], (week, with_10[week][0], with_1000[week][0])
        assert with_1000[week][0]["schedule_sessions"] == 2, with_1000[week][0]  # its two sessions, by key
        assert with_1000[week][0]["schedule_groups"] == 2, with_1000[week][0]
    assert "schedule_facilitator_slots_during" in with_1000["facilitator"][1]
    assert "schedule_person_slots_during" in with_1000["person"][1]
    # The establishment's week is the region's: the probe sees it grow with the others' sessions.
    assert len(with_1000["establishment"][2]) == 1002
    assert (
        with_1000["establishment"][0]["schedule_sessions"]
        >= 1002
        > with_10["establishment"][0]["schedule_sessions"]
    )


SLOTS = ("schedule_facilitator_slots", "schedule_person_slots")


async def slot_rows(pool) -> dict[str, list[tuple]]:
    return {table: sorted(tuple(r) for r in await pool.fetch(f"SELECT * FROM {table}")) for table in SLOTS}


async def test_the_slots_are_what_the_sessions_and_seats_say_after_every_change(pool, apply_all):
    week = the_week()
    facilitator_double_booked(week)
    room_moved(week)
    thursday_moved_to_afternoon(week)  # new times
    facilitator_replaced(week)  # new facilitators
    catch_up = GroupSession(
        session_id="g-1-s-3", number=3, starts_at=at(4, 10), ends_at=at(4, 12), room="Salle 2", catch_up=True
    )
    week.record("group", "group-1", CatchUpSessionAdded(group_id="group-1", session=catch_up), actor=CPIP)
    week.record(
        "group",
        "group-1",
        GroupSessionCancelled(group_id="group-1", session_id="g-1-s-1", reason="Salle indisponible"),
        actor=CPIP,
    )
    week.record(
        "action",
        "action-1",
        SessionCancelled(action_id="action-1", session_id="a-1-s-1", reason="x"),
        actor=RIPRO,
    )
    week.record(
        "group",
        "group-1",
        ParticipantLeft(group_id="group-1", referral_id="referral-2", reason="Abandon"),
        subject="person-2",
        actor=CPIP,
    )
    await apply_all(ingest.apply, *week.envelopes)
    kept = await slot_rows(pool)

    # The seat freed is gone; the cancelled sessions are marked (schedules show them, checks skip them); the
    # catch-up session is there.
    assert {(r[0], r[2], r[-1]) for r in kept["schedule_person_slots"]} == {
        ("programmes/group:group-1/g-1-s-1", "person-1", True),
        ("programmes/group:group-1/g-1-s-2", "person-1", False),
        ("programmes/group:group-1/g-1-s-3", "person-1", False),
    }
    assert {(r[0], r[1], r[-1]) for r in kept["schedule_facilitator_slots"]} == {
        ("programmes/group:group-1/g-1-s-1", facilitator_key(FACILITATOR), True),
        ("programmes/group:group-1/g-1-s-2", facilitator_key(FACILITATOR), False),
        ("programmes/group:group-1/g-1-s-3", facilitator_key(FACILITATOR), False),
        ("partners/action:action-1/a-1-s-1", facilitator_key(PARTNER_FACILITATOR), True),
        ("partners/action:action-1/a-1-s-2", facilitator_key(PARTNER_FACILITATOR), False),
    }
    # The migrations' backfills, from the sessions and seats as they stand, give the same rows.
    migrations = files("projections") / "migrations"
    backfills = [
        backfill
        for name in ("0127_projections_schedule_slots.sql", "0128_projections_schedule_slots_cancelled.sql")
        for backfill in re.findall(
            r"^INSERT INTO schedule_\w+_slots .*?;", (migrations / name).read_text(), re.MULTILINE | re.DOTALL
        )
    ]
    assert len(backfills) == 4
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute(f"TRUNCATE {', '.join(SLOTS)}")
        for backfill in backfills:
            await connection.execute(backfill)
    assert await slot_rows(pool) == kept
