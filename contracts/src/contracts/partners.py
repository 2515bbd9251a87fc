"""Events of the partners service: calls for expression of interest (AMI), partner organisations, action
proposals and the catalogue actions they become once approved."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, Field

from contracts.events import Event, Value, label, personal_data, text


def long_text() -> Any:
    return text(max_length=4000)


def reason() -> Any:
    return Field(min_length=1, max_length=1000)


class OrganisationType(StrEnum):
    ASSOCIATION = "association"
    FRANCE_TRAVAIL = "france_travail"
    MISSION_LOCALE = "mission_locale"
    TRAINING_BODY = "training_body"
    CONCESSION_COMPANY = "concession_company"
    IAE_STRUCTURE = "iae_structure"
    TEMP_AGENCY = "temp_agency"
    LOCAL_AUTHORITY = "local_authority"
    OTHER = "other"


class ActionType(StrEnum):
    """The closed list of actions a partner may propose; an AMI targets some of them (its themes)."""

    JOB_SEARCH_WORKSHOP = "job_search_workshop"  # techniques de recherche d'emploi, CV
    PROFESSIONAL_IMAGE = "professional_image"  # image professionnelle et estime de soi
    INFORMATION_MEETING = "information_meeting"
    INDIVIDUAL_DROP_IN = "individual_drop_in"  # permanence individuelle
    JOB_DISCOVERY = "job_discovery"  # découverte des métiers
    JOB_FORUM = "job_forum"  # forum emploi, job dating, forum IAE, forum intérim
    ESCORTED_PROFESSIONAL_LEAVE = "escorted_professional_leave"  # permission de sortir encadrée
    PMSMP = "pmsmp"
    TEMP_MISSION = "temp_mission"
    ADDICTIONS = "addictions"
    DOMESTIC_VIOLENCE = "domestic_violence"
    PARENTING = "parenting"
    CONFLICT_MANAGEMENT = "conflict_management"
    SOCIAL_SKILLS = "social_skills"
    ROAD_SAFETY = "road_safety"
    CITIZENSHIP = "citizenship"
    MENTAL_HEALTH_FIRST_AID = "mental_health_first_aid"
    SOCIAL_RIGHTS = "social_rights"
    FILM_DEBATE = "film_debate"
    OTHER = "other"


# --- Calls for expression of interest (stream type "call") ---------------------------------------------


class CallContent(Value):
    """What an AMI says; replaced as a whole while it is a draft."""

    title: str = label()
    theme: str = Field(min_length=1, max_length=200, description="e.g. Espace citoyen")
    establishment: str = label()
    description: str = long_text()
    opens_on: date
    closes_on: date
    target_themes: list[ActionType] = Field(min_length=1, description="the action types it calls for")
    eligibility_notes: str = long_text()


class CallDrafted(Event):
    """An AMI was drafted; partners do not see it until it is published."""

    event_type = "partners.call.drafted"

    call_id: str
    content: CallContent


class CallRevised(Event):
    event_type = "partners.call.revised"

    call_id: str
    content: CallContent


class CallPublished(Event):
    event_type = "partners.call.published"

    call_id: str


class CallClosed(Event):
    """No more proposals are accepted; proposals already in review go on."""

    event_type = "partners.call.closed"

    call_id: str
    closed_on: date


class CallArchived(Event):
    event_type = "partners.call.archived"

    call_id: str


# --- Partner organisations (stream type "partner") -----------------------------------------------------


class PartnerRegistered(Event):
    """A partner organisation was registered with the establishment."""

    event_type = "partners.partner.registered"
    schema_version = 1

    partner_id: str
    name: str = label()
    siret: str = Field(pattern=r"^\d{14}$")
    organisation_type: OrganisationType


class ContactPersonAdded(Event):
    """Someone the establishment deals with at the organisation. Personal data (GDPR)."""

    event_type = "partners.partner.contact_person_added"

    partner_id: str
    contact_id: str
    full_name: str = personal_data(min_length=1, max_length=200)
    # With the organisation's name, a job title may single out who holds it ("la directrice").
    job_title: str = personal_data(default="", max_length=200)
    email: str | None = personal_data(default=None, max_length=320)
    phone: str | None = personal_data(default=None, max_length=40)


class ContactPersonRemoved(Event):
    event_type = "partners.partner.contact_person_removed"

    partner_id: str
    contact_id: str


# An accredited organisation is flagged for renewal when its accreditation ends within this many days:
# the partners service and every view of its events read `accredited_until` with this one rule.
ACCREDITATION_ALERT_DAYS = 30


def accreditation_expires_soon(accredited_until: date, on: date) -> bool:
    """Whether an accreditation still running `on` ends within the alert window (the last day included)."""
    return accredited_until < on + timedelta(days=ACCREDITATION_ALERT_DAYS)


class PartnerAccredited(Event):
    """The organisation may come into the establishment until the expiry date (a renewal is a new one)."""

    event_type = "partners.partner.accredited"

    partner_id: str
    establishment: str = label()
    accredited_until: date


class PartnerSuspended(Event):
    event_type = "partners.partner.suspended"

    partner_id: str
    reason: str = reason()


class PartnerReinstated(Event):
    event_type = "partners.partner.reinstated"

    partner_id: str


class PartnerWithdrawn(Event):
    """The establishment no longer works with the organisation; final."""

    event_type = "partners.partner.withdrawn"

    partner_id: str
    reason: str = reason()


# --- Action proposals (stream type "proposal") ---------------------------------------------------------


class PlannedSession(Value):
    starts_at: AwareDatetime
    duration_minutes: int = Field(gt=0, le=24 * 60)
    place: str = label()


class ProposalContent(Value):
    """What a partner proposes; replaced as a whole on each revision."""

    title: str = label()
    action_type: ActionType
    objectives: str = long_text()
    target_public: str = long_text()
    prerequisites: str = long_text()
    capacity_min: int = Field(ge=1, le=1000)
    capacity_max: int = Field(ge=1, le=1000)
    planned_sessions: list[PlannedSession] = Field(default_factory=list, max_length=200)
    # Names of the partner's staff who will run the action.
    facilitators: list[str] = personal_data(default_factory=list, max_length=50)
    resources_needed: str = long_text()


class ProposalDrafted(Event):
    event_type = "partners.proposal.drafted"

    proposal_id: str
    call_id: str
    partner_id: str
    content: ProposalContent


class ProposalRevised(Event):
    event_type = "partners.proposal.revised"

    proposal_id: str
    content: ProposalContent


class ProposalSubmitted(Event):
    event_type = "partners.proposal.submitted"

    proposal_id: str


class ProposalReviewStarted(Event):
    event_type = "partners.proposal.review_started"

    proposal_id: str


class ProposalChangesRequested(Event):
    event_type = "partners.proposal.changes_requested"

    proposal_id: str
    reason: str = reason()


class ProposalResubmitted(Event):
    event_type = "partners.proposal.resubmitted"

    proposal_id: str


class ProposalApproved(Event):
    """Approved: the catalogue action `action_id` is created from it in the same transaction."""

    event_type = "partners.proposal.approved"

    proposal_id: str
    action_id: str


class ProposalRejected(Event):
    event_type = "partners.proposal.rejected"

    proposal_id: str
    reason: str = reason()


class ProposalWithdrawn(Event):
    event_type = "partners.proposal.withdrawn"

    proposal_id: str
    reason: str = Field(default="", max_length=1000)


class ProposalCommented(Event):
    """One message of the co-construction thread between the partner and IPRO; the author is the actor."""

    event_type = "partners.proposal.commented"

    proposal_id: str
    comment_id: str
    text: str = Field(min_length=1, max_length=4000)


# --- Catalogue actions (stream type "action") ----------------------------------------------------------


class ActionCreated(Event):
    """An approved proposal became an action of the catalogue (not yet published)."""

    event_type = "partners.action.created"

    action_id: str
    proposal_id: str
    call_id: str
    partner_id: str
    title: str = label()
    action_type: ActionType
    theme: str = Field(min_length=1, max_length=200, description="the theme of the call it answered")
    capacity_min: int = Field(ge=1)
    capacity_max: int = Field(ge=1)


class SessionSlot(Value):
    """When, where and by whom a session is run."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: str = label()
    facilitators: list[str] = personal_data(default_factory=list, max_length=50)


class SessionScheduled(Event):
    event_type = "partners.action.session_scheduled"

    action_id: str
    session_id: str
    slot: SessionSlot


class PlannedSessionNotScheduled(Event):
    """A session the approved proposal planned that its action could not schedule when it was created (past
    by then, the organisation not allowed in on that day, the place or a facilitator taken): the partner
    schedules a replacement, if any, by hand."""

    event_type = "partners.action.planned_session_not_scheduled"

    action_id: str
    starts_at: AwareDatetime
    duration_minutes: int = Field(gt=0, le=24 * 60)
    place: str = label()
    rule: str = Field(
        min_length=1,
        max_length=100,
        description="the code of the scheduling rule it broke, e.g. session-in-the-past",
    )
    detail: str = text(max_length=1000)


class SessionMoved(Event):
    event_type = "partners.action.session_moved"

    action_id: str
    session_id: str
    slot: SessionSlot


class SessionCancelled(Event):
    event_type = "partners.action.session_cancelled"

    action_id: str
    session_id: str
    reason: str = reason()


class SessionReported(Event):
    """The partner's report of a delivered session."""

    event_type = "partners.action.session_reported"

    action_id: str
    session_id: str
    held: bool
    present_count: int = Field(ge=0)
    notes: str = long_text()


class ActionPublished(Event):
    event_type = "partners.action.published"

    action_id: str


class ActionClosed(Event):
    event_type = "partners.action.closed"

    action_id: str
