"""What a decision needs to know of other aggregates, built by the handler from their state: the call a
proposal answers, the standing of the organisation that makes it or runs an action, the sessions other
actions hold at the times a new action plans its own."""

from datetime import date

from pydantic import BaseModel, ConfigDict

from contracts.partners import ActionType, SessionSlot


class Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CallWindow(Facts):
    """What a proposal needs to know of the call it answers."""

    call_id: str
    title: str = ""  # as refusals name the call
    published: bool
    theme: str
    opens_on: date
    closes_on: date
    target_themes: list[ActionType]


class PartnerStanding(Facts):
    """What a proposal or a session needs to know of the organisation."""

    partner_id: str
    name: str = "the organisation"  # as refusals name it
    withdrawn: bool
    suspended: bool
    accredited_until: date | None


class ProposalFacts(Facts):
    call: CallWindow
    partner: PartnerStanding


class NewActionFacts(Facts):
    """What an action created from a proposal needs to schedule the sessions it planned: the organisation's
    standing, and the live (not cancelled) sessions of other actions overlapping those times, from the
    service's session table (facilitators' names casefolded)."""

    partner: PartnerStanding
    taken: list[SessionSlot] = []
