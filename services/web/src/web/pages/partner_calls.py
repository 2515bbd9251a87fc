"""The calls for expression of interest (AMI) of the partners service: the list (open ones first, as the
service orders them; a partner sees the published ones only), and one call with the proposals answering it
(a partner: its organisation's only, the service limiting the list)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request

from web.partner_wording import ACTION_TYPES, CALL_STATUSES, PROPOSAL_STATUSES
from web.rendering import render
from web.session import CurrentUser

router = APIRouter()


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


@router.get("/appels/{call_id}")
async def call(request: Request, call_id: str, user: CurrentUser):
    api = request.app.state.api
    found = await api.get("partners", f"/calls/{quote(call_id, safe='')}", user.token)
    proposals = await api.get("partners", "/proposals", user.token, params={"call_id": call_id})
    return render(
        request,
        "pages/partner_call.html",
        title=found["content"]["title"],
        call=found,
        proposals=proposals,
        statuses=CALL_STATUSES,
        proposal_statuses=PROPOSAL_STATUSES,
        action_types=ACTION_TYPES,
    )
