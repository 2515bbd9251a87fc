"""The global assessment form (the assessment service's `/assessments/{id}`): its need domains, protective
factors, receptivity and conclusion, each part saved on its own as the service's draft (a PUT per part), and
its flow: submitted by the CPIP, returned by a DPIP with a reason, resubmitted, validated. Each part is its
own form, swapped alone (htmx): saving one never touches what is typed in another, and a refused part comes
back with the rule beside its field and what was typed, the saved draft staying the service's."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from web.assessment_words import (
    ASSESSMENT_KINDS,
    ASSESSMENT_STATUSES,
    DOMAINS,
    FACTOR_LEVELS,
    FACTOR_NATURES,
    MOTIVATION_STAGES,
    RISK_LEVELS,
)
from web.messages import Refusal
from web.rendering import go_to, render
from web.session import CurrentUser, User, current_user

router = APIRouter()

# How many priority work axes the conclusion offers (the service takes up to 12; a plan works on a few).
AXES = 4
EDITABLE = ("draft", "returned")
OFFICERS = ("cpip", "dpip")

# By part, the service's names (body members, rules) of the form's fields.
DOMAIN_FIELDS = {
    "risk_factor": "facteur",
    "nature": "nature",
    "level": "niveau",
    "evidence": "elements",
    "rating-inconsistent": "niveau",
}
PROTECTIVE_FIELDS = {"factors": "facteurs"}
RECEPTIVITY_FIELDS = {
    "motivation_stage": "stade",
    "cognitive_needs": "cognitifs",
    "literacy_needs": "lecture",
    "language_needs": "langue",
    "practical_obstacles": "obstacles",
}
CONCLUSION_FIELDS = {
    "overall_risk_level": "risque",
    "priority_axes": "axes",
    "priority-axes-repeated": "axes",
}
DECISION_FIELDS = {"comments": "motif"}
# The flow's commands, by the button's value.
ACTIONS = {"soumettre": "submit", "resoumettre": "resubmit", "valider": "validate", "renvoyer": "return"}


def new_key() -> str:
    return str(uuid.uuid4())


def _path(assessment_id: str) -> str:
    return f"/assessments/{quote(assessment_id, safe='')}"


def forms_of(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each part's form as the service's draft holds it, each with a fresh idempotency key."""
    ratings = {d["rating"]["domain"]: d for d in view.get("domains") or []}
    forms: dict[str, dict[str, Any]] = {}
    for domain in DOMAINS:
        found = ratings.get(domain) or {"rating": {}, "evidence": ""}
        rating = found["rating"]
        forms[f"domaine-{domain}"] = {
            "facteur": bool(rating.get("risk_factor")),
            "nature": rating.get("nature") or "",
            "niveau": rating.get("level") or "",
            "elements": found["evidence"],
            "cle": new_key(),
        }
    forms["facteurs"] = {"facteurs": "\n".join(view.get("protective_factors") or []), "cle": new_key()}
    receptivity = view.get("receptivity") or {}
    forms["receptivite"] = {
        "stade": receptivity.get("motivation_stage") or "",
        "cognitifs": receptivity.get("cognitive_needs") or "",
        "lecture": receptivity.get("literacy_needs") or "",
        "langue": receptivity.get("language_needs") or "",
        "obstacles": receptivity.get("practical_obstacles") or "",
        "cle": new_key(),
    }
    forms["conclusion"] = {
        "risque": view.get("draft_overall_risk_level") or "",
        "axes": _padded(view.get("draft_priority_axes") or []),
        "cle": new_key(),
    }
    forms["decision"] = {"motif": "", "cle": new_key()}
    forms["contributeurs"] = {"contributeur": "", "cle": new_key()}
    # `partage` None: the form shows the service's default for the writer's role (assessment_contributions).
    forms["contribution"] = {"domaine": "", "texte": "", "partage": None, "cle": new_key()}
    return forms


def _padded(axes: list[str]) -> list[str]:
    return (list(axes) + [""] * AXES)[: max(AXES, len(axes))]


async def read(request: Request, user: User, assessment_id: str) -> tuple[dict, dict]:
    api = request.app.state.api
    view = await api.get("assessment", _path(assessment_id), user.token)
    case = await api.get("assessment", f"/cases/{quote(view['case_id'], safe='')}", user.token)
    return view, case


def show(
    request: Request,
    view: dict,
    case: dict | None,
    forms: dict[str, dict],
    *,
    section: str | None = None,
    errors: dict[str, str] | None = None,
    saved: str | None = None,
    status_code: int = 200,
) -> Response:
    """The page, or (to htmx) the one part `section` that was sent."""
    user = current_user(request)
    identity = (case or {}).get("identity") or {}
    person = f"{identity['last_name'].upper()} {identity['first_names']}" if identity else ""
    kind = ASSESSMENT_KINDS.get(view["kind"], view["kind"])
    return render(
        request,
        "pages/assessment.html",
        partial="partials/assessment_section.html" if section else None,
        status_code=status_code,
        title=f"{kind} de {person}" if person else kind,
        view=view,
        case=case,
        forms=forms,
        section=section,
        errors=errors or {},
        saved=saved,
        # The CPIP's parts are offered to those who write them; a contributor reads them and adds their own.
        editable=view["status"] in EDITABLE and user is not None and user.role in OFFICERS,
        # IPRO and auditors read what is shareable only (the service's summary): no parts to show.
        full="domains" in view,
        domains=DOMAINS,
        levels=FACTOR_LEVELS,
        natures=FACTOR_NATURES,
        stages=MOTIVATION_STAGES,
        risks=RISK_LEVELS,
        statuses=ASSESSMENT_STATUSES,
    )


@router.get("/evaluations/{assessment_id}")
async def assessment_page(request: Request, assessment_id: str, user: CurrentUser) -> Response:
    view, case = await read(request, user, assessment_id)
    return show(request, view, case, forms_of(view))


async def _save(
    request: Request,
    user: User,
    assessment_id: str,
    section: str,
    path: str,
    body: dict[str, Any],
    typed: dict[str, Any],
    fields: dict[str, str],
) -> Response:
    """One part saved as the draft (PUT): that part again, saved, or refused with what was typed."""
    api = request.app.state.api
    try:
        view = await api.request(
            "PUT", "assessment", path, user.token, json=body, fields=fields, idempotency_key=typed["cle"]
        )
    except Refusal as refusal:
        view, case = await read(request, user, assessment_id)
        forms = forms_of(view)
        forms[section] = {**typed, "cle": new_key()}  # what was typed, under a new key: a new command
        return show(
            request, view, case, forms, section=section, errors=refusal.messages, status_code=refusal.status
        )
    if request.headers.get("HX-Request") == "true":
        return show(request, view, None, forms_of(view), section=section, saved=section)
    return RedirectResponse(f"/evaluations/{quote(assessment_id, safe='')}#{section}", status_code=303)


@router.post("/evaluations/{assessment_id}/domaines/{domain}")
async def save_domain(
    request: Request,
    assessment_id: str,
    domain: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    facteur: Annotated[str, Form()] = "",
    nature: Annotated[str, Form()] = "",
    niveau: Annotated[str, Form()] = "",
    elements: Annotated[str, Form()] = "",
) -> Response:
    body = {
        "risk_factor": facteur == "oui",
        "nature": nature or None,
        "level": niveau,
        "evidence": elements.strip(),
    }
    typed = {
        "facteur": facteur == "oui",
        "nature": nature,
        "niveau": niveau,
        "elements": elements,
        "cle": cle,
    }
    path = f"{_path(assessment_id)}/domains/{quote(domain, safe='')}"
    return await _save(request, user, assessment_id, f"domaine-{domain}", path, body, typed, DOMAIN_FIELDS)


@router.post("/evaluations/{assessment_id}/facteurs-de-protection")
async def save_protective_factors(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    facteurs: Annotated[str, Form()] = "",
) -> Response:
    # One factor a line, as typed; blank lines are layout, not factors.
    body = {"factors": [line.strip() for line in facteurs.splitlines() if line.strip()]}
    typed = {"facteurs": facteurs, "cle": cle}
    path = f"{_path(assessment_id)}/protective-factors"
    return await _save(request, user, assessment_id, "facteurs", path, body, typed, PROTECTIVE_FIELDS)


@router.post("/evaluations/{assessment_id}/receptivite")
async def save_receptivity(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    stade: Annotated[str, Form()] = "",
    cognitifs: Annotated[str, Form()] = "",
    lecture: Annotated[str, Form()] = "",
    langue: Annotated[str, Form()] = "",
    obstacles: Annotated[str, Form()] = "",
) -> Response:
    body = {
        "motivation_stage": stade,
        "cognitive_needs": cognitifs.strip(),
        "literacy_needs": lecture.strip(),
        "language_needs": langue.strip(),
        "practical_obstacles": obstacles.strip(),
    }
    typed = {
        "stade": stade,
        "cognitifs": cognitifs,
        "lecture": lecture,
        "langue": langue,
        "obstacles": obstacles,
        "cle": cle,
    }
    path = f"{_path(assessment_id)}/receptivity"
    return await _save(request, user, assessment_id, "receptivite", path, body, typed, RECEPTIVITY_FIELDS)


@router.post("/evaluations/{assessment_id}/conclusion")
async def save_conclusion(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    risque: Annotated[str, Form()] = "",
    axe: Annotated[list[str] | None, Form()] = None,
) -> Response:
    axes = list(axe or [])
    body = {"overall_risk_level": risque, "priority_axes": [value for value in axes if value]}
    typed = {"risque": risque, "axes": _padded(axes), "cle": cle}
    path = f"{_path(assessment_id)}/conclusion"
    return await _save(request, user, assessment_id, "conclusion", path, body, typed, CONCLUSION_FIELDS)


@router.post("/evaluations/{assessment_id}/decision")
async def decide(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    action: Annotated[Literal["soumettre", "resoumettre", "valider", "renvoyer"], Form()],
    motif: Annotated[str, Form()] = "",
) -> Response:
    """Submit, resubmit, validate, or return with the DPIP's reason: the service says whether it may."""
    api = request.app.state.api
    body = {"comments": motif.strip()} if action == "renvoyer" else None
    try:
        await api.post(
            "assessment",
            f"{_path(assessment_id)}/{ACTIONS[action]}",
            user.token,
            json=body,
            fields=DECISION_FIELDS,
            idempotency_key=cle,
        )
    except Refusal as refusal:
        view, case = await read(request, user, assessment_id)
        forms = forms_of(view)
        forms["decision"] = {"motif": motif, "cle": new_key()}
        return show(
            request,
            view,
            case,
            forms,
            section="decision",
            errors=refusal.messages,
            status_code=refusal.status,
        )
    return go_to(request, f"/evaluations/{quote(assessment_id, safe='')}")
