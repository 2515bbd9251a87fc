"""The programming coverage's one list of themes (issue 15 item 6), and how every vocabulary the contracts
carry maps onto it: needs (a validated assessment's priority axes, IPRO readiness, education level and
goals, the work waiting list by regime, a programme's waiting list) and offer (a programme's theme labels, a
partner action's type, a vocational training).

Pure: tables only. Every enum value of the contracts is a key of its table, `None` where it says no need
(`tests/unit/test_coverage_themes.py` fails on a value added to a contract and missing here, rather than
letting it vanish from the counts). Programme themes are free labels of the catalogue (reference data): a
label this table does not know is counted under `OTHER`, never dropped."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import StrEnum

from contracts.assessment import NeedDomain
from contracts.ipro import EducationLevel, ReadinessStatus, WorkRegime
from contracts.partners import ActionType


class Theme(StrEnum):
    """In the order the head of IPRO reads them: SPIP work first, then insertion."""

    OFFENDING = "offending"
    BEHAVIOUR = "behaviour"
    FAMILY = "family"
    ADDICTIONS = "addictions"
    HEALTH = "health"
    SOCIAL_RIGHTS = "social_rights"
    HOUSING = "housing"
    CITIZENSHIP = "citizenship"
    JOB_SEARCH = "job_search"
    EMPLOYMENT = "employment"
    TRAINING = "training"
    OTHER = "other"


LABELS: dict[Theme, str] = {
    Theme.OFFENDING: "Passage à l'acte et désistance",
    Theme.BEHAVIOUR: "Comportement, conflits et émotions",
    Theme.FAMILY: "Famille, couple et parentalité",
    Theme.ADDICTIONS: "Addictions",
    Theme.HEALTH: "Santé et santé mentale",
    Theme.SOCIAL_RIGHTS: "Accès aux droits et ressources",
    Theme.HOUSING: "Logement",
    Theme.CITIZENSHIP: "Citoyenneté, culture et loisirs",
    Theme.JOB_SEARCH: "Projet professionnel et recherche d'emploi",
    Theme.EMPLOYMENT: "Accès à l'emploi et au travail",
    Theme.TRAINING: "Formation professionnelle",
    Theme.OTHER: "Autre (non classé)",
}


class NeedSource(StrEnum):
    PRIORITY_AXIS = "priority_axis"  # the latest validated assessment's (assessment.events)
    READINESS = "readiness"  # IPRO's readiness status
    EDUCATION = "education"  # the IPRO profile's education level (ipro.restricted: that field only)
    GOAL = "goal"  # an active IPRO goal (free text: one theme for all)
    WORK_WAITING = "work_waiting"  # classed for work, no post yet: one row per regime
    PROGRAMME_WAITING = "programme_waiting"  # on a group's waiting list: the programme's theme labels


class OfferSource(StrEnum):
    GROUP = "group"  # a programme group: its capacity, once for its whole run
    ACTION_SESSION = "action_session"  # a partner action's session: its action's capacity
    TRAINING = "training"  # a vocational training: one place per enrolment (no catalogue carries more)


NEED_DOMAINS: dict[NeedDomain, Theme | None] = {
    NeedDomain.CRIMINAL_HISTORY: Theme.OFFENDING,
    NeedDomain.ATTITUDES: Theme.OFFENDING,
    NeedDomain.PEERS: Theme.OFFENDING,
    NeedDomain.PERSONALITY_BEHAVIOUR: Theme.BEHAVIOUR,
    NeedDomain.FAMILY_COUPLE: Theme.FAMILY,
    NeedDomain.EDUCATION_EMPLOYMENT: Theme.JOB_SEARCH,
    NeedDomain.LEISURE: Theme.CITIZENSHIP,
    NeedDomain.ALCOHOL_DRUGS: Theme.ADDICTIONS,
    NeedDomain.HOUSING: Theme.HOUSING,
    NeedDomain.FINANCES: Theme.SOCIAL_RIGHTS,
    NeedDomain.PHYSICAL_MENTAL_HEALTH: Theme.HEALTH,
    NeedDomain.SOCIAL_RIGHTS: Theme.SOCIAL_RIGHTS,
}

ACTION_TYPES: dict[ActionType, Theme | None] = {
    ActionType.JOB_SEARCH_WORKSHOP: Theme.JOB_SEARCH,
    ActionType.PROFESSIONAL_IMAGE: Theme.JOB_SEARCH,
    ActionType.INFORMATION_MEETING: Theme.JOB_SEARCH,
    ActionType.INDIVIDUAL_DROP_IN: Theme.JOB_SEARCH,
    ActionType.JOB_DISCOVERY: Theme.EMPLOYMENT,
    ActionType.JOB_FORUM: Theme.EMPLOYMENT,
    ActionType.ESCORTED_PROFESSIONAL_LEAVE: Theme.EMPLOYMENT,
    ActionType.PMSMP: Theme.EMPLOYMENT,
    ActionType.TEMP_MISSION: Theme.EMPLOYMENT,
    ActionType.ADDICTIONS: Theme.ADDICTIONS,
    ActionType.DOMESTIC_VIOLENCE: Theme.FAMILY,
    ActionType.PARENTING: Theme.FAMILY,
    ActionType.CONFLICT_MANAGEMENT: Theme.BEHAVIOUR,
    ActionType.SOCIAL_SKILLS: Theme.BEHAVIOUR,
    ActionType.ROAD_SAFETY: Theme.CITIZENSHIP,
    ActionType.CITIZENSHIP: Theme.CITIZENSHIP,
    ActionType.MENTAL_HEALTH_FIRST_AID: Theme.HEALTH,
    ActionType.SOCIAL_RIGHTS: Theme.SOCIAL_RIGHTS,
    ActionType.FILM_DEBATE: Theme.CITIZENSHIP,
    ActionType.OTHER: Theme.OTHER,
}

READINESS: dict[ReadinessStatus, Theme | None] = {
    ReadinessStatus.SUPPORT_NEEDED: Theme.JOB_SEARCH,
    ReadinessStatus.READY_TO_WORK: Theme.EMPLOYMENT,
    ReadinessStatus.SUPPORT_DECLINED: None,  # support is voluntary: declined is no need to plan for
    ReadinessStatus.NO_RIGHT_TO_WORK: None,
}

# Below a vocational qualification (CAP, BEP), a vocational training is a need.
EDUCATION: dict[EducationLevel, Theme | None] = {
    EducationLevel.NONE: Theme.TRAINING,
    EducationLevel.PRIMARY: Theme.TRAINING,
    EducationLevel.LOWER_SECONDARY: Theme.TRAINING,
    EducationLevel.VOCATIONAL: None,
    EducationLevel.BACCALAUREATE: None,
    EducationLevel.HIGHER: None,
}

# Waiting for a post, whatever the regime: the offer that answers it is the work-related partner actions.
WORK_REGIMES: dict[WorkRegime, Theme | None] = dict.fromkeys(WorkRegime, Theme.EMPLOYMENT)

GOAL_THEME = Theme.JOB_SEARCH
TRAINING_THEME = Theme.TRAINING

# The programmes catalogue's theme labels (`programmes/reference/catalogue.json`), compared by `label_key`.
PROGRAMME_LABELS: dict[str, Theme] = {
    "passage à l'acte": Theme.OFFENDING,
    "victimes": Theme.OFFENDING,
    "place de la victime": Theme.OFFENDING,
    "désistance": Theme.OFFENDING,
    "sortie de la délinquance": Theme.OFFENDING,
    "réinsertion": Theme.OFFENDING,
    "entretien motivationnel": Theme.OFFENDING,
    "ressources personnelles": Theme.OFFENDING,
    # ESPACE: its groups are restricted (programmes.restricted) and never reach this view.
    "radicalisation violente": Theme.OFFENDING,
    "gestion des conflits": Theme.BEHAVIOUR,
    "émotions": Theme.BEHAVIOUR,
    "habiletés sociales": Theme.BEHAVIOUR,
    "violences conjugales": Theme.FAMILY,
    "parentalité": Theme.FAMILY,
    "addictions": Theme.ADDICTIONS,
    "santé mentale": Theme.HEALTH,
    "droits sociaux": Theme.SOCIAL_RIGHTS,
    "accès aux droits": Theme.SOCIAL_RIGHTS,
    "citoyenneté": Theme.CITIZENSHIP,
    "sécurité routière": Theme.CITIZENSHIP,
    "culture": Theme.CITIZENSHIP,
    "débat": Theme.CITIZENSHIP,
}


def label_key(label: str) -> str:
    """A catalogue label as compared: composed accents, case and surrounding blanks aside."""
    return unicodedata.normalize("NFC", label).strip().casefold().replace("’", "'")


def programme_themes(labels: Iterable[str]) -> frozenset[Theme]:
    """A programme counts under each theme its labels name; one naming none that is known, under OTHER."""
    themes = {PROGRAMME_LABELS.get(label_key(label), Theme.OTHER) for label in labels}
    return frozenset(themes or {Theme.OTHER})


def _enum_theme(table: dict, value: str) -> frozenset[Theme]:
    """A value the table knows: its theme (none for `None`); a value it does not (a newer contract than this
    code): OTHER, so that it shows."""
    for key, theme in table.items():
        if key.value == value:
            return frozenset() if theme is None else frozenset({theme})
    return frozenset({Theme.OTHER})


def need_themes(source: NeedSource, values: Iterable[str]) -> frozenset[Theme]:
    """The themes a need of this source and these values is counted under."""
    values = list(values)
    match source:
        case NeedSource.PROGRAMME_WAITING:
            return programme_themes(values)
        case NeedSource.GOAL:
            return frozenset({GOAL_THEME})
    table = {
        NeedSource.PRIORITY_AXIS: NEED_DOMAINS,
        NeedSource.READINESS: READINESS,
        NeedSource.EDUCATION: EDUCATION,
        NeedSource.WORK_WAITING: WORK_REGIMES,
    }[source]
    return frozenset().union(*(_enum_theme(table, value) for value in values))


def offer_themes(source: OfferSource, values: Iterable[str]) -> frozenset[Theme]:
    """The themes an offer of this source is counted under: a group's programme labels, an action's type."""
    match source:
        case OfferSource.GROUP:
            return programme_themes(values)
        case OfferSource.ACTION_SESSION:
            return frozenset().union(*(_enum_theme(ACTION_TYPES, value) for value in values))
        case OfferSource.TRAINING:
            return frozenset({TRAINING_THEME})
