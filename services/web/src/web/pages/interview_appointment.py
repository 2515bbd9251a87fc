"""Convening a person to an interview from their file (the assessment service's
`POST /cases/{id}/appointments`, issue 15): a day, a time, a duration, a room and a kind. The service decides
whether the CPIP may (their caseload), whether the time is still to come and the room one of the
establishment's; a refusal comes back beside its field, the user's input kept; the form's idempotency key
makes a double submission one appointment. The appointment then shows in the person's and the
establishment's schedule."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.assessment_words import INTERVIEW_TYPES
from web.messages import Refusal
from web.rendering import LOCAL_TIME_ZONE, go_to, render
from web.session import CurrentUser

router = APIRouter()

DURATIONS = {"30": "30 minutes", "45": "45 minutes", "60": "1 heure", "90": "1 heure 30"}

# The service's names (body members, rules) by the form's fields.
FIELDS = {
    "starts_at": "jour",
    "duration_minutes": "duree",
    "place": "salle",
    "interview_type": "type_entretien",
    "interview-in-the-past": "heure",
    "room-unknown": "salle",
}


def new_form(case_id: str) -> dict:
    """What the form starts with; its key identifies this one form, however often it is sent."""
    return {
        "case_id": case_id,
        "jour": "",
        "heure": "",
        "duree": "45",
        "salle": "",
        "type_entretien": "follow_up",
        "cle": str(uuid.uuid4()),
    }


def starts_at(day: str, hour: str) -> str | None:
    """The day and time typed, as an instant of the establishment's time zone; None when unreadable."""
    try:
        return datetime.combine(
            date.fromisoformat(day), time.fromisoformat(hour), LOCAL_TIME_ZONE
        ).isoformat()
    except ValueError:
        return None


@router.post("/personnes/{subject_id}/convocations")
async def schedule_interview(
    request: Request,
    subject_id: str,
    user: CurrentUser,
    case_id: Annotated[str, Form()],
    cle: Annotated[str, Form()],
    jour: Annotated[str, Form()] = "",
    heure: Annotated[str, Form()] = "",
    duree: Annotated[str, Form()] = "45",
    salle: Annotated[str, Form()] = "",
    type_entretien: Annotated[str, Form()] = "follow_up",
) -> Response:
    form = {
        "case_id": case_id,
        "jour": jour,
        "heure": heure,
        "duree": duree,
        "salle": salle,
        "type_entretien": type_entretien,
    }
    when = starts_at(jour, heure)
    try:
        if when is None:
            field = "jour" if not _readable(jour, date) else "heure"
            raise Refusal(status=422, rule="request-validation", messages={field: _UNREADABLE[field]})
        await request.app.state.api.post(
            "assessment",
            f"/cases/{quote(case_id, safe='')}/appointments",
            user.token,
            json={
                "starts_at": when,
                "duration_minutes": int(duree) if duree.isdigit() else duree,
                "place": salle.strip(),
                "interview_type": type_entretien,
            },
            fields=FIELDS,
            idempotency_key=cle,
        )
    except Refusal as refusal:
        # The user's input back as typed; a fresh key, as the values sent next are a new command.
        return render(
            request,
            "pages/interview_appointment.html",
            partial="partials/interview_appointment.html",
            status_code=refusal.status,
            title="Convoquer à un entretien",
            subject_id=subject_id,
            appointment={**form, "cle": str(uuid.uuid4())},
            interview_types=INTERVIEW_TYPES,
            durations=DURATIONS,
            errors=refusal.messages,
        )
    return go_to(request, f"/personnes/{quote(subject_id, safe='')}")


_UNREADABLE = {
    "jour": "Saisissez une date valide (jj/mm/aaaa).",
    "heure": "Saisissez une heure valide (hh:mm).",
}


def _readable(value: str, kind: type) -> bool:
    try:
        kind.fromisoformat(value)
    except ValueError:
        return False
    return True
