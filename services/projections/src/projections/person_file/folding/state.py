"""What the fold reads and keeps: the event as the view hands it over (`FileEvent`), the state read so far
(`FileState`), and the type of a handler. Each service's handlers are in the module named after it; `built`
turns the state into the file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from projections.person_file.model import Part, ProgrammeStatus


@dataclass(frozen=True)
class FileEvent:
    seq: int  # the view's arrival order (tie-breaker)
    occurred_at: datetime  # aware
    event_type: str  # e.g. "ipro.training.enrolled"
    actor_role: str
    actor_id: str
    # Upcast to the newest schema version, JSON-decoded (dates and instants as ISO strings, enums as their
    # values), personal-data fields removed.
    payload: dict


# Statuses of a referral placed in its group's sessions (waiting is not placed in them).
IN_THE_GROUP = (ProgrammeStatus.ENROLLED, ProgrammeStatus.PARTICIPATING)


class FileState:
    """What the fold has read so far: the person's facts, and the context their events name. Each dict holds
    the fields of the model it becomes, so that building the file is one validation."""

    def __init__(self, subject_id: str) -> None:
        self.subject_id = subject_id
        self.timeline: list[dict[str, Any]] = []
        # SPIP follow-up
        self.cases: dict[str, dict[str, Any]] = {}
        self.case_id: str | None = None  # the latest case opened
        self.assessments: dict[str, dict[str, Any]] = {}  # those not yet validated
        self.assessment_kinds: dict[str, str] = {}
        self.validated: dict[str, Any] | None = None
        self.plans: dict[str, dict[str, Any]] = {}
        self.plan_id: str | None = None
        self.missed: dict[str, dict[str, Any]] = {}  # deadline id -> {case_id, kind, due_on}
        # interview id -> {starts_at, ends_at, place, interview_type, open}: a convocation as last set; open
        # while neither cancelled nor held
        self.appointments: dict[str, dict[str, Any]] = {}
        # programmes: the catalogue and groups as context, the person's referrals and marks
        self.programmes: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.referrals: dict[str, dict[str, Any]] = {}
        # Timeline entries about a referral: whether it is sensitive is settled on what the file knows at the
        # end (a group or revision marking it so later hides its whole history).
        self.about_referrals: list[tuple[dict[str, Any], str]] = []
        self.told_about = ""
        self.marks: dict[str, dict[str, str]] = {}  # referral id -> session id -> mark
        # IPRO
        self.pathways: dict[str, dict[str, Any]] = {}
        self.pathway_id: str | None = None
        self.advisers: dict[str, str] = {}  # pathway id -> adviser
        self.works: dict[str, dict[str, Any]] = {}
        self.work_id: str | None = None
        self.affectations: dict[str, dict[str, Any]] = {}
        self.contracts: dict[str, dict[str, Any]] = {}
        self.contract_id: str | None = None
        self.trainings: dict[str, dict[str, Any]] = {}
        self.positionings: dict[str, dict[str, Any]] = {}
        # partners, as context of positionings
        self.actions: dict[str, dict[str, Any]] = {}
        self.partners: dict[str, str] = {}  # partner id -> name

    def programme_of(self, referral: dict[str, Any]) -> dict[str, Any] | None:
        return self.programmes.get(referral["programme_id"])

    def sensitive(self, referral: dict[str, Any]) -> bool:
        programme = self.programmes.get(referral["programme_id"])
        group = self.groups.get(referral["group_id"]) if referral["group_id"] else None
        return bool((programme and programme["sensitive"]) or (group and group["sensitive"]))

    def referral_part(self, referral: dict[str, Any]) -> Part:
        self.told_about = referral["referral_id"]
        return Part.PROGRAMMES_SENSITIVE if self.sensitive(referral) else Part.PROGRAMMES

    def placed_in(self, group_id: str) -> dict[str, Any] | None:
        """The person's referral taking part in the group, if any."""
        for referral in self.referrals.values():
            if referral["group_id"] == group_id and referral["status"] in IN_THE_GROUP:
                return referral
        return None

    def session(self, group_id: str, session_id: str) -> dict[str, Any] | None:
        group = self.groups.get(group_id)
        return group["sessions"].get(session_id) if group else None


# A handler applies an event to the state and says which part of the file the event belongs to, or None when
# it is context (a programme, a partner...) or someone else's fact.
Apply = Callable[[FileState, dict[str, Any], FileEvent], Part | None]


def as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def as_instant(value: str) -> datetime:
    return datetime.fromisoformat(value)
