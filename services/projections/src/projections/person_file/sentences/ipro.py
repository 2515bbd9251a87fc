"""What IPRO's events say: the pathway, work, trainings and positionings on partners' actions."""

from __future__ import annotations

from typing import Any

from contracts.ipro import (
    ContractType,
    EducationLevel,
    ExitSituation,
    LeaveKind,
    PositioningOutcome,
    ReadinessStatus,
    SuspensionReason,
    WorkRegime,
)
from projections.person_file.folding.state import FileState
from projections.person_file.french import capitalised, label
from projections.person_file.model import ContractEnd
from projections.person_file.registry import registering
from projections.person_file.sentences.words import Sentence, Told, day, instant, period, quoted

SENTENCES: dict[str, Sentence] = {}
_says = registering(SENTENCES)

# The reason IPRO gave, before its `released` code, when the release, not an adviser, ended a goal.
RELEASED = "released"


# --- the IPRO pathway ----------------------------------------------------------------------------------


@_says("ipro.pathway.opened")
def _pathway_opened(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Ouverture du parcours d'insertion professionnelle le {day(p['opened_on'])}, "
        f"synthèse de l'entretien initial attendue le {day(p['synthesis_due_on'])}"
    )


@_says("ipro.pathway.adviser_assigned")
def _adviser_assigned(s: FileState, p: dict[str, Any]) -> Told:
    return "Désignation du conseiller en insertion professionnelle référent"


@_says("ipro.pathway.synthesis_written")
def _synthesis_written(s: FileState, p: dict[str, Any]) -> Told:
    return f"Synthèse de l'entretien socio-professionnel initial rédigée (entretien du {day(p['interview_held_on'])})"


@_says("ipro.pathway.profile_recorded")
def _profile_recorded(s: FileState, p: dict[str, Any]) -> Told:
    level = label(EducationLevel(p["profile"]["education_level"]))
    return f"Profil professionnel renseigné (niveau de formation : {level})"


@_says("ipro.pathway.readiness_changed")
def _readiness_changed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Situation face à l'emploi : {label(ReadinessStatus(p['status']))}", p.get("reason")


@_says("ipro.pathway.follow_up_interview_held")
def _follow_up_interview(s: FileState, p: dict[str, Any]) -> Told:
    return f"Entretien de suivi avec le pôle IPRO le {day(p['held_on'])}"


@_says("ipro.pathway.goal_set")
def _goal_set(s: FileState, p: dict[str, Any]) -> Told:
    count = len(p.get("steps", ()))
    steps = f" ({count} étape{'s' if count > 1 else ''})" if count else ""
    return f"Nouvel objectif professionnel{steps}", p["description"]


@_says("ipro.pathway.goal_status_changed")
def _goal_status_changed(s: FileState, p: dict[str, Any]) -> Told:
    goal = s.pathways[p["pathway_id"]]["goals"].get(p["goal_id"])
    if step_id := p.get("step_id"):
        step = goal["steps"].get(step_id) if goal else None
        status = {"active": "de nouveau en cours", "achieved": "atteinte", "abandoned": "abandonnée"}
        told, what = f"Étape d'un objectif professionnel {status[p['status']]}", step and step["description"]
    else:
        status = {"active": "de nouveau en cours", "achieved": "atteint", "abandoned": "abandonné"}
        told, what = f"Objectif professionnel {status[p['status']]}", goal and goal["description"]
    reason = p.get("reason")
    if p.get("released") or reason == RELEASED:  # no one decided it: the release ended the goals still active
        told, reason = f"{told} à la libération", None
    return told, " : ".join(text for text in (what, reason) if text)


@_says("ipro.pathway.france_travail_registered")
def _france_travail(s: FileState, p: dict[str, Any]) -> Told:
    return f"Inscription à France Travail le {day(p['registered_on'])}"


def _leave(kind: str) -> str:
    return "PMSMP" if kind == LeaveKind.PMSMP else "permission de sortir encadrée"


@_says("ipro.pathway.leave_requested")
def _leave_requested(s: FileState, p: dict[str, Any]) -> Told:
    return f"Demande de {_leave(p['kind'])} {period(p['starts_on'], p['ends_on'])}", p.get("purpose")


def _requested_leave(s: FileState, p: dict[str, Any]) -> str:
    leave = s.pathways[p["pathway_id"]]["leaves"].get(p["leave_id"])
    if leave is None:
        return "Sortie"
    return f"{capitalised(_leave(leave['kind']))} {period(leave['starts_on'], leave['ends_on'])}"


@_says("ipro.pathway.leave_decided")
def _leave_decided(s: FileState, p: dict[str, Any]) -> Told:
    decision = "accordée" if p["approved"] else "refusée"
    return f"{_requested_leave(s, p)} {decision} par la direction", p.get("reason")


@_says("ipro.pathway.leave_done")
def _leave_done(s: FileState, p: dict[str, Any]) -> Told:
    return f"{_requested_leave(s, p)} effectuée"


def _outcome(outcome: dict[str, Any]) -> str:
    told = label(ExitSituation(outcome["situation"]))
    if contract_type := outcome.get("contract_type"):
        told += f" ({label(ContractType(contract_type))})"
    return told


@_says("ipro.pathway.exit_outcome_recorded")
def _exit_outcome(s: FileState, p: dict[str, Any]) -> Told:
    return f"Situation à la sortie : {_outcome(p['outcome'])}", p["outcome"].get("details")


@_says("ipro.pathway.closed")
def _pathway_closed(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Clôture du parcours IPRO le {day(p['closed_on'])}, situation à la sortie : {_outcome(p['outcome'])}"
    )


@_says("ipro.deadline.synthesis_missed")
def _synthesis_missed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Échéance dépassée : synthèse de l'entretien socio-professionnel initial attendue le {day(p['due_on'])}"


# --- work ---------------------------------------------------------------------------------------------


@_says("ipro.work.classement_requested")
def _classement_requested(s: FileState, p: dict[str, Any]) -> Told:
    return f"Demande de classement au travail le {day(p['requested_on'])}"


@_says("ipro.work.cpu_opinion_recorded")
def _cpu_opinion(s: FileState, p: dict[str, Any]) -> Told:
    opinion = "favorable" if p["favourable"] else "défavorable"
    return f"Avis {opinion} de la CPU sur le classement au travail ({day(p['held_on'])})", p.get("opinion")


@_says("ipro.work.classement_granted")
def _classement_granted(s: FileState, p: dict[str, Any]) -> Told:
    regimes = ", ".join(label(WorkRegime(regime)) for regime in p["regimes"])
    return f"Classement au travail accordé le {day(p['decided_on'])} : {regimes}"


@_says("ipro.work.classement_refused")
def _classement_refused(s: FileState, p: dict[str, Any]) -> Told:
    return f"Classement au travail refusé le {day(p['decided_on'])}", p.get("reasons")


@_says("ipro.work.employer_interview_held")
def _employer_interview(s: FileState, p: dict[str, Any]) -> Told:
    return f"Entretien d'embauche pour le poste {quoted(p['post'])} ({p['employer']}) le {day(p['held_on'])}"


@_says("ipro.work.affectation_decided")
def _affectation_decided(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Affectation au poste {quoted(p['post'])} ({p['workshop']}, {p['employer']}) "
        f"à partir du {day(p['starts_on'])}"
    )


def _contract_post(s: FileState, contract_id: str) -> str:
    contract = s.contracts.get(contract_id)
    return f" ({quoted(contract['post'])})" if contract and contract["post"] else ""


@_says("ipro.work.contract_signed")
def _contract_signed(s: FileState, p: dict[str, Any]) -> Told:
    term = period(p["starts_on"], p.get("ends_on"))
    trial = f", période d'essai de {p['trial_days']} jours" if p["trial_days"] else ""
    return (
        f"Contrat d'emploi pénitentiaire{_contract_post(s, p['contract_id'])} signé le {day(p['signed_on'])}, "
        f"{term}{trial}"
    )


@_says("ipro.work.contract_suspended")
def _contract_suspended(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Contrat{_contract_post(s, p['contract_id'])} suspendu le {day(p['suspended_on'])} : "
        f"{label(SuspensionReason(p['reason']))}"
    )


@_says("ipro.work.contract_resumed")
def _contract_resumed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Reprise du contrat{_contract_post(s, p['contract_id'])} le {day(p['resumed_on'])}"


@_says("ipro.work.preliminary_interview_held")
def _preliminary_interview(s: FileState, p: dict[str, Any]) -> Told:
    return f"Entretien préalable à la rupture du contrat le {day(p['held_on'])}"


@_says("ipro.work.contract_ended")
def _contract_ended(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Fin du contrat{_contract_post(s, p['contract_id'])} le {day(p['ended_on'])} : "
        f"{label(ContractEnd(p['reason']))}"
    )


@_says("ipro.work.contract_ended_on_release")
def _contract_ended_on_release(s: FileState, p: dict[str, Any]) -> Told:
    return f"Fin du contrat{_contract_post(s, p['contract_id'])} à la libération ({day(p['ended_on'])})"


@_says("ipro.work.affectation_ended_on_release")
def _affectation_ended_on_release(s: FileState, p: dict[str, Any]) -> Told:
    affectation = s.affectations.get(p["affectation_id"])
    post = f" au poste {quoted(affectation['post'])}" if affectation else ""
    return f"Fin de l'affectation{post} à la libération ({day(p['ended_on'])})"


@_says("ipro.work.adversarial_hearing_held")
def _adversarial_hearing(s: FileState, p: dict[str, Any]) -> Told:
    return f"Procédure contradictoire avant déclassement le {day(p['held_on'])}"


@_says("ipro.work.declassified")
def _declassified(s: FileState, p: dict[str, Any]) -> Told:
    return f"Déclassement le {day(p['decided_on'])}", p.get("reason")


# --- trainings ----------------------------------------------------------------------------------------


def _training(s: FileState, training_id: str) -> str:
    training = s.trainings[training_id]
    return f"la formation {quoted(training['title'])}"


@_says("ipro.training.enrolled")
def _training_enrolled(s: FileState, p: dict[str, Any]) -> Told:
    return f"Inscription à la formation {quoted(p['title'])} ({p['body']}) {period(p['starts_on'], p['ends_on'])}"


@_says("ipro.training.started")
def _training_started(s: FileState, p: dict[str, Any]) -> Told:
    return f"Début de {_training(s, p['training_id'])}"


@_says("ipro.training.completed")
def _training_completed(s: FileState, p: dict[str, Any]) -> Told:
    training = s.trainings[p["training_id"]]
    told = f"Fin de {_training(s, p['training_id'])} le {day(p['completed_on'])}"
    if training["certification"]:
        certification = quoted(training["certification"])
        obtained = "obtenue" if p["certification_obtained"] else "non obtenue"
        told += f", certification {certification} {obtained}"
    return told


@_says("ipro.training.dropped_out")
def _training_dropped_out(s: FileState, p: dict[str, Any]) -> Told:
    if _by_the_release(p):
        return f"Fin de {_training(s, p['training_id'])} à la libération"
    return f"Abandon de {_training(s, p['training_id'])}", p.get("reason")


# --- positionings on partners' actions ------------------------------------------------------------------


def _positioning(s: FileState, positioning_id: str) -> str:
    """`« Job dating » (Association X), séance du 12 janvier 2027 à 10 h 00, Salle 2`."""
    positioning = s.positionings[positioning_id]
    told = quoted(positioning["action_title"]) if positioning["action_title"] else "une action partenaire"
    if partner := s.partners.get(positioning["partner_id"]):
        told += f" ({partner})"
    told += f", séance du {instant(positioning['starts_at'])}"
    if positioning["place"]:
        told += f", {positioning['place']}"
    return told


@_says("ipro.positioning.proposed")
def _positioning_proposed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Positionnement sur {_positioning(s, p['positioning_id'])}"


@_says("ipro.positioning.confirmed")
def _positioning_confirmed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Place confirmée par le partenaire : {_positioning(s, p['positioning_id'])}"


@_says("ipro.positioning.attended")
def _positioning_attended(s: FileState, p: dict[str, Any]) -> Told:
    return f"Participation à {_positioning(s, p['positioning_id'])}"


@_says("ipro.positioning.no_show_recorded")
def _positioning_no_show(s: FileState, p: dict[str, Any]) -> Told:
    return f"Absence à {_positioning(s, p['positioning_id'])}"


@_says("ipro.positioning.outcome_recorded")
def _positioning_outcome(s: FileState, p: dict[str, Any]) -> Told:
    positioning = s.positionings[p["positioning_id"]]
    title = quoted(positioning["action_title"]) if positioning["action_title"] else "l'action partenaire"
    return f"Suite donnée à {title} : {label(PositioningOutcome(p['outcome']))}", p.get("details")


@_says("ipro.positioning.withdrawn")
def _positioning_withdrawn(s: FileState, p: dict[str, Any]) -> Told:
    if _by_the_release(p):
        return f"Positionnement retiré à la libération : {_positioning(s, p['positioning_id'])}"
    return f"Positionnement retiré : {_positioning(s, p['positioning_id'])}", p.get("reason")


def _by_the_release(p: dict[str, Any]) -> bool:
    """Ended by the release, not an adviser: its code (in clear, read after an erasure), or the reason events
    written before the code gave."""
    return bool(p.get("released")) or p.get("reason") == RELEASED


@_says("ipro.positioning.moved")
def _positioning_moved(s: FileState, p: dict[str, Any]) -> Told:
    return f"Séance déplacée par le partenaire : {_positioning(s, p['positioning_id'])}"


@_says("ipro.positioning.cancelled")
def _positioning_cancelled(s: FileState, p: dict[str, Any]) -> Told:
    return f"Place annulée : {_positioning(s, p['positioning_id'])}", p.get("reason")
