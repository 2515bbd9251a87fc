"""Attendance entry for a group's session (the programmes service's `POST /groups/{id}/sessions/{id}/attendance`),
by its facilitators: each participant of the register (`/groups/{id}/register`) marked, a reason where one is
asked, notes for the group's record. The service decides what a complete entry is; a refusal comes back above
the form with what was entered; the form's idempotency key makes a double submission one command."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.messages import Refusal
from web.rendering import go_to, render
from web.session import CurrentUser

router = APIRouter()

MARKS = {
    "present": "Présent",
    "late": "En retard",
    "absent_excused": "Absent excusé",
    "absent_unexcused": "Absent sans excuse",
    "excluded_from_session": "Exclu de la séance",
}
# The form's field of each participant: `marque-<referral id>`, `motif-<referral id>`.
MARK, REASON = "marque-", "motif-"


def _path(group_id: str, session_id: str) -> str:
    return f"/groups/{quote(group_id, safe='')}/sessions/{quote(session_id, safe='')}"


@router.get("/groupes/{group_id}/seances/{session_id}/presence")
async def attendance_form(request: Request, group_id: str, session_id: str, user: CurrentUser):
    register = await _register(request, user, group_id)
    entered = {
        line["referral_id"]: {"mark": line["marks"].get(session_id) or "", "reason": ""}
        for line in register["participants"]
    }
    return _page(request, group_id, session_id, register, entered, notes="")


@router.post("/groupes/{group_id}/seances/{session_id}/presence")
async def record_attendance(request: Request, group_id: str, session_id: str, user: CurrentUser) -> Response:
    form = await request.form()
    entered = {
        str(name).removeprefix(MARK): {
            "mark": str(value),
            "reason": str(form.get(REASON + str(name).removeprefix(MARK), "")).strip(),
        }
        for name, value in form.multi_items()
        if str(name).startswith(MARK)
    }
    notes = str(form.get("notes", ""))
    marks = [
        {"referral_id": referral_id, "mark": line["mark"], "reason": line["reason"]}
        for referral_id, line in entered.items()
        if line["mark"]  # an unmarked participant is left out: the service says whether the entry is complete
    ]
    try:
        await request.app.state.api.post(
            "programmes",
            _path(group_id, session_id) + "/attendance",
            user.token,
            json={"marks": marks, "notes": notes},
            idempotency_key=str(form.get("cle", "")) or None,
        )
    except Refusal as refusal:
        register = await _register(request, user, group_id)
        return _page(
            request,
            group_id,
            session_id,
            register,
            entered,
            notes=notes,
            errors=refusal.messages,
            status_code=refusal.status,
        )
    return go_to(request, f"/groupes/{quote(group_id, safe='')}")


async def _register(request: Request, user, group_id: str) -> dict[str, Any]:
    return await request.app.state.api.get(
        "programmes", f"/groups/{quote(group_id, safe='')}/register", user.token
    )


def _page(
    request: Request,
    group_id: str,
    session_id: str,
    register: dict[str, Any],
    entered: dict[str, dict[str, str]],
    *,
    notes: str,
    errors: dict | None = None,
    status_code: int = 200,
):
    session = next((s for s in register["sessions"] if s["session_id"] == session_id), None)
    return render(
        request,
        "pages/attendance.html",
        partial="partials/attendance.html",
        status_code=status_code,
        title=f"Présence : {register['programme_code']}, séance {session['number'] if session else session_id}",
        register=register,
        session=session,
        group_id=group_id,
        session_id=session_id,
        entered=entered,
        notes=notes,
        marks=MARKS,
        cle=str(uuid.uuid4()),  # a new key each time the form is shown: what is sent next is a new command
        errors=errors or {},
    )
