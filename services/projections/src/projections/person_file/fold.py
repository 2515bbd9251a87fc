"""The person file as a pure fold of the events of the four services' shareable topics (issue 14, ADR 18).

`fold(subject, events, now=…)` reads the events concerning the person, and those giving them context (the
programmes, groups, actions and partners the person's own events name), in the order they happened. It keeps
plain dicts while it reads, one handler per event type below, and builds the pydantic file once at the end:
a file is folded on every read. An event type it does not know is skipped, so a newer producer never breaks
a read; so is an event about someone else (another participant's attendance mark, a referral of theirs).

`now` only decides what is due, overdue or upcoming: folding the events up to T gives the file as it stood
at T.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from contracts.ipro import LeaveKind
from kernel.clock import local_date, start_of_day
from projections.person_file.french import label
from projections.person_file.model import (
    ActionKind,
    AssessmentProgress,
    CaseStatus,
    ClassementStatus,
    ContractEnd,
    ContractStatus,
    DueKind,
    LeaveStatus,
    Part,
    PersonFile,
    PositioningStatus,
    ProgrammeStatus,
    TrainingStatus,
    UpcomingKind,
    WorkStatus,
)
from projections.person_file.timeline import SENTENCES, session_name


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


def fold(subject_id: str, events: Iterable[FileEvent], *, now: datetime) -> PersonFile:
    """The person's file from their events sorted by (occurred_at, seq); `now` (aware) for due and upcoming."""
    state = FileState(subject_id)
    timeline = state.timeline
    for event in events:
        apply = _APPLY.get(event.event_type)
        if apply is None:
            continue  # a type this reader does not know yet, or one that is nobody's fact (a call, a proposal)
        part = apply(state, event.payload, event)
        if part is None:
            continue  # context (a programme, a partner...) or someone else's fact
        told = SENTENCES[event.event_type](state, event.payload)
        sentence, detail = told if isinstance(told, tuple) else (told, None)
        entry = {
            "at": event.occurred_at,
            "service": event.event_type.split(".", 1)[0],
            "event_type": event.event_type,
            "sentence": sentence,
            "detail": detail or None,
            "actor_role": event.actor_role,
            "actor_id": event.actor_id,
            "part": part,
        }
        timeline.append(entry)
        if part in PROGRAMME_PARTS:
            state.about_referrals.append((entry, state.told_about))
    return PersonFile.model_validate(_built(state, now))


# --- the state read so far -------------------------------------------------------------------------------

PROGRAMME_PARTS = (Part.PROGRAMMES, Part.PROGRAMMES_SENSITIVE)
# Statuses of a referral placed in its group's sessions (waiting is not placed in them).
IN_THE_GROUP = (ProgrammeStatus.ENROLLED, ProgrammeStatus.PARTICIPATING)
ATTENDED = ("present", "late")
NOT_COUNTED = "absent_excused"  # an excused absence counts neither way (the programmes service's rule)


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


Apply = Callable[[FileState, dict[str, Any], FileEvent], Part | None]
_APPLY: dict[str, Apply] = {}


def _on(*event_types: str) -> Callable[[Apply], Apply]:
    def register(apply: Apply) -> Apply:
        for event_type in event_types:
            _APPLY[event_type] = apply
        return apply

    return register


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- assessment: the case, assessments, plans, interviews, deadlines ----------------------------------------


@_on("assessment.case.opened")
def _case_opened(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["subject_id"] != s.subject_id:
        return None
    s.cases[p["case_id"]] = {
        "case_id": p["case_id"],
        "establishment": p["establishment"],
        "admission_date": _date(p["admission_date"]),
        "referent": None,
        "status": CaseStatus.OPEN,
        "closure_reason": None,
        "closed_on": None,
        "sentence": p["sentence"],
    }
    s.case_id = p["case_id"]
    return Part.IDENTITY


@_on("assessment.case.referent_assigned")
def _referent_assigned(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (case := s.cases.get(p["case_id"])) is None:
        return None
    case["referent"] = p["referent"]
    return Part.IDENTITY


@_on("assessment.case.sentence_updated")
def _sentence_updated(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (case := s.cases.get(p["case_id"])) is None:
        return None
    case["sentence"] = p["sentence"]
    return Part.IDENTITY


@_on("assessment.case.transferred")
def _case_transferred(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (case := s.cases.get(p["case_id"])) is None:
        return None
    case["establishment"] = p["establishment"]
    return Part.IDENTITY


@_on("assessment.case.closed")
def _case_closed(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (case := s.cases.get(p["case_id"])) is None:
        return None
    case.update(status=CaseStatus.CLOSED, closure_reason=p["reason"], closed_on=_date(p["closed_on"]))
    _resolve_missed(s, p["case_id"], ("initial_assessment", "annual_assessment", "plan_review"))
    return Part.IDENTITY


@_on("assessment.assessment.started")
def _assessment_started(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["case_id"] not in s.cases:
        return None
    s.assessments[p["assessment_id"]] = {
        "assessment_id": p["assessment_id"],
        "case_id": p["case_id"],
        "kind": p["kind"],
        "status": AssessmentProgress.STARTED,
        "started_on": local_date(e.occurred_at),
        "submitted_on": None,
    }
    s.assessment_kinds[p["assessment_id"]] = p["kind"]
    return Part.SPIP


@_on("assessment.assessment.contribution_requested")
def _contribution_requested(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    return Part.SPIP if p["assessment_id"] in s.assessment_kinds else None


@_on("assessment.assessment.submitted")
def _assessment_submitted(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (assessment := s.assessments.get(p["assessment_id"])) is None:
        return None
    assessment.update(status=AssessmentProgress.SUBMITTED, submitted_on=local_date(e.occurred_at))
    return Part.SPIP


@_on("assessment.assessment.returned")
def _assessment_returned(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    """Restricted (its comments are): it never reaches this view's topics, but its status would be shown."""
    if (assessment := s.assessments.get(p["assessment_id"])) is not None:
        assessment["status"] = AssessmentProgress.RETURNED
    return None


@_on("assessment.assessment.validated")
def _assessment_validated(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["case_id"] not in s.cases:
        return None
    s.assessments.pop(p["assessment_id"], None)
    s.assessment_kinds[p["assessment_id"]] = p["kind"]
    rating = p.get("education_employment")
    s.validated = {
        "assessment_id": p["assessment_id"],
        "kind": p["kind"],
        "validated_on": _date(p["validated_on"]),
        "overall_risk_level": p["overall_risk_level"],
        "priority_axes": p["priority_axes"],
        "education_employment": rating and {k: rating[k] for k in ("risk_factor", "nature", "level")},
    }
    _resolve_missed(s, p["case_id"], ("initial_assessment", "annual_assessment"))
    return Part.SPIP


@_on("assessment.plan.adopted")
def _plan_adopted(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["case_id"] not in s.cases:
        return None
    s.plans[p["plan_id"]] = {
        "plan_id": p["plan_id"],
        "case_id": p["case_id"],
        "version": p["plan_version"],
        "adopted_on": local_date(e.occurred_at),
        "validated": False,
        "agreement": None,
        "review_date": _date(p["review_date"]),
        "objectives": {
            o["objective_id"]: {
                "objective_id": o["objective_id"],
                "priority": o["priority"],
                "work_axis": o["work_axis"],
                "description": o["description"],
                "status": "active",
            }
            for o in sorted(p["objectives"], key=lambda o: o["priority"])
        },
    }
    s.plan_id = p["plan_id"]
    _resolve_missed(s, p["case_id"], ("plan_review",))
    return Part.SPIP


@_on("assessment.plan.agreement_recorded")
def _plan_agreement(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (plan := s.plans.get(p["plan_id"])) is None:
        return None
    plan["agreement"] = p["agreement"]
    return Part.SPIP


@_on("assessment.plan.validated")
def _plan_validated(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (plan := s.plans.get(p["plan_id"])) is None:
        return None
    if p["plan_version"] == plan["version"]:
        plan["validated"] = True
    return Part.SPIP


@_on("assessment.plan.objective_status_changed")
def _objective_status(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (plan := s.plans.get(p["plan_id"])) is None:
        return None
    if (objective := plan["objectives"].get(p["objective_id"])) is not None:
        objective["status"] = p["status"]
    return Part.SPIP


@_on("assessment.interview.held")
def _interview_held(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    return Part.SPIP if p["case_id"] in s.cases else None


@_on("assessment.deadline.missed")
def _deadline_missed(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["case_id"] not in s.cases:
        return None
    s.missed[p["deadline_id"]] = {"case_id": p["case_id"], "kind": p["kind"], "due_on": _date(p["due_on"])}
    return Part.SPIP


def _resolve_missed(s: FileState, case_id: str, kinds: tuple[str, ...]) -> None:
    """A missed item is done by the next assessment validated or plan version adopted, or void at the close."""
    for deadline_id, missed in list(s.missed.items()):
        if missed["case_id"] == case_id and missed["kind"] in kinds:
            del s.missed[deadline_id]


# --- programmes: the catalogue and groups (context), the person's referrals -----------------------------------


@_on("programmes.programme.created", "programmes.programme.revised")
def _programme_defined(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    definition = p["definition"]
    s.programmes[p["programme_id"]] = {
        "code": definition["code"],
        "name": definition["name"],
        "kind": definition["kind"],
        "sensitive": definition.get("sensitive", False),
    }
    return None


@_on("programmes.group.planned")
def _group_planned(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    s.groups[p["group_id"]] = {
        "programme_id": p["programme_id"],
        "start_date": _date(p["start_date"]),
        "end_date": _date(p["end_date"]),
        "room": p["room"],
        "sensitive": p.get("sensitive", False),
        "sessions": {session["session_id"]: _session(session) for session in p["sessions"]},
    }
    return None


def _session(session: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": session["number"],
        "starts_at": _instant(session["starts_at"]),
        "ends_at": _instant(session["ends_at"]),
        "room": session["room"],
        "review": session.get("review", False),
        "catch_up": session.get("catch_up", False),
        "cancelled": False,
        "held": False,
    }


@_on("programmes.group.started", "programmes.group.closed")
def _group_milestone(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    referral = s.placed_in(p["group_id"])
    return s.referral_part(referral) if referral else None


@_on("programmes.group.session_moved")
def _group_session_moved(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    group = s.groups.get(p["group_id"])
    if group is None or (session := group["sessions"].get(p["session_id"])) is None:
        return None
    session.update(
        starts_at=_instant(p["starts_at"]), ends_at=_instant(p["ends_at"]), room=p["room"], cancelled=False
    )
    return _group_milestone(s, p, e)


@_on("programmes.group.session_cancelled")
def _group_session_cancelled(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    group = s.groups.get(p["group_id"])
    if group is None or (session := group["sessions"].get(p["session_id"])) is None:
        return None
    session["cancelled"] = True
    return _group_milestone(s, p, e)


@_on("programmes.group.catch_up_session_added")
def _group_catch_up(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (group := s.groups.get(p["group_id"])) is None:
        return None
    group["sessions"][p["session"]["session_id"]] = _session(p["session"])
    return _group_milestone(s, p, e)


@_on(
    "programmes.group.opened",
    # The group's stream repeats who takes a seat, waits or leaves: the referral's stream tells it.
    "programmes.group.participant_enrolled",
    "programmes.group.participant_waitlisted",
    "programmes.group.participant_left",
)
def _told_elsewhere(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    return None


@_on("programmes.group.attendance_recorded")
def _attendance_recorded(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    group = s.groups.get(p["group_id"])
    if group is not None and (session := group["sessions"].get(p["session_id"])) is not None:
        session["held"] = True
    part = None
    for mark in p["marks"]:
        if (referral := s.referrals.get(mark["referral_id"])) is not None:
            s.marks.setdefault(mark["referral_id"], {})[p["session_id"]] = mark["mark"]
            part = s.referral_part(referral)
    return part


@_on("programmes.referral.requested")
def _referral_requested(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["subject_id"] != s.subject_id:
        return None
    referral = s.referrals[p["referral_id"]] = {
        "referral_id": p["referral_id"],
        "programme_id": p["programme_id"],
        "plan_id": p["plan_id"],
        "objective_id": p["objective_id"],
        "requested_on": local_date(e.occurred_at),
        "status": ProgrammeStatus.REQUESTED,
        "consent": None,
        "group_id": None,
        "waiting_since": None,
        "ended_on": None,
        "assessed": None,
        "certificate_id": None,
        "certificate_issued_on": None,
    }
    return s.referral_part(referral)


def _on_referral(*event_types: str):
    """A handler of an event of one of the person's referrals: `change(referral, payload, event)`."""

    def register(change: Callable[[dict[str, Any], dict[str, Any], FileEvent], None]):
        def apply(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
            if (referral := s.referrals.get(p["referral_id"])) is None:
                return None
            change(referral, p, e)
            return s.referral_part(referral)

        return _on(*event_types)(apply)

    return register


@_on_referral("programmes.referral.found_eligible", "programmes.referral.eligibility_overridden")
def _referral_eligible(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral["status"] = ProgrammeStatus.ELIGIBLE


@_on_referral("programmes.referral.refused")
def _referral_refused(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral["status"] = ProgrammeStatus.REFUSED


@_on_referral("programmes.referral.consent_recorded")
def _referral_consent(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral["consent"] = p["given"]


@_on_referral("programmes.referral.waitlisted")
def _referral_waitlisted(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral.update(
        status=ProgrammeStatus.WAITLISTED, group_id=p["group_id"], waiting_since=local_date(e.occurred_at)
    )


@_on_referral("programmes.referral.enrolled")
def _referral_enrolled(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral.update(status=ProgrammeStatus.ENROLLED, group_id=p["group_id"], waiting_since=None)


@_on_referral("programmes.referral.participation_started")
def _referral_started(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral.update(status=ProgrammeStatus.PARTICIPATING, group_id=p["group_id"])


_ENDINGS = {
    "programmes.referral.dropped_out": ProgrammeStatus.DROPPED_OUT,
    "programmes.referral.excluded": ProgrammeStatus.EXCLUDED,
    "programmes.referral.withdrawn": ProgrammeStatus.WITHDRAWN,
}


@_on_referral(*_ENDINGS)
def _referral_ended(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral.update(status=_ENDINGS[e.event_type], ended_on=local_date(e.occurred_at), waiting_since=None)


@_on_referral("programmes.referral.ended_on_release")
def _referral_ended_on_release(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral.update(
        status=ProgrammeStatus.ENDED_ON_RELEASE, ended_on=_date(p["released_on"]), waiting_since=None
    )


@_on_referral("programmes.referral.participation_assessed")
def _referral_assessed(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral.update(
        status=ProgrammeStatus.COMPLETED if p["completed"] else ProgrammeStatus.NOT_COMPLETED,
        ended_on=local_date(e.occurred_at),
        assessed={k: p[k] for k in ("sessions_attended", "sessions_counted", "attendance_rate", "completed")},
    )


@_on_referral("programmes.referral.completion_certificate_issued")
def _referral_certificate(referral: dict[str, Any], p: dict[str, Any], e: FileEvent) -> None:
    referral.update(certificate_id=p["certificate_id"], certificate_issued_on=_date(p["issued_on"]))


# --- IPRO: the pathway, work, trainings, positionings -------------------------------------------------------


@_on("ipro.pathway.opened")
def _pathway_opened(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["subject_id"] != s.subject_id:
        return None
    s.pathways[p["pathway_id"]] = {
        "pathway_id": p["pathway_id"],
        "establishment": p["establishment"],
        "opened_on": _date(p["opened_on"]),
        "synthesis_due_on": _date(p["synthesis_due_on"]),
        "synthesis_written_on": None,
        "readiness": None,
        "goals": {},
        "france_travail_registered_on": None,
        "leaves": {},
        "exit_outcome": None,
        "closed_on": None,
    }
    s.pathway_id = p["pathway_id"]
    return Part.IPRO


def _on_pathway(*event_types: str):
    """A handler of an event of one of the person's pathways: `change(state, pathway, payload)`."""

    def register(change: Callable[[FileState, dict[str, Any], dict[str, Any]], None]):
        def apply(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
            if (pathway := s.pathways.get(p["pathway_id"])) is None:
                return None
            change(s, pathway, p)
            return Part.IPRO

        return _on(*event_types)(apply)

    return register


@_on_pathway(
    "ipro.pathway.profile_recorded",
    "ipro.pathway.follow_up_interview_held",
    "ipro.deadline.synthesis_missed",  # the pathway's own due date says it already
)
def _pathway_noted(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    pass


@_on_pathway("ipro.pathway.adviser_assigned")
def _adviser_assigned(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    s.advisers[p["pathway_id"]] = p["adviser"]


@_on_pathway("ipro.pathway.synthesis_written")
def _synthesis_written(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    pathway["synthesis_written_on"] = _date(p["interview_held_on"])


@_on_pathway("ipro.pathway.readiness_changed")
def _readiness_changed(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    pathway["readiness"] = p["status"]


@_on_pathway("ipro.pathway.goal_set")
def _goal_set(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    pathway["goals"][p["goal_id"]] = {
        "goal_id": p["goal_id"],
        "description": p["description"],
        "status": "active",
        "steps": {
            step["step_id"]: {
                "step_id": step["step_id"],
                "description": step["description"],
                "status": "active",
            }
            for step in p.get("steps", ())
        },
    }


@_on_pathway("ipro.pathway.goal_status_changed")
def _goal_status_changed(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    if (goal := pathway["goals"].get(p["goal_id"])) is None:
        return
    if p.get("step_id"):
        if (step := goal["steps"].get(p["step_id"])) is not None:
            step["status"] = p["status"]
    else:
        goal["status"] = p["status"]


@_on_pathway("ipro.pathway.france_travail_registered")
def _france_travail(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    pathway["france_travail_registered_on"] = _date(p["registered_on"])


@_on_pathway("ipro.pathway.leave_requested")
def _leave_requested(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    pathway["leaves"][p["leave_id"]] = {
        "leave_id": p["leave_id"],
        "kind": p["kind"],
        "starts_on": _date(p["starts_on"]),
        "ends_on": _date(p["ends_on"]),
        "status": LeaveStatus.REQUESTED,
    }


@_on_pathway("ipro.pathway.leave_decided", "ipro.pathway.leave_done")
def _leave_status(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    if (leave := pathway["leaves"].get(p["leave_id"])) is None:
        return
    if "approved" in p:
        leave["status"] = LeaveStatus.APPROVED if p["approved"] else LeaveStatus.REFUSED
    else:
        leave["status"] = LeaveStatus.DONE


@_on_pathway("ipro.pathway.exit_outcome_recorded")
def _exit_outcome(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    pathway["exit_outcome"] = _outcome(p["outcome"])


@_on_pathway("ipro.pathway.closed")
def _pathway_closed(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    pathway.update(closed_on=_date(p["closed_on"]), exit_outcome=_outcome(p["outcome"]))


def _outcome(outcome: dict[str, Any]) -> dict[str, Any]:
    return {"situation": outcome["situation"], "contract_type": outcome.get("contract_type")}


@_on("ipro.work.classement_requested")
def _classement_requested(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["subject_id"] != s.subject_id:
        return None
    s.works[p["work_id"]] = {
        "status": ClassementStatus.REQUESTED,
        "requested_on": _date(p["requested_on"]),
        "cpu_favourable": None,
        "regimes": [],
        "decided_on": None,
    }
    s.work_id = p["work_id"]
    return Part.IPRO


def _on_work(*event_types: str):
    """A handler of an event of one of the person's work files: `change(state, work, payload)`."""

    def register(change: Callable[[FileState, dict[str, Any], dict[str, Any]], None]):
        def apply(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
            if (work := s.works.get(p["work_id"])) is None:
                return None
            change(s, work, p)
            return Part.IPRO

        return _on(*event_types)(apply)

    return register


@_on_work(
    "ipro.work.employer_interview_held",
    "ipro.work.preliminary_interview_held",
    "ipro.work.adversarial_hearing_held",
)
def _work_noted(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    pass


@_on_work("ipro.work.cpu_opinion_recorded")
def _cpu_opinion(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    work["cpu_favourable"] = p["favourable"]


@_on_work("ipro.work.classement_granted")
def _classement_granted(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    work.update(status=ClassementStatus.GRANTED, regimes=p["regimes"], decided_on=_date(p["decided_on"]))


@_on_work("ipro.work.classement_refused")
def _classement_refused(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    work.update(status=ClassementStatus.REFUSED, regimes=[], decided_on=_date(p["decided_on"]))


@_on_work("ipro.work.declassified")
def _declassified(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    work.update(status=ClassementStatus.DECLASSIFIED, regimes=[], decided_on=_date(p["decided_on"]))
    for affectation in s.affectations.values():
        if affectation["work_id"] == p["work_id"]:
            affectation["ended"] = True


@_on_work("ipro.work.affectation_decided")
def _affectation_decided(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    s.affectations[p["affectation_id"]] = {
        "work_id": p["work_id"],
        "affectation_id": p["affectation_id"],
        "post": p["post"],
        "workshop": p["workshop"],
        "employer": p["employer"],
        "regime": p["regime"],
        "schedule": p["schedule"],
        "starts_on": _date(p["starts_on"]),
        "contract_id": None,
        "ended": False,
    }


@_on_work("ipro.work.affectation_ended_on_release")
def _affectation_ended(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    if (affectation := s.affectations.get(p["affectation_id"])) is not None:
        affectation["ended"] = True


@_on_work("ipro.work.contract_signed")
def _contract_signed(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    affectation = s.affectations.get(p["affectation_id"])
    if affectation is not None:
        affectation["contract_id"] = p["contract_id"]
    s.contracts[p["contract_id"]] = {
        "contract_id": p["contract_id"],
        "post": affectation["post"] if affectation else None,
        "affectation_id": p["affectation_id"],
        "status": ContractStatus.ACTIVE,
        "signed_on": _date(p["signed_on"]),
        "starts_on": _date(p["starts_on"]),
        "ends_on": _date(p.get("ends_on")),
        "trial_days": p["trial_days"],
        "suspended_on": None,
        "suspension_reason": None,
        "ended_on": None,
        "end_reason": None,
    }
    s.contract_id = p["contract_id"]


@_on_work("ipro.work.contract_suspended")
def _contract_suspended(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    if (contract := s.contracts.get(p["contract_id"])) is not None:
        contract.update(
            status=ContractStatus.SUSPENDED,
            suspended_on=_date(p["suspended_on"]),
            suspension_reason=p["reason"],
        )


@_on_work("ipro.work.contract_resumed")
def _contract_resumed(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    if (contract := s.contracts.get(p["contract_id"])) is not None:
        contract.update(status=ContractStatus.ACTIVE, suspended_on=None, suspension_reason=None)


@_on_work("ipro.work.contract_ended", "ipro.work.contract_ended_on_release")
def _contract_ended(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    if (contract := s.contracts.get(p["contract_id"])) is None:
        return
    contract.update(
        status=ContractStatus.ENDED,
        ended_on=_date(p["ended_on"]),
        end_reason=p.get("reason", ContractEnd.RELEASE),
        suspended_on=None,
        suspension_reason=None,
    )
    if (affectation := s.affectations.get(contract["affectation_id"])) is not None:
        affectation["ended"] = True


@_on("ipro.training.enrolled")
def _training_enrolled(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["subject_id"] != s.subject_id:
        return None
    s.trainings[p["training_id"]] = {
        "training_id": p["training_id"],
        "title": p["title"],
        "body": p["body"],
        "certification": p.get("certification", ""),
        "starts_on": _date(p["starts_on"]),
        "ends_on": _date(p["ends_on"]),
        "hours": p["hours"],
        "status": TrainingStatus.ENROLLED,
        "certification_obtained": None,
        "completed_on": None,
    }
    return Part.IPRO


def _on_training(*event_types: str):
    def register(change: Callable[[dict[str, Any], dict[str, Any]], None]):
        def apply(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
            if (training := s.trainings.get(p["training_id"])) is None:
                return None
            change(training, p)
            return Part.IPRO

        return _on(*event_types)(apply)

    return register


@_on_training("ipro.training.started")
def _training_started(training: dict[str, Any], p: dict[str, Any]) -> None:
    training["status"] = TrainingStatus.IN_PROGRESS


@_on_training("ipro.training.completed")
def _training_completed(training: dict[str, Any], p: dict[str, Any]) -> None:
    training.update(
        status=TrainingStatus.COMPLETED,
        certification_obtained=p["certification_obtained"],
        completed_on=_date(p["completed_on"]),
    )


@_on_training("ipro.training.dropped_out")
def _training_dropped_out(training: dict[str, Any], p: dict[str, Any]) -> None:
    training["status"] = TrainingStatus.DROPPED_OUT


@_on("ipro.positioning.proposed")
def _positioning_proposed(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["subject_id"] != s.subject_id:
        return None
    action = s.actions.get(p["action_id"], {})
    s.positionings[p["positioning_id"]] = {
        "positioning_id": p["positioning_id"],
        "action_id": p["action_id"],
        "action_title": p.get("title") or action.get("title", ""),
        "partner_id": p["partner_id"],
        "session_id": p["session_id"],
        "starts_at": _instant(p["starts_at"]),
        "ends_at": _instant(p["ends_at"]),
        "place": p.get("place", ""),
        "status": PositioningStatus.PROPOSED,
        "outcome": None,
    }
    return Part.IPRO


_POSITIONING_STATUSES = {
    "ipro.positioning.confirmed": PositioningStatus.CONFIRMED,
    "ipro.positioning.attended": PositioningStatus.ATTENDED,
    "ipro.positioning.no_show_recorded": PositioningStatus.NO_SHOW,
    "ipro.positioning.withdrawn": PositioningStatus.WITHDRAWN,
    "ipro.positioning.cancelled": PositioningStatus.CANCELLED,
}


@_on(*_POSITIONING_STATUSES, "ipro.positioning.outcome_recorded", "ipro.positioning.moved")
def _positioning_changed(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (positioning := s.positionings.get(p["positioning_id"])) is None:
        return None
    if e.event_type in _POSITIONING_STATUSES:
        positioning["status"] = _POSITIONING_STATUSES[e.event_type]
    elif "outcome" in p:
        positioning["outcome"] = p["outcome"]
    else:
        positioning.update(
            starts_at=_instant(p["starts_at"]),
            ends_at=_instant(p["ends_at"]),
            place=p.get("place") or positioning["place"],
        )
    return Part.IPRO


# --- partners: actions and organisations, as context of positionings -----------------------------------------


@_on("partners.partner.registered")
def _partner_registered(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    s.partners[p["partner_id"]] = p["name"]
    return None


@_on("partners.action.created")
def _action_created(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    s.actions[p["action_id"]] = {"title": p["title"], "partner_id": p["partner_id"]}
    return None


# --- the file, built once ----------------------------------------------------------------------------------


def _built(s: FileState, now: datetime) -> dict[str, Any]:
    today = local_date(now)
    for entry, referral_id in s.about_referrals:
        if s.sensitive(s.referrals[referral_id]):
            entry["part"] = Part.PROGRAMMES_SENSITIVE
    programmes = [_programme_entry(s, referral) for referral in s.referrals.values()]
    return {
        "subject_id": s.subject_id,
        "identity": None,
        "case": s.cases.get(s.case_id) if s.case_id else None,
        "ipro_adviser": s.advisers.get(s.pathway_id) if s.pathway_id else None,
        "assessment": s.validated,
        "assessment_in_progress": _in_progress(s),
        "plan": _plan(s),
        "programmes": programmes,
        "ipro": _ipro(s),
        "due": _due(s, today),
        "upcoming": _upcoming(s, now, today),
        "timeline": s.timeline,
    }


def _in_progress(s: FileState) -> dict[str, Any] | None:
    current = [a for a in s.assessments.values() if a["case_id"] == s.case_id]
    if not current:
        return None
    assessment = current[-1]
    return {k: v for k, v in assessment.items() if k != "case_id"}


def _programme_entry(s: FileState, referral: dict[str, Any]) -> dict[str, Any]:
    programme = s.programme_of(referral) or {}
    group = s.groups.get(referral["group_id"]) if referral["group_id"] else None
    if referral["assessed"] is not None:
        attendance = referral["assessed"]
    else:
        marks = [m for m in s.marks.get(referral["referral_id"], {}).values() if m != NOT_COUNTED]
        attended = sum(m in ATTENDED for m in marks)
        attendance = {
            "sessions_attended": attended,
            "sessions_counted": len(marks),
            "attendance_rate": round(attended / len(marks), 4) if marks else None,
            "completed": None,
        }
    return {
        "referral_id": referral["referral_id"],
        "programme_id": referral["programme_id"],
        "programme_code": programme.get("code"),
        "programme_name": programme.get("name"),
        "objective_id": referral["objective_id"],
        "requested_on": referral["requested_on"],
        "status": referral["status"],
        "consent": referral["consent"],
        "group_id": referral["group_id"],
        "group_start_date": group and group["start_date"],
        "group_end_date": group and group["end_date"],
        "room": group and group["room"],
        "waiting_since": referral["waiting_since"],
        "ended_on": referral["ended_on"],
        **attendance,
        "certificate_id": referral["certificate_id"],
        "certificate_issued_on": referral["certificate_issued_on"],
        "sensitive": s.sensitive(referral),
    }


def _plan(s: FileState) -> dict[str, Any] | None:
    plan = s.plans.get(s.plan_id) if s.plan_id else None
    if plan is None:
        return None
    work_actions = _work_actions(s)
    objectives = []
    for objective in plan["objectives"].values():
        actions = [
            {
                "kind": ActionKind.REFERRAL,
                "ref_id": referral["referral_id"],
                "title": (s.programme_of(referral) or {}).get("name", "Programme"),
                "status": referral["status"],
                "on": referral["requested_on"],
                "sensitive": s.sensitive(referral),
            }
            for referral in s.referrals.values()
            if referral["plan_id"] == plan["plan_id"]
            and referral["objective_id"] == objective["objective_id"]
        ]
        if objective["work_axis"] == "education_employment":
            actions += work_actions
        objectives.append({**objective, "actions": actions})
    return {**{k: v for k, v in plan.items() if k != "case_id"}, "objectives": objectives}


def _work_actions(s: FileState) -> list[dict[str, Any]]:
    """What IPRO did that serves an education and employment objective: trainings, positionings, posts."""
    actions = [
        {
            "kind": ActionKind.TRAINING,
            "ref_id": t["training_id"],
            "title": t["title"],
            "status": t["status"],
            "on": t["starts_on"],
        }
        for t in s.trainings.values()
    ]
    actions += [
        {
            "kind": ActionKind.POSITIONING,
            "ref_id": p["positioning_id"],
            "title": p["action_title"] or "Action partenaire",
            "status": p["status"],
            "on": local_date(p["starts_at"]),
        }
        for p in s.positionings.values()
    ]
    for a in s.affectations.values():
        contract = s.contracts.get(a["contract_id"]) if a["contract_id"] else None
        status = WorkStatus(contract["status"]) if contract else WorkStatus.ASSIGNED
        if a["ended"]:
            status = WorkStatus.ENDED
        actions.append(
            {
                "kind": ActionKind.WORK,
                "ref_id": a["affectation_id"],
                "title": f"{a['post']} ({a['workshop']})",
                "status": status,
                "on": a["starts_on"],
            }
        )
    return actions


def _ipro(s: FileState) -> dict[str, Any] | None:
    pathway = s.pathways.get(s.pathway_id) if s.pathway_id else None
    if pathway is None:
        return None
    posts = [a for a in s.affectations.values() if not a["ended"]]
    post = posts[-1] if posts else None
    contract = s.contracts.get(s.contract_id) if s.contract_id else None
    return {
        **pathway,
        "goals": [{**goal, "steps": list(goal["steps"].values())} for goal in pathway["goals"].values()],
        "leaves": list(pathway["leaves"].values()),
        "classement": s.works.get(s.work_id) if s.work_id else None,
        "post": post and {k: v for k, v in post.items() if k not in ("work_id", "contract_id", "ended")},
        "contract": contract and {k: v for k, v in contract.items() if k != "affectation_id"},
        "trainings": list(s.trainings.values()),
        "positionings": [
            {
                **p,
                "action_title": p["action_title"] or s.actions.get(p["action_id"], {}).get("title", ""),
                "partner_name": s.partners.get(p["partner_id"]),
            }
            for p in s.positionings.values()
        ],
    }


def _due(s: FileState, today: date) -> list[dict[str, Any]]:
    items: dict[tuple[str, date, str], dict[str, Any]] = {}

    def due(kind: DueKind, on: date | None, part: Part, title: str = "") -> None:
        if on is not None:
            items.setdefault(
                (kind, on, title),
                {"kind": kind, "due_on": on, "overdue": on < today, "title": title, "part": part},
            )

    case = s.cases.get(s.case_id) if s.case_id else None
    if case is not None and case["status"] == CaseStatus.OPEN:
        sentence = case["sentence"]
        due(DueKind.SENTENCE_END, _date(sentence["expected_end_date"]), Part.IDENTITY)
        eligibility = _date(sentence.get("conditional_release_eligibility_date"))
        if eligibility is not None and eligibility >= today:  # a possibility, not a task: gone once passed
            due(DueKind.CONDITIONAL_RELEASE_ELIGIBILITY, eligibility, Part.IDENTITY)
        plan = s.plans.get(s.plan_id) if s.plan_id else None
        if plan is not None and plan["case_id"] == s.case_id:
            due(DueKind.PLAN_REVIEW, plan["review_date"], Part.SPIP)
        for missed in s.missed.values():
            if missed["case_id"] == s.case_id:
                due(DueKind(missed["kind"]), missed["due_on"], Part.SPIP)

    pathway = s.pathways.get(s.pathway_id) if s.pathway_id else None
    if pathway is not None and pathway["closed_on"] is None:
        if pathway["synthesis_written_on"] is None:
            due(DueKind.IPRO_SYNTHESIS, pathway["synthesis_due_on"], Part.IPRO)
        contract = s.contracts.get(s.contract_id) if s.contract_id else None
        if contract is not None and contract["status"] != ContractStatus.ENDED:
            due(DueKind.CONTRACT_END, contract["ends_on"], Part.IPRO, contract["post"] or "")
        for leave in pathway["leaves"].values():
            if leave["status"] in (LeaveStatus.REQUESTED, LeaveStatus.APPROVED):
                due(DueKind.LEAVE_START, leave["starts_on"], Part.IPRO, label(LeaveKind(leave["kind"])))
        for training in s.trainings.values():
            if training["status"] == TrainingStatus.ENROLLED:
                due(DueKind.TRAINING_START, training["starts_on"], Part.IPRO, training["title"])
            elif training["status"] == TrainingStatus.IN_PROGRESS:
                due(DueKind.TRAINING_END, training["ends_on"], Part.IPRO, training["title"])
    return sorted(items.values(), key=lambda item: (item["due_on"], item["kind"], item["title"]))


def _upcoming(s: FileState, now: datetime, today: date) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for referral in s.referrals.values():
        if referral["status"] not in IN_THE_GROUP or (group := s.groups.get(referral["group_id"])) is None:
            continue
        name = (s.programme_of(referral) or {}).get("name", "Programme")
        part = s.referral_part(referral)
        for session in group["sessions"].values():
            if session["cancelled"] or session["held"] or session["ends_at"] <= now:
                continue
            which = session_name(session).lower()
            items.append(
                {
                    "kind": UpcomingKind.PROGRAMME_SESSION,
                    "on": local_date(session["starts_at"]),
                    "starts_at": session["starts_at"],
                    "ends_at": session["ends_at"],
                    "title": f"{name}, {which}",
                    "place": session["room"],
                    "part": part,
                }
            )
    for p in s.positionings.values():
        if p["status"] in (PositioningStatus.PROPOSED, PositioningStatus.CONFIRMED) and p["ends_at"] > now:
            partner = s.partners.get(p["partner_id"])
            title = p["action_title"] or "Action partenaire"
            items.append(
                {
                    "kind": UpcomingKind.PARTNER_SESSION,
                    "on": local_date(p["starts_at"]),
                    "starts_at": p["starts_at"],
                    "ends_at": p["ends_at"],
                    "title": f"{title} ({partner})" if partner else title,
                    "place": p["place"],
                    "part": Part.IPRO,
                }
            )
    for t in s.trainings.values():
        if t["status"] == TrainingStatus.ENROLLED and t["starts_on"] >= today:
            items.append(
                {
                    "kind": UpcomingKind.TRAINING_START,
                    "on": t["starts_on"],
                    "ends_on": t["ends_on"],
                    "title": f"{t['title']} ({t['body']})",
                    "part": Part.IPRO,
                }
            )
    pathway = s.pathways.get(s.pathway_id) if s.pathway_id else None
    for leave in pathway["leaves"].values() if pathway else ():
        if leave["status"] == LeaveStatus.APPROVED and leave["ends_on"] >= today:
            items.append(
                {
                    "kind": UpcomingKind.LEAVE,
                    "on": leave["starts_on"],
                    "ends_on": leave["ends_on"],
                    "title": label(LeaveKind(leave["kind"])),
                    "part": Part.IPRO,
                }
            )
    return sorted(items, key=_when)


def _when(item: dict[str, Any]) -> tuple[datetime, str]:
    return item.get("starts_at") or start_of_day(item["on"]), item["title"]
