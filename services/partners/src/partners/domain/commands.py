"""Commands of the partners domain: what a user asks for, in the imperative, and nothing loaded.

A command whose decision needs facts owned by another aggregate (the call a proposal answers, the
organisation an action belongs to) says so with `needs_facts`: the handler loads them (`domain.facts`) and
`decide` receives them as its third argument. Commands whose rules depend on time carry `now`, read from
the injected clock.
"""

from datetime import date
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.partners import ActionType, CallContent, OrganisationType, PlannedSession, ProposalContent


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # Whether `decide` needs the facts of other aggregates (`domain.facts`), which the handler then loads.
    needs_facts: ClassVar[bool] = False


# --- calls ---
class DraftCall(Command):
    call_id: str
    content: CallContent


class ReviseCall(Command):
    call_id: str
    content: CallContent


class PublishCall(Command):
    now: AwareDatetime


class CloseCall(Command):
    now: AwareDatetime


class ArchiveCall(Command):
    pass


# --- partner organisations ---
class RegisterPartner(Command):
    partner_id: str
    name: str
    siret: str
    organisation_type: OrganisationType


class AddContactPerson(Command):
    contact_id: str
    full_name: str
    job_title: str = ""
    email: str | None = None
    phone: str | None = None


class RemoveContactPerson(Command):
    contact_id: str


class AccreditPartner(Command):
    establishment: str
    accredited_until: date
    now: AwareDatetime


class SuspendPartner(Command):
    reason: str


class ReinstatePartner(Command):
    pass


class WithdrawPartner(Command):
    reason: str


# --- proposals ---
class DraftProposal(Command):
    needs_facts = True
    proposal_id: str
    call_id: str
    partner_id: str
    content: ProposalContent
    now: AwareDatetime


class ReviseProposal(Command):
    needs_facts = True
    content: ProposalContent
    now: AwareDatetime


class SubmitProposal(Command):
    needs_facts = True
    now: AwareDatetime


class StartReview(Command):
    pass


class RequestChanges(Command):
    reason: str


class ResubmitProposal(Command):
    needs_facts = True
    now: AwareDatetime


class ApproveProposal(Command):
    action_id: str
    now: AwareDatetime


class RejectProposal(Command):
    reason: str


class WithdrawProposal(Command):
    reason: str = ""


class CommentOnProposal(Command):
    comment_id: str
    text: str


# --- catalogue actions ---
class PlannedSlot(PlannedSession):
    """A session the proposal planned, with the id it gets if its action can schedule it."""

    session_id: str


class CreateAction(Command):
    """Created from an approved proposal, with the theme of the call it answered (built by the handler that
    approves it, in the same transaction). The proposal's planned sessions still ahead are scheduled, run by
    its facilitators, under the rules of `ScheduleSession`; the decision needs the organisation's standing
    and the other actions' sessions at those times (`domain.facts.NewActionFacts`)."""

    needs_facts = True
    action_id: str
    proposal_id: str
    call_id: str
    partner_id: str
    title: str
    action_type: ActionType
    theme: str
    capacity_min: int
    capacity_max: int
    planned_sessions: list[PlannedSlot] = []
    facilitators: list[str] = []
    now: AwareDatetime


class SessionPlan(Command):
    """When, where and by whom a session is to run; the decision needs the running organisation's standing."""

    needs_facts = True
    session_id: str
    starts_at: AwareDatetime
    duration_minutes: int = Field(gt=0, le=24 * 60)
    place: str
    facilitators: list[str]
    now: AwareDatetime


class ScheduleSession(SessionPlan):
    pass


class MoveSession(SessionPlan):
    pass


class CancelSession(Command):
    session_id: str
    reason: str
    now: AwareDatetime


class PublishAction(Command):
    pass


class ReportSession(Command):
    session_id: str
    held: bool
    present_count: int
    notes: str = ""
    now: AwareDatetime


class CloseAction(Command):
    pass
