"""A referral to a programme (the programmes service's `/referrals/{id}`) and what its CPIP or a DPIP records
on it: the person's consent (or refusal), a drop-out with its reason, an exclusion (DPIPs), the referral's
withdrawal. Each is its own form with its idempotency key; a refusal comes back beside its field, what was
typed kept. The service decides what may happen at which stage."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.messages import Refusal
from web.pages.programmes import REFERRAL_STATUSES
from web.rendering import go_to, render
from web.session import CurrentUser, User

router = APIRouter()

# The forms, by the path's last part: the service's command.
ACTS = {"consentement": "consent", "abandon": "drop-out", "exclusion": "exclude", "retrait": "withdraw"}
Act = Literal["consentement", "abandon", "exclusion", "retrait"]
FIELDS = {"given": "consentement", "reason": "motif", "consent-already-recorded": "consentement"}
# A referral no longer open: nothing more is offered on it (the service would refuse it as ended).
ENDED = frozenset({"completed", "not_completed", "dropped_out", "excluded", "withdrawn"})
# Who is a participant of their group (a drop-out or an exclusion is theirs).
PARTICIPANT = frozenset({"enrolled", "started"})


def _path(referral_id: str) -> str:
    return f"/referrals/{quote(referral_id, safe='')}"


def blank_forms() -> dict[str, dict[str, str]]:
    return {act: {"consentement": "", "motif": "", "cle": str(uuid.uuid4())} for act in ACTS}


async def _person(request: Request, user: User, case_id: str) -> str:
    """The person's name from their case, for those who may read it; otherwise the page names none."""
    try:
        case = await request.app.state.api.get("assessment", f"/cases/{quote(case_id, safe='')}", user.token)
    except Refusal:
        return ""
    identity = case.get("identity") or {}
    return f"{identity['last_name'].upper()} {identity['first_names']}" if identity else ""


async def _page(
    request: Request,
    user: User,
    referral_id: str,
    forms: dict[str, dict[str, str]],
    *,
    section: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    api = request.app.state.api
    referral = await api.get("programmes", _path(referral_id), user.token)
    programme = await api.get(
        "programmes", f"/programmes/{quote(referral['programme_id'], safe='')}", user.token
    )
    definition = programme["definition"]
    person = await _person(request, user, referral["case_id"])
    return render(
        request,
        "pages/referral.html",
        status_code=status_code,
        title=f"Orientation vers {definition['code']}" + (f" : {person}" if person else ""),
        referral=referral,
        programme=definition,
        person=person,
        status_label=REFERRAL_STATUSES.get(referral["status"], referral["status"]),
        open=referral["status"] not in ENDED,
        participant=referral["status"] in PARTICIPANT,
        forms=forms,
        section=section,
        errors=errors or {},
    )


@router.get("/orientations/{referral_id}")
async def referral_page(request: Request, referral_id: str, user: CurrentUser) -> Response:
    return await _page(request, user, referral_id, blank_forms())


@router.post("/orientations/{referral_id}/{act}")
async def record(
    request: Request,
    referral_id: str,
    act: Act,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    consentement: Annotated[str, Form()] = "",
    motif: Annotated[str, Form()] = "",
) -> Response:
    body: dict[str, Any] = (
        # Unanswered: sent as such, for the service to ask for an answer.
        {"given": {"oui": True, "non": False}.get(consentement)}
        if act == "consentement"
        else {"reason": motif}
    )
    try:
        await request.app.state.api.post(
            "programmes",
            f"{_path(referral_id)}/{ACTS[act]}",
            user.token,
            json=body,
            fields=FIELDS,
            idempotency_key=cle,
        )
    except Refusal as refusal:
        forms = blank_forms()
        forms[act] = {"consentement": consentement, "motif": motif, "cle": str(uuid.uuid4())}
        return await _page(
            request,
            user,
            referral_id,
            forms,
            section=act,
            errors=refusal.messages,
            status_code=refusal.status,
        )
    return go_to(request, f"/orientations/{quote(referral_id, safe='')}")
