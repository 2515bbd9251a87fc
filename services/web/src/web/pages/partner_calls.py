"""The calls for expression of interest (AMI) of the partners service: the list (open ones first, as the
service orders them; a partner sees the published ones only), one call with the proposals answering it
(a partner: its organisation's only, the service limiting the list), and IPRO management's side: drafting
a call, revising it while it is a draft (the form prefilled with what the draft says), then publishing it
so that partners may answer it. The service decides who may draft, revise or publish and when; its refusal
comes back beside the field, what was typed kept."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from pydantic import BaseModel

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


def _call_form(request: Request, user, *, call_id=None, typed=None, errors=None, status_code=200):
    """The call form: a new call's, or (`call_id`) the revision of that draft."""
    return render(
        request,
        "pages/partner_call_form.html",
        partial="partials/partner_call_form.html",
        status_code=status_code,
        title="Modifier le brouillon de l'appel" if call_id else "Rédiger un appel à manifestation d'intérêt",
        call_id=call_id,
        action=f"/appels/{quote(call_id, safe='')}/modifier" if call_id else "/appels/nouveau",
        typed=typed or {"types": []},
        establishments=establishment_choices(user),
        action_types=ACTION_TYPES,
        cle=str(uuid.uuid4()),
        errors=errors or {},
    )


def _form_of(content: dict) -> dict:
    """A call's content as the form's fields: what the revision form shows first."""
    return {
        "titre": content["title"],
        "theme": content["theme"],
        "etablissement": content["establishment"],
        "description": content["description"],
        "ouverture": content["opens_on"],
        "cloture": content["closes_on"],
        "types": content["target_themes"],
        "conditions": content["eligibility_notes"],
    }


class CallForm(BaseModel):
    """The call form as posted (`cle`: the key made when it was shown)."""

    cle: str
    titre: str = ""
    theme: str = ""
    etablissement: str = ""
    description: str = ""
    ouverture: str = ""
    cloture: str = ""
    types: list[str] = []
    conditions: str = ""

    def content(self) -> dict:
        """The service's `CallContent`, replaced as a whole by a revision."""
        return {
            "title": self.titre.strip(),
            "theme": self.theme.strip(),
            "establishment": self.etablissement,
            "description": self.description.strip(),
            "opens_on": self.ouverture,
            "closes_on": self.cloture,
            "target_themes": self.types,
            "eligibility_notes": self.conditions.strip(),
        }

    def typed(self) -> dict:
        return self.model_dump(exclude={"cle"})


@router.get("/appels/nouveau")
async def new_call(request: Request, user: CurrentUser):
    return _call_form(request, user)


@router.post("/appels/nouveau")
async def draft_call(request: Request, user: CurrentUser, posted: Annotated[CallForm, Form()]):
    try:
        drafted = await request.app.state.api.post(
            "partners",
            "/calls",
            user.token,
            json=posted.content(),
            fields=CALL_FIELDS,
            idempotency_key=posted.cle,
        )
    except Refusal as refusal:
        return _call_form(
            request, user, typed=posted.typed(), errors=refusal.messages, status_code=refusal.status
        )
    return go_to(request, f"/appels/{quote(drafted['call_id'], safe='')}")


@router.get("/appels/{call_id}/modifier")
async def revision_form(request: Request, call_id: str, user: CurrentUser):
    found = await request.app.state.api.get("partners", f"/calls/{quote(call_id, safe='')}", user.token)
    return _call_form(request, user, call_id=call_id, typed=_form_of(found["content"]))


@router.post("/appels/{call_id}/modifier")
async def revise_call(request: Request, call_id: str, user: CurrentUser, posted: Annotated[CallForm, Form()]):
    try:
        await request.app.state.api.request(
            "PUT",
            "partners",
            f"/calls/{quote(call_id, safe='')}",
            user.token,
            json=posted.content(),
            fields=CALL_FIELDS,
            idempotency_key=posted.cle,
        )
    except Refusal as refusal:
        # What was typed, back, with a new key: what is sent next is another command.
        return _call_form(
            request,
            user,
            call_id=call_id,
            typed=posted.typed(),
            errors=refusal.messages,
            status_code=refusal.status,
        )
    return go_to(request, f"/appels/{quote(call_id, safe='')}")


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
