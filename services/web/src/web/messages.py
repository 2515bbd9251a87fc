"""What a refusal says to a user, in French. The services answer a refused command with a problem+json
naming its rule (`rule`) and, for a malformed request, each field (`errors`); this module turns that into
sentences placed next to the fields of the form that sent it. Wording only: the rules are the services'."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The form-wide message's key (shown above the form, not beside one field).
FORM = "__form__"

# By rule, what the user reads. A rule missing here still shows, in the generic sentence.
SENTENCES: dict[str, str] = {
    "not-authenticated": "Votre session a expiré : reconnectez-vous.",
    "role-not-allowed": "Votre rôle ne permet pas cette action.",
    "not-on-caseload": "Cette personne ne fait pas partie des personnes que vous suivez.",
    "organisation-not-allowed": "Votre organisation n'a pas accès à cet élément.",
    "establishment-not-reached": "Cet établissement n'est pas dans votre périmètre.",
    "forbidden": "Vous n'avez pas accès à cet élément.",
    "not-found": "Cet élément est introuvable.",
    "person-not-found": "Aucun dossier pour cette personne dans votre périmètre.",
    "stream-not-found": "Aucun flux de ce nom dans le journal que vous pouvez lire.",
    "subject-not-found": "Aucune personne de cet identifiant dans le journal que vous pouvez lire.",
    "queue-filter-invalid": "Ce filtre ne s'applique pas à cette file de travail.",
    "too-many-requests": "Trop de demandes en peu de temps : réessayez dans un instant.",
    "not-yet-known": "L'information n'est pas encore disponible : réessayez dans un instant.",
    "concurrent-modification": "Quelqu'un a modifié cet élément entre-temps : rechargez la page.",
    "subject-erased": "Les données de cette personne ont été effacées.",
    "break-glass-reason-too-short": "Indiquez un motif plus détaillé.",
    "idempotency-key-reused": "Ce formulaire a déjà été envoyé avec d'autres valeurs : rechargez la page.",
    "case-not-found": "Aucun suivi de ce numéro.",
    "case-closed": "Le suivi de cette personne est clos.",
    "assessment-already-open": "Une évaluation est déjà en cours pour cette personne.",
    "initial-assessment-already-validated": (
        "L'évaluation initiale est déjà validée : choisissez une réévaluation ou l'évaluation annuelle."
    ),
    "no-validated-assessment": "Aucune évaluation validée : commencez par l'évaluation initiale.",
    "reassessment-trigger-missing": "Indiquez l'événement qui motive la réévaluation.",
    # Interview appointments (convocations).
    "interview-in-the-past": "Choisissez un jour et une heure à venir.",
    "interview-not-found": "Aucune convocation de ce numéro pour cette personne.",
    "interview-already-scheduled": "Cette convocation est déjà enregistrée.",
    "interview-cancelled": "Cette convocation est annulée : convoquez à nouveau la personne.",
    "interview-already-held": "Cet entretien a déjà eu lieu.",
    "interview-unchanged": "La convocation est déjà à ce jour, cette heure et dans cette salle.",
    # the assessment form and its flow, the plan
    "assessment-not-found": "Aucune évaluation de ce numéro.",
    "assessment-not-editable": "L'évaluation attend la décision du DPIP : elle ne se modifie pas pour l'instant.",
    "assessment-validated": "L'évaluation est validée, donc définitive : une correction passe par une réévaluation.",
    "rating-inconsistent": (
        "Un facteur de risque a une nature et un niveau autre qu'« aucun » ; "
        "un domaine qui n'en est pas un n'a ni nature ni niveau."
    ),
    "priority-axes-repeated": "Chaque axe de travail prioritaire ne figure qu'une fois.",
    "assessment-incomplete": (
        "L'évaluation est incomplète : évaluez les domaines, puis indiquez le niveau de risque global et "
        "les axes prioritaires (chacun évalué comme domaine)."
    ),
    "assessment-not-submitted": "L'évaluation n'a pas été soumise au DPIP.",
    "assessment-not-returned": "L'évaluation n'a pas été renvoyée pour reprise.",
    "assessment-self-validation": "Vous avez soumis cette évaluation : un autre DPIP la valide.",
    "plan-not-found": "Aucun plan d'accompagnement de ce numéro.",
    "plan-already-adopted": "Cette personne a déjà un plan d'accompagnement : révisez-le.",
    "assessment-not-validated": "Le plan s'appuie sur une évaluation validée par le DPIP.",
    "assessment-of-another-case": "Cette évaluation est celle d'une autre personne.",
    "objective-axis-not-a-priority": "Chaque objectif porte sur un axe prioritaire de l'évaluation.",
    "objectives-invalid": "Le plan compte de 1 à 30 objectifs, chacun avec sa propre priorité.",
    "dates-out-of-order": "La date est antérieure à celle qui doit la précéder.",
    "plan-version-validated": "Cette version du plan est validée : révisez le plan pour la modifier.",
    "plan-agreement-missing": "Recueillez d'abord la réponse de la personne au plan.",
    "plan-not-validated": "Les objectifs se suivent une fois le plan validé par le DPIP.",
    "objective-not-found": "Cet objectif n'est pas dans cette version du plan.",
    "objective-not-active": "Cet objectif n'est plus en cours : choisissez « atteint » ou « abandonné ».",
    "reason-missing": "Indiquez le motif de l'abandon.",
    # Contributions of the multidisciplinary team to an assessment.
    "contribution-already-requested": "Cette personne a déjà été sollicitée pour cette évaluation.",
    "contribution-not-requested": (
        "Vous n'avez pas été sollicité pour cette évaluation : le CPIP référent vous le demande d'abord."
    ),
    # The week, the movement list, the indicators (projections).
    "window-invalid": "Choisissez une période de 1 à 31 jours.",
    "day-required": "Indiquez le jour de la liste des mouvements.",
    "day-unreadable": "Saisissez une date valide.",
    "day-too-far": "Choisissez un jour à moins d'un an d'aujourd'hui.",
    "establishment-required": "Choisissez l'établissement dont afficher les mouvements.",
    "month-range-invalid": "Le dernier mois doit suivre le premier.",
    "month-in-future": "Choisissez ce mois-ci ou un mois passé : l'avenir n'a pas encore de chiffres.",
    "month-range-too-long": "Choisissez une période de 36 mois au plus.",
    # Programmes: groups, enrolment, attendance.
    "group-not-found": "Ce groupe est introuvable.",
    "group-not-started": "Le groupe n'a pas encore commencé : la présence se saisit une fois le groupe commencé.",
    "not-a-facilitator": "Seuls les animateurs du groupe et un DPIP le conduisent : présence, démarrage, clôture.",
    "session-not-found": "Cette séance est introuvable.",
    "session-cancelled": "Cette séance a été annulée.",
    "session-already-held": "La présence de cette séance est déjà enregistrée.",
    "session-not-yet-started": "La séance n'a pas encore commencé : la présence se saisit après son début.",
    "attendance-incomplete": "Indiquez la présence de chaque participant.",
    "attendance-non-participant": "Une des personnes marquées ne participe pas à ce groupe.",
    "reason-required": "Indiquez le motif de l'absence ou de l'exclusion.",
    "group-not-open-for-enrolment": "Les inscriptions à ce groupe ne sont pas ouvertes.",
    "group-full": "Le groupe est complet : mettez la personne en liste d'attente.",
    "group-has-seats": "Le groupe a encore des places : inscrivez la personne.",
    "group-of-another-programme": "Ce groupe est celui d'un autre programme.",
    "consent-missing": "Recueillez d'abord le consentement de la personne.",
    "referral-not-eligible": "La personne n'est pas éligible à ce programme.",
    "referral-already-placed": "La personne est déjà inscrite ou en liste d'attente.",
    "enrolment-overlap": "La personne suit déjà un groupe sur la même période.",
    # Programmes: planning a group, its start and close; a referral's consent and end.
    "programme-not-found": "Ce programme n'est pas au catalogue.",
    "programme-withdrawn": "Ce programme a été retiré du catalogue.",
    "capacity-outside-programme-limits": "Ce nombre de places sort des limites de taille du programme.",
    "group-period-invalid": "Le groupe commence aujourd'hui ou plus tard, et finit après son début.",
    "session-outside-group-period": (
        "Les séances du programme dépasseraient la date de fin du groupe : reculez-la ou espacez moins les séances."
    ),
    "room-double-booked": "Cette salle est déjà réservée sur un de ces créneaux.",
    "group-not-planned": "Seul un groupe planifié s'ouvre aux inscriptions.",
    "group-below-minimum": (
        "Le groupe compte moins de participants que le minimum du programme : un DPIP peut le commencer "
        "en indiquant le motif."
    ),
    "override-needs-dpip": "Seul un DPIP commence un groupe en dessous de l'effectif minimum.",
    "sessions-not-recorded": (
        "Des séances n'ont ni présence saisie ni annulation : complétez-les avant de clore le groupe."
    ),
    "group-closed": "Ce groupe est clos : plus rien ne s'y enregistre.",
    "referral-not-found": "Aucune orientation de ce numéro.",
    "referral-ended": "Cette orientation est terminée.",
    "consent-already-recorded": (
        "La réponse de la personne est déjà enregistrée : retirez l'orientation pour y mettre fin."
    ),
    "referral-not-started": "Seul un participant inscrit au groupe abandonne ou en est exclu.",
    # The partner portal (partners service) and the IPRO pathway (ipro service).
    "call-not-found": "Aucun appel de ce numéro.",
    "call-not-published": "Cet appel n'est pas ouvert aux propositions.",
    "call-not-yet-open": "Cet appel n'est pas encore ouvert aux propositions.",
    "call-closing-date-passed": "La date limite de réponse à cet appel est passée.",
    "proposal-not-found": "Aucune proposition de ce numéro.",
    "capacity-min-above-max": "Le nombre maximum de participants doit être au moins égal au minimum.",
    "session-in-the-past": "Cette séance serait déjà passée : choisissez une date à venir.",
    "action-type-not-in-call-themes": "Ce type d'action n'est pas parmi ceux que l'appel attend.",
    "proposal-not-editable": (
        "Cette proposition ne se modifie plus : seuls un brouillon ou une proposition renvoyée pour "
        "modifications se modifient."
    ),
    "proposal-not-draft": "Cette proposition a déjà été soumise.",
    "proposal-not-awaiting-review": "Cette proposition n'attend pas d'examen.",
    "proposal-not-under-review": "Cette proposition n'est pas en examen : prenez-la d'abord en examen.",
    "proposal-no-changes-requested": "Aucune modification n'a été demandée sur cette proposition.",
    "proposal-already-decided": "Une décision a déjà été prise sur cette proposition.",
    "proposal-withdrawn": "Cette proposition a été retirée.",
    "partner-withdrawn": "Cette organisation n'est plus partenaire de l'établissement.",
    "token-without-organisation": "Votre compte n'est rattaché à aucune organisation partenaire.",
    "action-not-found": "Aucune action de ce numéro.",
    "session-already-reported": "Le compte rendu de cette séance a déjà été transmis.",
    "session-not-yet-held": "La séance n'a pas encore commencé : son compte rendu se transmet ensuite.",
    "present-count-invalid": "Ce nombre de présents n'est pas possible pour cette séance.",
    "room-unknown": "Ce lieu n'est pas une salle de l'établissement.",
    "pathway-not-found": "Aucun parcours de ce numéro dans votre périmètre.",
    "pathway-closed": "Ce parcours est clos.",
    "classement-already-requested": "Une demande de classement est déjà enregistrée.",
    "already-classed": "La personne est déjà classée.",
    "classement-not-requested": "Aucune demande de classement n'est enregistrée : enregistrez-la d'abord.",
    "regimes-required": "Choisissez au moins un régime de travail.",
    "cpu-opinion-missing": "L'avis de la CPU manque : enregistrez-le d'abord.",
    "cpu-opinion-already-recorded": "L'avis de la CPU est déjà enregistré.",
    "action-session-not-found": "Cette séance n'est pas au catalogue.",
    "action-session-not-open": "Cette séance n'est plus ouverte aux positionnements.",
    "positioning-over-capacity": "Cette séance est complète.",
    "already-positioned": "La personne est déjà positionnée sur cette séance.",
    "affectation-without-classement": "La personne n'est pas classée : un poste s'attribue après le classement.",
    "not-classed-for-regime": "La personne n'est pas classée pour ce régime de travail.",
    "not-classed": "La personne n'est pas classée au travail.",
    "employer-interview-missing": "Tenez d'abord l'entretien avec cet employeur.",
    "already-affected": "La personne occupe déjà un poste.",
    "contract-without-affectation": "Ce poste n'a pas été attribué à la personne.",
    "contract-already-active": "La personne a déjà un contrat en cours.",
    "trial-period-too-long": "Cette période d'essai dépasse la durée permise.",
    "booking-overlap": "Ces horaires chevauchent un autre engagement de la personne.",
    "positioning-not-proposed": "Cette place n'est plus à confirmer.",
    "positioning-not-found": "Aucun positionnement de ce numéro.",
    "place-double-booked": "Ce lieu est déjà réservé sur ce créneau.",
    "facilitator-double-booked": "Un des animateurs est déjà pris sur ce créneau.",
    "partner-not-accredited": "Votre organisation n'est pas habilitée à intervenir dans l'établissement.",
    "partner-accreditation-expired": "L'habilitation de votre organisation n'est plus valable à cette date.",
    "partner-suspended": "L'habilitation de votre organisation est suspendue.",
    # A call drafted and published; a contract suspended or ended; a positioning withdrawn, attended, followed.
    "call-dates-invalid": "La clôture des réponses ne peut précéder leur ouverture.",
    "call-not-draft": "Cet appel n'est plus un brouillon : il a été publié, il ne se modifie plus.",
    "contract-not-active": "La personne n'a pas de contrat en cours.",
    "contract-already-suspended": "Le contrat est déjà suspendu.",
    "contract-not-suspended": "Le contrat n'est pas suspendu.",
    "preliminary-interview-missing": (
        "Une fin pour inaptitude professionnelle suit un entretien préalable : enregistrez-le d'abord."
    ),
    "positioning-ended": "Cette place n'est plus à prendre : elle a été retirée, annulée ou déjà honorée.",
    "positioning-not-confirmed": "La présence se note pour une place confirmée.",
    "action-session-not-yet-held": "La séance n'a pas encore commencé : la présence se note ensuite.",
    "positioning-not-attended": "La suite se note pour une personne présente à la séance.",
    "outcome-already-recorded": "La suite donnée à cette action est déjà enregistrée.",
}

# A malformed field, by pydantic's error type.
FIELD_SENTENCES: dict[str, str] = {
    "missing": "Ce champ est obligatoire.",
    "int_parsing": "Saisissez un nombre entier.",
    "greater_than_equal": "La valeur est trop petite.",
    "less_than_equal": "La valeur est trop grande.",
    "string_too_short": "Le texte est trop court.",
    "string_too_long": "Le texte est trop long.",
    "date_from_datetime_parsing": "Saisissez une date valide.",
    "date_parsing": "Saisissez une date valide.",
    "datetime_parsing": "Saisissez une date et une heure valides.",
    "datetime_from_date_parsing": "Saisissez une date et une heure valides.",
    "timezone_aware": "Saisissez une date et une heure valides.",
    "enum": "Choisissez une des valeurs proposées.",
    "literal_error": "Choisissez une des valeurs proposées.",
    "too_short": "Indiquez au moins une valeur.",
    "bool_type": "Choisissez une réponse.",
    "bool_parsing": "Choisissez une réponse.",
}
GENERIC = "La demande a été refusée (règle « {rule} »)."
GENERIC_FIELD = "Cette valeur n'est pas acceptée."


def sentence(rule: str) -> str:
    return SENTENCES.get(rule) or GENERIC.format(rule=rule)


@dataclass
class Refusal(Exception):
    """A service refused a request (a 4xx problem+json): its status, rule, and the French messages by field
    of the form that sent it (`FORM` for the form as a whole)."""

    status: int
    rule: str
    messages: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.rule}: {self.messages}"


def refusal_of(status: int, problem: Mapping[str, Any], fields: Mapping[str, str] | None = None) -> Refusal:
    """`fields` maps the API's names (a query parameter, a body member, or a rule) to the form's field names;
    a refusal of an unnamed field, or of a rule no field carries, is the form's."""
    fields = fields or {}
    rule = str(problem.get("rule") or problem.get("type") or "refused")
    messages: dict[str, str] = {}
    for error in problem.get("errors") or []:
        target = fields.get(_parameter(str(error.get("field"))), FORM)
        messages.setdefault(target, FIELD_SENTENCES.get(str(error.get("type")), GENERIC_FIELD))
    if not messages:
        messages[fields.get(rule, FORM)] = sentence(rule)
    return Refusal(status=status, rule=rule, messages=messages)


def _parameter(field: str) -> str:
    """A query, path or header parameter as the page names it: the services say `query.within_days`."""
    where, _, name = field.partition(".")
    return name if where in ("query", "path", "header") and name else field
