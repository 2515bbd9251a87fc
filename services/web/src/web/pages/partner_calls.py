"""The calls for expression of interest (AMI) of the partners service: the list (open ones first, as the
service orders them; a partner sees the published ones only), one call with the proposals answering it
(a partner: its organisation's only, the service limiting the list), and IPRO management's side: drafting
a call, then publishing the draft so that partners may answer it. The service decides who may draft or
publish and when; its refusal comes back beside the field, what was typed kept."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request

from web.establishments import establishment_choices
from web.messages import Refusal
from web.partner_wording import ACTION_TYPES, CALL_STATUSES, PROPOSAL_STATUSES
from web.rendering import go_to, render
from web.session import CurrentUser

router = APIRouter()

# The service's names (`CallContent`'s members, rules) by the call form's fields.
CALL_FIELDS = {
    "title": "titre",
    "theme": "theme",
    "establishment": "etablissement",
    "description": "description",
    "opens_on": "ouverture",
    "closes_on": "cloture",
    "call-dates-invalid": "cloture",
    "target_themes": "types",
    "target_themes.0": "types",
    "eligibility_notes": "conditions",
}


@router.get("/appels")
async def calls(request: Request, user: CurrentUser):
    found = await request.app.state.api.get("partners", "/calls", user.token)
    return render(
        request,
        "pages/partner_calls.html",
        title="Appels à manifestation d'intérêt",
        found=found,
        statuses=CALL_STATUSES,
    )


def _call_form(request: Request, user, *, typed=None, errors=None, status_code=200):
    return render(
        request,
        "pages/partner_call_form.html",
        partial="partials/partner_call_form.html",
        status_code=status_code,
        title="Rédiger un appel à manifestation d'intérêt",
        typed=typed or {"types": []},
        establishments=establishment_choices(user),
        action_types=ACTION_TYPES,
        cle=str(uuid.uuid4()),
        errors=errors or {},
    )


@router.get("/appels/nouveau")
async def new_call(request: Request, user: CurrentUser):
    return _call_form(request, user)


@router.post("/appels/nouveau")
async def draft_call(
    request: Request,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    titre: Annotated[str, Form()] = "",
    theme: Annotated[str, Form()] = "",
    etablissement: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    ouverture: Annotated[str, Form()] = "",
    cloture: Annotated[str, Form()] = "",
    types: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies a default)
    conditions: Annotated[str, Form()] = "",
):
    body = {
        "title": titre.strip(),
        "theme": theme.strip(),
        "establishment": etablissement,
        "description": description.strip(),
        "opens_on": ouverture,
        "closes_on": cloture,
        "target_themes": types,
        "eligibility_notes": conditions.strip(),
    }
    try:
        drafted = await request.app.state.api.post(
            "partners", "/calls", user.token, json=body, fields=CALL_FIELDS, idempotency_key=cle
        )
    except Refusal as refusal:
        typed = {
            "titre": titre,
            "theme": theme,
            "etablissement": etablissement,
            "description": description,
            "ouverture": ouverture,
            "cloture": cloture,
            "types": types,
            "conditions": conditions,
        }
        return _call_form(request, user, typed=typed, errors=refusal.messages, status_code=refusal.status)
    return go_to(request, f"/appels/{quote(drafted['call_id'], safe='')}")


async def _call_page(request: Request, user, call_id: str, *, errors=None, status_code=200):
    api = request.app.state.api
    found = await api.get("partners", f"/calls/{quote(call_id, safe='')}", user.token)
    proposals = await api.get("partners", "/proposals", user.token, params={"call_id": call_id})
    return render(
        request,
        "pages/partner_call.html",
        partial="partials/partner_call_publish.html",
        status_code=status_code,
        title=found["content"]["title"],
        call=found,
        proposals=proposals,
        statuses=CALL_STATUSES,
        proposal_statuses=PROPOSAL_STATUSES,
        action_types=ACTION_TYPES,
        cle=str(uuid.uuid4()),
        errors=errors or {},
    )


@router.get("/appels/{call_id}")
async def call(request: Request, call_id: str, user: CurrentUser):
    return await _call_page(request, user, call_id)


@router.post("/appels/{call_id}/publication")
async def publish(request: Request, call_id: str, user: CurrentUser, cle: Annotated[str, Form()]):
    try:
        await request.app.state.api.post(
            "partners", f"/calls/{quote(call_id, safe='')}/publish", user.token, idempotency_key=cle
        )
    except Refusal as refusal:
        return await _call_page(request, user, call_id, errors=refusal.messages, status_code=refusal.status)
    return go_to(request, f"/appels/{quote(call_id, safe='')}")
