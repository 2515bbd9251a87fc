"""The individual plan: adopted from a validated assessment, agreed (or not) by the person, validated by a
DPIP, its objectives followed; a revision is a new version and earlier versions stay readable. SPIP and
IPRO roles read it (objectives and interventions are shareable)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Request
from pydantic import BaseModel, Field, StringConstraints

from contracts.assessment import Agreement, InterventionKind, NeedDomain, Objective, ObjectiveStatus
from kernel.api import RequestBody
from kernel.auth import Principal
from kernel.commands import Commands
from kernel.http import service_router
from assessment import handlers
from assessment.domain import commands as c
from assessment.domain.errors import PlanNotFound
from assessment.domain.plan import Plan, plan
from assessment.http.common import AssessmentReader, Director, Id, Label, Officer, today

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


@case_router.post("/{case_id}/plan", status_code=201, response_model=PlanView,
                  summary="Adopt the case's plan from a validated assessment")
async def adopt(case_id: Id, body: PlanRequest, principal: Officer, commands: Commands, request: Request):
    plan_id, on = str(uuid.uuid4()), today(request)

    async def action(session, metadata):
        outcome = await handlers.adopt_plan(
            session, case_id, body.assessment_id,
            lambda case, assessment: c.AdoptPlan(case=case, plan_id=plan_id, assessment=assessment,
                                                 objectives=body.contract_objectives(), review_date=body.review_date,
                                                 today=on),
            metadata, principal, on,
        )
        return _view(outcome.state)

    return await commands.run(principal, action, location=lambda view: f"/plans/{view['plan_id']}")


@router.post("/{plan_id}/revisions", response_model=PlanView, summary="Revise the plan: a new version")
async def revise(plan_id: Id, body: PlanRequest, principal: Officer, commands: Commands, request: Request):
    on = today(request)
    return await _change(
        plan_id,
        lambda case, assessment: c.RevisePlan(case=case, assessment=assessment, objectives=body.contract_objectives(),
                                              review_date=body.review_date, today=on),
        principal, commands, request, assessment_id=body.assessment_id,
    )


@router.post("/{plan_id}/agreement", response_model=PlanView, summary="The person's answer to the plan")
async def agreement(plan_id: Id, body: AgreementRequest, principal: Officer, commands: Commands, request: Request):
    return await _change(plan_id, lambda case: c.RecordAgreement(case=case, agreement=body.agreement),
                         principal, commands, request)


@router.post("/{plan_id}/validate", response_model=PlanView, summary="Validate the current version")
async def validate(plan_id: Id, principal: Director, commands: Commands, request: Request):
    return await _change(plan_id, lambda case: c.ValidatePlan(case=case), principal, commands, request)


@router.post("/{plan_id}/objectives/{objective_id}/status", response_model=PlanView,
             summary="Mark an objective achieved or abandoned (with a reason)")
async def objective_status(plan_id: Id, objective_id: Id, body: ObjectiveStatusRequest, principal: Officer,
                           commands: Commands, request: Request):
    return await _change(
        plan_id, lambda case: c.ChangeObjectiveStatus(case=case, objective_id=objective_id, **body.model_dump()),
        principal, commands, request,
    )


async def _change(plan_id: str, make, principal: Principal, commands, request: Request,
                  assessment_id: str | None = None):
    async def action(session, metadata):
        outcome = await handlers.plan_command(session, plan_id, make, metadata, principal, today(request),
                                              assessment_id=assessment_id)
        return _view(outcome.state)

    return await commands.run(principal, action, status_code=200)


@router.get("/{plan_id}", response_model=PlanView, summary="The plan, or one of its earlier versions")
async def get_plan(plan_id: Id, principal: AssessmentReader, request: Request,
                   version: int | None = Query(default=None, ge=1)) -> PlanView:
    reader = request.app.state.event_store
    state, _ = await handlers.current(reader, plan, plan_id)
    if state.plan_id is None:
        raise PlanNotFound(f"no plan {plan_id}")
    handlers.ensure_caseload(principal, await handlers.load_case(reader, state.case_id))
    if version is not None and version > len(state.versions):
        raise PlanNotFound(f"the plan has {len(state.versions)} version(s)")
    return _view(state, version)


def _view(state: Plan, version: int | None = None) -> PlanView:
    shown = state.versions[(version or len(state.versions)) - 1]
    objectives = [
        ObjectiveView(**o.model_dump(), status=shown.statuses.get(o.objective_id, ObjectiveStatus.ACTIVE),
                      reason=shown.abandon_reasons.get(o.objective_id, ""))
        for o in shown.objectives
    ]
    return PlanView(plan_id=state.plan_id, case_id=state.case_id, plan_version=shown.plan_version,
                    versions=len(state.versions), assessment_id=shown.assessment_id, objectives=objectives,
                    review_date=shown.review_date, agreement=shown.agreement, validated=shown.validated)
