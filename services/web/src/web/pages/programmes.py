"""The programmes service's catalogue and groups (`/programmes`, `/groups`): the catalogue, the groups of a
programme with their fill and waiting list, a group's sessions and who is referred to it, with enrolment and
the waiting list offered to the referrals of its programme. The service decides who may read or place whom."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from web.messages import Refusal
from web.rendering import go_to, render
from web.session import CurrentUser

router = APIRouter()

KINDS = {"structured_programme": "Programme structuré", "thematic_action": "Action thématique"}
FORMATS = {"collective": "Collectif", "individual": "Individuel"}
GROUP_STATUSES = {
    "planned": "Planifié",
    "open": "Inscriptions ouvertes",
    "started": "Commencé",
    "closed": "Clos",
}
REFERRAL_STATUSES = {
    "requested": "Orientation demandée",
    "eligible": "Éligible",
    "refused": "Non éligible",
    "waiting": "En liste d'attente",
    "enrolled": "Inscrit",
    "started": "En cours",
    "completed": "Programme achevé",
    "not_completed": "Programme non achevé",
    "dropped_out": "Abandon",
    "excluded": "Exclu",
    "withdrawn": "Orientation retirée",
}
# Placing a referral in a group: the form's choice -> the service's command.
PLACEMENTS = {"inscrire": "enrol", "attente": "waitlist"}


def _id(value: str) -> str:
    return quote(value, safe="")


@router.get("/programmes")
async def catalogue(request: Request, user: CurrentUser):
    answered = await request.app.state.api.get("programmes", "/programmes", user.token, params={"limit": 200})
    return render(
        request,
        "pages/programmes.html",
        title="Catalogue des programmes",
        programmes=answered["items"],
        kinds=KINDS,
        formats=FORMATS,
    )


@router.get("/groupes")
async def groups(
    request: Request,
    user: CurrentUser,
    programme: Annotated[str, Query()] = "",
    statut: Annotated[str, Query()] = "",
):
    api = request.app.state.api
    params: dict[str, Any] = {"limit": 100}
    if programme:
        params["programme_id"] = programme
    if statut:
        params["status"] = statut
    listed, errors, status = None, {}, 200
    try:
        listed = await api.get(
            "programmes",
            "/groups",
            user.token,
            params=params,
            fields={"status": "statut", "programme_id": "programme"},
        )
    except Refusal as refusal:
        errors, status = refusal.messages, refusal.status
    names = await _programme_names(request, user)
    return render(
        request,
        "pages/groups.html",
        partial="partials/groups.html",
        status_code=status,
        title="Groupes" + (f" : {names[programme]}" if programme in names else ""),
        listed=listed,
        names=names,
        programme=programme,
        statut=statut,
        statuses=GROUP_STATUSES,
        errors=errors,
    )


async def _programme_names(request: Request, user) -> dict[str, str]:
    answered = await request.app.state.api.get("programmes", "/programmes", user.token, params={"limit": 200})
    return {
        p["programme_id"]: f"{p['definition']['code']} – {p['definition']['name']}" for p in answered["items"]
    }


@router.get("/groupes/{group_id}")
async def group(request: Request, group_id: str, user: CurrentUser):
    return await group_page(request, user, group_id)


async def group_page(
    request: Request,
    user,
    group_id: str,
    *,
    errors: dict | None = None,
    status_code: int = 200,
    placed: str = "",
    conduct: dict | None = None,
):
    """The group's page; `placed` or `conduct` (what was typed in the group's conduct form): the form a
    refusal in `errors` belongs to."""
    api = request.app.state.api
    found = await api.get("programmes", f"/groups/{_id(group_id)}", user.token)
    names = await _programme_names(request, user)
    in_group = await _referrals(request, user, {"group_id": group_id})
    # The programme's referrals not yet placed, to enrol here or put on this group's waiting list.
    to_place = await _referrals(request, user, {"programme_id": found["programme_id"], "status": "eligible"})
    waiting = {referral_id: rank for rank, referral_id in enumerate(found["waiting"], 1)}
    participants = await _participant_names(request, user, group_id)
    return render(
        request,
        "pages/group.html",
        status_code=status_code,
        title=f"Groupe {names.get(found['programme_id'], found['programme_id'])}",
        group=found,
        status_label=GROUP_STATUSES.get(found["status"], found["status"]),
        in_group=in_group,
        to_place=to_place,
        waiting=waiting,
        participant_names=participants,
        referral_statuses=REFERRAL_STATUSES,
        cle=str(uuid.uuid4()),
        placed=placed,
        conduct=conduct or {"motif": "", "cle": str(uuid.uuid4())},
        conduct_refused=conduct is not None,
        errors=errors or {},
    )


async def _participant_names(request: Request, user, group_id: str) -> dict[str, str]:
    """The participants' names by referral, from the register its facilitators and DPIPs read; none for
    other readers (the service refuses them the register), who then read the people by their ids."""
    try:
        register = await request.app.state.api.get(
            "programmes", f"/groups/{_id(group_id)}/register", user.token
        )
    except Refusal:
        return {}
    return {
        line["referral_id"]: f"{line['last_name'].upper()} {line['first_names']}"
        for line in register["participants"]
    }


async def _referrals(request: Request, user, params: dict[str, str]) -> list[dict] | None:
    """The referrals the user may read (the service's choice), or None for a role that reads none."""
    try:
        answered = await request.app.state.api.get(
            "programmes", "/referrals", user.token, params={**params, "limit": 100}
        )
    except Refusal as refusal:
        if refusal.rule == "role-not-allowed":
            return None
        raise
    return answered["items"]


@router.post("/groupes/{group_id}/placements")
async def place(
    request: Request,
    group_id: str,
    user: CurrentUser,
    orientation: Annotated[str, Form()],
    choix: Annotated[str, Form()],
    cle: Annotated[str, Form()],
) -> Response:
    """Enrol a referral in the group, or put it on the group's waiting list: the service says whether it may."""
    try:
        await request.app.state.api.post(
            "programmes",
            f"/referrals/{_id(orientation)}/{PLACEMENTS.get(choix, 'enrol')}",
            user.token,
            json={"group_id": group_id},
            idempotency_key=cle,
        )
    except Refusal as refusal:
        return await group_page(
            request, user, group_id, errors=refusal.messages, status_code=refusal.status, placed=orientation
        )
    return go_to(request, f"/groupes/{_id(group_id)}")


@router.get("/groupes/{group_id}/emargement")
async def print_register(request: Request, group_id: str, user: CurrentUser) -> HTMLResponse:
    """The attendance register as the programmes service prints it (its own page, a column to sign)."""
    html = await request.app.state.api.get_html(
        "programmes", f"/groups/{_id(group_id)}/register", user.token, params={"format": "html"}
    )
    return HTMLResponse(html)
