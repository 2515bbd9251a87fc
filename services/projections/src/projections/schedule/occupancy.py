"""What occupies a person, a room or a facilitator, and which two occupations conflict: pure functions, no I/O.

A dated item (a group session, a partner session, a positioning) occupies its span. A weekly schedule (an
IPRO training, a work post) occupies its slots on each day of its range; it is expanded only on the days a
dated item touches, so finding a person's conflicts costs their dated items, not their weeks of work.

* A person in two places at once: two dated items, or a dated item and a training's slot.
* A session during the person's work hours (Code pénitentiaire D.412-32: appointments are organised
  outside working hours): a warning, not a conflict, with the legitimate-absence reason where the session's
  events give one (`absence_reason`). A training against work hours is IPRO's own arrangement and is not
  checked here.
* A room booked twice: two sessions, of any service, in the same room of the same establishment at overlapping
  times. A room is its establishment's (the reference list's id where the place names one of its rooms,
  `room_key`), so two sites' "Salle 1" are two rooms.
* A facilitator booked twice: two sessions, of any service, run by the same facilitator (by digest) at
  overlapping times. Programmes already refuses this among its own groups; across services only the view
  sees it (a programme's facilitator also running a partner's session).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import combinations

# The contract's kinds and severities: the view and the events it publishes say the same.
from contracts.projections import AbsenceReason, ConflictKind
from contracts.projections import ConflictSeverity as Severity
from contracts.rooms import RoomList, same_place
from kernel.clock import LOCAL_TIME_ZONE, local_date

SEVERITY = {
    ConflictKind.PERSON_DOUBLE_BOOKED: Severity.CONFLICT,
    ConflictKind.ROOM_DOUBLE_BOOKED: Severity.CONFLICT,
    ConflictKind.FACILITATOR_DOUBLE_BOOKED: Severity.CONFLICT,
    ConflictKind.DURING_WORK_HOURS: Severity.WARNING,
}

WORK = "work"
TRAINING = "training"
POSITIONING = "positioning"

# A partner action's types that take the person out with a professional aim: the AMI's "PS encadrées à visées
# professionnelles (visites d'entreprises, événements extérieurs, PMSMP, missions d'intérim)".
PROFESSIONAL_LEAVES = frozenset({"escorted_professional_leave", "pmsmp", "temp_mission"})


@dataclass(frozen=True)
class Occupation:
    item_id: str
    kind: str  # group_session | action_session | positioning | training | work
    starts_at: datetime
    ends_at: datetime
    since: datetime  # when this item's day and place (or the person's seat on it) were last set, event time
    action_type: str | None = None  # a positioning's partner action's type (`contracts.partners.ActionType`)


def absence_reason(item: Occupation) -> AbsenceReason | None:
    """Why the person may leave their work post for this dated item, as its events tell it: IPRO positioned
    them on a partner action, so it is part of their professional pathway, a leave with a professional aim if
    the action is one. An SPIP group session or interview gives none: the programmes are voluntary, the
    interview convened, and no event says a judge ordered either (D.412-32: such appointments are held
    outside work hours)."""
    if item.kind != POSITIONING:
        return None
    if item.action_type in PROFESSIONAL_LEAVES:
        return AbsenceReason.PROFESSIONAL_LEAVE
    return AbsenceReason.IPRO_PATHWAY


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 = Monday
    starts_at: time
    ends_at: time


@dataclass(frozen=True)
class Weekly:
    """A weekly schedule from `first_day` to `last_day` (None: open-ended), in local time."""

    item_id: str
    kind: str  # training | work
    first_day: date
    last_day: date | None
    slots: tuple[Slot, ...]
    since: datetime

    def on(self, day: date) -> list[Occupation]:
        """The occurrences starting on this local day; its id says which."""
        if day < self.first_day or (self.last_day is not None and day > self.last_day):
            return []
        found = []
        for slot in self.slots:
            if slot.weekday != day.weekday():
                continue
            starts_at = datetime.combine(day, slot.starts_at, tzinfo=LOCAL_TIME_ZONE)
            ends_day = day if slot.ends_at > slot.starts_at else day + timedelta(days=1)
            ends_at = datetime.combine(ends_day, slot.ends_at, tzinfo=LOCAL_TIME_ZONE)
            found.append(
                Occupation(occurrence_id(self.item_id, starts_at), self.kind, starts_at, ends_at, self.since)
            )
        return found

    def between(self, starts_at: datetime, ends_at: datetime) -> list[Occupation]:
        """The occurrences overlapping [starts_at, ends_at)."""
        day, last = local_date(starts_at) - timedelta(days=1), local_date(ends_at)
        found = []
        while day <= last:
            found += [o for o in self.on(day) if o.starts_at < ends_at and starts_at < o.ends_at]
            day += timedelta(days=1)
        return found


@dataclass(frozen=True)
class Found:
    """A conflict as the items stand now: its id, both items, the span they share."""

    conflict_id: str
    kind: ConflictKind
    first_item: str
    second_item: str
    starts_at: datetime
    ends_at: datetime
    detected_at: datetime  # the later `since` of the two: when, in event time, they began to overlap
    absence_reason: AbsenceReason | None = None  # a work-hours warning's, where one applies

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.kind]


def occurrence_id(item_id: str, starts_at: datetime) -> str:
    return f"{item_id}@{starts_at.astimezone(LOCAL_TIME_ZONE).strftime('%Y-%m-%dT%H:%M')}"


def place_key(place: str) -> str:
    return " ".join(place.split()).casefold()


def room_key(rooms: RoomList, establishment: str, place: str) -> str:
    """A room within its establishment: the reference list's id where the place is one of the establishment's
    rooms (by name or alias: aliases meet), else the place itself, case and spaces aside."""
    room = rooms.room_of(establishment, place) if establishment else None
    return room.room_id if room else place_key(place)


def room_keys(rooms: RoomList, place: str, establishment: str | None) -> list[str]:
    """The keys a room asked for by name may have: the ids of the rooms it names (in `establishment`'s list,
    or in any list without one), and the place itself, as an establishment without a list keys it."""
    lists = rooms.establishments
    if establishment is not None:
        lists = [e for e in lists if same_place(e.establishment) == same_place(establishment)]
    named = {room.room_id for entry in lists for room in entry.rooms if room.is_named(place)}
    return sorted(named | {place_key(place)})


def room_whose(establishment: str, room: str) -> str:
    """Whose a room's conflict is, in its id: the room of that establishment ("" while it is not known)."""
    return f"{establishment}/{room}"


def facilitator_key(name: str) -> str:
    """A facilitator is personal data (the contracts say so): the view keeps a digest of the name or user
    id, enough to find a facilitator's sessions when asked by that name, never enough to show one."""
    return hashlib.sha256(" ".join(name.split()).casefold().encode()).hexdigest()[:32]


def person_conflicts(subject_id: str, dated: list[Occupation], weekly: list[Weekly]) -> list[Found]:
    found = []
    for a, b in combinations(dated, 2):
        if conflict := _pair(ConflictKind.PERSON_DOUBLE_BOOKED, subject_id, a, b):
            found.append(conflict)
    for item in dated:
        for schedule in weekly:
            kind = (
                ConflictKind.DURING_WORK_HOURS if schedule.kind == WORK else ConflictKind.PERSON_DOUBLE_BOOKED
            )
            reason = absence_reason(item) if kind is ConflictKind.DURING_WORK_HOURS else None
            for occurrence in schedule.between(item.starts_at, item.ends_at):
                if conflict := _pair(kind, subject_id, item, occurrence):
                    found.append(replace(conflict, absence_reason=reason))
    return found


def room_conflicts(room: str, sessions: list[Occupation]) -> list[Found]:
    return _double_booked(ConflictKind.ROOM_DOUBLE_BOOKED, room, sessions)


def facilitator_conflicts(facilitator: str, sessions: list[Occupation]) -> list[Found]:
    """`facilitator` is a digest (`facilitator_key`): the conflict's id holds no name."""
    return _double_booked(ConflictKind.FACILITATOR_DOUBLE_BOOKED, facilitator, sessions)


def would_double_book(
    kind: ConflictKind, whose: str, proposed: Occupation, sessions: list[Occupation]
) -> list[Found]:
    """The conflicts a session not yet scheduled would have with these sessions of a room or a facilitator, by
    the rule the view detects them with (`_pair`): nothing is written, the proposal is only asked about."""
    return [conflict for session in sessions if (conflict := _pair(kind, whose, proposed, session))]


def _double_booked(kind: ConflictKind, whose: str, sessions: list[Occupation]) -> list[Found]:
    """A sweep over the sessions by start: each is compared with those still running when it starts only,
    so a busy room costs its overlaps, not every pair of its sessions."""
    found, running = [], []
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.item_id)):
        running = [r for r in running if r.ends_at > session.starts_at]
        found += [conflict for other in running if (conflict := _pair(kind, whose, other, session))]
        running.append(session)
    return found


def _pair(kind: ConflictKind, whose: str, a: Occupation, b: Occupation) -> Found | None:
    starts_at, ends_at = max(a.starts_at, b.starts_at), min(a.ends_at, b.ends_at)
    if starts_at >= ends_at or a.item_id == b.item_id:
        return None
    first, second = sorted((a.item_id, b.item_id))
    return Found(
        conflict_id=f"{kind.value}|{whose}|{first}|{second}",
        kind=kind,
        first_item=first,
        second_item=second,
        starts_at=starts_at,
        ends_at=ends_at,
        detected_at=max(a.since, b.since),
    )
