"""The auditor's log view: every event about a person (as the log stood at the end of a chosen day), or
every event of one stream, as projections' `/audit/...` routes give them: hashes as published, personal
values sealed. Checking the chains is `passerelle audit verify`'s (ADR 30), not this page's."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request

from web.messages import Refusal
from web.pages.person_file import as_of_end_of
from web.rendering import render
from web.session import CurrentUser

router = APIRouter()


@router.get("/audit")
async def audit_log(
    request: Request,
    user: CurrentUser,
    personne: Annotated[str, Query()] = "",
    flux: Annotated[str, Query()] = "",
    au: Annotated[str, Query()] = "",
):
    personne, flux = personne.strip(), flux.strip()
    errors, params, status, events = {}, {}, 200, None
    if au:
        try:
            params["as_of"] = as_of_end_of(date.fromisoformat(au))
        except ValueError:
            errors["au"] = "Saisissez une date valide (jj/mm/aaaa)."
    if personne and flux:
        errors["flux"] = "Cherchez une personne ou un flux, pas les deux."
    if flux and au:
        errors["au"] = "La date ne s'applique qu'au journal d'une personne."
    if errors:
        status = 422
    elif personne or flux:
        # Typed ids go into the path as one segment each: never a way to another route.
        path = (
            f"/audit/subjects/{quote(personne, safe='')}"
            if personne
            else f"/audit/streams/{quote(flux, safe='')}"
        )
        names = {"as_of": "au", "subject-not-found": "personne", "stream-not-found": "flux"}
        try:
            events = await request.app.state.api.get(
                "projections", path, user.token, params=params, fields=names
            )
        except Refusal as refusal:
            errors, status = refusal.messages, refusal.status
    return render(
        request,
        "pages/audit.html",
        partial="partials/audit.html",
        status_code=status,
        title="Journal d'audit",
        personne=personne,
        flux=flux,
        au=au,
        events=events,
        errors=errors,
    )
