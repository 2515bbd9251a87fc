"""What each event about a person says, as a French sentence for the file's timeline: one entry of `SENTENCES`
per shareable event type of the four services that concerns a person (a test holds the table to the
contracts). A sentence names things as users know them (a programme by its name, a session by its date, a
post by its title) and never carries free text that could name someone, nor a user id: the free text an
event carries (a reason, a goal) is its `detail`, which pseudonymised readings drop.

Each function reads the payload and the state the fold has reached, after the event was applied to it.

Not about a person, so never in a timeline (`CONTEXT`): the catalogue of programmes, groups being planned and
opened, and everything of the partners service (organisations, calls, proposals, actions: a positioning's
events tell what happens to the person's place). `TOLD_BY_THE_REFERRAL`: the group's stream repeats who takes
a seat, waits or leaves, which the referral's stream already tells."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from contracts.assessment import (
    Agreement,
    AssessmentKind,
    ClosureReason,
    DeadlineKind,
    InterviewType,
    NeedDomain,
    RiskLevel,
)
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
from contracts.programmes import AttendanceMark
from kernel.clock import local_date
from projections.person_file import french
from projections.person_file.french import capitalised, label
from projections.person_file.model import ContractEnd

if TYPE_CHECKING:
    from projections.person_file.fold import FileState

Told = str | tuple[str, str | None]
Sentence = Callable[["FileState", dict[str, Any]], Told]

SENTENCES: dict[str, Sentence] = {}

CONTEXT = frozenset(
    {
        "programmes.programme.created",
        "programmes.programme.revised",
        "programmes.programme.withdrawn",
        "programmes.group.planned",
        "programmes.group.opened",
    }
)
CONTEXT_SERVICES = frozenset({"partners"})
# The reason IPRO gives when the release, not an adviser, ends a goal.
RELEASED = "released"
TOLD_BY_THE_REFERRAL = {
    "programmes.group.participant_enrolled": ("programmes.referral.enrolled",),
    "programmes.group.participant_waitlisted": ("programmes.referral.waitlisted",),
    "programmes.group.participant_left": (
        "programmes.referral.dropped_out",
        "programmes.referral.excluded",
        "programmes.referral.withdrawn",
        "programmes.referral.ended_on_release",
    ),
}


def _says(*event_types: str) -> Callable[[Sentence], Sentence]:
    def register(sentence: Sentence) -> Sentence:
        for event_type in event_types:
            SENTENCES[event_type] = sentence
        return sentence

    return register


def _day(value: str | date) -> str:
    return french.day(value if isinstance(value, date) else date.fromisoformat(value))


def _instant(value: str | datetime) -> str:
    return french.instant(value if isinstance(value, datetime) else datetime.fromisoformat(value))


def _period(start: str, end: str | None) -> str:
    return french.period(date.fromisoformat(start), date.fromisoformat(end) if end else None)


def _title(text: str) -> str:
    return f"« {text} »"


# --- the case -------------------------------------------------------------------------------------------


@_says("assessment.case.opened")
def _case_opened(s: FileState, p: dict[str, Any]) -> Told:
    return f"Prise en charge par le SPIP ({p['establishment']}), date d'écrou : {_day(p['admission_date'])}"


@_says("assessment.case.referent_assigned")
def _referent_assigned(s: FileState, p: dict[str, Any]) -> Told:
    return "Désignation du CPIP référent"


@_says("assessment.case.sentence_updated")
def _sentence_updated(s: FileState, p: dict[str, Any]) -> Told:
    sentence = p["sentence"]
    told = f"Situation pénale mise à jour : fin de peine prévue le {_day(sentence['expected_end_date'])}"
    if eligibility := sentence.get("conditional_release_eligibility_date"):
        told += f", libération conditionnelle possible à partir du {_day(eligibility)}"
    return told


@_says("assessment.case.transferred")
def _case_transferred(s: FileState, p: dict[str, Any]) -> Told:
    return f"Transfert vers {p['establishment']} le {_day(p['transferred_on'])}"


@_says("assessment.case.closed")
def _case_closed(s: FileState, p: dict[str, Any]) -> Told:
    how = "Levée d'écrou" if p["reason"] == ClosureReason.RELEASE else "Fin de mesure"
    return f"{how} le {_day(p['closed_on'])} : fin de la prise en charge par le SPIP"


# --- assessments, plans, interviews, deadlines -------------------------------------------------------


def _assessment(s: FileState, assessment_id: str) -> str:
    """`l'évaluation initiale`, `la réévaluation`."""
    kind = s.assessment_kinds.get(assessment_id)
    name = label(AssessmentKind(kind)) if kind else "évaluation"
    return f"l'{name}" if name.startswith("é") else f"la {name}"


@_says("assessment.assessment.started")
def _assessment_started(s: FileState, p: dict[str, Any]) -> Told:
    return f"{capitalised(label(AssessmentKind(p['kind'])))} commencée"


@_says("assessment.assessment.contribution_requested")
def _contribution_requested(s: FileState, p: dict[str, Any]) -> Told:
    return f"Contribution de l'équipe pluridisciplinaire demandée pour {_assessment(s, p['assessment_id'])}"


@_says("assessment.assessment.submitted")
def _assessment_submitted(s: FileState, p: dict[str, Any]) -> Told:
    kind = s.assessment_kinds.get(p["assessment_id"])
    name = label(AssessmentKind(kind)) if kind else "évaluation"
    return f"{capitalised(name)} soumise à la validation du DPIP"


@_says("assessment.assessment.validated")
def _assessment_validated(s: FileState, p: dict[str, Any]) -> Told:
    axes = ", ".join(label(NeedDomain(axis)) for axis in p["priority_axes"])
    return (
        f"{capitalised(label(AssessmentKind(p['kind'])))} validée le {_day(p['validated_on'])} : "
        f"risque {label(RiskLevel(p['overall_risk_level']))}, axes de travail prioritaires : {axes}"
    )


@_says("assessment.plan.adopted")
def _plan_adopted(s: FileState, p: dict[str, Any]) -> Told:
    count = len(p["objectives"])
    objectives = f"{count} objectif{'s' if count > 1 else ''}"
    what = "adopté" if p["plan_version"] == 1 else f"révisé (version {p['plan_version']})"
    return f"Plan d'accompagnement {what} : {objectives}, révision prévue le {_day(p['review_date'])}"


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
    return f"{capitalised(label(InterviewType(p['interview_type'])))} avec le SPIP le {_day(p['held_on'])}"


@_says("assessment.deadline.missed")
def _deadline_missed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Échéance dépassée : {label(DeadlineKind(p['kind']))} attendue le {_day(p['due_on'])}"


# --- programmes ---------------------------------------------------------------------------------------


class _Programme:
    """A programme as sentences name it: `le programme « PPR »`, `de l'action « Addictions »`."""

    def __init__(self, s: FileState, programme_id: str | None) -> None:
        programme = s.programmes.get(programme_id) if programme_id else None
        if programme is None:
            self.the, self.of, self.to = "un programme", "d'un programme", "à un programme"
        elif programme["kind"] == "thematic_action":
            name = _title(programme["name"])
            self.the, self.of, self.to = f"l'action {name}", f"de l'action {name}", f"à l'action {name}"
        else:
            name = _title(programme["name"])
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
    return f" (groupe {french.period(group['start_date'], group['end_date'])}, {group['room']})"


def _session(s: FileState, group_id: str, session_id: str) -> dict[str, Any] | None:
    group = s.groups.get(group_id)
    return group["sessions"].get(session_id) if group else None


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
    return f"Fin du groupe {_of_group(s, p['group_id']).of} le {_day(p['closed_on'])}"


@_says("programmes.group.session_moved")
def _group_session_moved(s: FileState, p: dict[str, Any]) -> Told:
    session = _session(s, p["group_id"], p["session_id"])
    return (
        f"{session_name(session)} {_of_group(s, p['group_id']).of} déplacée au "
        f"{_instant(p['starts_at'])} ({p['room']})"
    )


@_says("programmes.group.session_cancelled")
def _group_session_cancelled(s: FileState, p: dict[str, Any]) -> Told:
    session = _session(s, p["group_id"], p["session_id"])
    when = f" du {_instant(session['starts_at'])}" if session else ""
    return f"{session_name(session)} {_of_group(s, p['group_id']).of}{when} annulée", p.get("reason")


@_says("programmes.group.catch_up_session_added")
def _group_catch_up(s: FileState, p: dict[str, Any]) -> Told:
    session = p["session"]
    return (
        f"Séance de rattrapage {_of_group(s, p['group_id']).of} prévue le {_instant(session['starts_at'])} "
        f"({session['room']})"
    )


@_says("programmes.group.attendance_recorded")
def _attendance_recorded(s: FileState, p: dict[str, Any]) -> Told:
    mine = [m for m in p["marks"] if m["referral_id"] in s.referrals]
    mark = mine[-1]
    session = _session(s, p["group_id"], p["session_id"])
    when = f" du {french.day(local_date(session['starts_at']))}" if session else ""
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
        return f"Accord de la personne pour participer {_of_referral(s, p).to} ({_day(p['recorded_on'])})"
    return f"Refus de la personne de participer {_of_referral(s, p).to} ({_day(p['recorded_on'])})"


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
    return f"Fin de la participation {_of_referral(s, p).to} à la libération ({_day(p['released_on'])})"


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
        f"Attestation de suivi du programme {_title(p['programme_name'])} délivrée le {_day(p['issued_on'])}"
    )


# --- the IPRO pathway ----------------------------------------------------------------------------------


@_says("ipro.pathway.opened")
def _pathway_opened(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Ouverture du parcours d'insertion professionnelle le {_day(p['opened_on'])}, "
        f"synthèse de l'entretien initial attendue le {_day(p['synthesis_due_on'])}"
    )


@_says("ipro.pathway.adviser_assigned")
def _adviser_assigned(s: FileState, p: dict[str, Any]) -> Told:
    return "Désignation du conseiller en insertion professionnelle référent"


@_says("ipro.pathway.synthesis_written")
def _synthesis_written(s: FileState, p: dict[str, Any]) -> Told:
    return f"Synthèse de l'entretien socio-professionnel initial rédigée (entretien du {_day(p['interview_held_on'])})"


@_says("ipro.pathway.profile_recorded")
def _profile_recorded(s: FileState, p: dict[str, Any]) -> Told:
    level = label(EducationLevel(p["profile"]["education_level"]))
    return f"Profil professionnel renseigné (niveau de formation : {level})"


@_says("ipro.pathway.readiness_changed")
def _readiness_changed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Situation face à l'emploi : {label(ReadinessStatus(p['status']))}", p.get("reason")


@_says("ipro.pathway.follow_up_interview_held")
def _follow_up_interview(s: FileState, p: dict[str, Any]) -> Told:
    return f"Entretien de suivi avec le pôle IPRO le {_day(p['held_on'])}"


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
    if reason == RELEASED:  # no one decided it: the release ended the goals still active
        told, reason = f"{told} à la libération", None
    return told, " : ".join(text for text in (what, reason) if text)


@_says("ipro.pathway.france_travail_registered")
def _france_travail(s: FileState, p: dict[str, Any]) -> Told:
    return f"Inscription à France Travail le {_day(p['registered_on'])}"


def _leave(kind: str) -> str:
    return "PMSMP" if kind == LeaveKind.PMSMP else "permission de sortir encadrée"


@_says("ipro.pathway.leave_requested")
def _leave_requested(s: FileState, p: dict[str, Any]) -> Told:
    return f"Demande de {_leave(p['kind'])} {_period(p['starts_on'], p['ends_on'])}", p.get("purpose")


def _requested_leave(s: FileState, p: dict[str, Any]) -> str:
    leave = s.pathways[p["pathway_id"]]["leaves"].get(p["leave_id"])
    if leave is None:
        return "Sortie"
    return f"{capitalised(_leave(leave['kind']))} {french.period(leave['starts_on'], leave['ends_on'])}"


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
    return f"Clôture du parcours IPRO le {_day(p['closed_on'])}, situation à la sortie : {_outcome(p['outcome'])}"


@_says("ipro.deadline.synthesis_missed")
def _synthesis_missed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Échéance dépassée : synthèse de l'entretien socio-professionnel initial attendue le {_day(p['due_on'])}"


# --- work ---------------------------------------------------------------------------------------------


@_says("ipro.work.classement_requested")
def _classement_requested(s: FileState, p: dict[str, Any]) -> Told:
    return f"Demande de classement au travail le {_day(p['requested_on'])}"


@_says("ipro.work.cpu_opinion_recorded")
def _cpu_opinion(s: FileState, p: dict[str, Any]) -> Told:
    opinion = "favorable" if p["favourable"] else "défavorable"
    return f"Avis {opinion} de la CPU sur le classement au travail ({_day(p['held_on'])})", p.get("opinion")


@_says("ipro.work.classement_granted")
def _classement_granted(s: FileState, p: dict[str, Any]) -> Told:
    regimes = ", ".join(label(WorkRegime(regime)) for regime in p["regimes"])
    return f"Classement au travail accordé le {_day(p['decided_on'])} : {regimes}"


@_says("ipro.work.classement_refused")
def _classement_refused(s: FileState, p: dict[str, Any]) -> Told:
    return f"Classement au travail refusé le {_day(p['decided_on'])}", p.get("reasons")


@_says("ipro.work.employer_interview_held")
def _employer_interview(s: FileState, p: dict[str, Any]) -> Told:
    return f"Entretien d'embauche pour le poste {_title(p['post'])} ({p['employer']}) le {_day(p['held_on'])}"


@_says("ipro.work.affectation_decided")
def _affectation_decided(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Affectation au poste {_title(p['post'])} ({p['workshop']}, {p['employer']}) "
        f"à partir du {_day(p['starts_on'])}"
    )


def _contract_post(s: FileState, contract_id: str) -> str:
    contract = s.contracts.get(contract_id)
    return f" ({_title(contract['post'])})" if contract and contract["post"] else ""


@_says("ipro.work.contract_signed")
def _contract_signed(s: FileState, p: dict[str, Any]) -> Told:
    term = _period(p["starts_on"], p.get("ends_on"))
    trial = f", période d'essai de {p['trial_days']} jours" if p["trial_days"] else ""
    return (
        f"Contrat d'emploi pénitentiaire{_contract_post(s, p['contract_id'])} signé le {_day(p['signed_on'])}, "
        f"{term}{trial}"
    )


@_says("ipro.work.contract_suspended")
def _contract_suspended(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Contrat{_contract_post(s, p['contract_id'])} suspendu le {_day(p['suspended_on'])} : "
        f"{label(SuspensionReason(p['reason']))}"
    )


@_says("ipro.work.contract_resumed")
def _contract_resumed(s: FileState, p: dict[str, Any]) -> Told:
    return f"Reprise du contrat{_contract_post(s, p['contract_id'])} le {_day(p['resumed_on'])}"


@_says("ipro.work.preliminary_interview_held")
def _preliminary_interview(s: FileState, p: dict[str, Any]) -> Told:
    return f"Entretien préalable à la rupture du contrat le {_day(p['held_on'])}"


@_says("ipro.work.contract_ended")
def _contract_ended(s: FileState, p: dict[str, Any]) -> Told:
    return (
        f"Fin du contrat{_contract_post(s, p['contract_id'])} le {_day(p['ended_on'])} : "
        f"{label(ContractEnd(p['reason']))}"
    )


@_says("ipro.work.contract_ended_on_release")
def _contract_ended_on_release(s: FileState, p: dict[str, Any]) -> Told:
    return f"Fin du contrat{_contract_post(s, p['contract_id'])} à la libération ({_day(p['ended_on'])})"


@_says("ipro.work.affectation_ended_on_release")
def _affectation_ended_on_release(s: FileState, p: dict[str, Any]) -> Told:
    affectation = s.affectations.get(p["affectation_id"])
    post = f" au poste {_title(affectation['post'])}" if affectation else ""
    return f"Fin de l'affectation{post} à la libération ({_day(p['ended_on'])})"


@_says("ipro.work.adversarial_hearing_held")
def _adversarial_hearing(s: FileState, p: dict[str, Any]) -> Told:
    return f"Procédure contradictoire avant déclassement le {_day(p['held_on'])}"


@_says("ipro.work.declassified")
def _declassified(s: FileState, p: dict[str, Any]) -> Told:
    return f"Déclassement le {_day(p['decided_on'])}", p.get("reason")


# --- trainings ----------------------------------------------------------------------------------------


def _training(s: FileState, training_id: str) -> str:
    training = s.trainings[training_id]
    return f"la formation {_title(training['title'])}"


@_says("ipro.training.enrolled")
def _training_enrolled(s: FileState, p: dict[str, Any]) -> Told:
    return f"Inscription à la formation {_title(p['title'])} ({p['body']}) {_period(p['starts_on'], p['ends_on'])}"


@_says("ipro.training.started")
def _training_started(s: FileState, p: dict[str, Any]) -> Told:
    return f"Début de {_training(s, p['training_id'])}"


@_says("ipro.training.completed")
def _training_completed(s: FileState, p: dict[str, Any]) -> Told:
    training = s.trainings[p["training_id"]]
    told = f"Fin de {_training(s, p['training_id'])} le {_day(p['completed_on'])}"
    if training["certification"]:
        certification = _title(training["certification"])
        obtained = "obtenue" if p["certification_obtained"] else "non obtenue"
        told += f", certification {certification} {obtained}"
    return told


@_says("ipro.training.dropped_out")
def _training_dropped_out(s: FileState, p: dict[str, Any]) -> Told:
    return f"Abandon de {_training(s, p['training_id'])}", p.get("reason")


# --- positionings on partners' actions ------------------------------------------------------------------


def _positioning(s: FileState, positioning_id: str) -> str:
    """`« Job dating » (Association X), séance du 12 janvier 2027 à 10 h 00, Salle 2`."""
    positioning = s.positionings[positioning_id]
    told = _title(positioning["action_title"]) if positioning["action_title"] else "une action partenaire"
    if partner := s.partners.get(positioning["partner_id"]):
        told += f" ({partner})"
    told += f", séance du {_instant(positioning['starts_at'])}"
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
    title = _title(positioning["action_title"]) if positioning["action_title"] else "l'action partenaire"
    return f"Suite donnée à {title} : {label(PositioningOutcome(p['outcome']))}", p.get("details")


@_says("ipro.positioning.withdrawn")
def _positioning_withdrawn(s: FileState, p: dict[str, Any]) -> Told:
    return f"Positionnement retiré : {_positioning(s, p['positioning_id'])}", p.get("reason")


@_says("ipro.positioning.moved")
def _positioning_moved(s: FileState, p: dict[str, Any]) -> Told:
    return f"Séance déplacée par le partenaire : {_positioning(s, p['positioning_id'])}"


@_says("ipro.positioning.cancelled")
def _positioning_cancelled(s: FileState, p: dict[str, Any]) -> Told:
    return f"Place annulée : {_positioning(s, p['positioning_id'])}", p.get("reason")
