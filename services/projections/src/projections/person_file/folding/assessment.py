"""The fold's handlers of the assessment service's events: the case, assessments, plans, interviews and
missed deadlines."""

from __future__ import annotations

from typing import Any

from kernel.clock import local_date
from projections.person_file.folding.state import Apply, FileEvent, FileState, as_date, as_instant
from projections.person_file.model import AssessmentProgress, CaseStatus, Part
from projections.person_file.registry import registering

APPLY: dict[str, Apply] = {}
_on = registering(APPLY)


@_on("assessment.case.opened")
def _case_opened(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["subject_id"] != s.subject_id:
        return None
    s.cases[p["case_id"]] = {
        "case_id": p["case_id"],
        "establishment": p["establishment"],
        "admission_date": as_date(p["admission_date"]),
        "referent": None,
        "status": CaseStatus.OPEN,
        "closure_reason": None,
        "closed_on": None,
        "sentence": {**p["sentence"], "offence_categories": []},  # recorded apart, right after (ADR 25)
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
    case["sentence"] = {**p["sentence"], "offence_categories": case["sentence"]["offence_categories"]}
    return Part.IDENTITY


@_on("assessment.case.offences_recorded")
def _offences_recorded(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    """Restricted: the sentence's offence categories, which only SPIP readings show (`views`). No line of its
    own: the opening or the sentence's update it comes with tells it."""
    if (case := s.cases.get(p["case_id"])) is not None:
        case["sentence"]["offence_categories"] = p["offence_categories"]
    return None


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
    case.update(status=CaseStatus.CLOSED, closure_reason=p["reason"], closed_on=as_date(p["closed_on"]))
    _resolve_missed(s, p["case_id"], ("initial_assessment", "annual_assessment", "plan_review"))
    return Part.IDENTITY


@_on("assessment.case.identity_corrected")
def _identity_corrected(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    """The identity itself is the caller's (its table); the line and its reason are for SPIP readers."""
    return Part.SPIP if p["case_id"] in s.cases else None


@_on("assessment.subject.erased")
def _subject_erased(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    return Part.IDENTITY if p["subject_id"] == s.subject_id else None


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
        "validated_on": as_date(p["validated_on"]),
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
        "review_date": as_date(p["review_date"]),
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
    if (appointment := s.appointments.get(p["interview_id"])) is not None:
        appointment["open"] = False  # held: the convocation is closed
    return Part.SPIP if p["case_id"] in s.cases else None


@_on("assessment.interview.scheduled")
def _interview_scheduled(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["case_id"] not in s.cases:
        return None
    s.appointments[p["interview_id"]] = {
        "starts_at": as_instant(p["starts_at"]),
        "ends_at": as_instant(p["ends_at"]),
        "place": p["place"],
        "interview_type": p["interview_type"],
        "open": True,
    }
    return Part.SPIP


@_on("assessment.interview.rescheduled")
def _interview_rescheduled(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (appointment := s.appointments.get(p["interview_id"])) is None:
        return None
    appointment.update(
        starts_at=as_instant(p["starts_at"]), ends_at=as_instant(p["ends_at"]), place=p["place"]
    )
    return Part.SPIP


@_on("assessment.interview.cancelled")
def _interview_cancelled(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (appointment := s.appointments.get(p["interview_id"])) is None:
        return None
    appointment["open"] = False
    return Part.SPIP


@_on("assessment.deadline.missed")
def _deadline_missed(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["case_id"] not in s.cases:
        return None
    s.missed[p["deadline_id"]] = {"case_id": p["case_id"], "kind": p["kind"], "due_on": as_date(p["due_on"])}
    return Part.SPIP


def _resolve_missed(s: FileState, case_id: str, kinds: tuple[str, ...]) -> None:
    """A missed item is done by the next assessment validated or plan version adopted, or void at the close."""
    for deadline_id, missed in list(s.missed.items()):
        if missed["case_id"] == case_id and missed["kind"] in kinds:
            del s.missed[deadline_id]
