"""One establishment's year, told through the services' own deciders (`writer.tell_site` tells it: the bench's
`bench/person_year.py` one per site, the demo one).

Everything a user or a service's reaction would do is a command run by the service's `Decider` on the state
folded so far, with the facts its handler would have loaded (built here from what the story already decided,
not read back from the databases), at a simulated instant of the year. Each decision goes to the `Ledger`,
which appends it through the kernel later, in batches.

The story, per person: the case opens (admission, or the caseload entered when the direction went live), the
IPRO pathway opens from it; arrival and follow-up interviews; the initial assessment (domains, contributions,
conclusion, a return now and then, a DPIP's validation) and the plan; referrals to programmes, groups with
weekly attendance; the IPRO synthesis, profile, goals, classement, work and contracts, trainings, places on
partner actions; exit preparation (France Travail, leaves, outcome) and the release with the services'
reactions to it. Per site: partner organisations, calls, proposals and the catalogue actions they become.

Deterministic: every choice comes from one `random.Random` seeded with the run's seed and the site.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from assessment import subjects
from contracts import Actor
from contracts.assessment import OffenceCategory
from devinfra.year.cast import (
    FIRST_NAMES,
    LAST_NAMES,
    PROGRAMMES_FOR,
    ActionRun,
    GroupRun,
    Ledger,
    PartnerOrg,
    Person,
    Sink,
    Site,
    StaffNames,
)
from devinfra.year.ipro_steps import IproSteps
from devinfra.year.partner_steps import PartnerSteps
from devinfra.year.spip_steps import SpipSteps
from ipro.domain.facts import SessionFacts
from kernel.clock import LOCAL_TIME_ZONE, local_date
from programmes.domain.facts import ProgrammeFacts


class SiteYear(SpipSteps, IproSteps, PartnerSteps):
    """One establishment's year, as a queue of dated steps; each step runs commands through the deciders."""

    def __init__(
        self,
        site: Site,
        *,
        seed: int,
        start: date,
        end: date,
        ledger_sink: Sink,
        programmes: dict[str, ProgrammeFacts],
        subject_key: bytes,
        names: StaffNames | None = None,
        facilitators_booked_once: bool = False,
    ) -> None:
        self.site, self.start, self.end = site, start, end
        self.names = names or StaffNames()  # the demo's users are the web login's (devinfra.demo)
        # The demo's story keeps to the programmes service's groups table, which refuses a facilitator booked
        # twice at a time; the bench's double-books one now and then, and measures the schedule finding it.
        self.facilitators_booked_once = facilitators_booked_once
        # The assessment service's secret: people's ids are the ones it makes from their écrou numbers.
        self.subject_key = subject_key
        self.rng = random.Random(f"{seed}:{site.code}")
        self.ledger = Ledger(ledger_sink, self.rng)
        self.programmes = programmes
        self.queue: list[tuple[datetime, int, Callable, tuple]] = []
        self.order = itertools.count()
        self.now = self.moment(start, time(8, 0))
        self.people: list[Person] = []
        self.groups: dict[str, GroupRun] = {}  # programme code -> the group being filled (planned, open)
        self.running_groups: dict[str, GroupRun] = {}  # group id -> any group not closed
        self.planned_groups: list[str] = []  # every group's id, closed or never started too
        self.next_group_from: dict[str, date] = {}  # programme code -> earliest start of its next group
        self.actions: dict[str, ActionRun] = {}
        self.partners: list[PartnerOrg] = []
        self.slot_use: dict[tuple[int, time, str], int] = {}
        self.numbers = itertools.count(1)
        self.staff = self._staff()
        self.heavy: list[Person] = []
        self._upcoming: tuple[date | None, list[tuple[ActionRun, SessionFacts]]] = (None, [])
        # Each establishment runs some of the catalogue's programmes (ESPACE in a few targeted ones).
        offered = sorted({code for codes in PROGRAMMES_FOR.values() for code in codes})
        self.offered = {*self.rng.sample(offered, 10), *(["ESPACE"] if self.rng.random() < 0.2 else [])}

    # --- the clock and the queue ---

    @staticmethod
    def moment(day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=LOCAL_TIME_ZONE)

    def working_moment(self, day: date, earliest: float = 8.5, latest: float = 17.5) -> datetime:
        """A moment of office hours on `day`, or on the next working day if it falls on a weekend."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        minutes = self.rng.randrange(int(earliest * 60), int(latest * 60))
        return self.moment(day, time(minutes // 60, minutes % 60))

    def after(self, days_low: float, days_high: float, *, base: datetime | None = None) -> datetime:
        base = base or self.now
        return self.working_moment(local_date(base) + timedelta(days=self.rng.uniform(days_low, days_high)))

    def later(self, seconds_low: float, seconds_high: float) -> datetime:
        return self.now + timedelta(seconds=self.rng.uniform(seconds_low, seconds_high))

    def at(self, when: datetime, step: Callable, *args: Any) -> None:
        if local_date(when) <= self.end:
            heapq.heappush(self.queue, (max(when, self.now), next(self.order), step, args))

    @property
    def today(self) -> date:
        return local_date(self.now)

    def steps(self):
        """The story's steps in the order they happen: each is run by the caller (`run`)."""
        while self.queue:
            when, _, step, args = heapq.heappop(self.queue)
            self.now = when
            yield step, args

    def uid(self) -> str:
        return self.ledger.new_id()

    def ecrou_number(self, number: int) -> str:
        return f"{self.site.code}{number:06d}"

    def pick(self, choices):
        return choices[self.rng.randrange(len(choices))]

    # --- the cast ---

    def _staff(self) -> dict[str, list[Actor]]:
        people = self.site.people
        counts = {
            "cpip": max(2, people // 70),
            "dpip": 2,
            "psychologue": max(1, people // 250),
            "assistant_social": max(1, people // 250),
            "ipro_conseiller": max(2, people // 110),
            "ripro": 1,
            "ipro_chef": 1,
            "direction": 1,
        }
        return {
            role: [
                Actor(subject=self.names.staff(role, self.site, n), role=role) for n in range(1, count + 1)
            ]
            for role, count in counts.items()
        }

    def one(self, role: str) -> Actor:
        return self.pick(self.staff[role])

    def cpip(self, person: Person) -> Actor:
        return Actor(subject=person.referent, role="cpip")

    def adviser(self, person: Person) -> Actor:
        return Actor(
            subject=person.adviser or self.staff["ipro_conseiller"][0].subject, role="ipro_conseiller"
        )

    # --- the year ---

    def cast(self) -> None:
        """The site's people, partners and calls, each with the first step of their story queued."""
        rng = self.rng
        for _ in range(self.site.people):
            self.people.append(self._person())
        heavy = max(1, round(self.site.people * 0.002)) if self.site.people >= 50 else 0
        candidates = [p for p in self.people if p.release_on is None and p.admission < self.start]
        for person in rng.sample(candidates, min(heavy, len(candidates))):
            person.heavy, person.intensity = True, 4.0
            self.heavy.append(person)
        for person in self.people:
            if person.admission < self.start:  # entered when the direction went live, in its first weeks
                opens = self.working_moment(self.start + timedelta(days=rng.uniform(0, 18)))
            else:
                opens = self.working_moment(person.admission)
            self.at(opens, self.open_case, person)
        for n in range(max(3, self.site.people // 55)):
            self.at(
                self.working_moment(self.start + timedelta(days=rng.uniform(0, 5))), self.register_partner, n
            )
        for n, day in enumerate(range(3, (self.end - self.start).days - 40, 61)):
            self.at(self.working_moment(self.start + timedelta(days=day)), self.draft_call, n)

    def _person(self) -> Person:
        rng, number = self.rng, next(self.numbers)
        already_in = rng.random() < 0.55
        if already_in:
            expected_end = self.start + timedelta(days=int(rng.triangular(20, 1400, 300)))
            months = rng.randrange(6, 72)
            admission = min(
                expected_end - timedelta(days=months * 30), self.start - timedelta(days=rng.randrange(1, 60))
            )
        else:
            admission = self.start + timedelta(days=rng.randrange(1, (self.end - self.start).days - 7))
            months = int(rng.triangular(2, 60, 8))
            expected_end = admission + timedelta(days=months * 30)
        conditional = None
        if months >= 12 and rng.random() < 0.6:
            conditional = admission + timedelta(days=months * 15)
            if not admission <= conditional <= expected_end:
                conditional = None
        release_on = None
        if conditional is not None and conditional <= self.end - timedelta(days=2) and rng.random() < 0.35:
            release_on = conditional
        elif expected_end <= self.end - timedelta(days=2):
            release_on = expected_end
        if release_on is not None and release_on < self.start + timedelta(days=25):
            release_on = self.start + timedelta(days=25 + rng.randrange(20))
            expected_end = max(expected_end, release_on)
        offences = rng.sample(list(OffenceCategory), rng.choice((1, 1, 1, 2)))
        return Person(
            number=number,
            subject_id=subjects.subject_id(self.subject_key, self.site.name, self.ecrou_number(number)),
            case_id=self.uid(),
            first_names=self.pick(FIRST_NAMES),
            last_name=self.pick(LAST_NAMES),
            establishment=self.site.name,
            referent=self.one("cpip").subject,
            intensity=min(2.5, max(0.5, rng.lognormvariate(0, 0.35))),
            assiduity=rng.uniform(0.55, 0.97),
            heavy=False,
            admission=admission,
            expected_end=expected_end,
            conditional=conditional,
            release_on=release_on,
            short_sentence=months <= 24,
            offences=offences,
        )
