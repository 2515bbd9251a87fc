"""How the partners service names organisations and things in what it tells users (refusals): an
organisation by its name, a call, a proposal and an action by their title, a session by its local day, time
and place; days and instants as every service says them (`kernel.wording`). Ids stay in the problem's
members, for clients."""

from __future__ import annotations

from datetime import datetime

from kernel.wording import moment

ORGANISATION = "the organisation"


def call(title: str) -> str:
    return f"the call «{title}»"


def proposal(title: str) -> str:
    return f"the proposal «{title}»"


def action(title: str | None) -> str:
    return f"the action «{title}»" if title else "the action"


def session(starts_at: datetime, place: str = "") -> str:
    """`the session on Monday 30 November 2026 at 14:00 (Salle polyvalente)`, local time."""
    where = f" ({place})" if place else ""
    return f"the session on {moment(starts_at)}{where}"
