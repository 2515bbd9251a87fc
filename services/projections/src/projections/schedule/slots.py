"""What the conflict checks probe and a facilitator's or a person's schedule reads, kept in step with the
sessions and seats (migrations 0127, 0128, 0132): a facilitator's sessions and a person's group sessions and
SPIP interviews, each a row with its span, indexed by (who, span), a cancelled session's marked (the schedules
show it, the checks skip it). A check or a schedule then reads the sessions of its span only, however long the
facilitator's or the person's history and however busy the region (issue 15: "a request must not get slower as
a table grows").

Each function makes the rows of what it is given again from `schedule_sessions` and `schedule_members` as
they now stand: the ingest calls it after every write of a session's times, facilitators or cancellation,
or of a seat, in the event's transaction, so a replay or a rebuild gives the same rows."""

from __future__ import annotations

import asyncpg


async def sessions_changed(connection: asyncpg.Connection, items: list[str]) -> None:
    """These sessions were added, moved, restaffed or cancelled: their facilitators' and their people's rows."""
    await connection.execute("DELETE FROM schedule_facilitator_slots WHERE item_id = ANY($1)", items)
    await connection.execute(
        """INSERT INTO schedule_facilitator_slots (item_id, facilitator_key, kind, during, since, cancelled)
           SELECT DISTINCT s.item_id, k.facilitator_key, s.kind, s.during, s.staffed_since, s.cancelled
           FROM schedule_sessions s CROSS JOIN unnest(s.facilitator_keys) AS k(facilitator_key)
           WHERE s.item_id = ANY($1)""",
        items,
    )
    await connection.execute("DELETE FROM schedule_person_slots WHERE item_id = ANY($1)", items)
    await connection.execute(_PERSON_SLOTS + " WHERE s.item_id = ANY($1) AND s.kind = 'group_session'", items)
    await connection.execute(_OWN_SLOTS + " WHERE s.item_id = ANY($1) AND s.subject_id IS NOT NULL", items)


async def seat_changed(connection: asyncpg.Connection, referral_id: str) -> None:
    """A seat was taken (again) or freed: its person's rows for its group's sessions."""
    await connection.execute("DELETE FROM schedule_person_slots WHERE referral_id = $1", referral_id)
    await connection.execute(
        _PERSON_SLOTS + " WHERE m.referral_id = $1 AND s.kind = 'group_session'", referral_id
    )


# A person occupies each session of a group they sit in from the later of the session's times and their seat.
_PERSON_SLOTS = """
    INSERT INTO schedule_person_slots (item_id, referral_id, subject_id, kind, during, since, cancelled)
    SELECT s.item_id, m.referral_id, m.subject_id, s.kind, s.during, greatest(s.since, m.since), s.cancelled
    FROM schedule_sessions s JOIN schedule_members m ON m.group_id = s.source_id AND m.active"""

# A session of one person (an SPIP interview, migration 0132) names them: it is their seat.
_OWN_SLOTS = """
    INSERT INTO schedule_person_slots (item_id, referral_id, subject_id, kind, during, since, cancelled)
    SELECT s.item_id, s.item_id, s.subject_id, s.kind, s.during, s.since, s.cancelled FROM schedule_sessions s"""
