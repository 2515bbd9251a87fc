"""The partners service's replica of IPRO's positionings (`ipro.events`, ADR 12): how many places of each
session people hold, so that the catalogue's `seats_left` counts them. The capacity is IPRO's rule (it
refuses a positioning over it); this service only counts what IPRO recorded."""

from __future__ import annotations

import asyncpg

from contracts import Event, EventEnvelope
from contracts.ipro import PositioningCancelled, PositioningProposed, PositioningWithdrawn

# A positioning holds a place from its proposal until it is withdrawn, or cancelled with its session; a move
# keeps it on the same session, and attendance and outcomes change nothing to the count.
TAKES_A_PLACE = (PositioningProposed,)
GIVES_IT_BACK = (PositioningWithdrawn, PositioningCancelled)
EVENT_TYPES = frozenset(cls.event_type for cls in (*TAKES_A_PLACE, *GIVES_IT_BACK))
TABLES = ("positioned_places",)


async def apply_positioning(connection: asyncpg.Connection, _envelope: EventEnvelope, event: Event) -> None:
    """Idempotent per positioning: its row says whether it holds a place, and the session's count is
    recounted from those rows, whatever was applied before."""
    if isinstance(event, TAKES_A_PLACE):
        session_id = event.session_id
        await connection.execute(
            """INSERT INTO positioned_places (positioning_id, session_id) VALUES ($1, $2)
               ON CONFLICT (positioning_id) DO NOTHING""",
            event.positioning_id,
            session_id,
        )
    elif isinstance(event, GIVES_IT_BACK):
        session_id = await connection.fetchval(
            """UPDATE positioned_places SET holds_place = false WHERE positioning_id = $1
               RETURNING session_id""",
            event.positioning_id,
        )
        if session_id is None:
            return  # never positioned here: nothing to give back
    else:
        return
    await connection.execute(
        """UPDATE action_sessions SET booked = (SELECT count(*) FROM positioned_places p
                                                WHERE p.session_id = $1 AND p.holds_place)
           WHERE session_id = $1""",
        session_id,
    )
