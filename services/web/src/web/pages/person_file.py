"""A person's consolidated file (projections' `/persons/{id}/file`), now or as it stood at the end of a
chosen day ("dossier au …"), its timeline included. The day picker refreshes the file in place (htmx)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from web.assessment_words import ASSESSMENT_KINDS, INTERVIEW_TYPES
from web.messages import Refusal
from web.pages import interview_appointment
from web.pages.assessment_start import new_form
from web.rendering import LOCAL_TIME_ZONE, render
from web.session import CurrentUser

router = APIRouter()

# Wording of the file's codes (the file's own sentences, the timeline's, are already French).
LABELS = {
    "open": "ouvert",
    "closed": "clos",
    "low": "faible",
    "moderate": "modéré",
    "high": "élevé",
    "very_high": "très élevé",
    "initial": "initiale",
    "annual": "annuelle",
    "started": "en cours de rédaction",
    "submitted": "soumise à la validation du DPIP",
    "returned": "renvoyée pour reprise",
    # what is due
    "plan_review": "Révision du plan d'accompagnement",
    "initial_assessment": "Évaluation initiale",
    "annual_assessment": "Réévaluation annuelle",
    "ipro_synthesis": "Synthèse de l'entretien IPRO",
    "contract_end": "Fin de contrat de travail",
    "leave_start": "Début de permission",
    "training_start": "Début de formation",
    "training_end": "Fin de formation",
    "sentence_end": "Fin de peine",
    "conditional_release_eligibility": "Admissibilité à la libération conditionnelle",
}


def as_of_end_of(day: date) -> str:
    """The instant the file is read at for a chosen day: the day's last moment, local time (what was recorded
    that day counts)."""
    return datetime.combine(day, time.max, tzinfo=LOCAL_TIME_ZONE).isoformat()


@router.get("/personnes/{subject_id}")
async def person_file(request: Request, subject_id: str, user: CurrentUser, au: Annotated[str, Query()] = ""):
    errors, params, status = {}, {}, 200
    if au:
        try:
            params["as_of"] = as_of_end_of(date.fromisoformat(au))
        except ValueError:
            errors["au"], status = "Saisissez une date valide (jj/mm/aaaa).", 422
    file, cursor = None, None
    path = f"/persons/{quote(subject_id, safe='')}/file"
    api = request.app.state.api
    if not errors:
        try:
            if not au:
                # Where the file stands before it is read: a change after this is announced (`changes` below).
                cursor = (await api.get("projections", f"{path}/changes", user.token))["cursor"]
            file = await api.get("projections", path, user.token, params=params, fields={"as_of": "au"})
        except Refusal as refusal:
            errors, status = refusal.messages, refusal.status
    identity = (file or {}).get("identity") or {}
    title = (
        f"{identity['last_name'].upper()} {identity['first_names']}" if identity else "Dossier de la personne"
    )
    offered = bool(file and file.get("case") and not au)
    return render(
        request,
        "pages/person_file.html",
        partial="partials/person_file.html",
        status_code=status,
        title=title,
        subject_id=subject_id,
        file=file,
        au=au,
        labels=LABELS,
        cursor=cursor,
        poll_seconds=request.app.state.settings.file_poll_seconds,
        # Offered on a file shown today with its case; whether it may start is the service's to say.
        form=new_form(file["case"]["case_id"]) if offered else None,
        kinds=ASSESSMENT_KINDS,
        # An interview appointment, for the CPIP and the DPIP (whether this one may is the service's to say).
        appointment=interview_appointment.new_form(file["case"]["case_id"])
        if offered and file["case"]["status"] == "open" and user.role in ("cpip", "dpip")
        else None,
        interview_types=INTERVIEW_TYPES,
        durations=interview_appointment.DURATIONS,
        errors=errors,
    )


@router.get("/personnes/{subject_id}/changements")
async def changes(
    request: Request, subject_id: str, user: CurrentUser, depuis: Annotated[int, Query(ge=0)] = 0
):
    """Polled by the file shown today (htmx): the same poller while nothing changed, a notice to reload once
    something did. The service records no consultation for it: it shows nothing of the file."""
    answer = await request.app.state.api.get(
        "projections",
        f"/persons/{quote(subject_id, safe='')}/file/changes",
        user.token,
        params={"since": depuis},
    )
    return render(
        request,
        "partials/file_changes.html",
        subject_id=subject_id,
        changed=answer["changed"],
        cursor=depuis,
        poll_seconds=request.app.state.settings.file_poll_seconds,
    )


@router.get("/personnes/{subject_id}/impression")
async def print_person_file(
    request: Request, subject_id: str, user: CurrentUser, au: Annotated[str, Query()] = ""
) -> HTMLResponse:
    """The file as projections prints it (recorded as a read of its own, in print format)."""
    try:
        params = {"as_of": as_of_end_of(date.fromisoformat(au))} if au else {}
    except ValueError:
        params = {}  # the page only links here with a day it accepted; a hand-made one prints today's file
    html = await request.app.state.api.get_html(
        "projections", f"/persons/{quote(subject_id, safe='')}/file.html", user.token, params=params
    )
    return HTMLResponse(html)
