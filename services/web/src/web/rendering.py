"""Pages rendered from Jinja2 templates (autoescaped), with the layout's context (the user, their links) and
French dates. A request sent by htmx gets the named partial only, to swap into the page it came from."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse, RedirectResponse, Response

from web.messages import FORM
from web.navigation import links_for
from web.roles import ROLE_LABELS, ROLE_SHORT
from web.session import current_user

# Every date and time is shown as the establishments live it (the services' LOCAL_TIME_ZONE).
LOCAL_TIME_ZONE = ZoneInfo("Europe/Paris")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def day(value: str | date | None) -> str:
    """`vendredi 27 novembre 2026`."""
    if not value:
        return "–"
    on = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{WEEKDAYS[on.weekday()]} {on.day} {MONTHS[on.month - 1]} {on.year}"


def instant(value: str | datetime | None) -> str:
    """`27/11/2026 à 10:00`, local time."""
    if not value:
        return "–"
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{at.astimezone(LOCAL_TIME_ZONE):%d/%m/%Y à %H:%M}"


def count(found: dict[str, Any]) -> str:
    """A list's total as its page gives it: `1 234`, or `1 000 ou plus` where the service stopped counting."""
    shown = f"{found['total']:,}".replace(",", "\u202f")  # the French thousands separator, unbreakable
    return shown if found.get("total_exact", True) else f"{shown} ou plus"


templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters.update(
    count=count,
    day=day,
    instant=instant,
    role_label=lambda role: ROLE_LABELS.get(role, role),
    role_short=lambda role: ROLE_SHORT.get(role, role),
)
templates.env.globals.update(FORM=FORM)


def render(
    request: Request, template: str, *, partial: str | None = None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """`template` for a page load; `partial` (its swappable part) for an htmx request."""
    user = current_user(request)
    name = partial if partial and request.headers.get("HX-Request") == "true" else template
    links = links_for(user.role) if user else []
    path = request.url.path
    # The menu's current entry: the most specific link the page is under (/audit/consultations, not /audit).
    current = max(
        (link.path for link in links if path == link.path or path.startswith(link.path + "/")),
        key=len,
        default=None,
    )
    return templates.TemplateResponse(
        request,
        name,
        {"user": user, "links": links, "current_link": current, "errors": {}, **context},
        status_code=status_code,
    )


def go_to(request: Request, page: str) -> Response:
    """After a command: the page to show. A plain form follows a 303; htmx, which would follow it inside
    the part it swaps, is sent the whole page to load (HX-Redirect)."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": page})
    return RedirectResponse(page, status_code=303)
