"""How IPRO names people and things in what it tells users (refusals, reasons): as users know them, the
person by their name, a training by its title, a post by its title and workshop, a session by its action's
title, its local date and time and its place. Ids only when nothing better is known. Days and instants read
as every service says them (`kernel.wording`)."""

from __future__ import annotations

from datetime import datetime

from kernel.wording import day, moment

__all__ = ["day", "moment", "person", "post", "programme_session", "session", "training"]


def person(first_names: str, last_name: str) -> str:
    return " ".join(part for part in (first_names.strip(), last_name.strip()) if part) or "the person"


def session(title: str, starts_at: datetime, place: str = "") -> str:
    """`the session of «Job dating» on Friday 11 December 2026 at 10:00 (Salle 1)`."""
    of = f" of «{title}»" if title else ""
    where = f" ({place})" if place else ""
    return f"the session{of} on {moment(starts_at)}{where}"


def programme_session(programme: str, starts_at: datetime, room: str = "") -> str:
    """`the session of the SPIP programme «PPR» on Tuesday 1 December 2026 at 14:00 (Salle 3)`."""
    of = f" «{programme}»" if programme else ""
    where = f" ({room})" if room else ""
    return f"the session of the SPIP programme{of} on {moment(starts_at)}{where}"


def training(title: str) -> str:
    return f"the training «{title}»" if title else "the training"


def post(post: str, workshop: str) -> str:
    return f"the post «{post}» ({workshop})" if workshop else f"the post «{post}»"
