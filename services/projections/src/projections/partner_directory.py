"""The partner directory: who the establishment works with, built from `partners.events`."""

from __future__ import annotations

import asyncpg

from contracts import EventEnvelope, parse_payload
from contracts.partners import PartnerRegistered


async def apply(connection: asyncpg.Connection, envelope: EventEnvelope) -> None:
    """Apply one event. Runs in the consumer's transaction, beside its checkpoint."""
    event = parse_payload(envelope.event_type, envelope.schema_version, envelope.payload)
    match event:
        case PartnerRegistered():
            await connection.execute(
                """INSERT INTO directory_partners (partner_id, name, siret, organisation_type, registered_at)
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (partner_id) DO NOTHING""",
                event.partner_id, event.name, event.siret, event.organisation_type.value, envelope.occurred_at,
            )


async def search(
    connection: asyncpg.Connection,
    *,
    organisation_type: str | None,
    name_contains: str | None,
    only_partner: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[asyncpg.Record]]:
    where = """($1::text IS NULL OR organisation_type = $1)
               AND ($2::text IS NULL OR lower(name) LIKE '%' || lower($2) || '%')
               AND ($3::text IS NULL OR partner_id = $3)"""
    total = await connection.fetchval(
        f"SELECT count(*) FROM directory_partners WHERE {where}", organisation_type, name_contains, only_partner
    )
    rows = await connection.fetch(
        f"""SELECT partner_id, name, siret, organisation_type, registered_at FROM directory_partners
            WHERE {where} ORDER BY lower(name), partner_id LIMIT $4 OFFSET $5""",
        organisation_type, name_contains, only_partner, limit, offset,
    )
    return total, rows
