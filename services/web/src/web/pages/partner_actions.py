"""A catalogue action of the partners service (`/actions/{id}`): its sessions, the people IPRO positioned
on them (the ipro service's `/positionings`: a partner reads their names and status only, on its own
organisation's actions) with the partner's confirmation of each place, each person's attendance and what
came of it, and the partner's report of each delivered session (held or not, how many were present,
notes). The services say whether a place may be confirmed, an attendance or outcome recorded, or a session
reported yet; a refusal comes back beside the field, what was typed kept."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.ipro_wording import POSITIONING_OUTCOMES, POSITIONING_STATUSES
from web.messages import FORM, Refusal
from web.pages.partner_proposals import local_instant
from web.partner_wording import ACTION_TYPES
from web.rendering import go_to, render
from web.session import CurrentUser

router = APIRouter()

SESSION_FIELDS = {
    "starts_at": "nouvelle_debut",
    "session-in-the-past": "nouvelle_debut",
    "duration_minutes": "nouvelle_duree",
    "place": "nouvelle_lieu",
    "place-double-booked": "nouvelle_lieu",
    "room-unknown": "nouvelle_lieu",
    "facilitators": "nouvelle_animateurs",
    "facilitator-double-booked": "nouvelle_animateurs",
}
REPORT_FIELDS = {
    "held": "tenue",
    "present_count": "presents",
    "present-count-invalid": "presents",
    "notes": "notes",
}


def _path(action_id: str) -> str:
    return f"/actions/{quote(action_id, safe='')}"


async def _action_page(request: Request, user, action_id: str, *, errors=None, typed=None, status_code=200):
    api = request.app.state.api
    action = await api.get("partners", _path(action_id), user.token)
    try:
        positionings = await api.get("ipro", "/positionings", user.token, params={"action_id": action_id})
    except Refusal:
        positionings = None  # a role that does not read positionings still sees the sessions
    return render(
        request,
        "pages/partner_action.html",
        partial="partials/partner_action.html",
        status_code=status_code,
        title=action["title"],
        action=action,
        action_types=ACTION_TYPES,
        positionings=(positionings or {}).get("items", []),
        positioning_statuses=POSITIONING_STATUSES,
        positioning_outcomes=POSITIONING_OUTCOMES,
        typed=typed or {},
        new_key=lambda: str(uuid.uuid4()),  # one per form: each is its own command
        errors=errors or {},
    )


@router.get("/actions-partenaires/{action_id}")
async def action(request: Request, action_id: str, user: CurrentUser):
    return await _action_page(request, user, action_id)


@router.post("/actions-partenaires/{action_id}/seances")
async def schedule(
    request: Request,
    action_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    nouvelle_debut: Annotated[str, Form()] = "",
    nouvelle_duree: Annotated[str, Form()] = "",
    nouvelle_lieu: Annotated[str, Form()] = "",
    nouvelle_animateurs: Annotated[str, Form()] = "",
):
    body = {
        "starts_at": local_instant(nouvelle_debut),
        "duration_minutes": nouvelle_duree.strip(),
        "place": nouvelle_lieu.strip(),
        "facilitators": [name.strip() for name in nouvelle_animateurs.splitlines() if name.strip()],
    }
    try:
        await request.app.state.api.post(
            "partners",
            f"{_path(action_id)}/sessions",
            user.token,
            json=body,
            fields=SESSION_FIELDS,
            idempotency_key=cle,
        )
    except Refusal as refusal:
        typed = {
            "nouvelle_debut": nouvelle_debut,
            "nouvelle_duree": nouvelle_duree,
            "nouvelle_lieu": nouvelle_lieu,
            "nouvelle_animateurs": nouvelle_animateurs,
        }
        return await _action_page(
            request, user, action_id, errors=refusal.messages, typed=typed, status_code=refusal.status
        )
    return _done(request, action_id)


@router.post("/actions-partenaires/{action_id}/seances/{session_id}/compte-rendu")
async def report(
    request: Request,
    action_id: str,
    session_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    tenue: Annotated[str, Form()] = "",
    presents: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
):
    try:
        await request.app.state.api.post(
            "partners",
            f"{_path(action_id)}/sessions/{quote(session_id, safe='')}/report",
            user.token,
            json={"held": tenue, "present_count": presents.strip(), "notes": notes.strip()},
            fields=REPORT_FIELDS,
            idempotency_key=cle,
        )
    except Refusal as refusal:
        # The messages of this session's form only: the fields are named after it.
        errors = {
            (f"{name}-{session_id}" if name != "__form__" else name): text
            for name, text in refusal.messages.items()
        }
        typed = {"session": session_id, "tenue": tenue, "presents": presents, "notes": notes}
        return await _action_page(
            request, user, action_id, errors=errors, typed=typed, status_code=refusal.status
        )
    return _done(request, action_id)


def _done(request: Request, action_id: str) -> Response:
    return go_to(request, f"/actions-partenaires/{quote(action_id, safe='')}")


@router.post("/actions-partenaires/{action_id}/positionnements/{positioning_id}/confirmer")
async def confirm(
    request: Request, action_id: str, positioning_id: str, user: CurrentUser, cle: Annotated[str, Form()]
):
    try:
        await request.app.state.api.post(
            "ipro", f"/positionings/{quote(positioning_id, safe='')}/confirm", user.token, idempotency_key=cle
        )
    except Refusal as refusal:
        return await _action_page(
            request, user, action_id, errors=refusal.messages, status_code=refusal.status
        )
    return _done(request, action_id)


def attendance_fields(positioning_id: str) -> dict[str, str]:
    field = f"presence-{positioning_id}"  # each person's form is its own
    return {"attended": field, "action-session-not-yet-held": field, "positioning-not-confirmed": field}


def outcome_fields(positioning_id: str) -> dict[str, str]:
    field = f"suite-{positioning_id}"
    return {
        "outcome": field,
        "positioning-not-attended": field,
        "outcome-already-recorded": field,
        "details": f"precisions-{positioning_id}",
    }


async def _positioning_command(
    request: Request, user, action_id: str, positioning_id: str, step: str, *, cle: str, json, fields, typed
) -> Response:
    """One person's attendance or outcome (ipro's `/positionings/{id}/<step>`); refused, the page again with
    the sentence beside that person's form."""
    try:
        await request.app.state.api.post(
            "ipro",
            f"/positionings/{quote(positioning_id, safe='')}/{step}",
            user.token,
            json=json,
            fields=fields,
            idempotency_key=cle,
        )
    except Refusal as refusal:
        errors = {
            (f"positionnement-{positioning_id}" if name == FORM else name): text
            for name, text in refusal.messages.items()
        }
        return await _action_page(
            request,
            user,
            action_id,
            errors=errors,
            typed={"positionnement": positioning_id, **typed},
            status_code=refusal.status,
        )
    return _done(request, action_id)


@router.post("/actions-partenaires/{action_id}/positionnements/{positioning_id}/presence")
async def attendance(
    request: Request,
    action_id: str,
    positioning_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    presence: Annotated[str, Form()] = "",
):
    return await _positioning_command(
        request,
        user,
        action_id,
        positioning_id,
        "attendance",
        cle=cle,
        json={"attended": presence},
        fields=attendance_fields(positioning_id),
        typed={"presence": presence},
    )


@router.post("/actions-partenaires/{action_id}/positionnements/{positioning_id}/suite")
async def outcome(
    request: Request,
    action_id: str,
    positioning_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    suite: Annotated[str, Form()] = "",
    precisions: Annotated[str, Form()] = "",
):
    return await _positioning_command(
        request,
        user,
        action_id,
        positioning_id,
        "outcome",
        cle=cle,
        json={"outcome": suite, "details": precisions.strip()},
        fields=outcome_fields(positioning_id),
        typed={"suite": suite, "precisions": precisions},
    )
