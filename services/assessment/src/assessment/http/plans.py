"""The individual plan: adopted from a validated assessment, agreed (or not) by the person, validated by a
DPIP, its objectives followed; a revision is a new version and earlier versions stay readable. SPIP and
IPRO roles read it (objectives and interventions are shareable)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field, StringConstraints

from assessment import handlers, queries
from assessment.domain import commands as c
from assessment.domain.errors import PlanNotFound
from assessment.domain.plan import Plan
from assessment.http.common import AssessmentReader, Director, Officer
from contracts import personal_data
from contracts.assessment import Agreement, InterventionKind, NeedDomain, Objective, ObjectiveStatus
from kernel.aggregates import Aggregate
from kernel.api import Id, Label, RequestBody, Store, Today
from kernel.auth import Principal
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal, subjects_of

router = service_router("/plans", tags=["plans"])
case_router = service_router("/cases", tags=["plans"])


class InterventionRequest(RequestBody):
    kind: InterventionKind
    description: Label
    target_date: date | None = None


class ObjectiveRequest(RequestBody):
    objective_id: str = Field(max_length=64, pattern=r"^[A-Za-z0-9-]+$", description="chosen by the client")
    priority: int = Field(ge=1, le=50, description="1 is the most urgent")
    work_axis: NeedDomain
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
    interventions: list[InterventionRequest] = Field(default_factory=list, max_length=20)


class PlanRequest(RequestBody):
    assessment_id: str = Field(max_length=64, description="the validated assessment the plan is built on")
    objectives: list[ObjectiveRequest] = Field(min_length=1, max_length=30)
    review_date: date

    def contract_objectives(self) -> list[Objective]:
        return [Objective(**objective.model_dump()) for objective in self.objectives]


class AgreementRequest(RequestBody):
    agreement: Agreement


class ObjectiveStatusRequest(RequestBody):
    status: ObjectiveStatus
    reason: str = Field(default="", max_length=1000)


class ObjectiveView(Objective):
    # What the person is to work on, and how, in the CPIP's words: masked for auditors, as the objective's
    # interventions are (ADR 31).
    description: str = personal_data(min_length=1, max_length=1000)
    status: ObjectiveStatus
    reason: str


class PlanView(BaseModel):
    plan_id: str
    case_id: str
    plan_version: int
    versions: int = Field(description="how many versions the plan has had")
    assessment_id: str
    objectives: list[ObjectiveView]
    review_date: date
    agreement: Agreement | None
    validated: bool


@case_router.post(
    "/{case_id}/plan",
    status_code=201,
    response_model=PlanView,
    summary="Adopt the case's plan from a validated assessment",
)
async def adopt(case_id: Id, body: PlanRequest, principal: Officer, commands: Commands, today: Today):
    command = c.AdoptPlan(
        plan_id=str(uuid.uuid4()),
        assessment_id=body.assessment_id,
        objectives=body.contract_objectives(),
        review_date=body.review_date,
        today=today,
    )

    async def action(session, metadata):
        return _view(await handlers.adopt_plan(session, case_id, command, metadata, principal))

    return await commands.run(principal, action, location="/plans/{plan_id}")


@router.post("/{plan_id}/revisions", response_model=PlanView, summary="Revise the plan: a new version")
async def revise(plan_id: Id, body: PlanRequest, principal: Officer, commands: Commands, today: Today):
    command = c.RevisePlan(
        assessment_id=body.assessment_id,
        objectives=body.contract_objectives(),
        review_date=body.review_date,
        today=today,
    )

    async def action(session, metadata):
        return _view(await handlers.revise_plan(session, plan_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=200, resource="/plans/{plan_id}")


@router.post("/{plan_id}/agreement", response_model=PlanView, summary="The person's answer to the plan")
async def agreement(plan_id: Id, body: AgreementRequest, principal: Officer, commands: Commands):
    return await _change(plan_id, c.RecordAgreement(agreement=body.agreement), principal, commands)


@router.post("/{plan_id}/validate", response_model=PlanView, summary="Validate the current version")
async def validate(plan_id: Id, principal: Director, commands: Commands):
    return await _change(plan_id, c.ValidatePlan(), principal, commands)


@router.post(
    "/{plan_id}/objectives/{objective_id}/status",
    response_model=PlanView,
    summary="Mark an objective achieved or abandoned (with a reason)",
)
async def objective_status(
    plan_id: Id, objective_id: Id, body: ObjectiveStatusRequest, principal: Officer, commands: Commands
):
    command = c.ChangeObjectiveStatus(objective_id=objective_id, **body.model_dump())
    return await _change(plan_id, command, principal, commands)


async def _change(plan_id: str, command: c.Command, principal: Principal, commands: Commands):
    async def action(session, metadata):
        return _view(await handlers.plan_command(session, plan_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=200, resource="/plans/{plan_id}")


@router.get("/{plan_id}", response_model=PlanView, summary="The plan, or one of its earlier versions")
async def get_plan(
    plan_id: Id,
    principal: AssessmentReader,
    store: Store,
    journal: Journal,
    version: int | None = Query(default=None, ge=1),
) -> PlanView:
    found = await queries.read_plan(store, plan_id, principal)
    journal.consulted(subject_ids=subjects_of(found.stream), object_id=found.state.case_id)
    if version is not None and version > len(found.state.versions):
        raise PlanNotFound(
            f"the plan has {len(found.state.versions)} version(s): there is no version {version}"
        )
    return _view(found, version)


def _view(found: Aggregate[Plan], version: int | None = None) -> PlanView:
    state = found.state
    shown = state.versions[(version or len(state.versions)) - 1]
    objectives = [
        ObjectiveView(
            **o.model_dump(),
            status=shown.statuses.get(o.objective_id, ObjectiveStatus.ACTIVE),
            reason=shown.abandon_reasons.get(o.objective_id, ""),
        )
        for o in shown.objectives
    ]
    return PlanView(
        plan_id=state.plan_id,
        case_id=state.case_id,
        plan_version=shown.plan_version,
        versions=len(state.versions),
        assessment_id=shown.assessment_id,
        objectives=objectives,
        review_date=shown.review_date,
        agreement=shown.agreement,
        validated=shown.validated,
    )
