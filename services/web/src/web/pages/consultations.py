"""The consultation journal (projections' `/audit/access`), for auditors and DPIPs: who read whose data,
and who was refused, newest first, by person, by user or the break-glass reads only; older pages on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from web.messages import Refusal
from web.rendering import render
from web.session import CurrentUser

router = APIRouter()

PAGE_SIZE = 50
# The service's parameters, by the form field that sets them.
FIELDS = {"subject_id": "personne", "user": "utilisateur", "before": "avant"}


@router.get("/audit/consultations")
async def consultation_journal(
    request: Request,
    user: CurrentUser,
    personne: Annotated[str, Query()] = "",
    utilisateur: Annotated[str, Query()] = "",
    bris_de_glace: Annotated[bool, Query()] = False,
    avant: Annotated[str, Query()] = "",
):
    personne, utilisateur = personne.strip(), utilisateur.strip()
    params: dict[str, object] = {"limit": PAGE_SIZE}
    for name, value in (("subject_id", personne), ("user", utilisateur), ("before", avant)):
        if value:
            params[name] = value
    if bris_de_glace:
        params["break_glass"] = "true"
    journal, errors, status = None, {}, 200
    try:
        journal = await request.app.state.api.get(
            "projections", "/audit/access", user.token, params=params, fields=FIELDS
        )
    except Refusal as refusal:
        errors, status = refusal.messages, refusal.status
    filters = {"personne": personne, "utilisateur": utilisateur}
    if bris_de_glace:
        filters["bris_de_glace"] = "true"
    return render(
        request,
        "pages/consultations.html",
        partial="partials/consultations.html",
        status_code=status,
        title="Journal des consultations",
        journal=journal,
        filters=filters,
        personne=personne,
        utilisateur=utilisateur,
        bris_de_glace=bris_de_glace,
        errors=errors,
    )
