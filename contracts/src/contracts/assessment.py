"""Events of the assessment service: the SPIP follow-up of a person (RPO1): the case (prise en charge), the
global assessment, the individual plan, interviews and deadlines.

What other services may know travels in shareable events (`assessment.events`). Factor evidence, protective
factors, receptivity, contributions, review comments, interview notes and ESPACE (radicalisation) records
are events of their own types, marked `restricted`: the relay sends them to `assessment.restricted` only.
So are, since their second versions (ADR 25), the offence categories, a re-assessment's trigger, who was
asked to contribute and who submitted an assessment: the API keeps them for SPIP roles.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, ConfigDict, Field

from contracts.events import Event, Value, label, personal_data
from contracts.registry import upcaster


def personal_text() -> Any:
    """Free text about the person (evidence, needs): personal data, sealed with their key."""
    return personal_data(default="", max_length=8000)


class OffenceCategory(StrEnum):
    """Closed list of offence categories recorded with the sentence (programme eligibility reads them)."""

    VIOLENCE = "violence"
    DOMESTIC_VIOLENCE = "domestic_violence"
    SEXUAL_OFFENCE = "sexual_offence"
    DRUGS = "drugs"
    THEFT = "theft"
    FRAUD = "fraud"
    ROAD_TRAFFIC = "road_traffic"
    WEAPONS = "weapons"
    OTHER = "other"


class NeedDomain(StrEnum):
    """The domains of the global assessment (the "central eight" and French practice)."""

    CRIMINAL_HISTORY = "criminal_history"
    ATTITUDES = "attitudes"
    PEERS = "peers"
    PERSONALITY_BEHAVIOUR = "personality_behaviour"
    FAMILY_COUPLE = "family_couple"
    EDUCATION_EMPLOYMENT = "education_employment"
    LEISURE = "leisure"
    ALCOHOL_DRUGS = "alcohol_drugs"
    HOUSING = "housing"
    FINANCES = "finances"
    PHYSICAL_MENTAL_HEALTH = "physical_mental_health"
    SOCIAL_RIGHTS = "social_rights"


class RiskLevel(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class FactorLevel(StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class FactorNature(StrEnum):
    STATIC = "static"
    DYNAMIC_STABLE = "dynamic_stable"
    DYNAMIC_ACUTE = "dynamic_acute"


class MotivationStage(StrEnum):
    PRECONTEMPLATION = "precontemplation"
    CONTEMPLATION = "contemplation"
    PREPARATION = "preparation"
    ACTION = "action"
    MAINTENANCE = "maintenance"


class AssessmentKind(StrEnum):
    INITIAL = "initial"
    REASSESSMENT = "reassessment"
    ANNUAL = "annual"


class ClosureReason(StrEnum):
    RELEASE = "release"  # levée d'écrou
    END_OF_MEASURE = "end_of_measure"


class ErasureReason(StrEnum):
    RETENTION_ELAPSED = "retention_elapsed"  # durée de conservation échue
    ACQUITTAL = "acquittal"  # relaxe ou acquittement
    COURT_ORDER = "court_order"


class InterventionKind(StrEnum):
    PROGRAMME_REFERRAL = "programme_referral"
    IPRO_ACTION = "ipro_action"
    PARTNER_ACTION = "partner_action"
    EXTERNAL_REFERRAL = "external_referral"
    INDIVIDUAL_WORK = "individual_work"


class Agreement(StrEnum):
    AGREED = "agreed"
    DISAGREED = "disagreed"
    COULD_NOT_ANSWER = "could_not_answer"


class ObjectiveStatus(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"


class InterviewType(StrEnum):
    ARRIVAL = "arrival"
    FOLLOW_UP = "follow_up"
    MOTIVATIONAL = "motivational"
    PRE_RELEASE = "pre_release"
    OTHER = "other"


class DeadlineKind(StrEnum):
    INITIAL_ASSESSMENT = "initial_assessment"
    ANNUAL_ASSESSMENT = "annual_assessment"
    PLAN_REVIEW = "plan_review"


# --- values ------------------------------------------------------------------------------------------


class Identity(Value):
    """Who the person is: personal data, encrypted per person downstream and erased by crypto-shredding."""

    last_name: str = personal_data(min_length=1, max_length=100)
    first_names: str = personal_data(min_length=1, max_length=200)
    birth_date: date = personal_data()
    ecrou_number: str = personal_data(min_length=1, max_length=20, description="numéro d'écrou")


class Sentence(Value):
    """The sentence's dates; its offence categories travel restricted (`OffencesRecorded`)."""

    short_sentence: bool = Field(description="courte peine")
    total_length_months: int = Field(ge=0, le=2000)
    expected_end_date: date
    conditional_release_eligibility_date: date | None = None


class DomainRating(Value):
    """A need domain as assessed: is it a risk factor, of what nature, how strong."""

    domain: NeedDomain
    risk_factor: bool
    nature: FactorNature | None = None
    level: FactorLevel


class Intervention(Value):
    kind: InterventionKind
    # What is done for this person (a care, a programme): may say what they are treated for.
    description: str = personal_data(min_length=1, max_length=200)
    target_date: date | None = None


class Objective(Value):
    objective_id: str
    priority: int = Field(ge=1, le=50, description="1 is the most urgent")
    work_axis: NeedDomain
    description: str = personal_data(min_length=1, max_length=1000)
    interventions: list[Intervention] = Field(default_factory=list, max_length=20)


# --- case (stream type "case") ----------------------------------------------------------------------------


class CaseOpened(Event):
    """A person was admitted and is followed by the SPIP (prise en charge)."""

    event_type = "assessment.case.opened"
    schema_version = 2

    case_id: str
    subject_id: str = Field(description="the pseudonymous person id every service uses")
    identity: Identity
    establishment: str = label()
    admission_date: date
    sentence: Sentence


class ReferentAssigned(Event):
    """The CPIP who follows the person (a reassignment is a new assignment)."""

    event_type = "assessment.case.referent_assigned"

    case_id: str
    referent: str = Field(min_length=1, max_length=200, description="the CPIP's user id")


class SentenceUpdated(Event):
    event_type = "assessment.case.sentence_updated"
    schema_version = 2

    case_id: str
    sentence: Sentence


class OffencesRecorded(Event):
    """The offence categories of the person's sentence, at the opening and when they change: SPIP staff and
    programme eligibility read them, no other service."""

    event_type = "assessment.case.offences_recorded"
    restricted = True

    case_id: str
    offence_categories: list[OffenceCategory] = Field(min_length=1)


class IdentityCorrected(Event):
    """A DPIP corrected who the person is (a misspelt name, a wrong birth date or écrou number): the right to
    rectification. Every copy of the identity follows; the reason may describe the person."""

    event_type = "assessment.case.identity_corrected"

    case_id: str
    identity: Identity
    reason: str = personal_data(min_length=1, max_length=1000, description="why the identity was corrected")


class CaseTransferred(Event):
    event_type = "assessment.case.transferred"

    case_id: str
    establishment: str = label()
    transferred_on: date


class CaseClosed(Event):
    """Release (levée d'écrou) or end of measure: starts the retention period."""

    event_type = "assessment.case.closed"

    case_id: str
    reason: ClosureReason
    closed_on: date


class LitigationHoldPlaced(Event):
    """A DPIP suspended the erasure of the person's data (a litigation, a pending appeal): no retention
    erasure happens while any of their cases is held."""

    event_type = "assessment.case.hold_placed"
    restricted = True  # a DPIP's decision about a litigation: other services need not know

    case_id: str
    reason: str = personal_data(min_length=1, max_length=1000, description="why: may describe the person")


class LitigationHoldLifted(Event):
    event_type = "assessment.case.hold_lifted"
    restricted = True

    case_id: str


class EspaceNoteRecorded(Event):
    """Radicalisation follow-up (ESPACE): visible to DPIPs only."""

    event_type = "assessment.case.espace_note_recorded"
    restricted = True

    case_id: str
    note_id: str
    text: str = personal_data(min_length=1, max_length=8000)


# --- assessment (stream type "assessment") -------------------------------------------------------------


class AssessmentStarted(Event):
    event_type = "assessment.assessment.started"
    schema_version = 2

    assessment_id: str
    case_id: str
    kind: AssessmentKind


class TriggerRecorded(Event):
    """The significant event behind a re-assessment ("incident disciplinaire..."): SPIP only."""

    event_type = "assessment.assessment.trigger_recorded"
    restricted = True

    assessment_id: str
    trigger: str = personal_data(
        min_length=1, max_length=1000, description="the significant event behind a re-assessment"
    )


class DomainAssessed(Event):
    """One domain's rating with the evidence behind it (replaces an earlier rating of the domain)."""

    event_type = "assessment.assessment.domain_assessed"
    restricted = True

    assessment_id: str
    rating: DomainRating
    evidence: str = personal_text()


class ProtectiveFactorsRecorded(Event):
    event_type = "assessment.assessment.protective_factors_recorded"
    restricted = True

    assessment_id: str
    factors: list[str] = personal_data(max_length=50)


class ReceptivityRecorded(Event):
    event_type = "assessment.assessment.receptivity_recorded"
    restricted = True

    assessment_id: str
    motivation_stage: MotivationStage
    cognitive_needs: str = personal_text()
    literacy_needs: str = personal_text()
    language_needs: str = personal_text()
    practical_obstacles: str = personal_text()


class ConclusionRecorded(Event):
    """The draft's overall risk level and ordered priority work axes (shared once validated)."""

    event_type = "assessment.assessment.conclusion_recorded"
    restricted = True

    assessment_id: str
    overall_risk_level: RiskLevel
    priority_axes: list[NeedDomain] = Field(min_length=1, max_length=12)


class ContributionRequested(Event):
    """The CPIP or a DPIP asked a psychologist or social worker to contribute: from then on, that person may
    read the assessment and add to it (need to know)."""

    event_type = "assessment.assessment.contribution_requested"
    schema_version = 2
    restricted = True  # it says a psychologist or social worker works with the person

    assessment_id: str
    contributor: str = Field(min_length=1, max_length=200, description="the contributor's user id")


class ContributionAdded(Event):
    """A psychologist's or social worker's contribution; its author is the event's actor."""

    event_type = "assessment.assessment.contribution_added"
    restricted = True

    assessment_id: str
    contribution_id: str
    domain: NeedDomain | None = None
    text: str = personal_data(min_length=1, max_length=8000)
    shared: bool = Field(
        default=True,
        description="read by everyone working on the assessment; false: by its author and the psychologists "
        "asked (medical confidentiality)",
    )


class AssessmentSubmitted(Event):
    """Submitted (or resubmitted after a return) for a DPIP's validation."""

    event_type = "assessment.assessment.submitted"
    schema_version = 2
    restricted = True  # who submitted is the SPIP's business: the validation is what others learn

    assessment_id: str
    case_id: str
    submitted_by: str = Field(description="the user id of who submitted it: they may not validate it")


class AssessmentReturned(Event):
    """A DPIP sent the assessment back to its CPIP with comments."""

    event_type = "assessment.assessment.returned"
    restricted = True

    assessment_id: str
    comments: str = personal_data(min_length=1, max_length=8000)


class AssessmentValidated(Event):
    """Validated by a DPIP: final. Carries what other services may know of it."""

    event_type = "assessment.assessment.validated"

    assessment_id: str
    case_id: str
    kind: AssessmentKind
    validated_on: date
    overall_risk_level: RiskLevel
    priority_axes: list[NeedDomain] = Field(min_length=1)
    education_employment: DomainRating | None = Field(description="the pôle IPRO needs this domain's summary")


# --- plan (stream type "plan") ------------------------------------------------------------------------


class PlanAdopted(Event):
    """A version of the individual plan (plan d'accompagnement et d'exécution de la peine); a revision is a
    new version, the earlier ones stay readable."""

    event_type = "assessment.plan.adopted"

    plan_id: str
    case_id: str
    assessment_id: str
    plan_version: int = Field(ge=1)
    objectives: list[Objective] = Field(min_length=1, max_length=30)
    review_date: date


class PlanAgreementRecorded(Event):
    """The person's answer to the plan version."""

    event_type = "assessment.plan.agreement_recorded"

    plan_id: str
    agreement: Agreement


class PlanValidated(Event):
    event_type = "assessment.plan.validated"

    plan_id: str
    plan_version: int


class ObjectiveStatusChanged(Event):
    event_type = "assessment.plan.objective_status_changed"

    plan_id: str
    objective_id: str
    status: ObjectiveStatus
    reason: str = personal_data(default="", max_length=1000)


# --- interview (stream type "interview") --------------------------------------------------------------


class InterviewHeld(Event):
    """That an interview took place (what other services may know)."""

    event_type = "assessment.interview.held"

    interview_id: str
    case_id: str
    held_on: date
    interview_type: InterviewType


class InterviewScheduled(Event):
    """A person is convened to an interview (convocation): when, where and with whom. Its time and place are
    what the establishment's schedule and movement list need, and say nothing of what is said there: they
    travel on `assessment.events` (ADR 29, addendum on interviews); the interview's content never does."""

    event_type = "assessment.interview.scheduled"

    interview_id: str
    case_id: str
    subject_id: str = Field(description="the pseudonymous person id every service uses")
    establishment: str = label()
    officer: str = Field(min_length=1, max_length=200, description="the user id of the CPIP who holds it")
    interview_type: InterviewType
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = label()


class InterviewRescheduled(Event):
    """The appointment moved: its new time and place."""

    event_type = "assessment.interview.rescheduled"

    interview_id: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = label()


class InterviewCancelled(Event):
    """The appointment will not take place."""

    event_type = "assessment.interview.cancelled"

    interview_id: str


class InterviewNotesRecorded(Event):
    """What was said; confidential notes are for their author and DPIPs only."""

    event_type = "assessment.interview.notes_recorded"
    restricted = True

    interview_id: str
    notes: str = personal_data(min_length=1, max_length=20000)
    confidential: bool


# --- deadlines (stream type "deadline", one stream per deadline occurrence) -----------------------------


class DeadlineMissed(Event):
    """An item came due and was not done: published once per deadline occurrence by the service's scheduler."""

    event_type = "assessment.deadline.missed"

    deadline_id: str
    case_id: str
    kind: DeadlineKind
    due_on: date
    referent: str | None
    establishment: str


# --- erasure (stream type "subject", one stream per person: erased once) ------------------------------


class SubjectErased(Event):
    """The person's personal data was erased: their data key is destroyed, and every service deletes or
    blanks the copies it holds. Carries no personal data, so it outlives the erasure."""

    event_type = "assessment.subject.erased"

    subject_id: str
    reason: ErasureReason
    erased_on: date


# --- superseded versions: read from the log and upcast, never written ----------------------------------
# Version 1 of these travelled on `assessment.events`; version 2 keeps the SPIP-only content off it (ADR 25).
# The upcasters drop a moved field from the version 1 events stored before: no real person's data was
# loaded under version 1 (issue 17), so nothing anybody needs is lost.


class SentenceV1(Sentence):
    model_config = ConfigDict(title="Sentence")  # as version 1 was published

    offence_categories: list[OffenceCategory] = Field(min_length=1)


class CaseOpenedV1(Event):
    """A person was admitted and is followed by the SPIP (prise en charge)."""

    model_config = ConfigDict(title="CaseOpened")  # as version 1 was published

    event_type = "assessment.case.opened"
    schema_version = 1

    case_id: str
    subject_id: str = Field(description="the pseudonymous person id every service uses")
    identity: Identity
    establishment: str = label()
    admission_date: date
    sentence: SentenceV1


class SentenceUpdatedV1(Event):
    model_config = ConfigDict(title="SentenceUpdated")  # as version 1 was published

    event_type = "assessment.case.sentence_updated"
    schema_version = 1

    case_id: str
    sentence: SentenceV1


class AssessmentStartedV1(Event):
    model_config = ConfigDict(title="AssessmentStarted")  # as version 1 was published

    event_type = "assessment.assessment.started"
    schema_version = 1

    assessment_id: str
    case_id: str
    kind: AssessmentKind
    trigger: str = personal_data(
        default="", max_length=1000, description="the significant event behind a re-assessment"
    )


class ContributionRequestedV1(Event):
    """The CPIP or a DPIP asked a psychologist or social worker to contribute: from then on, that person may
    read the assessment and add to it (need to know)."""

    model_config = ConfigDict(title="ContributionRequested")  # as version 1 was published

    event_type = "assessment.assessment.contribution_requested"
    schema_version = 1

    assessment_id: str
    contributor: str = Field(min_length=1, max_length=200, description="the contributor's user id")


class AssessmentSubmittedV1(Event):
    """Submitted (or resubmitted after a return) for a DPIP's validation."""

    model_config = ConfigDict(title="AssessmentSubmitted")  # as version 1 was published

    event_type = "assessment.assessment.submitted"
    schema_version = 1

    assessment_id: str
    case_id: str
    submitted_by: str = Field(description="the user id of who submitted it: they may not validate it")


def _without_offences(payload: dict[str, Any]) -> dict[str, Any]:
    sentence = {k: v for k, v in payload["sentence"].items() if k != "offence_categories"}
    return {**payload, "sentence": sentence}


def _same_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Only the topic changed (the type became restricted), not the shape."""
    return payload


upcaster(CaseOpened.event_type, from_version=1)(_without_offences)
upcaster(SentenceUpdated.event_type, from_version=1)(_without_offences)
upcaster(ContributionRequested.event_type, from_version=1)(_same_payload)
upcaster(AssessmentSubmitted.event_type, from_version=1)(_same_payload)


@upcaster(AssessmentStarted.event_type, from_version=1)
def _without_trigger(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "trigger"}
