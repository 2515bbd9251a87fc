"""Access to work under French prison law, one work file per pathway: the person's written *classement*
request, the CPU's opinion, the governor's decision (granted for some regimes, or refused with reasons and
how to appeal), employer interviews, the *affectation* to a post, then the *contrat d'emploi pénitentiaire*
(trial period, suspension, end) and declassification after an adversarial hearing.

Nothing is arranged once the pathway is closed (`PathwayFacts`); a post's hours may not overlap the person's
other commitments (`Commitments`). The release ends the post the person holds, and its contract if signed.
The waiting list per regime is a query over classed people without a post (`queries.waiting_lists`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.ipro import (
    AdversarialHearingHeld,
    AffectationDecided,
    AffectationEndedOnRelease,
    ClassementGranted,
    ClassementRefused,
    ClassementRequested,
    ContractEnded,
    ContractEndedOnRelease,
    ContractEndReason,
    ContractResumed,
    ContractSigned,
    ContractSuspended,
    CpuOpinionRecorded,
    DeclassificationReasonRecorded,
    Declassified,
    EmployerInterviewHeld,
    PreliminaryInterviewHeld,
    WeeklySlot,
    WorkRegime,
)
from ipro.domain import errors, names
from ipro.domain.calendar import first_collision, slots_valid
from ipro.domain.commands import (
    Command,
    DecideAffectation,
    Declassify,
    EndContract,
    EndWorkOnRelease,
    GrantClassement,
    HoldAdversarialHearing,
    HoldEmployerInterview,
    HoldPreliminaryInterview,
    RecordCpuOpinion,
    RefuseClassement,
    RequestClassement,
    ResumeContract,
    SignContract,
    SuspendContract,
)
from ipro.domain.facts import Booking, Commitments, PathwayFacts
from kernel.decider import Decider


class ClassementStatus(StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"
    DECLASSIFIED = "declassified"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True)

    contract_id: str
    affectation_id: str
    starts_on: date
    ends_on: date | None
    trial_days: int
    status: ContractStatus = ContractStatus.ACTIVE
    preliminary_interview: bool = False


class Affectation(BaseModel):
    model_config = ConfigDict(frozen=True)

    affectation_id: str
    regime: WorkRegime
    post: str
    workshop: str
    employer: str
    schedule: list[WeeklySlot]
    starts_on: date
    contract_id: str | None = None
    ended: bool = False

    @property
    def booking(self) -> Booking:
        """The post's weekly hours from its first day, as the person's bookings hold them."""
        return Booking(
            kind="work",
            reference=self.affectation_id,
            label=names.post(self.post, self.workshop),
            starts_on=self.starts_on,
            slots=self.schedule,
        )


class WorkFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    work_id: str | None = None
    pathway_id: str | None = None
    subject_id: str | None = None
    classement: ClassementStatus = ClassementStatus.NONE
    requested_on: date | None = None
    cpu_opinion: bool | None = None
    regimes: list[WorkRegime] = []
    interviews: dict[str, tuple[WorkRegime, str]] = {}  # interview id -> (regime, employer)
    affectations: dict[str, Affectation] = {}
    contracts: dict[str, Contract] = {}
    hearing_since_grant: bool = False

    @property
    def current_affectation(self) -> Affectation | None:
        return next((a for a in self.affectations.values() if not a.ended), None)

    @property
    def current_contract(self) -> Contract | None:
        return next((c for c in self.contracts.values() if c.status != ContractStatus.ENDED), None)


initial_state = WorkFile()


def decide(command: Command, state: WorkFile, facts: PathwayFacts) -> list[Event]:
    """`facts`: the pathway the work file belongs to; with the person's bookings (`Commitments`) for an
    affectation."""
    if isinstance(command, EndWorkOnRelease):
        return _end_on_release(command, state)
    who = facts.person
    if facts.closed:
        raise errors.PathwayClosed(f"{who}'s pathway is closed: they have left")
    if isinstance(command, RequestClassement):
        return [_request(command, state, facts)]
    _as_asked(command)
    if state.work_id is None:
        raise errors.ClassementNotRequested(f"no classement was requested for {who}")
    work_id = state.work_id
    match command:
        case RecordCpuOpinion():
            _pending(state)
            if state.cpu_opinion is not None:
                raise errors.CpuOpinionAlreadyRecorded("the CPU already gave its opinion on this request")
            if command.held_on > command.today:
                raise errors.DateInTheFuture("the CPU cannot be dated after today")
            return [
                CpuOpinionRecorded(
                    work_id=work_id,
                    held_on=command.held_on,
                    favourable=command.favourable,
                    opinion=command.opinion,
                )
            ]
        case GrantClassement() | RefuseClassement():
            _pending(state)
            if state.cpu_opinion is None:
                raise errors.CpuOpinionMissing("the governor decides once the CPU has given its opinion")
            if isinstance(command, GrantClassement):
                return [
                    ClassementGranted(
                        work_id=work_id, regimes=sorted(set(command.regimes)), decided_on=command.today
                    )
                ]
            return [
                ClassementRefused(
                    work_id=work_id,
                    reasons=command.reasons.strip(),
                    appeal_information=command.appeal_information.strip(),
                    decided_on=command.today,
                )
            ]
        case HoldEmployerInterview():
            _classed_for(state, command.regime, who, errors.NotClassedForRegime)
            if command.held_on > command.today:
                raise errors.DateInTheFuture("the interview cannot be dated after today")
            return [
                EmployerInterviewHeld(
                    work_id=work_id,
                    interview_id=command.interview_id,
                    regime=command.regime,
                    employer=command.employer,
                    post=command.post,
                    held_on=command.held_on,
                )
            ]
        case DecideAffectation():
            if not isinstance(facts, Commitments):
                raise TypeError("an affectation is decided knowing the person's bookings")
            return [_affectation(command, state, facts.bookings, who)]
        case SignContract():
            return [_contract(command, state, who)]
        case SuspendContract():
            contract = _running_contract(state, who)
            if contract.status == ContractStatus.SUSPENDED:
                raise errors.ContractAlreadySuspended("the contract is already suspended")
            return [
                ContractSuspended(
                    work_id=work_id,
                    contract_id=contract.contract_id,
                    reason=command.reason,
                    suspended_on=command.today,
                )
            ]
        case ResumeContract():
            contract = _running_contract(state, who)
            if contract.status != ContractStatus.SUSPENDED:
                raise errors.ContractNotSuspended("only a suspended contract resumes")
            return [
                ContractResumed(work_id=work_id, contract_id=contract.contract_id, resumed_on=command.today)
            ]
        case HoldPreliminaryInterview():
            contract = _running_contract(state, who)
            return [
                PreliminaryInterviewHeld(
                    work_id=work_id, contract_id=contract.contract_id, held_on=command.today
                )
            ]
        case EndContract():
            contract = _running_contract(state, who)
            if (
                command.reason == ContractEndReason.PROFESSIONAL_INADEQUACY
                and not contract.preliminary_interview
            ):
                raise errors.PreliminaryInterviewMissing(
                    "ending a contract for professional inadequacy needs a preliminary interview first"
                )
            return [
                ContractEnded(
                    work_id=work_id,
                    contract_id=contract.contract_id,
                    reason=command.reason,
                    ended_on=command.today,
                )
            ]
        case HoldAdversarialHearing():
            _classed(state, who)
            return [AdversarialHearingHeld(work_id=work_id, held_on=command.today)]
        case Declassify():
            _classed(state, who)
            if not state.hearing_since_grant:
                raise errors.AdversarialHearingMissing("declassification needs an adversarial hearing first")
            if state.current_contract is not None:
                raise errors.ContractStillActive(f"end {who}'s contract before declassifying them")
            # The reason travels apart, restricted: the schedule ends the post on the shareable event.
            return [
                Declassified(work_id=work_id, decided_on=command.today),
                DeclassificationReasonRecorded(work_id=work_id, reason=command.reason),
            ]
    raise TypeError(f"the work aggregate does not handle {type(command).__name__}")


def _request(command: RequestClassement, state: WorkFile, pathway: PathwayFacts) -> ClassementRequested:
    if state.classement == ClassementStatus.REQUESTED:
        raise errors.ClassementAlreadyRequested("a classement request is already awaiting its decision")
    if state.classement == ClassementStatus.GRANTED:
        raise errors.AlreadyClassed(f"{pathway.person} is already classed for work")
    return ClassementRequested(
        work_id=command.work_id,
        pathway_id=command.pathway_id,
        subject_id=pathway.subject_id,
        requested_on=command.today,
    )


def _as_asked(command: Command) -> None:
    """The governor's decision says what it decides: a grant names the regimes, a refusal gives its reasons
    and how to appeal."""
    if isinstance(command, GrantClassement) and not command.regimes:
        raise errors.RegimesRequired("a classement is granted for at least one work regime")
    if isinstance(command, RefuseClassement) and not (
        command.reasons.strip() and command.appeal_information.strip()
    ):
        raise errors.ReasonRequired("a refusal gives its reasons and how to appeal")


def _pending(state: WorkFile) -> None:
    if state.classement != ClassementStatus.REQUESTED:
        raise errors.ClassementNotRequested("no classement request awaits a decision")


def _classed(state: WorkFile, who: str) -> None:
    if state.classement != ClassementStatus.GRANTED:
        raise errors.NotClassed(f"{who} is not classed for work")


def _classed_for(
    state: WorkFile,
    regime: WorkRegime,
    who: str,
    error: type[errors.DomainError] = errors.AffectationWithoutClassement,
) -> None:
    if state.classement != ClassementStatus.GRANTED or regime not in state.regimes:
        raise error(f"{who} is not classed for {regime.value}")


def _affectation(
    command: DecideAffectation, state: WorkFile, bookings: list[Booking], who: str
) -> AffectationDecided:
    _classed_for(state, command.regime, who)
    if not any(
        regime == command.regime and employer.casefold() == command.employer.casefold()
        for regime, employer in state.interviews.values()
    ):
        raise errors.EmployerInterviewMissing(f"record the interview with {command.employer} first")
    if (current := state.current_affectation) is not None:
        raise errors.AlreadyAffected(
            f"{who} already holds {names.post(current.post, current.workshop)}: end its contract first"
        )
    if not slots_valid(command.schedule):
        raise errors.DatesOutOfOrder("each slot of the schedule ends after it starts")
    work = Booking(
        kind="work", reference=command.affectation_id, starts_on=command.starts_on, slots=command.schedule
    )
    if clash := first_collision(work, bookings):
        raise errors.BookingOverlap(
            f"the hours of {names.post(command.post, command.workshop)} overlap {clash.named}, which {who} "
            "is booked for"
        )
    return AffectationDecided(
        work_id=state.work_id,
        affectation_id=command.affectation_id,
        regime=command.regime,
        post=command.post,
        workshop=command.workshop,
        employer=command.employer,
        schedule=command.schedule,
        starts_on=command.starts_on,
    )


def _contract(command: SignContract, state: WorkFile, who: str) -> ContractSigned:
    if (current := state.current_contract) is not None:
        held = state.affectations[current.affectation_id]
        raise errors.ContractAlreadyActive(
            f"{who} already has an active contract, for {names.post(held.post, held.workshop)}"
        )
    affectation = state.affectations.get(command.affectation_id)
    if affectation is None:
        raise errors.ContractWithoutAffectation(
            f"{who} was assigned no post under this affectation: a contract is signed for the post the "
            "governor assigned."
        )
    post = names.post(affectation.post, affectation.workshop)
    if affectation.ended:
        raise errors.ContractWithoutAffectation(
            f"{who}'s affectation to {post} has ended: a contract is signed for a current post."
        )
    if affectation.contract_id is not None:
        raise errors.ContractWithoutAffectation(f"{who}'s affectation to {post} is already under contract.")
    if command.ends_on is not None and command.ends_on < command.starts_on:
        raise errors.DatesOutOfOrder("the contract ends on or after its start")
    # At most one day of trial per week of contract, within the configured cap.
    weeks = (
        ((command.ends_on - command.starts_on).days + 1 + 6) // 7
        if command.ends_on
        else command.trial_cap_days
    )
    limit = min(weeks, command.trial_cap_days)
    if command.trial_days > limit:
        raise errors.TrialPeriodTooLong(f"the trial period is at most {limit} day(s) for this contract")
    return ContractSigned(
        work_id=state.work_id,
        contract_id=command.contract_id,
        affectation_id=command.affectation_id,
        signed_on=command.today,
        starts_on=command.starts_on,
        ends_on=command.ends_on,
        trial_days=command.trial_days,
    )


def _running_contract(state: WorkFile, who: str) -> Contract:
    contract = state.current_contract
    if contract is None:
        raise errors.ContractNotActive(f"{who} has no active contract")
    return contract


def _end_on_release(command: EndWorkOnRelease, state: WorkFile) -> list[Event]:
    """The person left custody: the contract they hold ends by law with the release (suspended included),
    and with it their post; a post assigned whose contract was not signed yet ends too. Nothing else
    changes (the classement belonged to that custody period: a new one opens a new work file)."""
    if (contract := state.current_contract) is not None:
        return [
            ContractEndedOnRelease(
                work_id=state.work_id,
                contract_id=contract.contract_id,
                affectation_id=contract.affectation_id,
                ended_on=command.released_on,
            )
        ]
    if (affectation := state.current_affectation) is not None:
        return [
            AffectationEndedOnRelease(
                work_id=state.work_id, affectation_id=affectation.affectation_id, ended_on=command.released_on
            )
        ]
    return []


def _with_contract(state: WorkFile, contract_id: str, **changes) -> WorkFile:
    contract = state.contracts[contract_id].model_copy(update=changes)
    return state.model_copy(update={"contracts": {**state.contracts, contract_id: contract}})


def evolve(state: WorkFile, event: Event) -> WorkFile:
    match event:
        case ClassementRequested():
            return state.model_copy(
                update={
                    "work_id": event.work_id,
                    "pathway_id": event.pathway_id,
                    "subject_id": event.subject_id,
                    "classement": ClassementStatus.REQUESTED,
                    "requested_on": event.requested_on,
                    "cpu_opinion": None,
                }
            )
        case CpuOpinionRecorded():
            return state.model_copy(update={"cpu_opinion": event.favourable})
        case ClassementGranted():
            return state.model_copy(
                update={
                    "classement": ClassementStatus.GRANTED,
                    "regimes": event.regimes,
                    "hearing_since_grant": False,
                }
            )
        case ClassementRefused():
            return state.model_copy(update={"classement": ClassementStatus.REFUSED, "regimes": []})
        case EmployerInterviewHeld():
            return state.model_copy(
                update={
                    "interviews": {**state.interviews, event.interview_id: (event.regime, event.employer)}
                }
            )
        case AffectationDecided():
            affectation = Affectation(**event.model_dump(exclude={"work_id"}))
            return state.model_copy(
                update={"affectations": {**state.affectations, affectation.affectation_id: affectation}}
            )
        case ContractSigned():
            contract = Contract(
                **event.model_dump(
                    include={"contract_id", "affectation_id", "starts_on", "ends_on", "trial_days"}
                )
            )
            affectation = state.affectations[event.affectation_id].model_copy(
                update={"contract_id": event.contract_id}
            )
            return state.model_copy(
                update={
                    "contracts": {**state.contracts, contract.contract_id: contract},
                    "affectations": {**state.affectations, affectation.affectation_id: affectation},
                }
            )
        case ContractSuspended():
            return _with_contract(state, event.contract_id, status=ContractStatus.SUSPENDED)
        case ContractResumed():
            return _with_contract(state, event.contract_id, status=ContractStatus.ACTIVE)
        case PreliminaryInterviewHeld():
            return _with_contract(state, event.contract_id, preliminary_interview=True)
        case ContractEnded() | ContractEndedOnRelease():
            ended = _with_contract(state, event.contract_id, status=ContractStatus.ENDED)
            affectation_id = state.contracts[event.contract_id].affectation_id
            affectation = ended.affectations[affectation_id].model_copy(update={"ended": True})
            return ended.model_copy(
                update={"affectations": {**ended.affectations, affectation_id: affectation}}
            )
        case AffectationEndedOnRelease():
            affectation = state.affectations[event.affectation_id].model_copy(update={"ended": True})
            return state.model_copy(
                update={"affectations": {**state.affectations, affectation.affectation_id: affectation}}
            )
        case AdversarialHearingHeld():
            return state.model_copy(update={"hearing_since_grant": True})
        case Declassified():
            affectations = {k: a.model_copy(update={"ended": True}) for k, a in state.affectations.items()}
            return state.model_copy(
                update={
                    "classement": ClassementStatus.DECLASSIFIED,
                    "regimes": [],
                    "affectations": affectations,
                }
            )
    return state


work = Decider(stream_type="work", initial_state=initial_state, decide=decide, evolve=evolve)
