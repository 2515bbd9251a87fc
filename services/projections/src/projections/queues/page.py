"""A work queue as a printable French page, A4, the documents' shared look (`templates/document.css`): one
Jinja2 template (`templates/queues.html`), every value escaped, days in French."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from kernel.clock import LOCAL_TIME_ZONE
from projections import pages
from projections.person_file import french
from projections.queues.rules import ItemKind

LABELS = {
    ItemKind.INITIAL_ASSESSMENT: "Évaluation initiale à réaliser",
    ItemKind.ANNUAL_ASSESSMENT: "Réévaluation annuelle à réaliser",
    ItemKind.PLAN_REVIEW: "Révision du plan d'accompagnement",
    ItemKind.INTERVIEW: "Entretien de suivi à tenir",
    ItemKind.RELEASE: "Sortie à préparer",
    ItemKind.ASSESSMENT_RETURNED: "Évaluation renvoyée pour reprise",
    ItemKind.ASSESSMENT_TO_VALIDATE: "Évaluation soumise à valider",
    ItemKind.PLAN_TO_VALIDATE: "Plan d'accompagnement à valider",
    ItemKind.SYNTHESIS: "Synthèse de l'entretien initial à rédiger",
    ItemKind.WITHOUT_ACTIVITY: "Aucune activité en cours ni prévue",
    ItemKind.FRANCE_TRAVAIL: "Sortie proche sans inscription à France Travail",
    ItemKind.WAITING_FOR_POST: "Classé, en attente d'un poste",
    ItemKind.ATTENDANCE: "Présences d'une séance partenaire à rapprocher",
    ItemKind.CLASSEMENT: "Demande de classement à décider",
    ItemKind.AFFECTATION: "Affectation à un poste à décider",
    ItemKind.LEAVE: "Permission (PMSMP, sortie encadrée) à décider",
}

TITLES = {
    "cpip": "Mes personnes suivies",
    "dpip": "Validations et charge des CPIP",
    "ipro_conseiller": "Mes parcours d'insertion",
    "ipro_chef": "Liste d'attente et actions partenaires",
    "ripro": "Liste d'attente et actions partenaires",
    "direction": "Décisions en attente",
}


def render_html(queue: dict[str, Any], *, generated_at: datetime) -> str:
    """`queue`: a `Queue` as a dict (role, today, within_days, items, workload)."""
    return (
        _environment()
        .get_template("queues.html")
        .render(queue=queue, title=TITLES[queue["role"]], generated_at=generated_at)
    )


def person(item: dict[str, Any]) -> str:
    if item.get("last_name"):
        return f"{item['last_name'].upper()} {item['first_names']}"
    if item.get("subject_id"):
        return item["subject_id"]
    return f"action {item['action_id']}, séance {item['session_id']}"


def detail(item: dict[str, Any]) -> str:
    """What the line adds to its label: waiting since, the counts of a partner session, the regimes."""
    parts = []
    if item["kind"] == ItemKind.ATTENDANCE:
        reported = "non déclarées" if item["reported"] is None else str(item["reported"])
        parts.append(
            f"réservées : {item['booked']}, présences IPRO : {item['attended']}, déclarées : {reported}"
        )
    elif item.get("since"):
        word = "dernière activité" if item["kind"] == ItemKind.WITHOUT_ACTIVITY else "depuis le"
        parts.append(f"{word} {french.day(item['since'])}")
    if item.get("regimes"):
        parts.append(", ".join(item["regimes"]))
    return " – ".join(parts)


@cache
def _environment() -> Environment:
    return pages.environment(
        Path(__file__).parent / "templates",
        day=french.day,
        instant=lambda at: french.instant(at.astimezone(LOCAL_TIME_ZONE)),
        label=lambda kind: LABELS.get(kind, kind),
        person=person,
        detail=detail,
    )
