"""A referral (*orientation → inscription*): a CPIP refers a person to a programme from their plan; the
person's facts are checked against its eligibility rules (a DPIP may override a refusal); the person
consents; they are enrolled in a group or wait for a seat; they start, then complete, drop out, are
excluded, withdraw, or leave on release.

    requested → eligible | refused (→ eligible by override) → waiting → enrolled → started
              → completed | not_completed | dropped_out | excluded | withdrawn
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.programmes import (
    CompletionCertificateIssued,
    ConsentRecorded,
    EligibilityOverridden,
    ParticipationAssessed,
    ParticipationStarted,
    ReferralDroppedOut,
    ReferralEndedOnRelease,
    ReferralEnrolled,
    ReferralExcluded,
    ReferralFoundEligible,
    ReferralRefused,
    ReferralRequested,
    ReferralWaitlisted,
    ReferralWithdrawn,
)
from kernel.decider import Decider
from programmes.domain import errors, names
from programmes.domain.commands import (
    AssessParticipation,
    Command,
    DropOut,
    EndOnRelease,
    Enrol,
    Exclude,
    OverrideEligibility,
    RecordConsent,
    RequestReferral,
    StartParticipation,
    Waitlist,
    Withdraw,
)
from programmes.domain.eligibility import failed_rules
from programmes.domain.facts import CompletionFacts, PlacementFacts, ReferralFacts, ReferralNames


class ReferralStatus(StrEnum):
    REQUESTED = "requested"
    ELIGIBLE = "eligible"
    REFUSED = "refused"
    WAITING = "waiting"
    ENROLLED = "enrolled"
    STARTED = "started"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"
    DROPPED_OUT = "dropped_out"
    EXCLUDED = "excluded"
    WITHDRAWN = "withdrawn"


ENDED = frozenset(
    {
        ReferralStatus.COMPLETED,
        ReferralStatus.NOT_COMPLETED,
        ReferralStatus.DROPPED_OUT,
        ReferralStatus.EXCLUDED,
        ReferralStatus.WITHDRAWN,
    }
)
# Holding a seat or a place on a waiting list: leaving frees it.
PLACED = frozenset({ReferralStatus.WAITING, ReferralStatus.ENROLLED, ReferralStatus.STARTED})
# The end reason when the release, not anyone's decision, ended a referral: a code, not a text about the person.
RELEASED = "released"
# Certificate ids derive from the referral's (a referral completes once): a command run again after a lost
# race issues the same certificate.
CERTIFICATES = uuid.UUID("9b8f4a52-3c7e-4f0e-9a61-2d5c8e0b7f13")


class Referral(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    referral_id: str | None = None
    programme_id: str | None = None
    case_id: str | None = None
    subject_id: str | None = None
    plan_id: str | None = None
    objective_id: str | None = None
    establishment: str = ""
    status: ReferralStatus = ReferralStatus.REQUESTED
    failed_rules: list[str] = []
    override_reason: str | None = None
    consent: bool | None = None
    consent_recorded_on: date | None = None
    group_id: str | None = None
    end_reason: str | None = None
    attendance_rate: float | None = None
    certificate_id: str | None = None

    @property
    def open(self) -> bool:
        return self.status not in ENDED


initial_state = Referral()


DecisionFacts = ReferralFacts | PlacementFacts | CompletionFacts | ReferralNames | None
# How a sentence says where a placed person is.
_PLACED_AS = {
    ReferralStatus.WAITING: "on a group's waiting list",
    ReferralStatus.ENROLLED: "enrolled in a group",
    ReferralStatus.STARTED: "taking part in a group",
}


def decide(command: Command, state: Referral, facts: DecisionFacts = None) -> list[Event]:
    """`facts`: the programme's and the person's, to refer; the group's, to place; the participant's
    attendance and the programme's threshold, to assess at the close; how the referral is named, otherwise
    (`ReferralNames`: refusals name the person and the programme when the handler knows them)."""
    if isinstance(command, RequestReferral):
        return _request(command, state, _needs(ReferralFacts, facts))
    if state.referral_id is None:
        raise errors.ReferralNotFound("no such referral")
    named = facts if isinstance(facts, ReferralNames) else ReferralNames()
    referral = f"the referral of {named.person} to {named.programme}"
    if not state.open:
        raise errors.ReferralEnded(f"{referral} has ended ({_status(state)})")
    referral_id = state.referral_id
    match command:
        case OverrideEligibility():
            if state.status != ReferralStatus.REFUSED:
                raise errors.ReferralNotRefused(
                    f"{referral} is {_status(state)}: only a refused referral is overridden"
                )
            return [EligibilityOverridden(referral_id=referral_id, reason=command.reason)]
        case RecordConsent():
            if state.consent is not None:
                answer = "gave their consent" if state.consent else "refused their consent"
                raise errors.ConsentAlreadyRecorded(
                    f"{named.person} already {answer} to the referral to {named.programme}: withdraw the "
                    "referral to end it"
                )
            return [ConsentRecorded(referral_id=referral_id, given=command.given, recorded_on=command.today)]
        case Enrol():
            group = _needs(PlacementFacts, facts)
            _ensure_placeable(state, command.group_id, group, from_waiting=True)
            enrolled: list[Event] = [ReferralEnrolled(referral_id=referral_id, group_id=command.group_id)]
            if group.started:  # the group is under way: the person takes part from now on
                enrolled.append(ParticipationStarted(referral_id=referral_id, group_id=command.group_id))
            return enrolled
        case Waitlist():
            _ensure_placeable(state, command.group_id, _needs(PlacementFacts, facts), from_waiting=False)
            return [ReferralWaitlisted(referral_id=referral_id, group_id=command.group_id)]
        case StartParticipation():
            if state.status not in (ReferralStatus.ENROLLED, ReferralStatus.STARTED):
                raise errors.ReferralNotEligible("only an enrolled person starts")
            if state.group_id != command.group_id:
                raise errors.ReferralAlreadyPlaced("the person is placed in another group")
            if state.status == ReferralStatus.STARTED:
                return []
            return [ParticipationStarted(referral_id=referral_id, group_id=command.group_id)]
        case DropOut() | Exclude():
            if state.status not in (ReferralStatus.ENROLLED, ReferralStatus.STARTED):
                raise errors.ReferralNotStarted(
                    f"{referral} is {_status(state)}: only a participant drops out or is excluded"
                )
            if isinstance(command, DropOut):
                return [ReferralDroppedOut(referral_id=referral_id, reason=command.reason)]
            return [ReferralExcluded(referral_id=referral_id, reason=command.reason)]
        case Withdraw():
            return [ReferralWithdrawn(referral_id=referral_id, reason=command.reason)]
        case EndOnRelease():
            return [ReferralEndedOnRelease(referral_id=referral_id, released_on=command.released_on)]
        case AssessParticipation():
            return _assess(command, state, _needs(CompletionFacts, facts))
    raise TypeError(f"the referral aggregate does not handle {type(command).__name__}")


def _status(state: Referral) -> str:
    return state.status.value.replace("_", " ")


def _needs(kind: type, facts: DecisionFacts):
    if not isinstance(facts, kind):
        raise TypeError(f"this referral command is decided knowing {kind.__name__}")
    return facts


def certificate_id(referral_id: str) -> str:
    return str(uuid.uuid5(CERTIFICATES, referral_id))


def _request(command: RequestReferral, state: Referral, facts: ReferralFacts) -> list[Event]:
    person, programme = facts.person, facts.programme
    named = names.programme_of(programme.definition)
    if state.referral_id is not None:
        raise errors.ReferralAlreadyExists(
            f"the referral of {person.person} to {named} already exists",
            existing=f"/referrals/{command.referral_id}",
            referral_id=command.referral_id,
        )
    if not person.case_open:
        raise errors.CaseClosed(f"the case of {person.person} is closed: they are referred to no programme")
    if programme.withdrawn:
        raise errors.ProgrammeWithdrawn(f"{named} was withdrawn from the catalogue")
    if command.objective_id not in person.plan_objectives:
        raise errors.ObjectiveNotInPlan(
            f"{person.person} is referred from an objective of their current plan, which does not hold this one",
            objective_id=command.objective_id,
        )
    requested = ReferralRequested(
        referral_id=command.referral_id,
        programme_id=programme.programme_id,
        case_id=command.case_id,
        subject_id=person.subject_id,
        plan_id=command.plan_id,
        objective_id=command.objective_id,
        establishment=person.establishment,
    )
    if failed := failed_rules(programme.definition.eligibility, person):
        return [requested, ReferralRefused(referral_id=command.referral_id, failed_rules=failed)]
    return [requested, ReferralFoundEligible(referral_id=command.referral_id)]


def _ensure_placeable(state: Referral, group_id: str, group: PlacementFacts, *, from_waiting: bool) -> None:
    """Enrol from eligible (or from this group's waiting list); wait only from eligible; consent first."""
    person = group.person
    if group.programme_id != state.programme_id:
        raise errors.GroupOfAnotherProgramme(
            f"{group.group} runs another programme than {group.programme}, which {person} is referred to"
        )
    if state.status == ReferralStatus.WAITING and from_waiting:
        if state.group_id != group_id:
            raise errors.ReferralAlreadyPlaced(
                f"{person} waits for a seat in another group than {group.group}"
            )
    elif state.status in PLACED:
        raise errors.ReferralAlreadyPlaced(f"{person} is already {_PLACED_AS[state.status]}")
    elif state.status != ReferralStatus.ELIGIBLE:
        raise errors.ReferralNotEligible(
            f"the referral of {person} to {group.programme} is {_status(state)}: it must be eligible first"
        )
    if not state.consent:
        raise errors.ConsentMissing(
            f"the consent of {person} is recorded before they are placed in {group.group}: taking part is "
            "voluntary"
        )


def _assess(command: AssessParticipation, state: Referral, facts: CompletionFacts) -> list[Event]:
    if state.status != ReferralStatus.STARTED or state.group_id != command.group_id:
        raise errors.ReferralNotStarted("only a participant of the group is assessed at its close")
    counted, attended = facts.sessions_counted, facts.sessions_attended
    rate = attended / counted if counted else 0.0
    completed = counted > 0 and rate >= facts.threshold
    events: list[Event] = [
        ParticipationAssessed(
            referral_id=state.referral_id,
            group_id=command.group_id,
            sessions_attended=attended,
            sessions_counted=counted,
            attendance_rate=round(rate, 4),
            completed=completed,
        )
    ]
    if completed:
        events.append(
            CompletionCertificateIssued(
                referral_id=state.referral_id,
                certificate_id=certificate_id(state.referral_id),
                subject_id=state.subject_id,
                programme_code=facts.programme_code,
                programme_name=facts.programme_name,
                group_id=command.group_id,
                establishment=facts.establishment,
                start_date=facts.start_date,
                end_date=command.today,
                sessions_attended=attended,
                issued_on=command.today,
            )
        )
    return events


def evolve(state: Referral, event: Event) -> Referral:
    match event:
        case ReferralRequested():
            return Referral(**event.model_dump())
        case ReferralFoundEligible():
            return state.model_copy(update={"status": ReferralStatus.ELIGIBLE})
        case ReferralRefused():
            return state.model_copy(
                update={"status": ReferralStatus.REFUSED, "failed_rules": event.failed_rules}
            )
        case EligibilityOverridden():
            return state.model_copy(
                update={"status": ReferralStatus.ELIGIBLE, "override_reason": event.reason}
            )
        case ConsentRecorded():
            return state.model_copy(update={"consent": event.given, "consent_recorded_on": event.recorded_on})
        case ReferralWaitlisted():
            return state.model_copy(update={"status": ReferralStatus.WAITING, "group_id": event.group_id})
        case ReferralEnrolled():
            return state.model_copy(update={"status": ReferralStatus.ENROLLED, "group_id": event.group_id})
        case ParticipationStarted():
            return state.model_copy(update={"status": ReferralStatus.STARTED})
        case ReferralDroppedOut():
            return _ended(state, ReferralStatus.DROPPED_OUT, event.reason)
        case ReferralExcluded():
            return _ended(state, ReferralStatus.EXCLUDED, event.reason)
        case ReferralWithdrawn():
            return _ended(state, ReferralStatus.WITHDRAWN, event.reason)
        case ReferralEndedOnRelease():
            return _ended(state, ReferralStatus.WITHDRAWN, RELEASED)
        case ParticipationAssessed():
            status = ReferralStatus.COMPLETED if event.completed else ReferralStatus.NOT_COMPLETED
            return state.model_copy(update={"status": status, "attendance_rate": event.attendance_rate})
        case CompletionCertificateIssued():
            return state.model_copy(update={"certificate_id": event.certificate_id})
    return state


def _ended(state: Referral, status: ReferralStatus, reason: str) -> Referral:
    return state.model_copy(update={"status": status, "end_reason": reason})


referral = Decider(stream_type="referral", initial_state=initial_state, decide=decide, evolve=evolve)
