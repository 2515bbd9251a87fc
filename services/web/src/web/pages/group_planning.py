"""Planning a group and conducting it (the programmes service's `POST /groups`, `/groups/{id}/open`, `start`,
`close`): a DPIP plans a group of a programme (its dates, weekly sessions, facilitators and room; the service
generates the sessions), opens it for enrolment; its facilitators or a DPIP start it (below the programme's
minimum size, a DPIP with a reason) and close it. Whether each may happen is the service's to say; a refusal
comes back beside the field it concerns, with what was typed and a new idempotency key."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from web.establishments import establishment_choices
from web.ipro_wording import WEEKDAYS
from web.messages import Refusal
from web.pages.programmes import group_page
from web.rendering import go_to, render
from web.session import CurrentUser, User

router = APIRouter()

EVERY_WEEKS = {"1": "Chaque semaine", "2": "Toutes les deux semaines", "3": "Toutes les trois semaines"}
# The service's names (body members, nested as `pattern.weekday`, and rules) of the planning form's fields.
PLAN_FIELDS = {
    "programme_id": "programme",
    "establishment": "etablissement",
    "room": "salle",
    "facilitators": "animateurs",
    "partner_organisations": "organisations",
    "start_date": "debut",
    "end_date": "fin",
    "pattern.weekday": "jour",
    "pattern.starts_at": "heure",
    "pattern.duration_minutes": "duree",
    "pattern.every_weeks": "frequence",
    "capacity": "capacite",
    "programme-not-found": "programme",
    "programme-withdrawn": "programme",
    "establishment-not-reached": "etablissement",
    "room-unknown": "salle",
    "room-double-booked": "salle",
    "facilitator-double-booked": "animateurs",
    "group-period-invalid": "debut",
    "session-outside-group-period": "fin",
    "capacity-outside-programme-limits": "capacite",
}
# The group's conduct: the button's value -> the service's command.
CONDUCT = {"ouvrir": "open", "commencer": "start", "clore": "close"}
CONDUCT_FIELDS = {
    "below_minimum_reason": "motif",
    "group-below-minimum": "motif",
    "override-needs-dpip": "motif",
}


def _key() -> str:
    return str(uuid.uuid4())


def facilitators_of(typed: str) -> list[str]:
    """The facilitators' user ids, one a line or separated by commas, as typed (blanks are layout)."""
    return [name.strip() for name in re.split(r"[,\n]", typed) if name.strip()]


async def _catalogue(request: Request, user: User) -> list[dict[str, Any]]:
    answered = await request.app.state.api.get("programmes", "/programmes", user.token, params={"limit": 200})
    return answered["items"]


def _blank_form(programmes: list[dict[str, Any]], programme: str, user: User) -> dict[str, str]:
    """A new group's form: the chosen programme's session length, the user's establishment if they have one."""
    chosen = next((p for p in programmes if p["programme_id"] == programme), None)
    establishments = list(establishment_choices(user))
    return {
        "programme": programme,
        "etablissement": establishments[0] if len(establishments) == 1 else "",
        "salle": "",
        "animateurs": "",
        "organisations": "",
        "debut": "",
        "fin": "",
        "jour": "",
        "heure": "",
        "duree": str(chosen["definition"]["session_minutes"]) if chosen else "",
        "frequence": "1",
        "capacite": "",
        "cle": _key(),
    }


def _show(
    request: Request,
    user: User,
    programmes: list[dict[str, Any]],
    form: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "pages/group_planning.html",
        partial="partials/group_planning.html",
        status_code=status_code,
        title="Planifier un groupe",
        form=form,
        programmes={
            p["programme_id"]: f"{p['definition']['code']} – {p['definition']['name']}"
            for p in programmes
            if not p.get("withdrawn")
        },
        establishments=establishment_choices(user),
        weekdays=WEEKDAYS,
        every_weeks=EVERY_WEEKS,
        errors=errors or {},
    )


@router.get("/groupes/nouveau")
async def planning_form(request: Request, user: CurrentUser, programme: Annotated[str, Query()] = ""):
    programmes = await _catalogue(request, user)
    return _show(request, user, programmes, _blank_form(programmes, programme, user))


@router.post("/groupes/nouveau")
async def plan_group(
    request: Request,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    programme: Annotated[str, Form()] = "",
    etablissement: Annotated[str, Form()] = "",
    salle: Annotated[str, Form()] = "",
    animateurs: Annotated[str, Form()] = "",
    organisations: Annotated[str, Form()] = "",
    debut: Annotated[str, Form()] = "",
    fin: Annotated[str, Form()] = "",
    jour: Annotated[str, Form()] = "",
    heure: Annotated[str, Form()] = "",
    duree: Annotated[str, Form()] = "",
    frequence: Annotated[str, Form()] = "1",
    capacite: Annotated[str, Form()] = "",
) -> Response:
    """The group as typed, sent as is: the service checks every value and answers with the refused ones."""
    body = {
        "programme_id": programme,
        "establishment": etablissement,
        "room": salle,
        "facilitators": facilitators_of(animateurs),
        "partner_organisations": facilitators_of(organisations),
        "start_date": debut or None,
        "end_date": fin or None,
        "pattern": {
            "weekday": jour or None,
            "starts_at": heure or None,
            "duration_minutes": duree or None,
            "every_weeks": frequence or None,
        },
        "capacity": capacite or None,
    }
    try:
        planned = await request.app.state.api.post(
            "programmes", "/groups", user.token, json=body, fields=PLAN_FIELDS, idempotency_key=cle
        )
    except Refusal as refusal:
        typed = {
            "programme": programme,
            "etablissement": etablissement,
            "salle": salle,
            "animateurs": animateurs,
            "organisations": organisations,
            "debut": debut,
            "fin": fin,
            "jour": jour,
            "heure": heure,
            "duree": duree,
            "frequence": frequence,
            "capacite": capacite,
            "cle": _key(),  # what is sent next is a new command
        }
        programmes = await _catalogue(request, user)
        return _show(request, user, programmes, typed, errors=refusal.messages, status_code=refusal.status)
    return go_to(request, f"/groupes/{quote(planned['group_id'], safe='')}")


@router.post("/groupes/{group_id}/conduite")
async def conduct(
    request: Request,
    group_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    action: Annotated[Literal["ouvrir", "commencer", "clore"], Form()],
    motif: Annotated[str, Form()] = "",
) -> Response:
    """Open the group for enrolment, start it (with the reason for a start below the minimum), or close it."""
    body = {"below_minimum_reason": motif.strip()} if action == "commencer" else None
    try:
        await request.app.state.api.post(
            "programmes",
            f"/groups/{quote(group_id, safe='')}/{CONDUCT[action]}",
            user.token,
            json=body,
            fields=CONDUCT_FIELDS,
            idempotency_key=cle,
        )
    except Refusal as refusal:
        return await group_page(
            request,
            user,
            group_id,
            errors=refusal.messages,
            status_code=refusal.status,
            conduct={"motif": motif, "cle": _key()},
        )
    return go_to(request, f"/groupes/{quote(group_id, safe='')}")
