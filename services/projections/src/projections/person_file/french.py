"""The person file in French: dates and instants as users write them, and one table of labels for every value
the file shows (its own enums and the contracts' it carries). The timeline's sentences and the print page
both read them from here."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from contracts.assessment import (
    Agreement,
    AssessmentKind,
    ClosureReason,
    DeadlineKind,
    FactorLevel,
    FactorNature,
    InterviewType,
    NeedDomain,
    ObjectiveStatus,
    OffenceCategory,
    RiskLevel,
)
from contracts.ipro import (
    ContractType,
    EducationLevel,
    ExitSituation,
    GoalStatus,
    LeaveKind,
    PositioningOutcome,
    ReadinessStatus,
    SuspensionReason,
    WorkRegime,
)
from contracts.programmes import AttendanceMark
from kernel.clock import LOCAL_TIME_ZONE
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
    PositioningStatus,
    ProgrammeStatus,
    TrainingStatus,
    UpcomingKind,
    WorkStatus,
)

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _day_of_month(on: date) -> str:
    return "1er" if on.day == 1 else str(on.day)


# A file names the same days and instants many times (a session proposed, confirmed, attended), and every
# read folds it again: formatting is cached.
@lru_cache(maxsize=8192)
def day(on: date) -> str:
    """`3 décembre 2026`, `1er mars 2027`."""
    return f"{_day_of_month(on)} {MONTHS[on.month - 1]} {on.year}"


def clock(at: datetime) -> str:
    """`14 h 00`, in the establishment's local time."""
    local = at.astimezone(LOCAL_TIME_ZONE)
    return f"{local.hour} h {local.minute:02d}"


@lru_cache(maxsize=8192)
def instant(at: datetime) -> str:
    """`3 décembre 2026 à 14 h 00`, in the establishment's local time."""
    local = at.astimezone(LOCAL_TIME_ZONE)
    return f"{day(local.date())} à {clock(local)}"


def period(start: date, end: date | None) -> str:
    """`du 5 janvier au 27 mars 2027`, `du 5 au 9 janvier 2027`, `à partir du 5 janvier 2027`."""
    if end is None:
        return f"à partir du {day(start)}"
    if start == end:
        return f"le {day(start)}"
    if start.year != end.year:
        return f"du {day(start)} au {day(end)}"
    if start.month != end.month:
        return f"du {_day_of_month(start)} {MONTHS[start.month - 1]} au {day(end)}"
    return f"du {_day_of_month(start)} au {day(end)}"


def percent(rate: float) -> str:
    """`0.5` → `50 %`, the space a no-break one: French typography, and a printed table never wraps the sign
    away from its figure."""
    return f"{round(rate * 100)}\u00a0%"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


LABELS: dict[type[StrEnum], dict[str, str]] = {
    # --- the file's own values ---
    Part: {
        "identity": "Identité et situation pénale",
        "spip": "Suivi SPIP",
        "programmes": "Programmes",
        "programmes_sensitive": "Programmes (diffusion restreinte)",
        "ipro": "Parcours IPRO",
    },
    CaseStatus: {"open": "en cours", "closed": "clôturée"},
    AssessmentProgress: {
        "started": "en cours de rédaction",
        "submitted": "soumise à la validation du DPIP",
        "returned": "renvoyée au CPIP",
    },
    ProgrammeStatus: {
        "requested": "orientation demandée",
        "eligible": "conditions d'accès remplies",
        "refused": "conditions d'accès non remplies",
        "waitlisted": "sur liste d'attente",
        "enrolled": "inscrit",
        "participating": "en cours",
        "completed": "suivi jusqu'au bout",
        "not_completed": "non validé",
        "dropped_out": "abandon",
        "excluded": "exclusion",
        "withdrawn": "retrait",
        "ended_on_release": "terminé à la libération",
    },
    ClassementStatus: {
        "requested": "demandé",
        "granted": "accordé",
        "refused": "refusé",
        "declassified": "déclassement",
    },
    ContractStatus: {"active": "en cours", "suspended": "suspendu", "ended": "terminé"},
    ContractEnd: {
        "agreement": "d'un commun accord",
        "person_request": "à la demande écrite de la personne",
        "professional_inadequacy": "insuffisance professionnelle",
        "economic_reasons": "motif économique",
        "disciplinary_decision": "décision disciplinaire",
        "release": "libération",
    },
    WorkStatus: {
        "assigned": "affecté",
        "active": "en poste",
        "suspended": "contrat suspendu",
        "ended": "terminé",
    },
    TrainingStatus: {
        "enrolled": "inscrit",
        "in_progress": "en cours",
        "completed": "terminée",
        "dropped_out": "abandon",
    },
    PositioningStatus: {
        "proposed": "proposé",
        "confirmed": "confirmé",
        "attended": "présent",
        "no_show": "absent",
        "withdrawn": "retiré",
        "cancelled": "séance annulée",
    },
    LeaveStatus: {"requested": "demandée", "approved": "accordée", "refused": "refusée", "done": "effectuée"},
    ActionKind: {
        "referral": "Programme",
        "training": "Formation",
        "positioning": "Action partenaire",
        "work": "Travail",
    },
    DueKind: {
        "plan_review": "Révision du plan d'accompagnement",
        "initial_assessment": "Évaluation initiale",
        "annual_assessment": "Évaluation annuelle",
        "ipro_synthesis": "Synthèse de l'entretien socio-professionnel initial",
        "contract_end": "Fin du contrat d'emploi pénitentiaire",
        "leave_start": "Début de sortie",
        "training_start": "Début de formation",
        "training_end": "Fin de formation",
        "sentence_end": "Fin de peine prévue",
        "conditional_release_eligibility": "Libération conditionnelle possible",
    },
    UpcomingKind: {
        "programme_session": "Séance de programme",
        "partner_session": "Action partenaire",
        "spip_interview": "Entretien SPIP",
        "training_start": "Début de formation",
        "leave": "Sortie",
    },
    # --- the contracts' values the file carries ---
    OffenceCategory: {
        "violence": "violences",
        "domestic_violence": "violences conjugales",
        "sexual_offence": "infraction à caractère sexuel",
        "drugs": "stupéfiants",
        "theft": "vol",
        "fraud": "escroquerie",
        "road_traffic": "infraction routière",
        "weapons": "armes",
        "other": "autre",
    },
    ClosureReason: {"release": "levée d'écrou", "end_of_measure": "fin de mesure"},
    NeedDomain: {
        "criminal_history": "antécédents judiciaires",
        "attitudes": "attitudes favorables à la délinquance",
        "peers": "fréquentations",
        "personality_behaviour": "personnalité et comportement",
        "family_couple": "famille et couple",
        "education_employment": "emploi et formation",
        "leisure": "loisirs",
        "alcohol_drugs": "alcool et drogues",
        "housing": "logement",
        "finances": "finances",
        "physical_mental_health": "santé physique et mentale",
        "social_rights": "droits sociaux",
    },
    RiskLevel: {"low": "faible", "moderate": "modéré", "high": "élevé"},
    FactorLevel: {"none": "nul", "low": "faible", "moderate": "modéré", "high": "élevé"},
    FactorNature: {
        "static": "statique",
        "dynamic_stable": "dynamique stable",
        "dynamic_acute": "dynamique aigu",
    },
    AssessmentKind: {
        "initial": "évaluation initiale",
        "reassessment": "réévaluation",
        "annual": "évaluation annuelle",
    },
    Agreement: {
        "agreed": "adhère au plan",
        "disagreed": "n'adhère pas au plan",
        "could_not_answer": "n'a pas pu se prononcer",
    },
    ObjectiveStatus: {"active": "en cours", "achieved": "atteint", "abandoned": "abandonné"},
    InterviewType: {
        "arrival": "entretien d'accueil",
        "follow_up": "entretien de suivi",
        "motivational": "entretien motivationnel",
        "pre_release": "entretien de préparation à la sortie",
        "other": "entretien",
    },
    DeadlineKind: {
        "initial_assessment": "évaluation initiale",
        "annual_assessment": "évaluation annuelle",
        "plan_review": "révision du plan d'accompagnement",
    },
    AttendanceMark: {
        "present": "Présence",
        "late": "Arrivée en retard",
        "absent_excused": "Absence excusée",
        "absent_unexcused": "Absence non excusée",
        "excluded_from_session": "Exclusion de la séance",
    },
    ReadinessStatus: {
        "support_needed": "accompagnement nécessaire",
        "ready_to_work": "prêt à travailler",
        "support_declined": "accompagnement refusé",
        "no_right_to_work": "pas de droit au travail",
    },
    EducationLevel: {
        "none": "sans diplôme",
        "primary": "niveau primaire",
        "lower_secondary": "brevet",
        "vocational": "CAP, BEP",
        "baccalaureate": "baccalauréat",
        "higher": "enseignement supérieur",
    },
    GoalStatus: {"active": "en cours", "achieved": "atteint", "abandoned": "abandonné"},
    WorkRegime: {
        "service_general": "service général",
        "state_workshop": "ateliers du SEP-RIEP",
        "concession": "concession",
        "iae_structure": "structure d'insertion par l'activité économique",
        "adapted_company": "entreprise adaptée",
    },
    SuspensionReason: {
        "illness": "maladie",
        "work_accident": "accident du travail",
        "disciplinary_sanction": "sanction disciplinaire",
        "lack_of_work": "manque de travail",
        "judicial_extraction": "extraction judiciaire",
        "training_leave": "congé de formation",
    },
    PositioningOutcome: {
        "job_offer": "offre d'emploi",
        "interview_obtained": "entretien d'embauche obtenu",
        "training_place": "place en formation",
        "pmsmp_agreed": "PMSMP acceptée",
        "none": "sans suite",
    },
    LeaveKind: {
        "pmsmp": "PMSMP (période de mise en situation en milieu professionnel)",
        "escorted_professional_leave": "permission de sortir encadrée",
    },
    ExitSituation: {
        "job": "emploi",
        "training": "formation",
        "job_seeker_follow_up": "suivi en recherche d'emploi",
        "no_solution": "sans solution",
        "not_recorded": "non renseignée",
    },
    ContractType: {
        "cdi": "CDI",
        "cdd": "CDD",
        "temporary": "intérim",
        "iae": "contrat d'insertion",
        "other": "autre",
    },
}

# Plan actions carry the status of what they link to, whose values depend on the kind of action.
ACTION_STATUS: dict[ActionKind, type[StrEnum]] = {
    ActionKind.REFERRAL: ProgrammeStatus,
    ActionKind.TRAINING: TrainingStatus,
    ActionKind.POSITIONING: PositioningStatus,
    ActionKind.WORK: WorkStatus,
}

ROLES = {
    "cpip": "CPIP",
    "dpip": "DPIP",
    "psychologue": "psychologue",
    "assistant_social": "assistant de service social",
    "ipro_conseiller": "CIP",
    "ipro_chef": "chef du pôle IPRO",
    "ripro": "RIPRO",
    "direction": "direction de l'établissement",
    "partenaire": "partenaire",
    "auditeur": "auditeur",
    "system": "traitement automatique",
}

FAILED_RULES = {
    "eligibility-offence-category": "catégorie d'infraction",
    "eligibility-short-sentence": "durée de peine",
    "eligibility-no-validated-assessment": "pas d'évaluation validée",
    "eligibility-risk-level": "niveau de risque",
    "eligibility-establishment": "établissement",
}


def label(value: StrEnum) -> str:
    """The French label of one of the file's values; a value without one shows as it is (never an error on a
    read)."""
    return LABELS.get(type(value), {}).get(value.value, value.value)


def role(name: str) -> str:
    return ROLES.get(name, name)


def action_status(kind: ActionKind, status: str) -> str:
    values = LABELS[ACTION_STATUS[kind]]
    return values.get(status, status)
