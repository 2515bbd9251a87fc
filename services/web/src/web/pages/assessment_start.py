"""Starting an assessment from a person's file (the assessment service's `POST /cases/{id}/assessments`):
the first command page, and the pattern for the others. The service decides whether it may start; a
refusal comes back beside its field, the user's input kept; the form's idempotency key makes a double
submission one command."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.assessment_words import ASSESSMENT_KINDS
from web.messages import Refusal
from web.rendering import go_to, render
from web.session import CurrentUser

router = APIRouter()

# The service's names (body members, rules) by the form's fields.
FIELDS = {
    "kind": "type",
    "trigger": "motif",
    "reassessment-trigger-missing": "motif",
    "initial-assessment-already-validated": "type",
    "no-validated-assessment": "type",
}


def new_form(case_id: str) -> dict:
    """What the form starts with; its key identifies this one form, however often it is sent."""
    return {"case_id": case_id, "type": "initial", "motif": "", "cle": str(uuid.uuid4())}


@router.post("/personnes/{subject_id}/evaluations")
async def start_assessment(
    request: Request,
    subject_id: str,
    user: CurrentUser,
    case_id: Annotated[str, Form()],
    cle: Annotated[str, Form()],
    type: Annotated[str, Form()] = "",
    motif: Annotated[str, Form()] = "",
) -> Response:
    try:
        await request.app.state.api.post(
            "assessment",
            f"/cases/{quote(case_id, safe='')}/assessments",
            user.token,
            json={"kind": type, "trigger": motif.strip()},
            fields=FIELDS,
            idempotency_key=cle,
        )
    except Refusal as refusal:
        # The user's input back as typed; a fresh key, as the values sent next are a new command.
        form = {"case_id": case_id, "type": type, "motif": motif, "cle": str(uuid.uuid4())}
        return render(
            request,
            "pages/assessment_start.html",
            partial="partials/assessment_start.html",
            status_code=refusal.status,
            title="Commencer une évaluation",
            subject_id=subject_id,
            form=form,
            kinds=ASSESSMENT_KINDS,
            errors=refusal.messages,
        )
    return go_to(request, f"/personnes/{quote(subject_id, safe='')}")
