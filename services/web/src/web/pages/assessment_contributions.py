"""The multidisciplinary team's contributions to an assessment (the assessment service's
`/assessments/{id}/contributors` and `/contributions`): the referent CPIP (or a DPIP) asks a psychologist or a
social worker to contribute; once asked, they read the assessment and write their contribution, on one need
domain or on the whole, shared with the team or kept for themselves and the psychologists asked. The
assessment shows the contributions the service lets its reader read. `/contributions` lists, for a
psychologist or a social worker, the people whose assessment they were asked to contribute to."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from web.messages import Refusal
from web.pages.assessment import forms_of, new_key, read, show
from web.rendering import render
from web.session import CurrentUser, User

router = APIRouter()

# The part htmx swaps, forms and list together: a contribution added shows in the list at once.
SECTION = "contributions"
REQUEST_FIELDS = {"contributor": "contributeur", "contribution-already-requested": "contributeur"}
CONTRIBUTION_FIELDS = {"domain": "domaine", "text": "texte", "shared": "partage"}


def _path(assessment_id: str) -> str:
    return f"/assessments/{quote(assessment_id, safe='')}"


async def _send(
    request: Request,
    user: User,
    assessment_id: str,
    form: str,
    command: str,
    body: dict,
    typed: dict,
    fields: dict[str, str],
) -> Response:
    """The command; done: the contributions again, the new one listed (to htmx, the section it swaps; else
    the page, at the section); refused: the section with the sentence beside the field and what was typed,
    under a new key."""
    try:
        await request.app.state.api.post(
            "assessment",
            f"{_path(assessment_id)}/{command}",
            user.token,
            json=body,
            fields=fields,
            idempotency_key=typed["cle"],
        )
    except Refusal as refusal:
        view, case = await read(request, user, assessment_id)
        forms = forms_of(view)
        forms[form] = {**typed, "cle": new_key()}
        return show(
            request, view, case, forms, section=SECTION, errors=refusal.messages, status_code=refusal.status
        )
    if request.headers.get("HX-Request") == "true":
        view, case = await read(request, user, assessment_id)
        return show(request, view, case, forms_of(view), section=SECTION)
    return RedirectResponse(f"/evaluations/{quote(assessment_id, safe='')}#{SECTION}", status_code=303)


@router.post("/evaluations/{assessment_id}/contributeurs")
async def ask_contributor(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    contributeur: Annotated[str, Form()] = "",
) -> Response:
    """The CPIP asks a psychologist or a social worker (their user id) to contribute."""
    typed = {"contributeur": contributeur, "cle": cle}
    body = {"contributor": contributeur.strip()}
    return await _send(
        request, user, assessment_id, "contributeurs", "contributors", body, typed, REQUEST_FIELDS
    )


@router.post("/evaluations/{assessment_id}/contributions")
async def contribute(
    request: Request,
    assessment_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    domaine: Annotated[str, Form()] = "",
    texte: Annotated[str, Form()] = "",
    partage: Annotated[str, Form()] = "",
) -> Response:
    """A contribution as its author wrote it; shared or not as they chose (the form's box)."""
    typed = {"domaine": domaine, "texte": texte, "partage": partage == "oui", "cle": cle}
    body = {"domain": domaine or None, "text": texte.strip(), "shared": partage == "oui"}
    return await _send(
        request, user, assessment_id, "contribution", "contributions", body, typed, CONTRIBUTION_FIELDS
    )


@router.get("/contributions")
async def my_requests(request: Request, user: CurrentUser) -> Response:
    """The people whose assessment the user was asked to contribute to: the assessment service lists a
    psychologist's or social worker's cases as those, and no other (need to know)."""
    listed = await request.app.state.api.get("assessment", "/cases", user.token, params={"limit": 100})
    return render(
        request, "pages/contributions.html", title="Mes contributions aux évaluations", cases=listed["items"]
    )
