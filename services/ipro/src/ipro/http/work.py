"""Access to work: classement (request, CPU opinion, the governor's decision), employer interviews, the
affectation to a post, the contrat d'emploi pénitentiaire, declassification."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from contracts.ipro import ContractEndReason, SuspensionReason, WeeklySlot, WorkRegime
from ipro import handlers, reads
from ipro.domain import commands as c
from ipro.domain.work import ClassementStatus, WorkFile
from ipro.http.common import Adviser, Commission, Governor, PersonWorkReader
from kernel.aggregates import Aggregate
from kernel.api import ID_MAX_LENGTH, Id, Label, Reason, RequestBody, Settings, Store, Today
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal

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
    affectation_id: str = Field(max_length=ID_MAX_LENGTH)
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
    warnings: list[str] = Field(
        default_factory=list,
        description="what was booked anyway: the SPIP programme sessions the new hours overlap (D.412-32)",
    )


def view(aggregate: Aggregate[WorkFile], warnings: list[str] | None = None) -> WorkView:
    fields = aggregate.state.model_dump(mode="json", include=set(WorkView.model_fields))
    return WorkView(**fields, version=aggregate.version, warnings=warnings or [])


@router.get("", response_model=WorkView, summary="The person's classement, posts and contracts")
async def get_work(pathway_id: Id, principal: PersonWorkReader, store: Store, journal: Journal):
    found = await reads.work_of(store, pathway_id, principal)
    journal.consulted(subject_id=found.state.subject_id)
    return view(found)


@router.post(
    "/classement-request",
    status_code=201,
    response_model=WorkView,
    summary="Record the person's written request to work",
)
async def request_classement(pathway_id: Id, principal: Adviser, commands: Commands, today: Today):
    command = c.RequestClassement(work_id=handlers.work_id_of(pathway_id), pathway_id=pathway_id, today=today)
    return await _command(commands, principal, pathway_id, command, status_code=201)


@router.post("/cpu-opinion", response_model=WorkView, summary="The CPU's opinion on the request")
async def cpu_opinion(
    pathway_id: Id, body: CpuOpinionRequest, principal: Commission, commands: Commands, today: Today
):
    return await _command(
        commands, principal, pathway_id, c.RecordCpuOpinion(**body.model_dump(), today=today)
    )


@router.post(
    "/decision",
    response_model=WorkView,
    summary="The governor grants classement for some regimes, or refuses it with reasons and appeal",
)
async def decide(
    pathway_id: Id, body: DecisionRequest, principal: Governor, commands: Commands, today: Today
):
    if body.granted:
        command = c.GrantClassement(regimes=body.regimes, today=today)
    else:
        command = c.RefuseClassement(
            reasons=body.reasons, appeal_information=body.appeal_information, today=today
        )
    return await _command(commands, principal, pathway_id, command)


@router.post(
    "/employer-interviews",
    status_code=201,
    response_model=WorkView,
    summary="Record an interview with an employer",
)
async def employer_interview(
    pathway_id: Id, body: EmployerInterviewRequest, principal: Adviser, commands: Commands, today: Today
):
    command = c.HoldEmployerInterview(interview_id=str(uuid.uuid4()), **body.model_dump(), today=today)
    return await _command(commands, principal, pathway_id, command, status_code=201)


@router.post("/affectation", status_code=201, response_model=WorkView, summary="The governor assigns a post")
async def affect(pathway_id: Id, body: AffectationRequest, principal: Governor, commands: Commands):
    command = c.DecideAffectation(
        affectation_id=str(uuid.uuid4()), **body.model_dump(exclude={"schedule"}), schedule=body.schedule
    )

    async def action(session, metadata):
        booked = await handlers.decide_affectation(session, pathway_id, command, metadata, principal)
        return view(booked.outcome, booked.warnings)

    return await commands.run(principal, action, status_code=201, resource="/pathways/{pathway_id}/work")


@router.post(
    "/contract",
    status_code=201,
    response_model=WorkView,
    summary="Sign the contrat d'emploi pénitentiaire of the affectation",
)
async def sign_contract(
    pathway_id: Id,
    body: ContractRequest,
    principal: Commission,
    commands: Commands,
    settings: Settings,
    today: Today,
):
    command = c.SignContract(
        contract_id=str(uuid.uuid4()),
        **body.model_dump(),
        trial_cap_days=settings.trial_cap_days,
        today=today,
    )
    return await _command(commands, principal, pathway_id, command, status_code=201)


@router.post(
    "/contract/suspend", response_model=WorkView, summary="Suspend the contract (closed list of reasons)"
)
async def suspend(
    pathway_id: Id, body: SuspendRequest, principal: Commission, commands: Commands, today: Today
):
    return await _command(commands, principal, pathway_id, c.SuspendContract(reason=body.reason, today=today))


@router.post("/contract/resume", response_model=WorkView, summary="Resume the suspended contract")
async def resume(pathway_id: Id, principal: Commission, commands: Commands, today: Today):
    return await _command(commands, principal, pathway_id, c.ResumeContract(today=today))


@router.post(
    "/contract/preliminary-interview",
    response_model=WorkView,
    summary="The preliminary interview an end for professional inadequacy requires",
)
async def preliminary_interview(pathway_id: Id, principal: Commission, commands: Commands, today: Today):
    return await _command(commands, principal, pathway_id, c.HoldPreliminaryInterview(today=today))


@router.post("/contract/end", response_model=WorkView, summary="End the contract")
async def end_contract(
    pathway_id: Id, body: EndRequest, principal: Commission, commands: Commands, today: Today
):
    return await _command(commands, principal, pathway_id, c.EndContract(reason=body.reason, today=today))


@router.post(
    "/adversarial-hearing",
    response_model=WorkView,
    summary="The adversarial hearing a declassification requires",
)
async def adversarial_hearing(pathway_id: Id, principal: Commission, commands: Commands, today: Today):
    return await _command(commands, principal, pathway_id, c.HoldAdversarialHearing(today=today))


@router.post("/declassify", response_model=WorkView, summary="The governor declassifies the person")
async def declassify(
    pathway_id: Id, body: DeclassifyRequest, principal: Governor, commands: Commands, today: Today
):
    return await _command(commands, principal, pathway_id, c.Declassify(reason=body.reason, today=today))


async def _command(
    commands: Commands, principal, pathway_id: str, command: c.Command, *, status_code: int = 200
):
    async def action(session, metadata):
        return view(await handlers.work_command(session, pathway_id, command, metadata, principal))

    return await commands.run(
        principal, action, status_code=status_code, resource="/pathways/{pathway_id}/work"
    )
