"""The attendance register of a group (*feuille d'émargement*): its participants by name, its sessions,
each mark, as JSON or as a printable HTML page with a column to sign. Its facilitators and DPIPs read it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from html import escape
from operator import attrgetter
from typing import Literal

from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from contracts.programmes import AttendanceMark, ProgrammeDefinition
from contracts.roles import PARTNER
from kernel.api import Id, Store
from kernel.clock import LOCAL_TIME_ZONE
from kernel.http import service_router
from kernel.journal import Journal
from programmes import handlers, queries
from programmes.domain.group import Group, participation
from programmes.http.common import Facilitator

router = service_router("/groups", tags=["groups"])

_MARK_LABELS = {
    AttendanceMark.PRESENT: "Présent",
    AttendanceMark.LATE: "En retard",
    AttendanceMark.ABSENT_EXCUSED: "Absent excusé",
    AttendanceMark.ABSENT_UNEXCUSED: "Absent",
    AttendanceMark.EXCLUDED_FROM_SESSION: "Exclu de la séance",
}


class RegisterSession(BaseModel):
    session_id: str
    number: int
    starts_at: datetime
    room: str
    cancelled: bool
    held: bool


class RegisterLine(BaseModel):
    referral_id: str
    last_name: str
    first_names: str
    # SPIP staff's register only: a partner facilitator reads names (security review L3).
    ecrou_number: str | None = Field(description="the écrou number; null for a partner facilitator")
    marks: dict[str, AttendanceMark | None]  # session id -> mark
    sessions_attended: int
    sessions_counted: int


class Register(BaseModel):
    group_id: str
    programme_code: str
    programme_name: str
    establishment: str
    room: str
    facilitators: list[str]
    start_date: date
    end_date: date
    sessions: list[RegisterSession]
    participants: list[RegisterLine]


@router.get(
    "/{group_id}/register",
    response_model=Register,
    summary="The attendance register (feuille d'émargement); ?format=html to print",
)
async def get_register(
    group_id: Id,
    principal: Facilitator,
    store: Store,
    journal: Journal,
    format: Literal["json", "html"] = "json",
):
    async with store.transaction() as session:
        group = await handlers.read_group_run_by(session, group_id, principal)
        programme = await handlers.read_programme(session, group.state.programme_id)
        people = await queries.register_people(session.connection, group.state.participants)
    journal.consulted(subject_ids=group.state.participants.values(), establishment=group.state.establishment)
    sheet = register(
        group.state, programme.state.definition, people, with_ecrou=PARTNER not in principal.roles
    )
    return HTMLResponse(html(sheet)) if format == "html" else sheet


def register(
    state: Group, definition: ProgrammeDefinition, people: Mapping[str, Mapping], *, with_ecrou: bool = True
) -> Register:
    """`people`: by referral id, the participants' names and ecrou numbers; `with_ecrou` False leaves the
    numbers out (a partner's register)."""
    sessions = sorted(state.sessions.values(), key=attrgetter("session.starts_at"))
    lines = []
    for referral_id in state.participants:
        person = people.get(referral_id)
        attended, counted = participation(state, referral_id)
        marks = state.marks.get(referral_id, {})
        lines.append(
            RegisterLine(
                referral_id=referral_id,
                last_name=person["last_name"] if person else "?",
                first_names=person["first_names"] if person else "?",
                ecrou_number=(person["ecrou_number"] if person else "?") if with_ecrou else None,
                marks={s.session.session_id: marks.get(s.session.session_id) for s in sessions},
                sessions_attended=attended,
                sessions_counted=counted,
            )
        )
    lines.sort(key=_alphabetical)
    return Register(
        group_id=state.group_id,
        programme_code=definition.code,
        programme_name=definition.name,
        establishment=state.establishment,
        room=state.room,
        facilitators=state.facilitators,
        start_date=state.start_date,
        end_date=state.end_date,
        sessions=[
            RegisterSession(
                session_id=s.session.session_id,
                number=s.session.number,
                starts_at=s.session.starts_at,
                room=s.session.room,
                cancelled=s.cancelled,
                held=s.held,
            )
            for s in sessions
        ],
        participants=lines,
    )


def html(sheet: Register) -> str:
    heads = "".join(
        f"<th>Séance {s.number}<br>{s.starts_at.astimezone(LOCAL_TIME_ZONE):%d/%m %H:%M}"
        f"{'<br>(annulée)' if s.cancelled else ''}</th>"
        for s in sheet.sessions
    )
    rows = "".join(
        f"<tr><td>{escape(p.last_name)} {escape(p.first_names)}</td><td>{escape(p.ecrou_number or '–')}</td>"
        + "".join(
            f"<td>{_MARK_LABELS[m] if (m := p.marks.get(s.session_id)) else ''}</td>" for s in sheet.sessions
        )
        + "<td class='signature'></td></tr>"
        for p in sheet.participants
    )
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Feuille d'émargement — {escape(sheet.programme_name)}</title>
<style>body{{font-family:sans-serif}} table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #000;padding:4px;font-size:11px}} td.signature{{min-width:120px}}
@media print{{@page{{size:landscape}}}}</style></head><body>
<h1>Feuille d'émargement — {escape(sheet.programme_code)} · {escape(sheet.programme_name)}</h1>
<p>{escape(sheet.establishment)}, salle {escape(sheet.room)}
· du {sheet.start_date:%d/%m/%Y} au {sheet.end_date:%d/%m/%Y}
· animation : {escape(", ".join(sheet.facilitators))}</p>
<table><thead><tr><th>Nom, prénoms</th><th>N° d'écrou</th>{heads}<th>Signature</th></tr></thead>
<tbody>{rows}</tbody></table></body></html>"""


def _alphabetical(line) -> tuple[str, str]:
    """The register's order: by last name, then first names, whatever their case."""
    return line.last_name.casefold(), line.first_names.casefold()
