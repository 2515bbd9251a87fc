"""Access to work: classement (request, CPU opinion, the governor's decision), employer interviews, the
affectation to a post, the contrat d'emploi pénitentiaire, declassification."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import Request
from pydantic import BaseModel, Field

from contracts.ipro import ContractEndReason, SuspensionReason, WeeklySlot, WorkRegime
from kernel.api import RequestBody
from kernel.commands import Commands
from kernel.http import service_router
from ipro import handlers, store
from ipro.domain import commands as c
from ipro.domain import errors
from ipro.domain.work import ClassementStatus, WorkFile
from ipro.http.common import (
    Adviser, Commission, Governor, Id, Label, PersonWorkReader, Reason, ensure_may_read, on_pathway, settings, today,
)

router = service_router("/pathways/{pathway_id}/work", tags=["work"])


class CpuOpinionRequest(RequestBody):
    held_on: date
    favourable: bool
    opinion: str = Field(default="", max_length=2000)


class DecisionRequest(RequestBody):
    granted: bool
    regimes: list[WorkRegime] = Field(default_factory=list, max_length=5)
    reasons: str = Field(default="", max_length=2000)
    appeal_information: str = Field(default="", max_length=1000)


class EmployerInterviewRequest(RequestBody):
    regime: WorkRegime
    employer: Label
    post: Label
    held_on: date


class AffectationRequest(RequestBody):
    regime: WorkRegime
    post: Label
    workshop: Label
    employer: Label
    schedule: list[WeeklySlot] = Field(min_length=1, max_length=14)
    starts_on: date


class ContractRequest(RequestBody):
    affectation_id: str = Field(max_length=120)
    starts_on: date
    ends_on: date | None = None
    trial_days: int = Field(ge=0, le=365)


class SuspendRequest(RequestBody):
    reason: SuspensionReason


class EndRequest(RequestBody):
    reason: ContractEndReason


class DeclassifyRequest(RequestBody):
    reason: Reason


class WorkView(BaseModel):
    work_id: str | None
    classement: ClassementStatus
    requested_on: date | None
    cpu_opinion: bool | None
    regimes: list[WorkRegime]
    affectations: dict
    contracts: dict
    version: int


def view(state: WorkFile, version: int) -> WorkView:
    return WorkView(**state.model_dump(mode="json", include=set(WorkView.model_fields)), version=version)


@router.get("", response_model=WorkView, summary="The person's classement, posts and contracts")
async def get_work(pathway_id: Id, principal: PersonWorkReader, request: Request):
    event_store = request.app.state.event_store
    async with event_store.pool.acquire() as connection:
        ensure_may_read(principal, await store.pathway_row(connection, pathway_id))
    state, stream = await handlers.current(event_store, handlers.work, handlers.work_id_of(pathway_id))
    return view(state, stream[-1].stream_version if stream else 0)


@router.post("/classement-request", status_code=201, response_model=WorkView,
             summary="Record the person's written request to work")
async def request_classement(pathway_id: Id, principal: Adviser, commands: Commands, request: Request):
    on = today(request)
    return await _command(commands, principal, pathway_id, lambda work, owner, _: c.RequestClassement(
        work_id=handlers.work_id_of(pathway_id), pathway_id=pathway_id, subject_id=owner.subject_id, today=on),
        status_code=201)


@router.post("/cpu-opinion", response_model=WorkView, summary="The CPU's opinion on the request")
async def cpu_opinion(pathway_id: Id, body: CpuOpinionRequest, principal: Commission, commands: Commands,
                      request: Request):
    command = c.RecordCpuOpinion(**body.model_dump(), today=today(request))
    return await _command(commands, principal, pathway_id, lambda *_: command)


@router.post("/decision", response_model=WorkView,
             summary="The governor grants classement for some regimes, or refuses it with reasons and appeal")
async def decide(pathway_id: Id, body: DecisionRequest, principal: Governor, commands: Commands, request: Request):
    on = today(request)
    if body.granted:
        command = c.GrantClassement(regimes=body.regimes, today=on) if body.regimes else None
    else:
        command = c.RefuseClassement(reasons=body.reasons.strip(), appeal_information=body.appeal_information.strip(),
                                     today=on)
    return await _command(commands, principal, pathway_id, lambda *_: _or_missing(command, body))


@router.post("/employer-interviews", status_code=201, response_model=WorkView,
             summary="Record an interview with an employer")
async def employer_interview(pathway_id: Id, body: EmployerInterviewRequest, principal: Adviser, commands: Commands,
                             request: Request):
    command = c.HoldEmployerInterview(interview_id=str(uuid.uuid4()), **body.model_dump(), today=today(request))
    return await _command(commands, principal, pathway_id, lambda *_: command, status_code=201)


@router.post("/affectation", status_code=201, response_model=WorkView, summary="The governor assigns a post")
async def affect(pathway_id: Id, body: AffectationRequest, principal: Governor, commands: Commands):
    affectation_id = str(uuid.uuid4())
    return await _command(commands, principal, pathway_id, lambda work, owner, bookings: c.DecideAffectation(
        affectation_id=affectation_id, **body.model_dump(exclude={"schedule"}), schedule=body.schedule,
        bookings=bookings), status_code=201)


@router.post("/contract", status_code=201, response_model=WorkView,
             summary="Sign the contrat d'emploi pénitentiaire of the affectation")
async def sign_contract(pathway_id: Id, body: ContractRequest, principal: Commission, commands: Commands,
                        request: Request):
    command = c.SignContract(contract_id=str(uuid.uuid4()), **body.model_dump(),
                             trial_cap_days=settings(request).trial_cap_days, today=today(request))
    return await _command(commands, principal, pathway_id, lambda *_: command, status_code=201)


@router.post("/contract/suspend", response_model=WorkView, summary="Suspend the contract (closed list of reasons)")
async def suspend(pathway_id: Id, body: SuspendRequest, principal: Commission, commands: Commands, request: Request):
    command = c.SuspendContract(reason=body.reason, today=today(request))
    return await _command(commands, principal, pathway_id, lambda *_: command)


@router.post("/contract/resume", response_model=WorkView, summary="Resume the suspended contract")
async def resume(pathway_id: Id, principal: Commission, commands: Commands, request: Request):
    command = c.ResumeContract(today=today(request))
    return await _command(commands, principal, pathway_id, lambda *_: command)


@router.post("/contract/preliminary-interview", response_model=WorkView,
             summary="The preliminary interview an end for professional inadequacy requires")
async def preliminary_interview(pathway_id: Id, principal: Commission, commands: Commands, request: Request):
    command = c.HoldPreliminaryInterview(today=today(request))
    return await _command(commands, principal, pathway_id, lambda *_: command)


@router.post("/contract/end", response_model=WorkView, summary="End the contract")
async def end_contract(pathway_id: Id, body: EndRequest, principal: Commission, commands: Commands, request: Request):
    command = c.EndContract(reason=body.reason, today=today(request))
    return await _command(commands, principal, pathway_id, lambda *_: command)


@router.post("/adversarial-hearing", response_model=WorkView,
             summary="The adversarial hearing a declassification requires")
async def adversarial_hearing(pathway_id: Id, principal: Commission, commands: Commands, request: Request):
    command = c.HoldAdversarialHearing(today=today(request))
    return await _command(commands, principal, pathway_id, lambda *_: command)


@router.post("/declassify", response_model=WorkView, summary="The governor declassifies the person")
async def declassify(pathway_id: Id, body: DeclassifyRequest, principal: Governor, commands: Commands,
                     request: Request):
    command = c.Declassify(reason=body.reason, today=today(request))
    return await _command(commands, principal, pathway_id, lambda *_: command)


def _or_missing(command, body: DecisionRequest):
    """A grant names the regimes; a refusal gives its reasons and how to appeal."""
    if command is None:
        raise errors.RegimesRequired("a classement is granted for at least one work regime")
    if not body.granted and not (body.reasons.strip() and body.appeal_information.strip()):
        raise errors.ReasonRequired("a refusal gives its reasons and how to appeal")
    return command


async def _command(commands: Commands, principal, pathway_id: str, make, *, status_code: int = 200):
    async def run(session, metadata):
        outcome = await handlers.work_command(session, pathway_id, make, metadata)
        return view(outcome.state, handlers.version(outcome))

    return await on_pathway(commands, principal, pathway_id, run, status_code=status_code)
