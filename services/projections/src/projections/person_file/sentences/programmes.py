"""What the programmes service's events say: the person's referrals, and their group's sessions."""

from __future__ import annotations

from typing import Any

from contracts.programmes import AttendanceMark
from kernel.clock import local_date
from projections.person_file import french
from projections.person_file.folding.state import FileState
from projections.person_file.french import label
from projections.person_file.registry import registering
from projections.person_file.sentences.words import Sentence, Told, day, instant, period, quoted

SENTENCES: dict[str, Sentence] = {}
_says = registering(SENTENCES)


class _Programme:
    """A programme as sentences name it: `le programme « PPR »`, `de l'action « Addictions »`."""

    def __init__(self, s: FileState, programme_id: str | None) -> None:
        programme = s.programmes.get(programme_id) if programme_id else None
        if programme is None:
            self.the, self.of, self.to = "un programme", "d'un programme", "à un programme"
        elif programme["kind"] == "thematic_action":
            name = quoted(programme["name"])
            self.the, self.of, self.to = f"l'action {name}", f"de l'action {name}", f"à l'action {name}"
        else:
            name = quoted(programme["name"])
            self.the, self.of, self.to = (
                f"le programme {name}",
                f"du programme {name}",
                f"au programme {name}",
            )


def _of_referral(s: FileState, p: dict[str, Any]) -> _Programme:
    return _Programme(s, s.referrals[p["referral_id"]]["programme_id"])


def _of_group(s: FileState, group_id: str) -> _Programme:
    group = s.groups.get(group_id)
    return _Programme(s, group["programme_id"] if group else None)


def _group_dates(s: FileState, group_id: str) -> str:
    group = s.groups.get(group_id)
    if group is None:
        return ""
    return f" (groupe {period(group['start_date'], group['end_date'])}, {group['room']})"


def session_name(session: dict[str, Any] | None) -> str:
    """`Séance n° 3`, `Séance de bilan`, `Séance de rattrapage`."""
    if session is None:
        return "Séance"
    if session["catch_up"]:
        return "Séance de rattrapage"
    return "Séance de bilan" if session["review"] else f"Séance n° {session['number']}"


@_says("programmes.group.started")
def _group_started(s: FileState, p: dict[str, Any]) -> Told:
    return f"Début du groupe {_of_group(s, p['group_id']).of}"


@_says("programmes.group.closed")
def _group_closed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Fin du groupe {_of_group(s, p['group_id']).of} le {day(p['closed_on'])}"


@_says("programmes.group.session_moved")
def _group_session_moved(s: FileState, p: dict[str, Any]) -> Told:
    session = s.session(p["group_id"], p["session_id"])
    return (
        f"{session_name(session)} {_of_group(s, p['group_id']).of} déplacée au "
        f"{instant(p['starts_at'])} ({p['room']})"
    )


@_says("programmes.group.session_cancelled")
def _group_session_cancelled(s: FileState, p: dict[str, Any]) -> Told:
    session = s.session(p["group_id"], p["session_id"])
    when = f" du {instant(session['starts_at'])}" if session else ""
    return f"{session_name(session)} {_of_group(s, p['group_id']).of}{when} annulée", p.get("reason")


@_says("programmes.group.catch_up_session_added")
def _group_catch_up(s: FileState, p: dict[str, Any]) -> Told:
    session = p["session"]
    return (
        f"Séance de rattrapage {_of_group(s, p['group_id']).of} prévue le {instant(session['starts_at'])} "
        f"({session['room']})"
    )


@_says("programmes.group.attendance_recorded")
def _attendance_recorded(s: FileState, p: dict[str, Any]) -> Told:
    mine = [m for m in p["marks"] if m["referral_id"] in s.referrals]
    mark = mine[-1]
    session = s.session(p["group_id"], p["session_id"])
    when = f" du {day(local_date(session['starts_at']))}" if session else ""
    which = f"{session_name(session).lower()} {_of_group(s, p['group_id']).of}{when}"
    return f"{label(AttendanceMark(mark['mark']))} : {which}", mark.get("reason")


@_says("programmes.referral.requested")
def _referral_requested(s: FileState, p: dict[str, Any]) -> Told:
    return f"Orientation vers {_Programme(s, p['programme_id']).the}"


@_says("programmes.referral.found_eligible")
def _referral_eligible(s: FileState, p: dict[str, Any]) -> Told:
    return f"Conditions d'accès {_of_referral(s, p).to} remplies"


@_says("programmes.referral.refused")
def _referral_refused(s: FileState, p: dict[str, Any]) -> Told:
    rules = ", ".join(french.FAILED_RULES.get(rule, rule) for rule in p["failed_rules"])
    return f"Conditions d'accès {_of_referral(s, p).to} non remplies : {rules}"


@_says("programmes.referral.eligibility_overridden")
def _referral_overridden(s: FileState, p: dict[str, Any]) -> Told:
    return f"Accès {_of_referral(s, p).to} accordé par le DPIP malgré les conditions", p.get("reason")


@_says("programmes.referral.consent_recorded")
def _referral_consent(s: FileState, p: dict[str, Any]) -> Told:
    if p["given"]:
        return f"Accord de la personne pour participer {_of_referral(s, p).to} ({day(p['recorded_on'])})"
    return f"Refus de la personne de participer {_of_referral(s, p).to} ({day(p['recorded_on'])})"


@_says("programmes.referral.waitlisted")
def _referral_waitlisted(s: FileState, p: dict[str, Any]) -> Told:
    return f"Inscription sur la liste d'attente {_of_referral(s, p).of}{_group_dates(s, p['group_id'])}"


@_says("programmes.referral.enrolled")
def _referral_enrolled(s: FileState, p: dict[str, Any]) -> Told:
    return f"Inscription {_of_referral(s, p).to}{_group_dates(s, p['group_id'])}"


@_says("programmes.referral.participation_started")
def _referral_started(s: FileState, p: dict[str, Any]) -> Told:
    return f"Début de la participation {_of_referral(s, p).to}"


@_says("programmes.referral.dropped_out")
def _referral_dropped_out(s: FileState, p: dict[str, Any]) -> Told:
    return f"Abandon {_of_referral(s, p).of}", p.get("reason")


@_says("programmes.referral.excluded")
def _referral_excluded(s: FileState, p: dict[str, Any]) -> Told:
    return f"Exclusion {_of_referral(s, p).of}", p.get("reason")


@_says("programmes.referral.withdrawn")
def _referral_withdrawn(s: FileState, p: dict[str, Any]) -> Told:
    return f"Fin de l'orientation vers {_of_referral(s, p).the}", p.get("reason")


@_says("programmes.referral.ended_on_release")
def _referral_ended_on_release(s: FileState, p: dict[str, Any]) -> Told:
    return f"Fin de la participation {_of_referral(s, p).to} à la libération ({day(p['released_on'])})"


@_says("programmes.referral.participation_assessed")
def _referral_assessed(s: FileState, p: dict[str, Any]) -> Told:
    attended, counted = p["sessions_attended"], p["sessions_counted"]
    sessions = (
        f"{attended} séance{'s' if attended > 1 else ''} suivie{'s' if attended > 1 else ''} sur {counted}"
    )
    rate = french.percent(p["attendance_rate"])
    outcome = "validée" if p["completed"] else "non validée"
    return f"Participation {_of_referral(s, p).to} {outcome} : {sessions} ({rate})"


@_says("programmes.referral.completion_certificate_issued")
def _referral_certificate(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Attestation de suivi du programme {quoted(p['programme_name'])} délivrée le {day(p['issued_on'])}"
    )
