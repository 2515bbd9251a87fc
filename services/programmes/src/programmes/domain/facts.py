"""What a decision needs to know of other aggregates and of the replica, built by the handler from their
state: the programme a group runs or a person is referred to, the person's follow-up, the group a person
is placed in, what a participant did in it. A command never carries them (it is the user's intent)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from contracts.assessment import OffenceCategory, RiskLevel
from contracts.programmes import ProgrammeDefinition


class Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProgrammeFacts(Facts):
    """A catalogue entry as a group or a referral sees it."""

    programme_id: str
    version: int
    definition: ProgrammeDefinition
    withdrawn: bool


class PersonFacts(Facts):
    """What eligibility may know of a person: the shareable part of their SPIP follow-up (the replica)."""

    case_id: str
    subject_id: str
    case_open: bool
    establishment: str
    short_sentence: bool
    offence_categories: list[OffenceCategory]
    overall_risk_level: RiskLevel | None = None  # None until an assessment is validated
    plan_objectives: list[str] = []  # the objective ids of the plan the referral cites
    person: str = "the person"  # their name and écrou number, as refusals name them (`names.person`)


class ReferralFacts(Facts):
    """What a new referral is decided on: the programme's rules against the person's facts."""

    programme: ProgrammeFacts
    person: PersonFacts


class Caller(Facts):
    """What the caller's role lets them set aside: a DPIP may start a group below its minimum size."""

    may_override: bool


class ReferralNames(Facts):
    """How refusals name a referral's person and programme, as users know them (`names`)."""

    person: str = "the person"
    programme: str = "the programme"


class PlacementFacts(ReferralNames):
    """What a referral placed in a group (enrolled, or waiting) knows of that group, and how it is named."""

    programme_id: str
    started: bool  # a person enrolled in a group under way starts at once
    group: str = "the group"


class CompletionFacts(Facts):
    """What a participant's assessment at the group's close knows of the group, its programme and their
    attendance (sessions counted: held while a participant, excused absences aside)."""

    programme_code: str
    programme_name: str
    threshold: float
    establishment: str
    start_date: date
    sessions_attended: int
    sessions_counted: int


class ReferralVisibility(Facts):
    """What access to a referral depends on: its programme's sensitivity and who follows the person; and,
    for whoever may see it, how its refusals name it."""

    sensitive: bool
    referent: str | None
    establishment: str | None = None  # the person's now (their case's), else the referral's
    named: ReferralNames = ReferralNames()
