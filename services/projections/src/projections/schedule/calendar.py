"""A person's or a facilitator's schedule as iCalendar (RFC 5545), with the `icalendar` library. Each item
keeps its UID from one export to the next (a calendar application updates it rather than adding a copy);
a cancelled session is sent as cancelled. Participants are never named in a calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar, Event

PRODUCT = "-//Passerelle//Emploi du temps//FR"
UID_DOMAIN = "passerelle.schedule"


def uid(item_id: str) -> str:
    return f"{item_id}@{UID_DOMAIN}"


def render_ics(items: list[dict[str, Any]], *, name: str, generated_at: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for item in items:
        event = Event()
        event.add("uid", uid(item["item_id"]))
        event.add("dtstamp", generated_at.astimezone(UTC))
        event.add("dtstart", item["starts_at"].astimezone(UTC))
        event.add("dtend", item["ends_at"].astimezone(UTC))
        event.add("summary", item["title"] or item["kind"])
        if item["place"]:
            event.add("location", item["place"])
        event.add("status", "CANCELLED" if item["cancelled"] else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
