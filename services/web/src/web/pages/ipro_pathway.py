"""The IPRO pathway (the ipro service): an adviser's caseload, and one person's pathway with their work file
(classement, affectation, contract and its suspension or end), their positionings on partner actions (a
place not yet taken up withdrawn) and their history. The classement's steps, the contract's, the
positioning on a session of the partners' catalogue and its withdrawal are commands the ipro service may
refuse; its sentence comes back beside the field concerned, what was typed kept."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.ipro_wording import (
    CLASSEMENT,
    CONTRACT_END_REASONS,
    CONTRACT_STATUSES,
    EVENTS,
    POSITIONING_OUTCOMES,
    POSITIONING_STATUSES,
    READINESS,
    REGIMES,
    SUSPENSION_REASONS,
    WEEKDAYS,
)
from web.messages import FORM, Refusal
from web.partner_wording import ACTION_TYPES
from web.rendering import go_to, render
from web.session import CurrentUser

router = APIRouter()

PROPOSED = "ipro.positioning.proposed"

# The service's names (body members, rules) by each form's fields.
CPU_FIELDS = {
    "held_on": "cpu_date",
    "date-in-the-future": "cpu_date",
    "favourable": "cpu_favorable",
    "opinion": "cpu_avis",
}
DECISION_FIELDS = {
    "granted": "decision",
    "regimes": "regimes",
    "regimes-required": "regimes",
    "reasons": "motifs",
    "reason-required": "motifs",
    "appeal_information": "recours",
}
AFFECTATION_FIELDS = {
    "regime": "aff_regime",
    "not-classed-for-regime": "aff_regime",
    "post": "aff_poste",
    "workshop": "aff_atelier",
    "employer": "aff_employeur",
    "employer-interview-missing": "aff_employeur",
    "schedule.0.weekday": "aff_jour",
    "schedule.0.starts_at": "aff_debut",
    "schedule.0.ends_at": "aff_fin",
    "booking-overlap": "aff_debut",
    "starts_on": "aff_date",
}
CONTRACT_FIELDS = {
    "affectation_id": "ctr_affectation",
    "contract-without-affectation": "ctr_affectation",
    "starts_on": "ctr_debut",
    "ends_on": "ctr_fin",
    "dates-out-of-order": "ctr_fin",
    "trial_days": "ctr_essai",
    "trial-period-too-long": "ctr_essai",
}
POSITIONING_FIELDS = {
    "action_id": "seance",
    "session_id": "seance",
    "action-session-not-found": "seance",
    "action-session-not-open": "seance",
    "action-session-not-yet-known": "seance",
    "positioning-over-capacity": "seance",
    "already-positioned": "seance",
}


@dataclass(frozen=True)
class ContractStep:
    route: str  # after the work file's /contract/
    section: str  # where a refusal of the form as a whole is said
    with_reason: bool


# The contract's steps after its signature, as the page's URLs name them.
CONTRACT_STEPS: dict[str, ContractStep] = {
    "suspension": ContractStep("suspend", "contrat-suspension", with_reason=True),
    "reprise": ContractStep("resume", "contrat-reprise", with_reason=False),
    # An end for professional inadequacy follows a preliminary interview: said beside the end's form.
    "entretien-prealable": ContractStep("preliminary-interview", "contrat-fin", with_reason=False),
    "fin": ContractStep("end", "contrat-fin", with_reason=True),
}


def withdrawal_fields(positioning_id: str) -> dict[str, str]:
    """A withdrawal's reason field, one per positioning listed (each form is its own)."""
    return {"reason": f"retrait_motif-{positioning_id}"}


def _path(pathway_id: str) -> str:
    return f"/pathways/{quote(pathway_id, safe='')}"


def _page_of(pathway_id: str) -> str:
    return f"/parcours/{quote(pathway_id, safe='')}"


def _work(pathway_id: str, step: str) -> str:
    return f"{_path(pathway_id)}/work/{step}"


async def _positionings(api, user, history) -> list[dict]:
    """The person's positionings as the service holds them now, found by the places proposed in their
    history (the service lists positionings by action, not by person)."""
    proposed = [e["payload"] for e in history or [] if e["event_type"] == PROPOSED]
    return [
        # The session's title and place as proposed, its status now.
        place | await api.get("ipro", f"/positionings/{quote(place['positioning_id'], safe='')}", user.token)
        for place in proposed
        if place.get("positioning_id")
    ]


@router.get("/parcours")
async def pathways(request: Request, user: CurrentUser, clos: bool = False):
    found = await request.app.state.api.get(
        "ipro", "/pathways", user.token, params={"include_closed": str(clos).lower()}
    )
    return render(
        request,
        "pages/ipro_pathways.html",
        title="Parcours IPRO",
        found=found,
        clos=clos,
        readiness=READINESS,
    )


async def _pathway_page(
    request: Request, user, pathway_id: str, *, errors=None, typed=None, notice=None, status_code=200
):
    api = request.app.state.api
    pathway = await api.get("ipro", _path(pathway_id), user.token)
    work = await api.get("ipro", f"{_path(pathway_id)}/work", user.token)
    try:
        history = await api.get("ipro", f"{_path(pathway_id)}/history", user.token)
    except Refusal:
        history = None  # the governor's office reads the pathway, not its history (the service says)
    positionings = await _positionings(api, user, history)
    catalogue = await api.get("partners", "/catalogue", user.token)
    return render(
        request,
        "pages/ipro_pathway.html",
        partial="partials/ipro_pathway.html",
        status_code=status_code,
        title="Parcours d'insertion professionnelle",
        pathway=pathway,
        work=work,
        history=history,
        catalogue=catalogue,
        readiness=READINESS,
        classement=CLASSEMENT,
        regimes=REGIMES,
        weekdays=WEEKDAYS,
        events=EVENTS,
        positionings=positionings,
        positioning_statuses=POSITIONING_STATUSES,
        positioning_outcomes=POSITIONING_OUTCOMES,
        contract_statuses=CONTRACT_STATUSES,
        suspension_reasons=SUSPENSION_REASONS,
        end_reasons=CONTRACT_END_REASONS,
        action_types=ACTION_TYPES,
        typed=typed or {},
        notice=notice,
        new_key=lambda: str(uuid.uuid4()),  # one per form: each is its own command
        errors=errors or {},
    )


@router.get("/parcours/{pathway_id}")
async def pathway(request: Request, pathway_id: str, user: CurrentUser):
    return await _pathway_page(request, user, pathway_id)


async def _command(
    request: Request,
    user,
    pathway_id: str,
    path: str,
    *,
    section: str,
    cle: str,
    json=None,
    fields=None,
    typed=None,
    notice=None,
) -> Response:
    """Runs one command of the page; refused, the page again with the messages in the form's section."""
    try:
        answer = await request.app.state.api.post(
            "ipro", path, user.token, json=json, fields=fields, idempotency_key=cle
        )
    except Refusal as refusal:
        # The form-wide message goes above the form that was sent, not above every form of the page.
        errors = {(section if name == FORM else name): text for name, text in refusal.messages.items()}
        return await _pathway_page(
            request, user, pathway_id, errors=errors, typed=typed, status_code=refusal.status
        )
    warnings = (answer or {}).get("warnings") or []
    if warnings and notice:
        # What was booked anyway (the SPIP sessions its hours overlap): said now, or never.
        return await _pathway_page(request, user, pathway_id, notice={"text": notice, "warnings": warnings})
    return go_to(request, _page_of(pathway_id))


@router.post("/parcours/{pathway_id}/classement/demande")
async def request_classement(
    request: Request, pathway_id: str, user: CurrentUser, cle: Annotated[str, Form()]
):
    return await _command(
        request,
        user,
        pathway_id,
        _work(pathway_id, "classement-request"),
        section="classement-demande",
        cle=cle,
    )


@router.post("/parcours/{pathway_id}/classement/avis-cpu")
async def cpu_opinion(
    request: Request,
    pathway_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    cpu_date: Annotated[str, Form()] = "",
    cpu_favorable: Annotated[str, Form()] = "",
    cpu_avis: Annotated[str, Form()] = "",
):
    return await _command(
        request,
        user,
        pathway_id,
        _work(pathway_id, "cpu-opinion"),
        section="classement-cpu",
        cle=cle,
        json={"held_on": cpu_date, "favourable": cpu_favorable, "opinion": cpu_avis.strip()},
        fields=CPU_FIELDS,
        typed={"cpu_date": cpu_date, "cpu_favorable": cpu_favorable, "cpu_avis": cpu_avis},
    )


@router.post("/parcours/{pathway_id}/classement/decision")
async def decision(
    request: Request,
    pathway_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    decision: Annotated[str, Form()] = "",
    regimes: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies a default)
    motifs: Annotated[str, Form()] = "",
    recours: Annotated[str, Form()] = "",
):
    return await _command(
        request,
        user,
        pathway_id,
        _work(pathway_id, "decision"),
        section="classement-decision",
        cle=cle,
        json={
            "granted": decision,
            "regimes": regimes,
            "reasons": motifs.strip(),
            "appeal_information": recours.strip(),
        },
        fields=DECISION_FIELDS,
        typed={"decision": decision, "regimes": regimes, "motifs": motifs, "recours": recours},
    )


@router.post("/parcours/{pathway_id}/affectation")
async def affect(
    request: Request,
    pathway_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    aff_regime: Annotated[str, Form()] = "",
    aff_poste: Annotated[str, Form()] = "",
    aff_atelier: Annotated[str, Form()] = "",
    aff_employeur: Annotated[str, Form()] = "",
    aff_jour: Annotated[str, Form()] = "",
    aff_debut: Annotated[str, Form()] = "",
    aff_fin: Annotated[str, Form()] = "",
    aff_date: Annotated[str, Form()] = "",
):
    typed = {
        "aff_regime": aff_regime,
        "aff_poste": aff_poste,
        "aff_atelier": aff_atelier,
        "aff_employeur": aff_employeur,
        "aff_jour": aff_jour,
        "aff_debut": aff_debut,
        "aff_fin": aff_fin,
        "aff_date": aff_date,
    }
    return await _command(
        request,
        user,
        pathway_id,
        _work(pathway_id, "affectation"),
        section="affectation",
        cle=cle,
        json={
            "regime": aff_regime,
            "post": aff_poste.strip(),
            "workshop": aff_atelier.strip(),
            "employer": aff_employeur.strip(),
            # The form sets one weekly slot; the service takes up to fourteen.
            "schedule": [{"weekday": aff_jour, "starts_at": aff_debut, "ends_at": aff_fin}],
            "starts_on": aff_date,
        },
        fields=AFFECTATION_FIELDS,
        typed=typed,
        notice="Le poste est attribué.",
    )


@router.post("/parcours/{pathway_id}/contrat")
async def sign_contract(
    request: Request,
    pathway_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    ctr_affectation: Annotated[str, Form()] = "",
    ctr_debut: Annotated[str, Form()] = "",
    ctr_fin: Annotated[str, Form()] = "",
    ctr_essai: Annotated[str, Form()] = "",
):
    return await _command(
        request,
        user,
        pathway_id,
        _work(pathway_id, "contract"),
        section="contrat",
        cle=cle,
        json={
            "affectation_id": ctr_affectation,
            "starts_on": ctr_debut,
            "ends_on": ctr_fin or None,  # a contract without an end date is open-ended
            "trial_days": ctr_essai.strip(),
        },
        fields=CONTRACT_FIELDS,
        typed={
            "ctr_affectation": ctr_affectation,
            "ctr_debut": ctr_debut,
            "ctr_fin": ctr_fin,
            "ctr_essai": ctr_essai,
        },
    )


@router.post("/parcours/{pathway_id}/positionnements")
async def position(
    request: Request,
    pathway_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    seance: Annotated[str, Form()] = "",
):
    action_id, _, session_id = seance.partition(" ")  # the radio's value: "<action> <session>"
    return await _command(
        request,
        user,
        pathway_id,
        f"{_path(pathway_id)}/positionings",
        section="positionnement",
        cle=cle,
        json={"action_id": action_id, "session_id": session_id},
        fields=POSITIONING_FIELDS,
        typed={"seance": seance},
        notice="La personne est positionnée sur la séance.",
    )


@router.post("/parcours/{pathway_id}/contrat/{step}")
async def contract_step(
    request: Request,
    pathway_id: str,
    step: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    motif: Annotated[str, Form()] = "",
):
    if step not in CONTRACT_STEPS:
        return Response(status_code=404)
    found = CONTRACT_STEPS[step]
    field = f"motif-{step}"  # each step's reason is its own field on the page
    return await _command(
        request,
        user,
        pathway_id,
        _work(pathway_id, f"contract/{found.route}"),
        section=found.section,
        cle=cle,
        json={"reason": motif} if found.with_reason else None,
        fields={"reason": field, "preliminary-interview-missing": field} if found.with_reason else None,
        typed={field: motif},
    )


@router.post("/parcours/{pathway_id}/positionnements/{positioning_id}/retrait")
async def withdraw(
    request: Request,
    pathway_id: str,
    positioning_id: str,
    user: CurrentUser,
    cle: Annotated[str, Form()],
    motif: Annotated[str, Form()] = "",
):
    return await _command(
        request,
        user,
        pathway_id,
        f"/positionings/{quote(positioning_id, safe='')}/withdraw",
        section=f"retrait-{positioning_id}",
        cle=cle,
        json={"reason": motif.strip()},
        fields=withdrawal_fields(positioning_id),
        typed={f"retrait_motif-{positioning_id}": motif},
    )
