"""Commands of the programmes domain: what a user asks for, in the imperative.

Rules that need another aggregate's facts get them in the command (ADR 9): the programme a group runs or a
person is referred to (`ProgrammeFacts`), the person's case, sentence, latest shared assessment and plan, from
the service's replica of the assessment events (`PersonFacts`). Commands whose rules depend on time carry
`now` or `today`, read from the injected clock.
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.assessment import OffenceCategory, RiskLevel
from contracts.programmes import Mark, ProgrammeDefinition, WeeklyPattern


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProgrammeFacts(Command):
    programme_id: str
    version: int
    definition: ProgrammeDefinition
    withdrawn: bool


class PersonFacts(Command):
    """What eligibility may know of a person: the shareable part of their SPIP follow-up."""

    case_id: str
    subject_id: str
    case_open: bool
    establishment: str
    short_sentence: bool
    offence_categories: list[OffenceCategory]
    overall_risk_level: RiskLevel | None = None  # None until an assessment is validated
    plan_objectives: list[str] = []  # the objective ids of the plan the referral cites


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
    programme: ProgrammeFacts
    establishment: str
    room: str
    facilitators: list[str]
    start_date: date
    end_date: date
    pattern: WeeklyPattern
    capacity: int
    today: date


class OpenGroup(Command):
    pass


class StartGroup(Command):
    below_minimum_reason: str = ""
    may_override: bool = False  # a DPIP's privilege, decided by the route


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
    programme: ProgrammeFacts
    person: PersonFacts
    plan_id: str
    objective_id: str


class OverrideEligibility(Command):
    reason: str


class RecordConsent(Command):
    given: bool
    today: date


class Enrol(Command):
    group_id: str
    group_programme_id: str


class Waitlist(Command):
    group_id: str
    group_programme_id: str


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


class CertificateFacts(Command):
    certificate_id: str
    programme_code: str
    programme_name: str
    establishment: str
    start_date: date
    end_date: date


class AssessParticipation(Command):
    group_id: str
    sessions_attended: int = Field(ge=0)
    sessions_counted: int = Field(ge=0)
    threshold: float
    certificate: CertificateFacts
    today: date


