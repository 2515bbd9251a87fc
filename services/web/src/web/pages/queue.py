"""My work queue: projections' `/queues/mine` for the logged-in user, its window of days a filter that htmx
refreshes in place."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from web.messages import Refusal
from web.rendering import render
from web.session import CurrentUser

router = APIRouter()

# The queue's heading by role, as its printed page titles it.
TITLES = {
    "cpip": "Mes personnes suivies",
    "dpip": "Validations et charge des CPIP",
    "ipro_conseiller": "Mes parcours d'insertion",
    "ipro_chef": "Liste d'attente et actions partenaires",
    "ripro": "Liste d'attente et actions partenaires",
    "direction": "Décisions en attente",
}
DEFAULT_WITHIN_DAYS = "30"


@router.get("/file-de-travail")
async def my_queue(request: Request, user: CurrentUser, dans: Annotated[str, Query()] = DEFAULT_WITHIN_DAYS):
    api = request.app.state.api
    queue, errors = None, {}
    try:
        queue = await api.get(
            "projections",
            "/queues/mine",
            user.token,
            params={"within_days": dans},
            fields={"within_days": "dans"},
        )
    except Refusal as refusal:
        errors = refusal.messages
    return render(
        request,
        "pages/queue.html",
        partial="partials/queue.html",
        status_code=200 if queue is not None else 422,
        title=TITLES.get(user.role, "Ma file de travail"),
        queue=queue,
        dans=dans,
        errors=errors,
    )


@router.get("/file-de-travail/impression")
async def print_my_queue(
    request: Request, user: CurrentUser, dans: Annotated[str, Query()] = DEFAULT_WITHIN_DAYS
) -> HTMLResponse:
    """The queue as projections prints it (A4, its own page): a refusal becomes the error page."""
    html = await request.app.state.api.get_html(
        "projections", "/queues/mine.html", user.token, params={"within_days": dans}
    )
    return HTMLResponse(html)
