"""The establishment's week (projections' `/schedule` and `/schedule/conflicts`): its sessions day by day and
room by room, each conflict said in words beside the sessions it concerns and listed above the week; the
printable week (`/schedule.html`). The conflicts are the service's: the page only places them."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from web.establishments import establishment_choices
from web.messages import Refusal
from web.rendering import LOCAL_TIME_ZONE, render
from web.session import CurrentUser

router = APIRouter()

# The service's parameters and rules, by the form field that sets them.
FIELDS = {"from": "du", "establishment": "etablissement", "room": "lieu", "window-invalid": "du"}
KINDS = {
    "group_session": "Programme",
    "action_session": "Action partenaire",
    "positioning": "Positionnement",
    "training": "Formation",
    "work": "Travail",
}
CONFLICTS = {
    "person_double_booked": "Personne attendue à deux endroits",
    "room_double_booked": "Salle réservée deux fois",
    "facilitator_double_booked": "Animateur pris deux fois",
    "during_work_hours": "Pendant les heures de travail",
}
SEVERITIES = {"conflict": "Conflit", "warning": "Avertissement"}


def monday_of(today: date) -> date:
    return today - timedelta(days=today.weekday())


def local(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(LOCAL_TIME_ZONE)


@router.get("/semaine")
async def week(
    request: Request,
    user: CurrentUser,
    du: Annotated[str, Query()] = "",
    etablissement: Annotated[str, Query()] = "",
    lieu: Annotated[str, Query()] = "",
):
    du, etablissement, lieu = du.strip(), etablissement.strip(), lieu.strip()
    # A week from Monday unless the user asks for another first day (the service makes it 7 days long).
    first = du or monday_of(datetime.now(LOCAL_TIME_ZONE).date()).isoformat()
    params = {"from": first}
    if etablissement:
        params["establishment"] = etablissement
    api = request.app.state.api
    schedule, conflicts, errors, status = None, None, {}, 200
    try:
        schedule = await api.get(
            "projections",
            "/schedule",
            user.token,
            params={**params, **({"room": lieu} if lieu else {})},
            fields=FIELDS,
        )
        conflicts = await _conflicts(request, user, params)
    except Refusal as refusal:
        errors, status = refusal.messages, refusal.status
    return render(
        request,
        "pages/schedule.html",
        partial="partials/schedule.html",
        status_code=status,
        title="La semaine de l'établissement",
        week=_week(schedule, conflicts) if schedule else None,
        du=du,
        etablissement=etablissement,
        lieu=lieu,
        establishments=establishment_choices(user),
        errors=errors,
    )


async def _conflicts(request: Request, user, params: dict[str, str]) -> dict | None:
    """The window's conflicts, or None for the readers the service keeps them from (auditors, partners)."""
    try:
        return await request.app.state.api.get(
            "projections", "/schedule/conflicts", user.token, params=params, fields=FIELDS
        )
    except Refusal as refusal:
        if refusal.rule == "role-not-allowed":
            return None
        raise


def _week(schedule: dict[str, Any], conflicts: dict[str, Any] | None) -> dict[str, Any]:
    """The days of the window, each with its sessions by room then time, each session with the open
    conflicts naming it; the conflicts themselves, open first, with the titles of the two sessions."""
    titles = {item["item_id"]: item["title"] for item in schedule["items"]}
    # A person in two places is named as the schedule names them to this reader, else by their id.
    names = {
        person["subject_id"]: f"{person['last_name'].upper()} {person['first_names']}"
        for item in schedule["items"]
        for person in item["participants"] or []
        if person.get("last_name")
    }
    listed = conflicts["items"] if conflicts else []
    by_item: dict[str, list[dict]] = defaultdict(list)
    described = []
    for conflict in sorted(listed, key=lambda c: (c["resolved_at"] is not None, c["starts_at"])):
        line = {
            **conflict,
            "label": CONFLICTS.get(conflict["kind"], conflict["kind"]),
            "severity_label": SEVERITIES.get(conflict["severity"], conflict["severity"]),
            "first_title": titles.get(conflict["first_item"], conflict["first_item"]),
            "second_title": titles.get(conflict["second_item"], conflict["second_item"]),
            "person": names.get(conflict["subject_id"], conflict["subject_id"]),
            # A work-hours warning's legitimate-absence reason, in the service's French (ADR 29).
            "absence": conflict.get("absence_reason_label"),
            "starts": local(conflict["starts_at"]),
            "ends": local(conflict["ends_at"]),
        }
        described.append(line)
        if conflict["resolved_at"] is None:
            by_item[conflict["first_item"]].append(line)
            by_item[conflict["second_item"]].append(line)
    first, last = date.fromisoformat(schedule["from_day"]), date.fromisoformat(schedule["to_day"])
    days: list[dict[str, Any]] = []
    on = first
    while on <= last:
        days.append({"day": on, "items": []})
        on += timedelta(days=1)
    for item in schedule["items"]:
        starts = local(item["starts_at"])
        index = (starts.date() - first).days
        if 0 <= index < len(days):
            days[index]["items"].append(
                {
                    **item,
                    "starts": starts,
                    "ends": local(item["ends_at"]),
                    "kind_label": KINDS.get(item["kind"], item["kind"]),
                    "conflicts": by_item.get(item["item_id"], []),
                }
            )
    for day in days:
        day["items"].sort(key=lambda i: (i["place"].casefold(), i["starts"]))
    return {
        "from_day": first,
        "to_day": last,
        "previous": (first - timedelta(days=7)).isoformat(),
        "next": (first + timedelta(days=7)).isoformat(),
        "days": days,
        "conflicts": described,
        "open_conflicts": sum(1 for c in described if c["resolved_at"] is None),
        "conflicts_readable": conflicts is not None,
    }


@router.get("/semaine/impression")
async def print_week(
    request: Request,
    user: CurrentUser,
    du: Annotated[str, Query()] = "",
    etablissement: Annotated[str, Query()] = "",
    lieu: Annotated[str, Query()] = "",
) -> HTMLResponse:
    """The week as projections prints it (its own page): a refusal becomes the error page."""
    params = {
        name: value
        for name, value in (("from", du), ("establishment", etablissement), ("room", lieu))
        if value
    }
    html = await request.app.state.api.get_html("projections", "/schedule.html", user.token, params=params)
    return HTMLResponse(html)
