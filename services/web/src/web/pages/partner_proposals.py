"""Proposals answering a call (the partners service's `/proposals`): a partner drafts one, revises it,
submits it and answers IPRO in its comment thread; IPRO management (and the DPIP) takes it in review, asks
for changes, approves or refuses it. Each step is a command the service may refuse: its sentence comes back
beside the field concerned, what was typed kept. Who may see which proposal is the service's to say."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from web.api import ServiceUnavailable
from web.messages import Refusal
from web.partner_wording import ACTION_TYPES, PROPOSAL_STATUSES
from web.rendering import go_to, render
from web.session import CurrentUser

router = APIRouter()

LOCAL_TIME_ZONE = ZoneInfo("Europe/Paris")

# The service's names (body members, rules) by the proposal form's fields.
CONTENT_FIELDS = {
    "call_id": "appel",
    "content.title": "titre",
    "content.action_type": "type_action",
    "action-type-not-in-call-themes": "type_action",
    "content.objectives": "objectifs",
    "content.target_public": "public",
    "content.prerequisites": "prerequis",
    "content.capacity_min": "capacite_min",
    "content.capacity_max": "capacite_max",
    "capacity-min-above-max": "capacite_max",
    "content.planned_sessions.0.starts_at": "seance_debut",
    "session-in-the-past": "seance_debut",
    "content.planned_sessions.0.duration_minutes": "seance_duree",
    "content.planned_sessions.0.place": "seance_lieu",
    "content.facilitators": "animateurs",
    "content.resources_needed": "moyens",
}
# A revision sends the content alone (PUT /proposals/{id}): its members are named without `content.`.
REVISION_FIELDS = {
    name.removeprefix("content."): field for name, field in CONTENT_FIELDS.items() if name != "call_id"
}

# Those who review proposals, while one awaits their decision, read beside each planned session what it would
# double-book in the establishment's schedule (projections' preview, ADR 29): its places are checked by the
# partners service only at approval.
REVIEWERS = frozenset({"ipro_chef", "ripro", "dpip"})
UNDECIDED = frozenset({"submitted", "under_review", "changes_requested", "resubmitted"})

# The steps of the review, as the page's URLs name them: the service's route, and whether it takes a reason.
STEPS: dict[str, tuple[str, bool]] = {
    "soumettre": ("submit", False),
    "soumettre-a-nouveau": ("resubmit", False),
    "retirer": ("withdraw", True),
    "prendre-en-examen": ("start-review", False),
    "demander-des-modifications": ("request-changes", True),
    "approuver": ("approve", False),
    "refuser": ("reject", True),
}


def empty_form(call_id: str) -> dict:
    return {
        "appel": call_id,
        "titre": "",
        "type_action": "",
        "objectifs": "",
        "public": "",
        "prerequis": "",
        "capacite_min": "",
        "capacite_max": "",
        "seance_debut": "",
        "seance_duree": "",
        "seance_lieu": "",
        "animateurs": "",
        "moyens": "",
        "autres_seances": "[]",
        "cle": str(uuid.uuid4()),
    }


def form_of(proposal: dict) -> dict:
    """A proposal's content in the form's fields (its first planned session: the form plans one)."""
    content = proposal["content"]
    session = (content.get("planned_sessions") or [None])[0]
    starts = datetime.fromisoformat(session["starts_at"]).astimezone(LOCAL_TIME_ZONE) if session else None
    return {
        "appel": proposal["call_id"],
        "titre": content["title"],
        "type_action": content["action_type"],
        "objectifs": content["objectives"],
        "public": content["target_public"],
        "prerequis": content["prerequisites"],
        "capacite_min": str(content["capacity_min"]),
        "capacite_max": str(content["capacity_max"]),
        "seance_debut": f"{starts:%Y-%m-%dT%H:%M}" if starts else "",
        "seance_duree": str(session["duration_minutes"]) if session else "",
        "seance_lieu": session["place"] if session else "",
        "animateurs": "\n".join(content.get("facilitators") or []),
        "moyens": content["resources_needed"],
        # The form edits the first planned session; the others go back as they were, never dropped.
        "autres_seances": json.dumps(content.get("planned_sessions", [])[1:]),
        "cle": str(uuid.uuid4()),
    }


def content_of(form: dict) -> dict:
    """The form as the service's `ProposalContent`. Values are passed as typed: the service says what it
    refuses (a capacity that is not a number, a start in the past), beside the field."""
    sessions = []
    if form["seance_debut"] or form["seance_lieu"] or form["seance_duree"]:
        sessions.append(
            {
                "starts_at": local_instant(form["seance_debut"]),
                "duration_minutes": form["seance_duree"].strip(),
                "place": form["seance_lieu"].strip(),
            }
        )
    sessions.extend(_kept_sessions(form["autres_seances"]))
    return {
        "title": form["titre"].strip(),
        "action_type": form["type_action"],
        "objectives": form["objectifs"].strip(),
        "target_public": form["public"].strip(),
        "prerequisites": form["prerequis"].strip(),
        "capacity_min": form["capacite_min"].strip(),
        "capacity_max": form["capacite_max"].strip(),
        "planned_sessions": sessions,
        "facilitators": [name.strip() for name in form["animateurs"].splitlines() if name.strip()],
        "resources_needed": form["moyens"].strip(),
    }


def _kept_sessions(carried: str) -> list:
    try:
        kept = json.loads(carried or "[]")
    except ValueError:
        return []
    return kept if isinstance(kept, list) else []


def local_instant(typed: str) -> str:
    # A date-time field has no time zone: it is the establishment's local time.
    try:
        return datetime.fromisoformat(typed).replace(tzinfo=LOCAL_TIME_ZONE).isoformat()
    except ValueError:
        return typed  # the service says it is not a date and time


class ProposalForm(BaseModel):
    """The proposal form's fields as posted: text as typed, the service judging it."""

    cle: str
    appel: str = ""
    titre: str = ""
    type_action: str = ""
    objectifs: str = ""
    public: str = ""
    prerequis: str = ""
    capacite_min: str = ""
    capacite_max: str = ""
    seance_debut: str = ""
    seance_duree: str = ""
    seance_lieu: str = ""
    animateurs: str = ""
    moyens: str = ""
    autres_seances: str = "[]"


def _page_of(proposal_id: str) -> str:
    return f"/propositions/{quote(proposal_id, safe='')}"


@router.get("/propositions")
async def proposals(request: Request, user: CurrentUser, etat: str = ""):
    params = {"status": etat} if etat else {}
    found, errors, status = {"total": 0, "items": []}, {}, 200
    try:
        found = await request.app.state.api.get(
            "partners", "/proposals", user.token, params=params, fields={"status": "etat"}
        )
    except Refusal as refusal:  # a filter the service refuses: said beside it
        errors, status = refusal.messages, refusal.status
    return render(
        request,
        "pages/partner_proposals.html",
        status_code=status,
        errors=errors,
        title="Propositions des partenaires" if user.role != "partenaire" else "Nos propositions",
        found=found,
        etat=etat,
        statuses=PROPOSAL_STATUSES,
        action_types=ACTION_TYPES,
    )


async def _form_page(
    request: Request, user, call_id: str, form: dict, *, proposal_id=None, errors=None, status_code: int = 200
):
    call = await request.app.state.api.get("partners", f"/calls/{quote(call_id, safe='')}", user.token)
    return render(
        request,
        "pages/partner_proposal_form.html",
        partial="partials/partner_proposal_form.html",
        status_code=status_code,
        title="Modifier la proposition" if proposal_id else "Répondre à l'appel",
        call=call,
        form=form,
        proposal_id=proposal_id,
        action_types={code: ACTION_TYPES.get(code, code) for code in call["content"]["target_themes"]},
        errors=errors or {},
    )


@router.get("/appels/{call_id}/proposition")
async def draft_form(request: Request, call_id: str, user: CurrentUser):
    return await _form_page(request, user, call_id, empty_form(call_id))


@router.post("/propositions")
async def draft(request: Request, user: CurrentUser, posted: Annotated[ProposalForm, Form()]):
    form = posted.model_dump()
    api = request.app.state.api
    try:
        proposal = await api.post(
            "partners",
            "/proposals",
            user.token,
            json={"call_id": form["appel"], "content": content_of(form)},
            fields=CONTENT_FIELDS,
            idempotency_key=form["cle"],
        )
    except Refusal as refusal:
        # What was typed, back; a fresh key, as what is sent next is a new command.
        return await _form_page(
            request,
            user,
            form["appel"],
            {**form, "cle": str(uuid.uuid4())},
            errors=refusal.messages,
            status_code=refusal.status,
        )
    return go_to(request, _page_of(proposal["proposal_id"]))


@router.get("/propositions/{proposal_id}/modifier")
async def revise_form(request: Request, proposal_id: str, user: CurrentUser):
    proposal = await request.app.state.api.get("partners", _path(proposal_id), user.token)
    return await _form_page(request, user, proposal["call_id"], form_of(proposal), proposal_id=proposal_id)


@router.post("/propositions/{proposal_id}/modifier")
async def revise(
    request: Request, proposal_id: str, user: CurrentUser, posted: Annotated[ProposalForm, Form()]
):
    form = posted.model_dump()
    try:
        await request.app.state.api.request(
            "PUT",
            "partners",
            _path(proposal_id),
            user.token,
            json=content_of(form),
            fields=REVISION_FIELDS,
            idempotency_key=form["cle"],
        )
    except Refusal as refusal:
        return await _form_page(
            request,
            user,
            form["appel"],
            {**form, "cle": str(uuid.uuid4())},
            proposal_id=proposal_id,
            errors=refusal.messages,
            status_code=refusal.status,
        )
    return go_to(request, _page_of(proposal_id))


def _path(proposal_id: str) -> str:
    return f"/proposals/{quote(proposal_id, safe='')}"


async def _proposal_page(
    request: Request, user, proposal_id: str, *, errors=None, typed=None, status_code: int = 200
):
    api = request.app.state.api
    proposal = await api.get("partners", _path(proposal_id), user.token)
    call = await api.get("partners", f"/calls/{quote(proposal['call_id'], safe='')}", user.token)
    previews = None
    if user.role in REVIEWERS and proposal["status"] in UNDECIDED:
        previews = await _previews(api, user, proposal["content"], call["content"]["establishment"])
    return render(
        request,
        "pages/partner_proposal.html",
        partial="partials/partner_proposal.html",
        status_code=status_code,
        title=proposal["content"]["title"],
        proposal=proposal,
        call=call,
        statuses=PROPOSAL_STATUSES,
        action_types=ACTION_TYPES,
        typed=typed or {},
        new_key=lambda: str(uuid.uuid4()),  # one per form: each is its own command
        errors=errors or {},
        previews=previews,
    )


async def _previews(api, user, content: dict, establishment: str) -> list[dict] | str:
    """Each planned session with the sessions it would meet in its room or through its facilitators, as the
    schedule answers; "indisponible" when it does not (the page still serves the review)."""
    previews = []
    try:
        for session in content["planned_sessions"]:
            starts_at = datetime.fromisoformat(session["starts_at"])
            ends_at = starts_at + timedelta(minutes=session["duration_minutes"])
            params = {
                "establishment": establishment,
                "room": session["place"],
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "facilitator": content["facilitators"],
            }
            found = await api.get("projections", "/schedule/conflicts/preview", user.token, params=params)
            previews.append({"session": session, "conflicts": found["items"]})
    except (Refusal, ServiceUnavailable):
        return "indisponible"
    return previews


@router.get("/propositions/{proposal_id}")
async def proposal(request: Request, proposal_id: str, user: CurrentUser):
    return await _proposal_page(request, user, proposal_id)


@router.post("/propositions/{proposal_id}/commentaires")
async def comment(
    request: Request,
    proposal_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    message: Annotated[str, Form()] = "",
):
    try:
        await request.app.state.api.post(
            "partners",
            f"{_path(proposal_id)}/comments",
            user.token,
            json={"text": message.strip()},
            fields={"text": "message"},
            idempotency_key=cle,
        )
    except Refusal as refusal:
        return await _proposal_page(
            request,
            user,
            proposal_id,
            errors=refusal.messages,
            typed={"message": message},
            status_code=refusal.status,
        )
    if request.headers.get("HX-Request") == "true":
        # The thread again, in place: a redirect to the same page's #fil would only scroll, not reload.
        return await _proposal_page(request, user, proposal_id)
    return RedirectResponse(_page_of(proposal_id) + "#fil", status_code=303)


@router.post("/propositions/{proposal_id}/{step}")
async def review_step(
    request: Request,
    proposal_id: str,
    step: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    motif: Annotated[str, Form()] = "",
):
    if step not in STEPS:
        return Response(status_code=404)
    route, with_reason = STEPS[step]
    reason_field = f"motif-{step}"
    try:
        await request.app.state.api.post(
            "partners",
            f"{_path(proposal_id)}/{route}",
            user.token,
            json={"reason": motif.strip()} if with_reason else None,
            fields={"reason": reason_field},
            idempotency_key=cle,
        )
    except Refusal as refusal:
        return await _proposal_page(
            request,
            user,
            proposal_id,
            errors=refusal.messages,
            typed={reason_field: motif},
            status_code=refusal.status,
        )
    return go_to(request, _page_of(proposal_id))
