"""One establishment's day as movements, from the schedule's rows: pure functions, no I/O.

Each person's occupation of the day is a movement to its place: a programme session they sit in, an SPIP
interview they are convened to (inside the walls), a partner session they are positioned on, a training's or
a work post's slot, a leave approved by the governor. Where the person comes from (their cell block) is not
known to any service. Whether the movement leaves the walls and is escorted is known only for what the
contracts say it of:
* a leave: a permission de sortir encadrée is escorted, a PMSMP is not (the person goes on their own);
* a partner action of one of those types, or a temp mission (unescorted), takes its participants outside;
* anything else happens inside, escort not stated (None).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from contracts.ipro import LeaveKind
from contracts.partners import ActionType
from projections.schedule.conflicts import weekly_of

# Whether a leave or an action's session taking people outside is escorted.
ESCORTED_OUTSIDE: dict[str, bool] = {
    LeaveKind.ESCORTED_PROFESSIONAL_LEAVE.value: True,
    LeaveKind.PMSMP.value: False,
    ActionType.ESCORTED_PROFESSIONAL_LEAVE.value: True,
    ActionType.PMSMP.value: False,
    ActionType.TEMP_MISSION.value: False,
}

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Movement:
    item_id: str
    kind: (
        str  # group_session | interview | positioning | training | work | pmsmp | escorted_professional_leave
    )
    starts_at: datetime | None  # None: the whole day (a leave)
    ends_at: datetime | None
    subject_id: str
    last_name: str | None
    first_names: str | None
    activity: str
    place: str
    outside: bool
    escorted: bool | None  # None: not stated by any service


@dataclass(frozen=True)
class PartnerVisit:
    """A partner's session held that day: who comes in, when, where, how many facilitators."""

    item_id: str
    partner_id: str
    organisation: str | None  # None: not yet in the partner directory
    activity: str
    starts_at: datetime
    ends_at: datetime
    place: str
    facilitators: int
    participants: int
    outside: bool  # held outside (a company visit, a PMSMP): the partner receives people, does not come in


def movements(
    day: date,
    *,
    sessions: Iterable[Row],
    positionings: Iterable[Row],
    interviews: Iterable[Row] = (),
    weekly: Iterable[Row],
    leaves: Iterable[Row],
    with_names: bool,
) -> list[Movement]:
    """The day's movements, whole-day leaves first, then by time, person and item.

    `sessions`: a programme session's row per person sitting in it; `interviews`: an SPIP interview's row, its
    person's; `positionings`: a positioning with its
    action's type; `weekly`: a training's or a work post's weekly schedule; `leaves`: approved leaves over the
    day. Each row carries the person's `subject_id`, `last_name`, `first_names` (None when unknown)."""
    found: list[Movement] = []
    for row in sessions:
        found.append(_movement(row, row["item_id"], "group_session", row["starts_at"], row["ends_at"]))
    for row in interviews:
        found.append(_movement(row, row["item_id"], "interview", row["starts_at"], row["ends_at"]))
    for row in positionings:
        escorted = ESCORTED_OUTSIDE.get(row["action_type"] or "")
        found.append(
            _movement(
                row,
                row["item_id"],
                "positioning",
                row["starts_at"],
                row["ends_at"],
                outside=escorted is not None,
                escorted=escorted,
            )
        )
    for row in weekly:
        for occurrence in weekly_of(row).on(day):
            found.append(
                _movement(row, occurrence.item_id, row["kind"], occurrence.starts_at, occurrence.ends_at)
            )
    for row in leaves:
        if row["first_day"] <= day <= row["last_day"]:
            found.append(
                _movement(
                    {**row, "title": row["purpose"], "place": ""},
                    f"ipro/leave:{row['leave_id']}@{day.isoformat()}",
                    row["kind"],
                    None,
                    None,
                    outside=True,
                    escorted=ESCORTED_OUTSIDE.get(row["kind"]),
                )
            )
    if not with_names:
        found = [_pseudonymised(m) for m in found]
    return sorted(found, key=_order)


def partner_visits(rows: Iterable[Row]) -> list[PartnerVisit]:
    """The partners' sessions of the day, soonest first: organisation, facilitators counted (the schedule keeps
    them as digests only, never their names), people positioned."""
    visits = [
        PartnerVisit(
            item_id=row["item_id"],
            partner_id=row["partner_id"],
            organisation=row["organisation"],
            activity=row["title"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            place=row["place"],
            facilitators=len(row["facilitator_keys"] or []),
            participants=row["participants"],
            outside=(row["action_type"] or "") in ESCORTED_OUTSIDE,
        )
        for row in rows
    ]
    return sorted(visits, key=lambda v: (v.starts_at, v.organisation or v.partner_id, v.item_id))


def _movement(
    row: Row,
    item_id: str,
    kind: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    *,
    outside: bool = False,
    escorted: bool | None = None,
) -> Movement:
    return Movement(
        item_id=item_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        subject_id=row["subject_id"],
        last_name=row["last_name"],
        first_names=row["first_names"],
        activity=row["title"],
        place=row["place"],
        outside=outside,
        escorted=escorted,
    )


def _pseudonymised(movement: Movement) -> Movement:
    return replace(movement, last_name=None, first_names=None)


def _order(movement: Movement) -> tuple:
    # A leave (no time) comes first: the person is out all day.
    when = (0, 0.0) if movement.starts_at is None else (1, movement.starts_at.timestamp())
    who = ((movement.last_name or "").casefold(), movement.first_names or "", movement.subject_id)
    return (*when, *who, movement.item_id)
