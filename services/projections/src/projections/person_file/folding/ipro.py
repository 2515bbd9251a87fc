"""The fold's handlers of IPRO's events: the pathway, work (classement, posts, contracts), trainings and
positionings on partners' actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.person_file.folding.state import Apply, FileEvent, FileState, as_date, as_instant
from projections.person_file.model import (
    ClassementStatus,
    ContractEnd,
    ContractStatus,
    LeaveStatus,
    Part,
    PositioningStatus,
    TrainingStatus,
)
from projections.person_file.registry import registering

APPLY: dict[str, Apply] = {}
_on = registering(APPLY)


Change = Callable[[FileState, dict[str, Any], dict[str, Any]], None]


def _on_the_persons(table: Callable[[FileState], dict[str, dict[str, Any]]], key: str):
    """`@on(event types)` for a handler of an event of one of the person's pathways, work files or trainings,
    found in `table(state)` by the payload's `key`: `change(state, it, payload)`. An event of anyone else's is
    skipped."""

    def on(*event_types: str) -> Callable[[Change], Apply]:
        def register(change: Change) -> Apply:
            def apply(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
                if (it := table(s).get(p[key])) is None:
                    return None
                change(s, it, p)
                return Part.IPRO

            return _on(*event_types)(apply)

        return register

    return on


@_on("ipro.pathway.opened")
def _pathway_opened(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["subject_id"] != s.subject_id:
        return None
    s.pathways[p["pathway_id"]] = {
        "pathway_id": p["pathway_id"],
        "establishment": p["establishment"],
        "opened_on": as_date(p["opened_on"]),
        "synthesis_due_on": as_date(p["synthesis_due_on"]),
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


_on_pathway = _on_the_persons(lambda s: s.pathways, "pathway_id")


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
    pathway["synthesis_written_on"] = as_date(p["interview_held_on"])


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
    pathway["france_travail_registered_on"] = as_date(p["registered_on"])


@_on_pathway("ipro.pathway.leave_requested")
def _leave_requested(s: FileState, pathway: dict[str, Any], p: dict[str, Any]) -> None:
    pathway["leaves"][p["leave_id"]] = {
        "leave_id": p["leave_id"],
        "kind": p["kind"],
        "starts_on": as_date(p["starts_on"]),
        "ends_on": as_date(p["ends_on"]),
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
    pathway.update(closed_on=as_date(p["closed_on"]), exit_outcome=_outcome(p["outcome"]))


def _outcome(outcome: dict[str, Any]) -> dict[str, Any]:
    return {"situation": outcome["situation"], "contract_type": outcome.get("contract_type")}


@_on("ipro.work.classement_requested")
def _classement_requested(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if p["subject_id"] != s.subject_id:
        return None
    s.works[p["work_id"]] = {
        "status": ClassementStatus.REQUESTED,
        "requested_on": as_date(p["requested_on"]),
        "cpu_favourable": None,
        "regimes": [],
        "decided_on": None,
    }
    s.work_id = p["work_id"]
    return Part.IPRO


_on_work = _on_the_persons(lambda s: s.works, "work_id")


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
    work.update(status=ClassementStatus.GRANTED, regimes=p["regimes"], decided_on=as_date(p["decided_on"]))


@_on_work("ipro.work.classement_refused")
def _classement_refused(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    work.update(status=ClassementStatus.REFUSED, regimes=[], decided_on=as_date(p["decided_on"]))


@_on_work("ipro.work.declassified")
def _declassified(s: FileState, work: dict[str, Any], p: dict[str, Any]) -> None:
    work.update(status=ClassementStatus.DECLASSIFIED, regimes=[], decided_on=as_date(p["decided_on"]))
    for affectation in s.affectations.values():
        if affectation["work_id"] == p["work_id"]:
            affectation["ended"] = True


@_on("ipro.work.declassification_reason_recorded")
def _declassification_reason(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    """Restricted since version 2 of the declassification (ADR 25), appended right after it: the reason is
    the detail of the declassification's entry, as when it travelled with it, not an entry of its own."""
    if p["work_id"] in s.works:
        told = next((t for t in reversed(s.timeline) if t["event_type"] == "ipro.work.declassified"), None)
        if told is not None:
            told["detail"] = p["reason"] or None
    return None


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
        "starts_on": as_date(p["starts_on"]),
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
        "signed_on": as_date(p["signed_on"]),
        "starts_on": as_date(p["starts_on"]),
        "ends_on": as_date(p.get("ends_on")),
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
            suspended_on=as_date(p["suspended_on"]),
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
        ended_on=as_date(p["ended_on"]),
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
        "starts_on": as_date(p["starts_on"]),
        "ends_on": as_date(p["ends_on"]),
        "hours": p["hours"],
        "status": TrainingStatus.ENROLLED,
        "certification_obtained": None,
        "completed_on": None,
    }
    return Part.IPRO


_on_training = _on_the_persons(lambda s: s.trainings, "training_id")


@_on_training("ipro.training.started")
def _training_started(s: FileState, training: dict[str, Any], p: dict[str, Any]) -> None:
    training["status"] = TrainingStatus.IN_PROGRESS


@_on_training("ipro.training.completed")
def _training_completed(s: FileState, training: dict[str, Any], p: dict[str, Any]) -> None:
    training.update(
        status=TrainingStatus.COMPLETED,
        certification_obtained=p["certification_obtained"],
        completed_on=as_date(p["completed_on"]),
    )


@_on_training("ipro.training.dropped_out")
def _training_dropped_out(s: FileState, training: dict[str, Any], p: dict[str, Any]) -> None:
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
        "starts_at": as_instant(p["starts_at"]),
        "ends_at": as_instant(p["ends_at"]),
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
            starts_at=as_instant(p["starts_at"]),
            ends_at=as_instant(p["ends_at"]),
            place=p.get("place") or positioning["place"],
        )
    return Part.IPRO
