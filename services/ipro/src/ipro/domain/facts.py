"""What IPRO decisions know about other aggregates and the replicas (ADR 9): loaded by the handlers
(`ipro.lookups`), passed to `decide` as its third argument, never carried by a command.

* `CaseFacts`: the person's case, from the replica of the assessment events (opening a pathway, France
  Travail's window, who the person's referent CPIP is).
* `PathwayFacts`: the pathway a work file, a training or a positioning is arranged on (nothing new is
  arranged once it is closed); `Commitments` adds the person's current bookings, which a new commitment may
  not overlap; `PlaceFacts` adds the partner action's session a place is asked on, from the replica of the
  partners events.
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict

from contracts.ipro import WeeklySlot


class Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CaseFacts(Facts):
    case_id: str
    subject_id: str
    establishment: str
    open: bool
    expected_end_date: date | None = None
    conditional_release_date: date | None = None
    referent: str | None = None  # the CPIP who follows the person


class Booking(Facts):
    """Something the person is already committed to: weekly hours over a period, or one session."""

    kind: str  # work, training, action
    reference: str
    starts_on: date | None = None
    ends_on: date | None = None  # None: open-ended
    slots: list[WeeklySlot] = []
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class SessionFacts(Facts):
    """A session of a partner action, as the catalogue replica knows it."""

    action_id: str
    session_id: str
    partner_id: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int
    booked: int
    cancelled: bool
    published: bool
    closed: bool


class PathwayFacts(Facts):
    """The pathway something is arranged on, and whether the person has left (it is closed)."""

    pathway_id: str
    subject_id: str
    closed: bool = False


class Commitments(PathwayFacts):
    """The pathway, and the person's current bookings: work hours, training hours, action sessions."""

    bookings: list[Booking]


class PlaceFacts(Commitments):
    """The pathway and the bookings, the session a place is asked on (None: the catalogue has no such
    session of that action) and whether the person already holds a place on it."""

    session: SessionFacts | None
    already_positioned: bool = False
