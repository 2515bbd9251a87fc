"""The IPRO pathway's codes as users read them: readiness, classement, work regimes, positionings, and the
events of a person's history. Wording only: the rules are the ipro service's."""

from __future__ import annotations

READINESS: dict[str, str] = {
    "support_needed": "Accompagnement nécessaire",
    "ready_to_work": "Prêt à travailler",
    "support_declined": "Accompagnement refusé",
    "no_right_to_work": "Pas de droit au travail",
}

CLASSEMENT: dict[str, str] = {
    "none": "Aucune demande",
    "requested": "Demande enregistrée",
    "granted": "Classé",
    "refused": "Classement refusé",
    "declassified": "Déclassé",
}

REGIMES: dict[str, str] = {
    "service_general": "Service général",
    "state_workshop": "Atelier du SEP (RIEP)",
    "concession": "Concession",
    "iae_structure": "Structure d'insertion par l'activité économique",
    "adapted_company": "Entreprise adaptée",
}

# A weekly slot's day, as the service numbers it (0 = Monday).
WEEKDAYS: dict[str, str] = {
    "0": "Lundi",
    "1": "Mardi",
    "2": "Mercredi",
    "3": "Jeudi",
    "4": "Vendredi",
    "5": "Samedi",
    "6": "Dimanche",
}

POSITIONING_STATUSES: dict[str, str] = {
    "proposed": "Proposé",
    "confirmed": "Confirmé par le partenaire",
    "attended": "Présent",
    "no_show": "Absent",
    "withdrawn": "Retiré",
    "cancelled": "Annulé avec la séance",
}

# The history's events, by type; one missing here shows as its code.
EVENTS: dict[str, str] = {
    "ipro.pathway.opened": "Parcours ouvert",
    "ipro.pathway.adviser_assigned": "Conseiller référent désigné",
    "ipro.pathway.synthesis_written": "Synthèse de l'entretien initial rédigée",
    "ipro.pathway.profile_recorded": "Profil et projet enregistrés",
    "ipro.pathway.readiness_changed": "Disponibilité pour l'emploi modifiée",
    "ipro.pathway.follow_up_interview_held": "Entretien de suivi",
    "ipro.pathway.goal_set": "Objectif fixé",
    "ipro.pathway.goal_status_changed": "Objectif mis à jour",
    "ipro.pathway.france_travail_registered": "Inscription à France Travail",
    "ipro.pathway.leave_requested": "Permission demandée",
    "ipro.pathway.leave_decided": "Permission décidée",
    "ipro.pathway.leave_done": "Permission effectuée",
    "ipro.pathway.exit_outcome_recorded": "Situation à la sortie",
    "ipro.pathway.closed": "Parcours clos",
    "ipro.deadline.synthesis_missed": "Synthèse non rédigée dans le délai",
    "ipro.work.classement_requested": "Demande de classement",
    "ipro.work.cpu_opinion_recorded": "Avis de la CPU",
    "ipro.work.classement_granted": "Classement accordé",
    "ipro.work.classement_refused": "Classement refusé",
    "ipro.work.employer_interview_held": "Entretien avec un employeur",
    "ipro.work.affectation_decided": "Affectation à un poste",
    "ipro.work.contract_signed": "Contrat d'emploi pénitentiaire signé",
    "ipro.work.contract_suspended": "Contrat suspendu",
    "ipro.work.contract_resumed": "Contrat repris",
    "ipro.work.contract_ended": "Contrat terminé",
    "ipro.work.declassified": "Déclassement",
    "ipro.training.enrolled": "Inscription en formation",
    "ipro.positioning.proposed": "Positionnement sur une action partenaire",
    "ipro.positioning.confirmed": "Positionnement confirmé par le partenaire",
    "ipro.positioning.attended": "Présent à l'action partenaire",
    "ipro.positioning.no_show_recorded": "Absent à l'action partenaire",
    "ipro.positioning.outcome_recorded": "Suite d'une action partenaire",
    "ipro.positioning.withdrawn": "Positionnement retiré",
    "ipro.positioning.cancelled": "Positionnement annulé avec la séance",
}

# A contract's suspension and end: the closed lists of reasons the service takes.
SUSPENSION_REASONS: dict[str, str] = {
    "illness": "Maladie",
    "work_accident": "Accident du travail",
    "disciplinary_sanction": "Sanction disciplinaire",
    "lack_of_work": "Manque de travail",
    "judicial_extraction": "Extraction judiciaire",
    "training_leave": "Congé de formation",
}

CONTRACT_END_REASONS: dict[str, str] = {
    "agreement": "Commun accord",
    "person_request": "Demande écrite de la personne",
    "professional_inadequacy": "Inaptitude professionnelle (après l'entretien préalable)",
    "economic_reasons": "Motif économique",
    "disciplinary_decision": "Décision disciplinaire",
}

CONTRACT_STATUSES: dict[str, str] = {"active": "en cours", "suspended": "suspendu", "ended": "terminé"}

# What came of a partner action for the person who attended it.
POSITIONING_OUTCOMES: dict[str, str] = {
    "job_offer": "Offre d'emploi",
    "interview_obtained": "Entretien d'embauche obtenu",
    "training_place": "Place en formation",
    "pmsmp_agreed": "PMSMP convenue",
    "none": "Pas de suite",
}
