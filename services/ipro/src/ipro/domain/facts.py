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
    admission_date: date | None = None  # None: admitted before the replica kept it
    expected_end_date: date | None = None
    conditional_release_date: date | None = None
    referent: str | None = None  # the CPIP who follows the person
    person: str = "the person"  # their name, as users know them


class Booking(Facts):
    """Something the person is already committed to: weekly hours over a period, or one session. `label`
    names it as users know it (the post, the training's title, the action's title, date and place)."""

    kind: str  # work, training, action
    reference: str
    label: str = ""
    starts_on: date | None = None
    ends_on: date | None = None  # None: open-ended
    slots: list[WeeklySlot] = []
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None

    @property
    def named(self) -> str:
        return self.label or f"{self.kind} {self.reference}"


class SessionFacts(Facts):
    """A session of a partner action, as the catalogue replica knows it."""

    action_id: str
    session_id: str
    partner_id: str
    title: str = ""  # the action's
    place: str = ""
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int
    booked: int
    cancelled: bool
    published: bool
    closed: bool


class PathwayFacts(Facts):
    """The pathway something is arranged on, whether the person has left (it is closed), and their name."""

    pathway_id: str
    subject_id: str
    closed: bool = False
    person: str = "the person"


class Commitments(PathwayFacts):
    """The pathway, and the person's current bookings: work hours, training hours, action sessions."""

    bookings: list[Booking]


class PlaceFacts(Commitments):
    """The pathway and the bookings, the session a place is asked on (None: the catalogue has no such
    session of that action), whether the person already holds a place on it, and whether the catalogue
    replica has read the partners' events of that action to their end (a session it does not know may
    have been published a moment ago)."""

    session: SessionFacts | None
    already_positioned: bool = False
    catalogue_behind: bool = False
