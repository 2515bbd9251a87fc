"""The catalogue: the partners' actions and their sessions, built from `partners.events` (stream type
"action"), and the places IPRO's positionings hold on them, from `ipro.events` (stream type "positioning"):
a session's seats left are its action's capacity minus those places. Facilitators' names are personal data
and never enter it; neither do cancellation reasons nor session reports, beyond the fact that a session was
cancelled or reported, nor who is positioned."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from contracts import Event, EventEnvelope
from contracts.ipro import PositioningCancelled, PositioningProposed, PositioningWithdrawn
from contracts.partners import (
    ActionClosed,
    ActionCreated,
    ActionPublished,
    SessionCancelled,
    SessionMoved,
    SessionReported,
    SessionScheduled,
)
from kernel.clock import LOCAL_TIME_ZONE
from kernel.pages import Listed, page

EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        ActionCreated,
        SessionScheduled,
        SessionMoved,
        SessionCancelled,
        SessionReported,
        ActionPublished,
        ActionClosed,
    )
)
TABLES = ("catalogue_actions", "catalogue_sessions")

# A positioning holds a place from its proposal until it is withdrawn, or cancelled with its session; a move
# keeps it on the same session, and attendance changes nothing.
TAKES_A_PLACE = (PositioningProposed,)
GIVES_IT_BACK = (PositioningWithdrawn, PositioningCancelled)
PLACE_EVENT_TYPES = frozenset(cls.event_type for cls in (*TAKES_A_PLACE, *GIVES_IT_BACK))
PLACE_TABLES = ("catalogue_places",)


async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
    """Apply one event. Runs in the consumer's transaction, beside its checkpoint.

    Idempotent per row: an action remembers the version of its stream it reflects (its sessions' events
    are in that stream too), and an event at or below that version changes nothing."""
    if envelope.event_type not in EVENT_TYPES:
        return  # calls, organisations, proposals: not the catalogue's business
    if isinstance(event, ActionCreated):
        await connection.execute(
            """INSERT INTO catalogue_actions (action_id, partner_id, title, action_type, theme, capacity_min,
                                              capacity_max, created_at, stream_version)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (action_id) DO NOTHING""",
            event.action_id,
            event.partner_id,
            event.title,
            event.action_type.value,
            event.theme,
            event.capacity_min,
            event.capacity_max,
            envelope.occurred_at,
            envelope.stream_version,
        )
        return
    if not await _advance(connection, event.action_id, envelope.stream_version):
        return  # already applied (or the action was never created here)
    match event:
        case SessionScheduled():
            await connection.execute(
                """INSERT INTO catalogue_sessions (action_id, session_id, starts_at, ends_at, place)
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (action_id, session_id) DO NOTHING""",
                event.action_id,
                event.session_id,
                event.slot.starts_at,
                event.slot.ends_at,
                event.slot.place,
            )
        case SessionMoved():
            await _update_session(
                connection,
                event,
                "starts_at = $3, ends_at = $4, place = $5",
                event.slot.starts_at,
                event.slot.ends_at,
                event.slot.place,
            )
        case SessionCancelled():
            await _update_session(connection, event, "cancelled = true")
        case SessionReported():
            await _update_session(connection, event, "reported = true")
        case ActionPublished():
            await connection.execute(
                "UPDATE catalogue_actions SET published = true WHERE action_id = $1", event.action_id
            )
        case ActionClosed():
            await connection.execute(
                "UPDATE catalogue_actions SET closed = true WHERE action_id = $1", event.action_id
            )


async def _advance(connection: asyncpg.Connection, action_id: str, version: int) -> bool:
    """Move the action to `version`; False if it already reflects it (or a later one)."""
    return bool(
        await connection.fetchval(
            """UPDATE catalogue_actions SET stream_version = $2 WHERE action_id = $1 AND stream_version < $2
           RETURNING true""",
            action_id,
            version,
        )
    )


async def _update_session(connection: asyncpg.Connection, event, assignments: str, *values) -> None:
    await connection.execute(
        f"UPDATE catalogue_sessions SET {assignments} WHERE action_id = $1 AND session_id = $2",
        event.action_id,
        event.session_id,
        *values,
    )


async def apply_place(connection: asyncpg.Connection, _envelope: EventEnvelope, event: Event) -> None:
    """Apply one positioning event of `ipro.events`. Idempotent per row: a positioning is inserted once, and
    giving its place back is a state, not a decrement."""
    if isinstance(event, TAKES_A_PLACE):
        await connection.execute(
            """INSERT INTO catalogue_places (positioning_id, action_id, session_id) VALUES ($1, $2, $3)
               ON CONFLICT (positioning_id) DO NOTHING""",
            event.positioning_id,
            event.action_id,
            event.session_id,
        )
    elif isinstance(event, GIVES_IT_BACK):
        await connection.execute(
            "UPDATE catalogue_places SET holds_place = false WHERE positioning_id = $1", event.positioning_id
        )


# Sessions a reader may still attend: not cancelled, not yet reported, starting at or after $1 (now), and
# on the establishment's calendar days from $2 to $3 (both included) when given.
_DAY = f"(starts_at AT TIME ZONE '{LOCAL_TIME_ZONE.key}')::date"
_UPCOMING = f"""SELECT * FROM catalogue_sessions
                WHERE NOT cancelled AND NOT reported AND starts_at >= $1::timestamptz
                  AND ($2::date IS NULL OR {_DAY} >= $2) AND ($3::date IS NULL OR {_DAY} <= $3)"""


async def search(
    connection: asyncpg.Connection,
    *,
    now: datetime,
    action_type: str | None = None,
    theme: str | None = None,
    starts_from: date | None = None,
    starts_until: date | None = None,
    only_partner: str | None = None,
    limit: int = 100,
    after: str | None = None,
) -> tuple[Listed, list[dict]]:
    """A page of the published, open actions with their upcoming sessions, soonest first (each with its
    seats left): the page as listed (total, `next`) and its actions. With `starts_from` or `starts_until`,
    only actions with an upcoming session on those days are listed, with those sessions only.

    The first key, an action's next session from `now`, is no index's: the open actions matching are sorted
    (`catalogue_actions_open` finds them), not the whole table."""
    where = """a.published AND NOT a.closed
               AND ($4::text IS NULL OR a.action_type = $4)
               AND ($5::text IS NULL OR lower(a.theme) = lower($5))
               AND ($6::text IS NULL OR a.partner_id = $6)
               AND (($2::date IS NULL AND $3::date IS NULL)
                    OR EXISTS (SELECT 1 FROM upcoming u WHERE u.action_id = a.action_id))"""
    # An action without an upcoming session comes last: its key is infinity, never NULL (kernel.pages).
    listed = await page(
        connection,
        f"""WITH upcoming AS ({_UPCOMING})
            SELECT a.action_id, a.partner_id, p.name AS partner_name, a.title, a.action_type, a.theme,
                   a.capacity_min, a.capacity_max, lower(a.title) AS sort_title,
                   coalesce((SELECT min(u.starts_at) FROM upcoming u WHERE u.action_id = a.action_id),
                            'infinity') AS next_session
            FROM catalogue_actions a LEFT JOIN directory_partners p ON p.partner_id = a.partner_id
            WHERE {where}""",
        now,
        starts_from,
        starts_until,
        action_type,
        theme,
        only_partner,
        order=("next_session", "sort_title", "action_id"),
        limit=limit,
        after=after,
    )
    actions = listed.rows
    sessions = await connection.fetch(
        f"""SELECT u.action_id, u.session_id, u.starts_at, u.ends_at, u.place,
                   a.capacity_max - (SELECT count(*) FROM catalogue_places p
                                     WHERE p.action_id = u.action_id AND p.session_id = u.session_id
                                       AND p.holds_place) AS seats_left
            FROM ({_UPCOMING}) AS u JOIN catalogue_actions a USING (action_id)
            WHERE u.action_id = ANY($4::text[]) ORDER BY u.starts_at, u.session_id""",
        now,
        starts_from,
        starts_until,
        [a["action_id"] for a in actions],
    )
    by_action: dict[str, list[dict]] = {a["action_id"]: [] for a in actions}
    for session in sessions:
        by_action[session["action_id"]].append(
            {k: session[k] for k in ("session_id", "starts_at", "ends_at", "place", "seats_left")}
        )
    items = [
        {
            **{k: v for k, v in a.items() if k not in ("sort_title", "next_session", "total")},
            "sessions": by_action[a["action_id"]],
        }
        for a in actions
    ]
    return listed, items
