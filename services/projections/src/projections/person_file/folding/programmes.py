"""The fold's handlers of the programmes service's events: the catalogue and groups as context, the person's
referrals and their attendance marks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kernel.clock import local_date
from projections.person_file.folding.state import Apply, FileEvent, FileState, as_date, as_instant
from projections.person_file.model import Part, ProgrammeStatus
from projections.person_file.registry import registering

APPLY: dict[str, Apply] = {}
_on = registering(APPLY)


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
        "start_date": as_date(p["start_date"]),
        "end_date": as_date(p["end_date"]),
        "room": p["room"],
        "sensitive": p.get("sensitive", False),
        "sessions": {session["session_id"]: _session(session) for session in p["sessions"]},
    }
    return None


def _session(session: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": session["number"],
        "starts_at": as_instant(session["starts_at"]),
        "ends_at": as_instant(session["ends_at"]),
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
    if (session := s.session(p["group_id"], p["session_id"])) is None:
        return None
    session.update(
        starts_at=as_instant(p["starts_at"]),
        ends_at=as_instant(p["ends_at"]),
        room=p["room"],
        cancelled=False,
    )
    return _group_milestone(s, p, e)


@_on("programmes.group.session_cancelled")
def _group_session_cancelled(s: FileState, p: dict[str, Any], e: FileEvent) -> Part | None:
    if (session := s.session(p["group_id"], p["session_id"])) is None:
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
    if (session := s.session(p["group_id"], p["session_id"])) is not None:
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
        status=ProgrammeStatus.ENDED_ON_RELEASE, ended_on=as_date(p["released_on"]), waiting_since=None
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
    referral.update(certificate_id=p["certificate_id"], certificate_issued_on=as_date(p["issued_on"]))
