"""The global assessment's and the plan's codes as a SPIP reads them (contracts.assessment's values): wording
only, shared by the assessment page and the plan editor."""

from __future__ import annotations

# The need domains, in the order the form lists them.
DOMAINS: dict[str, str] = {
    "criminal_history": "Antécédents judiciaires",
    "attitudes": "Attitudes et cognitions",
    "peers": "Fréquentations",
    "personality_behaviour": "Personnalité et comportement",
    "family_couple": "Famille et couple",
    "education_employment": "Scolarité, formation et emploi",
    "leisure": "Loisirs",
    "alcohol_drugs": "Alcool et stupéfiants",
    "housing": "Logement",
    "finances": "Ressources et finances",
    "physical_mental_health": "Santé physique et mentale",
    "social_rights": "Accès aux droits sociaux",
}
FACTOR_LEVELS = {"none": "Aucun", "low": "Faible", "moderate": "Modéré", "high": "Élevé"}
FACTOR_NATURES = {
    "static": "Statique",
    "dynamic_stable": "Dynamique stable",
    "dynamic_acute": "Dynamique aigu",
}
MOTIVATION_STAGES = {
    "precontemplation": "Précontemplation",
    "contemplation": "Contemplation",
    "preparation": "Préparation",
    "action": "Action",
    "maintenance": "Maintien",
}
RISK_LEVELS = {"low": "Faible", "moderate": "Modéré", "high": "Élevé"}
# In the order the start form offers them.
ASSESSMENT_KINDS = {
    "initial": "Évaluation initiale",
    "annual": "Réévaluation annuelle",
    "reassessment": "Réévaluation",
}
ASSESSMENT_STATUSES = {
    "draft": "en cours de rédaction",
    "submitted": "soumise à la validation du DPIP",
    "returned": "renvoyée pour reprise par le DPIP",
    "validated": "validée",
}
INTERVENTION_KINDS = {
    "programme_referral": "Orientation vers un programme",
    "ipro_action": "Action du pôle IPRO",
    "partner_action": "Action d'un partenaire",
    "external_referral": "Orientation vers un organisme extérieur",
    "individual_work": "Travail individuel avec le CPIP",
}
AGREEMENTS = {
    "agreed": "La personne adhère au plan",
    "disagreed": "La personne n'adhère pas au plan",
    "could_not_answer": "La personne n'a pas pu répondre",
}
OBJECTIVE_STATUSES = {"active": "En cours", "achieved": "Atteint", "abandoned": "Abandonné"}
# SPIP interview types, in the order the appointment form offers them.
INTERVIEW_TYPES = {
    "follow_up": "Entretien de suivi",
    "arrival": "Entretien d'accueil",
    "motivational": "Entretien motivationnel",
    "pre_release": "Entretien de préparation à la sortie",
    "other": "Autre entretien",
}
