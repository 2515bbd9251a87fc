"""Access to work under French prison law, one work file per pathway: the person's written *classement*
request, the CPU's opinion, the governor's decision (granted for some regimes, or refused with reasons and
how to appeal), employer interviews, the *affectation* to a post, then the *contrat d'emploi pénitentiaire*
(trial period, suspension, end) and declassification after an adversarial hearing.

Nothing is arranged once the pathway is closed (`PathwayFacts`); a post's hours may not overlap the person's
other commitments (`Commitments`). The waiting list per regime is a query over classed people without a post
(`queries.waiting_lists`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.ipro import (
    AdversarialHearingHeld,
    AffectationDecided,
    ClassementGranted,
    ClassementRefused,
    ClassementRequested,
    ContractEnded,
    ContractEndReason,
    ContractResumed,
    ContractSigned,
    ContractSuspended,
    CpuOpinionRecorded,
    Declassified,
    EmployerInterviewHeld,
    PreliminaryInterviewHeld,
    WeeklySlot,
    WorkRegime,
)
from ipro.domain import errors
from ipro.domain.calendar import first_collision, slots_valid
from ipro.domain.commands import (
    Command,
    DecideAffectation,
    Declassify,
    EndContract,
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
    if facts.closed:
        raise errors.PathwayClosed("the pathway is closed: the person has left")
    if isinstance(command, RequestClassement):
        return [_request(command, state, facts)]
    _as_asked(command)
    if state.work_id is None:
        raise errors.ClassementNotRequested("no classement was requested")
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
            _classed_for(state, command.regime, errors.NotClassedForRegime)
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
            return [_affectation(command, state, facts.bookings)]
        case SignContract():
            return [_contract(command, state)]
        case SuspendContract():
            contract = _running_contract(state)
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
            contract = _running_contract(state)
            if contract.status != ContractStatus.SUSPENDED:
                raise errors.ContractNotSuspended("only a suspended contract resumes")
            return [
                ContractResumed(work_id=work_id, contract_id=contract.contract_id, resumed_on=command.today)
            ]
        case HoldPreliminaryInterview():
            contract = _running_contract(state)
            return [
                PreliminaryInterviewHeld(
                    work_id=work_id, contract_id=contract.contract_id, held_on=command.today
                )
            ]
        case EndContract():
            contract = _running_contract(state)
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
            _classed(state)
            return [AdversarialHearingHeld(work_id=work_id, held_on=command.today)]
        case Declassify():
            _classed(state)
            if not state.hearing_since_grant:
                raise errors.AdversarialHearingMissing("declassification needs an adversarial hearing first")
            if state.current_contract is not None:
                raise errors.ContractStillActive("end the person's contract before declassifying them")
            return [Declassified(work_id=work_id, reason=command.reason, decided_on=command.today)]
    raise TypeError(f"the work aggregate does not handle {type(command).__name__}")


def _request(command: RequestClassement, state: WorkFile, pathway: PathwayFacts) -> ClassementRequested:
    if state.classement == ClassementStatus.REQUESTED:
        raise errors.ClassementAlreadyRequested("a classement request is already awaiting its decision")
    if state.classement == ClassementStatus.GRANTED:
        raise errors.AlreadyClassed("the person is already classed for work")
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


def _classed(state: WorkFile) -> None:
    if state.classement != ClassementStatus.GRANTED:
        raise errors.NotClassed("the person is not classed for work")


def _classed_for(
    state: WorkFile, regime: WorkRegime, error: type[errors.DomainError] = errors.AffectationWithoutClassement
) -> None:
    if state.classement != ClassementStatus.GRANTED or regime not in state.regimes:
        raise error(f"the person is not classed for {regime.value}")


def _affectation(command: DecideAffectation, state: WorkFile, bookings: list[Booking]) -> AffectationDecided:
    _classed_for(state, command.regime)
    if not any(
        regime == command.regime and employer.casefold() == command.employer.casefold()
        for regime, employer in state.interviews.values()
    ):
        raise errors.EmployerInterviewMissing(f"record the interview with {command.employer} first")
    if state.current_affectation is not None:
        raise errors.AlreadyAffected("the person already holds a post: end its contract first")
    if not slots_valid(command.schedule):
        raise errors.DatesOutOfOrder("each slot of the schedule ends after it starts")
    work = Booking(
        kind="work", reference=command.affectation_id, starts_on=command.starts_on, slots=command.schedule
    )
    if clash := first_collision(work, bookings):
        raise errors.BookingOverlap(f"the schedule overlaps the person's {clash.kind} ({clash.reference})")
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


def _contract(command: SignContract, state: WorkFile) -> ContractSigned:
    if state.current_contract is not None:
        raise errors.ContractAlreadyActive("the person already has an active contract")
    affectation = state.affectations.get(command.affectation_id)
    if affectation is None or affectation.ended or affectation.contract_id is not None:
        raise errors.ContractWithoutAffectation(
            "a contract is signed for a current affectation that has none yet"
        )
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


def _running_contract(state: WorkFile) -> Contract:
    contract = state.current_contract
    if contract is None:
        raise errors.ContractNotActive("the person has no active contract")
    return contract


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
        case ContractEnded():
            ended = _with_contract(state, event.contract_id, status=ContractStatus.ENDED)
            affectation_id = state.contracts[event.contract_id].affectation_id
            affectation = ended.affectations[affectation_id].model_copy(update={"ended": True})
            return ended.model_copy(
                update={"affectations": {**ended.affectations, affectation_id: affectation}}
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
