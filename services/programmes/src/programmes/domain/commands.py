"""Commands of the programmes domain: what a user (or the service itself) asks for, in the imperative, with
the ids the route made and, when a rule depends on time, `now` or `today` from the injected clock.

A command never carries what the decision needs to know of other aggregates: the handler loads that and
hands it to `decide` as its facts (`facts.py`).
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict

from contracts.programmes import Mark, ProgrammeDefinition, WeeklyPattern


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- programme ---
class CreateProgramme(Command):
    programme_id: str
    definition: ProgrammeDefinition


class ReviseProgramme(Command):
    definition: ProgrammeDefinition


class WithdrawProgramme(Command):
    reason: str


# --- group ---
class PlanGroup(Command):
    group_id: str
    programme_id: str
    establishment: str
    room: str
    facilitators: list[str]
    start_date: date
    end_date: date
    pattern: WeeklyPattern
    capacity: int
    today: date
    partner_organisations: list[str] = []


class OpenGroup(Command):
    pass


class StartGroup(Command):
    below_minimum_reason: str = ""


class MoveSession(Command):
    session_id: str
    starts_at: AwareDatetime
    room: str | None = None
    now: AwareDatetime


class CancelSession(Command):
    session_id: str
    reason: str
    now: AwareDatetime


class AddCatchUpSession(Command):
    starts_at: AwareDatetime
    room: str | None = None
    now: AwareDatetime


class EnrolParticipant(Command):
    referral_id: str
    subject_id: str


class WaitlistParticipant(Command):
    referral_id: str
    subject_id: str


class RemoveParticipant(Command):
    referral_id: str
    reason: str


class RecordAttendance(Command):
    session_id: str
    marks: list[Mark]
    notes: str = ""
    now: AwareDatetime


class CloseGroup(Command):
    today: date


# --- referral ---
class RequestReferral(Command):
    referral_id: str
    programme_id: str
    case_id: str
    plan_id: str
    objective_id: str


class OverrideEligibility(Command):
    reason: str


class RecordConsent(Command):
    given: bool
    today: date


class Enrol(Command):
    group_id: str


class Waitlist(Command):
    group_id: str


class StartParticipation(Command):
    group_id: str


class DropOut(Command):
    reason: str


class Exclude(Command):
    reason: str


class Withdraw(Command):
    reason: str


class EndOnRelease(Command):
    released_on: date


class AssessParticipation(Command):
    """The group closed: the participant's attendance is held against the programme's threshold."""

    group_id: str
    today: date
