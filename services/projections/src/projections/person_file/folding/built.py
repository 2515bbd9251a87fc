"""The file, built once from the state the fold reached: the latest case, plan and pathway, each referral with
its attendance, what is due and what is coming up (by `now`), and the timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from contracts.assessment import InterviewType
from contracts.ipro import LeaveKind
from kernel.clock import local_date, start_of_day
from projections.person_file.folding.state import IN_THE_GROUP, FileState, as_date
from projections.person_file.french import capitalised, label
from projections.person_file.model import (
    ActionKind,
    CaseStatus,
    ContractStatus,
    DueKind,
    LeaveStatus,
    Part,
    PersonFile,
    PositioningStatus,
    TrainingStatus,
    UpcomingKind,
    WorkStatus,
)
from projections.person_file.sentences.programmes import session_name

ATTENDED = ("present", "late")
NOT_COUNTED = "absent_excused"  # an excused absence counts neither way (the programmes service's rule)


def built(s: FileState, now: datetime) -> PersonFile:
    today = local_date(now)
    for entry, referral_id in s.about_referrals:
        if s.sensitive(s.referrals[referral_id]):
            entry["part"] = Part.PROGRAMMES_SENSITIVE
    programmes = [_programme_entry(s, referral) for referral in s.referrals.values()]
    file = {
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
    return PersonFile.model_validate(file)


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
        due(DueKind.SENTENCE_END, as_date(sentence["expected_end_date"]), Part.IDENTITY)
        eligibility = as_date(sentence.get("conditional_release_eligibility_date"))
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
    for appointment in s.appointments.values():
        if appointment["open"] and appointment["ends_at"] > now:
            items.append(
                {
                    "kind": UpcomingKind.SPIP_INTERVIEW,
                    "on": local_date(appointment["starts_at"]),
                    "starts_at": appointment["starts_at"],
                    "ends_at": appointment["ends_at"],
                    "title": capitalised(label(InterviewType(appointment["interview_type"]))),
                    "place": appointment["place"],
                    "part": Part.SPIP,
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
