"""What a site's year is told with (`story`): the region's establishments and their size, the people and things
the story follows, the words it uses, and the ledger each decision goes to (the decider's run, the state folded
so far, and the sink that appends it through the kernel: `writer.Writer`)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Protocol

from contracts import Actor, Event
from contracts.assessment import FactorLevel, FactorNature, NeedDomain, Objective, OffenceCategory, RiskLevel
from contracts.ipro import ReadinessStatus, WeeklySlot, WorkRegime
from contracts.partners import ActionType, OrganisationType
from contracts.programmes import ProgrammeDefinition
from ipro import handlers as ipro_handlers
from ipro.domain import names as ipro_names
from ipro.domain.facts import Booking, SessionFacts
from kernel.decider import Decider
from programmes.domain import commands as gc
from programmes.domain.facts import ProgrammeFacts
from programmes.domain.programme import facts as programme_facts_of
from programmes.domain.programme import programme as programme_decider
from programmes.seed import SEED, definitions, programme_id

SYNTHESIS_WORKING_DAYS, FRANCE_TRAVAIL_MONTHS, TRIAL_CAP_DAYS = 5, 6, 30  # the IPRO service's defaults


# --- the region --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    code: str  # short, for ids and écrou numbers
    name: str  # the establishment as the services record it
    people: int  # people of the year in this establishment


# A regional direction's establishments (DISP de Lille) and their relative size.
ESTABLISHMENTS = (
    ("LAN", "CP de Lille-Annœullin", 10),
    ("SEQ", "MA de Lille-Sequedin", 14),
    ("VLV", "CP de Vendin-le-Vieil", 6),
    ("BAP", "CD de Bapaume", 7),
    ("LGN", "CD de Longuenesse", 7),
    ("ARR", "MA d'Arras", 5),
    ("BET", "MA de Béthune", 6),
    ("DUN", "MA de Dunkerque", 5),
    ("MAU", "CP de Maubeuge", 8),
    ("VAL", "MA de Valenciennes", 7),
    ("LIA", "CP de Liancourt", 9),
    ("AMI", "MA d'Amiens", 7),
)


def sites(people: int) -> list[Site]:
    """The region's people shared among its establishments by size (at least one each)."""
    total = sum(weight for *_, weight in ESTABLISHMENTS)
    shares = [max(1, round(people * weight / total)) for *_, weight in ESTABLISHMENTS]
    shares[1] += people - sum(shares)  # the largest absorbs the rounding
    return [
        Site(code, name, share)
        for (code, name, _), share in zip(ESTABLISHMENTS, shares, strict=True)
        if share > 0
    ]


def catalogue() -> dict[str, ProgrammeFacts]:
    """The programmes service's shipped catalogue, as its reference data creates it (`programmes.seed`)."""
    facts = {}
    for definition in definitions_shipped():
        pid = programme_id(definition.code)
        state = programme_decider.fold(
            programme_decider.run(
                gc.CreateProgramme(programme_id=pid, definition=definition), programme_decider.initial_state
            )
        )
        facts[pid] = programme_facts_of(state)
    return facts


def definitions_shipped() -> list[ProgrammeDefinition]:
    from programmes.seed import SHIPPED

    return definitions(SHIPPED)


def create_catalogue(ledger: Ledger, at: datetime) -> int:
    """The catalogue as `programmes.seed` creates it at the service's first start, before the year begins."""
    created = 0
    for definition in definitions_shipped():
        pid = programme_id(definition.code)
        ledger.run(
            "programmes",
            programme_decider,
            pid,
            gc.CreateProgramme(programme_id=pid, definition=definition),
            actor=SEED,
            at=at,
        )
        created += 1
    return created


class StaffNames:
    """The users a site's story acts as: the bench's name each after its role, site and number."""

    def staff(self, role: str, site: Site, number: int) -> str:
        return f"{role.replace('_', '-')}-{site.code.lower()}-{number}"

    def partner(self, number: int, partner_id: str) -> str:
        """The user of the `number`-th partner organisation registered (from 0)."""
        return f"partenaire-{partner_id[:8]}"


# --- where decisions go ------------------------------------------------------------------------------------


class Pending(Protocol):
    """A decision queued for appending; its first event's id once appended (what a reaction names as cause)."""


class Sink(Protocol):
    def add(
        self,
        service: str,
        stream_type: str,
        stream_id: str,
        events: list[Event],
        *,
        actor: Actor,
        at: datetime,
        subject: str | None,
        restricted: bool,
        correlation_id: str,
        cause: Pending | None,
    ) -> Pending: ...


class Ledger:
    """Every stream's state as folded so far, and the decisions handed to the sink to be appended."""

    def __init__(self, sink: Sink, rng: random.Random) -> None:
        self.sink = sink
        self.rng = rng
        self.states: dict[tuple[str, str], Any] = {}

    def state(self, service: str, decider: Decider, stream_id: str) -> Any:
        return self.states.get((service, stream_id), decider.initial_state)

    def run(
        self,
        service: str,
        decider: Decider,
        stream_id: str,
        command: Any,
        *,
        actor: Actor,
        at: datetime,
        facts: Any = None,
        subject: str | None = None,
        restricted: bool = False,
        cause: Pending | None = None,
        correlation_id: str | None = None,
    ) -> tuple[Any, Pending | None]:
        """`decider.run(command, state, facts)`, the state evolved, the events queued; (state, pending)."""
        key = (service, stream_id)
        state = self.states.get(key, decider.initial_state)
        events = list(decider.run(command, state, facts))
        for event in events:
            state = decider.evolve(state, event)
        self.states[key] = state
        if not events:
            return state, None
        pending = self.sink.add(
            service,
            decider.stream_type,
            stream_id,
            events,
            actor=actor,
            at=at,
            subject=subject,
            restricted=restricted,
            correlation_id=correlation_id or self.new_id(),
            cause=cause,
        )
        return state, pending

    def new_id(self) -> str:
        """A version-4 UUID drawn from the story's generator: the same ids on every run."""
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


# --- words and things --------------------------------------------------------------------------------------

# fmt: off
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François",
    "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guerin", "Muller", "Henry", "Roussel",
    "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
    "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval",
    "Joly", "Benali", "Haddad", "Diallo", "Traoré", "Kaci", "Bouzid", "Lemoine", "Carpentier", "Delattre",
    "Vasseur", "Wauquier",
)
FIRST_NAMES = (
    "Jean", "Pierre", "Michel", "Alain", "Philippe", "Nicolas", "Christophe", "David", "Julien", "Thomas",
    "Kevin", "Mehdi", "Karim", "Yassine", "Sofiane", "Anthony", "Dylan", "Jordan", "Maxime", "Alexandre",
    "Romain", "Sébastien", "Mohamed", "Ibrahima", "Moussa", "Lucas", "Enzo", "Hugo", "Bruno", "Patrick",
    "Sarah", "Julie", "Aurélie", "Nadia", "Sandrine", "Mélanie", "Laetitia", "Fatima", "Céline", "Amandine",
)
# fmt: on
INTERVIEW_NOTES = (
    "Point sur la situation familiale ; maintien des liens avec les enfants par les parloirs.",
    "Démarches de soins engagées auprès de l'unité sanitaire ; à suivre.",
    "Évoque ses projets de sortie ; hébergement envisagé chez un frère.",
    "Travail sur le rapport aux faits : reconnaissance partielle, évolution notable.",
    "Difficultés d'indemnisation des parties civiles ; échéancier proposé.",
    "Motivation confirmée pour une formation ; orientation vers le pôle IPRO.",
    "Incident disciplinaire récent évoqué ; la personne minimise.",
    "Préparation de la commission d'application des peines.",
)
EVIDENCE = (
    "Éléments issus du dossier pénal et de l'entretien d'accueil.",
    "Déclarations de la personne recoupées avec le rapport de l'enquête sociale.",
    "Antécédents judiciaires multiples ; première incarcération à 19 ans.",
    "Consommation déclarée quotidienne avant l'incarcération.",
    "Rupture familiale ancienne, peu de soutien extérieur.",
    "Parcours scolaire interrompu en classe de 4e.",
)
OBJECTIVES = {
    NeedDomain.CRIMINAL_HISTORY: "Travailler sur le passage à l'acte et ses conséquences",
    NeedDomain.ATTITUDES: "Faire évoluer le rapport aux faits et à la loi",
    NeedDomain.PEERS: "Prendre de la distance avec les fréquentations délinquantes",
    NeedDomain.PERSONALITY_BEHAVIOUR: "Mieux gérer l'impulsivité et les conflits",
    NeedDomain.FAMILY_COUPLE: "Restaurer les liens familiaux et prévenir les violences",
    NeedDomain.EDUCATION_EMPLOYMENT: "Construire un projet professionnel réaliste",
    NeedDomain.LEISURE: "Investir des activités structurantes en détention",
    NeedDomain.ALCOHOL_DRUGS: "Engager une démarche de soins en addictologie",
    NeedDomain.HOUSING: "Trouver une solution d'hébergement à la sortie",
    NeedDomain.FINANCES: "Régulariser la situation financière et indemniser les victimes",
    NeedDomain.PHYSICAL_MENTAL_HEALTH: "Assurer la continuité des soins",
    NeedDomain.SOCIAL_RIGHTS: "Ouvrir les droits sociaux avant la sortie",
}
# The programmes that answer each work axis (codes of the shipped catalogue).
PROGRAMMES_FOR = {
    NeedDomain.CRIMINAL_HISTORY: ("PPR", "PARCOURS"),
    NeedDomain.ATTITUDES: ("PARCOURS", "CAIRN", "CITOYENNETE"),
    NeedDomain.PEERS: ("CAIRN", "HABILETES-SOCIALES"),
    NeedDomain.PERSONALITY_BEHAVIOUR: ("GESTION-CONFLITS", "HABILETES-SOCIALES"),
    NeedDomain.FAMILY_COUPLE: ("VIOLENCES-CONJUGALES", "PARENTALITE"),
    NeedDomain.ALCOHOL_DRUGS: ("ADDICTIONS",),
    NeedDomain.SOCIAL_RIGHTS: ("DROITS-SOCIAUX",),
    NeedDomain.LEISURE: ("CINE-DEBAT", "SECURITE-ROUTIERE"),
    NeedDomain.FINANCES: ("ADERES",),
}
# Groups meet on weekday afternoons (work holds the mornings, partner actions Tuesdays and Thursdays, trainings
# Wednesday afternoons): each programme has its own day, hour and room in every establishment.
PROGRAMME_SLOTS = {
    "PPR": (0, time(14, 0)),
    "PARCOURS": (4, time(14, 0)),
    "ADERES": (0, time(16, 15)),
    "CAIRN": (4, time(16, 15)),
    "ESPACE": (2, time(9, 0)),
    "ADDICTIONS": (0, time(14, 0)),
    "VIOLENCES-CONJUGALES": (4, time(14, 0)),
    "PARENTALITE": (0, time(16, 15)),
    "GESTION-CONFLITS": (4, time(16, 15)),
    "HABILETES-SOCIALES": (0, time(14, 0)),
    "SECURITE-ROUTIERE": (4, time(13, 30)),
    "CITOYENNETE": (0, time(16, 15)),
    "DROITS-SOCIAUX": (4, time(16, 15)),
    "CINE-DEBAT": (0, time(14, 0)),
}
PROTECTIVE_FACTORS = (
    "Soutien familial",
    "Expérience professionnelle",
    "Projet de soins",
    "Investissement en détention",
    "Absence d'antécédent",
    "Logement à la sortie",
)
TRADES = (
    ("H3302", "Opérations manuelles d'assemblage, tri ou emballage"),
    ("G1602", "Personnel de cuisine"),
    ("F1703", "Maçonnerie"),
    ("N1103", "Magasinage et préparation de commandes"),
    ("K2204", "Nettoyage de locaux"),
    ("A1203", "Aménagement et entretien des espaces verts"),
)
WORKSHOPS = (
    (
        WorkRegime.SERVICE_GENERAL,
        "Service général",
        "Administration pénitentiaire",
        ("Auxiliaire d'étage", "Cuisinier", "Buandier"),
    ),
    (
        WorkRegime.CONCESSION,
        "Atelier 1",
        "Sodexo Justice Services",
        ("Opérateur de conditionnement", "Agent de tri"),
    ),
    (WorkRegime.STATE_WORKSHOP, "Atelier RIEP", "RIEP", ("Menuisier", "Couturier", "Agent de maintenance")),
    (
        WorkRegime.IAE_STRUCTURE,
        "Chantier d'insertion",
        "Association Tremplin",
        ("Agent d'entretien des espaces verts",),
    ),
)
TRAININGS = (
    ("AFPA", "Titre professionnel agent de propreté et d'hygiène", "TP APH", 280),
    ("GRETA", "CAP cuisine (modules)", "CAP", 400),
    ("Centre de formation du bâtiment", "Initiation aux métiers du second œuvre", "", 150),
    ("GRETA", "Remise à niveau en français et mathématiques", "", 120),
    ("AFPA", "Certificat de cariste (CACES R489)", "CACES", 70),
    ("Croix-Rouge", "Prévention et secours civiques (PSC1)", "PSC1", 8),
)
ACTION_TITLES = {
    ActionType.JOB_SEARCH_WORKSHOP: "Atelier techniques de recherche d'emploi",
    ActionType.PROFESSIONAL_IMAGE: "Image de soi et posture professionnelle",
    ActionType.INFORMATION_MEETING: "Réunion d'information collective",
    ActionType.INDIVIDUAL_DROP_IN: "Permanence emploi",
    ActionType.JOB_DISCOVERY: "Découverte des métiers",
    ActionType.JOB_FORUM: "Forum emploi et job dating",
    ActionType.SOCIAL_RIGHTS: "Accès aux droits sociaux",
    ActionType.CITIZENSHIP: "Atelier citoyenneté",
    ActionType.ADDICTIONS: "Groupe de parole addictions",
}
CALL_THEMES = (
    (
        "Insertion professionnelle",
        (ActionType.JOB_SEARCH_WORKSHOP, ActionType.PROFESSIONAL_IMAGE, ActionType.INDIVIDUAL_DROP_IN),
    ),
    (
        "Découverte des métiers",
        (ActionType.JOB_DISCOVERY, ActionType.JOB_FORUM, ActionType.INFORMATION_MEETING),
    ),
    ("Espace citoyen", (ActionType.CITIZENSHIP, ActionType.SOCIAL_RIGHTS, ActionType.ADDICTIONS)),
)
PARTNER_KINDS = (
    ("France Travail", OrganisationType.FRANCE_TRAVAIL),
    ("Mission locale", OrganisationType.MISSION_LOCALE),
    ("Association Tremplin", OrganisationType.ASSOCIATION),
    ("Association Le Relais", OrganisationType.ASSOCIATION),
    ("AFPA", OrganisationType.TRAINING_BODY),
    ("Intérim Solidaire", OrganisationType.TEMP_AGENCY),
    ("Chantier école", OrganisationType.IAE_STRUCTURE),
    ("Maison de l'emploi", OrganisationType.LOCAL_AUTHORITY),
    ("Association Accès aux droits", OrganisationType.ASSOCIATION),
)
ACTION_PLACES = (
    "Salle polyvalente",
    "Salle 2 socio-culturel",
    "Bibliothèque",
    "Salle UL",
    "Salle de formation",
    "Gymnase",
)
ACTION_TIMES = ((1, time(14, 0)), (3, time(14, 0)), (1, time(16, 0)), (3, time(16, 0)))  # Tuesdays, Thursdays

MORNINGS = [WeeklySlot(weekday=d, starts_at=time(8, 0), ends_at=time(12, 0)) for d in range(5)]
WEDNESDAY_AFTERNOON = [WeeklySlot(weekday=2, starts_at=time(13, 30), ends_at=time(17, 0))]
RATINGS_LEVELS = (FactorLevel.LOW, FactorLevel.MODERATE, FactorLevel.HIGH)
NATURES = tuple(FactorNature)


# --- the people and things of a site ------------------------------------------------------------------------


@dataclass
class Person:
    number: int
    subject_id: str
    case_id: str
    first_names: str
    last_name: str
    establishment: str
    referent: str
    intensity: float  # how much follow-up the person gets (and asks for): 1 is the usual
    assiduity: float  # the share of group sessions they attend
    heavy: bool
    admission: date
    expected_end: date
    conditional: date | None
    release_on: date | None  # within the year, else None
    short_sentence: bool
    offences: list[OffenceCategory]
    opened_at: datetime | None = None
    open: bool = False
    released: bool = False
    transferred: bool = False
    adviser: str | None = None
    validated: int = 0
    risk: RiskLevel | None = None
    priority_axes: list[NeedDomain] = field(default_factory=list)
    assessment_id: str | None = None
    plan_id: str | None = None
    objectives: list[Objective] = field(default_factory=list)
    to_refer: list[tuple[str, str]] = field(default_factory=list)  # (programme code, objective id)
    referral: str | None = None  # the referral under way (one at a time)
    readiness: ReadinessStatus | None = None
    right_to_work: bool = True
    work_bookings: dict[str, Booking] = field(default_factory=dict)  # affectation id -> hours
    training: str | None = None
    training_booking: Booking | None = None
    places: dict[str, Booking] = field(default_factory=dict)  # open positioning id -> session
    goals: list[str] = field(default_factory=list)
    france_travail: bool = False

    @property
    def pathway_id(self) -> str:
        return ipro_handlers.pathway_id_of(self.case_id)

    @property
    def work_id(self) -> str:
        return ipro_handlers.work_id_of(self.pathway_id)

    @property
    def name(self) -> str:
        return ipro_names.person(self.first_names, self.last_name)

    def bookings(self) -> list[Booking]:
        found = list(self.work_bookings.values()) + list(self.places.values())
        return found + ([self.training_booking] if self.training_booking else [])


@dataclass
class GroupRun:
    group_id: str
    programme: ProgrammeFacts
    facilitators: list[str]
    last_session_on: date


@dataclass
class ActionRun:
    action_id: str
    partner_id: str
    partner_user: Actor
    title: str
    capacity: int
    published: bool = False
    closed: bool = False
    sessions: dict[str, SessionFacts] = field(default_factory=dict)
    booked: dict[str, int] = field(default_factory=dict)  # session id -> places held
    attended: dict[str, int] = field(default_factory=dict)
    pending: int = 0  # sessions neither reported nor cancelled


@dataclass
class PartnerOrg:
    partner_id: str
    name: str
    user: Actor
