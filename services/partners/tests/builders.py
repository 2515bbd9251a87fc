"""Test builders with overrides, instead of copy-pasted dictionaries.

Everything is dated relative to `NOW` (a Friday morning in the establishment's time zone): the default call
is open from ten days before to twenty days after it, the default organisation is accredited for a year,
and the default session takes place three days later, from 14:00 to 16:00, Paris time. Defaults agree with
each other: `a_call_drafted()` is the call `call_window()` describes, `schedule_session()` produces
`a_session_scheduled()`, and so on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from contracts.partners import (
    ActionClosed,
    ActionCreated,
    ActionPublished,
    ActionType,
    CallArchived,
    CallClosed,
    CallContent,
    CallDrafted,
    CallPublished,
    CallRevised,
    ContactPersonAdded,
    ContactPersonRemoved,
    OrganisationType,
    PartnerAccredited,
    PartnerRegistered,
    PartnerReinstated,
    PartnerSuspended,
    PartnerWithdrawn,
    PlannedSession,
    PlannedSessionNotScheduled,
    ProposalApproved,
    ProposalChangesRequested,
    ProposalCommented,
    ProposalContent,
    ProposalDrafted,
    ProposalRejected,
    ProposalResubmitted,
    ProposalReviewStarted,
    ProposalRevised,
    ProposalSubmitted,
    ProposalWithdrawn,
    SessionCancelled,
    SessionMoved,
    SessionReported,
    SessionScheduled,
    SessionSlot,
)
from kernel.clock import LOCAL_TIME_ZONE
from partners.domain.commands import (
    AccreditPartner,
    AddContactPerson,
    CancelSession,
    CreateAction,
    DraftCall,
    DraftProposal,
    MoveSession,
    PlannedSlot,
    RegisterPartner,
    ReportSession,
    ResubmitProposal,
    ReviseCall,
    ReviseProposal,
    ScheduleSession,
    SubmitProposal,
)
from partners.domain.facts import CallWindow, NewActionFacts, PartnerStanding, ProposalFacts

PARIS = LOCAL_TIME_ZONE
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=PARIS)
TODAY = NOW.date()
VALID_SIRET = "73282932000074"


def days_from_today(days: int) -> date:
    return TODAY + timedelta(days=days)


def paris_time(days: int, hour: int, minute: int = 0) -> datetime:
    """`hour:minute`, Paris time, `days` calendar days after today (negative: before)."""
    return datetime.combine(days_from_today(days), time(hour, minute), tzinfo=PARIS)


def utc(moment: datetime) -> datetime:
    """The same instant in UTC, as the clock gives it: time-zone tests use it so the domain must convert."""
    return moment.astimezone(UTC)


def _with(values: dict, overrides: dict) -> dict:
    return {**values, **overrides}


# --- calls ------------------------------------------------------------------------------------------------


def call_content(**overrides) -> CallContent:
    values = dict(
        title="AMI Espace citoyen 2027",
        theme="Espace citoyen",
        establishment="Centre pénitentiaire d'Arras",
        description="Actions d'insertion pour les personnes détenues.",
        opens_on=days_from_today(-10),
        closes_on=days_from_today(20),
        target_themes=[ActionType.JOB_SEARCH_WORKSHOP, ActionType.CITIZENSHIP],
    )
    return CallContent(**_with(values, overrides))


def draft_call(**overrides) -> DraftCall:
    return DraftCall(**_with(dict(call_id="call-1", content=call_content()), overrides))


def revise_call(**overrides) -> ReviseCall:
    values = dict(call_id="call-1", content=call_content(title="AMI Espace citoyen"))
    return ReviseCall(**_with(values, overrides))


def a_call_drafted(**overrides) -> CallDrafted:
    return CallDrafted(**_with(dict(call_id="call-1", content=call_content()), overrides))


def a_call_revised(**overrides) -> CallRevised:
    values = dict(call_id="call-1", content=call_content(title="AMI Espace citoyen"))
    return CallRevised(**_with(values, overrides))


def a_call_published(**overrides) -> CallPublished:
    return CallPublished(**_with(dict(call_id="call-1"), overrides))


def a_call_closed(**overrides) -> CallClosed:
    return CallClosed(**_with(dict(call_id="call-1", closed_on=TODAY), overrides))


def a_call_archived(**overrides) -> CallArchived:
    return CallArchived(**_with(dict(call_id="call-1"), overrides))


def call_window(**overrides) -> CallWindow:
    """What a proposal command carries of the default call, published."""
    content = call_content()
    values = dict(
        call_id="call-1",
        title=content.title,
        published=True,
        theme=content.theme,
        opens_on=content.opens_on,
        closes_on=content.closes_on,
        target_themes=content.target_themes,
    )
    return CallWindow(**_with(values, overrides))


# --- partner organisations --------------------------------------------------------------------------------


def register_partner(**overrides) -> RegisterPartner:
    values = dict(
        partner_id="partner-1",
        name="Association Ressources Emploi",
        siret=VALID_SIRET,
        organisation_type=OrganisationType.ASSOCIATION,
    )
    return RegisterPartner(**{**values, **overrides})


def a_partner_registered(**overrides) -> PartnerRegistered:
    values = dict(
        partner_id="partner-1",
        name="Association Ressources Emploi",
        siret=VALID_SIRET,
        organisation_type=OrganisationType.ASSOCIATION,
    )
    return PartnerRegistered(**{**values, **overrides})


def add_contact_person(**overrides) -> AddContactPerson:
    values = dict(
        contact_id="contact-1",
        full_name="Claire Martin",
        job_title="Chargée d'insertion",
        email="claire.martin@example.org",
        phone="03 21 00 00 00",
    )
    return AddContactPerson(**_with(values, overrides))


def a_contact_person_added(**overrides) -> ContactPersonAdded:
    values = dict(
        partner_id="partner-1",
        contact_id="contact-1",
        full_name="Claire Martin",
        job_title="Chargée d'insertion",
        email="claire.martin@example.org",
        phone="03 21 00 00 00",
    )
    return ContactPersonAdded(**_with(values, overrides))


def a_contact_person_removed(**overrides) -> ContactPersonRemoved:
    return ContactPersonRemoved(**_with(dict(partner_id="partner-1", contact_id="contact-1"), overrides))


def accredit_partner(**overrides) -> AccreditPartner:
    values = dict(
        establishment="Centre pénitentiaire d'Arras", accredited_until=days_from_today(365), now=NOW
    )
    return AccreditPartner(**_with(values, overrides))


def a_partner_accredited(**overrides) -> PartnerAccredited:
    values = dict(
        partner_id="partner-1",
        establishment="Centre pénitentiaire d'Arras",
        accredited_until=days_from_today(365),
    )
    return PartnerAccredited(**_with(values, overrides))


def a_partner_suspended(**overrides) -> PartnerSuspended:
    values = dict(partner_id="partner-1", reason="Incident lors d'une séance")
    return PartnerSuspended(**_with(values, overrides))


def a_partner_reinstated(**overrides) -> PartnerReinstated:
    return PartnerReinstated(**_with(dict(partner_id="partner-1"), overrides))


def a_partner_withdrawn(**overrides) -> PartnerWithdrawn:
    return PartnerWithdrawn(**_with(dict(partner_id="partner-1", reason="Fin du partenariat"), overrides))


def partner_standing(**overrides) -> PartnerStanding:
    """What an action or proposal command carries of the default organisation, accredited for a year."""
    values = dict(
        partner_id="partner-1",
        name="Association Ressources Emploi",
        withdrawn=False,
        suspended=False,
        accredited_until=days_from_today(365),
    )
    return PartnerStanding(**_with(values, overrides))


# --- proposals --------------------------------------------------------------------------------------------


def planned_session(**overrides) -> PlannedSession:
    values = dict(starts_at=paris_time(3, 14), duration_minutes=120, place="Salle polyvalente")
    return PlannedSession(**_with(values, overrides))


def proposal_content(**overrides) -> ProposalContent:
    values = dict(
        title="Atelier CV et lettre de motivation",
        action_type=ActionType.JOB_SEARCH_WORKSHOP,
        objectives="Rédiger un CV",
        target_public="Personnes condamnées en fin de peine",
        capacity_min=4,
        capacity_max=10,
        planned_sessions=[planned_session()],
        facilitators=["Claire Martin"],
    )
    return ProposalContent(**_with(values, overrides))


def _with_facts(command_type, values: dict, overrides: dict, *, facts) -> tuple:
    """A command and the facts its decision needs (`when(*command_with_facts)`); `call=` and `partner=`
    override the facts."""
    call, partner = overrides.pop("call", call_window()), overrides.pop("partner", partner_standing())
    command = command_type(**_with(values, overrides))
    return command, facts(call, partner)


def decision(command) -> tuple:
    """`when(*decision(command))` for a list mixing plain commands and (command, facts) pairs."""
    return command if isinstance(command, tuple) else (command, None)


def _proposal_facts(call: CallWindow, partner: PartnerStanding) -> ProposalFacts:
    return ProposalFacts(call=call, partner=partner)


def draft_proposal(**overrides) -> tuple[DraftProposal, ProposalFacts]:
    values = dict(
        proposal_id="proposal-1",
        call_id="call-1",
        partner_id="partner-1",
        content=proposal_content(),
        now=NOW,
    )
    return _with_facts(DraftProposal, values, overrides, facts=_proposal_facts)


def revise_proposal(**overrides) -> tuple[ReviseProposal, ProposalFacts]:
    values = dict(content=proposal_content(capacity_max=12), now=NOW)
    return _with_facts(ReviseProposal, values, overrides, facts=_proposal_facts)


def submit_proposal(**overrides) -> tuple[SubmitProposal, ProposalFacts]:
    return _with_facts(SubmitProposal, dict(now=NOW), overrides, facts=_proposal_facts)


def resubmit_proposal(**overrides) -> tuple[ResubmitProposal, ProposalFacts]:
    return _with_facts(ResubmitProposal, dict(now=NOW), overrides, facts=_proposal_facts)


def a_proposal_drafted(**overrides) -> ProposalDrafted:
    values = dict(
        proposal_id="proposal-1", call_id="call-1", partner_id="partner-1", content=proposal_content()
    )
    return ProposalDrafted(**_with(values, overrides))


def a_proposal_revised(**overrides) -> ProposalRevised:
    values = dict(proposal_id="proposal-1", content=proposal_content(capacity_max=12))
    return ProposalRevised(**_with(values, overrides))


def a_proposal_submitted(**overrides) -> ProposalSubmitted:
    return ProposalSubmitted(**_with(dict(proposal_id="proposal-1"), overrides))


def a_proposal_review_started(**overrides) -> ProposalReviewStarted:
    return ProposalReviewStarted(**_with(dict(proposal_id="proposal-1"), overrides))


def changes_requested(**overrides) -> ProposalChangesRequested:
    values = dict(proposal_id="proposal-1", reason="Préciser le public visé")
    return ProposalChangesRequested(**_with(values, overrides))


def a_proposal_resubmitted(**overrides) -> ProposalResubmitted:
    return ProposalResubmitted(**_with(dict(proposal_id="proposal-1"), overrides))


def a_proposal_approved(**overrides) -> ProposalApproved:
    return ProposalApproved(**_with(dict(proposal_id="proposal-1", action_id="action-1"), overrides))


def a_proposal_rejected(**overrides) -> ProposalRejected:
    values = dict(proposal_id="proposal-1", reason="Hors du champ de l'AMI")
    return ProposalRejected(**_with(values, overrides))


def a_proposal_withdrawn(**overrides) -> ProposalWithdrawn:
    return ProposalWithdrawn(**_with(dict(proposal_id="proposal-1", reason="Plus de formateur"), overrides))


def a_proposal_commented(**overrides) -> ProposalCommented:
    values = dict(proposal_id="proposal-1", comment_id="comment-1", text="Pouvez-vous préciser le matériel ?")
    return ProposalCommented(**_with(values, overrides))


# --- catalogue actions ------------------------------------------------------------------------------------


def planned_slot(**overrides) -> PlannedSlot:
    """The default planned session (in three days, 14:00, two hours), with the id its action gives it."""
    values = dict(planned_session().model_dump(), session_id="session-1")
    return PlannedSlot(**_with(values, overrides))


def create_action(**overrides) -> tuple[CreateAction, NewActionFacts]:
    """Default: an action planning no session; `partner=` and `taken=` (other actions' slots) override the
    facts."""
    partner, taken = overrides.pop("partner", partner_standing()), overrides.pop("taken", [])
    values = dict(
        action_id="action-1",
        proposal_id="proposal-1",
        call_id="call-1",
        partner_id="partner-1",
        title="Atelier CV et lettre de motivation",
        action_type=ActionType.JOB_SEARCH_WORKSHOP,
        theme="Espace citoyen",
        capacity_min=4,
        capacity_max=10,
        planned_sessions=[],
        facilitators=["Claire Martin"],
        now=NOW,
    )
    return CreateAction(**_with(values, overrides)), NewActionFacts(partner=partner, taken=taken)


def an_action_created(**overrides) -> ActionCreated:
    command, _ = create_action()
    return ActionCreated(**_with(command.model_dump(include=set(ActionCreated.model_fields)), overrides))


def a_planned_session_not_scheduled(**overrides) -> PlannedSessionNotScheduled:
    """Default: the default planned session, past by the time its proposal is approved."""
    values = dict(
        action_id="action-1",
        starts_at=paris_time(3, 14),
        duration_minutes=120,
        place="Salle polyvalente",
        rule="session-in-the-past",
        detail="the session on Monday 30 November 2026 at 14:00 (Salle polyvalente) would be in the past",
    )
    return PlannedSessionNotScheduled(**_with(values, overrides))


def session_slot(**overrides) -> SessionSlot:
    """Default: in three days, 14:00 to 16:00 Paris time; `ends_at` follows an overridden `starts_at`."""
    starts_at = overrides.get("starts_at", paris_time(3, 14))
    values = dict(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=120),
        place="Salle polyvalente",
        facilitators=["Claire Martin"],
    )
    return SessionSlot(**_with(values, overrides))


def schedule_session(**overrides) -> tuple[ScheduleSession, PartnerStanding]:
    values = dict(
        session_id="session-1",
        starts_at=paris_time(3, 14),
        duration_minutes=120,
        place="Salle polyvalente",
        facilitators=["Claire Martin"],
        now=NOW,
    )
    return _with_facts(ScheduleSession, values, overrides, facts=lambda _call, partner: partner)


def move_session(**overrides) -> MoveSession:
    """Default: the default session, one day later at the same hour."""
    values = dict(
        session_id="session-1",
        starts_at=paris_time(4, 14),
        duration_minutes=120,
        place="Salle polyvalente",
        facilitators=["Claire Martin"],
        now=NOW,
    )
    return _with_facts(MoveSession, values, overrides, facts=lambda _call, partner: partner)


def cancel_session(**overrides) -> CancelSession:
    return CancelSession(**_with(dict(session_id="session-1", reason="Mouvement social", now=NOW), overrides))


def report_session(**overrides) -> ReportSession:
    """Default: the default session, reported an hour after it ended."""
    values = dict(
        session_id="session-1", held=True, present_count=8, notes="Bonne participation", now=paris_time(3, 17)
    )
    return ReportSession(**_with(values, overrides))


def a_session_scheduled(**overrides) -> SessionScheduled:
    values = dict(action_id="action-1", session_id="session-1", slot=session_slot())
    return SessionScheduled(**_with(values, overrides))


def a_session_moved(**overrides) -> SessionMoved:
    values = dict(
        action_id="action-1", session_id="session-1", slot=session_slot(starts_at=paris_time(4, 14))
    )
    return SessionMoved(**_with(values, overrides))


def a_session_cancelled(**overrides) -> SessionCancelled:
    values = dict(action_id="action-1", session_id="session-1", reason="Mouvement social")
    return SessionCancelled(**_with(values, overrides))


def a_session_reported(**overrides) -> SessionReported:
    values = dict(
        action_id="action-1", session_id="session-1", held=True, present_count=8, notes="Bonne participation"
    )
    return SessionReported(**_with(values, overrides))


def an_action_published(**overrides) -> ActionPublished:
    return ActionPublished(**_with(dict(action_id="action-1"), overrides))


def an_action_closed(**overrides) -> ActionClosed:
    return ActionClosed(**_with(dict(action_id="action-1"), overrides))
