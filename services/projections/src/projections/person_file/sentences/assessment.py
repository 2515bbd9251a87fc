"""What the assessment service's events say: the case, assessments, plans, interviews and deadlines."""

from __future__ import annotations

from typing import Any

from contracts.assessment import (
    Agreement,
    AssessmentKind,
    ClosureReason,
    DeadlineKind,
    ErasureReason,
    InterviewType,
    NeedDomain,
    RiskLevel,
)
from projections.person_file.folding.state import FileState
from projections.person_file.french import capitalised, label
from projections.person_file.registry import registering
from projections.person_file.sentences.words import Sentence, Told, day, instant

SENTENCES: dict[str, Sentence] = {}
_says = registering(SENTENCES)


# --- the case -------------------------------------------------------------------------------------------


@_says("assessment.case.opened")
def _case_opened(s: FileState, p: dict[str, Any]) -> Told:
    return f"Prise en charge par le SPIP ({p['establishment']}), date d'écrou : {day(p['admission_date'])}"


@_says("assessment.case.referent_assigned")
def _referent_assigned(s: FileState, p: dict[str, Any]) -> Told:
    return "Désignation du CPIP référent"


@_says("assessment.case.sentence_updated")
def _sentence_updated(s: FileState, p: dict[str, Any]) -> Told:
    sentence = p["sentence"]
    told = f"Situation pénale mise à jour : fin de peine prévue le {day(sentence['expected_end_date'])}"
    if eligibility := sentence.get("conditional_release_eligibility_date"):
        told += f", libération conditionnelle possible à partir du {day(eligibility)}"
    return told


@_says("assessment.case.transferred")
def _case_transferred(s: FileState, p: dict[str, Any]) -> Told:
    return f"Transfert vers {p['establishment']} le {day(p['transferred_on'])}"


@_says("assessment.case.closed")
def _case_closed(s: FileState, p: dict[str, Any]) -> Told:
    how = "Levée d'écrou" if p["reason"] == ClosureReason.RELEASE else "Fin de mesure"
    return f"{how} le {day(p['closed_on'])} : fin de la prise en charge par le SPIP"


@_says("assessment.case.identity_corrected")
def _identity_corrected(s: FileState, p: dict[str, Any]) -> Told:
    return "Identité rectifiée", p.get("reason")


_ERASED_BECAUSE = {
    ErasureReason.RETENTION_ELAPSED: "durée de conservation échue",
    ErasureReason.ACQUITTAL: "relaxe ou acquittement",
    ErasureReason.COURT_ORDER: "décision de justice",
}


@_says("assessment.subject.erased")
def _subject_erased(s: FileState, p: dict[str, Any]) -> Told:
    return f"Effacement des données personnelles le {day(p['erased_on'])} ({_ERASED_BECAUSE[p['reason']]})"


# --- assessments, plans, interviews, deadlines -------------------------------------------------------


def _assessment(s: FileState, assessment_id: str) -> str:
    """`évaluation initiale`, `réévaluation`."""
    kind = s.assessment_kinds.get(assessment_id)
    return label(AssessmentKind(kind)) if kind else "évaluation"


def _the_assessment(s: FileState, assessment_id: str) -> str:
    """`l'évaluation initiale`, `la réévaluation`."""
    name = _assessment(s, assessment_id)
    return f"l'{name}" if name.startswith("é") else f"la {name}"


@_says("assessment.assessment.started")
def _assessment_started(s: FileState, p: dict[str, Any]) -> Told:
    return f"{capitalised(label(AssessmentKind(p['kind'])))} commencée"


@_says("assessment.assessment.contribution_requested")
def _contribution_requested(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Contribution de l'équipe pluridisciplinaire demandée pour {_the_assessment(s, p['assessment_id'])}"
    )


@_says("assessment.assessment.submitted")
def _assessment_submitted(s: FileState, p: dict[str, Any]) -> Told:
    return f"{capitalised(_assessment(s, p['assessment_id']))} soumise à la validation du DPIP"


@_says("assessment.assessment.validated")
def _assessment_validated(s: FileState, p: dict[str, Any]) -> Told:
    axes = ", ".join(label(NeedDomain(axis)) for axis in p["priority_axes"])
    return (
        f"{capitalised(label(AssessmentKind(p['kind'])))} validée le {day(p['validated_on'])} : "
        f"risque {label(RiskLevel(p['overall_risk_level']))}, axes de travail prioritaires : {axes}"
    )


@_says("assessment.plan.adopted")
def _plan_adopted(s: FileState, p: dict[str, Any]) -> Told:
    count = len(p["objectives"])
    objectives = f"{count} objectif{'s' if count > 1 else ''}"
    what = "adopté" if p["plan_version"] == 1 else f"révisé (version {p['plan_version']})"
    return f"Plan d'accompagnement {what} : {objectives}, révision prévue le {day(p['review_date'])}"


@_says("assessment.plan.agreement_recorded")
def _plan_agreement(s: FileState, p: dict[str, Any]) -> Told:
    return {
        Agreement.AGREED: "La personne adhère au plan d'accompagnement",
        Agreement.DISAGREED: "La personne n'adhère pas au plan d'accompagnement",
        Agreement.COULD_NOT_ANSWER: "La personne n'a pas pu se prononcer sur le plan d'accompagnement",
    }[Agreement(p["agreement"])]


@_says("assessment.plan.validated")
def _plan_validated(s: FileState, p: dict[str, Any]) -> Told:
    return f"Plan d'accompagnement validé par le DPIP (version {p['plan_version']})"


@_says("assessment.plan.objective_status_changed")
def _objective_status(s: FileState, p: dict[str, Any]) -> Told:
    objective = s.plans[p["plan_id"]]["objectives"].get(p["objective_id"])
    which = (
        f"Objectif n° {objective['priority']} ({label(NeedDomain(objective['work_axis']))})"
        if objective
        else "Objectif du plan"
    )
    status = {"active": "de nouveau en cours", "achieved": "atteint", "abandoned": "abandonné"}[p["status"]]
    return f"{which} {status}", p.get("reason")


@_says("assessment.interview.held")
def _interview_held(s: FileState, p: dict[str, Any]) -> Told:
    return f"{capitalised(label(InterviewType(p['interview_type'])))} avec le SPIP le {day(p['held_on'])}"


@_says("assessment.interview.scheduled")
def _interview_scheduled(s: FileState, p: dict[str, Any]) -> Told:
    kind = label(InterviewType(p["interview_type"]))
    return f"Convocation : {kind} avec le SPIP le {instant(p['starts_at'])} ({p['place']})"


@_says("assessment.interview.rescheduled")
def _interview_rescheduled(s: FileState, p: dict[str, Any]) -> Told:
    return f"Entretien avec le SPIP déplacé au {instant(p['starts_at'])} ({p['place']})"


@_says("assessment.interview.cancelled")
def _interview_cancelled(s: FileState, p: dict[str, Any]) -> Told:
    return f"Entretien avec le SPIP du {instant(s.appointments[p['interview_id']]['starts_at'])} annulé"


@_says("assessment.deadline.missed")
def _deadline_missed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Échéance dépassée : {label(DeadlineKind(p['kind']))} attendue le {day(p['due_on'])}"
