"""What IPRO accepts but tells the user about: a commitment booked over a SPIP programme session the person
attends. D.412-32 has the SPIP's appointments organised outside working hours: the booking stands (the
programme may yield, or the adviser may change it), and the response says which sessions it overlaps."""

from __future__ import annotations

from ipro.domain.calendar import collisions
from ipro.domain.facts import Booking


def programme_warnings(booked: Booking, programme_sessions: list[Booking], person: str) -> list[str]:
    """One warning per programme session `booked` overlaps (its weekly hours over the sessions' days, or its
    own session's time)."""
    return [
        f"{person} attends {session.named} at that time: SPIP appointments are organised outside working "
        "hours (D.412-32), agree on it with their CPIP"
        for session in collisions(booked, programme_sessions)
    ]
