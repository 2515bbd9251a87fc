"""The partner portal's codes as users read them: call and proposal statuses, action types. Wording only:
what each status allows is the partners service's to decide."""

from __future__ import annotations

CALL_STATUSES: dict[str, str] = {
    "draft": "Brouillon",
    "published": "Publié",
    "closed": "Clos",
    "archived": "Archivé",
}

PROPOSAL_STATUSES: dict[str, str] = {
    "draft": "Brouillon",
    "submitted": "Soumise",
    "under_review": "En examen",
    "changes_requested": "Modifications demandées",
    "resubmitted": "Soumise à nouveau",
    "approved": "Approuvée",
    "rejected": "Refusée",
    "withdrawn": "Retirée",
}

ACTION_TYPES: dict[str, str] = {
    "job_search_workshop": "Atelier de recherche d'emploi (CV, lettre)",
    "professional_image": "Image professionnelle et estime de soi",
    "information_meeting": "Réunion d'information",
    "individual_drop_in": "Permanence individuelle",
    "job_discovery": "Découverte des métiers",
    "job_forum": "Forum emploi, job dating",
    "escorted_professional_leave": "Permission de sortir encadrée",
    "pmsmp": "PMSMP (mise en situation en milieu professionnel)",
    "temp_mission": "Mission d'intérim",
    "addictions": "Addictions",
    "domestic_violence": "Violences conjugales",
    "parenting": "Parentalité",
    "conflict_management": "Gestion des conflits",
    "social_skills": "Compétences sociales",
    "road_safety": "Sécurité routière",
    "citizenship": "Citoyenneté",
    "mental_health_first_aid": "Premiers secours en santé mentale",
    "social_rights": "Accès aux droits sociaux",
    "film_debate": "Ciné-débat",
    "other": "Autre action",
}
