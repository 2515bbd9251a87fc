"""My work queue: projections' `/queues/mine` for the logged-in user, its window of days a filter that htmx
refreshes in place."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from web.messages import Refusal
from web.rendering import render
from web.roles import ROLE_SHORT
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
# Whose queue of people `qui` narrows another role's queue to, by the API's filter name.
WHOSE = {"cpip": "referent", "ipro_conseiller": "adviser"}


@router.get("/file-de-travail")
async def my_queue(request: Request, user: CurrentUser, dans: Annotated[str, Query()] = DEFAULT_WITHIN_DAYS):
    return await _queue_page(
        request,
        user,
        "/queues/mine",
        TITLES.get(user.role, "Ma file de travail"),
        dans,
        path="/file-de-travail",
    )


@router.get("/files-de-travail/{role}")
async def someone_elses_queue(
    request: Request,
    role: str,
    user: CurrentUser,
    dans: Annotated[str, Query()] = DEFAULT_WITHIN_DAYS,
    qui: Annotated[str, Query()] = "",
):
    """A role's queue for those who oversee it (a DPIP the CPIPs', the head of IPRO the advisers'), all of it
    or one person's (`qui`): the service says who may look."""
    params = {WHOSE.get(role, "referent"): qui} if qui else {}
    title = f"File de travail : {ROLE_SHORT.get(role, role)}" + (f" {qui}" if qui else "")
    return await _queue_page(
        request,
        user,
        f"/queues/{quote(role, safe='')}",
        title,
        dans,
        path=f"/files-de-travail/{role}",
        params=params,
        hidden={"qui": qui} if qui else {},
    )


async def _queue_page(
    request: Request,
    user,
    api_path: str,
    title: str,
    dans: str,
    *,
    path: str,
    params: dict | None = None,
    hidden: dict | None = None,
):
    queue, errors, status = None, {}, 200
    try:
        queue = await request.app.state.api.get(
            "projections",
            api_path,
            user.token,
            params={"within_days": dans, **(params or {})},
            fields={"within_days": "dans"},
        )
    except Refusal as refusal:
        errors, status = refusal.messages, refusal.status
    return render(
        request,
        "pages/queue.html",
        partial="partials/queue.html",
        status_code=status,
        title=title,
        queue=queue,
        dans=dans,
        path=path,
        hidden=hidden or {},
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
