"""The individual plan (the assessment service's `/plans`): the editor that adopts it from a validated
assessment or revises it (objectives, each with its interventions, and the review date), and the plan's page:
the person's answer, the DPIP's validation, an objective marked achieved or abandoned. The service decides
each; a refusal comes back beside its field with what was typed."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from web.assessment_words import AGREEMENTS, DOMAINS, INTERVENTION_KINDS, OBJECTIVE_STATUSES
from web.messages import Refusal
from web.rendering import go_to, render
from web.session import CurrentUser, User

router = APIRouter()

# Empty rows the editor offers beyond the plan's own: a form that works without JavaScript.
MIN_OBJECTIVES = 3
MIN_INTERVENTIONS = 2
EDITOR_RULES = {"review_date": "echeance", "dates-out-of-order": "echeance"}
OBJECTIVE_FIELDS = {"priority": "priorite", "work_axis": "axe", "description": "description"}
INTERVENTION_FIELDS = {"kind": "type", "description": "description", "target_date": "date"}


def _q(value: str) -> str:
    return quote(value, safe="")


def _key() -> str:
    return str(uuid.uuid4())


def _person(case: dict) -> str:
    identity = case.get("identity") or {}
    return f"{identity['last_name'].upper()} {identity['first_names']}" if identity else ""


# --- the editor -------------------------------------------------------------------------------------------


def editor_of(assessment_id: str, plan: dict | None) -> dict[str, Any]:
    """The editor's form: the plan's objectives (none for a new plan), then empty rows to add some."""
    objectives = [
        {
            "id": o["objective_id"],
            "priorite": str(o["priority"]),
            "axe": o["work_axis"],
            "description": o["description"] or "",
            "interventions": _rows(
                [
                    {"type": i["kind"], "description": i["description"], "date": i.get("target_date") or ""}
                    for i in o.get("interventions") or []
                ]
            ),
        }
        for o in (plan or {}).get("objectives") or []
    ]
    rows = max(MIN_OBJECTIVES, len(objectives) + 1)
    while len(objectives) < rows:
        objectives.append(
            {
                "id": f"objectif-{uuid.uuid4().hex[:8]}",  # chosen here: the service keeps the client's id
                "priorite": str(len(objectives) + 1),
                "axe": "",
                "description": "",
                "interventions": _rows([]),
            }
        )
    return {
        "evaluation": assessment_id,
        "echeance": (plan or {}).get("review_date") or "",
        "objectifs": objectives,
        "cle": _key(),
    }


def _rows(interventions: list[dict]) -> list[dict]:
    blank = {"type": "", "description": "", "date": ""}
    return interventions + [dict(blank) for _ in range(max(MIN_INTERVENTIONS - len(interventions), 1))]


def typed_editor(form: FormData) -> dict[str, Any]:
    """The editor's form as sent: objective rows `o{i}-…`, their intervention rows `o{i}-i{j}-…`."""
    objectives = []
    i = 0
    while f"o{i}-id" in form:
        interventions = []
        j = 0
        while f"o{i}-i{j}-type" in form:
            interventions.append(
                {name: str(form.get(f"o{i}-i{j}-{name}", "")) for name in ("type", "description", "date")}
            )
            j += 1
        objectives.append(
            {
                **{
                    name: str(form.get(f"o{i}-{name}", ""))
                    for name in ("id", "priorite", "axe", "description")
                },
                "interventions": interventions,
            }
        )
        i += 1
    return {
        "evaluation": str(form.get("evaluation", "")),
        "echeance": str(form.get("echeance", "")),
        "objectifs": objectives,
        "cle": str(form.get("cle", "")),
    }


def body_of(typed: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The service's request from the editor's rows (empty rows left out), and the form field of each of its
    members, so that a refusal of `objectives.1.description` lands beside the row it came from."""
    objectives: list[dict] = []
    fields = dict(EDITOR_RULES)
    for i, row in enumerate(typed["objectifs"]):
        if not (row["axe"] or row["description"].strip()):
            continue
        k = len(objectives)
        interventions: list[dict] = []
        for j, intervention in enumerate(row["interventions"]):
            if not (intervention["type"] or intervention["description"].strip() or intervention["date"]):
                continue
            m = len(interventions)
            interventions.append(
                {
                    "kind": intervention["type"],
                    "description": intervention["description"].strip(),
                    "target_date": intervention["date"] or None,
                }
            )
            for api, name in INTERVENTION_FIELDS.items():
                fields[f"objectives.{k}.interventions.{m}.{api}"] = f"o{i}-i{j}-{name}"
        priority = row["priorite"].strip()
        objectives.append(
            {
                "objective_id": row["id"],
                # As typed when it is no number: the service names what is wrong with it.
                "priority": int(priority) if priority.isdigit() else priority,
                "work_axis": row["axe"],
                "description": row["description"].strip(),
                "interventions": interventions,
            }
        )
        for api, name in OBJECTIVE_FIELDS.items():
            fields[f"objectives.{k}.{api}"] = f"o{i}-{name}"
    body = {"assessment_id": typed["evaluation"], "objectives": objectives, "review_date": typed["echeance"]}
    return body, fields


async def _editor(
    request: Request,
    user: User,
    case_id: str,
    form: dict[str, Any],
    *,
    plan_id: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    api = request.app.state.api
    case = await api.get("assessment", f"/cases/{_q(case_id)}", user.token)
    priorities: list[str] = []
    if form["evaluation"]:
        try:
            assessment = await api.get("assessment", f"/assessments/{_q(form['evaluation'])}", user.token)
            priorities = assessment.get("priority_axes") or []
        except Refusal:
            pass  # said by the service when the plan is sent, beside the form
    person = _person(case)
    action = f"/plans/{_q(plan_id)}/revision" if plan_id else f"/suivis/{_q(case_id)}/plan"
    return render(
        request,
        "pages/plan_editor.html",
        partial="partials/plan_editor.html",
        status_code=status_code,
        title=("Réviser le plan d'accompagnement" if plan_id else "Établir le plan d'accompagnement")
        + (f" de {person}" if person else ""),
        case=case,
        form=form,
        action=action,
        plan_id=plan_id,
        errors=errors or {},
        priorities=[DOMAINS.get(axis, axis) for axis in priorities],
        domains=DOMAINS,
        kinds=INTERVENTION_KINDS,
    )


@router.get("/suivis/{case_id}/plan/nouveau")
async def new_plan(
    request: Request, case_id: str, user: CurrentUser, evaluation: Annotated[str, Query()] = ""
) -> Response:
    return await _editor(request, user, case_id, editor_of(evaluation, None))


@router.post("/suivis/{case_id}/plan")
async def adopt_plan(request: Request, case_id: str, user: CurrentUser) -> Response:
    typed = typed_editor(await request.form())
    body, fields = body_of(typed)
    try:
        plan = await request.app.state.api.post(
            "assessment",
            f"/cases/{_q(case_id)}/plan",
            user.token,
            json=body,
            fields=fields,
            idempotency_key=typed["cle"],
        )
    except Refusal as refusal:
        form = {**typed, "cle": _key()}
        return await _editor(
            request, user, case_id, form, errors=refusal.messages, status_code=refusal.status
        )
    return go_to(request, f"/plans/{_q(plan['plan_id'])}")


@router.get("/plans/{plan_id}/revision")
async def revision(
    request: Request, plan_id: str, user: CurrentUser, evaluation: Annotated[str, Query()] = ""
) -> Response:
    plan = await request.app.state.api.get("assessment", f"/plans/{_q(plan_id)}", user.token)
    form = editor_of(evaluation or plan["assessment_id"], plan)
    return await _editor(request, user, plan["case_id"], form, plan_id=plan_id)


@router.post("/plans/{plan_id}/revision")
async def revise_plan(request: Request, plan_id: str, user: CurrentUser) -> Response:
    typed = typed_editor(await request.form())
    body, fields = body_of(typed)
    api = request.app.state.api
    try:
        await api.post(
            "assessment",
            f"/plans/{_q(plan_id)}/revisions",
            user.token,
            json=body,
            fields=fields,
            idempotency_key=typed["cle"],
        )
    except Refusal as refusal:
        plan = await api.get("assessment", f"/plans/{_q(plan_id)}", user.token)
        form = {**typed, "cle": _key()}
        return await _editor(
            request,
            user,
            plan["case_id"],
            form,
            plan_id=plan_id,
            errors=refusal.messages,
            status_code=refusal.status,
        )
    return go_to(request, f"/plans/{_q(plan_id)}")


# --- the plan's page ----------------------------------------------------------------------------------------


def forms_of(plan: dict) -> dict[str, dict[str, str]]:
    forms = {"accord": {"accord": plan.get("agreement") or "", "cle": _key()}, "validation": {"cle": _key()}}
    for objective in plan["objectives"]:
        forms[f"objectif-{objective['objective_id']}"] = {"statut": "", "motif": "", "cle": _key()}
    return forms


async def _plan_page(
    request: Request,
    user: User,
    plan_id: str,
    *,
    section: str | None = None,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    version: int | None = None,
) -> Response:
    api = request.app.state.api
    params = {"version": version} if version else None
    plan = await api.get("assessment", f"/plans/{_q(plan_id)}", user.token, params=params)
    case = await api.get("assessment", f"/cases/{_q(plan['case_id'])}", user.token)
    forms = forms_of(plan)
    if section and typed is not None:
        forms[section] = typed
    person = _person(case)
    return render(
        request,
        "pages/plan.html",
        partial="partials/plan_section.html" if section else None,
        status_code=status_code,
        title="Plan d'accompagnement" + (f" de {person}" if person else ""),
        plan=plan,
        case=case,
        forms=forms,
        section=section,
        errors=errors or {},
        current=version is None or version == plan["versions"],
        domains=DOMAINS,
        kinds=INTERVENTION_KINDS,
        agreements=AGREEMENTS,
        statuses=OBJECTIVE_STATUSES,
    )


@router.get("/plans/{plan_id}")
async def plan_page(
    request: Request, plan_id: str, user: CurrentUser, version: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    return await _plan_page(request, user, plan_id, version=version)


async def _plan_command(
    request: Request,
    user: User,
    plan_id: str,
    section: str,
    path: str,
    body: dict | None,
    typed: dict[str, str],
    fields: dict[str, str],
) -> Response:
    try:
        await request.app.state.api.post(
            "assessment", path, user.token, json=body, fields=fields, idempotency_key=typed["cle"]
        )
    except Refusal as refusal:
        return await _plan_page(
            request,
            user,
            plan_id,
            section=section,
            typed={**typed, "cle": _key()},
            errors=refusal.messages,
            status_code=refusal.status,
        )
    return go_to(request, f"/plans/{_q(plan_id)}")


@router.post("/plans/{plan_id}/accord")
async def record_agreement(
    request: Request,
    plan_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    accord: Annotated[str, Form()] = "",
) -> Response:
    return await _plan_command(
        request,
        user,
        plan_id,
        "accord",
        f"/plans/{_q(plan_id)}/agreement",
        {"agreement": accord},
        {"accord": accord, "cle": cle},
        {"agreement": "accord"},
    )


@router.post("/plans/{plan_id}/validation")
async def validate_plan(request: Request, plan_id: str, user: CurrentUser, cle: Annotated[str, Form()]):
    return await _plan_command(
        request, user, plan_id, "validation", f"/plans/{_q(plan_id)}/validate", None, {"cle": cle}, {}
    )


@router.post("/plans/{plan_id}/objectifs/{objective_id}/statut")
async def objective_status(
    request: Request,
    plan_id: str,
    objective_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    statut: Annotated[Literal["", "achieved", "abandoned"], Form()] = "",
    motif: Annotated[str, Form()] = "",
) -> Response:
    return await _plan_command(
        request,
        user,
        plan_id,
        f"objectif-{objective_id}",
        f"/plans/{_q(plan_id)}/objectives/{_q(objective_id)}/status",
        {"status": statut, "reason": motif.strip()},
        {"statut": statut, "motif": motif, "cle": cle},
        {"status": "statut", "reason": "motif", "reason-missing": "motif", "objective-not-active": "statut"},
    )
