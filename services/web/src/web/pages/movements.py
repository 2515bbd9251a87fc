"""The movement list of a day (projections' `/movements`): who goes where in the establishment, who leaves it,
escorted or not, and which partners come in; its printable page (`/movements.html`), the detention's sheet."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from web.establishments import establishment_choices
from web.messages import Refusal
from web.rendering import LOCAL_TIME_ZONE, render
from web.session import CurrentUser

router = APIRouter()

# The service's parameters and rules, by the form field that sets them.
FIELDS = {
    "day": "jour",
    "establishment": "etablissement",
    "day-required": "jour",
    "day-unreadable": "jour",
    "day-too-far": "jour",
    "establishment-required": "etablissement",
}
KINDS = {
    "group_session": "Séance de programme",
    "positioning": "Action partenaire",
    "training": "Formation",
    "work": "Travail",
    "pmsmp": "PMSMP (mise en situation en milieu professionnel)",
    "escorted_professional_leave": "Permission de sortir escortée",
}


def _params(jour: str, etablissement: str) -> dict[str, str]:
    return {"day": jour, **({"establishment": etablissement} if etablissement else {})}


@router.get("/mouvements")
async def movements(
    request: Request,
    user: CurrentUser,
    jour: Annotated[str, Query()] = "",
    etablissement: Annotated[str, Query()] = "",
):
    choices = establishment_choices(user)
    jour = jour.strip() or datetime.now(LOCAL_TIME_ZONE).date().isoformat()
    # The list is one establishment's: the first the user works in unless they choose another.
    etablissement = etablissement.strip() or next(iter(choices), "")
    listed, errors, status = None, {}, 200
    try:
        listed = await request.app.state.api.get(
            "projections", "/movements", user.token, params=_params(jour, etablissement), fields=FIELDS
        )
    except Refusal as refusal:
        errors, status = refusal.messages, refusal.status
    return render(
        request,
        "pages/movements.html",
        partial="partials/movements.html",
        status_code=status,
        title="Mouvements du jour",
        listed=_labelled(listed) if listed else None,
        jour=jour,
        etablissement=etablissement,
        establishments=choices,
        errors=errors,
    )


def _labelled(listed: dict[str, Any]) -> dict[str, Any]:
    def times(row: dict[str, Any]) -> dict[str, Any]:
        starts, ends = row.get("starts_at"), row.get("ends_at")
        return {
            **row,
            "starts": datetime.fromisoformat(starts).astimezone(LOCAL_TIME_ZONE) if starts else None,
            "ends": datetime.fromisoformat(ends).astimezone(LOCAL_TIME_ZONE) if ends else None,
            "kind_label": KINDS.get(row.get("kind", ""), row.get("kind", "")),
        }

    return {
        **listed,
        "movements": [times(m) for m in listed["movements"]],
        "partners": [times(p) for p in listed["partners"]],
    }


@router.get("/mouvements/impression")
async def print_movements(
    request: Request,
    user: CurrentUser,
    jour: Annotated[str, Query()] = "",
    etablissement: Annotated[str, Query()] = "",
) -> HTMLResponse:
    """The list as projections prints it (A4, its own page): a refusal becomes the error page."""
    html = await request.app.state.api.get_html(
        "projections", "/movements.html", user.token, params=_params(jour.strip(), etablissement.strip())
    )
    return HTMLResponse(html)
