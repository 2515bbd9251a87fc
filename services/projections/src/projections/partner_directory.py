"""The partner directory: who the establishment works with, and whether they may come in, built from
`partners.events`. Contact persons are personal data and never enter it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import asyncpg

from contracts import Event, EventEnvelope
from contracts.partners import (
    ACCREDITATION_ALERT_DAYS,
    PartnerAccredited,
    PartnerRegistered,
    PartnerReinstated,
    PartnerSuspended,
    PartnerWithdrawn,
)
from kernel.pages import Listed, page

# How many days before its end an accreditation is flagged as expiring soon.


class AccreditationStatus(StrEnum):
    """Computed when read, relative to today's date in the establishment (Europe/Paris)."""

    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    NONE = "none"  # never accredited
    ACCREDITED = "accredited"  # accredited_until >= today
    EXPIRED = "expired"


# The precedence above, in SQL ($1 is today). One expression for the column and for the filter.
STATUS_SQL = """CASE WHEN withdrawn THEN 'withdrawn'
                     WHEN suspended THEN 'suspended'
                     WHEN accredited_until IS NULL THEN 'none'
                     WHEN accredited_until >= $1::date THEN 'accredited'
                     ELSE 'expired' END"""

EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (PartnerRegistered, PartnerAccredited, PartnerSuspended, PartnerReinstated, PartnerWithdrawn)
)
TABLES = ("directory_partners",)


async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
    """Apply one event. Runs in the consumer's transaction, beside its checkpoint.

    Idempotent per row: a row remembers the version of its partner stream it reflects, and an event at or
    below that version changes nothing (a duplicate, or one replayed over an existing row)."""
    if envelope.event_type not in EVENT_TYPES:
        return  # calls, proposals, actions, contact persons: not the directory's business
    match event:
        case PartnerRegistered():
            await connection.execute(
                """INSERT INTO directory_partners
                       (partner_id, name, siret, organisation_type, registered_at, stream_version)
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (partner_id) DO NOTHING""",
                event.partner_id,
                event.name,
                event.siret,
                event.organisation_type.value,
                envelope.occurred_at,
                envelope.stream_version,
            )
        case PartnerAccredited():  # a renewal replaces the expiry date
            await _update(
                connection, event.partner_id, envelope, "accredited_until = $3", event.accredited_until
            )
        case PartnerSuspended():  # the reason stays out: the directory is read by partners too
            await _update(connection, event.partner_id, envelope, "suspended = true")
        case PartnerReinstated():
            await _update(connection, event.partner_id, envelope, "suspended = false")
        case PartnerWithdrawn():
            await _update(connection, event.partner_id, envelope, "withdrawn = true")


async def _update(
    connection: asyncpg.Connection, partner_id: str, envelope: EventEnvelope, assignments: str, *values
) -> None:
    """Change the partner's row if this event is newer than what it reflects ($3... are `values`)."""
    await connection.execute(
        f"""UPDATE directory_partners SET {assignments}, stream_version = $2
            WHERE partner_id = $1 AND stream_version < $2""",
        partner_id,
        envelope.stream_version,
        *values,
    )


async def search(
    connection: asyncpg.Connection,
    *,
    today: date,
    organisation_type: str | None = None,
    name_contains: str | None = None,
    accreditation_status: str | None = None,
    only_partner: str | None = None,
    limit: int = 100,
    after: str | None = None,
) -> Listed:
    """A page of the directory by name, and the number of entries matching; `today` is the establishment's
    date."""
    where = f"""($2::text IS NULL OR organisation_type = $2)
                AND ($3::text IS NULL OR strpos(lower(name), lower($3)) > 0)
                AND ($4::text IS NULL OR partner_id = $4)
                AND ($5::text IS NULL OR {STATUS_SQL} = $5)"""
    # `contracts.partners.accreditation_expires_soon`, in SQL: the partners service alerts the same days.
    expires_soon = (
        f"({STATUS_SQL} = 'accredited' AND accredited_until < $1::date + {ACCREDITATION_ALERT_DAYS})"
    )
    return await page(
        connection,
        f"""SELECT partner_id, name, siret, organisation_type, registered_at, accredited_until,
                   {STATUS_SQL} AS accreditation_status, {expires_soon} AS accreditation_expires_soon,
                   lower(name) AS sort_name
            FROM directory_partners WHERE {where}""",
        today,
        organisation_type,
        name_contains,
        only_partner,
        accreditation_status,
        order=("sort_name", "partner_id"),
        limit=limit,
        after=after,
    )
